# Debian's python3-pygments: lexers, formatters and styles found by name
# at run time (imports no bytecode scan can see), and its metadata.
import importlib.metadata

import pygments
from pygments import highlight
from pygments.formatters import get_formatter_by_name
from pygments.lexers import get_lexer_by_name, guess_lexer_for_filename
from pygments.styles import get_style_by_name

code = "def f(x):\n    return {'k': x + 1}  # note\n"
print(highlight(code, get_lexer_by_name("python"), get_formatter_by_name("html", style="monokai")))
print(highlight(code, guess_lexer_for_filename("a.py", code), get_formatter_by_name("terminal256")))
print(highlight("SELECT 1;", get_lexer_by_name("sql"), get_formatter_by_name("latex")))
print(get_style_by_name("friendly").background_color)
print(importlib.metadata.version("Pygments") == pygments.__version__)
