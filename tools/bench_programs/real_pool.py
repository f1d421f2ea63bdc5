"""Benchmark program (--suite real): a pool of 4 spawned workers, each importing numpy.
With --ready it prints READY while the workers are alive and stays a second."""
import multiprocessing as mp
import sys
import time


def init():
    import numpy  # noqa: F401  (each worker pays for numpy)


def work(n):
    import numpy as np
    return float(np.arange(n).sum())


if __name__ == "__main__":
    with mp.get_context("spawn").Pool(4, initializer=init) as pool:
        print(pool.map(work, [10, 100, 1000, 10000]))
        if sys.argv[1:] == ["--ready"]:
            print("READY", flush=True)
            time.sleep(1)
