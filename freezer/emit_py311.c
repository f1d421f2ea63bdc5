/* emit_py311.c — deep-frozen modules: a module's code objects and all their
 * constants written as C static data in CPython 3.11's layout
 * (runtime/frozen_py311.h says what such an object must look like), used
 * in place when the module is imported instead of being unmarshalled.
 *
 * This file and runtime/frozen_py311.h are all that cryo knows of 3.11's
 * object layout.  The static assertions below compare that header's mirror
 * structures with the interpreter's own headers, so a libpython of another
 * layout stops cryo's own build here.
 *
 * What is deep-frozen (fz_dfz_prepare): the modules a start of the program
 * imports (not cold: freezer/cold.c), the script included, of the standard
 * library and of the program itself; third-party packages' only with
 * --deep-freeze-packages.  The others stay marshalled in the payload: a
 * module packed "just in case" costs its compressed bytes only, where
 * deep-frozen data is three to four times its marshalled size and in the
 * image.  Why packages are left out by default: numpy's start-up modules
 * deep-frozen made tools/bench.py's real_numpy 15% faster to start (145
 * against 171 ms) but 7.1 MB larger (33.3 against 26.2 MB), larger than
 * PyInstaller's onefile of it; the standard library's are the same for
 * every program and their cost is bounded.  A module whose constants hold
 * something that cannot be static (a type this file does not know) stays
 * marshalled too, said under -v.
 *
 * Each module is one C file and one object, compiled with -O0 (it is data;
 * the optimiser has nothing to do) on every core, and cached in the
 * compile cache by the module's compile key and everything that changes the
 * object (this file's format version, the compiler and its flags).
 */
#define PY_SSIZE_T_CLEAN
#define Py_BUILD_CORE 1
#include <Python.h>
#include <internal/pycore_code.h>
#include <internal/pycore_runtime.h>
#include <marshal.h>

#include <lz4.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../bootloader/bootloader.h"
#include "../runtime/frozen_py311.h"
#include "fz.h"

/* ---- the layout, checked ---------------------------------------------- */

