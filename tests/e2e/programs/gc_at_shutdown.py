# What happens at exit (the collections Py_FinalizeEx runs): atexit
# callbacks run first; then the finalizers of a plain object and of a
# cycle held by __main__'s globals, and of a cycle hung on an imported
# module, run while print() still works; objects left in gc.garbage are
# reported as a ResourceWarning when warnings are shown, as python3.11 does.
import atexit
import gc
import json  # an ordinary module to hang a cycle on
import warnings

warnings.simplefilter("default")
gc.collect()  # import-time garbage is not what this program is about


class C:
    def __init__(self, name):
        self.name = name

    def __del__(self):
        print("__del__ called for", self.name, flush=True)


plain = C("a plain global")
main_cycle = C("a cycle held by __main__")
main_cycle.me = main_cycle
mod_cycle = C("a cycle held by the json module")
mod_cycle.me = mod_cycle
json.hung_here = mod_cycle
del mod_cycle


class Node:
    pass


gc.set_debug(gc.DEBUG_SAVEALL)
n = Node()
n.me = n
del n
gc.collect()
gc.set_debug(0)
print("garbage:", [type(o).__name__ for o in gc.garbage if not isinstance(o, dict)])
atexit.register(print, "atexit ran", flush=True)
print("end of main", flush=True)
