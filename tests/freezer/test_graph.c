/* test_graph.c — fz_graph_build (freezer/graph.c): which modules a script
 * needs, found the way python3.11 would find them.
 *
 * Each test writes a small program (a script, its modules and packages)
 * into a fresh temporary directory and builds its graph against Debian's
 * standard library, as `cryo build` does.  A few tests use a tiny standard
 * library of their own, to see what happens to standard-library code
 * without depending on what Debian's happens to contain. */
#define _GNU_SOURCE
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <marshal.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <lz4.h>
#include <lzma.h>
#include <zstd.h>

#include "../../bootloader/bootloader.h"

#include "fz.h"

#define STDLIB "/usr/lib/python3.11"

/* ---- temporary program trees ---- */

struct tree {
    char dir[64];
};

/* The tree of the running test, removed by the suite's fini if a failed
 * assertion ended the test before tree_free. */
static char live_tree[64];

static void tree_new(struct tree *t)
{
    snprintf(t->dir, sizeof t->dir, "/tmp/cryo-test-graph-XXXXXX");
    cr_assert_not_null(mkdtemp(t->dir), "mkdtemp: %s", strerror(errno));
    snprintf(live_tree, sizeof live_tree, "%s", t->dir);
}

static char *tree_path(const struct tree *t, const char *rel)
{
    return fz_printf("%s/%s", t->dir, rel);
}

/* Write `content` to `rel` inside the tree, creating directories. */
static void put(const struct tree *t, const char *rel, const char *content)
{
    char *path = tree_path(t, rel);
    for (char *s = path + strlen(t->dir) + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            cr_assert(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", path,
                      strerror(errno));
            *s = '/';
        }
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "cannot write %s: %s", path, strerror(errno));
    fputs(content, f);
    cr_assert_eq(fclose(f), 0);
    free(path);
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void tree_free(struct tree *t)
{
    nftw(t->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    live_tree[0] = '\0';
}

static void start_python(void)
{
    cr_assert_eq(fz_py_start(), 0, "cannot start the embedded interpreter");
}

static void stop_python(void)
{
    if (live_tree[0])
        nftw(live_tree, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    fz_py_stop();
}

TestSuite(graph, .init = start_python, .fini = stop_python);

/* ---- building graphs ---- */

struct opts {
    const char *stdlib;           /* NULL: Debian's */
    const char *const *paths;     /* NULL-terminated, relative to the tree */
    const char *const *includes;
    const char *const *packages;  /* --include-package */
    const char *const *excludes;
    const char *const *site;      /* site directories, relative to the tree */
    const struct fz_natives *natives; /* NULL: Debian's libpython (none) */
    const char *run_module;       /* -m NAME */
};

static int build(const struct tree *t, const char *script, const struct opts *o,
                 struct fz_graph *g)
{
    struct fz_graph_options opt = {0};
    char *script_path = tree_path(t, script);
    char *stdlib = o && o->stdlib ? tree_path(t, o->stdlib) : fz_xstrdup(STDLIB);
    opt.script = script_path;
    opt.stdlib_dir = stdlib;
    opt.natives = o ? o->natives : NULL;
    opt.run_module = o ? o->run_module : NULL;
    for (const char *const *p = o ? o->paths : NULL; p && *p; p++) {
        char *d = tree_path(t, *p);
        fz_strv_push(&opt.paths, d);
        free(d);
    }
    for (const char *const *p = o ? o->includes : NULL; p && *p; p++)
        fz_strv_push(&opt.includes, *p);
    for (const char *const *p = o ? o->packages : NULL; p && *p; p++)
        fz_strv_push(&opt.include_packages, *p);
    for (const char *const *p = o ? o->excludes : NULL; p && *p; p++)
        fz_strv_push(&opt.excludes, *p);
    for (const char *const *p = o ? o->site : NULL; p && *p; p++) {
        char *d = tree_path(t, *p);
        fz_strv_push(&opt.site_dirs, d);
        free(d);
    }
    int r = fz_graph_build(&opt, g);
    fz_strv_free(&opt.site_dirs);
    fz_strv_free(&opt.paths);
    fz_strv_free(&opt.includes);
    fz_strv_free(&opt.include_packages);
    fz_strv_free(&opt.excludes);
    free(script_path);
    free(stdlib);
    return r;
}

/* Build a graph that must succeed. */
static void build_ok(const struct tree *t, const char *script, const struct opts *o,
                     struct fz_graph *g)
{
    cr_assert_eq(build(t, script, o, g), 0, "fz_graph_build failed (see stderr)");
    cr_assert_eq(g->missing_errors, 0);
}

static const struct fz_module *mod(const struct fz_graph *g, const char *name)
{
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->mods[i].name, name) == 0)
            return &g->mods[i];
    return NULL;
}

static const struct fz_module *must_have(const struct fz_graph *g, const char *name)
{
    const struct fz_module *m = mod(g, name);
    cr_assert_not_null(m, "module '%s' is not in the graph", name);
    return m;
}

static void must_not_have(const struct fz_graph *g, const char *name)
{
    cr_expect_null(mod(g, name), "module '%s' should not be in the graph", name);
}

/* No module named `prefix` or below it. */
static void must_not_have_tree(const struct fz_graph *g, const char *prefix)
{
    size_t n = strlen(prefix);
    for (size_t i = 0; i < g->n; i++) {
        const char *s = g->mods[i].name;
        cr_expect(!(strncmp(s, prefix, n) == 0 && (s[n] == '\0' || s[n] == '.')),
                  "module '%s' should not be in the graph", s);
    }
}

static const struct fz_data *data_file(const struct fz_graph *g, const char *vpath)
{
    for (size_t i = 0; i < g->ndata; i++)
        if (strcmp(g->data[i].vpath, vpath) == 0)
            return &g->data[i];
    return NULL;
}

/* A standard library of our own: encodings (always packed) and whatever
 * the test adds under "std/". */
static void put_tiny_stdlib(const struct tree *t)
{
    put(t, "std/encodings/__init__.py", "");
    put(t, "std/encodings/utf_8.py", "");
}

/* ---- the script ---- */

Test(graph, makes_the_script_the_main_module)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "print('hi')\n");
    build_ok(&t, "app.py", NULL, &g);
    const struct fz_module *m = must_have(&g, "__main__");
    cr_expect(m->is_main);
    cr_expect_not(m->is_package);
    cr_expect_eq(m->origin, FZ_ORIGIN_USER);
    cr_expect_str_eq(m->vpath, "app.py");
    char *want = tree_path(&t, "app.py");
    cr_expect_str_eq(m->disk_path, want);
    free(want);
    size_t mains = 0;
    for (size_t i = 0; i < g.n; i++)
        mains += g.mods[i].is_main != 0;
    cr_expect_eq(mains, 1, "exactly one module is the script");
    must_not_have(&g, "app");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, fails_when_the_script_does_not_compile)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "def broken(:\n");
    cr_expect_eq(build(&t, "app.py", NULL, &g), -1);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, fails_when_the_script_does_not_exist)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    cr_expect_eq(build(&t, "missing.py", NULL, &g), -1);
    fz_graph_free(&g);
    tree_free(&t);
}

/* ---- user modules and packages ---- */

