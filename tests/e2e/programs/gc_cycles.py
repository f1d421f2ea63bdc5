# The cycle collector: cycles without finalizers are reclaimed by
# gc.collect() (its return value counts them); cycles whose objects have
# __del__ are reclaimed too, each finalizer runs exactly once, in the same
# order as python3.11, and gc.garbage stays empty (PEP 442).  Automatic
# collection is off while garbage is made, so the counts are exact.
import gc
import weakref

gc.disable()
gc.collect()


class Node:
    def __init__(self, name):
        self.name = name
        self.other = None


# Cycles without finalizers: pairs, a self-loop, a ring, and a list
# holding itself.
def make_plain():
    a, b = Node("a"), Node("b")
    a.other, b.other = b, a
    s = Node("self")
    s.other = s
    ring = [Node(f"r{i}") for i in range(5)]
    for i, n in enumerate(ring):
        n.other = ring[(i + 1) % 5]
    lst = []
    lst.append(lst)
    return [weakref.ref(x) for x in (a, b, s, ring[0], ring[4])]


refs = make_plain()
print("plain: alive before collect:", sum(r() is not None for r in refs))
n = gc.collect()
print("plain: gc.collect() found", n)
print("plain: alive after collect:", sum(r() is not None for r in refs))
print("plain: second collect finds", gc.collect())

# Cycles with finalizers.
calls = []


class Fin(Node):
    def __del__(self):
        calls.append(self.name)


def make_fin():
    a, b, c = Fin("a"), Fin("b"), Fin("c")
    a.other, b.other, c.other = b, c, a      # a 3-ring
    d = Fin("d")
    d.other = d                              # a self-loop
    e = Fin("e")                             # acyclic: freed by refcount
    return weakref.ref(a)


r = make_fin()
print("fin: finalized by refcount:", calls)
calls.clear()
print("fin: ring alive:", r() is not None)
n = gc.collect()
print("fin: gc.collect() found", n)
print("fin: finalizers called, in order:", calls)
print("fin: each called once:", sorted(calls) == sorted(set(calls)))
print("fin: ring alive:", r() is not None, "garbage:", gc.garbage)
calls.clear()
print("fin: another collect finds", gc.collect(), "calls", calls)

# A finalizer that raises does not stop the collection; the others run.
class Bad(Node):
    def __del__(self):
        calls.append(self.name)
        raise ValueError("from __del__")


def make_bad():
    a, b = Bad("bad1"), Fin("good")
    a.other, b.other = b, a


import io
import sys

make_bad()
err, sys.stderr = sys.stderr, io.StringIO()
try:
    n = gc.collect()
finally:
    captured, sys.stderr = sys.stderr.getvalue(), err
print("bad: gc.collect() found", n, "calls", sorted(calls))
print("bad: unraisable reported:", "ValueError: from __del__" in captured)
calls.clear()

# A big structure: a tree with parent pointers, every node finalized once.
count = 0


class TreeNode:
    def __init__(self, parent):
        self.parent = parent
        self.children = []

    def __del__(self):
        global count
        count += 1


def build(depth, parent=None):
    node = TreeNode(parent)
    if depth:
        node.children = [build(depth - 1, node) for _ in range(3)]
    return node


root = build(6)
wr = weakref.ref(root)
del root
print("tree: alive before:", wr() is not None, "finalized:", count)
gc.collect()
print("tree: alive after:", wr() is not None, "finalized:", count, "of", sum(3 ** i for i in range(7)))
gc.enable()
print("enabled:", gc.isenabled())