#define SAME(mirror, mf, real, rf)                                                   \
    _Static_assert(offsetof(mirror, mf) == offsetof(real, rf),                       \
                   "runtime/frozen_py311.h: " #mirror "." #mf " is not where "      \
                   "this libpython has " #real "." #rf)
#define SIZE(mirror, real)                                                           \
    _Static_assert(sizeof(mirror) == sizeof(real),                                   \
                   "runtime/frozen_py311.h: " #mirror " is not the size of " #real)
#define RT(off, field)                                                               \
    _Static_assert(off == offsetof(_PyRuntimeState, global_objects.singletons.field), \
                   "runtime/frozen_py311.h: " #off " is not the offset of " #field   \
                   " in this libpython's _PyRuntime")

SIZE(struct cryo_ob, PyObject);
SAME(struct cryo_ob, refcnt, PyObject, ob_refcnt);
SAME(struct cryo_ob, type, PyObject, ob_type);
SIZE(struct cryo_var, PyVarObject);
SAME(struct cryo_var, size, PyVarObject, ob_size);
SIZE(struct cryo_gc_head, PyGC_Head);
SIZE(struct cryo_ascii, PyASCIIObject);
SAME(struct cryo_ascii, length, PyASCIIObject, length);
SAME(struct cryo_ascii, hash, PyASCIIObject, hash);
SAME(struct cryo_ascii, state, PyASCIIObject, state);
SAME(struct cryo_ascii, wstr, PyASCIIObject, wstr);
SIZE(struct cryo_compact, PyCompactUnicodeObject);
SAME(struct cryo_compact, utf8_length, PyCompactUnicodeObject, utf8_length);
SAME(struct cryo_compact, utf8, PyCompactUnicodeObject, utf8);
SAME(struct cryo_compact, wstr_length, PyCompactUnicodeObject, wstr_length);
_Pragma("GCC diagnostic push")
_Pragma("GCC diagnostic ignored \"-Wdeprecated-declarations\"")
SAME(struct cryo_bytes, hash, PyBytesObject, ob_shash);
_Pragma("GCC diagnostic pop")
_Static_assert(sizeof(struct cryo_bytes) == offsetof(PyBytesObject, ob_sval),
               "runtime/frozen_py311.h: bytes do not follow struct cryo_bytes");
_Static_assert(sizeof(struct cryo_long) == offsetof(PyLongObject, ob_digit),
               "runtime/frozen_py311.h: digits do not follow struct cryo_long");
_Static_assert(PyLong_SHIFT == CRYO_LONG_SHIFT && sizeof(digit) == 4,
               "runtime/frozen_py311.h: this libpython's int digits are not 30 bits");
SIZE(struct cryo_float, PyFloatObject);
SAME(struct cryo_float, value, PyFloatObject, ob_fval);
SIZE(struct cryo_complex, PyComplexObject);
SAME(struct cryo_complex, real, PyComplexObject, cval.real);
SAME(struct cryo_complex, imag, PyComplexObject, cval.imag);
_Static_assert(sizeof(struct cryo_tuple) == offsetof(PyTupleObject, ob_item),
               "runtime/frozen_py311.h: items do not follow struct cryo_tuple");
SAME(struct cryo_code, co_consts, PyCodeObject, co_consts);
SAME(struct cryo_code, co_names, PyCodeObject, co_names);
SAME(struct cryo_code, co_exceptiontable, PyCodeObject, co_exceptiontable);
SAME(struct cryo_code, co_flags, PyCodeObject, co_flags);
SAME(struct cryo_code, co_warmup, PyCodeObject, co_warmup);
SAME(struct cryo_code, _co_linearray_entry_size, PyCodeObject, _co_linearray_entry_size);
SAME(struct cryo_code, co_argcount, PyCodeObject, co_argcount);
SAME(struct cryo_code, co_posonlyargcount, PyCodeObject, co_posonlyargcount);
SAME(struct cryo_code, co_kwonlyargcount, PyCodeObject, co_kwonlyargcount);
SAME(struct cryo_code, co_stacksize, PyCodeObject, co_stacksize);
SAME(struct cryo_code, co_firstlineno, PyCodeObject, co_firstlineno);
SAME(struct cryo_code, co_nlocalsplus, PyCodeObject, co_nlocalsplus);
SAME(struct cryo_code, co_nlocals, PyCodeObject, co_nlocals);
SAME(struct cryo_code, co_nplaincellvars, PyCodeObject, co_nplaincellvars);
SAME(struct cryo_code, co_ncellvars, PyCodeObject, co_ncellvars);
SAME(struct cryo_code, co_nfreevars, PyCodeObject, co_nfreevars);
SAME(struct cryo_code, co_localsplusnames, PyCodeObject, co_localsplusnames);
SAME(struct cryo_code, co_localspluskinds, PyCodeObject, co_localspluskinds);
SAME(struct cryo_code, co_filename, PyCodeObject, co_filename);
SAME(struct cryo_code, co_name, PyCodeObject, co_name);
SAME(struct cryo_code, co_qualname, PyCodeObject, co_qualname);
SAME(struct cryo_code, co_linetable, PyCodeObject, co_linetable);
SAME(struct cryo_code, co_weakreflist, PyCodeObject, co_weakreflist);
SAME(struct cryo_code, _co_code, PyCodeObject, _co_code);
SAME(struct cryo_code, _co_linearray, PyCodeObject, _co_linearray);
SAME(struct cryo_code, _co_firsttraceable, PyCodeObject, _co_firsttraceable);
SAME(struct cryo_code, co_extra, PyCodeObject, co_extra);
_Static_assert(sizeof(struct cryo_code) == offsetof(PyCodeObject, co_code_adaptive),
               "runtime/frozen_py311.h: bytecode does not follow struct cryo_code");
_Static_assert(CRYO_CODE_WARMUP == QUICKENING_INITIAL_WARMUP_VALUE,
               "runtime/frozen_py311.h: CRYO_CODE_WARMUP is not this libpython's");
RT(CRYO_RT_SMALL_INTS, small_ints);
_Static_assert(CRYO_RT_SMALL_INT_SIZE == sizeof(PyLongObject)
                   && CRYO_RT_SMALL_NEG == _PY_NSMALLNEGINTS
                   && CRYO_RT_SMALL_POS == _PY_NSMALLPOSINTS,
               "runtime/frozen_py311.h: the small ints are not this libpython's");
RT(CRYO_RT_BYTES_EMPTY, bytes_empty);
RT(CRYO_RT_BYTES_CHARS, bytes_characters);
_Static_assert(CRYO_RT_BYTES_CHAR_SIZE
                   == sizeof(_PyRuntime.global_objects.singletons.bytes_characters[0]),
               "runtime/frozen_py311.h: CRYO_RT_BYTES_CHAR_SIZE");
RT(CRYO_RT_STR_EMPTY, strings.literals._empty);
RT(CRYO_RT_STR_ASCII, strings.ascii);
_Static_assert(CRYO_RT_STR_ASCII_SIZE
                   == sizeof(_PyRuntime.global_objects.singletons.strings.ascii[0]),
               "runtime/frozen_py311.h: CRYO_RT_STR_ASCII_SIZE");
RT(CRYO_RT_STR_LATIN1, strings.latin1);
_Static_assert(CRYO_RT_STR_LATIN1_SIZE
                   == sizeof(_PyRuntime.global_objects.singletons.strings.latin1[0]),
               "runtime/frozen_py311.h: CRYO_RT_STR_LATIN1_SIZE");
RT(CRYO_RT_TUPLE_EMPTY, tuple_empty);

/* ---- emitting ----------------------------------------------------------- */

/* Bump when the C written here changes: cached objects of another version
 * are never used. */
#define DFZ_FORMAT "cryo deep-freeze 10"

struct em {
    FILE *f;
    PyObject *seen;    /* id(object) -> its C expression (str) */
    PyObject *names;   /* the shared strings' symbols defined so far (set) */
    unsigned long next;
    struct fz_strv codes; /* expressions of the code objects */
    struct fz_strv sets;  /* "{slot, members}" initializers */
    const char *unsupported; /* type name of a constant that cannot be static */
    PyObject *once;    /* id(object) of the run-once objects (classify) */
    FILE *odecl, *oinit; /* the run-once block's members and initializers */
    char *odecl_buf, *oinit_buf;
    size_t odecl_len, oinit_len;
};

/* ---- the run-once block --------------------------------------------------
 *
 * A module's body, and the bodies of the classes it defines, run once,
 * when the module is imported; python3.11 frees their code objects then.
 * A static object cannot be freed, and running it writes every page it is
 * on (reference counts, interning, warm-up counters), so those code
 * objects and the constants only they use (not strings, which are shared
 * by content, nor bytes, which have a section of their own) are members of
 * one block per module, `cryo_once`, in a section of their own
 * (CRYO_DFZ_ONCE).  Once the body has run, the runtime gives the block's
 * whole pages back (runtime/importer.c, dfz_release): their next touch,
 * if any, reads them from the executable again, as they were built.
 * Measured on stdlib40's 120 deep-frozen modules: 777 KB of their 3.6 MB
 * of objects (strings and bytes aside) are run-once.
 *
 * Run-once code objects: the module's, and recursively those of classes
 * (code objects without CO_OPTIMIZED among a run-once one's constants; a
 * class inside a function is the function's, run at each call).  Run-once
 * constants: what they reach and no other code object reaches, except
 * frozensets and their members. */

static int mark_reached(PyObject *set, PyObject *o, PyObject *stop);

static int mark_code_fields(PyObject *set, PyCodeObject *co, PyObject *stop)
{
    PyObject *fields[] = {co->co_consts, co->co_names, co->co_localsplusnames,
                          co->co_localspluskinds};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (mark_reached(set, fields[i], stop) < 0)
            return -1;
    return 0;
}

/* Add id() of `o` and of what it reaches through constants to `set`,
 * not entering an object in `stop` (may be NULL). */
static int mark_reached(PyObject *set, PyObject *o, PyObject *stop)
{
    if (!PyTuple_CheckExact(o) && !PyFrozenSet_CheckExact(o) && !PyCode_Check(o)
        && !PyLong_CheckExact(o) && !PyFloat_CheckExact(o) && !PyComplex_CheckExact(o))
        return 0; /* strings, bytes, singletons: never in the block */
    if (stop && PyFrozenSet_CheckExact(o))
        return 0; /* a frozenset is emitted as a new tuple of its members
                     (emit), outside the block: neither are in it */
    PyObject *k = PyLong_FromVoidPtr(o);
    if (!k)
        return -1;
    int in = stop ? PySet_Contains(stop, k) : 0;
    int had = in == 0 ? PySet_Contains(set, k) : in;
    if (had == 0 && PySet_Add(set, k) < 0)
        had = -1;
    Py_DECREF(k);
    if (had != 0)
        return had < 0 ? -1 : 0;
    if (PyCode_Check(o))
        return mark_code_fields(set, (PyCodeObject *)o, stop);
    if (PyTuple_CheckExact(o) || PyFrozenSet_CheckExact(o)) {
        PyObject *it = PyObject_GetIter(o), *x;
        if (!it)
            return -1;
        int rc = 0;
        while (rc == 0 && (x = PyIter_Next(it))) {
            rc = mark_reached(set, x, stop);
            Py_DECREF(x);
        }
        Py_DECREF(it);
        return rc < 0 || PyErr_Occurred() ? -1 : 0;
    }
    return 0;
}

/* Fill e->once for the module whose code is `top`.  0, or -1 (no block:
 * everything stays in the ordinary section). */
static int classify(struct em *e, PyObject *top)
{
    PyObject *runonce = PyList_New(0), *codes = PyList_New(0), *live = PySet_New(NULL);
    PyObject *once_ids = PySet_New(NULL);
    int rc = -1;
    if (!runonce || !codes || !live || !once_ids || PyList_Append(runonce, top) < 0)
        goto done;
    /* the run-once code objects */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(runonce); i++) {
        PyCodeObject *co = (PyCodeObject *)PyList_GET_ITEM(runonce, i);
        PyObject *k = PyLong_FromVoidPtr(co);
        if (!k || PySet_Add(once_ids, k) < 0) {
            Py_XDECREF(k);
            goto done;
        }
        Py_DECREF(k);
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(co->co_consts); j++) {
            PyObject *c = PyTuple_GET_ITEM(co->co_consts, j);
            if (PyCode_Check(c) && !(((PyCodeObject *)c)->co_flags & CO_OPTIMIZED)
                && PyList_Append(runonce, c) < 0)
                goto done;
        }
    }
    /* every code object, then what the others reach */
    if (PyList_Append(codes, top) < 0)
        goto done;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(codes); i++) {
        PyCodeObject *co = (PyCodeObject *)PyList_GET_ITEM(codes, i);
        for (Py_ssize_t j = 0; j < PyTuple_GET_SIZE(co->co_consts); j++) {
            PyObject *c = PyTuple_GET_ITEM(co->co_consts, j);
            if (PyCode_Check(c) && PyList_Append(codes, c) < 0)
                goto done;
        }
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(codes); i++) {
        PyObject *co = PyList_GET_ITEM(codes, i), *k = PyLong_FromVoidPtr(co);
        int is_once = k ? PySet_Contains(once_ids, k) : -1;
        Py_XDECREF(k);
        if (is_once < 0 || (!is_once && mark_reached(live, co, NULL) < 0))
            goto done;
    }
    /* the run-once code objects and their own tuples, where nothing else
     * uses them; not the constants in those tuples: what a body loads can
     * live on (defaults, __all__, __slots__, a module's table of values),
     * and would be written again (tools measured: 464 of stdlib40's 632 KB
     * of such blocks written again by the end of the run) */
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(runonce); i++) {
        PyCodeObject *co = (PyCodeObject *)PyList_GET_ITEM(runonce, i);
        PyObject *own[] = {(PyObject *)co, co->co_consts, co->co_names, co->co_localsplusnames};
        for (size_t j = 0; j < sizeof own / sizeof *own; j++) {
            if (!PyTuple_CheckExact(own[j]) && !PyCode_Check(own[j]))
                continue;
            if (PyTuple_CheckExact(own[j]) && PyTuple_GET_SIZE(own[j]) == 0)
                continue; /* the interpreter's empty tuple */
            PyObject *k = PyLong_FromVoidPtr(own[j]);
            int used = k ? PySet_Contains(live, k) : -1;
            if (used < 0 || (!used && PySet_Add(e->once, k) < 0)) {
                Py_XDECREF(k);
                goto done;
            }
            Py_DECREF(k);
        }
    }
    rc = 0;