Test(graph, finds_user_modules_and_packages_next_to_the_script)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import helper\nimport pkg.sub\n");
    put(&t, "helper.py", "X = 1\n");
    put(&t, "pkg/__init__.py", "");
    put(&t, "pkg/sub.py", "Y = 2\n");
    build_ok(&t, "app.py", NULL, &g);

    const struct fz_module *h = must_have(&g, "helper");
    cr_expect_not(h->is_package);
    cr_expect_not(h->is_main);
    cr_expect_eq(h->origin, FZ_ORIGIN_USER);
    cr_expect_str_eq(h->vpath, "helper.py");
    char *want = tree_path(&t, "helper.py");
    cr_expect_str_eq(h->disk_path, want);
    free(want);

    const struct fz_module *p = must_have(&g, "pkg");
    cr_expect(p->is_package);
    cr_expect_eq(p->origin, FZ_ORIGIN_USER);
    cr_expect_str_eq(p->vpath, "pkg/__init__.py");
    want = tree_path(&t, "pkg");
    cr_expect_str_eq(p->pkg_dir, want);
    free(want);

    const struct fz_module *s = must_have(&g, "pkg.sub");
    cr_expect_not(s->is_package);
    cr_expect_eq(s->origin, FZ_ORIGIN_USER);
    cr_expect_str_eq(s->vpath, "pkg/sub.py");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, finds_modules_in_a_namespace_package)
{
    /* PEP 420: a directory without __init__.py is a namespace package;
     * python3.11 app.py runs this program. */
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import ns.mod\n");
    put(&t, "ns/mod.py", "print('in a namespace package')\n");
    build_ok(&t, "app.py", NULL, &g);
    const struct fz_module *ns = must_have(&g, "ns");
    cr_expect(ns->is_package);
    cr_expect_null(ns->disk_path, "a namespace package has no source");
    must_have(&g, "ns.mod");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, follows_imports_of_imported_modules)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import a\n");
    put(&t, "a.py", "def f():\n    import b\n");
    put(&t, "b.py", "class C:\n    import c\n");
    put(&t, "c.py", "");
    build_ok(&t, "app.py", NULL, &g);
    must_have(&g, "a");
    must_have(&g, "b");
    must_have(&g, "c");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, packs_an_imported_user_package_whole)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import pkg.used\n");
    put(&t, "pkg/__init__.py", "");
    put(&t, "pkg/used.py", "");
    put(&t, "pkg/never_imported.py", "");
    put(&t, "pkg/inner/__init__.py", "");
    put(&t, "pkg/inner/leaf.py", "");
    put(&t, "pkg/tests/__init__.py", "");
    put(&t, "pkg/tests/test_used.py", "");
    /* Not modules: */
    put(&t, "pkg/no_init/x.py", "");
    put(&t, "pkg/data.txt", "text\n");
    put(&t, "pkg/with-dash.py", "");
    put(&t, "pkg/1digit.py", "");
    put(&t, "unrelated.py", "");
    build_ok(&t, "app.py", NULL, &g);
    must_have(&g, "pkg.used");
    const struct fz_module *n = must_have(&g, "pkg.never_imported");
    cr_expect_eq(n->origin, FZ_ORIGIN_USER);
    cr_expect(must_have(&g, "pkg.inner")->is_package);
    must_have(&g, "pkg.inner.leaf");
    must_have(&g, "pkg.tests");
    must_have(&g, "pkg.tests.test_used");
    must_not_have(&g, "pkg.no_init");
    must_not_have(&g, "pkg.no_init.x");
    must_not_have(&g, "pkg.data");
    must_not_have(&g, "pkg.with-dash");
    must_not_have(&g, "pkg.1digit");
    must_not_have(&g, "unrelated");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, follows_imports_of_modules_packed_only_as_part_of_a_package)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import pkg\n");
    put(&t, "pkg/__init__.py", "");
    put(&t, "pkg/plugin.py", "import support\n");
    put(&t, "support.py", "");
    build_ok(&t, "app.py", NULL, &g);
    must_have(&g, "pkg.plugin");
    must_have(&g, "support");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, finds_a_user_package_imported_with_from)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "from pkg import sub\nfrom pkg import VALUE\n");
    put(&t, "pkg/__init__.py", "VALUE = 1\n");
    put(&t, "pkg/sub.py", "");
    build_ok(&t, "app.py", NULL, &g);
    must_have(&g, "pkg");
    must_have(&g, "pkg.sub");
    must_not_have(&g, "pkg.VALUE");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, adds_a_standard_library_submodule_imported_with_from)
{
    /* xml's __init__ does not import xml.dom: only the from-import names it. */
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "from xml import dom\nfrom json import loads\n");
    build_ok(&t, "app.py", NULL, &g);
    must_have(&g, "xml");
    const struct fz_module *d = must_have(&g, "xml.dom");
    cr_expect(d->is_package);
    cr_expect_eq(d->origin, FZ_ORIGIN_STDLIB);
    must_have(&g, "xml.dom.domreg"); /* xml.dom's own relative import */
    must_have(&g, "json");
    must_not_have(&g, "json.loads");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, does_not_pack_standard_library_packages_whole)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import xml\n");
    build_ok(&t, "app.py", NULL, &g);
    must_have(&g, "xml");
    must_not_have_tree(&g, "xml.sax");
    must_not_have_tree(&g, "xml.etree");
    must_not_have_tree(&g, "xml.dom");
    fz_graph_free(&g);
    tree_free(&t);
}

/* ---- relative imports ---- */

Test(graph, follows_relative_imports_in_packages)
{
    /* In standard-library code, which is not packed whole, only what the
     * relative imports name is in the graph. */
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "std/spkg/__init__.py", "from . import used\n");
    put(&t, "std/spkg/used.py", "from .deep import thing\nfrom .deep.more import x\n");
    put(&t, "std/spkg/deep/__init__.py", "thing = 1\n");
    put(&t, "std/spkg/deep/more.py", "from .. import other\nfrom ..up import y\n");
    put(&t, "std/spkg/other.py", "");
    put(&t, "std/spkg/up.py", "y = 1\n");
    put(&t, "std/spkg/unused.py", "");
    put(&t, "app.py", "import spkg\n");
    struct opts o = {.stdlib = "std"};
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "spkg.used");
    must_have(&g, "spkg.deep");
    must_have(&g, "spkg.deep.more");
    must_have(&g, "spkg.other");
    must_have(&g, "spkg.up");
    must_not_have(&g, "spkg.unused");
    must_not_have(&g, "used");
    must_not_have(&g, "deep");
    must_not_have(&g, "other");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, fails_on_a_relative_import_of_a_missing_user_module)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import pkg.a\n");
    put(&t, "pkg/__init__.py", "");
    put(&t, "pkg/a.py", "from .missing_sibling import x\n");
    cr_expect_eq(build(&t, "app.py", NULL, &g), -1);
    cr_expect_eq(g.missing_errors, 1);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, fails_on_a_relative_import_beyond_the_top_level_package)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import pkg.a\n");
    put(&t, "pkg/__init__.py", "");
    put(&t, "pkg/a.py", "from .. import outside\n");
    put(&t, "outside.py", "");
    cr_expect_eq(build(&t, "app.py", NULL, &g), -1);
    cr_expect_eq(g.missing_errors, 1);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, fails_on_a_relative_import_in_the_script)
{
    /* python3.11 app.py: "attempted relative import with no known parent
     * package". */
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "from . import helper\n");
    put(&t, "helper.py", "");
    cr_expect_eq(build(&t, "app.py", NULL, &g), -1);
    cr_expect_gt(g.missing_errors, 0);
    fz_graph_free(&g);
    tree_free(&t);
}

/* ---- missing modules ---- */

Test(graph, fails_on_an_unguarded_import_of_a_missing_module)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import helper\n");
    put(&t, "helper.py", "import cryo_no_such_module_xyz\n");
    cr_expect_eq(build(&t, "app.py", NULL, &g), -1);
    cr_expect_eq(g.missing_errors, 1);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, fails_on_a_missing_submodule_of_a_user_package)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import pkg.nope\n");
    put(&t, "pkg/__init__.py", "");
    cr_expect_eq(build(&t, "app.py", NULL, &g), -1);
    cr_expect_eq(g.missing_errors, 1);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, fails_on_a_missing_import_inside_a_function)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "def main():\n    import cryo_no_such_module_xyz\n");
    cr_expect_eq(build(&t, "app.py", NULL, &g), -1);
    cr_expect_eq(g.missing_errors, 1);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, counts_every_distinct_missing_import)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import cryo_missing_one\nimport cryo_missing_two\n");
    cr_expect_eq(build(&t, "app.py", NULL, &g), -1);
    cr_expect_eq(g.missing_errors, 2);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, reports_a_missing_import_once_however_often_3_11_compiles_it)
{
    /* 3.11 compiles a finally body twice; the source has one import. */
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "try:\n    pass\nfinally:\n    import cryo_no_such_module_xyz\n");
    cr_expect_eq(build(&t, "app.py", NULL, &g), -1);
    cr_expect_eq(g.missing_errors, 1, "one missing import reported %zu times",
                 g.missing_errors);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, accepts_a_guarded_import_of_a_missing_module)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "try:\n    import cryo_no_such_module_xyz\nexcept ImportError:\n"
                      "    cryo_no_such_module_xyz = None\n");
    build_ok(&t, "app.py", NULL, &g);
    must_not_have(&g, "cryo_no_such_module_xyz");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, accepts_an_unknown_name_imported_from_a_package)
{
    /* `from pkg import name`: name may be an attribute set at run time. */
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "from pkg import computed\n");
    put(&t, "pkg/__init__.py", "globals()['computed'] = 1\n");
    build_ok(&t, "app.py", NULL, &g);
    must_not_have(&g, "pkg.computed");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, accepts_missing_imports_of_standard_library_code)
{
    /* The standard library imports platform modules under run-time
     * conditions: a miss there is a note, not an error. */
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "std/stdmod.py", "import cryo_platform_only_module\n");
    put(&t, "app.py", "import stdmod\n");
    struct opts o = {.stdlib = "std"};
    build_ok(&t, "app.py", &o, &g);
    const struct fz_module *m = must_have(&g, "stdmod");
    cr_expect_eq(m->origin, FZ_ORIGIN_STDLIB);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, fails_on_a_syntax_error_in_an_imported_user_module)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import helper\n");
    put(&t, "helper.py", "x = = 1\n");
    cr_expect_eq(build(&t, "app.py", NULL, &g), -1);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, leaves_out_standard_library_files_that_do_not_compile)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "std/fixture.py", "print 'python 2'\n");
    put(&t, "app.py", "try:\n    import fixture\nexcept ImportError:\n    pass\n");
    struct opts o = {.stdlib = "std"};
    build_ok(&t, "app.py", &o, &g);
    must_not_have(&g, "fixture");
    fz_graph_free(&g);
    tree_free(&t);
}

