/* scan_imports.c — find the imports of a code object by reading its
 * bytecode.  VERSION-SPECIFIC: the instruction and exception-table formats
 * are CPython 3.11's (Include/opcode.h, Objects/exception_handling_notes.txt).
 *
 * `import a.b`, `from . import x` and `from a import b` all compile to
 *     LOAD_CONST <level>; LOAD_CONST <fromlist>; IMPORT_NAME <name>
 * so the import's name, level and fromlist are read off those three
 * instructions.  Every nested code object (functions, classes,
 * comprehensions) is scanned too: an import inside a function is still a
 * module the program may need.
 *
 * "Eager" means the import runs when the module body runs: it is in the
 * module's own code or in a class body, not inside a function.
 *
 * Calls that import by a constant name are found too: import_module("x")
 * and __import__("x") (as a function or an attribute: importlib.
 * import_module), and find_spec("x"): the callee's name loaded, then
 * LOAD_CONST of a str, then PRECALL 1.  They count as guarded (such code
 * usually copes with the module's absence).
 *
 * "Guarded" means the import sits inside a try whose handler catches
 * ImportError (or ModuleNotFoundError, Exception, BaseException, or is a
 * bare except): such a program copes with the module's absence, so a
 * missing module there is a note, not an error.  The exception table maps
 * each instruction to its innermost handler; when that handler is a `with`
 * or `finally` cleanup, which re-raises, the handler's own code is looked up
 * in the table in turn to find the enclosing try.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <opcode.h>
#include <string.h>

#include "fz.h"

struct codeunit {
    int op, arg;
};

/* Decode the instruction at code unit `i` of `code` (n units), folding
 * EXTENDED_ARG prefixes; returns the index of the unit after it. */
static Py_ssize_t decode(const unsigned char *code, Py_ssize_t n, Py_ssize_t i, struct codeunit *cu)
{
    int arg = 0;
    while (i < n && code[2 * i] == EXTENDED_ARG) {
        arg = (arg << 8) | code[2 * i + 1];
        i++;
    }
    if (i >= n) {
        cu->op = CACHE;
        cu->arg = 0;
        return n;
    }
    cu->op = code[2 * i];
    cu->arg = (arg << 8) | code[2 * i + 1];
    return i + 1;
}

/* ---- exception table (3.11 varint format) ---- */

struct handler {
    int start, end, target; /* code units; [start, end) */
};

static int read_varint(const unsigned char **p, const unsigned char *end, int *out)
{
    if (*p >= end)
        return -1;
    unsigned b = *(*p)++;
    int v = b & 63;
    while (b & 64) {
        if (*p >= end)
            return -1;
        b = *(*p)++;
        v = (v << 6) | (b & 63);
    }
    *out = v;
    return 0;
}

/* The handler covering code unit `at`, or -1 in h->target when none. */
static void find_handler(PyObject *table, int at, struct handler *h)
{
    const unsigned char *p = (const unsigned char *)PyBytes_AS_STRING(table);
    const unsigned char *end = p + PyBytes_GET_SIZE(table);
    h->target = -1;
    while (p < end) {
        int start, size, target, depth;
        if (read_varint(&p, end, &start) || read_varint(&p, end, &size)
            || read_varint(&p, end, &target) || read_varint(&p, end, &depth))
            return;
        if (at >= start && at < start + size) {
            h->start = start;
            h->end = start + size;
            h->target = target;
            return;
        }
    }
}

static int name_catches_import_error(PyObject *names, int idx)
{
    static const char *const catching[] = {
        "ImportError", "ModuleNotFoundError", "Exception", "BaseException", NULL};
    if (idx < 0 || idx >= PyTuple_GET_SIZE(names))
        return 0;
    const char *s = PyUnicode_AsUTF8(PyTuple_GET_ITEM(names, idx));
    if (!s) {
        PyErr_Clear();
        return 0;
    }
    for (int i = 0; catching[i]; i++)
        if (strcmp(s, catching[i]) == 0)
            return 1;
    return 0;
}

