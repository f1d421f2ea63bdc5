# e2e-exit: 1
# e2e-stderr: traceback
# Sources ship with the program: tracebacks print their lines and carets
# (traceback module and python's own printer of an uncaught exception),
# inspect.getsource and linecache read them, the warnings printer shows a
# warning's line (it asks linecache by file name alone), and a module with
# a coding cookie decodes as python3.11 decodes it.
import hashlib
import inspect
import json
import linecache
import os
import sys
import traceback
import warnings

import latin1_helper


def nested(data):
    return data["key"]["missing"]


def show(message, category, filename, lineno, file=None, line=None):
    text = warnings.formatwarning(message, category, filename, lineno, line)
    print(text.replace(os.path.dirname(filename) + "/", ""), end="")


warnings.showwarning = show
warnings.warn("shown with its source line, before any traceback read this file")

try:
    nested({"key": {}})
except KeyError:
    traceback.print_exc()

try:
    json.loads('{"a": ')
except json.JSONDecodeError:
    traceback.print_exc()

print(inspect.getsource(nested), end="")
print(inspect.getsource(latin1_helper.greet), end="")
print("json.dumps source:", hashlib.sha256(inspect.getsource(json.dumps).encode()).hexdigest()[:16])
print("line 21:", linecache.getline(__file__, 21).strip())
print("helper line 6:", linecache.getline(latin1_helper.__file__, 6).strip())
print(latin1_helper.greet("Ada"))
sys.stdout.flush()
latin1_helper.greet("")
