/* importer.c — the embedded importer: the `_cryo` builtin module and its
 * Importer, first on sys.meta_path, serving every module of the generated
 * module table (module_table.h) from the payload.
 *
 * It follows PEP 451 (find_spec / create_module / exec_module) and also
 * offers the loader methods that runpy, pkgutil, inspect and linecache use
 * (get_code, get_source, is_package, get_filename).
 *
 * The virtual tree: a frozen module's __file__ is "<sys.executable>/<path>",
 * e.g. "/usr/local/bin/app/json/decoder.py", and a package's __path__ is
 * ["<sys.executable>/<package dir>"].  Like a zip archive's paths, they name
 * the module inside the executable: stable for a given install location,
 * and never a real file that the host could substitute.
 *
 * Ownership: the module keeps one reference to ModuleSpec and _imp's
 * _fix_co_filename for the life of the interpreter (static: the runtime runs
 * one interpreter; sub-interpreters are not supported).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <marshal.h>
#include <stdlib.h>

#include "runtime.h"

struct bl_payload rt_payload;
PyObject *rt_root;

static PyObject *module_spec_type;  /* importlib._bootstrap.ModuleSpec */
static PyObject *fix_co_filename;   /* _imp._fix_co_filename */
static PyObject *the_importer;

PyObject *rt_module_origin(const struct rt_module *m)
{
    return PyUnicode_FromFormat("%U/%s", rt_root, m->path);
}

/* The executable's identity, taken at start-up (rt_payload_remember). */
static dev_t payload_dev;
static ino_t payload_ino;
static int payload_known;

void rt_payload_remember(void)
{
    struct stat st;
    if (fstat(rt_payload.fd, &st) == 0) {
        payload_dev = st.st_dev;
        payload_ino = st.st_ino;
        payload_known = 1;
    }
}

/* Whether `fd` is open on the executable read at start-up. */
static int is_the_executable(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 && st.st_dev == payload_dev && st.st_ino == payload_ino;
}

/* The program closed the descriptor the payload is read through, as a
 * daemon closing every descriptor does (os.closerange), and perhaps opened
 * another file under its number: python3.11 opens each module's file
 * afresh, so it never notices.  The executable is opened again (through
 * /proc/self/exe, which names it even if it was renamed or replaced, else
 * by its path) and used if it is the same file.  0 when reopened. */
static int reopen_payload(void)
{
    if (!payload_known || is_the_executable(rt_payload.fd))
        return -1; /* the descriptor is still ours: the damage is real */
    const char *paths[] = {"/proc/self/exe", bl_exe_path()};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        int fd = paths[i] ? open(paths[i], O_RDONLY | O_CLOEXEC) : -1;
        if (fd < 0)
            continue;
        if (is_the_executable(fd)) {
            rt_payload.fd = fd; /* the old number is the program's now: left alone */
            return 0;
        }
        close(fd);
    }
    return -1;
}

typedef enum bl_err (*member_reader)(const struct bl_payload *, const struct bl_entry *,
                                     unsigned char *);

static enum bl_err read_member(member_reader rd, const struct bl_entry *e, unsigned char *out)
{
    enum bl_err err = rd(&rt_payload, e, out);
    if (err != BL_OK && err != BL_ERR_NOMEM && reopen_payload() == 0)
        err = rd(&rt_payload, e, out);
    if (err != BL_OK && err != BL_ERR_NOMEM)
        bl_refuse(err, errno);
    return err;
}

enum bl_err rt_payload_read(const struct bl_entry *e, unsigned char *out)
{
    return read_member(bl_payload_read, e, out);
}

/* A reader the table names only when it has such members (emit_table.c):
 * a table that has them always has it, so NULL means damage. */
static enum bl_err read_optional(member_reader rd, const struct bl_entry *e, unsigned char *out)
{
    if (!rd) {
        bl_refuse(BL_ERR_ENTRY, 0);
        return BL_ERR_ENTRY;
    }
    return read_member(rd, e, out);
}

enum bl_err rt_payload_read_native(const struct bl_entry *e, unsigned char *out)
{
    for (size_t i = 0; i < cryo_app.ext_count; i++)
        if (e == &cryo_app.exts[i].file && (cryo_app.exts[i].flags & RT_EXT_LZMA))
            return read_optional(cryo_app.lzma_read, e, out);
    return rt_payload_read_zstd(e, out);
}

