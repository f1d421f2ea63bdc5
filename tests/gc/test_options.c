/* test_options.c — gc/options.c: every CRYO_* option is parsed by the
 * rules of its kind, a bad value falls back to the default in force (the
 * build's, else the built-in one) with exactly one warning naming the
 * variable, the value and that default, and the environment wins over the
 * build.  Criterion runs each test in its own process, so setenv() here
 * does not leak between tests. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "gc_internal.h"

static const struct gc_config unset = {-1, -1, -1, -1, -1};

static char *warnings;
static size_t warnings_len;

/* Read the options with `build`, the warnings into `warnings`. */
static int read_opts(const struct gc_config *build, struct gc_config *out, int *stats)
{
    FILE *w = open_memstream(&warnings, &warnings_len);
    cr_assert_not_null(w);
    int n = gc_options_read(build, out, stats, w);
    fclose(w);
    return n;
}

static int count_lines(const char *s)
{
    int n = 0;
    for (; *s; s++)
        n += *s == '\n';
    return n;
}

static void clear_env(void)
{
    for (int i = 0; i < GC_NOPTIONS; i++)
        unsetenv(gc_options[i].env);
}

TestSuite(options, .init = clear_env);

Test(options, built_in_defaults_apply_when_nothing_is_set)
{
    struct gc_config c;
    int stats = -1;
    cr_assert_eq(read_opts(&unset, &c, &stats), 0);
    cr_assert_eq(c.allocator, GC_ALLOCATOR_CRYO);
    cr_assert_eq(c.policy, GC_POLICY_CRYO);
    cr_assert_float_eq(c.growth, 0.5, 1e-12);
    cr_assert_float_eq(c.pause_ms, 10.0, 1e-12);
    cr_assert_eq(c.mem_release_kib, (long)gc_options[GC_OPTION_MEM_RELEASE].def);
    cr_assert_eq(stats, 0);
    cr_assert_str_empty(warnings);
}

Test(options, the_builds_values_replace_the_built_in_defaults)
{
    struct gc_config b = {GC_ALLOCATOR_PYTHON, GC_POLICY_PYTHON, 2.0, 0, 0}, c;
    int stats;
    cr_assert_eq(read_opts(&b, &c, &stats), 0);
    cr_assert_eq(c.allocator, GC_ALLOCATOR_PYTHON);
    cr_assert_eq(c.policy, GC_POLICY_PYTHON);
    cr_assert_float_eq(c.growth, 2.0, 1e-12);
    cr_assert_float_eq(c.pause_ms, 0.0, 1e-12);
    cr_assert_eq(c.mem_release_kib, 0);
}

Test(options, the_environment_wins_over_the_build)
{
    struct gc_config b = {GC_ALLOCATOR_PYTHON, GC_POLICY_PYTHON, 2.0, 5, 64}, c;
    int stats;
    setenv("CRYO_ALLOCATOR", "cryo", 1);
    setenv("CRYO_GC", "cryo", 1);
    setenv("CRYO_GC_GROWTH", "0.25", 1);
    setenv("CRYO_GC_PAUSE_MS", "2.5", 1);
    setenv("CRYO_MEM_RELEASE", "0", 1);
    setenv("CRYO_STATS", "1", 1);
    cr_assert_eq(read_opts(&b, &c, &stats), 0);
    cr_assert_eq(c.allocator, GC_ALLOCATOR_CRYO);
    cr_assert_eq(c.policy, GC_POLICY_CRYO);
    cr_assert_float_eq(c.growth, 0.25, 1e-12);
    cr_assert_float_eq(c.pause_ms, 2.5, 1e-12);
    cr_assert_eq(c.mem_release_kib, 0);
    cr_assert_eq(stats, 1);
    cr_assert_str_empty(warnings);
}

Test(options, a_null_build_means_built_in_defaults)
{
    struct gc_config c;
    int stats;
    cr_assert_eq(gc_options_read(NULL, &c, &stats, NULL), 0);
    cr_assert_float_eq(c.growth, 0.5, 1e-12);
}

Test(options, an_empty_variable_counts_as_unset)
{
    struct gc_config c;
    int stats;
    setenv("CRYO_GC_GROWTH", "", 1);
    cr_assert_eq(read_opts(&unset, &c, &stats), 0);
    cr_assert_float_eq(c.growth, 0.5, 1e-12);
    cr_assert_str_empty(warnings);
}

/* A bad CRYO_GC_GROWTH: one warning line, naming the variable, the value
 * and the default; the default is used. */
