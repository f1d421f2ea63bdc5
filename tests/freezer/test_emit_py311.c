/* test_emit_py311.c — freezer/emit_py311.c: the C a deep-frozen module is
 * made of.  Each case compiles Python in the embedded interpreter, emits
 * its code object, and checks the text; the C is compiled too, as cryo
 * build compiles it (FZ_DFZ_CFLAGS).  That the objects work when imported
 * is the end-to-end test's (tests/e2e/programs/deep_frozen.py). */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cryo_config.h"
#include "fz.h"

static void setup(void)
{
    cr_assert_eq(fz_py_start(), 0, "cannot start the embedded interpreter");
}

/* The code object of `src`, compiled; or of the expression `expr` run on
 * it (`co` is the compiled code) when expr is not NULL. */
static PyObject *code_of(const char *src, const char *expr)
{
    PyObject *co = Py_CompileString(src, "t.py", Py_file_input);
    cr_assert_not_null(co, "cannot compile the test's source");
    if (!expr)
        return co;
    PyObject *g = PyDict_New();
    PyDict_SetItemString(g, "co", co);
    PyDict_SetItemString(g, "__builtins__", PyEval_GetBuiltins());
    PyObject *r = PyRun_String(expr, Py_eval_input, g, g);
    if (!r)
        PyErr_Print();
    cr_assert_not_null(r, "cannot evaluate %s", expr);
    Py_DECREF(g);
    Py_DECREF(co);
    return r;
}

/* Emit `code` as module "t"; returns the text (malloc'd), or NULL with
 * *why set. */
static char *emit(PyObject *code, const char **why)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    *why = NULL;
    int rc = fz_dfz_emit(code, "t", f, why);
    fclose(f);
    if (rc != 0) {
        free(text);
        return NULL;
    }
    return text;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

/* The text compiles as cryo build compiles it. */
static void compiles(const char *text)
{
    char dir[] = "/tmp/cryo-test-dfz-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *c = fz_printf("%s/t.c", dir), *o = fz_printf("%s/t.o", dir);
    FILE *f = fopen(c, "w");
    fputs(text, f);
    fclose(f);
    char *cmd = fz_printf("cc %s -Werror -I%s -o %s %s", FZ_DFZ_CFLAGS, CRYO_SOURCE_ROOT, o, c);
    int rc = system(cmd);
    unlink(o);
    unlink(c);
    rmdir(dir);
    cr_assert_eq(rc, 0, "the emitted C does not compile: %s", cmd);
    free(cmd);
    free(c);
    free(o);
}

Test(emit_py311, every_constant_kind, .init = setup)
{
    PyObject *co = code_of("A = (0, -5, 256, 257, -6, 1267650600228229401496703205376, -(2**64), 1.5, -0.0, 1e400, -1e400,\n"
                           "     1e400 * 0, 2j, '', 'a', '\\xe9', 'caf\\xe9', '\\u03a9x',\n"
                           "     '\\U0001F600x', r'a\\nb', b'', b'z', b'\\x00\\xff?\"', None, True,\n"
                           "     False, ..., (), ((1, (2, 'deep')),))\n"
                           "def f(x):\n    return x in {1, 'a', 2.5, None}\n",
                           NULL);
    const char *why;
    char *t = emit(co, &why);
    cr_assert_not_null(t, "emit refused: %s", why);
    /* the interpreter's singletons, referenced */
    cr_assert(strstr(t, "CRYO_RT(CRYO_RT_SMALL_INTS + 5 * CRYO_RT_SMALL_INT_SIZE)"), "0");
    cr_assert(strstr(t, "CRYO_RT(CRYO_RT_SMALL_INTS + 0 * CRYO_RT_SMALL_INT_SIZE)"), "-5");
    cr_assert(strstr(t, "CRYO_RT(CRYO_RT_SMALL_INTS + 261 * CRYO_RT_SMALL_INT_SIZE)"), "256");
    cr_assert(strstr(t, "CRYO_RT(CRYO_RT_TUPLE_EMPTY)"), "()");
    cr_assert(strstr(t, "CRYO_RT(CRYO_RT_STR_EMPTY)"), "''");
    cr_assert(strstr(t, "CRYO_RT(CRYO_RT_STR_ASCII + 97 * CRYO_RT_STR_ASCII_SIZE)"), "'a'");
    cr_assert(strstr(t, "CRYO_RT(CRYO_RT_STR_LATIN1 + 105 * CRYO_RT_STR_LATIN1_SIZE)"), "'\\xe9'");
    cr_assert(strstr(t, "CRYO_RT(CRYO_RT_BYTES_EMPTY)"), "b''");
    cr_assert(strstr(t, "CRYO_RT(CRYO_RT_BYTES_CHARS + 122 * CRYO_RT_BYTES_CHAR_SIZE)"), "b'z'");
    cr_assert(strstr(t, "&_Py_NoneStruct") && strstr(t, "&_Py_TrueStruct")
                  && strstr(t, "&_Py_FalseStruct") && strstr(t, "&_Py_EllipsisObject"));
    /* ints beyond them: 257 is one digit; 2**100 (written out: the
     * compiler folds no power that large) four 30-bit digits, the
     * top one 2**10; -(2**64) three, negative size */
    cr_assert(strstr(t, "&PyLong_Type}, 1}}, {257u}"), "257");
    cr_assert(strstr(t, "&PyLong_Type}, -1}}, {6u}"), "-6");
    cr_assert(strstr(t, "&PyLong_Type}, 4}}, {0u,0u,0u,1024u}"), "2**100");
    cr_assert(strstr(t, "&PyLong_Type}, -3}}, {0u,0u,16u}"), "-(2**64)");
    /* floats: exact hex, signed zero, infinities, NaN */
    cr_assert(strstr(t, "0x1.8p+0"), "1.5");
    cr_assert(strstr(t, "-0x0p+0"), "-0.0");
    cr_assert(strstr(t, "__builtin_inf()") && strstr(t, "-__builtin_inf()"), "infinities");
    cr_assert(strstr(t, "__builtin_nan(\"\")"), "NaN");
    cr_assert(strstr(t, "&PyComplex_Type}, 0x0p+0, 0x1p+1"), "2j");
    /* strings: latin-1 and UCS-2 as compact, non-BMP as UCS-4 sharing wstr */
    cr_assert(strstr(t, "{0, 1, 1, 0, 1}, 0}, 0, 0, 0}, {99,97,102,233,0}"), "'caf\\xe9'");
    cr_assert(strstr(t, "{0, 2, 1, 0, 1}, 0}, 0, 0, 0}, {937,120,0}"), "'\\u03a9x'");
    cr_assert(strstr(t, ".d}, 0, 0, 2}, {128512,120,0}"), "non-BMP");
    /* a raw string's backslash is a backslash (octal 134 in C), not a
     * newline */
    cr_assert(strstr(t, "\"a\\134nb\""), "r'a\\nb'");
    cr_assert(strstr(t, "\"\\000\\377\\077\\042\""), "b'\\x00\\xff?\"'");
    /* the frozenset: a static tuple standing in a slot until import */
    cr_assert_eq(count(t, "struct cryo_dfz_set sets[]"), 1);
    cr_assert(strstr(t, "struct cryo_dfz cryo_dfz_74 CRYO_DFZ_DATA = {"), "the module's struct");
    cr_assert(strstr(t, ", 2, 1, sets, &cryo_once, sizeof cryo_once, 0, 0};"),
              "two code objects, one set, the run-once block");
    compiles(t);
    free(t);
    Py_DECREF(co);
}

