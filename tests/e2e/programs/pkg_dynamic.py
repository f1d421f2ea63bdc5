# Modules imported by names built at run time (importlib.import_module,
# __import__) from a package the program imports: the package is packed
# whole, so they are found.
import importlib

import mypkg.plugins

results = []
for name in mypkg.plugins.AVAILABLE:
    mod = importlib.import_module(f"mypkg.plugins.{name}")
    results.append((mod.NAME, mod.run(10)))
print("plugins:", results)
beta = __import__("mypkg.plugins." + "beta", fromlist=["run"])
print("beta via __import__:", beta.run(3))
try:
    importlib.import_module("mypkg.plugins.gamma")
except ModuleNotFoundError as e:
    print("missing plugin:", e.name)