done:
    Py_XDECREF(runonce);
    Py_XDECREF(codes);
    Py_XDECREF(live);
    Py_XDECREF(once_ids);
    if (rc < 0) {
        PyErr_Clear();
        PySet_Clear(e->once);
    }
    return rc;
}

static int in_block(struct em *e, PyObject *o)
{
    PyObject *k = PyLong_FromVoidPtr(o);
    int r = k ? PySet_Contains(e->once, k) : -1;
    Py_XDECREF(k);
    if (r < 0) {
        PyErr_Clear();
        return 0;
    }
    return r;
}

/* Begin the definition of `o` as "o<id>", of C type `type`: a static
 * object of its own, or a member of the run-once block.  Returns where
 * its initializer is to be written; def_end ends it. */
static FILE *def_begin(struct em *e, PyObject *o, unsigned long id, const char *type)
{
    if (in_block(e, o)) {
        fprintf(e->odecl, "  %s o%lu;\n", type, id);
        fprintf(e->oinit, "  .o%lu = ", id);
        return e->oinit;
    }
    fprintf(e->f, "static %s o%lu CRYO_DFZ_DATA = ", type, id);
    return e->f;
}

static void def_end(struct em *e, FILE *f)
{
    fputs(f == e->f ? ";\n" : ",\n", f);
}

