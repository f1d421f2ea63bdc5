/* cache_dir.h — the per-user cache's safety rules (cache_dir.c). */
#ifndef CRYO_CACHE_DIR_H
#define CRYO_CACHE_DIR_H

#include <stddef.h>
#include <stdint.h>

/* mkdir -m 0700 `path` if absent; then it must be a directory (not a
 * symbolic link) of this user's that no one else can write.  0, or -1 with
 * *why set (a static string). */
int rt_private_dir(const char *path, const char **why);

/* `base`/`name`/`sub`, created private (both levels), on a file system
 * that is writable (and not noexec if `need_exec`): 0 with its path in
 * out, or -1 with *why. */
int rt_try_cache_dir(const char *base, const char *name, const char *sub, int need_exec,
                     char *out, size_t cap, const char **why);

/* The first usable of $XDG_CACHE_HOME/cryo, ~/.cache/cryo,
 * $XDG_RUNTIME_DIR/cryo and ${TMPDIR:-/tmp}/cryo-<uid> (a container often
 * has no writable home but a writable /tmp), each with /`sub`.  0 with
 * its path in out, or -1; `note`, if given, hears why each base failed. */
int rt_find_cache_dir(const char *sub, int need_exec, char *out, size_t cap,
                      void (*note)(const char *base, const char *why));

/* Whether the file at `path` is this user's, read-only, of `size` bytes,
 * and matches the stamp at `stamp_path` (rt_write_stamp): a file changed
 * in any way since (written, chmod, utime, replaced) does not. */
int rt_stamp_matches(const char *path, const char *stamp_path, uint64_t size);

/* Write the stamp of the file at `path` (inode, ctime, size), atomically.
 * 0 or -1. */
int rt_write_stamp(const char *path, const char *stamp_path);

/* Whether the file at `path` (not a symbolic link) holds exactly `want`
 * (under 256 bytes). */
int rt_text_file_is(const char *path, const char *want);

/* Write `text` to `path` through a temporary file and a rename (fsynced
 * first if `sync`): readers see the old file or the new, never a part.
 * 0 or -1. */
int rt_write_text_atomic(const char *path, const char *text, int sync);

#endif
