/* cache_dir.h — the native-file cache's safety rules (cache_dir.c). */
#ifndef CRYO_CACHE_DIR_H
#define CRYO_CACHE_DIR_H

#include <stddef.h>
#include <stdint.h>

/* mkdir -m 0700 `path` if absent; then it must be a directory (not a
 * symbolic link) of this user's that no one else can write.  0, or -1 with
 * *why set (a static string). */
int rt_private_dir(const char *path, const char **why);

/* `base`/`name`/native, created private (both levels), on a file system
 * that is writable and not noexec: 0 with its path in out, or -1 with
 * *why. */
int rt_try_cache_dir(const char *base, const char *name, char *out, size_t cap,
                     const char **why);

/* Whether the file at `path` is this user's, read-only, of `size` bytes,
 * and matches the stamp at `stamp_path` (rt_write_stamp): a file changed
 * in any way since (written, chmod, utime, replaced) does not. */
int rt_stamp_matches(const char *path, const char *stamp_path, uint64_t size);

/* Write the stamp of the file at `path` (inode, ctime, size), atomically.
 * 0 or -1. */
int rt_write_stamp(const char *path, const char *stamp_path);

#endif
