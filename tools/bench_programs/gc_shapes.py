"""gc suite workload, one program for many shapes of heap (tools/bench.py's shape matrix).

    gc_shapes.py [SCALE] shape=tree|containers|phased|service [size=N] [node=dict|slots|
                 weakslots] [keep=F] [heap_mb=M]

shape=tree        trees of `size` nodes, each node pointing to its parent and its parent to
                  it (cyclic garbage once dropped); a fraction `keep` of the trees is kept.
                  `node`: instances with a __dict__, with __slots__, or with __slots__ and a
                  weak-reference slot. About 1.5 million nodes are made in all.
shape=containers  containers of containers: lists of `size` dicts, each holding a tuple and
                  a list that points back to the outer list; `keep` of them kept.
shape=phased      6 phases of 400,000 dict records with a string and a tuple each; `keep`
                  of each phase is kept in a long-lived cache (the rest dies at once).
shape=service     a long-lived heap of about `heap_mb` MB (default 100) built first, then a
                  stream of short-lived requests, each a cyclic structure of `size` objects:
                  the longest pause is a full collection's over the whole heap.

The shape is generated from the parameters, so the matrix can grow without new programs.
Reports RSS at the end and the collections (gc_probe.py); prints a checksum on stdout.
"""
import sys

import gc_probe

TOTAL_NODES = 1_500_000
FANOUT = 4


class DictNode:
    def __init__(self, parent, value):
        self.parent = parent
        self.value = value
        self.children = []


class SlotNode:
    __slots__ = ("parent", "value", "children")

    def __init__(self, parent, value):
        self.parent = parent
        self.value = value
        self.children = []


class WeakSlotNode:
    __slots__ = ("parent", "value", "children", "__weakref__")

    def __init__(self, parent, value):
        self.parent = parent
        self.value = value
        self.children = []


NODES = {"dict": DictNode, "slots": SlotNode, "weakslots": WeakSlotNode}


def params():
    args = sys.argv[1:]
    scale = 1.0
    if args and "=" not in args[0]:
        scale = float(args.pop(0))
    p = {"shape": "tree", "size": "1000", "node": "dict", "keep": "0.1", "heap_mb": "100"}
    for a in args:
        k, sep, v = a.partition("=")
        if not sep or k not in p:
            sys.exit("gc_shapes.py: bad parameter %r" % a)
        p[k] = v
    return scale, p


def tree(cls, size, seed):
    """A tree of `size` nodes, breadth first, FANOUT children each."""
    root = cls(None, seed)
    todo, made, i = [root], 1, 0
    while made < size:
        parent = todo[i]
        i += 1
        for _ in range(FANOUT):
            if made >= size:
                break
            child = cls(parent, seed + made)
            parent.children.append(child)
            todo.append(child)
            made += 1
    return root


def weight(node):
    total, todo = 0, [node]
    while todo:
        n = todo.pop()
        total += n.value
        todo.extend(n.children)
    return total


def every(keep):
    return max(1, round(1 / keep)) if keep > 0 else 0


def run_tree(scale, p):
    size, cls, step = int(p["size"]), NODES[p["node"]], every(float(p["keep"]))
    count = max(1, int(TOTAL_NODES * scale) // size)
    kept = []
    for t in range(count):
        root = tree(cls, size, t)
        if step and t % step == 0:
            kept.append(root)
    return len(kept), sum(weight(r) % 1000003 for r in kept)


def run_containers(scale, p):
    size, step = int(p["size"]), every(float(p["keep"]))
    count = max(1, int(TOTAL_NODES * scale) // size)
    kept = []
    for t in range(count):
        outer = []
        for i in range(size):
            outer.append({"t": (t, i, "x%d" % (i % 50)), "l": [i, outer]})
        if step and t % step == 0:
            kept.append(outer)
    return len(kept), sum(len(o) for o in kept)


def run_phased(scale, p):
    records, step = int(400_000 * scale), every(float(p["keep"]))
    cache = []
    for phase in range(6):
        batch = [{"key": "rec-%d-%d" % (phase, i), "tags": (i % 3, "t%d" % (i % 10)),
                  "score": i % 100} for i in range(records)]
        if step:
            cache.extend(batch[::step])
        del batch
    return len(cache), sum(r["score"] for r in cache)


def run_service(scale, p):
    # About 150 bytes per long-lived object (a small dict node with a string).
    objects = int(float(p["heap_mb"]) * 1e6 / 150 * scale)
    heap = [{"id": i, "name": "item-%d" % i} for i in range(objects)]
    for i in range(0, objects - 1, 2):
        heap[i]["next"] = heap[i + 1]       # a linked, long-lived graph
    size, served = int(p["size"]), 0
    for r in range(int(800 * scale)):
        root = tree(DictNode, size, r)      # one request: cyclic garbage once answered
        served += root.value + len(root.children)
    return len(heap), served


def main():
    scale, p = params()
    gc_probe.start()
    result = {"tree": run_tree, "containers": run_containers, "phased": run_phased,
              "service": run_service}[p["shape"]](scale, p)
    gc_probe.rss("end")
    print(*result)
    gc_probe.done()


main()
