/* pyinterp.c — the freezer's embedded interpreter.
 *
 * cryo links the same libpython3.11.a it ships, so code is compiled and
 * marshalled by exactly the interpreter version that will load it.  The
 * interpreter here only compiles and inspects: the user's code never runs.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>
#include <stdarg.h>
#include <string.h>

#include "../runtime/builtins.h"
#include "cryo_config.h"
#include "fz.h"

static PyObject *imp_module; /* _imp, for is_frozen / get_frozen_object */

int fz_py_start(void)
{
    if (Py_IsInitialized())
        return 0; /* main.c started it to read pyproject.toml */
    PyConfig c;
    PyStatus st;
    PyConfig_InitIsolatedConfig(&c);
    c.site_import = 0;
    c.write_bytecode = 0;
    st = PyConfig_SetBytesString(&c, &c.home, CRYO_PYTHON_HOME);
    if (!PyStatus_Exception(st))
        st = Py_InitializeFromConfig(&c);
    PyConfig_Clear(&c);
    if (PyStatus_Exception(st)) {
        fz_error("cannot start the embedded Python interpreter: %s",
                 st.err_msg ? st.err_msg : "unknown error");
        return -1;
    }
    imp_module = PyImport_ImportModule("_imp");
    if (!imp_module) {
        PyErr_Print();
        fz_error("cannot import _imp in the embedded interpreter");
        return -1;
    }
    return 0;
}

void fz_py_stop(void)
{
    Py_CLEAR(imp_module);
    Py_FinalizeEx();
}

/* Report the pending exception of a failed compile of `disk_path`. */
static void report_compile_error(const char *disk_path)
{
    PyObject *type, *value, *tb;
    PyErr_Fetch(&type, &value, &tb);
    PyErr_NormalizeException(&type, &value, &tb);
    if (value && PyErr_GivenExceptionMatches(type, PyExc_SyntaxError)) {
        PyObject *msg = PyObject_GetAttrString(value, "msg");
        PyObject *lineno = PyObject_GetAttrString(value, "lineno");
        PyObject *offset = PyObject_GetAttrString(value, "offset");
        const char *m = msg && PyUnicode_Check(msg) ? PyUnicode_AsUTF8(msg) : NULL;
        long line = lineno && PyLong_Check(lineno) ? PyLong_AsLong(lineno) : 0;
        long col = offset && PyLong_Check(offset) ? PyLong_AsLong(offset) : 0;
        PyErr_Clear();
        fz_error("%s:%ld:%ld: %s: %s", disk_path, line, col,
                 ((PyTypeObject *)type)->tp_name, m ? m : "invalid syntax");
        Py_XDECREF(msg);
        Py_XDECREF(lineno);
        Py_XDECREF(offset);
    } else {
        PyObject *s = value ? PyObject_Str(value) : NULL;
        const char *m = s ? PyUnicode_AsUTF8(s) : NULL;
        PyErr_Clear();
        fz_error("cannot compile '%s': %s: %s", disk_path,
                 type ? ((PyTypeObject *)type)->tp_name : "error", m ? m : "");
        Py_XDECREF(s);
    }
    Py_XDECREF(type);
    Py_XDECREF(value);
    Py_XDECREF(tb);
}

void *fz_py_compile(const char *src, size_t len, const char *vpath, const char *disk_path,
                    int optimize)
{
    if (memchr(src, '\0', len)) {
        fz_error("cannot compile '%s': source code contains a null byte", disk_path);
        return NULL;
    }
    PyObject *filename = PyUnicode_DecodeFSDefault(vpath);
    if (!filename) {
        report_compile_error(disk_path);
        return NULL;
    }
    /* Bytes in, no flags: the source's coding declaration (PEP 263) is
     * honoured exactly as `python3.11 file.py` honours it.  optimize 0
     * keeps asserts and __debug__, as plain python3.11; 1 drops them, 2
     * docstrings too, as -O and -OO. */
    PyCompilerFlags flags = _PyCompilerFlags_INIT;
    PyObject *code = Py_CompileStringObject(src, filename, Py_file_input, &flags, optimize);
    Py_DECREF(filename);
    if (!code)
        report_compile_error(disk_path);
    return code;
}

