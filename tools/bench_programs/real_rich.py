"""Benchmark program (--suite real): rich (Debian's) rendering a table to a string."""
import io
import sys
import time

from rich.console import Console
from rich.table import Table

out = io.StringIO()
t = Table("name", "value")
for i in range(20):
    t.add_row("row %d" % i, str(i * i))
Console(file=out, width=60).print(t)
print(len(out.getvalue()))
if sys.argv[1:] == ["--ready"]:
    print("READY", flush=True)
    time.sleep(1)