/* ---- --path, --exclude-module, --include-module ---- */

Test(graph, finds_modules_in_path_directories_as_user_code)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "src/app.py", "import lib_mod\nimport lib_pkg\n");
    put(&t, "vendor/lib_mod.py", "");
    put(&t, "vendor/lib_pkg/__init__.py", "");
    put(&t, "vendor/lib_pkg/extra.py", "");
    struct opts o = {.paths = (const char *const[]){"vendor", NULL}};
    build_ok(&t, "src/app.py", &o, &g);
    cr_expect_eq(must_have(&g, "lib_mod")->origin, FZ_ORIGIN_USER);
    cr_expect_eq(must_have(&g, "lib_pkg")->origin, FZ_ORIGIN_USER);
    must_have(&g, "lib_pkg.extra"); /* user code: packed whole */
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, prefers_the_script_directory_to_path_and_stdlib)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "src/app.py", "import shared\nimport json\n");
    put(&t, "src/shared.py", "");
    put(&t, "src/json.py", "");
    put(&t, "vendor/shared.py", "");
    struct opts o = {.paths = (const char *const[]){"vendor", NULL}};
    build_ok(&t, "src/app.py", &o, &g);
    char *want = tree_path(&t, "src/shared.py");
    cr_expect_str_eq(must_have(&g, "shared")->disk_path, want);
    free(want);
    want = tree_path(&t, "src/json.py");
    const struct fz_module *j = must_have(&g, "json");
    cr_expect_str_eq(j->disk_path, want, "a json.py next to the script shadows the stdlib's");
    cr_expect_eq(j->origin, FZ_ORIGIN_USER);
    must_not_have(&g, "json.decoder");
    free(want);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, accepts_a_missing_import_that_is_excluded)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import cryo_no_such_module_xyz.sub\nimport cryo_other_missing\n");
    struct opts o = {
        .excludes = (const char *const[]){"cryo_no_such_module_xyz", "cryo_other_missing", NULL}};
    build_ok(&t, "app.py", &o, &g);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, keeps_an_excluded_package_and_its_modules_out)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import pkg\nimport helper\nimport json\n");
    put(&t, "pkg/__init__.py", "");
    put(&t, "pkg/mod.py", "");
    put(&t, "helper.py", "");
    struct opts o = {.excludes = (const char *const[]){"pkg", "helper", "json", NULL}};
    build_ok(&t, "app.py", &o, &g);
    must_not_have_tree(&g, "pkg");
    must_not_have(&g, "helper");
    must_not_have_tree(&g, "json");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, keeps_an_excluded_submodule_out_of_a_package_packed_whole)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import pkg\n");
    put(&t, "pkg/__init__.py", "");
    put(&t, "pkg/keep.py", "");
    put(&t, "pkg/big/__init__.py", "");
    put(&t, "pkg/big/part.py", "");
    put(&t, "pkg/heavy.py", "import cryo_no_such_module_xyz\n");
    struct opts o = {.excludes = (const char *const[]){"pkg.big", "pkg.heavy", NULL}};
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "pkg");
    must_have(&g, "pkg.keep");
    must_not_have_tree(&g, "pkg.big");
    must_not_have(&g, "pkg.heavy");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, excludes_whole_names_not_name_prefixes)
{
    /* --exclude-module pkg leaves pkgextra alone. */
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import pkgextra\n");
    put(&t, "pkgextra.py", "");
    struct opts o = {.excludes = (const char *const[]){"pkg", NULL}};
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "pkgextra");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, adds_included_modules_the_script_does_not_import)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "print('plugins are loaded by name')\n");
    put(&t, "plugin.py", "");
    struct opts o = {.includes = (const char *const[]){"plugin", "json", NULL}};
    build_ok(&t, "app.py", &o, &g);
    cr_expect_eq(must_have(&g, "plugin")->origin, FZ_ORIGIN_USER);
    must_have(&g, "json");
    must_have(&g, "json.decoder"); /* and what they import */
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, packs_an_included_package_whole_and_refuses_a_module)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "app.py", "");
    put(&t, "std/stdpkg/__init__.py", "");
    put(&t, "std/stdpkg/a.py", "");
    put(&t, "std/stdpkg/sub/__init__.py", "");
    put(&t, "std/stdpkg/sub/b.py", "");
    put(&t, "std/onemodule.py", "");
    struct opts o = {.stdlib = "std", .packages = (const char *const[]){"stdpkg", NULL}};
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "stdpkg.a"); /* a standard-library package too, though no import names them */
    must_have(&g, "stdpkg.sub.b");
    fz_graph_free(&g);
    struct opts m = {.stdlib = "std", .packages = (const char *const[]){"onemodule", NULL}};
    cr_expect_eq(build(&t, "app.py", &m, &g), -1);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, fails_when_an_included_module_does_not_exist)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "");
    struct opts o = {.includes = (const char *const[]){"cryo_no_such_module_xyz", NULL}};
    cr_expect_eq(build(&t, "app.py", &o, &g), -1);
    fz_graph_free(&g);
    tree_free(&t);
    tree_new(&t);
    put(&t, "app.py", "");
    put(&t, "pkg/__init__.py", "");
    struct opts o2 = {.includes = (const char *const[]){"pkg.cryo_no_such_submodule", NULL}};
    cr_expect_eq(build(&t, "app.py", &o2, &g), -1);
    fz_graph_free(&g);
    tree_free(&t);
}

/* ---- what libpython serves ---- */

Test(graph, always_packs_encodings_whole)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "");
    build_ok(&t, "app.py", NULL, &g);
    const struct fz_module *e = must_have(&g, "encodings");
    cr_expect(e->is_package);
    cr_expect_eq(e->origin, FZ_ORIGIN_STDLIB);
    cr_expect_str_eq(e->disk_path, STDLIB "/encodings/__init__.py");
    cr_expect_str_eq(e->vpath, "encodings/__init__.py");
    /* Codecs are looked up by name at run time: all of them are there. */
    must_have(&g, "encodings.utf_8");
    must_have(&g, "encodings.aliases");
    must_have(&g, "encodings.latin_1");
    must_have(&g, "encodings.cp1252");
    must_have(&g, "encodings.idna");
    cr_expect_str_eq(must_have(&g, "encodings.utf_8")->vpath, "encodings/utf_8.py");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, leaves_out_modules_frozen_into_libpython)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import os, os.path, codecs, io, abc, stat, posixpath, zipimport\n"
                      "from os import path\n");
    build_ok(&t, "app.py", NULL, &g);
    const char *const frozen[] = {"os", "os.path", "codecs", "io", "abc", "stat", "posixpath",
                                  "zipimport", "genericpath", "_collections_abc"};
    for (size_t i = 0; i < sizeof frozen / sizeof frozen[0]; i++)
        must_not_have(&g, frozen[i]);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, follows_the_imports_of_modules_frozen_into_libpython)
{
    /* importlib.util is frozen; it imports importlib._abc, which is not. */
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import importlib.util\n");
    build_ok(&t, "app.py", NULL, &g);
    must_not_have(&g, "importlib.util");
    must_have(&g, "importlib");
    must_have(&g, "importlib._abc");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, leaves_out_frozen_submodules_imported_with_from)
{
    /* `from importlib import util` needs importlib.util exactly as
     * `import importlib.util` does, and libpython serves it. */
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "from importlib import util, machinery\n");
    build_ok(&t, "app.py", NULL, &g);
    must_have(&g, "importlib");
    must_not_have(&g, "importlib.util");
    must_not_have(&g, "importlib.machinery");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, leaves_out_builtin_modules)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import sys, math, builtins, _io, itertools, time, marshal\n"
                      "import _cryo\n");
    build_ok(&t, "app.py", NULL, &g);
    const char *const builtin[] = {"sys",  "math",    "builtins", "_io",   "itertools",
                                   "time", "marshal", "_cryo"};
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        must_not_have(&g, builtin[i]);
    fz_graph_free(&g);
    tree_free(&t);
}

