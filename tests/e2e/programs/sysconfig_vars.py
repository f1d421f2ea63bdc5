# sysconfig as scripts use it: sys.platlibdir, get_config_var() (read from
# the _sysconfigdata module whose name sysconfig computes at run time),
# get_platform() and get_python_version().
import sys
import sysconfig

print("platlibdir:", sys.platlibdir)
print("SIZEOF_VOID_P:", sysconfig.get_config_var("SIZEOF_VOID_P"))
print("WITH_DOC_STRINGS:", sysconfig.get_config_var("WITH_DOC_STRINGS"))
print("EXT_SUFFIX:", sysconfig.get_config_var("EXT_SUFFIX"))
print("platform:", sysconfig.get_platform())
print("python version:", sysconfig.get_python_version())
