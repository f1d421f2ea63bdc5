# Debian's python3-numpy: its extension modules and their libraries (BLAS,
# LAPACK, gfortran's runtime), packed: arrays, linear algebra through LAPACK,
# random numbers, FFT.
import numpy as np

a = np.arange(12, dtype=np.float64).reshape(3, 4)
print(a.sum(), a.mean(axis=0), (a @ a.T).trace())
m = np.array([[4.0, 1.0], [2.0, 3.0]])
print(np.round(np.linalg.inv(m), 6).tolist(), np.round(np.linalg.det(m), 6))
w = np.linalg.eigvalsh(np.array([[2.0, 1.0], [1.0, 2.0]]))
print(np.round(w, 6).tolist())
rng = np.random.default_rng(42)
print(rng.integers(0, 100, 5).tolist())
print(np.round(np.fft.fft(np.array([1.0, 0.0, -1.0, 0.0])).real, 6).tolist())
print(np.__version__, np.dtype("float64").itemsize)
