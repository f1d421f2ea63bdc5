/* test_table.c — runtime/table.c: lookups in the generated module table.
 *
 * Tables here are written by hand the way the freezer's emit_table.c
 * writes them: sorted by strcmp, names unique (module_table.h). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "module_table.h"

#define MOD(n) {.name = n, .path = n ".py"}

static const struct rt_module sorted[] = {
    MOD("__main__"),
    MOD("a"),
    MOD("a.b"),
    MOD("a.b.c"),
    MOD("a_b"),
    MOD("ab"),
    MOD("encodings"),
    MOD("encodings.utf_8"),
    MOD("json"),
    MOD("json.decoder"),
    MOD("zz"),
};
#define NSORTED (sizeof sorted / sizeof sorted[0])

static const struct rt_app app = {.module_count = NSORTED, .modules = sorted};

Test(table, fixture_is_sorted_by_strcmp)
{
    for (size_t i = 1; i < NSORTED; i++)
        cr_assert_lt(strcmp(sorted[i - 1].name, sorted[i].name), 0, "%s before %s",
                     sorted[i - 1].name, sorted[i].name);
}

Test(table, finds_the_first_middle_and_last_module)
{
    cr_expect_eq(rt_table_find(&app, "__main__"), &sorted[0]);
    cr_expect_eq(rt_table_find(&app, "a_b"), &sorted[NSORTED / 2 - 1]);
    cr_expect_eq(rt_table_find(&app, "ab"), &sorted[NSORTED / 2]);
    cr_expect_eq(rt_table_find(&app, "zz"), &sorted[NSORTED - 1]);
}

Test(table, finds_every_module_it_holds)
{
    for (size_t i = 0; i < NSORTED; i++)
        cr_expect_eq(rt_table_find(&app, sorted[i].name), &sorted[i], "%s", sorted[i].name);
}

Test(table, finds_every_module_in_tables_of_every_size)
{
    /* Binary search edge cases: sizes 1..NSORTED, each a prefix of the
     * sorted table; every member found, every other name not. */
    for (size_t n = 1; n <= NSORTED; n++) {
        const struct rt_app small = {.module_count = n, .modules = sorted};
        for (size_t i = 0; i < NSORTED; i++)
            cr_expect_eq(rt_table_find(&small, sorted[i].name), i < n ? &sorted[i] : NULL,
                         "table of %zu, looking for %s", n, sorted[i].name);
    }
}

Test(table, returns_null_for_absent_names)
{
    const char *const absent[] = {"", "0", "A", "__init__", "aa", "b", "encodings.utf_16",
                                  "json.decode", "zzz", "~", "\xc3\xa9"};
    for (size_t i = 0; i < sizeof absent / sizeof absent[0]; i++)
        cr_expect_null(rt_table_find(&app, absent[i]), "'%s' should not be found", absent[i]);
}

Test(table, does_not_match_a_name_by_its_prefix)
{
    const struct rt_module only_ab[] = {MOD("a.b")};
    const struct rt_app t = {.module_count = 1, .modules = only_ab};
    cr_expect_null(rt_table_find(&t, "a"), "'a' is a prefix of 'a.b', not 'a.b'");
    cr_expect_null(rt_table_find(&t, "a.b.c"), "'a.b' is a prefix of 'a.b.c'");
    cr_expect_null(rt_table_find(&t, "a."));
    cr_expect_eq(rt_table_find(&t, "a.b"), &only_ab[0]);
}

Test(table, tells_a_package_from_its_submodules)
{
    cr_expect_str_eq(rt_table_find(&app, "a")->name, "a");
    cr_expect_str_eq(rt_table_find(&app, "a.b")->name, "a.b");
    cr_expect_str_eq(rt_table_find(&app, "a.b.c")->name, "a.b.c");
    cr_expect_str_eq(rt_table_find(&app, "encodings")->name, "encodings");
}

Test(table, is_case_sensitive)
{
    cr_expect_null(rt_table_find(&app, "JSON"));
    cr_expect_null(rt_table_find(&app, "Json.Decoder"));
}

Test(table, returns_null_in_an_empty_table)
{
    const struct rt_app empty = {.module_count = 0, .modules = NULL};
    cr_expect_null(rt_table_find(&empty, "a"));
    cr_expect_null(rt_table_find(&empty, ""));
    cr_expect_null(rt_table_find(&empty, "__main__"));
}

Test(table, finds_modules_in_a_large_table)
{
    enum { N = 1000 };
    static char names[N][16];
    static struct rt_module mods[N];
    for (int i = 0; i < N; i++) {
        snprintf(names[i], sizeof names[i], "m%04d", i); /* zero-padded: sorted */
        mods[i].name = names[i];
    }
    const struct rt_app big = {.module_count = N, .modules = mods};
    for (int i = 0; i < N; i++)
        cr_assert_eq(rt_table_find(&big, names[i]), &mods[i], "%s", names[i]);
    cr_expect_null(rt_table_find(&big, "m1000"));
    cr_expect_null(rt_table_find(&big, "m"));
    cr_expect_null(rt_table_find(&big, "m0500x"));
}
