"""Benchmark program: hello world (startup, size, build time and memory of a trivial program).

With the single argument --ready it also prints READY and stays alive a second, so that
../shared/tools/tree_mem.py can measure it while it runs (see tools/README.md).
"""
import sys

print("hello, world")
if sys.argv[1:] == ["--ready"]:
    import time
    print("READY", flush=True)
    time.sleep(1)
