# Frozen only, with the default collector policy (gc/cycle.c):
#  1. a cyclic structure dropped while young is reclaimed by a young
#     (generation 0 or 1) collection, without a full collection;
#  2. with a steady heap, making cyclic garbage does not make full
#     collections in proportion to it: long-lived data is rescanned only when
#     the heap has grown by CRYO_GC_GROWTH, yet every dropped structure is
#     reclaimed and the number waiting stays bounded;
#  3. a structure that a generation-1 collection promoted to generation 2
#     while it was still in use, and dropped after, is reclaimed by the next
#     generation-1 collection (the aging cohort), without a full collection.
# CPython 3.11's own policy (CRYO_GC=python) fails facts 2 and 3: it runs a
# full collection every few rounds, rescanning the long-lived trees each
# time, and what it promoted waits in generation 2 for one.  Exits 1 naming
# the first broken fact.
import gc
import sys
import weakref

gens = {0: 0, 1: 0, 2: 0}


def on_gc(phase, info):
    if phase == "stop":
        gens[info["generation"]] += 1


class Node:
    __slots__ = ("parent", "children", "__weakref__")

    def __init__(self, parent):
        self.parent = parent
        self.children = []


def build(n):
    """A tree of n nodes, each pointing to its parent (so: cycles)."""
    root = Node(None)
    nodes = [root]
    for i in range(1, n):
        parent = nodes[(i - 1) // 4]
        child = Node(parent)
        parent.children.append(child)
        nodes.append(child)
    return root


def churn(k):
    """Short-lived cyclic garbage: what drives young collections."""
    for _ in range(k):
        a = []
        a.append(a)


failures = []


def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


check(gc.isenabled(), "automatic collection is on (default policy)")
gc.collect()
gc.callbacks.append(on_gc)

# 1. Dropped young: reclaimed by young collections alone.  Building it ran
# young collections, so part of it is in generation 1 already: it goes at
# the next generation-1 collection, which the policy sizes relative to the
# heap rather than running every tenth young collection.
young = build(2000)
ref = weakref.ref(young)
del young
gen1_before = gens[1]
for _ in range(100):          # at most 2M short-lived cycles
    churn(20000)
    if gens[1] > gen1_before:
        break
check(gens[1] > gen1_before, "a generation-1 collection ran")
check(ref() is None, "a structure dropped while young was reclaimed by it")
check(gens[2] == 0, f"...without a full collection (full collections: {gens[2]})")

# 3. Promoted while in use, then dropped: the aging cohort reclaims it.
def gen1_collections(n):
    """Churn until n more generation-1 collections have run."""
    target = gens[1] + n
    for _ in range(400):
        churn(5000)
        if gens[1] >= target:
            return True
    return False


held = build(2000)
held_ref = weakref.ref(held)
full_before = gens[2]
check(gen1_collections(1), "a generation-1 collection ran while the structure was held")
check(any(o is held for o in gc.get_objects(generation=2)),
      "...and promoted it to generation 2")
del held
check(gen1_collections(1), "the next generation-1 collection ran")
check(held_ref() is None, "the promoted structure, dropped, was reclaimed by it")
check(gens[2] == full_before,
      f"...without a full collection (full collections: {gens[2] - full_before})")

# 2. Steady heap, much cyclic garbage.
keep = [build(2000) for _ in range(40)]   # long-lived data, ~160k objects
gc.collect()
before_full = gens[2]
ROUNDS = 80
refs = []
most_waiting = 0
for r in range(ROUNDS):
    tree = build(2000)
    refs.append(weakref.ref(tree))
    churn(5000)
    del tree
    churn(5000)
    most_waiting = max(most_waiting, sum(w() is not None for w in refs))
full = gens[2] - before_full
print(f"collections by generation: {gens}")
print(f"full collections while making garbage: {full}, most dropped trees waiting: {most_waiting}")
# Growth 0.5 over a heap of ~45 trees lets ~20 dropped trees wait; python's
# 25%-of-long-lived rule runs a full collection every ~5 rounds here.
check(full <= ROUNDS // 20, f"full collections stay few with a steady heap ({full} in {ROUNDS} rounds)")
check(most_waiting <= 40, f"dropped trees waiting stay bounded ({most_waiting})")
check(all(k.children for k in keep), "the long-lived trees are intact")
gc.callbacks.remove(on_gc)
gc.collect()
check(all(w() is None for w in refs), "every dropped tree is gone after gc.collect()")

if failures:
    print(f"{len(failures)} facts broken")
    sys.exit(1)
print("OK")