/* ---- extension modules of cryo's libpython (natives.c) ---- */

/* A manifest of two modules, as tools/libpython/build.py writes one. */
static void natives_of(struct fz_natives *nv, const char *const *names)
{
    memset(nv, 0, sizeof *nv);
    for (; *names; names++) {
        nv->v = fz_xrealloc(nv->v, (nv->n + 1) * sizeof *nv->v);
        struct fz_native *m = &nv->v[nv->n++];
        memset(m, 0, sizeof *m);
        m->name = fz_xstrdup(*names);
        m->object = fz_printf("/nowhere/%s.o", *names);
    }
    nv->core = fz_xstrdup("/nowhere/core.o");
}

static int has_native(const struct fz_graph *g, const char *name)
{
    for (size_t i = 0; i < g->natives.n; i++)
        if (strcmp(g->natives.v[i], name) == 0)
            return 1;
    return 0;
}

Test(graph, links_standard_library_extension_modules_it_has_as_builtins)
{
    struct tree t;
    struct fz_graph g;
    struct fz_natives nv;
    const char *const names[] = {"_json", "_sqlite3", "_lzma", NULL};
    natives_of(&nv, names);
    tree_new(&t);
    /* json imports _json guarded, sqlite3 (through dbapi2) unguarded. */
    put(&t, "app.py", "import json, sqlite3\nimport _lzma\n");
    struct opts o = {.natives = &nv};
    build_ok(&t, "app.py", &o, &g);
    cr_expect(has_native(&g, "_json"), "_json should be linked in");
    cr_expect(has_native(&g, "_sqlite3"), "_sqlite3 should be linked in");
    cr_expect(has_native(&g, "_lzma"), "_lzma should be linked in");
    cr_expect_eq(g.natives.n, g.native_reasons.n);
    for (size_t i = 1; i < g.natives.n; i++)
        cr_expect_lt(strcmp(g.natives.v[i - 1], g.natives.v[i]), 0, "sorted, no duplicates");
    must_not_have(&g, "_json");   /* not a packed module: no code in the payload */
    must_have(&g, "sqlite3.dbapi2");
    fz_graph_free(&g);
    fz_natives_free(&nv);
    tree_free(&t);
}

/* cryo's libpython drops some of CPython's frozen modules (build.py
 * DROPPED_FROZEN) and its manifest lists the rest: what it no longer
 * serves is packed from the standard library, what it serves is not. */
Test(graph, packs_what_the_linked_libpython_does_not_freeze)
{
    struct tree t;
    struct fz_graph g;
    struct fz_natives nv;
    const char *const names[] = {"_json", NULL};
    natives_of(&nv, names);
    nv.has_frozen = 1;
    fz_strv_push(&nv.frozen, "stat");
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "std/runpy.py", "import stat\n");
    put(&t, "std/stat.py", "");
    put(&t, "app.py", "import runpy\n");
    struct opts o = {.stdlib = "std", .natives = &nv};
    build_ok(&t, "app.py", &o, &g);
    /* Debian's interpreter has runpy frozen; this libpython does not. */
    must_have(&g, "runpy");
    must_not_have(&g, "stat");
    fz_graph_free(&g);
    fz_natives_free(&nv);
    tree_free(&t);
}

Test(graph, links_nothing_the_program_does_not_reach)
{
    struct tree t;
    struct fz_graph g;
    struct fz_natives nv;
    const char *const names[] = {"_json", "_sqlite3", NULL};
    natives_of(&nv, names);
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "app.py", "print('hi')\n");
    struct opts o = {.stdlib = "std", .natives = &nv};
    build_ok(&t, "app.py", &o, &g);
    cr_expect_eq(g.natives.n, 0, "nothing imports an extension module");
    fz_graph_free(&g);
    fz_natives_free(&nv);
    tree_free(&t);
}

Test(graph, a_lib_dynload_module_it_lacks_is_still_an_error_in_user_code)
{
    struct tree t;
    struct fz_graph g;
    struct fz_natives nv;
    const char *const names[] = {"_json", NULL};
    natives_of(&nv, names);
    tree_new(&t);
    /* readline is left out of cryo's libpython (GPL): Debian has it in
     * lib-dynload, cryo cannot link it. */
    put(&t, "app.py", "import readline\n");
    struct opts o = {.natives = &nv};
    cr_expect_neq(build(&t, "app.py", &o, &g), 0);
    cr_expect_eq(g.natives.n, 0);
    fz_graph_free(&g);
    fz_natives_free(&nv);
    tree_free(&t);
}

Test(graph, a_users_module_shadows_an_extension_module_as_in_python)
{
    struct tree t;
    struct fz_graph g;
    struct fz_natives nv;
    const char *const names[] = {"_json", NULL};
    natives_of(&nv, names);
    tree_new(&t);
    /* The script's directory comes before lib-dynload on python's path. */
    put(&t, "app.py", "import _json\n");
    put(&t, "_json.py", "X = 1\n");
    struct opts o = {.natives = &nv};
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "_json");
    cr_expect_not(has_native(&g, "_json"));
    fz_graph_free(&g);
    fz_natives_free(&nv);
    tree_free(&t);
}

/* ---- the graph as a whole ---- */

Test(graph, is_sorted_by_name_without_duplicates)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import zeta, alpha, Beta, pkg.b\nimport json\nimport alpha\n");
    put(&t, "zeta.py", "import alpha\n");
    put(&t, "alpha.py", "import zeta\n");
    put(&t, "Beta.py", "");
    put(&t, "pkg/__init__.py", "");
    put(&t, "pkg/b.py", "from . import a\n");
    put(&t, "pkg/a.py", "");
    build_ok(&t, "app.py", NULL, &g);
    cr_assert_gt(g.n, 10);
    for (size_t i = 1; i < g.n; i++)
        cr_expect_lt(strcmp(g.mods[i - 1].name, g.mods[i].name), 0, "'%s' then '%s'",
                     g.mods[i - 1].name, g.mods[i].name);
    fz_graph_free(&g);
    cr_expect_eq(g.n, 0);
    cr_expect_null(g.mods);
    tree_free(&t);
}

Test(graph, holds_each_module_s_compiled_code)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import helper\nprint(helper.X)\n");
    put(&t, "helper.py", "X = 'cryo-helper-constant'\n");
    build_ok(&t, "app.py", NULL, &g);
    for (size_t i = 0; i < g.n; i++) {
        const struct fz_module *m = &g.mods[i];
        cr_assert_not_null(m->zdata, "%s has no code", m->name);
        cr_assert_gt(m->usize, 0, "%s", m->name);
        /* zdata is one LZ4 block of usize bytes whose checksum is crc. */
        unsigned char *raw = malloc(m->usize);
        cr_expect_eq(LZ4_decompress_safe((const char *)m->zdata, (char *)raw, (int)m->zlen,
                                         (int)m->usize),
                     (int)m->usize, "%s", m->name);
        cr_expect_eq(bl_checksum(raw, m->usize), m->crc, "%s", m->name);
        /* ... and unmarshals to the module's code, named by its vpath. */
        PyObject *code = PyMarshal_ReadObjectFromString((const char *)raw, m->usize);
        cr_assert_not_null(code, "%s does not unmarshal", m->name);
        cr_expect(PyCode_Check(code), "%s", m->name);
        PyObject *fn = PyObject_GetAttrString(code, "co_filename");
        cr_expect_str_eq(PyUnicode_AsUTF8(fn), m->vpath);
        if (strcmp(m->name, "helper") == 0) {
            PyObject *consts = PyObject_GetAttrString(code, "co_consts");
            PyObject *want = PyUnicode_FromString("cryo-helper-constant");
            cr_expect_eq(PySequence_Contains(consts, want), 1, "helper's code is not helper.py");
            Py_DECREF(want);
            Py_DECREF(consts);
        }
        Py_DECREF(fn);
        Py_DECREF(code);
        free(raw);
    }
    fz_graph_free(&g);
    tree_free(&t);
}