enum bl_err rt_payload_read_zstd(const struct bl_entry *e, unsigned char *out)
{
    return read_optional(cryo_app.native_read, e, out);
}

enum bl_err rt_payload_read_source(const struct bl_entry *e, unsigned char *out)
{
    return read_optional(cryo_app.lzma_read, e, out);
}

/* A deep-frozen module's code object (runtime/frozen_py311.h): at its
 * first import, its frozensets are made and the names its code uses are
 * interned, as unmarshalling would have done. */
int _PyStaticCode_InternStrings(PyCodeObject *co); /* internal/pycore_code.h */

static PyObject *dfz_code(struct cryo_dfz *d)
{
    if (!d->ready) {
        for (uint32_t i = 0; i < d->nsets; i++) {
            PyObject **slot = (PyObject **)d->sets[i].slot;
            if (*slot != (PyObject *)d->sets[i].members)
                continue; /* made by an earlier, failed, first import */
            PyObject *fs = PyFrozenSet_New((PyObject *)d->sets[i].members);
            if (!fs)
                return NULL;
            *slot = fs;
        }
        for (uint32_t i = 0; i < d->ncodes; i++)
            if (_PyStaticCode_InternStrings((PyCodeObject *)d->codes[i]) < 0)
                return NULL;
        d->ready = 1;
        d->released = 0; /* in use again: its pages stay till it has run */
    }
    PyObject *code = d->top;
    Py_INCREF(code);
    return code;
}

/* After a deep-frozen module's body has run (successfully: a failed one's
 * frames may still be shown), the pages of its run-once block
 * (freezer/emit_py311.c), which python3.11 would have freed with the
 * module's code object, are given back.  The image's data is a private
 * mapping of the executable's file (bootloader/stage_rest.c), so a page
 * given back reads as it was built at its next touch: only reference
 * counts, interning, the co_filename the importer set and warm-up state
 * are lost, none of which a static object needs (its count never reaches
 * zero).  The code is made ready again if asked for once more
 * (loader.get_code(), a reload): frozensets made anew, names interned
 * again.  Done under the GIL, so no other thread is running these objects.
 *
 * Blocks lie end to end in their section (which starts and ends on a page
 * boundary: freezer/cc.c), so most pages hold the end of one block and the
 * start of the next (stdlib40: 126 blocks, 4.3 KB on average; only 232 of
 * their 536 KB lie on pages of their own).  A page goes when every block
 * on it has run: the blocks, sorted by address, are looked at on either
 * side.  The range given back is also marked MADV_DONTDUMP, which makes it
 * a mapping of its own: a read fault next to it (the deep-frozen objects
 * before it) then cannot map its pages back from the page cache
 * ("fault-around": runtime/interp.c, split_dfz_bytes). */
static struct cryo_dfz **blocks;
static size_t nblocks;

static int by_block(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)(*(struct cryo_dfz *const *)a)->once;
    uintptr_t y = (uintptr_t)(*(struct cryo_dfz *const *)b)->once;
    return x < y ? -1 : x > y;
}

static int blocks_ready(void)
{
    if (blocks)
        return 1;
    blocks = PyMem_RawMalloc((cryo_app.module_count ? cryo_app.module_count : 1) * sizeof *blocks);
    if (!blocks)
        return 0;
    for (size_t i = 0; i < cryo_app.module_count; i++) {
        struct cryo_dfz *d = cryo_app.modules[i].dfz;
        if (d && d->once && d->once_size)
            blocks[nblocks++] = d;
    }
    qsort(blocks, nblocks, sizeof *blocks, by_block);
    return 1;
}

static uintptr_t block_end(const struct cryo_dfz *d)
{
    return (uintptr_t)d->once + d->once_size;
}

static int in_block(const struct cryo_dfz *d, const void *o)
{
    return (uintptr_t)o >= (uintptr_t)d->once && (uintptr_t)o < block_end(d);
}

