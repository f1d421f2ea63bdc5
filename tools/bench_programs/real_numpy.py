"""Benchmark program (--suite real): numpy (Debian's), a little linear algebra.
With --ready it prints READY and stays alive a second, for the memory meter."""
import sys
import time

import numpy as np

a = np.arange(10000, dtype=np.float64).reshape(100, 100)
print(float(a.sum()), round(float(np.linalg.norm(a @ a.T)), 3))
if sys.argv[1:] == ["--ready"]:
    print("READY", flush=True)
    time.sleep(1)
