# gc.garbage with gc.set_debug(gc.DEBUG_SAVEALL): every unreachable object
# a collection finds is kept in gc.garbage instead of being freed (their
# finalizers still run, once: PEP 442); without the flag gc.garbage stays
# empty.
import gc

gc.disable()
gc.collect()
print("debug flags at start:", gc.get_debug())
calls = []


class Node:
    def __init__(self, name):
        self.name = name
        self.other = None


class Fin(Node):
    def __del__(self):
        calls.append(self.name)


def garbage(cls, *names):
    nodes = [cls(n) for n in names]
    for i, n in enumerate(nodes):
        n.other = nodes[(i + 1) % len(nodes)]


gc.set_debug(gc.DEBUG_SAVEALL)
print("debug flags:", gc.get_debug() == gc.DEBUG_SAVEALL)
garbage(Node, "a", "b")
garbage(Fin, "f1", "f2", "f3")
found = gc.collect()
mine = sorted(o.name for o in gc.garbage if isinstance(o, Node))
print("found", found, "garbage holds", len(gc.garbage), "objects; nodes:", mine)
print("all found are saved:", found == len(gc.garbage))
print("finalizers with SAVEALL:", calls)
print("saved cycle intact:", all(o.other.other is not None for o in gc.garbage if isinstance(o, Node)))

# Another collection adds nothing new (they are reachable from gc.garbage).
print("second collect:", gc.collect(), len(gc.garbage))

gc.set_debug(0)
del gc.garbage[:]
found = gc.collect()
print("after clearing: found", found, "finalizers", sorted(calls), "garbage", gc.garbage)
calls.clear()

garbage(Node, "x", "y")
print("without SAVEALL: found", gc.collect(), "garbage", gc.garbage)