/* ---- package data, site directories, distributions ---- */

Test(graph, packs_the_data_files_of_a_user_package)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import pkg\n");
    put(&t, "pkg/__init__.py", "");
    put(&t, "pkg/data.txt", "text\n");
    put(&t, "pkg/res/nested/conf.json", "{}\n");   /* not a package: data */
    put(&t, "pkg/inner/__init__.py", "");
    put(&t, "pkg/inner/icon.bin", "\x01\x02");
    put(&t, "pkg/__pycache__/x.cpython-311.pyc", "junk");
    put(&t, "pkg/.hidden", "x");
    put(&t, "pkg/res/helper.py", "");                 /* a .py is never data */
    put(&t, "outside.txt", "not in a package\n");
    build_ok(&t, "app.py", NULL, &g);
    const struct fz_data *d = data_file(&g, "pkg/data.txt");
    cr_assert_not_null(d, "pkg/data.txt is not packed");
    cr_expect_eq(d->usize, 5);
    cr_expect_not_null(data_file(&g, "pkg/res/nested/conf.json"));
    cr_expect_not_null(data_file(&g, "pkg/inner/icon.bin"));
    cr_expect_null(data_file(&g, "pkg/__pycache__/x.cpython-311.pyc"));
    cr_expect_null(data_file(&g, "pkg/.hidden"));
    cr_expect_null(data_file(&g, "pkg/res/helper.py"));
    cr_expect_null(data_file(&g, "outside.txt"));
    cr_expect_eq(g.ndata, 3, "%zu data files packed", g.ndata);
    for (size_t i = 1; i < g.ndata; i++)
        cr_expect(strcmp(g.data[i - 1].vpath, g.data[i].vpath) < 0, "data not sorted");
    /* The runtime's support for reading them comes with them. */
    must_have(&g, "_cryo_files");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, packs_no_file_support_into_a_program_without_data)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "print('hi')\n");
    build_ok(&t, "app.py", NULL, &g);
    must_not_have(&g, "_cryo_files");
    cr_expect_eq(g.ndata, 0);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, finds_third_party_packages_in_site_directories_whole_without_tests)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import third\n");
    put(&t, "site/third/__init__.py", "import third.core\ntry:\n    import optional_dep\n"
                                      "except ImportError:\n    pass\nimport never_there\n");
    put(&t, "site/third/core.py", "");
    put(&t, "site/third/plugins/__init__.py", "");
    put(&t, "site/third/plugins/extra.py", "");
    put(&t, "site/third/tests/__init__.py", "");
    put(&t, "site/third/tests/test_core.py", "");
    put(&t, "site/third/templates/page.html", "<p>\n");
    const char *const site[] = {"site", NULL};
    struct opts o = {.site = site};
    /* A missing import in third-party code is the package's business, as
     * in the standard library: not an error. */
    build_ok(&t, "app.py", &o, &g);
    cr_expect_eq(must_have(&g, "third")->origin, FZ_ORIGIN_SITE);
    must_have(&g, "third.core");
    must_have(&g, "third.plugins.extra");
    must_not_have_tree(&g, "third.tests");
    cr_expect_not_null(data_file(&g, "third/templates/page.html"));
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, prefers_the_standard_library_to_site_directories)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "app.py", "import shared\n");
    put(&t, "std/shared.py", "");
    put(&t, "site/shared/__init__.py", "");
    const char *const site[] = {"site", NULL};
    struct opts o = {.stdlib = "std", .site = site};
    build_ok(&t, "app.py", &o, &g);
    const struct fz_module *m = must_have(&g, "shared");
    cr_expect_eq(m->origin, FZ_ORIGIN_STDLIB);
    cr_expect(!m->is_package, "the site directory's package was taken");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, packs_a_distribution_whole_with_its_metadata)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import alpha\n");
    put(&t, "site/alpha/__init__.py", "");
    put(&t, "site/beta.py", "");
    put(&t, "site/gamma.py", "");
    put(&t, "site/Alpha_Dist-1.0.dist-info/METADATA", "Name: alpha-dist\nVersion: 1.0\n");
    put(&t, "site/Alpha_Dist-1.0.dist-info/top_level.txt", "alpha\nbeta\n");
    /* A distribution found by RECORD alone, and one the program does not use. */
    put(&t, "site/rec-2.0.dist-info/METADATA", "Name: rec\nVersion: 2.0\n");
    put(&t, "site/rec-2.0.dist-info/RECORD", "alpha/extra.txt,,\nrec-2.0.dist-info/METADATA,,\n");
    put(&t, "site/gamma-3.0.egg-info/PKG-INFO", "Name: gamma\nVersion: 3.0\n");
    put(&t, "site/gamma-3.0.egg-info/top_level.txt", "gamma\n");
    const char *const site[] = {"site", NULL};
    struct opts o = {.site = site};
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "beta");
    must_not_have(&g, "gamma");
    cr_expect_not_null(data_file(&g, "Alpha_Dist-1.0.dist-info/METADATA"));
    cr_expect_not_null(data_file(&g, "Alpha_Dist-1.0.dist-info/top_level.txt"));
    cr_expect_not_null(data_file(&g, "rec-2.0.dist-info/RECORD"));
    cr_expect_null(data_file(&g, "gamma-3.0.egg-info/PKG-INFO"));
    fz_graph_free(&g);
    tree_free(&t);
}

static const struct fz_native_file *ext(const struct fz_graph *g, const char *name)
{
    for (size_t i = 0; i < g->nexts; i++)
        if (strcmp(g->exts[i].name, name) == 0)
            return &g->exts[i];
    return NULL;
}

static const struct fz_native_file *lib(const struct fz_graph *g, const char *name)
{
    for (size_t i = 0; i < g->nlibs; i++)
        if (strcmp(g->libs[i].name, name) == 0)
            return &g->libs[i];
    return NULL;
}

/* Build a shared object at `rel` in the tree with gcc. */
static void put_so(const struct tree *t, const char *rel, const char *src, const char *args)
{
    put(t, "src.c", src);
    char *cmd = fz_printf("cd %s && gcc -shared -fPIC -o %s src.c %s", t->dir, rel, args);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    free(cmd);
}

