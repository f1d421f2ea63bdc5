/* cache_dir.c — the safety rules of the per-user cache (native files,
 * native_files.c; verdicts on executables, bootloader/guard.c):
 * directories that are the user's alone, and the stamp that tells a file
 * verified once from one changed since.  No Python here: the unit tests
 * (tests/runtime/test_cache_dir.c) call these directly. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "../bootloader/bootloader.h"
#include "cache_dir.h"

/* mkdir -m 0700 if absent; then it must be a directory of ours that no one
 * else can write.  0, or -1 with *why set. */
BL_GUARD int rt_private_dir(const char *path, const char **why)
{
    if (mkdir(path, 0700) != 0 && errno != EEXIST) {
        *why = strerror(errno);
        return -1;
    }
    struct stat st;
    if (lstat(path, &st) != 0) {
        *why = strerror(errno);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) {
        *why = "not a directory";
        return -1;
    }
    if (st.st_uid != geteuid()) {
        *why = "owned by another user";
        return -1;
    }
    if (st.st_mode & 022) {
        *why = "writable by other users";
        return -1;
    }
    return 0;
}

BL_GUARD int rt_try_cache_dir(const char *base, const char *name, const char *sub, int need_exec,
                     char *out, size_t cap, const char **why)
{
    char cryo[PATH_MAX];
    if (snprintf(cryo, sizeof cryo, "%s/%s", base, name) >= (int)sizeof cryo
        || snprintf(out, cap, "%s/%s", cryo, sub) >= (int)cap) {
        *why = "path too long";
        return -1;
    }
    if (mkdir(base, 0700) != 0 && errno != EEXIST) {
        *why = strerror(errno);
        return -1;
    }
    if (rt_private_dir(cryo, why) < 0 || rt_private_dir(out, why) < 0)
        return -1;
    struct statvfs vfs;
    if (statvfs(out, &vfs) == 0
        && (vfs.f_flag & ((need_exec ? ST_NOEXEC : 0) | ST_RDONLY))) {
        *why = (vfs.f_flag & ST_RDONLY) ? "read-only file system" : "mounted noexec";
        return -1;
    }
    if (access(out, W_OK) != 0) {
        *why = strerror(errno);
        return -1;
    }
    return 0;
}

BL_GUARD int rt_find_cache_dir(const char *sub, int need_exec, char *out, size_t cap,
                      void (*note)(const char *base, const char *why))
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    const char *run = getenv("XDG_RUNTIME_DIR"), *tmp = getenv("TMPDIR");
    char base[PATH_MAX], uid_name[32];
    const char *why = NULL;
    snprintf(uid_name, sizeof uid_name, "cryo-%u", (unsigned)geteuid());
    const char *bases[4] = {NULL, NULL, NULL, tmp && tmp[0] == '/' ? tmp : "/tmp"};
    const char *names[4] = {"cryo", "cryo", "cryo", uid_name};
    if (xdg && xdg[0] == '/')
        bases[0] = xdg;
    if (home && home[0] == '/' && snprintf(base, sizeof base, "%s/.cache", home) < (int)sizeof base)
        bases[1] = base;
    if (run && run[0] == '/')
        bases[2] = run;
    for (int i = 0; i < 4; i++) {
        if (!bases[i])
            continue;
        if (rt_try_cache_dir(bases[i], names[i], sub, need_exec, out, cap, &why) == 0)
            return 0;
        if (note)
            note(bases[i], why);
    }
    return -1;
}

/* The stamp of a verified cache file: "<inode> <ctime s> <ctime ns>
 * <size>", in "<file>.stamp", written after the file was verified and put
 * in place.  Any change to the file (a write, chmod, utime, replacement)
 * changes its ctime or inode, which no user can set back: the stamp then
 * no longer matches, and the file is written again. */
static void stamp_text(const struct stat *st, char *buf, size_t cap)
{
    snprintf(buf, cap, "%llu %lld %ld %lld\n", (unsigned long long)st->st_ino,
             (long long)st->st_ctim.tv_sec, (long)st->st_ctim.tv_nsec, (long long)st->st_size);
}

BL_GUARD int rt_text_file_is(const char *path, const char *want)
{
    char got[256];
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, got, sizeof got - 1);
    close(fd);
    return n > 0 && (got[n] = '\0', strcmp(got, want) == 0);
}

BL_GUARD int rt_write_text_atomic(const char *path, const char *text, int sync)
{
    char tmp[PATH_MAX];
    if (snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", path) >= (int)sizeof tmp)
        return -1;
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -1;
    size_t len = strlen(text);
    int ok = write(fd, text, len) == (ssize_t)len && (!sync || fsync(fd) == 0);
    close(fd);
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        return -1;
    }
    return 0;
}

int rt_stamp_matches(const char *path, const char *stamp_path, uint64_t size)
{
    struct stat st;
    if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid()
        || (uint64_t)st.st_size != size || (st.st_mode & 0222))
        return 0;
    char want[128];
    stamp_text(&st, want, sizeof want);
    return rt_text_file_is(stamp_path, want);
}

int rt_write_stamp(const char *path, const char *stamp_path)
{
    struct stat st;
    char text[128];
    if (lstat(path, &st) != 0)
        return -1;
    stamp_text(&st, text, sizeof text);
    return rt_write_text_atomic(stamp_path, text, 1);
}
