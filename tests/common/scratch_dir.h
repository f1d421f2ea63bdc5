/* scratch_dir.h — a fresh directory under /tmp for one Criterion test, and
 * its removal (everything in it, read-only files and directories too).
 * Shared by the unit tests that write files (tests/freezer, tests/runtime). */
#ifndef CRYO_TEST_SCRATCH_DIR_H
#define CRYO_TEST_SCRATCH_DIR_H

#include <criterion/criterion.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int scratch_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    chmod(path, 0700);
    return remove(path);
}

/* Make "/tmp/cryo-test-<what>-XXXXXX" in buf (cap >= 64). */
static inline void scratch_dir_new(char *buf, size_t cap, const char *what)
{
    snprintf(buf, cap, "/tmp/cryo-test-%s-XXXXXX", what);
    cr_assert_not_null(mkdtemp(buf), "mkdtemp: %s", strerror(errno));
}

static inline void scratch_dir_remove(const char *path)
{
    if (path[0])
        nftw(path, scratch_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