/* Whether nothing but the block itself refers to its objects any more.
 * A module's code can outlive its body: a frame kept (a traceback, a
 * module that stores inspect.currentframe()), a loader.get_code() result
 * held, a weak reference, a debugger's co_extra, dis's cached co_code.
 * Given back then, the page would read as it was built under their feet
 * (co_filename among what is lost: inspect.getsource of such a frame
 * fails), so the block stays.  A static object's count is exact: anybody
 * holding it has raised it above CRYO_DFZ_REFCNT.  The block's members
 * are its code objects and their own tuples (freezer/emit_py311.c). */
static int block_idle(const struct cryo_dfz *d)
{
    for (uint32_t i = 0; i < d->ncodes; i++) {
        PyCodeObject *co = (PyCodeObject *)d->codes[i];
        if (!in_block(d, co))
            continue;
        if (Py_REFCNT(co) != CRYO_DFZ_REFCNT || co->co_weakreflist || co->co_extra
            || co->_co_code)
            return 0;
        PyObject *own[] = {co->co_consts, co->co_names, co->co_localsplusnames};
        for (size_t j = 0; j < sizeof own / sizeof *own; j++)
            if (in_block(d, own[j]) && Py_REFCNT(own[j]) != CRYO_DFZ_REFCNT)
                return 0;
    }
    return 1;
}

/* Whether every block on the page at `p` has run; each one's code made
 * not ready if `clear`. */
static int page_free(size_t i, uintptr_t p, uintptr_t page, int clear)
{
    for (size_t j = i; j-- > 0 && block_end(blocks[j]) > p;) {
        if (!blocks[j]->released)
            return 0;
        if (clear)
            blocks[j]->ready = 0;
    }
    for (size_t j = i + 1; j < nblocks && (uintptr_t)blocks[j]->once < p + page; j++) {
        if (!blocks[j]->released)
            return 0;
        if (clear)
            blocks[j]->ready = 0;
    }
    return 1;
}

static void dfz_release(struct cryo_dfz *d)
{
    static uintptr_t page;
    if (!page)
        page = (uintptr_t)sysconf(_SC_PAGESIZE);
    if (!d->once || !d->once_size || !block_idle(d) || !blocks_ready())
        return;
    d->released = 1;
    struct cryo_dfz **at = bsearch(&d, blocks, nblocks, sizeof *blocks, by_block);
    if (!at)
        return;
    size_t i = (size_t)(at - blocks);
    uintptr_t lo = (uintptr_t)d->once & ~(page - 1);
    uintptr_t hi = (block_end(d) + page - 1) & ~(page - 1);
    if (!page_free(i, lo, page, 0))
        lo += page;
    if (hi > lo && !page_free(i, hi - page, page, 0))
        hi -= page;
    if (hi <= lo || madvise((void *)lo, hi - lo, MADV_DONTNEED) != 0)
        return;
    (void)madvise((void *)lo, hi - lo, MADV_DONTDUMP); /* advice only */
    d->ready = 0;
    page_free(i, lo, page, 1);
    page_free(i, hi - page, page, 1);
}

/* A marshalled module's code object, read from the payload. */
static PyObject *unmarshal_code(const struct rt_module *m)
{
    unsigned char *buf = PyMem_RawMalloc(m->code.usize ? m->code.usize : 1);
    if (!buf)
        return PyErr_NoMemory();
    enum bl_err err = m->flags & RT_MOD_COLD   ? rt_payload_read_source(&m->code, buf)
                      : m->flags & RT_MOD_ZSTD ? rt_payload_read_zstd(&m->code, buf)
                                               : rt_payload_read(&m->code, buf);
    if (err != BL_OK) {
        PyMem_RawFree(buf);
        return PyErr_NoMemory();
    }
    PyObject *code = PyMarshal_ReadObjectFromString((const char *)buf, m->code.usize);
    PyMem_RawFree(buf);
    if (!code)
        return NULL;
    if (!PyCode_Check(code)) {
        Py_DECREF(code);
        return PyErr_Format(PyExc_ImportError,
                            "frozen module '%s' holds no code object", m->name);
    }
    return code;
}

PyObject *rt_load_code(const struct rt_module *m, PyObject *filename)
{
    PyObject *code = m->dfz ? dfz_code(m->dfz) : unmarshal_code(m);
    if (!code)
        return NULL;
    /* Code is compiled with its path relative to the virtual root; point it
     * at where this executable really is, so tracebacks and __file__ agree. */
    if (filename) {
        PyObject *r = PyObject_CallFunctionObjArgs(fix_co_filename, code, filename, NULL);
        if (!r) {
            Py_DECREF(code);
            return NULL;
        }
        Py_DECREF(r);
    }
    return code;
}

