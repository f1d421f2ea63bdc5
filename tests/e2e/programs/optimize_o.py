# e2e-cryo-args: -O
# e2e-python-args: -O
# Built with -O, compared with python3.11 -O: asserts are gone, docstrings
# stay.
"""The module's docstring."""
import sys

import optimize_helper

assert False, "an assert that -O removes"
print("optimize:", sys.flags.optimize, "__debug__:", __debug__)
print("docstrings:", __doc__, optimize_helper.__doc__, optimize_helper.Helper.__doc__)
print("helper asserts:", optimize_helper.checks())
exec("assert 0")
print("run-time assert removed")
