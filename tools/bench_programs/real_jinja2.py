"""Benchmark program (--suite real): jinja2 (Debian's) rendering a template."""
import sys
import time

import jinja2

t = jinja2.Environment(autoescape=True).from_string(
    "<ul>{% for i in items %}<li>{{ i|e }}</li>{% endfor %}</ul>")
print(len(t.render(items=["<%d>" % i for i in range(100)])))
if sys.argv[1:] == ["--ready"]:
    print("READY", flush=True)
    time.sleep(1)