/* The table entry a loader method is asked about; NULL with ImportError
 * set when it is not ours (or is the script). */
static const struct rt_module *lookup(PyObject *fullname, int raise)
{
    const char *name = PyUnicode_AsUTF8(fullname);
    if (!name)
        return NULL;
    const struct rt_module *m = rt_table_find(&cryo_app, name);
    if (m && (m->flags & RT_MOD_MAIN))
        m = NULL;
    if (!m && raise)
        PyErr_Format(PyExc_ImportError, "frozen module '%U' not found", fullname);
    return m;
}

/* The third-party extension module `fullname` packed, or NULL. */
static const struct rt_ext *lookup_ext(PyObject *fullname)
{
    const char *name = PyUnicode_AsUTF8(fullname);
    if (!name) {
        PyErr_Clear();
        return NULL;
    }
    return rt_ext_find(&cryo_app, name);
}

static PyObject *ext_spec(PyObject *self, PyObject *fullname, const struct rt_ext *x)
{
    PyObject *origin = PyUnicode_FromFormat("%U/%s", rt_root, x->path);
    PyObject *sargs = origin ? PyTuple_Pack(2, fullname, self) : NULL;
    PyObject *kwargs = sargs ? Py_BuildValue("{sO}", "origin", origin) : NULL;
    PyObject *spec = kwargs ? PyObject_Call(module_spec_type, sargs, kwargs) : NULL;
    if (spec && PyObject_SetAttrString(spec, "has_location", Py_True) < 0)
        Py_CLEAR(spec);
    Py_XDECREF(kwargs);
    Py_XDECREF(sargs);
    Py_XDECREF(origin);
    return spec;
}

/* An extension module: its libraries loaded, its file put where the
 * loader can open it (native_files.c), then created as importlib's
 * ExtensionFileLoader would (_imp.create_dynamic), with __file__ its path
 * in the virtual tree. */
static PyObject *ext_create(const struct rt_ext *x, PyObject *spec)
{
    if (rt_native_load_deps(x) < 0)
        return NULL;
    const char *base = strrchr(x->path, '/') ? strrchr(x->path, '/') + 1 : x->path;
    char *real = rt_native_path(&x->file, base);
    if (!real)
        return NULL;
    PyObject *name = PyObject_GetAttrString(spec, "name");
    PyObject *origin = PyObject_GetAttrString(spec, "origin");
    PyObject *path = PyUnicode_DecodeFSDefault(real);
    free(real);
    PyObject *imp = PyImport_ImportModule("_imp");
    PyObject *sargs = name && path ? PyTuple_Pack(2, name, Py_None) : NULL;
    PyObject *kwargs = sargs ? Py_BuildValue("{sO}", "origin", path) : NULL;
    PyObject *real_spec = kwargs ? PyObject_Call(module_spec_type, sargs, kwargs) : NULL;
    PyObject *mod = real_spec && imp ? PyObject_CallMethod(imp, "create_dynamic", "O", real_spec)
                                     : NULL;
    if (mod && origin && PyModule_Check(mod) && PyObject_SetAttrString(mod, "__file__", origin) < 0)
        Py_CLEAR(mod);
    Py_XDECREF(real_spec);
    Py_XDECREF(kwargs);
    Py_XDECREF(sargs);
    Py_XDECREF(imp);
    Py_XDECREF(path);
    Py_XDECREF(origin);
    Py_XDECREF(name);
    return mod;
}

