/* test_scan_imports.c — freezer/scan_imports.c: the imports of a code
 * object, read from CPython 3.11 bytecode.
 *
 * Sources are compiled by the freezer's own embedded interpreter
 * (fz_py_compile), started once per test process by the suite's init.  The
 * expectations are Python's semantics: what `import` statement is in the
 * source, where, and whether a try around it catches ImportError. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"

static void start_python(void)
{
    cr_assert_eq(fz_py_start(), 0, "cannot start the embedded interpreter");
}

static void stop_python(void)
{
    fz_py_stop();
}

TestSuite(scan_imports, .init = start_python, .fini = stop_python);

/* ---- helpers ---- */

static struct fz_importv scan_src(const char *src)
{
    struct fz_importv iv = {0};
    void *code = fz_py_compile(src, strlen(src), "t.py", "t.py", 0);
    cr_assert_not_null(code, "the test source does not compile:\n%.300s", src);
    cr_assert_eq(fz_scan_imports(code, &iv), 0);
    fz_py_decref(code);
    return iv;
}

/* The first import of `name`, or NULL. */
static const struct fz_import *find_imp(const struct fz_importv *iv, const char *name)
{
    for (size_t i = 0; i < iv->n; i++)
        if (strcmp(iv->v[i].name, name) == 0)
            return &iv->v[i];
    return NULL;
}

static size_t count_imp(const struct fz_importv *iv, const char *name)
{
    size_t n = 0;
    for (size_t i = 0; i < iv->n; i++)
        n += strcmp(iv->v[i].name, name) == 0;
    return n;
}

static const struct fz_import *must_find(const struct fz_importv *iv, const char *name)
{
    const struct fz_import *imp = find_imp(iv, name);
    cr_assert_not_null(imp, "no import of '%s' found (%zu imports)", name, iv->n);
    return imp;
}

static void expect_fromlist(const struct fz_import *imp, const char *const *want, size_t n)
{
    cr_assert_eq(imp->fromlist.n, n, "import of '%s': fromlist has %zu names, want %zu",
                 imp->name, imp->fromlist.n, n);
    for (size_t i = 0; i < n; i++)
        cr_expect_str_eq(imp->fromlist.v[i], want[i]);
}

/* Scan `src`, which imports `name` once, and return whether it is guarded. */
static int guarded_in(const char *src, const char *name)
{
    struct fz_importv iv = scan_src(src);
    const struct fz_import *imp = must_find(&iv, name);
    int g = imp->guarded;
    fz_importv_free(&iv);
    return g;
}

/* ---- what an import statement says ---- */

Test(scan_imports, finds_a_dotted_absolute_import)
{
    struct fz_importv iv = scan_src("import a.b.c\n");
    cr_assert_eq(iv.n, 1);
    cr_expect_str_eq(iv.v[0].name, "a.b.c");
    cr_expect_eq(iv.v[0].level, 0);
    cr_expect_eq(iv.v[0].fromlist.n, 0);
    cr_expect_eq(iv.v[0].line, 1);
    cr_expect_eq(iv.v[0].guarded, 0);
    fz_importv_free(&iv);
}

Test(scan_imports, finds_no_imports_in_code_without_any)
{
    struct fz_importv iv = scan_src("x = 1\ndef f():\n    return __import__\nprint(x)\n");
    cr_expect_eq(iv.n, 0);
    fz_importv_free(&iv);
}

Test(scan_imports, records_the_module_not_its_alias)
{
    struct fz_importv iv = scan_src("import a as b\nimport p.q.r as s\n");
    cr_assert_eq(iv.n, 2);
    cr_expect_str_eq(iv.v[0].name, "a");
    cr_expect_str_eq(iv.v[1].name, "p.q.r");
    cr_expect_null(find_imp(&iv, "b"));
    cr_expect_null(find_imp(&iv, "s"));
    fz_importv_free(&iv);
}

