"""Benchmark program (--suite real): a pool of 4 spawned workers, each importing numpy.
With --ready it prints READY once all 4 workers have imported numpy, while they are alive,
and stays a second."""
import multiprocessing as mp
import sys
import time


def init(started):
    import numpy  # noqa: F401  (each worker pays for numpy)
    with started.get_lock():
        started.value += 1


def work(n):
    import numpy as np
    return float(np.arange(n).sum())


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    started = ctx.Value("i", 0)
    with ctx.Pool(4, initializer=init, initargs=(started,)) as pool:
        print(pool.map(work, [10, 100, 1000, 10000]))
        while started.value < 4:
            time.sleep(0.01)
        if sys.argv[1:] == ["--ready"]:
            print("READY", flush=True)
            time.sleep(1)
