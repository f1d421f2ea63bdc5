/* test_resolve_relative.c — fz_resolve_relative (freezer/graph.c): the
 * absolute name a relative import means.
 *
 * Python's rule (importlib._bootstrap._resolve_name and _sanity_check): the
 * import is relative to __package__, which is the importer itself for a
 * package and its parent for a module; a top-level module has no package
 * ("attempted relative import with no known parent package"); each dot
 * past the first goes one package up, and going above the top level is an
 * error ("attempted relative import beyond top-level package").
 *
 * The table below is written from that rule; the last test also asks the
 * real importlib of the embedded interpreter for every combination. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"

static void check(const char *importer, int is_package, const char *name, int level,
                  const char *want)
{
    char *got = fz_resolve_relative(importer, is_package, name, level);
    if (!want)
        cr_expect_null(got, "%s (%s) level %d name '%s': got '%s', want NULL", importer,
                       is_package ? "package" : "module", level, name ? name : "(null)",
                       got ? got : "");
    else {
        cr_expect_not_null(got, "%s (%s) level %d name '%s': got NULL, want '%s'", importer,
                           is_package ? "package" : "module", level, name ? name : "(null)",
                           want);
        if (got)
            cr_expect_str_eq(got, want, "%s (%s) level %d name '%s'", importer,
                             is_package ? "package" : "module", level, name ? name : "(null)");
    }
    free(got);
}

Test(resolve_relative, resolves_one_dot_in_a_module_against_its_package)
{
    check("pkg.mod", 0, "sib", 1, "pkg.sib");
    check("pkg.mod", 0, "sub.deep", 1, "pkg.sub.deep");
    check("a.b.c.mod", 0, "x", 1, "a.b.c.x");
}

Test(resolve_relative, resolves_one_dot_in_a_package_against_the_package_itself)
{
    /* `from . import x` in pkg/__init__.py means pkg.x, not x. */
    check("pkg", 1, "x", 1, "pkg.x");
    check("a.b", 1, "x", 1, "a.b.x");
}

Test(resolve_relative, resolves_an_empty_name_to_the_package)
{
    check("pkg.mod", 0, "", 1, "pkg");
    check("pkg", 1, "", 1, "pkg");
    check("a.b.c", 1, "", 2, "a.b");
    check("a.b.c.mod", 0, "", 3, "a");
}

Test(resolve_relative, treats_a_null_name_as_empty)
{
    check("pkg.mod", 0, NULL, 1, "pkg");
}

Test(resolve_relative, goes_one_package_up_per_extra_dot)
{
    check("a.b.c.mod", 0, "x", 2, "a.b.x");
    check("a.b.c.mod", 0, "x", 3, "a.x");
    check("a.b.c", 1, "x", 2, "a.b.x");
    check("a.b.c", 1, "x", 3, "a.x");
    check("a.b.mod", 0, "y.z", 2, "a.y.z");
}

Test(resolve_relative, reaches_the_top_level_package_but_not_beyond)
{
    check("a.b.mod", 0, "x", 2, "a.x");
    check("a.b.mod", 0, "x", 3, NULL);
    check("a.b", 1, "x", 2, "a.x");
    check("a.b", 1, "x", 3, NULL);
    check("pkg", 1, "x", 2, NULL);
    check("pkg.mod", 0, "x", 2, NULL);
    check("pkg.mod", 0, "", 2, NULL);
    check("a.b.c.d", 1, "x", 10, NULL);
}

Test(resolve_relative, gives_a_top_level_module_no_package)
{
    check("mod", 0, "x", 1, NULL);
    check("mod", 0, "", 1, NULL);
    check("mod", 0, "x", 2, NULL);
    check("__main__", 0, "helper", 1, NULL);
}

Test(resolve_relative, keeps_dotted_names_whole)
{
    check("pkg.mod", 0, "a.b.c", 1, "pkg.a.b.c");
}

/* ---- against importlib itself ---- */

/* What python3.11's importlib says, or NULL when it raises ImportError. */
static char *python_says(PyObject *bootstrap, const char *importer, int is_package,
                         const char *name, int level)
{
    const char *dot = strrchr(importer, '.');
    PyObject *package = is_package ? PyUnicode_FromString(importer)
                                   : PyUnicode_FromStringAndSize(
                                         importer, dot ? (Py_ssize_t)(dot - importer) : 0);
    cr_assert_not_null(package);
    if (PyUnicode_GET_LENGTH(package) == 0) {
        /* _sanity_check: "no known parent package" */
        Py_DECREF(package);
        return NULL;
    }
    PyObject *r = PyObject_CallMethod(bootstrap, "_resolve_name", "sOi", name, package, level);
    Py_DECREF(package);
    if (!r) {
        cr_assert(PyErr_ExceptionMatches(PyExc_ImportError), "unexpected exception");
        PyErr_Clear();
        return NULL;
    }
    char *s = strdup(PyUnicode_AsUTF8(r));
    Py_DECREF(r);
    return s;
}

Test(resolve_relative, agrees_with_importlib_on_every_combination)
{
    cr_assert_eq(fz_py_start(), 0);
    PyObject *bootstrap = PyImport_ImportModule("importlib._bootstrap");
    cr_assert_not_null(bootstrap);
    const char *const importers[] = {"m", "a.m", "a.b.m", "a.b.c.m", "a.b.c.d.m"};
    const char *const names[] = {"", "x", "x.y"};
    int compared = 0, refused = 0;
    for (size_t i = 0; i < sizeof importers / sizeof importers[0]; i++)
        for (int pkg = 0; pkg <= 1; pkg++)
            for (size_t k = 0; k < sizeof names / sizeof names[0]; k++)
                for (int level = 1; level <= 6; level++) {
                    char *want = python_says(bootstrap, importers[i], pkg, names[k], level);
                    check(importers[i], pkg, names[k], level, want);
                    refused += want == NULL;
                    free(want);
                    compared++;
                }
    cr_expect_eq(compared, 5 * 2 * 3 * 6);
    /* The oracle itself answered both ways. */
    cr_expect(refused > 0 && refused < compared, "%d of %d refused", refused, compared);
    Py_DECREF(bootstrap);
    fz_py_stop();
}
