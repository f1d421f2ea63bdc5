"""gc suite workload: a service-like loop that builds temporaries phase after phase.

Each phase builds 400k records (a small dict holding a string, a tuple and numbers), keeps
every 200th in a long-lived cache and drops the rest. The live data at the end is small
(about 6 MB) but scattered: pymalloc gives a 1 MiB arena back only when every object in it
is dead, so python3.11 ends near its peak (tools/README.md). Reports RSS after each phase
and at the end (gc_probe.py), prints per-phase totals on stdout.
"""
import gc_probe

PHASES = 8
RECORDS = 400_000
KEEP_EVERY = 200


def record(phase, i):
    return {"key": "rec-%d-%d" % (phase, i),
            "tags": (i % 3, "t%d" % (i % 10)), "score": i % 100}


def main():
    gc_probe.start()
    records = int(RECORDS * gc_probe.scale())
    cache = []
    for phase in range(PHASES):
        batch = [record(phase, i) for i in range(records)]
        total = sum(r["score"] for r in batch)
        cache.extend(batch[::KEEP_EVERY])
        del batch
        print(phase, len(cache), total)
        gc_probe.rss("phase-%d" % phase)
    gc_probe.rss("end")
    print(sum(len(r["key"]) for r in cache))
    gc_probe.done()


main()
