/* sources.c — the frozen modules' sources, for tracebacks, linecache and
 * inspect (runtime/DESIGN.md, "Sources for tracebacks").
 *
 * Python code asks a module's loader (importer.c's get_source, through
 * linecache).  python3.11's C traceback printer, which prints a program's
 * uncaught exception, asks no loader: it calls io.open(filename, "rb") and
 * reads the file through its descriptor (it looks for a coding cookie with
 * read and lseek).  So when the program ships sources, io.open (the io
 * module's attribute; builtins.open stays the same object, and ordinary
 * open() calls pay nothing) is replaced by open_source below: for the path
 * of a frozen module in the virtual tree, opened for reading, it gives a
 * memory file holding the source; for anything else it is the real
 * io.open.  The memory file lives as long as the file object, and is never
 * made before a traceback or a program asks.
 *
 * linecache finds a frozen module's source through its loader only when
 * it is given the module's globals (tracebacks, inspect give them); the
 * default warnings printer asks by file name alone.  So once linecache has
 * run, its updatecache is wrapped (updatecache below): a file name that is
 * a frozen module's path, asked without globals, is asked with globals
 * naming the module and this importer, and linecache's own code does the
 * rest, its cache included.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "runtime.h"

static PyObject *real_io_open; /* the io module's open, as the interpreter made it */

PyObject *rt_module_source(const struct rt_module *m)
{
    if (!m->source_chunk || m->source_chunk > cryo_app.source_count || !cryo_app.lzma_read)
        Py_RETURN_NONE;
    const struct bl_entry *e = &cryo_app.sources[m->source_chunk - 1];
    if (m->source_offset > e->usize || m->source_size > e->usize - m->source_offset)
        return PyErr_Format(PyExc_ImportError, "the source of frozen module '%s' is damaged",
                            m->name);
    unsigned char *buf = PyMem_RawMalloc(e->usize ? e->usize : 1);
    if (!buf)
        return PyErr_NoMemory();
    if (rt_payload_read_source(e, buf) != BL_OK) {
        PyMem_RawFree(buf);
        return PyErr_NoMemory();
    }
    PyObject *b = PyBytes_FromStringAndSize((const char *)buf + m->source_offset,
                                            (Py_ssize_t)m->source_size);
    PyMem_RawFree(buf);
    return b;
}

const struct rt_module *rt_module_at(PyObject *path)
{
    if (!PyUnicode_Check(path) || !rt_root)
        return NULL;
    Py_ssize_t n = PyUnicode_GetLength(rt_root);
    if (PyUnicode_GetLength(path) <= n + 1 || PyUnicode_Tailmatch(path, rt_root, 0, n, -1) != 1
        || PyUnicode_ReadChar(path, n) != '/')
        return NULL;
    const char *s = PyUnicode_AsUTF8(path), *root = s ? PyUnicode_AsUTF8(rt_root) : NULL;
    if (!root) {
        PyErr_Clear(); /* not UTF-8 (a surrogate): no module's path */
        return NULL;
    }
    return rt_module_by_path(s + strlen(root) + 1);
}

const struct rt_module *rt_module_by_path(const char *rel)
{
    /* The table is sorted by name, not path: a scan, made only when a
     * traceback or a program opens a module's file. */
    for (size_t i = 0; i < cryo_app.module_count; i++)
        if (cryo_app.modules[i].source_chunk && strcmp(cryo_app.modules[i].path, rel) == 0)
            return &cryo_app.modules[i];
    return NULL;
}

/* Whether `mode` (NULL: the default, "r") only reads. */
static int read_only_mode(PyObject *mode)
{
    if (!mode)
        return 1;
    const char *s = PyUnicode_Check(mode) ? PyUnicode_AsUTF8(mode) : NULL;
    if (!s) {
        PyErr_Clear();
        return 0;
    }
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s != 'r' && *s != 'b' && *s != 't')
            return 0;
    return 1;
}

/* The file object f (TextIOWrapper, buffered or raw) is named `name`, as
 * python3.11's would be: its raw file's name is an ordinary attribute. */
static void name_file(PyObject *f, PyObject *name)
{
    PyObject *cur = Py_NewRef(f);
    static const char *const inner[] = {"buffer", "raw"};
    for (size_t i = 0; i < 2; i++) {
        PyObject *next = PyObject_GetAttrString(cur, inner[i]);
        if (!next) {
            PyErr_Clear();
            continue;
        }
        Py_SETREF(cur, next);
    }
    if (PyObject_SetAttrString(cur, "name", name) < 0)
        PyErr_Clear();
    Py_DECREF(cur);
}

/* io.open(file, mode="r", ...) of a frozen module's path: a memory file
 * holding its source.  Everything else goes to the real io.open as is. */
