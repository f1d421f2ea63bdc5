"""Benchmark program (--suite real): pygments (Debian's) highlighting Python as HTML."""
import sys
import time

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

print(len(highlight("def f(x):\n    return x + 1\n" * 20, PythonLexer(), HtmlFormatter())))
if sys.argv[1:] == ["--ready"]:
    print("READY", flush=True)
    time.sleep(1)