/* The instruction at or after `i` that is not a CACHE entry. */
static Py_ssize_t next_insn(const unsigned char *code, Py_ssize_t n, Py_ssize_t i,
                            struct codeunit *cu)
{
    do
        i = decode(code, n, i, cu);
    while (cu->op == CACHE && i < n);
    return i;
}

/* Instructions an except clause's expression compiles to before
 * CHECK_EXC_MATCH / CHECK_EG_MATCH: names, attributes, tuples of them. */
static int in_match_expression(int op)
{
    switch (op) {
    case LOAD_NAME: case LOAD_GLOBAL: case LOAD_ATTR: case LOAD_DEREF: case LOAD_CLASSDEREF:
    case LOAD_FAST: case LOAD_CONST: case BUILD_TUPLE: case BUILD_LIST: case PUSH_NULL:
    case COPY: case SWAP: case NOP:
        return 1;
    }
    return 0;
}

/* 1 if the handler at `target` catches ImportError; 0 if it does not;
 * -1 if it is a cleanup, a `finally` or a chain of clauses none of which
 * matches, all of which re-raise (look further out).  Only the clauses'
 * match expressions are read, never their bodies: from one clause to the
 * next the scan follows the jump taken when a clause does not match. */
static int handler_catches(const unsigned char *code, Py_ssize_t n, PyObject *names, int target)
{
    struct codeunit cu;
    Py_ssize_t i = next_insn(code, n, target, &cu);
    if (cu.op != PUSH_EXC_INFO)
        return -1; /* COPY 3; POP_EXCEPT; RERAISE 1: the handler of a handler */
    while (i < n) {
        int catches = 0, first = 1;
        for (;;) {
            i = next_insn(code, n, i, &cu);
            if (first && cu.op == POP_TOP)
                return 1; /* bare `except:` */
            first = 0;
            if (cu.op == CHECK_EXC_MATCH || cu.op == CHECK_EG_MATCH)
                break;
            if (!in_match_expression(cu.op))
                return -1; /* RERAISE, WITH_EXCEPT_START, a finally body */
            if (cu.op == LOAD_GLOBAL)
                catches |= name_catches_import_error(names, cu.arg >> 1);
            else if (cu.op == LOAD_NAME)
                catches |= name_catches_import_error(names, cu.arg);
        }
        if (catches)
            return 1;
        if (cu.op == CHECK_EG_MATCH)
            return -1; /* except*: later clauses are not followed */
        i = next_insn(code, n, i, &cu);
        if (cu.op != POP_JUMP_FORWARD_IF_FALSE)
            return -1;
        i += cu.arg; /* the next clause */
    }
    return -1;
}

static int is_guarded(PyCodeObject *co, const unsigned char *code, Py_ssize_t n, int at)
{
    PyObject *table = co->co_exceptiontable;
    if (!table || !PyBytes_Check(table) || PyBytes_GET_SIZE(table) == 0)
        return 0;
    for (int hops = 0; hops < 8; hops++) {
        struct handler h;
        find_handler(table, at, &h);
        if (h.target < 0)
            return 0;
        int r = handler_catches(code, n, co->co_names, h.target);
        if (r >= 0)
            return r;
        at = h.target; /* the cleanup's code sits inside the enclosing try */
    }
    return 0;
}

/* ---- the scan ---- */

static void push_import(struct fz_importv *out, struct fz_import *imp)
{
    if (out->n == out->cap) {
        out->cap = out->cap ? 2 * out->cap : 16;
        out->v = fz_xrealloc(out->v, out->cap * sizeof *out->v);
    }
    out->v[out->n++] = *imp;
}

/* Whether instruction `cu` loads a function that imports by name:
 * FZ_IMPORT_CALL, FZ_FIND_SPEC or 0. */