/* The name of `o`'s definition, for references: "o<id>" or
 * "cryo_once.o<id>". */
static const char *def_prefix(struct em *e, PyObject *o)
{
    return in_block(e, o) ? "cryo_once." : "";
}

static const char *remember(struct em *e, PyObject *o, const char *expr)
{
    PyObject *k = PyLong_FromVoidPtr(o), *v = PyUnicode_FromString(expr);
    if (!k || !v || PyDict_SetItem(e->seen, k, v) < 0) {
        Py_XDECREF(k);
        Py_XDECREF(v);
        PyErr_Clear();
        e->unsupported = "(out of memory)";
        return NULL;
    }
    Py_DECREF(k);
    Py_DECREF(v);
    return PyUnicode_AsUTF8(v); /* the dict holds it */
}

static void c_bytes(FILE *f, const unsigned char *p, size_t n)
{
    fputc('"', f);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = p[i];
        if (i && i % 96 == 0)
            fputs("\"\n\"", f);
        if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"' && c != '?')
            fputc(c, f);
        else
            fprintf(f, "\\%03o", c);
    }
    fputc('"', f);
}

static void c_double(FILE *f, double d)
{
    if (isnan(d))
        fputs(signbit(d) ? "-__builtin_nan(\"\")" : "__builtin_nan(\"\")", f);
    else if (isinf(d))
        fputs(d < 0 ? "-__builtin_inf()" : "__builtin_inf()", f);
    else
        fprintf(f, "%a", d);
}

static const char *emit(struct em *e, PyObject *o);

/* A frozenset's members as a tuple, ordered by marshal.dumps() of each, as
 * 3.11's marshal writes them (for reproducible output), so that the
 * frozenset made from it at run time iterates as an unmarshalled one. */
static PyObject *sorted_members(PyObject *set)
{
    PyObject *pairs = PyList_New(0), *it = PyObject_GetIter(set), *item, *t = NULL;
    if (!pairs || !it)
        goto done;
    while ((item = PyIter_Next(it))) {
        PyObject *key = PyMarshal_WriteObjectToString(item, Py_MARSHAL_VERSION);
        PyObject *pair = key ? PyTuple_Pack(2, key, item) : NULL;
        Py_XDECREF(key);
        Py_DECREF(item);
        if (!pair || PyList_Append(pairs, pair) < 0) {
            Py_XDECREF(pair);
            goto done;
        }
        Py_DECREF(pair);
    }
    /* the keys are distinct (the members are), so the items are never compared */
    if (PyErr_Occurred() || PyList_Sort(pairs) < 0)
        goto done;
    t = PyTuple_New(PyList_GET_SIZE(pairs));
    for (Py_ssize_t i = 0; t && i < PyList_GET_SIZE(pairs); i++) {
        PyObject *m = PyTuple_GET_ITEM(PyList_GET_ITEM(pairs, i), 1);
        Py_INCREF(m);
        PyTuple_SET_ITEM(t, i, m);
    }
done:
    Py_XDECREF(pairs);
    Py_XDECREF(it);
    return t;
}