Test(emit_py311, equal_strings_are_defined_once, .init = setup)
{
    /* two equal strings that are not the same object */
    PyObject *co = code_of("x = 1\n", "co.replace(co_consts=(''.join(['sp', 'am!']), "
                                      "''.join(['spa', 'm!']), 1, None))");
    const char *why;
    char *t = emit(co, &why);
    cr_assert_not_null(t, "emit refused: %s", why);
    cr_assert_eq(count(t, "char d[6]; } cryo_s_"), 1, "%s", t);
    cr_assert_eq(count(t, "\"spam!\""), 1);
    compiles(t);
    free(t);
    Py_DECREF(co);
}

Test(emit_py311, a_constant_that_cannot_be_static_is_named, .init = setup)
{
    PyObject *co = code_of("x = 1\n", "co.replace(co_consts=(1, object()))");
    const char *why;
    char *t = emit(co, &why);
    cr_assert_null(t);
    cr_assert_str_eq(why, "object");
    Py_DECREF(co);
}

Test(emit_py311, symbols_are_the_names_in_hex)
{
    char *s = fz_dfz_symbol("a.b_c");
    cr_assert_str_eq(s, "cryo_dfz_612e625f63");
    free(s);
}

/* The run-once block: the module's code object and its classes' bodies
 * (not a class made inside a function, whose body runs at each call, nor
 * functions), with their own tuples; what a body loads (A's tuple, B's
 * float) and what a function shares stays outside, defined before it. */
Test(emit_py311, the_run_once_block_holds_the_bodies_and_only_them, .init = setup)
{
    PyObject *co = code_of("A = (1.5, 10**30, ('x', 2.5))\n"
                           "B = 3.25\n"
                           "class K:\n"
                           "    LIMIT = 2**70\n"
                           "    class Inner:\n"
                           "        pass\n"
                           "    def m(self):\n"
                           "        return 3.25\n"
                           "def f():\n"
                           "    class Local:\n"
                           "        pass\n"
                           "    return Local\n",
                           NULL);
    const char *why;
    char *t = emit(co, &why);
    cr_assert_not_null(t, "emit refused: %s", why);
    const char *blk = strstr(t, "static struct {\n");
    cr_assert_not_null(blk, "a run-once block");
    const char *end = strstr(blk, "} cryo_once CRYO_DFZ_ONCE = {");
    cr_assert_not_null(end, "the block's members end before its initializer");
    size_t n = (size_t)(end - blk);
    char *decls = fz_xmalloc(n + 1);
    memcpy(decls, blk, n);
    decls[n] = '\0';
    /* module, K, K.Inner: three code objects in the block; f, K.m and
     * f's Local outside */
    cr_expect_eq(count(decls, "struct cryo_code c;"), 3, "the bodies' code objects:\n%s", decls);
    cr_expect_eq(count(t, "static struct { struct cryo_code c;"), 3, "the functions' outside");
    cr_expect_eq(count(decls, "struct cryo_float"), 0, "no loaded constant in the block");
    cr_expect_eq(count(decls, "struct cryo_long"), 0, "no loaded int in the block");
    cr_expect(strstr(decls, "struct cryo_tuple t;") != NULL, "the bodies' own tuples are in it");
    cr_expect(strstr(t, "(void *)&cryo_once.o"), "members referenced through the block");
    cr_expect(strstr(t, "&cryo_once, sizeof cryo_once, 0, 0};"), "the module's struct names it");
    compiles(t);
    free(decls);
    free(t);
    Py_DECREF(co);
}