static void expect_bad_growth(const char *value, const char *reason)
{
    struct gc_config b = unset, c;
    int stats;
    b.growth = 3.0;
    setenv("CRYO_GC_GROWTH", value, 1);
    cr_assert_eq(read_opts(&b, &c, &stats), 1, "%s accepted", value);
    cr_assert_float_eq(c.growth, 3.0, 1e-12, "%s: not the build's default", value);
    cr_assert_eq(count_lines(warnings), 1, "%s: %s", value, warnings);
    cr_assert(strstr(warnings, "CRYO_GC_GROWTH"), "%s", warnings);
    cr_assert(strstr(warnings, value), "%s", warnings);
    cr_assert(strstr(warnings, "using the default, 3.0"), "%s", warnings);
    cr_assert(strstr(warnings, reason), "%s: %s", value, warnings);
}

Test(options, growth_that_is_not_a_number_falls_back_with_one_warning)
{
    expect_bad_growth("abc", "not a number");
}

Test(options, growth_with_trailing_junk_falls_back)
{
    expect_bad_growth("1.5x", "not a number");
}

Test(options, growth_with_leading_blank_falls_back)
{
    expect_bad_growth(" 1.5", "not a number");
}

Test(options, growth_in_hexadecimal_falls_back)
{
    expect_bad_growth("0x10", "not a number");
}

Test(options, growth_nan_and_inf_fall_back)
{
    expect_bad_growth("nan", "not a number");
}

Test(options, growth_inf_falls_back)
{
    expect_bad_growth("inf", "not a number");
}

Test(options, negative_growth_falls_back)
{
    expect_bad_growth("-1", "out of range");
}

Test(options, absurdly_large_growth_falls_back)
{
    expect_bad_growth("1e999", "out of range");
}

Test(options, growth_just_above_its_range_falls_back)
{
    expect_bad_growth("100.5", "out of range");
}

Test(options, every_numeric_option_rejects_junk)
{
    static const char *const vars[] = {"CRYO_GC_GROWTH", "CRYO_GC_PAUSE_MS", "CRYO_MEM_RELEASE",
                                       "CRYO_STATS", "CRYO_GC", "CRYO_ALLOCATOR"};
    struct gc_config c;
    int stats;
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        setenv(vars[i], "12abc", 1);
    cr_assert_eq(read_opts(&unset, &c, &stats), 6);
    cr_assert_eq(count_lines(warnings), 6, "%s", warnings);
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        cr_assert(strstr(warnings, vars[i]), "%s missing in %s", vars[i], warnings);
    cr_assert_eq(c.allocator, GC_ALLOCATOR_CRYO);
    cr_assert_eq(c.policy, GC_POLICY_CRYO);
    cr_assert_float_eq(c.growth, 0.5, 1e-12);
    cr_assert_float_eq(c.pause_ms, 10.0, 1e-12);
    cr_assert_eq(c.mem_release_kib, (long)gc_options[GC_OPTION_MEM_RELEASE].def);
    cr_assert_eq(stats, 0);
}

Test(options, pause_accepts_zero_and_decimals_and_rejects_negative)
{
    struct gc_config c;
    int stats;
    setenv("CRYO_GC_PAUSE_MS", "0", 1);
    read_opts(&unset, &c, &stats);
    cr_assert_float_eq(c.pause_ms, 0.0, 1e-12);
    setenv("CRYO_GC_PAUSE_MS", "0.5", 1);
    read_opts(&unset, &c, &stats);
    cr_assert_float_eq(c.pause_ms, 0.5, 1e-12);
    setenv("CRYO_GC_PAUSE_MS", "-0.5", 1);
    cr_assert_eq(read_opts(&unset, &c, &stats), 1);
    cr_assert_float_eq(c.pause_ms, 10.0, 1e-12);
    cr_assert(strstr(warnings, "CRYO_GC_PAUSE_MS='-0.5' is out of range"), "%s", warnings);
}

Test(options, mem_release_takes_whole_kib_only)
{
    struct gc_config c;
    int stats;
    setenv("CRYO_MEM_RELEASE", "4096", 1);
    cr_assert_eq(read_opts(&unset, &c, &stats), 0);
    cr_assert_eq(c.mem_release_kib, 4096);
    setenv("CRYO_MEM_RELEASE", "1.5", 1);
    cr_assert_eq(read_opts(&unset, &c, &stats), 1);
    cr_assert_eq(c.mem_release_kib, (long)gc_options[GC_OPTION_MEM_RELEASE].def);
    cr_assert(strstr(warnings, "whole number"), "%s", warnings);
    setenv("CRYO_MEM_RELEASE", "99999999999", 1);
    cr_assert_eq(read_opts(&unset, &c, &stats), 1);
    cr_assert_eq(c.mem_release_kib, (long)gc_options[GC_OPTION_MEM_RELEASE].def);
}