static PyObject *importer_find_spec(PyObject *self, PyObject *args, PyObject *kw)
{
    static char *kwlist[] = {"fullname", "path", "target", NULL};
    PyObject *fullname, *path = Py_None, *target = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kw, "U|OO:find_spec", kwlist,
                                     &fullname, &path, &target))
        return NULL;
    const struct rt_module *m = lookup(fullname, 0);
    if (!m) {
        if (PyErr_Occurred())
            return NULL;
        const struct rt_ext *x = lookup_ext(fullname);
        if (x)
            return ext_spec(self, fullname, x);
        Py_RETURN_NONE;
    }

    PyObject *spec = NULL, *origin = NULL, *kwargs = NULL, *sargs = NULL;
    int is_pkg = (m->flags & RT_MOD_PACKAGE) != 0;
    origin = rt_module_origin(m);
    if (!origin)
        goto error;
    sargs = PyTuple_Pack(2, fullname, self);
    kwargs = Py_BuildValue("{sOsO}", "origin", origin, "is_package", is_pkg ? Py_True : Py_False);
    if (!sargs || !kwargs)
        goto error;
    spec = PyObject_Call(module_spec_type, sargs, kwargs);
    if (!spec)
        goto error;
    if (PyObject_SetAttrString(spec, "has_location", Py_True) < 0)
        goto error;
    if (is_pkg) {
        /* __path__ is the package's directory in the virtual tree. */
        Py_ssize_t len = PyUnicode_GetLength(origin);
        Py_ssize_t slash = PyUnicode_FindChar(origin, '/', 0, len, -1);
        if (slash < 0)
            goto error;
        PyObject *dir = PyUnicode_Substring(origin, 0, slash);
        PyObject *locs = dir ? PyObject_GetAttrString(spec, "submodule_search_locations") : NULL;
        int rc = locs ? PyList_Append(locs, dir) : -1;
        Py_XDECREF(locs);
        Py_XDECREF(dir);
        if (rc < 0)
            goto error;
    }
    Py_DECREF(origin);
    Py_DECREF(sargs);
    Py_DECREF(kwargs);
    return spec;

error:
    Py_XDECREF(spec);
    Py_XDECREF(origin);
    Py_XDECREF(sargs);
    Py_XDECREF(kwargs);
    return NULL;
}

static PyObject *importer_create_module(PyObject *self, PyObject *spec)
{
    (void)self;
    PyObject *name = PyObject_GetAttrString(spec, "name");
    if (!name)
        return NULL;
    const struct rt_ext *x = lookup_ext(name);
    Py_DECREF(name);
    if (x)
        return ext_create(x, spec);
    Py_RETURN_NONE; /* default module creation */
}

static PyObject *call_files(const char *fn, PyObject *args, PyObject *kw)
{
    PyObject *mod = PyImport_ImportModule("_cryo_files");
    if (!mod)
        return NULL;
    PyObject *f = PyObject_GetAttrString(mod, fn);
    Py_DECREF(mod);
    if (!f)
        return NULL;
    PyObject *r = PyObject_Call(f, args, kw);
    Py_DECREF(f);
    return r;
}

/* Whether the freezer packed _cryo_files: it does when the program has
 * data files or packs code that reads files by path (graph.c, file_hooks);
 * without it there is nothing to read. */
static int have_files(void)
{
    return rt_table_find(&cryo_app, "_cryo_files") != NULL;
}

