/* frozen_py311.h — CPython 3.11's object layout, as deep-frozen modules use it.
 *
 * A deep-frozen module (freezer/emit_py311.c) is a C file of static objects
 * in the interpreter's own layout: its code objects and all their
 * constants, used in place when the module is imported, never unmarshalled.
 * Those files include only this header, not Python.h: they compile in a
 * tenth of the time, and all knowledge of 3.11's layout is here, in one
 * place.  Its mirror structures are checked against the real headers,
 * field by field, where cryo itself is compiled (freezer/emit_py311.c's
 * static assertions): a libpython whose layout differs stops cryo's own
 * build, never a program at run time.
 *
 * What a static object must look like (what CPython's own deep-freeze,
 * Tools/scripts/deepfreeze.py, relies on too):
 *  - a reference count that never reaches zero (CRYO_DFZ_REFCNT): nothing
 *    ever frees a static object;
 *  - tuples have a PyGC_Head before them, zero: not tracked, so the
 *    collector never sees them;
 *  - strings are not interned and have no hash yet: interning happens when
 *    the module is first imported (runtime/importer.c, rt_dfz_code), for
 *    the names its code uses, as unmarshalling would;
 *  - the interpreter's singletons (small ints, the empty tuple, string and
 *    bytes, one-character strings and bytes) are referenced, not copied,
 *    so identity is what python3.11 gives: they live in _PyRuntime, at the
 *    offsets below;
 *  - frozensets cannot be static (their table is built by hashing): a
 *    static tuple of the members stands in the slot until the first import
 *    replaces it with a frozenset made from it.
 */
#ifndef CRYO_FROZEN_PY311_H
#define CRYO_FROZEN_PY311_H

#include <stdint.h>

/* Bytes objects (line and exception tables, mostly) are read only for
 * tracebacks and exceptions, and nothing counts references to them on the
 * way: grouped in a section of their own, after the data, their pages are
 * neither written nor, mostly, resident. */
#define CRYO_DFZ_BYTES __attribute__((section("cryo_dfz_bytes")))

/* The objects are in sections of their own, which the link gathers
 * (freezer/cc.c, DFZ_LINKER_SCRIPT) into two ranges after the data: the
 * deep-frozen modules' pages are then told from libpython's (CRYO_STATS),
 * and the bytes' pages are apart from the written ones.
 *
 * Strings are named by their content (a hash of it) and defined weak in a
 * section each: the link keeps one of the equal strings of all modules, and
 * the others' sections go (--gc-sections). */
#define CRYO_DFZ_DATA __attribute__((section("cryo_dfz")))
/* A module's run-once block (freezer/emit_py311.c): its body's and its
 * classes' bodies' code objects and the constants only they use, one
 * object per module in a section of their own, whose whole pages are given
 * back once the body has run (runtime/importer.c, dfz_release). */
#define CRYO_DFZ_ONCE __attribute__((section("cryo_dfz_once")))
#define CRYO_DFZ_SHARED(hash) \
    __attribute__((weak, visibility("hidden"), section("cryo_dfz_s." #hash)))

/* A year of increments and decrements cannot bring it to zero. */
#define CRYO_DFZ_REFCNT 999999999

/* The type objects and singletons, by address only: for the deep-frozen
 * modules' files, which do not include Python.h. */
#ifdef CRYO_DFZ_MODULE
struct cryo_opaque;
extern struct cryo_opaque PyUnicode_Type, PyBytes_Type, PyLong_Type, PyFloat_Type,
    PyComplex_Type, PyTuple_Type, PyCode_Type, _Py_NoneStruct, _Py_TrueStruct,
    _Py_FalseStruct, _Py_EllipsisObject, _PyRuntime;
#endif

struct cryo_ob {
    intptr_t refcnt;
    void *type;
};
struct cryo_var {
    struct cryo_ob ob;
    intptr_t size;
};
struct cryo_gc_head {
    uintptr_t next, prev;
};

/* PyASCIIObject */
struct cryo_ascii {
    struct cryo_ob ob;
    intptr_t length;
    intptr_t hash;
    struct {
        unsigned int interned : 2;
        unsigned int kind : 3;
        unsigned int compact : 1;
        unsigned int ascii : 1;
        unsigned int ready : 1;
        unsigned int : 24;
    } state;
    void *wstr;
};
/* PyCompactUnicodeObject */
struct cryo_compact {
    struct cryo_ascii base;
    intptr_t utf8_length;
    char *utf8;
    intptr_t wstr_length;
};
/* PyBytesObject without its bytes */
struct cryo_bytes {
    struct cryo_var var;
    intptr_t hash;
};
/* PyLongObject without its digits (30-bit digits in uint32_t) */
struct cryo_long {
    struct cryo_var var;
};
#define CRYO_LONG_SHIFT 30
struct cryo_float {
    struct cryo_ob ob;
    double value;
};
struct cryo_complex {
    struct cryo_ob ob;
    double real, imag;
};
/* A tuple's head, after its PyGC_Head */
struct cryo_tuple {
    struct cryo_var var;
};
/* PyCodeObject without co_code_adaptive, which follows it */
struct cryo_code {
    struct cryo_var var; /* size: code units (2 bytes each) */
    void *co_consts, *co_names, *co_exceptiontable;
    int co_flags;
    short co_warmup, _co_linearray_entry_size;
    int co_argcount, co_posonlyargcount, co_kwonlyargcount, co_stacksize, co_firstlineno;
    int co_nlocalsplus, co_nlocals, co_nplaincellvars, co_ncellvars, co_nfreevars;
    void *co_localsplusnames, *co_localspluskinds, *co_filename, *co_name, *co_qualname,
        *co_linetable, *co_weakreflist, *_co_code;
    char *_co_linearray;
    int _co_firsttraceable;
    void *co_extra;
};
/* QUICKENING_INITIAL_WARMUP_VALUE */
#define CRYO_CODE_WARMUP (-8)

/* Where the singletons are in _PyRuntime (bytes from its start), and the
 * size of one element of their arrays. */
#define CRYO_RT_SMALL_INTS 680      /* small_ints[0] is -5 */
#define CRYO_RT_SMALL_INT_SIZE 32
#define CRYO_RT_SMALL_NEG 5
#define CRYO_RT_SMALL_POS 257
#define CRYO_RT_BYTES_EMPTY 9064
#define CRYO_RT_BYTES_CHARS 9104
#define CRYO_RT_BYTES_CHAR_SIZE 48
#define CRYO_RT_STR_EMPTY 22304
#define CRYO_RT_STR_ASCII 41480
#define CRYO_RT_STR_ASCII_SIZE 56
#define CRYO_RT_STR_LATIN1 48648
#define CRYO_RT_STR_LATIN1_SIZE 80
#define CRYO_RT_TUPLE_EMPTY 58904
#define CRYO_RT(off) ((void *)((char *)&_PyRuntime + (off)))

/* A frozenset constant: `slot` (an item of a static tuple) holds the
 * static tuple `members` until the module's first import. */
struct cryo_dfz_set {
    void **slot;
    void *members;
};

/* One deep-frozen module, as the module table refers to it. */
struct cryo_dfz {
    void *top;                 /* its code object */
    void *const *codes;        /* all its code objects, for interning */
    uint32_t ncodes, nsets;
    const struct cryo_dfz_set *sets;
    void *once;                /* its run-once block (CRYO_DFZ_ONCE) */
    uintptr_t once_size;
    int ready;                 /* set by the first import; cleared when the
                                  run-once block's pages are given back */
    int released;              /* its body has run: its block's pages may go */
};

#endif