static const char *emit_str(struct em *e, PyObject *o, char *buf, size_t bufn)
{
    Py_ssize_t n = PyUnicode_GET_LENGTH(o);
    Py_UCS4 c0 = n == 1 ? PyUnicode_READ_CHAR(o, 0) : 0;
    if (n == 0) {
        snprintf(buf, bufn, "CRYO_RT(CRYO_RT_STR_EMPTY)");
        return buf;
    }
    if (n == 1 && c0 < 128) {
        snprintf(buf, bufn, "CRYO_RT(CRYO_RT_STR_ASCII + %u * CRYO_RT_STR_ASCII_SIZE)", c0);
        return buf;
    }
    if (n == 1 && c0 < 256) {
        snprintf(buf, bufn, "CRYO_RT(CRYO_RT_STR_LATIN1 + %u * CRYO_RT_STR_LATIN1_SIZE)",
                 c0 - 128);
        return buf;
    }
    /* Named by its content, and shared with every other module's equal
     * string (CRYO_DFZ_SHARED): the names a module uses are mostly those
     * the others use too. */
    int kind = PyUnicode_KIND(o);
    size_t blen = (size_t)n * (size_t)kind;
    char *hb = fz_xmalloc(blen + 1);
    hb[0] = (char)kind;
    memcpy(hb + 1, PyUnicode_DATA(o), blen);
    char *hex = fz_py_sha256_hex(hb, blen + 1);
    free(hb);
    char name[48];
    snprintf(name, sizeof name, "cryo_s_%.32s", hex);
    free(hex);
    snprintf(buf, bufn, "(void *)&%s", name);
    PyObject *known = PyUnicode_FromString(name);
    int dup = known ? PySet_Contains(e->names, known) : -1;
    if (dup == 0 && PySet_Add(e->names, known) < 0)
        dup = -1;
    Py_XDECREF(known);
    if (dup < 0) {
        PyErr_Clear();
        e->unsupported = "(out of memory)";
        return NULL;
    }
    if (dup)
        return buf; /* an equal string, not the same object, in this module */
    FILE *f = e->f;
    if (PyUnicode_IS_ASCII(o)) {
        fprintf(f, "struct { struct cryo_ascii a; char d[%zd]; } %s CRYO_DFZ_SHARED(%.32s) = {{{CRYO_DFZ_REFCNT, "
                   "&PyUnicode_Type}, %zd, -1, {0, 1, 1, 1, 1}, 0}, ",
                n + 1, name, name + 7, n);
        c_bytes(f, PyUnicode_1BYTE_DATA(o), (size_t)n);
        fputs("};\n", f);
    } else {
        const char *t = kind == 1 ? "uint8_t" : kind == 2 ? "uint16_t" : "uint32_t";
        /* As PyUnicode_New makes them: 4-byte strings share their data
         * as wstr where wchar_t is 4 bytes. */
        int share = kind == 4 && sizeof(wchar_t) == 4;
        fprintf(f, "struct { struct cryo_compact c; %s d[%zd]; } %s CRYO_DFZ_SHARED(%.32s) = {{{{CRYO_DFZ_REFCNT, "
                   "&PyUnicode_Type}, %zd, -1, {0, %d, 1, 0, 1}, ",
                t, n + 1, name, name + 7, n, kind);
        if (share)
            fprintf(f, "%s.d}, 0, 0, %zd}, {", name, n);
        else
            fputs("0}, 0, 0, 0}, {", f);
        for (Py_ssize_t i = 0; i < n; i++)
            fprintf(f, "%s%u", i ? (i % 24 ? "," : ",\n") : "", PyUnicode_READ_CHAR(o, i));
        fputs(",0}};\n", f);
    }
    return buf;
}

static const char *emit_bytes(struct em *e, PyObject *o, char *buf, size_t bufn)
{
    Py_ssize_t n = PyBytes_GET_SIZE(o);
    const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(o);
    if (n == 0) {
        snprintf(buf, bufn, "CRYO_RT(CRYO_RT_BYTES_EMPTY)");
        return buf;
    }
    if (n == 1) {
        snprintf(buf, bufn, "CRYO_RT(CRYO_RT_BYTES_CHARS + %u * CRYO_RT_BYTES_CHAR_SIZE)", p[0]);
        return buf;
    }
    unsigned long id = e->next++;
    fprintf(e->f, "static struct { struct cryo_bytes b; char d[%zd]; } o%lu CRYO_DFZ_BYTES = {{{{CRYO_DFZ_REFCNT, "
                  "&PyBytes_Type}, %zd}, -1}, ",
            n + 1, id, n);
    c_bytes(e->f, p, (size_t)n);
    fputs("};\n", e->f);
    snprintf(buf, bufn, "(void *)&o%lu", id);
    return buf;
}

static const char *emit_int(struct em *e, PyObject *o, char *buf, size_t bufn)
{
    int overflow;
    long v = PyLong_AsLongAndOverflow(o, &overflow);
    if (!overflow && v >= -CRYO_RT_SMALL_NEG && v < CRYO_RT_SMALL_POS) {
        snprintf(buf, bufn, "CRYO_RT(CRYO_RT_SMALL_INTS + %ld * CRYO_RT_SMALL_INT_SIZE)",
                 v + CRYO_RT_SMALL_NEG);
        return buf;
    }
    PyErr_Clear();
    PyLongObject *l = (PyLongObject *)o;
    Py_ssize_t size = Py_SIZE(l), nd = size < 0 ? -size : size;
    unsigned long id = e->next++;
    char type[64];
    snprintf(type, sizeof type, "struct { struct cryo_long l; uint32_t d[%zd]; }", nd);
    FILE *f = def_begin(e, o, id, type);
    fprintf(f, "{{{{CRYO_DFZ_REFCNT, &PyLong_Type}, %zd}}, {", size);
    for (Py_ssize_t i = 0; i < nd; i++)
        fprintf(f, "%s%uu", i ? "," : "", (unsigned)l->ob_digit[i]);
    fputs("}}", f);
    def_end(e, f);
    snprintf(buf, bufn, "(void *)&%so%lu", def_prefix(e, o), id);
    return buf;
}

