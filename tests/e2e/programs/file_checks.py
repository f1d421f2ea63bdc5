# __file__ and friends, checked in ways valid both for `python3.11 app.py`
# and for a frozen executable (whose paths live under sys.executable).
import os
import sys

import mypkg.sub.helpers

print("basename:", os.path.basename(__file__))
print("absolute:", os.path.isabs(__file__))
print("module basename:", os.path.basename(mypkg.sub.helpers.__file__))
print("module dir tail:", os.path.join(*mypkg.sub.helpers.__file__.split(os.sep)[-3:-1]))
print("main and module share a root:",
      os.path.dirname(os.path.dirname(os.path.dirname(mypkg.sub.helpers.__file__))) == os.path.dirname(__file__))
print("executable absolute:", os.path.isabs(sys.executable), "exists:", os.path.exists(sys.executable))
print("__name__:", __name__, "__package__:", __package__, "__spec__ is None:", __spec__ is None)
print("mypkg.__path__ is one entry:", len(mypkg.__path__), os.path.basename(mypkg.__path__[0]))
print("__builtins__ is usable:", callable(__builtins__.len if hasattr(__builtins__, "len") else __builtins__["len"]))
print("argv[0] nonempty:", bool(sys.argv[0]))
print("cwd exists:", os.path.isdir(os.getcwd()))
