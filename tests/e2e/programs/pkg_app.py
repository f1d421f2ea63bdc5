# A program made of a package: relative imports, subpackages, `from pkg
# import submodule`, and each module's name, package and file.
import os
import sys

import mypkg
import mypkg.sub.deep.leaf as leaf
from mypkg import util
from mypkg.sub import helpers

root = os.path.dirname(mypkg.__file__)


def rel(module):
    return os.path.relpath(module.__file__, root)


print("version:", mypkg.VERSION)
print("process:", mypkg.process(["Hello World", "Ça va", "x"]))
print("describe:", mypkg.describe())
print("where:", helpers.where())
print("leaf:", leaf.info())
print("slug:", util.slugify("  Frozen -- Python 3.11!  "))
print("calls:", util.CALLS)
print("same module object:", util is sys.modules["mypkg.util"], util is mypkg.util)
for mod in (mypkg, util, helpers, leaf, sys.modules["mypkg.sub.deep"]):
    print(f"{mod.__name__:20} package={mod.__package__!r:18} file={rel(mod)}")
print("package has __path__:", hasattr(mypkg, "__path__"), hasattr(util, "__path__"))
print("loaded mypkg modules:", sorted(m for m in sys.modules if m.startswith("mypkg")))
# A frozenset of strings, whose order string hashing changes from process to
# process: the reproducibility case of test_cli_errors.py builds this program
# (a deep-frozen module writes it in marshal's order).
print("kinds:", [k for k in ("alpha", "beta", "omega") if k in {"alpha", "gamma", "delta", "omega"}])
