"""Runs CPython's own test_bz2 (Debian's libpython3.11-testsuite) with unittest;
frozen by run_cpython_tests.py and compared with python3.11 running this
same file.  See cpython_driver.py.  The test module itself is read from
Debian's file in both runs (cpython_driver.load_from_file): it hands paths
of its own data files to C code."""
import unittest  # noqa: F401  (cryo packs unittest only if the program imports it)

import cpython_driver

import bz2  # noqa: F401  (packed and linked: the module under test)

test_bz2 = cpython_driver.load_from_file("test.test_bz2")

if __name__ == "__main__":
    cpython_driver.main(test_bz2)
