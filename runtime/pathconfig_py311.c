/* pathconfig_py311.c — hermetic replacement for CPython 3.11's path
 * computation.  VERSION-SPECIFIC: this file knows libpython 3.11 internals.
 *
 * At every start CPython 3.11 runs getpath.py (frozen inside libpython) to
 * search the file system for its prefix, standard library and
 * site-packages.  A frozen program has no search path: its modules come
 * from its own payload.  libpython3.11.a defines _PyConfig_InitPathConfig
 * in getpath.o, and nothing else in that object is needed by anyone, so
 * linking this definition first (the freezer links the runtime with
 * --whole-archive) keeps getpath.o, and its work at start-up, out of the
 * program entirely.
 *
 * The runtime fills executable, prefixes and the (empty) module search path
 * in its PyConfig before initialisation (runtime/interp.c); this function
 * only reads the global path configuration as CPython's does and makes sure
 * no field the interpreter reads later is left unset.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "runtime.h"

/* From Include/internal/pycore_pathconfig.h (3.11), which needs
 * Py_BUILD_CORE; the signature is stable across 3.11.x. */
PyStatus _PyPathConfig_ReadGlobal(PyConfig *config);
PyStatus _PyConfig_InitPathConfig(PyConfig *config, int compute_path_config);

/* getpath.o's other function, which only _testinternalcapi calls (CPython's
 * test suite: test.support imports it): a frozen program has no getpath.py
 * to give, so it says so, as a missing frozen module would.  Defined here,
 * it keeps getpath.o out of the link in either libpython. */
PyObject *_Py_Get_Getpath_CodeObject(void);

PyObject *_Py_Get_Getpath_CodeObject(void)
{
    PyErr_SetString(PyExc_ImportError, "a frozen program has no getpath.py: its paths are "
                                       "set when it starts (runtime/pathconfig_py311.c)");
    return NULL;
}

static PyStatus fill(PyConfig *config, wchar_t **field, const wchar_t *value)
{
    if (*field)
        return PyStatus_Ok();
    return PyConfig_SetString(config, field, value ? value : L"");
}

PyStatus _PyConfig_InitPathConfig(PyConfig *config, int compute_path_config)
{
    PyStatus st = _PyPathConfig_ReadGlobal(config);
    if (PyStatus_Exception(st) || !compute_path_config)
        return st;

    config->module_search_paths_set = 1;
    const wchar_t *exe = config->executable;
    if (PyStatus_Exception(st = fill(config, &config->executable, L""))
        || PyStatus_Exception(st = fill(config, &config->base_executable, exe))
        || PyStatus_Exception(st = fill(config, &config->prefix, config->home))
        || PyStatus_Exception(st = fill(config, &config->base_prefix, config->prefix))
        || PyStatus_Exception(st = fill(config, &config->exec_prefix, config->prefix))
        || PyStatus_Exception(st = fill(config, &config->base_exec_prefix, config->prefix))
        /* getpath.py would set it to the build's PLATLIBDIR, "lib" on Debian;
         * sys.platlibdir is missing without it (sysconfig needs it). */
        || PyStatus_Exception(st = fill(config, &config->platlibdir, L"lib")))
        return st;
    return PyStatus_Ok();
}
