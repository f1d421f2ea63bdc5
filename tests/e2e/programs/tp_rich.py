# Debian's python3-rich: a table, markup, a syntax-highlighted block
# (through pygments), a tree and a progress bar's final render, on a fixed
# 60-column true-colour terminal so the output is the same everywhere.
import io

from rich.console import Console
from rich.syntax import Syntax
from rich.table import Table
from rich.tree import Tree

out = io.StringIO()
c = Console(file=out, width=60, force_terminal=True, color_system="truecolor")
t = Table(title="Demo")
t.add_column("name")
t.add_column("value", justify="right")
t.add_row("alpha", "1")
t.add_row("beta", "22")
c.print(t)
c.print("[bold red]alert[/] done :thumbs_up:")
c.print(Syntax("x = [i * i for i in range(3)]", "python", theme="monokai"))
tree = Tree("root")
tree.add("leaf one").add("deeper")
tree.add("leaf two")
c.print(tree)
print(out.getvalue(), end="")
