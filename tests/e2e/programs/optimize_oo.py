# e2e-cryo-args: -OO
# e2e-python-args: -OO
# Built with -OO, compared with python3.11 -OO: asserts and docstrings are
# gone from the program's modules and from code compiled at run time, and
# sys.flags.optimize and __debug__ say so, for the standard library's
# packed modules too.
"""The module's docstring."""
import json
import sys

import optimize_helper


def documented():
    """A function's docstring."""
    return 1


assert False, "an assert that -O removes"
print("optimize:", sys.flags.optimize, "__debug__:", __debug__)
print("docstrings:", __doc__, documented.__doc__, optimize_helper.__doc__,
      optimize_helper.Helper.__doc__)
print("helper asserts:", optimize_helper.checks())
# A standard-library module packed with the program (and compiled at -O0
# by every other build sharing the compile cache).
print("stdlib docstring:", json.dumps.__doc__)
ns = {}
exec(compile('"""doc"""\nassert 0\ndef g():\n    "gdoc"\n', "<run time>", "exec"), ns)
print("run-time compile:", ns.get("__doc__"), ns["g"].__doc__)
if __debug__:
    print("debug branch")
else:
    print("optimized branch")
