"""gc suite workload: trees with parent pointers, built and dropped, one in ten kept.

Every node points to its parent and its parent to it: a dropped tree is cyclic garbage that
only the cycle collector reclaims. The kept trees are long-lived: a collector that rescans
them at each full collection spends most of the run doing so (python3.11: over 80%, see
tools/README.md). Reports the collections and the longest pause (gc_probe.py), prints a
checksum of the kept trees on stdout.
"""
import gc_probe

TREES = 1500
KEEP_EVERY = 10
FANOUT = 4
DEPTH = 5


class Node:
    def __init__(self, parent, value):
        self.parent = parent
        self.value = value
        self.children = []


def build(parent, depth, value):
    node = Node(parent, value)
    if depth:
        node.children = [build(node, depth - 1, value * FANOUT + k) for k in range(FANOUT)]
    return node


def weight(node):
    return node.value + sum(weight(c) for c in node.children)


def main():
    gc_probe.start()
    trees = int(TREES * gc_probe.scale())
    kept = []
    for t in range(trees):
        tree = build(None, DEPTH, t)
        if t % KEEP_EVERY == 0:
            kept.append(tree)
    gc_probe.rss("end")
    print(len(kept), sum(weight(t) % 1000003 for t in kept))
    gc_probe.done()


main()