static const char *emit_tuple(struct em *e, PyObject *o, char *buf, size_t bufn)
{
    Py_ssize_t n = PyTuple_GET_SIZE(o);
    if (n == 0) {
        snprintf(buf, bufn, "CRYO_RT(CRYO_RT_TUPLE_EMPTY)");
        return buf;
    }
    char **items = fz_xmalloc((size_t)n * sizeof *items);
    Py_ssize_t done = 0;
    for (; done < n; done++) {
        const char *x = emit(e, PyTuple_GET_ITEM(o, done));
        if (!x)
            break;
        items[done] = fz_xstrdup(x);
    }
    const char *r = NULL;
    if (done == n) {
        unsigned long id = e->next++;
        const char *pre = def_prefix(e, o);
        char type[96];
        snprintf(type, sizeof type,
                 "struct { struct cryo_gc_head g; struct cryo_tuple t; void *i[%zd]; }", n);
        FILE *f = def_begin(e, o, id, type);
        fprintf(f, "{{0, 0}, {{{CRYO_DFZ_REFCNT, &PyTuple_Type}, %zd}}, {", n);
        for (Py_ssize_t i = 0; i < n; i++) {
            fprintf(f, "%s%s", i ? (i % 8 ? ", " : ",\n") : "", items[i]);
            if (PyFrozenSet_CheckExact(PyTuple_GET_ITEM(o, i))) {
                char *s = fz_printf("{&%so%lu.i[%zd], %s}", pre, id, i, items[i]);
                fz_strv_push(&e->sets, s);
                free(s);
            }
        }
        fputs("}}", f);
        def_end(e, f);
        snprintf(buf, bufn, "(void *)&%so%lu.t", pre, id);
        r = buf;
    }
    for (Py_ssize_t i = 0; i < done; i++)
        free(items[i]);
    free(items);
    return r;
}

static const char *emit_code(struct em *e, PyObject *o, char *buf, size_t bufn)
{
    PyCodeObject *co = (PyCodeObject *)o;
    PyObject *bytecode = PyCode_GetCode(co); /* without quickening */
    if (!bytecode) {
        PyErr_Clear();
        e->unsupported = "code (its bytecode)";
        return NULL;
    }
    PyObject *fields[] = {co->co_consts,       co->co_names,        co->co_exceptiontable,
                          co->co_localsplusnames, co->co_localspluskinds, co->co_filename,
                          co->co_name,         co->co_qualname,     co->co_linetable};
    enum { NF = sizeof fields / sizeof *fields };
    char *x[NF];
    size_t done = 0;
    for (; done < NF; done++) {
        const char *s = emit(e, fields[done]);
        if (!s)
            break;
        x[done] = fz_xstrdup(s);
    }
    const char *r = NULL;
    if (done == NF) {
        unsigned long id = e->next++;
        Py_ssize_t n = PyBytes_GET_SIZE(bytecode);
        char type[64];
        snprintf(type, sizeof type, "struct { struct cryo_code c; char b[%zd]; }", n);
        FILE *f = def_begin(e, o, id, type);
        fprintf(f,
                "{{{{CRYO_DFZ_REFCNT, "
                "&PyCode_Type}, %zd},\n %s, %s, %s, %d, CRYO_CODE_WARMUP, 0, %d, %d, %d, %d, %d, "
                "%d, %d, %d, %d, %d,\n %s, %s, %s, %s, %s, %s, 0, 0, 0, %d, 0},\n",
                n / 2, x[0], x[1], x[2], co->co_flags, co->co_argcount,
                co->co_posonlyargcount, co->co_kwonlyargcount, co->co_stacksize,
                co->co_firstlineno, co->co_nlocalsplus, co->co_nlocals, co->co_nplaincellvars,
                co->co_ncellvars, co->co_nfreevars, x[3], x[4], x[5], x[6], x[7], x[8],
                co->_co_firsttraceable);
        c_bytes(f, (const unsigned char *)PyBytes_AS_STRING(bytecode), (size_t)n);
        fputs("}", f);
        def_end(e, f);
        snprintf(buf, bufn, "(void *)&%so%lu.c", def_prefix(e, o), id);
        fz_strv_push(&e->codes, buf);
        r = buf;
    }
    for (size_t i = 0; i < done; i++)
        free(x[i]);
    Py_DECREF(bytecode);
    return r;
}

/* The C expression (a void *) for `o`, emitting its definition (and its
 * parts' before it) on first sight; NULL with e->unsupported set when it
 * cannot be static. */