Test(graph, packs_a_third_party_extension_module_and_the_libraries_it_needs)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import fast\n");
    put(&t, "site/fast/__init__.py", "from . import _speed\n");
    put(&t, "site/fast/libs/.keep", "");
    put_so(&t, "site/fast/libs/libhelper.so.2", "int helper(void) { return 2; }\n",
           "-Wl,-soname,libhelper.so.2");
    put_so(&t, "site/fast/_speed.cpython-311-x86_64-linux-gnu.so",
           "int helper(void); int PyInit__speed(void) { return helper(); }\n",
           "-Lsite/fast/libs -l:libhelper.so.2 '-Wl,-rpath,$ORIGIN/libs'");
    const char *const site[] = {"site", NULL};
    struct opts o = {.site = site};
    build_ok(&t, "app.py", &o, &g);
    /* (With Debian's libpython, which the tests use, lib-dynload's modules
     * the standard library imports are packed too: look for ours.) */
    const struct fz_native_file *x = ext(&g, "fast._speed");
    cr_assert_not_null(x, "fast._speed is not packed");
    cr_expect_str_eq(x->vpath, "fast/_speed.cpython-311-x86_64-linux-gnu.so");
    cr_assert_eq(x->deps.n, 1);
    cr_expect_str_eq(x->deps.v[0], "libhelper.so.2");
    const struct fz_native_file *l = lib(&g, "libhelper.so.2");
    cr_assert_not_null(l, "libhelper.so.2 is not packed");
    cr_expect(strstr(l->disk_path, "site/fast/libs/libhelper.so.2") != NULL);
    /* The library is not also packed as package data. */
    cr_expect_null(data_file(&g, "fast/libs/libhelper.so.2"));
    /* Both members are one zstd frame of the file, unchanged (compressed
     * when the payload is prepared, not when the graph finds them). */
    cr_expect_null(x->zdata);
    cr_assert_eq(fz_natives_prepare(&g), 0);
    for (int k = 0; k < 2; k++) {
        const struct fz_native_file *f = k ? l : x;
        size_t len;
        char *bytes = fz_read_file(f->disk_path, &len);
        cr_assert_not_null(bytes);
        cr_expect_eq(f->size, (uint32_t)len);
        cr_expect_eq(f->crc, bl_checksum((const unsigned char *)bytes, len));
        cr_assert_eq(ZSTD_getFrameContentSize(f->zdata, f->zlen), (unsigned long long)len,
                     "%s's member is not a zstd frame of the file", f->name);
        char *out = fz_xmalloc(len);
        cr_expect_eq(ZSTD_decompress(out, len, f->zdata, f->zlen), len);
        cr_expect_eq(memcmp(out, bytes, len), 0);
        free(out);
        free(bytes);
    }
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, fails_when_a_library_an_extension_needs_is_missing_unless_allowed)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import _lonely\n");
    put_so(&t, "libgone.so.1", "int gone(void) { return 1; }\n", "-Wl,-soname,libgone.so.1");
    put_so(&t, "_lonely.cpython-311-x86_64-linux-gnu.so",
           "int gone(void); int PyInit__lonely(void) { return gone(); }\n",
           "-L. -l:libgone.so.1");
    char *gone = tree_path(&t, "libgone.so.1");
    cr_assert_eq(unlink(gone), 0);
    free(gone);
    cr_expect_neq(build(&t, "app.py", NULL, &g), 0, "built without libgone.so.1");
    fz_graph_free(&g);
    struct fz_graph_options opt = {0};
    char *script = tree_path(&t, "app.py");
    opt.script = script;
    opt.stdlib_dir = STDLIB;
    fz_strv_push(&opt.allow_missing_libs, "libgone.so.1");
    cr_expect_eq(fz_graph_build(&opt, &g), 0, "--allow-missing-lib did not allow it");
    cr_expect_not_null(ext(&g, "_lonely"));
    cr_expect_null(lib(&g, "libgone.so.1"));
    fz_strv_free(&opt.allow_missing_libs);
    free(script);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, includes_and_excludes_data_as_asked)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import pkg\n");
    put(&t, "pkg/__init__.py", "");
    put(&t, "pkg/keep.json", "{}\n");
    put(&t, "pkg/docs/guide.md", "# guide\n");
    put(&t, "assets/a.txt", "a\n");
    put(&t, "assets/sub/b.txt", "b\n");
    put(&t, "single.cfg", "x=1\n");
    struct fz_graph_options opt = {0};
    char *script = tree_path(&t, "app.py");
    char *assets = tree_path(&t, "assets");
    char *single = tree_path(&t, "single.cfg");
    char *inc1 = fz_printf("%s=res", assets), *inc2 = fz_printf("%s=conf/app.cfg", single);
    opt.script = script;
    opt.stdlib_dir = STDLIB;
    fz_strv_push(&opt.include_data, inc1);
    fz_strv_push(&opt.include_data, inc2);
    fz_strv_push(&opt.exclude_data, "pkg/docs/*");
    fz_strv_push(&opt.exclude_data, "res/sub/*");
    cr_assert_eq(fz_graph_build(&opt, &g), 0);
    cr_expect_not_null(data_file(&g, "pkg/keep.json"));
    cr_expect_null(data_file(&g, "pkg/docs/guide.md"));
    cr_expect_not_null(data_file(&g, "res/a.txt"));
    cr_expect_null(data_file(&g, "res/sub/b.txt"));
    cr_expect_not_null(data_file(&g, "conf/app.cfg"));
    fz_strv_free(&opt.include_data);
    fz_strv_free(&opt.exclude_data);
    free(inc1);
    free(inc2);
    free(single);
    free(assets);
    free(script);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, finds_a_namespace_package_and_a_distribution_named_otherwise_in_a_site_directory)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import nsp.part\nimport toplevel\n");
    put(&t, "site/nsp/part.py", "");                       /* PEP 420: no __init__.py */
    put(&t, "site/toplevel/__init__.py", "");
    put(&t, "site/Other_Name-2.0.dist-info/METADATA", "Name: other-name\nVersion: 2.0\n");
    put(&t, "site/Other_Name-2.0.dist-info/top_level.txt", "toplevel\n");
    const char *const site[] = {"site", NULL};
    struct opts o = {.site = site};
    build_ok(&t, "app.py", &o, &g);
    const struct fz_module *ns = must_have(&g, "nsp");
    cr_expect(ns->is_package && !ns->disk_path, "nsp is not a namespace package");
    cr_expect_eq(must_have(&g, "nsp.part")->origin, FZ_ORIGIN_SITE);
    cr_expect_not_null(data_file(&g, "Other_Name-2.0.dist-info/METADATA"));
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, does_not_follow_the_command_line_entries_of_standard_library_modules)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "app.py", "import tool\nif __name__ == '__main__':\n    import usermain\n");
    put(&t, "usermain.py", "");
    put(&t, "std/tool.py", "def main():\n    import heavy_cli\n"
                           "if __name__ == '__main__':\n    import heavy_block\n");
    put(&t, "std/heavy_cli.py", "");
    put(&t, "std/heavy_block.py", "");
    struct opts o = {.stdlib = "std"};
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "tool");
    must_not_have(&g, "heavy_cli");
    must_not_have(&g, "heavy_block");
    must_have(&g, "usermain"); /* the script's own main block runs */
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, does_not_follow_the_main_blocks_of_third_party_modules_unless_run_with_m)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import third.lexer\n");
    put(&t, "site/third/__init__.py", "");
    put(&t, "site/third/lexer.py", "def main():\n    import used_by_main\n"
                                   "if __name__ == '__main__':\n    import regenerate\n");
    put(&t, "site/third/__main__.py", "if __name__ == '__main__':\n    import cli_dep\n");
    put(&t, "site/used_by_main.py", "");
    put(&t, "site/regenerate.py", "");
    put(&t, "site/cli_dep.py", "");
    const char *const site[] = {"site", NULL};
    struct opts o = {.site = site};
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "third.lexer");
    must_have(&g, "used_by_main"); /* a site module's main() may be an entry point */
    must_not_have(&g, "regenerate");
    must_not_have(&g, "cli_dep");
    fz_graph_free(&g);
    o.run_module = "third";
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "cli_dep"); /* -m third runs third/__main__.py's block */
    must_not_have(&g, "regenerate");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, leaves_build_and_test_runner_files_out_of_a_package_packed_whole)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import third\nimport mine\n");
    put(&t, "site/third/__init__.py", "");
    put(&t, "site/third/setup.py", "import buildtool\n");
    put(&t, "site/third/conftest.py", "import testtool\n");
    put(&t, "site/third/sub/__init__.py", "");
    put(&t, "site/third/sub/setup.py", "import buildtool\n");
    put(&t, "site/buildtool.py", "");
    put(&t, "site/testtool.py", "");
    put(&t, "mine/__init__.py", "");
    put(&t, "mine/setup.py", "");
    const char *const site[] = {"site", NULL};
    struct opts o = {.site = site};
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "third.sub");
    must_not_have(&g, "third.setup");
    must_not_have(&g, "third.sub.setup");
    must_not_have(&g, "third.conftest");
    must_not_have(&g, "buildtool");
    must_not_have(&g, "testtool");
    must_have(&g, "mine.setup"); /* the user's own packages stay whole */
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, does_not_follow_randoms_fallback_on_hashlib)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "app.py", "import random\n");
    put(&t, "std/random.py", "try:\n    from _sha512 import sha512\nexcept ImportError:\n"
                             "    from hashlib import sha512\n"
                             "def _test_generator():\n    import statistics\n");
    put(&t, "std/hashlib.py", "");
    put(&t, "std/statistics.py", "");
    struct opts o = {.stdlib = "std"};
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "random");
    must_not_have(&g, "hashlib");
    must_not_have(&g, "statistics");
    fz_graph_free(&g);
    put(&t, "app.py", "import random\nimport hashlib\n");
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "hashlib"); /* asked for: packed */
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, does_not_follow_function_level_imports_of_packaging_tools_from_site_code)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import third\n");
    put(&t, "site/third/__init__.py", "def test():\n    import setuptools\n");
    put(&t, "site/setuptools/__init__.py", "");
    const char *const site[] = {"site", NULL};
    struct opts o = {.site = site};
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "third");
    must_not_have(&g, "setuptools");
    fz_graph_free(&g);
    put(&t, "site/third/__init__.py", "import setuptools\n"); /* at import: needed */
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "setuptools");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, follows_six_moves_to_the_modules_six_maps_them_to)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "app.py", "import lib\n");
    put(&t, "site/six.py", "");
    put(&t, "site/lib/__init__.py", "from six.moves import queue, reduce\n"
                                    "import six.moves.http_client\n"
                                    "from six.moves.urllib import parse\n"
                                    "from .vendored.six.moves.urllib.error import URLError\n");
    put(&t, "site/lib/vendored/__init__.py", "");
    put(&t, "site/lib/vendored/six.py", "");
    put(&t, "std/queue.py", "");
    put(&t, "std/functools.py", "");
    put(&t, "std/http/__init__.py", "");
    put(&t, "std/http/client.py", "");
    put(&t, "std/urllib/__init__.py", "");
    put(&t, "std/urllib/parse.py", "");
    put(&t, "std/urllib/error.py", "");
    put(&t, "std/unused_by_six.py", "");
    const char *const site[] = {"site", NULL};
    struct opts o = {.stdlib = "std", .site = site};
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "queue");
    must_have(&g, "functools"); /* a moved attribute's module */
    must_have(&g, "http.client");
    must_have(&g, "urllib.parse");
    must_have(&g, "urllib.error");
    must_not_have(&g, "unused_by_six");
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, follows_imports_by_constant_name_and_find_spec_only_into_the_stdlib)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "app.py", "import importlib, importlib.util\n"
                      "importlib.import_module('plugin')\n"
                      "__import__('other')\n"
                      "importlib.util.find_spec('stdmod')\n"
                      "if importlib.util.find_spec('bigoptional'):\n    pass\n");
    put(&t, "site/plugin.py", "");
    put(&t, "site/other.py", "");
    put(&t, "site/bigoptional/__init__.py", "");
    put(&t, "std/stdmod.py", "");
    put(&t, "std/importlib/__init__.py", "");
    put(&t, "std/importlib/util.py", "");
    const char *const site[] = {"site", NULL};
    struct opts o = {.stdlib = "std", .site = site};
    build_ok(&t, "app.py", &o, &g);
    must_have(&g, "plugin");
    must_have(&g, "other");
    must_have(&g, "stdmod");
    must_not_have(&g, "bigoptional"); /* a probe for an optional package */
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, packs_a_packaging_tool_whole_when_the_program_imports_it)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put(&t, "app.py", "import pkg_resources\n");
    put(&t, "site/pkg_resources/__init__.py", "");
    put(&t, "site/pkg_resources/_vendor/__init__.py", "");
    put(&t, "site/pkg_resources/_vendor/jaraco/__init__.py", "");
    const char *const site[] = {"site", NULL};
    struct opts o = {.site = site};
    build_ok(&t, "app.py", &o, &g);
    /* its vendored packages, which it imports by computed names */
    must_have(&g, "pkg_resources._vendor.jaraco");
    fz_graph_free(&g);
    tree_free(&t);
}

