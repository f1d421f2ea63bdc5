# Frozen only: objects made while the interpreter started (modules,
# their functions, classes) are moved out of the collector's reach before
# __main__ runs.  They are never collected or rescanned: the freeze count
# is positive and survives collections, gc.get_objects() lists none of
# them, while objects the program makes are listed and collected as usual;
# gc.unfreeze() gives them back.  Exits 1 naming the first broken fact.
import codecs
import encodings
import gc
import sys
import weakref

failures = []


def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


def listed(obj, generation=None):
    objs = gc.get_objects() if generation is None else gc.get_objects(generation=generation)
    return any(o is obj for o in objs)


check(getattr(sys, "frozen", False), "this is a frozen program (sys.frozen)")
n0 = gc.get_freeze_count()
check(n0 > 1000, f"start-up objects are frozen (gc.get_freeze_count() = {n0} > 1000)")
# Modules the interpreter imports before __main__ (without site, as a
# frozen program starts): codecs, encodings, io, abc.
startup = {"codecs.getreader (a start-up module's function)": codecs.getreader,
           "encodings.__dict__": encodings.__dict__,
           "codecs.CodecInfo (a class)": codecs.CodecInfo}
for name, obj in startup.items():
    check(gc.is_tracked(obj), f"{name} is tracked by the collector")
    check(not listed(obj), f"{name} is not in gc.get_objects()")
check(not any(listed(codecs.getreader, g) for g in (0, 1, 2)), "nor in any generation's gc.get_objects(generation=g)")


class Mine:
    def __init__(self):
        self.me = self


mine = Mine()
check(listed(mine), "an object the program makes is in gc.get_objects()")

# Collections, automatic and explicit, leave the start-up objects alone.
gc.enable()
for _ in range(50000):
    Mine()
n1 = gc.get_freeze_count()
for g in (0, 1, 2, 2):
    gc.collect(g)
check(gc.get_freeze_count() == n1, f"explicit collections do not touch them (count stays {n1})")
check(n1 >= n0 * 0.95, f"automatic collections did not collect them ({n0} -> {n1})")
check(not listed(codecs.getreader), "codecs.getreader still not listed after collections")
w = weakref.ref(Mine())
gc.collect()
check(w() is None, "the program's own cyclic garbage is collected")

# gc.freeze() by the program adds to the start-up set; unfreeze gives all back.
gc.freeze()
check(gc.get_freeze_count() > n1 and not listed(mine), "gc.freeze() adds the program's objects")
gc.unfreeze()
check(gc.get_freeze_count() == 0, "gc.unfreeze() empties the permanent generation")
check(listed(codecs.getreader), "after gc.unfreeze() codecs.getreader is listed again")
gc.freeze()  # leave things as the program found them

if failures:
    print(f"{len(failures)} facts broken")
    sys.exit(1)
print("OK")