static int called_importer(const struct codeunit *cu, PyObject *names)
{
    int idx;
    if (cu->op == LOAD_GLOBAL)
        idx = cu->arg >> 1; /* 3.11: the low bit says "push NULL too" */
    else if (cu->op == LOAD_NAME || cu->op == LOAD_ATTR || cu->op == LOAD_METHOD)
        idx = cu->arg;
    else
        return 0;
    if (idx >= PyTuple_GET_SIZE(names))
        return 0;
    PyObject *n = PyTuple_GET_ITEM(names, idx);
    if (!PyUnicode_Check(n))
        return 0;
    if (PyUnicode_CompareWithASCIIString(n, "import_module") == 0
        || PyUnicode_CompareWithASCIIString(n, "__import__") == 0)
        return FZ_IMPORT_CALL;
    if (PyUnicode_CompareWithASCIIString(n, "find_spec") == 0)
        return FZ_FIND_SPEC;
    return 0;
}

/* The names of the functions that are a module's command-line entry
 * point (`if __name__ == "__main__": main()`): tokenize.main, json.tool's
 * main, ... */
static int is_cli_function(PyCodeObject *co)
{
    const char *name = PyUnicode_AsUTF8(co->co_name);
    /* random's _test_generator is its _test's helper: it imports
     * statistics, and through it decimal. */
    return name && (strcmp(name, "main") == 0 || strcmp(name, "_main") == 0
                    || strcmp(name, "_test") == 0 || strcmp(name, "_test_generator") == 0);
}

/* `eager`: this code runs when the module body runs (the module's own
 * code, or a class body in it); a function's code does not.  `cli`: it is
 * (inside) a module-level command-line entry function; imports in the
 * module's `if __name__ == "__main__":` block are marked so too. */