/* ---- Debian's builtins and table modules in cryo's libpython ---- */

/* Add to nv a shared table module `name`: the shared object `so` of the
 * tree, as build.py lists one. */
static void add_shared(struct fz_natives *nv, const struct tree *t, const char *name,
                       const char *so)
{
    nv->v = fz_xrealloc(nv->v, (nv->n + 1) * sizeof *nv->v);
    struct fz_native *m = &nv->v[nv->n++];
    memset(m, 0, sizeof *m);
    m->name = fz_xstrdup(name);
    m->object = tree_path(t, so);
    m->shared = 1;
}

Test(graph, links_a_builtin_of_debians_only_when_imported_and_before_any_file)
{
    struct tree t;
    struct fz_graph g;
    struct fz_natives nv;
    const char *const names[] = {"math", "_csv", "_struct", NULL};
    natives_of(&nv, names);
    tree_new(&t);
    /* python3.11 finds a builtin before the script's directory: math.py
     * next to the script is not what `import math` gets. */
    put(&t, "app.py", "import math\n");
    put(&t, "math.py", "X = 1\n");
    struct opts o = {.natives = &nv};
    build_ok(&t, "app.py", &o, &g);
    cr_expect(has_native(&g, "math"), "math should be linked in");
    cr_expect_not(has_native(&g, "_csv"), "nothing imports _csv");
    must_not_have(&g, "math");
    fz_graph_free(&g);
    fz_natives_free(&nv);
    tree_free(&t);
}

Test(graph, follows_what_a_linked_standard_library_module_imports_from_c)
{
    struct tree t;
    struct fz_graph g;
    struct fz_natives nv;
    const char *const names[] = {"_elementtree", "pyexpat", "_datetime", NULL};
    natives_of(&nv, names);
    tree_new(&t);
    put(&t, "app.py", "import _elementtree, _datetime\n");
    struct opts o = {.natives = &nv};
    build_ok(&t, "app.py", &o, &g);
    cr_expect(has_native(&g, "pyexpat"), "_elementtree imports pyexpat from C");
    must_have(&g, "_strptime"); /* datetime.strptime() imports it from C */
    fz_graph_free(&g);
    fz_natives_free(&nv);
    tree_free(&t);
}

Test(graph, packs_a_table_module_as_raw_lzma2_and_always_unicodedata)
{
    struct tree t;
    struct fz_graph g;
    struct fz_natives nv;
    const char *const names[] = {NULL};
    natives_of(&nv, names);
    tree_new(&t);
    put_so(&t, "ud.so", "int PyInit_unicodedata(void) { return 0; }\n"
                        "const char table[100000] = {1, 2, 3};\n", "");
    put_so(&t, "jp.so", "int PyInit__codecs_jp(void) { return 0; }\n", "");
    add_shared(&nv, &t, "unicodedata", "ud.so");
    add_shared(&nv, &t, "_codecs_jp", "jp.so");
    /* The script imports neither: libpython's core imports unicodedata from
     * C, and nothing imports _codecs_jp here. */
    put_tiny_stdlib(&t);
    put(&t, "app.py", "print('hi')\n");
    struct opts o = {.stdlib = "std", .natives = &nv};
    build_ok(&t, "app.py", &o, &g);
    cr_assert_eq(fz_natives_prepare(&g), 0);
    const struct fz_native_file *e = ext(&g, "unicodedata");
    cr_assert_not_null(e, "unicodedata should be packed as a native file");
    cr_expect(e->stdlib_table);
    cr_expect_not(has_native(&g, "unicodedata"), "a shared object is never linked");
    cr_expect_null(ext(&g, "_codecs_jp"));
    size_t len;
    char *bytes = fz_read_file(nv.v[0].object, &len);
    cr_assert_not_null(bytes);
    cr_expect_eq(e->size, (uint32_t)len);
    cr_expect_lt(e->zlen, len / 4, "the zeros compress");
    unsigned char *out = fz_xmalloc(len);
    lzma_options_lzma opt = {.dict_size = BL_SOURCE_DICT_SIZE};
    lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    size_t in_pos = 0, out_pos = 0;
    cr_assert_eq(lzma_raw_buffer_decode(filters, NULL, e->zdata, &in_pos, e->zlen, out,
                                        &out_pos, len), LZMA_OK, "its member is raw LZMA2");
    cr_expect(out_pos == len && memcmp(out, bytes, len) == 0, "of the file, unchanged");
    cr_expect_eq(bl_checksum(out, len), e->crc);
    free(out);
    free(bytes);
    fz_graph_free(&g);
    fz_natives_free(&nv);
    tree_free(&t);
}

