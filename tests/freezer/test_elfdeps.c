/* test_elfdeps.c — freezer/elfdeps.c: reading shared objects with libelf
 * and the closure of the libraries an extension module needs.
 *
 * The shared objects are built by the test with gcc (the freezer needs a
 * compiler anyway), in a fresh directory: a library, an object that needs
 * it through $ORIGIN, a cycle, and files that are not ELF or are cut
 * short. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fz.h"

#include "../common/scratch_dir.h"

static char dir[64];

static void setup(void)
{
    scratch_dir_new(dir, sizeof dir, "elf");
}

static void teardown(void)
{
    scratch_dir_remove(dir);
}

TestSuite(elfdeps, .init = setup, .fini = teardown);

/* Build shared object `out` (in dir) from C source `src` with extra gcc
 * arguments. */
static void so(const char *out, const char *src, const char *args)
{
    char *libdir = fz_printf("%s/lib", dir);
    mkdir(libdir, 0755);
    free(libdir);
    char *c = fz_printf("%s/%s.c", dir, out);
    FILE *f = fopen(c, "w");
    cr_assert_not_null(f);
    fputs(src, f);
    fclose(f);
    char *cmd = fz_printf("cd %s && gcc -shared -fPIC -o %s %s %s 2>&1", dir, out, c, args);
    cr_assert_eq(system(cmd), 0, "cannot build %s: %s", out, cmd);
    free(cmd);
    free(c);
}

static char *at(const char *rel)
{
    return fz_printf("%s/%s", dir, rel);
}

Test(elfdeps, reads_soname_needed_and_runpath_with_origin)
{
    so("lib/libdep.so.1", "int dep(void) { return 1; }\n", "-Wl,-soname,libdep.so.1");
    so("ext.so", "int dep(void); int f(void) { return dep(); }\n",
       "-Llib -l:libdep.so.1 '-Wl,-rpath,$ORIGIN/lib' -Wl,--enable-new-dtags");
    struct fz_elf e;
    char *why = NULL, *p = at("ext.so");
    cr_assert_eq(fz_elf_read(p, &e, &why), 0, "%s", why);
    cr_expect(fz_strv_has(&e.needed, "libdep.so.1"));
    cr_assert_eq(e.runpath.n, 1);
    char *want = at("lib");
    cr_expect_str_eq(e.runpath.v[0], want);
    cr_expect_eq(e.rpath.n, 0);
    char *found = fz_elf_find("libdep.so.1", &e);
    char *lib = at("lib/libdep.so.1");
    cr_assert_not_null(found);
    cr_expect_str_eq(found, lib);
    free(found);
    fz_elf_free(&e);
    cr_assert_eq(fz_elf_read(lib, &e, &why), 0, "%s", why);
    cr_expect_str_eq(e.soname, "libdep.so.1");
    fz_elf_free(&e);
    free(lib);
    free(want);
    free(p);
}

Test(elfdeps, closure_lists_each_library_after_what_it_needs_and_skips_glibc)
{
    so("lib/libbottom.so", "int bottom(void) { return 1; }\n", "-Wl,-soname,libbottom.so");
    so("lib/libmid.so", "int bottom(void); int mid(void) { return bottom(); }\n",
       "-Wl,-soname,libmid.so -Llib -lbottom '-Wl,-rpath,$ORIGIN'");
    so("ext.so", "int mid(void); int bottom(void); int f(void) { return mid() + bottom(); }\n",
       "-Llib -lmid -lbottom -lm '-Wl,-rpath,$ORIGIN/lib'");
    struct fz_libset set = {0};
    struct fz_strv order = {0}, missing = {0};
    char *p = at("ext.so");
    cr_assert_eq(fz_elf_closure(p, &set, &order, &missing), 0);
    cr_assert_eq(order.n, 2, "order has %zu names", order.n);
    cr_expect_str_eq(order.v[0], "libbottom.so");
    cr_expect_str_eq(order.v[1], "libmid.so");
    cr_expect_eq(missing.n, 0);
    cr_expect_eq(set.n, 2);
    for (size_t i = 0; i < set.n; i++)
        cr_expect(!fz_elf_is_glibc(set.v[i].name), "%s packed", set.v[i].name);
    fz_libset_free(&set);
    fz_strv_free(&order);
    fz_strv_free(&missing);
    free(p);
}

