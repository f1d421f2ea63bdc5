"""What the gc suite's workloads report about themselves (tools/bench.py --suite gc).

Each workload imports this module first and calls start(); the figures go to stderr, one
line each, starting with "gcbench:", so the program's stdout stays the same under python3.11
and frozen (the harness compares it). The harness parses these lines:

    gcbench: rss POINT KIB             VmRSS of /proc/self/status at a named point
    gcbench: section NAME SECONDS CPU  one part of the program: perf_counter, process_time
    gcbench: gc N0 N1 N2 MAX TOTAL CPUMAX CPUTOTAL
                                       collections per generation (gc.callbacks), the
                                       longest and the total time inside them in seconds,
                                       by the clock (perf_counter) and in CPU time of this
                                       thread (thread_time)
    gcbench: end SECONDS CPUSECONDS    from start() to done(): perf_counter, process_time

A collection's time runs from the end of the "start" callback to the beginning of the
"stop" one, so it counts the collector's work and nothing of ours. Its CPU time is what the
same pause would be on an idle machine: these machines are shared, and a collection that
loses the processor to a neighbour for 20 ms is 20 ms longer by the clock.
"""
import gc
import sys
import time

_counts = [0, 0, 0]
_pause = [0.0, 0.0, 0.0, 0.0]   # longest and total by the clock, longest and total CPU
_began = None
_t0 = None


def _callback(phase, info):
    global _began
    now, cpu = time.perf_counter(), time.thread_time()
    if phase == "start":
        _began = (time.perf_counter(), time.thread_time())
    elif _began is not None:
        d, dcpu = now - _began[0], cpu - _began[1]
        _began = None
        _counts[info["generation"]] += 1
        _pause[0] = max(_pause[0], d)
        _pause[1] += d
        _pause[2] = max(_pause[2], dcpu)
        _pause[3] += dcpu


def start():
    global _t0
    gc.callbacks.append(_callback)
    _t0 = (time.perf_counter(), time.process_time())


def rss(point):
    """Report this process's resident memory now, as the point named point."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                print("gcbench: rss %s %s" % (point, line.split()[1]), file=sys.stderr)
                return


class section:
    """with section(NAME): ... reports the time the block took."""

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.t = (time.perf_counter(), time.process_time())

    def __exit__(self, *exc):
        print("gcbench: section %s %.6f %.6f" % (self.name, time.perf_counter() - self.t[0],
                                                 time.process_time() - self.t[1]),
              file=sys.stderr)


def done():
    end = (time.perf_counter() - _t0[0], time.process_time() - _t0[1])
    gc.callbacks.remove(_callback)
    print("gcbench: gc %d %d %d %.6f %.6f %.6f %.6f" % (tuple(_counts) + tuple(_pause)),
          file=sys.stderr)
    print("gcbench: end %.6f %.6f" % end, file=sys.stderr, flush=True)


def scale():
    """The workload's size factor: 1, or the first argument (the harness's --quick)."""
    return float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
