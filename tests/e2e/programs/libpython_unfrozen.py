# Imports the modules cryo's libpython leaves out of its frozen tables
# (tools/libpython/build.py, DROPPED_FROZEN): the freezer must pack them from
# the standard library like any other module, so each of these works.
import importlib.util
import ntpath
import runpy
import site

import __hello__

print("ntpath", ntpath.join("C:\\", "x", "y.txt"), ntpath.splitdrive("D:\\dir\\f"))
print("normcase", ntpath.normcase("A/B\\C"))
print("find_spec", importlib.util.find_spec("json").name)
print("resolve_name", importlib.util.resolve_name(".decoder", "json"))
ns = runpy._run_code(compile("x = 6 * 7", "<cryo>", "exec"), {}, mod_name="m")
print("run_code", ns["x"], ns["__name__"], callable(runpy.run_module))
print("addsitedir", callable(site.addsitedir), callable(site.getsitepackages))
__hello__.main()
print("hello initialized", __hello__.initialized)