static PyObject *importer_exec_module(PyObject *self, PyObject *module)
{
    (void)self;
    PyObject *spec = NULL, *name = NULL, *origin = NULL, *code = NULL, *r = NULL;
    spec = PyObject_GetAttrString(module, "__spec__");
    if (!spec)
        goto done;
    name = PyObject_GetAttrString(spec, "name");
    origin = name ? PyObject_GetAttrString(spec, "origin") : NULL;
    if (!origin)
        goto done;
    if (lookup_ext(name)) {
        /* Multi-phase initialisation's exec slots; nothing for the rest. */
        PyObject *imp = PyImport_ImportModule("_imp");
        r = imp ? PyObject_CallMethod(imp, "exec_dynamic", "O", module) : NULL;
        Py_XDECREF(imp);
        goto done;
    }
    const struct rt_module *m = lookup(name, 1);
    if (!m)
        goto done;
    code = rt_load_code(m, origin);
    if (!code)
        goto done;
    PyObject *dict = PyModule_GetDict(module); /* borrowed */
    if (!dict)
        goto done;
    /* As builtins.exec() does for importlib's loaders: C code looks
     * __builtins__ up in the caller's globals (PyImport_Import, used by
     * time.strftime, re.sub, ...), and a module without it gets KeyError. */
    if (!PyDict_GetItemString(dict, "__builtins__")
        && PyDict_SetItemString(dict, "__builtins__", PyEval_GetBuiltins()) < 0)
        goto done;
    r = PyEval_EvalCode(code, dict, dict);
    if (r && m->dfz) {
        Py_CLEAR(code);
        dfz_release(m->dfz);
    }
    /* pkg_resources (deprecated, still imported by older code) knows only
     * the loaders and path entries of a Python installation: told of this
     * importer and of the packed distributions once it has run.  A failure
     * there leaves pkg_resources as it is, as python3.11 would have it. */
    if (r && PyUnicode_CompareWithASCIIString(name, "pkg_resources") == 0 && have_files()) {
        PyObject *args = Py_BuildValue("(O)", module);
        PyObject *ok = args ? call_files("adopt_pkg_resources", args, NULL) : NULL;
        Py_XDECREF(args);
        if (!ok)
            PyErr_Clear();
        Py_XDECREF(ok);
    }
    if (r && PyUnicode_CompareWithASCIIString(name, "linecache") == 0
        && rt_sources_adopt_linecache(module) < 0)
        Py_CLEAR(r);
done:
    Py_XDECREF(spec);
    Py_XDECREF(name);
    Py_XDECREF(origin);
    Py_XDECREF(code);
    if (!r)
        return NULL;
    Py_DECREF(r);
    Py_RETURN_NONE;
}

static PyObject *importer_get_code(PyObject *self, PyObject *fullname)
{
    (void)self;
    if (!PyUnicode_Check(fullname))
        return PyErr_Format(PyExc_TypeError, "get_code() argument must be str");
    const struct rt_module *m = lookup(fullname, 1);
    if (!m)
        return NULL;
    PyObject *origin = rt_module_origin(m);
    if (!origin)
        return NULL;
    PyObject *code = rt_load_code(m, origin);
    Py_DECREF(origin);
    return code;
}

static PyObject *importer_get_source(PyObject *self, PyObject *fullname)
{
    (void)self;
    if (!PyUnicode_Check(fullname))
        return PyErr_Format(PyExc_TypeError, "get_source() argument must be str");
    /* "__main__" too: linecache asks __main__.__loader__ by that name. */
    const struct rt_module *m =
        PyUnicode_CompareWithASCIIString(fullname, "__main__") == 0 ? rt_main_module() : NULL;
    if (!m && !(m = lookup(fullname, 1)))
        return NULL;
    PyObject *src = rt_module_source(m); /* None: built with --no-sources */
    if (!src || src == Py_None)
        return src;
    /* As importlib's SourceLoader: the coding cookie or BOM, universal newlines. */
    PyObject *ext = PyImport_ImportModule("_frozen_importlib_external");
    PyObject *text = ext ? PyObject_CallMethod(ext, "decode_source", "O", src) : NULL;
    Py_XDECREF(ext);
    Py_DECREF(src);
    return text;
}

static PyObject *importer_is_package(PyObject *self, PyObject *fullname)
{
    (void)self;
    if (!PyUnicode_Check(fullname))
        return PyErr_Format(PyExc_TypeError, "is_package() argument must be str");
    const struct rt_module *m = lookup(fullname, 1);
    if (!m)
        return NULL;
    return PyBool_FromLong(m->flags & RT_MOD_PACKAGE);
}

static PyObject *importer_get_filename(PyObject *self, PyObject *fullname)
{
    (void)self;
    if (!PyUnicode_Check(fullname))
        return PyErr_Format(PyExc_TypeError, "get_filename() argument must be str");
    const struct rt_module *m = lookup(fullname, 1);
    return m ? rt_module_origin(m) : NULL;
}

/* The loader methods for files other than code are Python, in the
 * _cryo_files module the freezer packs with programs that need it
 * (runtime/cryo_files.py). */

static PyObject *importer_get_data(PyObject *self, PyObject *path)
{
    (void)self;
    if (!have_files()) {
        PyErr_SetObject(PyExc_FileNotFoundError, path);
        return NULL;
    }
    PyObject *args = PyTuple_Pack(1, path);
    PyObject *r = args ? call_files("get_data", args, NULL) : NULL;
    Py_XDECREF(args);
    return r;
}