unsigned char *fz_py_marshal(void *code, size_t *len)
{
    PyObject *b = PyMarshal_WriteObjectToString((PyObject *)code, Py_MARSHAL_VERSION);
    if (!b) {
        PyErr_Print();
        fz_error("cannot marshal a code object");
        return NULL;
    }
    *len = (size_t)PyBytes_GET_SIZE(b);
    unsigned char *out = fz_xmalloc(*len);
    memcpy(out, PyBytes_AS_STRING(b), *len);
    Py_DECREF(b);
    return out;
}

void fz_py_decref(void *obj)
{
    Py_XDECREF((PyObject *)obj);
}

int fz_py_is_builtin(const char *name)
{
    for (struct _inittab *p = PyImport_Inittab; p->name; p++)
        if (strcmp(p->name, name) == 0)
            return 1;
#define X(bname, init) if (strcmp(bname, name) == 0) return 1;
    RT_EXTRA_BUILTINS(X)
#undef X
    return 0;
}

int fz_py_is_libfrozen(const char *name)
{
    PyObject *r = PyObject_CallMethod(imp_module, "is_frozen", "s", name);
    int yes = r ? PyObject_IsTrue(r) : 0;
    Py_XDECREF(r);
    PyErr_Clear();
    return yes > 0;
}

void *fz_py_libfrozen_code(const char *name)
{
    PyObject *r = PyObject_CallMethod(imp_module, "get_frozen_object", "s", name);
    if (!r || !PyCode_Check(r)) {
        Py_XDECREF(r);
        PyErr_Clear();
        return NULL;
    }
    return r;
}

const char *fz_py_version(void)
{
    return Py_GetVersion();
}

char *fz_py_sha256_hex(const void *data, size_t len)
{
    /* _sha256 is a builtin module of libpython: no file is read. */
    PyObject *mod = PyImport_ImportModule("_sha256");
    PyObject *h = mod ? PyObject_CallMethod(mod, "sha256", "y#", (const char *)data,
                                            (Py_ssize_t)len)
                      : NULL;
    PyObject *hex = h ? PyObject_CallMethod(h, "hexdigest", NULL) : NULL;
    const char *s = hex ? PyUnicode_AsUTF8(hex) : NULL;
    char *out = s ? fz_xstrdup(s) : NULL;
    if (!out) {
        PyErr_Print();
        fz_error("cannot compute a SHA-256 in the embedded interpreter");
        abort();
    }
    Py_DECREF(hex);
    Py_DECREF(h);
    Py_DECREF(mod);
    return out;
}

PyObject *fz_py_call_source(const char *name, const char *fn, const char *fmt, ...)
{
    const char *src = fz_embedded_source(name);
    if (!src)
        return PyErr_Format(PyExc_RuntimeError, "no embedded source %s", name);
    PyObject *g = PyDict_New(), *r = NULL, *out = NULL;
    PyObject *code = g ? Py_CompileString(src, name, Py_file_input) : NULL;
    if (code && PyDict_SetItemString(g, "__builtins__", PyEval_GetBuiltins()) == 0)
        r = PyEval_EvalCode(code, g, g);
    PyObject *f = r ? PyDict_GetItemString(g, fn) : NULL; /* borrowed */
    if (f) {
        va_list ap;
        va_start(ap, fmt);
        PyObject *args = Py_VaBuildValue(fmt, ap);
        va_end(ap);
        if (args && !PyTuple_Check(args)) {
            PyObject *t = PyTuple_Pack(1, args);
            Py_DECREF(args);
            args = t;
        }
        out = args ? PyObject_CallObject(f, args) : NULL;
        Py_XDECREF(args);
    } else if (r) {
        PyErr_Format(PyExc_RuntimeError, "%s has no function %s", name, fn);
    }
    Py_XDECREF(r);
    Py_XDECREF(code);
    Py_XDECREF(g);
    return out;
}