static PyObject *open_source(PyObject *self, PyObject *const *args, Py_ssize_t nargsf,
                             PyObject *kwnames)
{
    (void)self;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    const struct rt_module *m = nargs >= 1 ? rt_module_at(args[0]) : NULL;
    PyObject *mode = nargs >= 2 ? args[1] : NULL;
    Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
    for (Py_ssize_t i = 0; m && i < nkw; i++) {
        const char *k = PyUnicode_AsUTF8(PyTuple_GET_ITEM(kwnames, i));
        if (!k || strcmp(k, "file") == 0 || strcmp(k, "opener") == 0)
            m = NULL; /* the real open says what is wrong */
        else if (strcmp(k, "mode") == 0)
            mode = args[nargs + i];
    }
    PyErr_Clear();
    if (!m || !read_only_mode(mode))
        return PyObject_Vectorcall(real_io_open, args, nargsf, kwnames);

    PyObject *src = rt_module_source(m);
    if (!src || src == Py_None) {
        Py_XDECREF(src);
        return src ? PyObject_Vectorcall(real_io_open, args, nargsf, kwnames) : NULL;
    }
    int fd = memfd_create("cryo-source", MFD_CLOEXEC);
    if (fd < 0) {
        Py_DECREF(src);
        return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, args[0]);
    }
    const char *p = PyBytes_AS_STRING(src);
    Py_ssize_t left = PyBytes_GET_SIZE(src);
    while (left > 0) {
        ssize_t k = write(fd, p, (size_t)left);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0) {
            Py_DECREF(src);
            close(fd);
            return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, args[0]);
        }
        p += k;
        left -= k;
    }
    Py_DECREF(src);
    struct stat st;
    if (lseek(fd, 0, SEEK_SET) != 0 || fstat(fd, &st) != 0) {
        close(fd);
        return PyErr_SetFromErrnoWithFilenameObject(PyExc_OSError, args[0]);
    }
    PyObject *fdo = PyLong_FromLong(fd);
    PyObject **v = fdo ? PyMem_Malloc((size_t)(nargs + nkw) * sizeof *v) : NULL;
    PyObject *f = NULL;
    if (v) {
        v[0] = fdo;
        for (Py_ssize_t i = 1; i < nargs + nkw; i++)
            v[i] = args[i];
        f = PyObject_Vectorcall(real_io_open, v, (size_t)nargs, kwnames);
        PyMem_Free(v);
    } else if (fdo) {
        PyErr_NoMemory();
    }
    Py_XDECREF(fdo);
    if (f) {
        name_file(f, args[0]);
    } else {
        /* io.open closes the descriptor it was given when it fails after
         * taking it, not when it refused its arguments first. */
        struct stat now;
        if (fstat(fd, &now) == 0 && now.st_ino == st.st_ino && now.st_dev == st.st_dev)
            close(fd);
    }
    return f;
}

static PyObject *real_updatecache; /* linecache.updatecache */

/* linecache.updatecache(filename, module_globals=None). */
static PyObject *updatecache(PyObject *self, PyObject *const *args, Py_ssize_t nargsf,
                             PyObject *kwnames)
{
    (void)self;
    Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
    const struct rt_module *m = nargs >= 1 ? rt_module_at(args[0]) : NULL;
    if (!m || kwnames || (nargs >= 2 && args[1] != Py_None))
        return PyObject_Vectorcall(real_updatecache, args, nargsf, kwnames);
    PyObject *globals = Py_BuildValue("{sssO}", "__name__",
                                      (m->flags & RT_MOD_MAIN) ? "__main__" : m->name,
                                      "__loader__", rt_importer_get());
    if (!globals)
        return NULL;
    PyObject *r = PyObject_CallFunctionObjArgs(real_updatecache, args[0], globals, NULL);
    Py_DECREF(globals);
    return r;
}

static PyMethodDef updatecache_def = {
    "updatecache", (PyCFunction)(void (*)(void))updatecache, METH_FASTCALL | METH_KEYWORDS,
    "updatecache(filename, module_globals=None)\n--\n\n"
    "linecache.updatecache, which in a frozen program also finds the source of\n"
    "its frozen modules by their paths alone."};

int rt_sources_adopt_linecache(PyObject *linecache)
{
    if (!cryo_app.source_count || real_updatecache)
        return 0;
    real_updatecache = PyObject_GetAttrString(linecache, "updatecache");
    PyObject *fn = real_updatecache ? PyCFunction_NewEx(&updatecache_def, NULL, NULL) : NULL;
    int rc = fn ? PyObject_SetAttrString(linecache, "updatecache", fn) : -1;
    Py_XDECREF(fn);
    return rc;
}

static PyMethodDef open_def = {
    "open", (PyCFunction)(void (*)(void))open_source, METH_FASTCALL | METH_KEYWORDS,
    "open(file, mode='r', buffering=-1, encoding=None, errors=None, newline=None,\n"
    "     closefd=True, opener=None)\n--\n\n"
    "io.open, which in a frozen program also opens the source of its frozen\n"
    "modules, by their paths in the executable's virtual tree (for tracebacks)."};

int rt_sources_install(void)
{
    if (!cryo_app.source_count)
        return 0;
    PyObject *io = PyImport_ImportModule("io");
    if (!io)
        return -1;
    real_io_open = PyObject_GetAttrString(io, "open");
    PyObject *fn = real_io_open ? PyCFunction_NewEx(&open_def, NULL, NULL) : NULL;
    int rc = fn ? PyObject_SetAttrString(io, "open", fn) : -1;
    Py_XDECREF(fn);
    Py_DECREF(io);
    return rc;
}