static PyObject *importer_get_resource_reader(PyObject *self, PyObject *fullname)
{
    (void)self;
    const struct rt_module *m = lookup(fullname, 1);
    if (!m)
        return NULL;
    if (!(m->flags & RT_MOD_PACKAGE) || !have_files())
        Py_RETURN_NONE; /* resources belong to packages (importlib.resources) */
    PyObject *args = PyTuple_Pack(1, fullname);
    PyObject *r = args ? call_files("resource_reader", args, NULL) : NULL;
    Py_XDECREF(args);
    return r;
}

static PyObject *importer_find_distributions(PyObject *self, PyObject *args, PyObject *kw)
{
    (void)self;
    if (!have_files())
        return PyList_New(0);
    return call_files("find_distributions", args, kw);
}

static PyMethodDef importer_methods[] = {
    {"find_spec", (PyCFunction)(void (*)(void))importer_find_spec,
     METH_VARARGS | METH_KEYWORDS, "Spec of a frozen module, or None."},
    {"create_module", importer_create_module, METH_O, "Default module creation."},
    {"exec_module", importer_exec_module, METH_O, "Run a frozen module's code."},
    {"get_code", importer_get_code, METH_O, "Code object of a frozen module."},
    {"get_source", importer_get_source, METH_O,
     "Source of a frozen module (None if built with --no-sources)."},
    {"is_package", importer_is_package, METH_O, "Whether a frozen module is a package."},
    {"get_filename", importer_get_filename, METH_O, "Virtual path of a frozen module."},
    {"get_data", importer_get_data, METH_O, "Bytes of a packed data file, by path."},
    {"get_resource_reader", importer_get_resource_reader, METH_O,
     "importlib.resources reader of a frozen package's data."},
    {"find_distributions", (PyCFunction)(void (*)(void))importer_find_distributions,
     METH_VARARGS | METH_KEYWORDS, "importlib.metadata distributions packed."},
    {NULL, NULL, 0, NULL},
};

static PyTypeObject importer_type = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "_cryo.Importer",
    .tp_basicsize = sizeof(PyObject),
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Finder and loader of the modules frozen into this executable.",
    .tp_methods = importer_methods,
    .tp_new = PyType_GenericNew,
};

static int cryo_exec(PyObject *m)
{
    if (PyType_Ready(&importer_type) < 0)
        return -1;
    return PyModule_AddType(m, &importer_type);
}

static PyModuleDef_Slot cryo_slots[] = {
    {Py_mod_exec, cryo_exec},
    {0, NULL},
};

/* _cryo.stats(): the figures CRYO_STATS=1 prints at exit (gc/stats.c). */
static PyObject *cryo_stats(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    return gc_stats_dict();
}

/* _cryo.read_data(path): the bytes of the data file at `path` (relative
 * to the virtual tree's root); FileNotFoundError if none is packed. */
static PyObject *cryo_read_data(PyObject *self, PyObject *arg)
{
    (void)self;
    const char *path = PyUnicode_AsUTF8(arg);
    if (!path)
        return NULL;
    const struct rt_data *d = rt_data_find(&cryo_app, path);
    if (!d) {
        PyErr_SetObject(PyExc_FileNotFoundError, arg);
        return NULL;
    }
    PyObject *b = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)d->data.usize);
    if (!b)
        return NULL;
    unsigned char *out = (unsigned char *)PyBytes_AS_STRING(b);
    enum bl_err err = cryo_app.flags & RT_APP_DATA_ZSTD ? rt_payload_read_zstd(&d->data, out)
                                                        : rt_payload_read(&d->data, out);
    if (err != BL_OK) {
        Py_DECREF(b);
        return PyErr_NoMemory();
    }
    return b;
}

/* _cryo.data_sizes(): {path: size} of every packed data file. */
static PyObject *cryo_data_sizes(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < cryo_app.data_count; i++) {
        PyObject *v = PyLong_FromUnsignedLong(cryo_app.data[i].data.usize);
        if (!v || PyDict_SetItemString(d, cryo_app.data[i].path, v) < 0) {
            Py_XDECREF(v);
            Py_CLEAR(d);
            break;
        }
        Py_DECREF(v);
    }
    return d;
}

/* _cryo.module_paths(): {virtual path: source size, or None when the
 * source is not shipped} of every frozen module. */