static const char *emit(struct em *e, PyObject *o)
{
    PyObject *k = PyLong_FromVoidPtr(o);
    PyObject *v = k ? PyDict_GetItemWithError(e->seen, k) : NULL;
    Py_XDECREF(k);
    if (v)
        return PyUnicode_AsUTF8(v);
    if (PyErr_Occurred()) {
        PyErr_Clear();
        e->unsupported = "(out of memory)";
        return NULL;
    }
    char buf[160];
    const char *x = NULL;
    if (o == Py_None)
        x = "(void *)&_Py_NoneStruct";
    else if (o == Py_True)
        x = "(void *)&_Py_TrueStruct";
    else if (o == Py_False)
        x = "(void *)&_Py_FalseStruct";
    else if (o == Py_Ellipsis)
        x = "(void *)&_Py_EllipsisObject";
    else if (PyUnicode_CheckExact(o) && PyUnicode_IS_READY(o))
        x = emit_str(e, o, buf, sizeof buf);
    else if (PyBytes_CheckExact(o))
        x = emit_bytes(e, o, buf, sizeof buf);
    else if (PyLong_CheckExact(o))
        x = emit_int(e, o, buf, sizeof buf);
    else if (PyFloat_CheckExact(o)) {
        unsigned long id = e->next++;
        FILE *f = def_begin(e, o, id, "struct cryo_float");
        fputs("{{CRYO_DFZ_REFCNT, &PyFloat_Type}, ", f);
        c_double(f, PyFloat_AS_DOUBLE(o));
        fputs("}", f);
        def_end(e, f);
        snprintf(buf, sizeof buf, "(void *)&%so%lu", def_prefix(e, o), id);
        x = buf;
    } else if (PyComplex_CheckExact(o)) {
        unsigned long id = e->next++;
        Py_complex c = PyComplex_AsCComplex(o);
        FILE *f = def_begin(e, o, id, "struct cryo_complex");
        fputs("{{CRYO_DFZ_REFCNT, &PyComplex_Type}, ", f);
        c_double(f, c.real);
        fputs(", ", f);
        c_double(f, c.imag);
        fputs("}", f);
        def_end(e, f);
        snprintf(buf, sizeof buf, "(void *)&%so%lu", def_prefix(e, o), id);
        x = buf;
    } else if (PyTuple_CheckExact(o))
        x = emit_tuple(e, o, buf, sizeof buf);
    else if (PyFrozenSet_CheckExact(o)) {
        /* Its members as a static tuple, in marshal's order (sorted by
         * their marshalled bytes, not in the set's order, which string hash
         * randomisation changes from build to build); the parent tuple
         * records the slot (emit_tuple). */
        PyObject *t = sorted_members(o);
        if (!t) {
            PyErr_Clear();
            e->unsupported = "frozenset";
            return NULL;
        }
        /* (t itself is not remembered: its members, which are, live in
         * the set.) */
        x = emit_tuple(e, t, buf, sizeof buf);
        Py_DECREF(t);
        if (x && strcmp(x, "CRYO_RT(CRYO_RT_TUPLE_EMPTY)") == 0) {
            /* frozenset(): a tuple of its own, so the slot can be told */
            unsigned long id = e->next++;
            fprintf(e->f, "static struct { struct cryo_gc_head g; struct cryo_tuple t; } o%lu CRYO_DFZ_DATA = "
                          "{{0, 0}, {{{CRYO_DFZ_REFCNT, &PyTuple_Type}, 0}}};\n", id);
            snprintf(buf, sizeof buf, "(void *)&o%lu.t", id);
        }
    } else if (PyCode_Check(o))
        x = emit_code(e, o, buf, sizeof buf);
    else {
        e->unsupported = Py_TYPE(o)->tp_name;
        return NULL;
    }
    if (!x)
        return NULL;
    return remember(e, o, x);
}

char *fz_dfz_symbol(const char *module)
{
    size_t n = strlen(module);
    char *s = fz_xmalloc(sizeof "cryo_dfz_" + 2 * n);
    strcpy(s, "cryo_dfz_");
    for (size_t i = 0; i < n; i++)
        sprintf(s + 9 + 2 * i, "%02x", (unsigned char)module[i]);
    return s;
}

int fz_dfz_emit(PyObject *code, const char *module, FILE *f, const char **unsupported)
{
    struct em e = {.f = f, .seen = PyDict_New(), .names = PySet_New(NULL), .once = PySet_New(NULL)};
    e.odecl = open_memstream(&e.odecl_buf, &e.odecl_len);
    e.oinit = open_memstream(&e.oinit_buf, &e.oinit_len);
    if (!e.seen || !e.names || !e.once || !e.odecl || !e.oinit) {
        Py_XDECREF(e.seen);
        Py_XDECREF(e.names);
        Py_XDECREF(e.once);
        if (e.odecl)
            fclose(e.odecl);
        if (e.oinit)
            fclose(e.oinit);
        free(e.odecl_buf);
        free(e.oinit_buf);
        PyErr_Clear();
        *unsupported = "(out of memory)";
        return -1;
    }
    fprintf(f, "/* %s: module %s, deep-frozen by cryo (freezer/emit_py311.c) */\n"
               "#define CRYO_DFZ_MODULE 1\n#include \"runtime/frozen_py311.h\"\n",
            DFZ_FORMAT, module);
    if (PyCode_Check(code))
        classify(&e, code);
    const char *top = emit(&e, code);
    int rc = -1;
    int ostreams = fclose(e.odecl) | fclose(e.oinit);
    if (top && PyCode_Check(code) && ostreams == 0) {
        /* The run-once block (never empty: the module's code is in it). */
        fprintf(f, "static struct {\n%s} cryo_once CRYO_DFZ_ONCE = {\n%s};\n",
                e.odecl_buf ? e.odecl_buf : "", e.oinit_buf ? e.oinit_buf : "");
        fputs("static void *codes[] CRYO_DFZ_DATA = {\n", f);
        for (size_t i = 0; i < e.codes.n; i++)
            fprintf(f, "  %s,\n", e.codes.v[i]);
        fputs("};\n", f);
        if (e.sets.n) {
            fputs("static struct cryo_dfz_set sets[] CRYO_DFZ_DATA = {\n", f);
            for (size_t i = 0; i < e.sets.n; i++)
                fprintf(f, "  %s,\n", e.sets.v[i]);
            fputs("};\n", f);
        }
        char *sym = fz_dfz_symbol(module);
        fprintf(f, "struct cryo_dfz %s CRYO_DFZ_DATA = {%s, codes, %zu, %zu, %s, &cryo_once, "
                   "sizeof cryo_once, 0, 0};\n", sym, top, e.codes.n,
                e.sets.n, e.sets.n ? "sets" : "0");
        free(sym);
        rc = 0;
    } else {
        *unsupported = e.unsupported ? e.unsupported : "not a code object";
    }
    fz_strv_free(&e.codes);
    fz_strv_free(&e.sets);
    Py_DECREF(e.seen);
    Py_DECREF(e.names);
    Py_DECREF(e.once);
    free(e.odecl_buf);
    free(e.oinit_buf);
    return ferror(f) ? -1 : rc;
}

