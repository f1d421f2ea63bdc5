/* contextvars.c — the `_contextvars` builtin module.
 *
 * Debian ships _contextvars as a shared object in lib-dynload, but the
 * types it exposes (Context, ContextVar, Token) all live in libpython
 * (Python/context.c).  `contextvars`, and through it asyncio, imports it
 * unguarded, so a frozen program that has no native-file loading yet still
 * needs it: this module re-exports those types.  */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "runtime.h"

static PyObject *copy_context(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    return (PyObject *)PyContext_CopyCurrent();
}

static PyMethodDef methods[] = {
    {"copy_context", copy_context, METH_NOARGS,
     "copy_context()\n--\n\nReturn a copy of the current context."},
    {NULL, NULL, 0, NULL},
};

static int exec_module(PyObject *m)
{
    if (PyModule_AddType(m, &PyContext_Type) < 0
        || PyModule_AddType(m, &PyContextVar_Type) < 0
        || PyModule_AddType(m, &PyContextToken_Type) < 0)
        return -1;
    return 0;
}

static PyModuleDef_Slot slots[] = {
    {Py_mod_exec, exec_module},
    {0, NULL},
};

static struct PyModuleDef def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_contextvars",
    .m_doc = "Context Variables (types from the interpreter core)",
    .m_size = 0,
    .m_methods = methods,
    .m_slots = slots,
};

PyObject *rt_init_contextvars(void)
{
    return PyModuleDef_Init(&def);
}
