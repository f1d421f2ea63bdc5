"""gc suite workload: allocate 1M small dicts, then free 90% of them in a random order.

The survivors (one in ten, chosen with a fixed seed) are spread over nearly every page the
dicts were given, so an allocator that cannot move objects cannot give that memory back:
the bar is parity with python3.11 (tools/README.md). Reports RSS after the allocation and
after the free (gc_probe.py), prints a checksum of the survivors on stdout.
"""
import array
import random

import gc_probe


def main():
    gc_probe.start()
    n = int(1_000_000 * gc_probe.scale())
    # Draw the order first, so that nothing but the dicts is allocated between the two
    # points; an array of C ints (4 MB), not a list of a million int objects (36 MB).
    order = array.array("i", range(n))
    random.Random(8).shuffle(order)
    del order[n - n // 10:]
    gc_probe.rss("before")
    objs = [{"id": i, "next": i + 1} for i in range(n)]
    gc_probe.rss("after-alloc")
    for i in order:
        objs[i] = None
    gc_probe.rss("after-free")
    kept = [d for d in objs if d is not None]
    print(len(kept), sum(d["id"] for d in kept))
    gc_probe.done()


main()