Test(scan_imports, finds_every_module_of_one_import_statement)
{
    struct fz_importv iv = scan_src("import a, b.c as d, e\n");
    cr_assert_eq(iv.n, 3);
    cr_expect_str_eq(iv.v[0].name, "a");
    cr_expect_str_eq(iv.v[1].name, "b.c");
    cr_expect_str_eq(iv.v[2].name, "e");
    fz_importv_free(&iv);
}

Test(scan_imports, reads_a_relative_import_of_the_own_package)
{
    struct fz_importv iv = scan_src("from . import x\n");
    cr_assert_eq(iv.n, 1);
    cr_expect_str_eq(iv.v[0].name, "");
    cr_expect_eq(iv.v[0].level, 1);
    expect_fromlist(&iv.v[0], (const char *const[]){"x"}, 1);
    fz_importv_free(&iv);
}

Test(scan_imports, reads_a_relative_import_two_levels_up_with_its_fromlist)
{
    struct fz_importv iv = scan_src("from ..pkg import y, z\n");
    cr_assert_eq(iv.n, 1);
    cr_expect_str_eq(iv.v[0].name, "pkg");
    cr_expect_eq(iv.v[0].level, 2);
    expect_fromlist(&iv.v[0], (const char *const[]){"y", "z"}, 2);
    fz_importv_free(&iv);
}

Test(scan_imports, reads_deep_relative_levels)
{
    struct fz_importv iv = scan_src("from ... import a\nfrom .....m.n import b\n");
    cr_assert_eq(iv.n, 2);
    cr_expect_eq(iv.v[0].level, 3);
    cr_expect_str_eq(iv.v[0].name, "");
    cr_expect_eq(iv.v[1].level, 5);
    cr_expect_str_eq(iv.v[1].name, "m.n");
    fz_importv_free(&iv);
}

Test(scan_imports, reads_a_star_import)
{
    struct fz_importv iv = scan_src("from m import *\n");
    cr_assert_eq(iv.n, 1);
    cr_expect_str_eq(iv.v[0].name, "m");
    cr_expect_eq(iv.v[0].level, 0);
    expect_fromlist(&iv.v[0], (const char *const[]){"*"}, 1);
    fz_importv_free(&iv);
}

Test(scan_imports, reads_the_imported_names_not_their_aliases)
{
    struct fz_importv iv = scan_src("from m.n import (a as b,\n    c,\n)\n");
    cr_assert_eq(iv.n, 1);
    cr_expect_str_eq(iv.v[0].name, "m.n");
    expect_fromlist(&iv.v[0], (const char *const[]){"a", "c"}, 2);
    fz_importv_free(&iv);
}

Test(scan_imports, keeps_absolute_and_relative_imports_of_one_name_apart)
{
    struct fz_importv iv = scan_src("import m\nfrom .m import x\n");
    cr_assert_eq(iv.n, 2);
    cr_expect_eq(iv.v[0].level, 0);
    cr_expect_eq(iv.v[0].fromlist.n, 0);
    cr_expect_eq(iv.v[1].level, 1);
    cr_expect_str_eq(iv.v[1].name, "m");
    fz_importv_free(&iv);
}

/* ---- where imports hide ---- */