static PyObject *cryo_module_paths(PyObject *self, PyObject *unused)
{
    (void)self;
    (void)unused;
    PyObject *d = PyDict_New();
    for (size_t i = 0; d && i < cryo_app.module_count; i++) {
        const struct rt_module *m = &cryo_app.modules[i];
        PyObject *v = m->source_chunk ? PyLong_FromUnsignedLong(m->source_size) : Py_NewRef(Py_None);
        if (!v || PyDict_SetItemString(d, m->path, v) < 0)
            Py_CLEAR(d);
        Py_XDECREF(v);
    }
    return d;
}

/* _cryo.module_source(path): the source bytes of the frozen module at
 * `path` in the virtual tree, or None (not a module, or not shipped). */
static PyObject *cryo_module_source(PyObject *self, PyObject *path)
{
    (void)self;
    if (!PyUnicode_Check(path))
        return PyErr_Format(PyExc_TypeError, "module_source() argument must be str");
    const char *rel = PyUnicode_AsUTF8(path);
    if (!rel)
        return NULL;
    const struct rt_module *m = rt_module_by_path(rel);
    if (!m)
        Py_RETURN_NONE;
    return rt_module_source(m);
}

static PyMethodDef cryo_methods[] = {
    {"read_data", cryo_read_data, METH_O,
     "read_data(path) -> bytes\n\nA packed data file, by its path relative to the\n"
     "executable's virtual tree."},
    {"data_sizes", cryo_data_sizes, METH_NOARGS,
     "data_sizes() -> dict\n\nEvery packed data file's path and size."},
    {"module_source", cryo_module_source, METH_O,
     "module_source(path) -> bytes or None\n\nThe source of the frozen module at `path`\n"
     "(relative to the virtual tree), or None when it is not shipped."},
    {"module_paths", cryo_module_paths, METH_NOARGS,
     "module_paths() -> dict\n\nEvery frozen module's path in the virtual tree, and the\n"
     "size of its source (None when it is not shipped)."},
    {"stats", cryo_stats, METH_NOARGS,
     "stats() -> dict\n\nMemory and collector statistics of this process: bytes by\n"
     "domain and size class (current and peak), pages and arenas held and\n"
     "given back, collections by generation with total and longest pause,\n"
     "peak RSS.  See cryo's README, \"Memory and the collector\"."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef cryo_def = {
    PyModuleDef_HEAD_INIT,
    .m_name = "_cryo",
    .m_doc = "cryo's runtime support: the importer of frozen modules, and\n"
             "stats(), the memory and collector statistics.",
    .m_size = 0,
    .m_methods = cryo_methods,
    .m_slots = cryo_slots,
};

PyObject *rt_init_cryo_module(void)
{
    return PyModuleDef_Init(&cryo_def);
}

PyObject *rt_importer_get(void)
{
    return the_importer;
}

int rt_importer_install(void)
{
    PyObject *bootstrap = NULL, *imp = NULL, *cryo = NULL, *type = NULL;
    PyObject *meta_path;
    int rc = -1;

    bootstrap = PyImport_ImportModule("_frozen_importlib");
    imp = bootstrap ? PyImport_ImportModule("_imp") : NULL;
    cryo = imp ? PyImport_ImportModule("_cryo") : NULL;
    if (!cryo)
        goto done;
    module_spec_type = PyObject_GetAttrString(bootstrap, "ModuleSpec");
    fix_co_filename = module_spec_type ? PyObject_GetAttrString(imp, "_fix_co_filename") : NULL;
    type = fix_co_filename ? PyObject_GetAttrString(cryo, "Importer") : NULL;
    the_importer = type ? PyObject_CallNoArgs(type) : NULL;
    if (!the_importer)
        goto done;
    meta_path = PySys_GetObject("meta_path"); /* borrowed */
    if (!meta_path || !PyList_Check(meta_path)) {
        PyErr_SetString(PyExc_RuntimeError, "sys.meta_path is missing");
        goto done;
    }
    rc = PyList_Insert(meta_path, 0, the_importer);
done:
    Py_XDECREF(bootstrap);
    Py_XDECREF(imp);
    Py_XDECREF(cryo);
    Py_XDECREF(type);
    return rc;
}