/* ---- the build step ------------------------------------------------------ */

/* The object's cache key: the module's compile key (its source, path,
 * optimization level, cryo's and Python's versions), this file's format,
 * and the compiler and flags by name.  Not the compiler's version: the
 * objects are data only, laid out by the C types above, so another gcc
 * makes the same bytes. */
static char *dfz_key(const struct fz_toolchain *tc, const struct fz_module *m)
{
    if (!m->src_key)
        return NULL;
    char *what = fz_printf("%s\n%s %s\n%s", DFZ_FORMAT, tc->cc, FZ_DFZ_CFLAGS, m->name);
    char *key = fz_cache_key(what, m->src_key, strlen(m->src_key), 0);
    free(what);
    return key;
}

/* Where module i's object is put for the link. */
static char *dfz_object(const char *tmp_dir, size_t i)
{
    return fz_printf("%s/dfz%zu.o", tmp_dir, i);
}

static PyObject *load_code(const struct fz_module *m)
{
    char *raw = fz_xmalloc(m->usize ? m->usize : 1);
    PyObject *code = NULL;
    if (LZ4_decompress_safe((const char *)m->zdata, raw, (int)m->zlen, (int)m->usize)
        == (int)m->usize)
        code = PyMarshal_ReadObjectFromString(raw, m->usize);
    free(raw);
    if (!code)
        PyErr_Clear();
    return code;
}

int fz_dfz_prepare(struct fz_graph *g, const struct fz_toolchain *tc, const char *tmp_dir,
                   int packages, struct fz_strv *objects)
{
    size_t n = g->n;
    char **keys = fz_xmalloc((n ? n : 1) * sizeof *keys);
    struct fz_strv srcs = {0}, objs = {0};
    size_t *which = fz_xmalloc((n ? n : 1) * sizeof *which), nmiss = 0, nhit = 0;
    int rc = 0;
    for (size_t i = 0; i < n; i++) {
        struct fz_module *m = &g->mods[i];
        keys[i] = NULL;
        if (m->cold || m->zstd || !m->usize || !m->zdata
            || (m->origin == FZ_ORIGIN_SITE && !packages))
            continue;
        char *obj = dfz_object(tmp_dir, i);
        keys[i] = dfz_key(tc, m);
        struct fz_module tmp = {0};
        struct fz_importv none = {0};
        if (keys[i] && fz_cache_get(keys[i], &tmp, &none) && tmp.usize == tmp.zlen
            && tmp.crc == bl_checksum(tmp.zdata, tmp.zlen)) {
            if (fz_write_file_atomic(obj, (const char *)tmp.zdata, tmp.zlen,
                                     "a deep-frozen module") < 0)
                rc = -1;
            m->dfz = 1;
            nhit++;
        } else {
            PyObject *code = load_code(m);
            char *src = fz_printf("%s/dfz%zu.c", tmp_dir, i);
            FILE *f = code ? fopen(src, "w") : NULL;
            const char *why = code ? "cannot write the C file" : "its code cannot be re-read";
            int ok = f && fz_dfz_emit(code, m->name, f, &why) == 0;
            if (f && fclose(f) != 0)
                ok = 0;
            if (ok) {
                fz_strv_push(&srcs, src);
                fz_strv_push(&objs, obj);
                which[nmiss++] = i;
            } else {
                fz_note("%s stays marshalled: %s", m->name, why);
            }
            Py_XDECREF(code);
            free(src);
        }
        free(tmp.zdata);
        fz_importv_free(&none);
        free(obj);
    }
    if (rc == 0 && nmiss && fz_cc_compile_many(tc, &srcs, &objs) < 0)
        rc = -1;
    for (size_t k = 0; rc == 0 && k < nmiss; k++) {
        struct fz_module *m = &g->mods[which[k]];
        size_t len;
        char *bytes = fz_read_file(objs.v[k], &len);
        if (!bytes) {
            rc = -1;
            break;
        }
        if (keys[which[k]]) {
            struct fz_module tmp = {.zdata = (unsigned char *)bytes, .zlen = len,
                                    .usize = (uint32_t)len,
                                    .crc = bl_checksum((unsigned char *)bytes, len)};
            struct fz_importv none = {0};
            fz_cache_put(keys[which[k]], &tmp, &none);
        }
        free(bytes);
        m->dfz = 1;
    }
    /* The objects go to the link in module order, whichever were cache
     * hits: a build from a partly filled cache (one trimmed by
     * CRYO_CACHE_MAX) laid the image out otherwise. */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (g->mods[i].dfz) {
            char *obj = dfz_object(tmp_dir, i);
            fz_strv_push(objects, obj);
            free(obj);
        }
    }
    /* A deep-frozen module's marshalled code is not packed. */
    for (size_t i = 0; rc == 0 && i < n; i++) {
        struct fz_module *m = &g->mods[i];
        if (m->dfz) {
            m->dfz_bytes = m->usize;
            m->zlen = 0;
            m->usize = 0;
            m->crc = bl_checksum((const unsigned char *)"", 0);
        }
    }
    for (size_t i = 0; i < n; i++)
        free(keys[i]);
    free(keys);
    free(which);
    fz_strv_free(&srcs);
    fz_strv_free(&objs);
    fz_note("deep-frozen modules: %zu (%zu compiled now)", nhit + nmiss, nmiss);
    return rc;
}