Test(scan_imports, finds_imports_inside_functions_classes_and_methods)
{
    struct fz_importv iv = scan_src("def f():\n"
                                    "    import in_function\n"
                                    "class C:\n"
                                    "    import in_class\n"
                                    "    def m(self):\n"
                                    "        from in_method import x\n"
                                    "    @staticmethod\n"
                                    "    def s():\n"
                                    "        import in_staticmethod\n"
                                    "async def g():\n"
                                    "    import in_coroutine\n"
                                    "def gen():\n"
                                    "    yield 1\n"
                                    "    import in_generator\n");
    const char *const names[] = {"in_function", "in_class", "in_method", "in_staticmethod",
                                 "in_coroutine", "in_generator"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cr_expect_not_null(find_imp(&iv, names[i]), "missed %s", names[i]);
    cr_expect_eq(iv.n, 6);
    fz_importv_free(&iv);
}

Test(scan_imports, finds_imports_in_nested_functions_and_classes)
{
    struct fz_importv iv = scan_src("def outer():\n"
                                    "    def middle():\n"
                                    "        class Inner:\n"
                                    "            def deep(self):\n"
                                    "                def deepest():\n"
                                    "                    import very.deep\n"
                                    "                return deepest\n"
                                    "        return Inner\n"
                                    "    return middle\n");
    const struct fz_import *imp = must_find(&iv, "very.deep");
    cr_expect_eq(imp->line, 6);
    fz_importv_free(&iv);
}

Test(scan_imports, finds_imports_next_to_lambdas_and_comprehensions)
{
    /* An import statement cannot sit inside a lambda or a comprehension;
     * their code objects sit among a function's constants, before and
     * after the nested function that imports. */
    struct fz_importv iv = scan_src("def f(xs):\n"
                                    "    key = lambda x: -x\n"
                                    "    ys = [y * 2 for y in xs if y]\n"
                                    "    zs = {k: (lambda: k) for k in ys}\n"
                                    "    def g():\n"
                                    "        import after_lambdas\n"
                                    "    gen = (q for q in zs)\n"
                                    "    import in_f\n"
                                    "    return g, key, gen\n"
                                    "squares = [[i * j for j in range(3)] for i in range(3)]\n"
                                    "import at_top\n");
    cr_expect_not_null(find_imp(&iv, "after_lambdas"));
    cr_expect_not_null(find_imp(&iv, "in_f"));
    cr_expect_not_null(find_imp(&iv, "at_top"));
    cr_expect_eq(iv.n, 3);
    fz_importv_free(&iv);
}

Test(scan_imports, finds_imports_under_if_while_for_and_match)
{
    struct fz_importv iv = scan_src("import sys\n"
                                    "if sys.platform == 'win32':\n"
                                    "    import in_if\n"
                                    "elif sys.platform == 'darwin':\n"
                                    "    import in_elif\n"
                                    "else:\n"
                                    "    import in_else\n"
                                    "while sys.argv:\n"
                                    "    import in_while\n"
                                    "for _ in ():\n"
                                    "    import in_for\n"
                                    "else:\n"
                                    "    import in_for_else\n"
                                    "match sys.argv:\n"
                                    "    case [_, 'x']:\n"
                                    "        import in_case\n"
                                    "if 0:\n"
                                    "    import in_dead_branch\n");
    const char *const names[] = {"sys", "in_if", "in_elif", "in_else", "in_while",
                                 "in_for", "in_for_else", "in_case"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        cr_expect_not_null(find_imp(&iv, names[i]), "missed %s", names[i]);
    fz_importv_free(&iv);
}

/* ---- EXTENDED_ARG ---- */

static char *many_lines(const char *fmt, int n, const char *tail)
{
    size_t cap = (size_t)n * (strlen(fmt) + 24) + strlen(tail) + 1, len = 0;
    char *s = malloc(cap);
    for (int i = 0; i < n; i++)
        len += (size_t)snprintf(s + len, cap - len, fmt, i);
    snprintf(s + len, cap - len, "%s", tail);
    return s;
}

Test(scan_imports, reads_imports_whose_name_index_needs_extended_arg)
{
    /* 300 names before the import: IMPORT_NAME's argument is over 255. */
    char *src = many_lines("name_%d = None\n", 300, "import after.many.names\n");
    struct fz_importv iv = scan_src(src);
    cr_assert_eq(iv.n, 1);
    cr_expect_str_eq(iv.v[0].name, "after.many.names");
    cr_expect_eq(iv.v[0].level, 0);
    cr_expect_eq(iv.v[0].line, 301);
    free(src);
    fz_importv_free(&iv);
}

Test(scan_imports, reads_level_and_fromlist_whose_constants_need_extended_arg)
{
    /* 300 constants, one name: the level and fromlist constants of the
     * import come after index 255. */
    char *src = many_lines("x = 1%d000001\n", 300, "from ...pkg import alpha, beta\n");
    struct fz_importv iv = scan_src(src);
    cr_assert_eq(iv.n, 1);
    cr_expect_str_eq(iv.v[0].name, "pkg");
    cr_expect_eq(iv.v[0].level, 3);
    expect_fromlist(&iv.v[0], (const char *const[]){"alpha", "beta"}, 2);
    cr_expect_eq(iv.v[0].line, 301);
    free(src);
    fz_importv_free(&iv);
}

Test(scan_imports, reads_imports_needing_two_extended_arg_prefixes)
{
    /* Over 65535 names and constants: two EXTENDED_ARG prefixes. */
    size_t n = 66000, cap = n * 32 + 128, len = 0;
    char *src = malloc(cap);
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(src + len, cap - len, "v%zu = %zu\n", i, i + 1000);
    snprintf(src + len, cap - len, "from .. import (far_away)\nimport also.far\n");
    struct fz_importv iv = scan_src(src);
    cr_assert_eq(iv.n, 2);
    cr_expect_str_eq(iv.v[0].name, "");
    cr_expect_eq(iv.v[0].level, 2);
    expect_fromlist(&iv.v[0], (const char *const[]){"far_away"}, 1);
    cr_expect_eq(iv.v[0].line, (int)n + 1);
    cr_expect_str_eq(iv.v[1].name, "also.far");
    cr_expect_eq(iv.v[1].line, (int)n + 2);
    free(src);
    fz_importv_free(&iv);
}

/* ---- line numbers ---- */

Test(scan_imports, reports_the_source_line_of_each_import)
{
    struct fz_importv iv = scan_src("\"\"\"doc\nstring\"\"\"\n"  /* 1-2 */
                                    "\n"                         /* 3 */
                                    "import first\n"             /* 4 */
                                    "x = (1,\n"                  /* 5 */
                                    "     2)\n"                  /* 6 */
                                    "def f():\n"                 /* 7 */
                                    "    y = 1\n"                /* 8 */
                                    "    import second\n"        /* 9 */
                                    "from third import (\n"      /* 10 */
                                    "    a,\n"                   /* 11 */
                                    "    b)\n"                   /* 12 */
                                    "if x: import fourth\n"      /* 13 */
                                    "import fifth; import sixth\n"); /* 14 */
    const struct {
        const char *name;
        int line;
    } want[] = {{"first", 4}, {"second", 9}, {"third", 10},
                {"fourth", 13}, {"fifth", 14}, {"sixth", 14}};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        cr_expect_eq(must_find(&iv, want[i].name)->line, want[i].line, "%s on line %d",
                     want[i].name, must_find(&iv, want[i].name)->line);
    fz_importv_free(&iv);
}

/* ---- guarded imports: the handler catches ImportError ---- */

Test(scan_imports, guards_an_import_under_except_import_error)
{
    cr_expect(guarded_in("try:\n    import opt\nexcept ImportError:\n    opt = None\n", "opt"));
}

Test(scan_imports, guards_an_import_under_except_import_error_as_name)
{
    cr_expect(guarded_in("try:\n    import opt\nexcept ImportError as e:\n    err = e\n", "opt"));
}

Test(scan_imports, guards_an_import_under_except_module_not_found_error)
{
    cr_expect(guarded_in("try:\n    from opt import x\nexcept ModuleNotFoundError:\n    pass\n",
                         "opt"));
}

Test(scan_imports, guards_an_import_under_a_tuple_of_exceptions)
{
    cr_expect(guarded_in("try:\n    import opt\nexcept (ImportError, AttributeError):\n"
                         "    pass\n",
                         "opt"));
    cr_expect(guarded_in("try:\n    import opt\nexcept (AttributeError, ImportError):\n"
                         "    pass\n",
                         "opt"));
}

Test(scan_imports, guards_an_import_under_except_exception)
{
    cr_expect(guarded_in("try:\n    import opt\nexcept Exception:\n    pass\n", "opt"));
    cr_expect(guarded_in("try:\n    import opt\nexcept BaseException:\n    pass\n", "opt"));
}

Test(scan_imports, guards_an_import_under_a_bare_except)
{
    cr_expect(guarded_in("try:\n    import opt\nexcept:\n    pass\n", "opt"));
    cr_expect(guarded_in("try:\n    import opt\nexcept:\n    opt = None\n", "opt"));
}

Test(scan_imports, guards_an_import_under_a_later_except_clause)
{
    cr_expect(guarded_in("try:\n    import opt\nexcept ValueError:\n    pass\n"
                         "except KeyError:\n    pass\nexcept ImportError:\n    opt = None\n",
                         "opt"));
}

Test(scan_imports, guards_an_import_under_except_star_import_error)
{
    cr_expect(guarded_in("try:\n    import opt\nexcept* ImportError:\n    pass\n", "opt"));
}

Test(scan_imports, guards_an_import_inside_with_inside_try_except_import_error)
{
    cr_expect(guarded_in("try:\n"
                         "    with open('f') as f:\n"
                         "        import opt\n"
                         "except ImportError:\n"
                         "    pass\n",
                         "opt"));
}

Test(scan_imports, guards_an_import_inside_nested_withs_and_finally_inside_a_guarding_try)
{
    cr_expect(guarded_in("try:\n"
                         "    with a:\n"
                         "        with b:\n"
                         "            try:\n"
                         "                import opt\n"
                         "            finally:\n"
                         "                cleanup()\n"
                         "except ImportError:\n"
                         "    pass\n",
                         "opt"));
}

Test(scan_imports, guards_an_import_whose_inner_try_catches_something_else)
{
    cr_expect(guarded_in("try:\n"
                         "    try:\n"
                         "        import opt\n"
                         "    except ValueError:\n"
                         "        pass\n"
                         "except ImportError:\n"
                         "    pass\n",
                         "opt"));
}

Test(scan_imports, guards_an_import_inside_a_function)
{
    /* In a function the exception names are globals (LOAD_GLOBAL). */
    cr_expect(guarded_in("def f():\n"
                         "    try:\n"
                         "        import opt\n"
                         "    except ImportError:\n"
                         "        return None\n"
                         "    return opt\n",
                         "opt"));
    cr_expect(guarded_in("def f():\n    try:\n        import opt\n    except:\n        pass\n",
                         "opt"));
}

Test(scan_imports, guards_an_import_inside_a_class_body_and_a_method)
{
    cr_expect(guarded_in("class C:\n    try:\n        import opt\n"
                         "    except ImportError:\n        opt = None\n",
                         "opt"));
    cr_expect(guarded_in("class C:\n    def m(self):\n        try:\n            import opt\n"
                         "        except (ImportError, OSError):\n            pass\n",
                         "opt"));
}

Test(scan_imports, guards_only_the_imports_inside_the_try)
{
    struct fz_importv iv = scan_src("import before\n"
                                    "try:\n"
                                    "    import inside\n"
                                    "except ImportError:\n"
                                    "    import fallback\n"
                                    "import after\n");
    cr_expect_eq(must_find(&iv, "before")->guarded, 0);
    cr_expect_eq(must_find(&iv, "inside")->guarded, 1);
    cr_expect_eq(must_find(&iv, "fallback")->guarded, 0,
                 "an import in the handler itself is not guarded by it");
    cr_expect_eq(must_find(&iv, "after")->guarded, 0);
    fz_importv_free(&iv);
}

/* ---- unguarded imports ---- */

Test(scan_imports, does_not_guard_a_plain_import)
{
    cr_expect_not(guarded_in("import plain\n", "plain"));
    cr_expect_not(guarded_in("def f():\n    import plain\n", "plain"));
}

Test(scan_imports, does_not_guard_an_import_under_except_value_error)
{
    cr_expect_not(guarded_in("try:\n    import opt\nexcept ValueError:\n    pass\n", "opt"));
    cr_expect_not(guarded_in("try:\n    import opt\nexcept (ValueError, KeyError):\n    pass\n",
                             "opt"));
    cr_expect_not(guarded_in("def f():\n    try:\n        import opt\n"
                             "    except OSError:\n        pass\n",
                             "opt"));
}

Test(scan_imports, does_not_guard_an_import_under_try_finally)
{
    cr_expect_not(guarded_in("try:\n    import opt\nfinally:\n    pass\n", "opt"));
    cr_expect_not(guarded_in("try:\n    import opt\nfinally:\n    done = True\n", "opt"));
}

Test(scan_imports, does_not_guard_an_import_inside_with_alone)
{
    cr_expect_not(guarded_in("with open('f') as f:\n    import opt\n", "opt"));
}

Test(scan_imports, does_not_guard_an_import_in_the_else_clause)
{
    cr_expect_not(guarded_in("try:\n    pass\nexcept ImportError:\n    pass\nelse:\n"
                             "    import opt\n",
                             "opt"));
}

Test(scan_imports, does_not_guard_an_import_in_a_finally_clause)
{
    /* 3.11 compiles a finally body twice (normal and exceptional exit). */
    struct fz_importv iv = scan_src("try:\n    pass\nfinally:\n    import opt\n");
    cr_expect_geq(count_imp(&iv, "opt"), 1);
    for (size_t i = 0; i < iv.n; i++)
        cr_expect_eq(iv.v[i].guarded, 0, "copy %zu of the finally body", i);
    fz_importv_free(&iv);
}

Test(scan_imports, does_not_guard_a_function_defined_inside_a_guarding_try)
{
    /* The function body runs later, outside the try. */
    cr_expect_not(guarded_in("try:\n"
                             "    def f():\n"
                             "        import later\n"
                             "except ImportError:\n"
                             "    pass\n",
                             "later"));
}

Test(scan_imports, does_not_guard_an_import_whose_handler_only_mentions_import_error)
{
    /* The handler catches ValueError; ImportError appears only in its
     * body, so an ImportError from `import opt` propagates. */
    cr_expect_not(guarded_in("try:\n"
                             "    import opt\n"
                             "except ValueError:\n"
                             "    raise ImportError('opt is broken')\n",
                             "opt"));
    cr_expect_not(guarded_in("try:\n"
                             "    import opt\n"
                             "except KeyError:\n"
                             "    raise Exception('no key')\n",
                             "opt"));
}

Test(scan_imports, guards_an_import_whose_import_error_clause_follows_a_long_clause)
{
    /* The except ImportError clause comes after a handler body of some
     * length: how long the first body is does not change what is caught. */
    char *body = many_lines("    v%d = 1\n", 40, "");
    size_t cap = strlen(body) + 256;
    char *src = malloc(cap);
    snprintf(src, cap,
             "try:\n    import opt\nexcept ValueError:\n%sexcept ImportError:\n    opt = None\n",
             body);
    cr_expect(guarded_in(src, "opt"));
    free(body);
    free(src);
}

/* ---- the interface ---- */

Test(scan_imports, refuses_something_that_is_not_a_code_object)
{
    struct fz_importv iv = {0};
    cr_expect_eq(fz_scan_imports(NULL, &iv), -1);
    PyObject *s = PyUnicode_FromString("import x");
    cr_expect_eq(fz_scan_imports(s, &iv), -1);
    Py_DECREF(s);
    cr_expect_eq(iv.n, 0);
}

Test(scan_imports, appends_to_what_the_vector_holds)
{
    struct fz_importv iv = scan_src("import one\n");
    void *code = fz_py_compile("import two\nimport three\n", 24, "u.py", "u.py", 0);
    cr_assert_not_null(code);
    cr_assert_eq(fz_scan_imports(code, &iv), 0);
    fz_py_decref(code);
    cr_assert_eq(iv.n, 3);
    cr_expect_str_eq(iv.v[0].name, "one");
    cr_expect_str_eq(iv.v[2].name, "three");
    fz_importv_free(&iv);
    cr_expect_eq(iv.n, 0);
    cr_expect_null(iv.v);
}

Test(scan_imports, compile_reports_a_syntax_error_as_null)
{
    cr_expect_null(fz_py_compile("import\n", 7, "bad.py", "bad.py", 0));
    cr_expect_null(fz_py_compile("x = 1\0\n", 7, "nul.py", "nul.py", 0));
}

Test(scan_imports, marks_command_line_entry_imports)
{
    struct fz_importv iv = scan_src("import always\n"
                                    "def main():\n"
                                    "    import in_main\n"
                                    "def _test():\n"
                                    "    import in_test\n"
                                    "def helper():\n"
                                    "    import in_helper\n"
                                    "class C:\n"
                                    "    def main(self):\n"
                                    "        import in_method_main\n"
                                    "if __name__ == '__main__':\n"
                                    "    import in_main_block\n"
                                    "    main()\n"
                                    "import after_block\n"
                                    "if __name__ != '__main__':\n"
                                    "    import in_not_main\n");
    cr_expect(!must_find(&iv, "always")->cli);
    cr_expect(must_find(&iv, "in_main")->cli);
    cr_expect(must_find(&iv, "in_test")->cli);
    cr_expect(!must_find(&iv, "in_helper")->cli);
    cr_expect(!must_find(&iv, "in_method_main")->cli, "a method named main is not an entry");
    cr_expect(must_find(&iv, "in_main_block")->cli);
    cr_expect(must_find(&iv, "in_main_block")->eager, "the main block is module code");
    cr_expect(!must_find(&iv, "after_block")->cli);
    cr_expect(!must_find(&iv, "in_not_main")->cli);
    fz_importv_free(&iv);
}

/* ---- imports by call, with a constant name ---- */

Test(scan_imports, finds_import_module_dunder_import_and_find_spec_of_constants)
{
    struct fz_importv iv = scan_src(
        "import importlib, importlib.util\n"
        "from importlib import import_module\n"
        "spec = importlib.util.find_spec('html.parser')\n"
        "def f():\n"
        "    importlib.import_module('json.decoder')\n"
        "    import_module('xml.dom')\n"
        "    __import__('csv')\n"
        "    importlib.import_module('.rel', __package__)\n"
        "    name = 'computed'\n"
        "    importlib.import_module(name)\n"
        "__import__('abc')\n");
    const struct fz_import *fs = must_find(&iv, "html.parser");
    cr_expect_eq(fs->computed, FZ_FIND_SPEC);
    cr_expect(fs->eager);
    cr_expect(fs->guarded);
    cr_expect_eq(must_find(&iv, "json.decoder")->computed, FZ_IMPORT_CALL);
    cr_expect_not(must_find(&iv, "json.decoder")->eager);
    cr_expect_eq(must_find(&iv, "xml.dom")->computed, FZ_IMPORT_CALL);
    cr_expect_eq(must_find(&iv, "csv")->computed, FZ_IMPORT_CALL);
    cr_expect_eq(must_find(&iv, "abc")->computed, FZ_IMPORT_CALL);
    cr_expect_null(find_imp(&iv, ".rel"));     /* two arguments: not followed */
    cr_expect_null(find_imp(&iv, "computed")); /* not a constant at the call */
    cr_expect_eq(must_find(&iv, "importlib.util")->computed, 0);
    fz_importv_free(&iv);
}