static int scan(PyCodeObject *co, struct fz_importv *out, int depth, int eager, int cli)
{
    if (depth > 200)
        return 0; /* pathological nesting: nothing real is that deep */
    PyObject *bytes = PyCode_GetCode(co);
    if (!bytes)
        return -1;
    const unsigned char *code = (const unsigned char *)PyBytes_AS_STRING(bytes);
    Py_ssize_t n = PyBytes_GET_SIZE(bytes) / 2;
    PyObject *consts = co->co_consts, *names = co->co_names;
    struct codeunit prev3 = {CACHE, 0}, prev2 = {CACHE, 0}, prev = {CACHE, 0}, cu;
    Py_ssize_t main_end = -1; /* end of the module's `if __name__ == "__main__":` block */

    for (Py_ssize_t i = 0; i < n;) {
        Py_ssize_t at = i;
        i = decode(code, n, i, &cu);
        if (cu.op == CACHE)
            continue;
        /* LOAD_NAME __name__, LOAD_CONST "__main__", COMPARE_OP ==,
         * POP_JUMP_FORWARD_IF_FALSE: what follows, to the jump's target,
         * runs only when the module is the program (`python -m`). */
        if (depth == 0 && cu.op == POP_JUMP_FORWARD_IF_FALSE && prev.op == COMPARE_OP
            && prev.arg == Py_EQ && prev2.op == LOAD_CONST && prev3.op == LOAD_NAME
            && prev2.arg < PyTuple_GET_SIZE(consts) && prev3.arg < PyTuple_GET_SIZE(names)) {
            PyObject *k = PyTuple_GET_ITEM(consts, prev2.arg);
            PyObject *nm = PyTuple_GET_ITEM(names, prev3.arg);
            if (PyUnicode_Check(k) && PyUnicode_CompareWithASCIIString(k, "__main__") == 0
                && PyUnicode_Check(nm) && PyUnicode_CompareWithASCIIString(nm, "__name__") == 0)
                main_end = i + (Py_ssize_t)cu.arg;
        }
        if (cu.op == PRECALL && cu.arg == 1 && prev.op == LOAD_CONST
            && prev.arg < PyTuple_GET_SIZE(consts)
            && PyUnicode_Check(PyTuple_GET_ITEM(consts, prev.arg))) {
            int kind = called_importer(&prev2, names);
            const char *name = kind ? PyUnicode_AsUTF8(PyTuple_GET_ITEM(consts, prev.arg)) : NULL;
            if (name && *name && name[0] != '.') {
                struct fz_import imp = {0};
                imp.name = fz_xstrdup(name);
                imp.line = PyCode_Addr2Line(co, (int)(2 * at));
                imp.guarded = 1;
                imp.eager = eager;
                imp.main_block = at < main_end;
                imp.cli = cli || imp.main_block;
                imp.computed = kind;
                push_import(out, &imp);
            } else if (kind && !name) {
                PyErr_Clear();
            }
        }
        if (cu.op == IMPORT_NAME && cu.arg < PyTuple_GET_SIZE(names)) {
            struct fz_import imp = {0};
            const char *name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(names, cu.arg));
            if (!name) {
                Py_DECREF(bytes);
                return -1;
            }
            imp.name = fz_xstrdup(name);
            if (prev2.op == LOAD_CONST && prev2.arg < PyTuple_GET_SIZE(consts)) {
                PyObject *lv = PyTuple_GET_ITEM(consts, prev2.arg);
                if (PyLong_Check(lv))
                    imp.level = (int)PyLong_AsLong(lv);
            }
            if (prev.op == LOAD_CONST && prev.arg < PyTuple_GET_SIZE(consts)) {
                PyObject *fl = PyTuple_GET_ITEM(consts, prev.arg);
                if (PyTuple_Check(fl))
                    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(fl); k++) {
                        const char *s = PyUnicode_Check(PyTuple_GET_ITEM(fl, k))
                                            ? PyUnicode_AsUTF8(PyTuple_GET_ITEM(fl, k))
                                            : NULL;
                        if (s)
                            fz_strv_push(&imp.fromlist, s);
                    }
            }
            imp.line = PyCode_Addr2Line(co, (int)(2 * at));
            imp.guarded = is_guarded(co, code, n, (int)at);
            imp.eager = eager;
            imp.main_block = at < main_end;
            imp.cli = cli || imp.main_block;
            push_import(out, &imp);
        }
        prev3 = prev2;
        prev2 = prev;
        prev = cu;
    }
    Py_DECREF(bytes);

    for (Py_ssize_t k = 0; k < PyTuple_GET_SIZE(consts); k++) {
        PyObject *c = PyTuple_GET_ITEM(consts, k);
        /* Functions, lambdas, comprehensions and generators get fresh
         * locals (CO_NEWLOCALS); class bodies do not and run at once. */
        int body = PyCode_Check(c) && !(((PyCodeObject *)c)->co_flags & CO_NEWLOCALS);
        /* Only functions defined by the module body itself count as its
         * command-line entry (depth 0: not methods, not nested). */
        int c_cli = cli || (PyCode_Check(c) && depth == 0 && !body
                            && is_cli_function((PyCodeObject *)c));
        if (PyCode_Check(c) && scan((PyCodeObject *)c, out, depth + 1, eager && body, c_cli) < 0)
            return -1;
    }
    return 0;
}

int fz_scan_imports(void *code, struct fz_importv *out)
{
    if (!code || !PyCode_Check((PyObject *)code)) {
        fz_error("internal: import scan of something that is not a code object");
        return -1;
    }
    if (scan((PyCodeObject *)code, out, 0, 1, 0) < 0) {
        PyErr_Print();
        fz_error("cannot read the bytecode of a module");
        return -1;
    }
    return 0;
}

void fz_importv_free(struct fz_importv *iv)
{
    for (size_t i = 0; i < iv->n; i++) {
        free(iv->v[i].name);
        fz_strv_free(&iv->v[i].fromlist);
    }
    free(iv->v);
    iv->v = NULL;
    iv->n = iv->cap = 0;
}