Test(options, allocator_and_gc_take_cryo_or_python)
{
    struct gc_config c;
    int stats;
    setenv("CRYO_ALLOCATOR", "python", 1);
    setenv("CRYO_GC", "python", 1);
    cr_assert_eq(read_opts(&unset, &c, &stats), 0);
    cr_assert_eq(c.allocator, GC_ALLOCATOR_PYTHON);
    cr_assert_eq(c.policy, GC_POLICY_PYTHON);
    setenv("CRYO_ALLOCATOR", "jemalloc", 1);
    setenv("CRYO_GC", "Python", 1); /* exact names only */
    cr_assert_eq(read_opts(&unset, &c, &stats), 2);
    cr_assert_eq(c.allocator, GC_ALLOCATOR_CRYO);
    cr_assert_eq(c.policy, GC_POLICY_CRYO);
    cr_assert(strstr(warnings, "CRYO_ALLOCATOR='jemalloc' is not one of cryo, python; "
                               "using the default, cryo"),
              "%s", warnings);
}

Test(options, stats_takes_zero_one_and_words)
{
    struct gc_config c;
    int stats;
    static const char *const on[] = {"1", "yes", "ON", "true"};
    static const char *const off[] = {"0", "no", "off", "False"};
    for (int i = 0; i < 4; i++) {
        setenv("CRYO_STATS", on[i], 1);
        cr_assert_eq(read_opts(&unset, &c, &stats), 0);
        cr_assert_eq(stats, 1, "%s", on[i]);
        setenv("CRYO_STATS", off[i], 1);
        cr_assert_eq(read_opts(&unset, &c, &stats), 0);
        cr_assert_eq(stats, 0, "%s", off[i]);
    }
    setenv("CRYO_STATS", "2", 1);
    cr_assert_eq(read_opts(&unset, &c, &stats), 1);
    cr_assert_eq(stats, 0);
}

Test(options, a_build_value_out_of_range_is_not_trusted)
{
    struct gc_config b = {7, 9, -5.0, 1e9, 1L << 40}, c;
    int stats;
    cr_assert_eq(read_opts(&b, &c, &stats), 0);
    cr_assert_eq(c.allocator, GC_ALLOCATOR_CRYO);
    cr_assert_eq(c.policy, GC_POLICY_CRYO);
    cr_assert_float_eq(c.growth, 0.5, 1e-12);
    cr_assert_float_eq(c.pause_ms, 10.0, 1e-12);
    cr_assert_eq(c.mem_release_kib, (long)gc_options[GC_OPTION_MEM_RELEASE].def);
}

Test(options, range_bounds_are_inclusive)
{
    double v;
    char why[64];
    const struct gc_option *g = &gc_options[GC_OPTION_GROWTH];
    cr_assert_eq(gc_option_parse(g, "0.05", &v, why, sizeof why), 0);
    cr_assert_eq(gc_option_parse(g, "100", &v, why, sizeof why), 0);
    cr_assert_eq(gc_option_parse(g, "0.04", &v, why, sizeof why), -1);
    cr_assert_str_eq(why, "out of range 0.05..100.0");
    cr_assert_eq(gc_option_parse(g, "1e1", &v, why, sizeof why), 0);
    cr_assert_float_eq(v, 10.0, 1e-12);
    cr_assert_eq(gc_option_parse(g, ".5", &v, why, sizeof why), 0);
    cr_assert_eq(gc_option_parse(g, "", &v, why, sizeof why), -1);
    cr_assert_eq(gc_option_parse(g, "1.0.0", &v, why, sizeof why), -1);
}

Test(options, a_long_bad_value_is_shortened_in_the_warning)
{
    struct gc_config c;
    int stats;
    char big[300];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    setenv("CRYO_GC_GROWTH", big, 1);
    cr_assert_eq(read_opts(&unset, &c, &stats), 1);
    cr_assert_lt(strlen(warnings), 160, "%s", warnings);
    cr_assert(strstr(warnings, "...'"), "%s", warnings);
}