Test(elfdeps, closure_ends_on_a_cycle)
{
    /* liba needs libb, libb needs liba: built in two steps. */
    so("lib/libb.so", "int b(void) { return 2; }\n", "-Wl,-soname,libb.so");
    so("lib/liba.so", "int b(void); int a(void) { return b(); }\n",
       "-Wl,-soname,liba.so -Llib -lb '-Wl,-rpath,$ORIGIN'");
    so("lib/libb.so", "int a(void); int b(void) { return 2; } int c(void) { return a(); }\n",
       "-Wl,-soname,libb.so -Llib -la '-Wl,-rpath,$ORIGIN'");
    so("ext.so", "int a(void); int f(void) { return a(); }\n",
       "-Llib -la '-Wl,-rpath,$ORIGIN/lib'");
    struct fz_libset set = {0};
    struct fz_strv order = {0}, missing = {0};
    char *p = at("ext.so");
    cr_assert_eq(fz_elf_closure(p, &set, &order, &missing), 0);
    cr_expect_eq(order.n, 2);
    cr_expect(fz_strv_has(&order, "liba.so") && fz_strv_has(&order, "libb.so"));
    fz_libset_free(&set);
    fz_strv_free(&order);
    fz_strv_free(&missing);
    free(p);
}

Test(elfdeps, reports_a_library_that_cannot_be_found)
{
    so("lib/libgone.so", "int gone(void) { return 1; }\n", "-Wl,-soname,libgone.so");
    so("ext.so", "int gone(void); int f(void) { return gone(); }\n", "-Llib -lgone");
    char *lib = at("lib/libgone.so");
    cr_assert_eq(unlink(lib), 0);
    struct fz_libset set = {0};
    struct fz_strv order = {0}, missing = {0};
    char *p = at("ext.so");
    cr_assert_eq(fz_elf_closure(p, &set, &order, &missing), 0);
    cr_assert_eq(missing.n, 1);
    cr_expect_str_eq(missing.v[0], "libgone.so");
    cr_expect_eq(order.n, 0);
    fz_libset_free(&set);
    fz_strv_free(&order);
    fz_strv_free(&missing);
    free(p);
    free(lib);
}

static void expect_refused(const char *rel, const char *why_part)
{
    struct fz_elf e;
    char *why = NULL, *p = at(rel);
    cr_expect_eq(fz_elf_read(p, &e, &why), -1, "%s was read", rel);
    cr_assert_not_null(why);
    cr_expect(strstr(why, why_part) != NULL, "%s: '%s' does not say '%s'", rel, why, why_part);
    free(why);
    free(p);
}

Test(elfdeps, refuses_files_that_are_not_usable_shared_objects)
{
    char *p = at("text.so");
    FILE *f = fopen(p, "w");
    fputs("not an ELF file\n", f);
    fclose(f);
    free(p);
    expect_refused("text.so", "not an ELF file");

    so("whole.so", "int f(void) { return 1; }\n", "");
    /* Cut short: the header survives, the sections do not. */
    char *cmd = fz_printf("cd %s && head -c 700 whole.so > cut.so && head -c 20 whole.so > "
                          "tiny.so", dir);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
    expect_refused("cut.so", "");
    expect_refused("tiny.so", "");

    /* An executable is not a shared object. */
    char *c = at("main.c");
    f = fopen(c, "w");
    fputs("int main(void) { return 0; }\n", f);
    fclose(f);
    cmd = fz_printf("cd %s && gcc -no-pie -o main.so %s", dir, c);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
    free(c);
    expect_refused("main.so", "not a shared object");
    expect_refused("missing.so", "cannot open");
}
