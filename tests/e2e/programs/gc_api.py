# The gc module's API behaves as documented: get_stats, get_count,
# get_threshold/set_threshold, enable/disable/isenabled, freeze/unfreeze/
# get_freeze_count, get_objects (with generation), get_referrers,
# get_referents, is_tracked, is_finalized.  Prints relative facts only: a
# frozen program starts with its start-up objects frozen.
import gc

# enable / disable / isenabled
print("isenabled at start:", gc.isenabled())
gc.disable()
print("after disable:", gc.isenabled())
gc.enable()
print("after enable:", gc.isenabled())
gc.disable()

# get_stats
stats = gc.get_stats()
print("get_stats:", len(stats), [sorted(s) for s in stats])
before = [s["collections"] for s in gc.get_stats()]
gc.collect(0)
gc.collect(1)
gc.collect()
after = [s["collections"] for s in gc.get_stats()]
print("collections added per generation:", [a - b for a, b in zip(after, before)])


class Node:
    def __init__(self):
        self.other = self


for _ in range(4):
    Node()
col_before = gc.get_stats()[2]["collected"]
gc.collect()
print("collected added:", gc.get_stats()[2]["collected"] - col_before)

# get_count
gc.collect()
c0 = gc.get_count()
print("get_count:", type(c0).__name__, len(c0), all(isinstance(x, int) and x >= 0 for x in c0))
made = [[] for _ in range(50)]
c1 = gc.get_count()
print("count[0] grows with new containers:", c1[0] - c0[0] >= 50)
gc.collect()
print("count[0] after a full collection is small:", gc.get_count()[0] < 5)
del made

# get_threshold / set_threshold
old = gc.get_threshold()
print("get_threshold:", type(old).__name__, len(old))
gc.set_threshold(123, 4, 5)
print("set_threshold:", gc.get_threshold())
gc.set_threshold(50)
print("set_threshold one arg:", gc.get_threshold())
try:
    gc.set_threshold()
except TypeError as e:
    print("set_threshold(): TypeError")
gc.set_threshold(*old)
print("restored:", gc.get_threshold() == old)

# get_objects
gc.collect()
mark = [object()]
print("a new list is listed:", any(o is mark for o in gc.get_objects()))
print("in generation 0:", any(o is mark for o in gc.get_objects(generation=0)),
      "in generation 2:", any(o is mark for o in gc.get_objects(generation=2)))
gc.collect()
print("after a full collection, in generation 2:", any(o is mark for o in gc.get_objects(generation=2)))
big = 10 ** 12
print("an int is not listed:", not any(o is big for o in gc.get_objects()))
try:
    gc.get_objects(generation=3)
except ValueError as e:
    print("get_objects(generation=3): ValueError")
try:
    gc.get_objects(generation=-1)
except ValueError as e:
    print("get_objects(generation=-1): ValueError")

# freeze / unfreeze / get_freeze_count
base = gc.get_freeze_count()
listed_before = len(gc.get_objects())
gc.freeze()
frozen = gc.get_freeze_count()
print("freeze count grew by at least what was listed:", frozen - base >= listed_before - 5)
print("mark listed after freeze:", any(o is mark for o in gc.get_objects()))
fresh = [1]
print("a list made after freeze is listed:", any(o is fresh for o in gc.get_objects()))
gc.collect()
print("frozen count survives a collection:", gc.get_freeze_count() == frozen)
gc.unfreeze()
print("after unfreeze:", gc.get_freeze_count(), "mark listed:", any(o is mark for o in gc.get_objects()))

# get_referrers / get_referents
target = ["target"]
holder_list = [target]
holder_dict = {"k": target}


class Holder:
    pass


h = Holder()
h.t = target
refs = gc.get_referrers(target)
print("referrers include list:", any(r is holder_list for r in refs),
      "dict:", any(r is holder_dict for r in refs),
      "instance:", any(r is h for r in refs) or any(r is vars(h) for r in refs))
print("get_referents:", gc.get_referents(holder_list) == [target],
      sorted(map(repr, gc.get_referents(holder_dict))))

# is_tracked
print("is_tracked:", [gc.is_tracked(x) for x in (0, 1.5, "s", b"b", (), (1, 2), [], {}, {"a": 1},
                                                 {"a": []}, set(), Holder(), Holder)])
t = tuple([1, "two"])
print("a new tuple of atoms is tracked:", gc.is_tracked(t))
gc.collect()
print("...and untracked by a collection:", not gc.is_tracked(t))

# is_finalized
class F:
    def __del__(self):
        pass


f = F()
print("is_finalized:", gc.is_finalized(f), gc.is_finalized(Holder()), gc.is_finalized(3))
f.__del__()
print("calling __del__ by hand does not mark it:", gc.is_finalized(f))

# collect argument checking
for bad in (3, -1):
    try:
        gc.collect(bad)
    except ValueError:
        print(f"collect({bad}): ValueError")
print("debug flags:", gc.DEBUG_STATS, gc.DEBUG_COLLECTABLE, gc.DEBUG_UNCOLLECTABLE,
      gc.DEBUG_SAVEALL, gc.DEBUG_LEAK)
gc.enable()
