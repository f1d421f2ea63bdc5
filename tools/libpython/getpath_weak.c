/* getpath_weak.c — compiled into cryo's libpython with _testinternalcapi
 * (Setup.local), the one module that calls getpath.o's
 * _Py_Get_Getpath_CodeObject.  cryo's libpython has no getpath.o (a
 * frozen program's paths are set by runtime/pathconfig_py311.c), and
 * CPython's own build links every static module into its bootstrap
 * program, Programs/_freeze_module, which must link too.  This weak
 * definition is for that link only: in a frozen program the runtime's own
 * definition (runtime/pathconfig_py311.c) wins. */
#include <Python.h>

PyObject *_Py_Get_Getpath_CodeObject(void) __attribute__((weak));

PyObject *_Py_Get_Getpath_CodeObject(void)
{
    PyErr_SetString(PyExc_ImportError, "no getpath.py in this build");
    return NULL;
}
