/* test_cache_dir.c — runtime/cache_dir.c: the native-file cache's safety
 * rules.  Each test works in a fresh directory under /tmp. */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache_dir.h"

#include "../common/scratch_dir.h"

static char dir[64];

static void setup(void)
{
    scratch_dir_new(dir, sizeof dir, "cachedir");
}

static void teardown(void)
{
    scratch_dir_remove(dir);
}

TestSuite(cache_dir, .init = setup, .fini = teardown);

static char *at(const char *rel)
{
    char *p;
    cr_assert(asprintf(&p, "%s/%s", dir, rel) > 0);
    return p;
}

Test(cache_dir, creates_a_private_directory)
{
    char *p = at("new");
    const char *why = NULL;
    cr_assert_eq(rt_private_dir(p, &why), 0, "%s", why);
    struct stat st;
    cr_assert_eq(lstat(p, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0700, "mode %o", st.st_mode & 0777);
    cr_expect_eq(rt_private_dir(p, &why), 0, "an existing private directory is refused: %s", why);
    free(p);
}

static void expect_refused(const char *rel, const char *why_part)
{
    char *p = at(rel);
    const char *why = NULL;
    cr_expect_eq(rt_private_dir(p, &why), -1, "%s was accepted", rel);
    cr_expect(why && strstr(why, why_part), "%s: '%s' does not say '%s'", rel, why, why_part);
    free(p);
}

Test(cache_dir, refuses_what_is_not_a_private_directory)
{
    char *loose = at("loose"), *file = at("file"), *link = at("link"), *target = at("target");
    cr_assert_eq(mkdir(loose, 0700), 0);
    cr_assert_eq(chmod(loose, 0777), 0);
    expect_refused("loose", "writable by other users");
    cr_assert_eq(chmod(loose, 0720), 0);
    expect_refused("loose", "writable by other users");
    close(open(file, O_CREAT | O_WRONLY, 0600));
    expect_refused("file", "not a directory");
    cr_assert_eq(mkdir(target, 0700), 0);
    cr_assert_eq(symlink(target, link), 0);
    expect_refused("link", "not a directory");
    if (geteuid() == 0) {
        char *other = at("other");
        cr_assert_eq(mkdir(other, 0700), 0);
        cr_assert_eq(chown(other, 65534, 65534), 0);
        expect_refused("other", "owned by another user");
        free(other);
    }
    char *missing = at("no/such/parent");
    const char *why = NULL;
    cr_expect_eq(rt_private_dir(missing, &why), -1);
    free(missing);
    free(loose);
    free(file);
    free(link);
    free(target);
}

Test(cache_dir, makes_both_levels_of_a_cache_and_refuses_a_loose_one)
{
    char out[4096];
    const char *why = NULL;
    cr_assert_eq(rt_try_cache_dir(dir, "cryo", "native", 1, out, sizeof out, &why), 0, "%s", why);
    char *want = at("cryo/native");
    cr_expect_str_eq(out, want);
    struct stat st;
    cr_assert_eq(stat(out, &st), 0);
    cr_expect(S_ISDIR(st.st_mode));
    char *cryo = at("cryo");
    cr_assert_eq(chmod(cryo, 0777), 0);
    cr_expect_eq(rt_try_cache_dir(dir, "cryo", "native", 1, out, sizeof out, &why), -1);
    free(cryo);
    free(want);
}

static char *stamped_file(const char *rel, const char *content)
{
    char *p = at(rel);
    int fd = open(p, O_CREAT | O_WRONLY | O_TRUNC, 0600);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
    close(fd);
    cr_assert_eq(chmod(p, 0500), 0);
    return p;
}

Test(cache_dir, a_stamp_matches_only_the_file_it_was_written_for)
{
    char *p = stamped_file("lib.so", "0123456789");
    char *stamp = at("lib.so.stamp");
    cr_expect_eq(rt_stamp_matches(p, stamp, 10), 0, "matches before any stamp");
    cr_assert_eq(rt_write_stamp(p, stamp), 0);
    cr_expect(rt_stamp_matches(p, stamp, 10), "does not match the file it was written for");
    cr_expect(!rt_stamp_matches(p, stamp, 11), "matches another size");
    /* chmod changes ctime, even back to the same mode */
    cr_assert_eq(chmod(p, 0700), 0);
    cr_expect(!rt_stamp_matches(p, stamp, 10), "matches a writable file");
    cr_assert_eq(chmod(p, 0500), 0);
    cr_expect(!rt_stamp_matches(p, stamp, 10), "matches after chmod (ctime changed)");
    /* a replaced file (new inode), same content and mode */
    cr_assert_eq(rt_write_stamp(p, stamp), 0);
    cr_assert_eq(unlink(p), 0);
    free(stamped_file("lib.so", "0123456789"));
    cr_expect(!rt_stamp_matches(p, stamp, 10), "matches a replaced file");
    /* a damaged stamp */
    cr_assert_eq(rt_write_stamp(p, stamp), 0);
    FILE *f = fopen(stamp, "w");
    fputs("garbage\n", f);
    fclose(f);
    cr_expect(!rt_stamp_matches(p, stamp, 10), "matches a damaged stamp");
    free(stamp);
    free(p);
}