/* ---- cold modules (cold.c) ---- */

Test(graph, marks_cold_the_modules_no_start_imports)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put_tiny_stdlib(&t);
    /* The program's own imports in functions count as starts (its main()
     * runs); the standard library's do not. */
    put(&t, "app.py", "import hot_a\nimport pkg.sub\nimport std_a\nimport third\n"
                      "def f():\n    import hot_f\n");
    /* a third-party package is packed whole, and what it imports by
     * computed names is invisible: none of it is cold (LZMA2); what no
     * start reaches is zstd */
    put(&t, "site/third/__init__.py", "import third.util\n");
    put(&t, "site/third/util.py", "X = 1\n");
    put(&t, "site/third/lexer.py", "X = 1\n");
    put(&t, "hot_a.py", "try:\n    import hot_b\nexcept ImportError:\n    pass\n"
                        "class K:\n    import hot_d\n"
                        "def g():\n    import hot_e\n");
    put(&t, "hot_b.py", "X = 1\n");
    put(&t, "hot_d.py", "X = 1\n");
    put(&t, "hot_e.py", "X = 1\n");
    put(&t, "hot_f.py", "X = 1\n");
    put(&t, "std/std_a.py", "def g():\n    import cold_c\n");
    put(&t, "std/cold_c.py", "import cold_f\n");
    put(&t, "std/cold_f.py", "X = 1\n");
    put(&t, "pkg/__init__.py", "");
    put(&t, "pkg/sub.py", "");
    put(&t, "pkg/other.py", "");
    const char *const site[] = {"site", NULL};
    struct opts o = {.stdlib = "std", .site = site};
    build_ok(&t, "app.py", &o, &g);
    fz_cold_mark(&g);
    const char *const hot[] = {"__main__", "hot_a", "hot_b", "hot_d", "hot_e", "hot_f",
                               "pkg", "pkg.sub", "std_a", "third", "third.util", NULL};
    const char *const cold[] = {"cold_c", "cold_f", "pkg.other", NULL};
    for (size_t i = 0; hot[i]; i++) {
        cr_expect_not(must_have(&g, hot[i])->cold, "%s runs at start: not cold", hot[i]);
        cr_expect_not(must_have(&g, hot[i])->zstd, "%s runs at start: LZ4, not zstd", hot[i]);
    }
    for (size_t i = 0; cold[i]; i++) {
        cr_expect(must_have(&g, cold[i])->cold, "%s is imported by no start", cold[i]);
        cr_expect_not(must_have(&g, cold[i])->zstd, "%s is the standard library's", cold[i]);
    }
    const struct fz_module *lexer = must_have(&g, "third.lexer");
    cr_expect(lexer->zstd && !lexer->cold,
              "a package's module no start reaches is zstd, never LZMA2 (zstd %d, cold %d)",
              lexer->zstd, lexer->cold);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, packs_cold_modules_as_raw_lzma2_that_decodes_to_their_code)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "app.py", "import lazy\n");
    put(&t, "std/lazy.py", "def f():\n    import big\n");
    char *body = fz_xmalloc(64 << 10), *p = body;
    for (int i = 0; i < 1000; i++)
        p += sprintf(p, "def f%d(x):\n    return x * %d + len('%d')\n", i, i, i * 7);
    put(&t, "std/big.py", body);
    free(body);
    struct opts o = {.stdlib = "std"};
    build_ok(&t, "app.py", &o, &g);
    const struct fz_module *big = must_have(&g, "big");
    size_t lz4_len = big->zlen;
    cr_assert_eq(fz_cold_prepare(&g), 0);
    big = must_have(&g, "big");
    cr_assert(big->cold);
    cr_expect_lt(big->zlen, lz4_len, "smaller than its LZ4 block");
    cr_expect_not(must_have(&g, "__main__")->cold);
    unsigned char *out = fz_xmalloc(big->usize);
    lzma_options_lzma opt = {.dict_size = BL_SOURCE_DICT_SIZE};
    lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    size_t in_pos = 0, out_pos = 0;
    cr_assert_eq(lzma_raw_buffer_decode(filters, NULL, big->zdata, &in_pos, big->zlen, out,
                                        &out_pos, big->usize), LZMA_OK);
    cr_expect_eq(out_pos, big->usize);
    cr_expect_eq(bl_checksum(out, big->usize), big->crc, "the marshalled code, unchanged");
    free(out);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, packs_unreached_package_modules_as_zstd_that_decodes_to_their_code)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "app.py", "import third\n");
    put(&t, "site/third/__init__.py", "");
    char *body = fz_xmalloc(64 << 10), *p = body;
    for (int i = 0; i < 1000; i++)
        p += sprintf(p, "def f%d(x):\n    return x * %d + len('%d')\n", i, i, i * 7);
    put(&t, "site/third/big.py", body);
    free(body);
    const char *const site[] = {"site", NULL};
    struct opts o = {.stdlib = "std", .site = site};
    build_ok(&t, "app.py", &o, &g);
    const struct fz_module *big = must_have(&g, "third.big");
    size_t lz4_len = big->zlen;
    cr_assert_eq(fz_cold_prepare(&g), 0);
    big = must_have(&g, "third.big");
    cr_assert(big->zstd && !big->cold);
    cr_expect_lt(big->zlen, lz4_len, "smaller than its LZ4 block");
    cr_expect_not(must_have(&g, "third")->zstd, "the package itself is imported at start");
    cr_expect(fz_payload_has_zstd(&g), "the program links the zstd reader");
    unsigned char *out = fz_xmalloc(big->usize);
    size_t n = ZSTD_decompress(out, big->usize, big->zdata, big->zlen);
    cr_assert_not(ZSTD_isError(n), "one zstd frame: %s", ZSTD_getErrorName(n));
    cr_expect_eq(n, big->usize);
    cr_expect_eq(bl_checksum(out, big->usize), big->crc, "the marshalled code, unchanged");
    free(out);
    fz_graph_free(&g);
    tree_free(&t);
}

/* Data files become zstd frames only where the payload links the zstd
 * reader anyway (fz_data_prepare); elsewhere they stay LZ4 blocks. */
static void check_data_codec(int with_unreached_module)
{
    struct tree t;
    struct fz_graph g;
    tree_new(&t);
    put_tiny_stdlib(&t);
    put(&t, "app.py", "import third\n");
    put(&t, "site/third/__init__.py", "");
    char *text = fz_xmalloc(32 << 10), *p = text;
    for (int i = 0; i < 1000; i++)
        p += sprintf(p, "row %d: %d\n", i, i * 31 % 977);
    put(&t, "site/third/table.txt", text);
    if (with_unreached_module)
        put(&t, "site/third/extra.py", "def f(x):\n    return [x] * 3\n");
    const char *const site[] = {"site", NULL};
    struct opts o = {.stdlib = "std", .site = site};
    build_ok(&t, "app.py", &o, &g);
    const struct fz_data *d = data_file(&g, "third/table.txt");
    cr_assert_not_null(d, "the package's data file is packed");
    size_t len = strlen(text);
    cr_assert_eq(fz_cold_prepare(&g), 0);
    cr_assert_eq(fz_data_prepare(&g), 0);
    cr_assert_eq(g.data_zstd, fz_payload_has_zstd(&g));
    cr_assert_eq(g.data_zstd, with_unreached_module);
    char *out = fz_xmalloc(len);
    if (with_unreached_module) {
        size_t n = ZSTD_decompress(out, len, d->zdata, d->zlen);
        cr_assert_not(ZSTD_isError(n), "one zstd frame: %s", ZSTD_getErrorName(n));
        cr_expect_eq(n, len);
    } else {
        cr_expect_eq(LZ4_decompress_safe((const char *)d->zdata, out, (int)d->zlen, (int)len),
                     (int)len, "an LZ4 block");
    }
    cr_expect_eq(memcmp(out, text, len), 0, "the file, unchanged");
    cr_expect_eq(d->crc, bl_checksum((const unsigned char *)text, len));
    free(out);
    free(text);
    fz_graph_free(&g);
    tree_free(&t);
}

Test(graph, data_files_are_zstd_frames_where_the_payload_has_zstd_anyway)
{
    check_data_codec(1);
}

Test(graph, data_files_stay_lz4_where_nothing_else_needs_the_zstd_reader)
{
    check_data_codec(0);
}
