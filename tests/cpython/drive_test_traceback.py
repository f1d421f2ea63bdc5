"""Runs CPython's own test_traceback (Debian's libpython3.11-testsuite) with unittest;
frozen by run_cpython_tests.py and compared with python3.11 running this
same file.  See cpython_driver.py."""
import unittest  # noqa: F401  (cryo packs unittest only if the program imports it)

import cpython_driver

from test import test_traceback

if __name__ == "__main__":
    cpython_driver.main(test_traceback)
