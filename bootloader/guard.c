/* guard.c — the start-up checks of a frozen program, before main().
 *
 * What has already happened: the first stage (stage_first.c, stage_rest.c)
 * found the trailer,
 * checked the file's size and the guard ranges (the loader's tables, the
 * PLT, .init, _start and this file's own section, "cryo_guard"), mapped the
 * image and started the dynamic loader.  What happens here, in a
 * constructor that runs before any other of the image's, so before any of
 * the interpreter:
 *
 *   1. open the executable (/proc/self/exe, or AT_EXECFN where /proc is not
 *      mounted), read and check its trailer again (the stage kept nothing:
 *      nothing can pass between the two but the stack);
 *   2. verify the whole ELF image against image_crc, and the whole payload
 *      too when it is no larger than the image (so the pass costs at most
 *      twice what the image alone costs; a bigger payload, a program
 *      carrying models or data, is left to the per-member checks, so that
 *      its cost follows what the run reads).  About 1.2 ms per 9 MB, read
 *      with pread into a small buffer so the file never becomes resident
 *      memory.  Every payload member is also checked as it is read
 *      (payload.c).
 *   3. remember the verdict: a stamp in the per-user cache
 *      (<cache>/verified/<device>-<inode>, runtime/cache_dir.c's rules)
 *      holding the file's size, mtime, ctime and checksums.  A later start
 *      of the same file finds it and skips step 2.  Why that is sound: any
 *      change made to the file through the file system — a write, a
 *      truncation, a copy over it, a new download — changes its ctime or
 *      its inode, which no user can set back, so the stamp no longer
 *      matches and the whole check runs again.  What it does not catch is
 *      damage below the file system (a disk flipping a bit after the first
 *      run); members are still checked at every read, and CRYO_VERIFY=all
 *      checks every byte.  Where no cache directory is usable (read-only
 *      everything), every start verifies.
 *
 * Why step 2 is not on a second thread, overlapping the interpreter's
 * start-up: tried (DESIGN.md).  On these 2-vCPU machines a second thread's
 * work slows the first by as much (a process spinning on the other vCPU
 * slows python3.11's start-up by 18%): hello world measured 1.00x
 * python3.11 -I -S with the pass threaded at every start, against 0.86x
 * with the stamp.  And a damaged image then runs while it is checked: a
 * flip that makes the interpreter print a fatal error got that text in
 * front of the refusal.  Done first, nothing of the image but this file's
 * guarded section runs before the verdict.
 *
 * CRYO_VERIFY chooses (documented in the README):
 *   full    (the default) as above;
 *   all     image and whole payload, whatever its size, at every start,
 *           nothing remembered;
 *   payload members only, as they are read: neither the image nor unread
 *           members are checked.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../runtime/cache_dir.h"
#include "bootloader.h"

static struct bl_payload payload;
static char exe_path[PATH_MAX];
static const char *me = "cryo-app";

#define BL_ERR_GUARDED(e, text) [e] = text,
static const char guarded_text[][96] BL_GUARD_RO = {BL_ERR_TEXTS(BL_ERR_GUARDED)};
#undef BL_ERR_GUARDED
static const char fmt_io[] BL_GUARD_RO = "%s: cannot start: cannot read '%s': %s\n";
static const char fmt_damaged[] BL_GUARD_RO =
    "%s" BL_MSG_DAMAGED_HEAD "%s" BL_MSG_DAMAGED_MID "%s" BL_MSG_DAMAGED_TAIL;

BL_GUARD __attribute__((noreturn)) void bl_refuse(enum bl_err err, int err_no)
{
    char line[PATH_MAX + 512];
    int n;
    if (err == BL_ERR_IO)
        n = snprintf(line, sizeof line, fmt_io, me, exe_path, strerror(err_no));
    else
        n = snprintf(line, sizeof line, fmt_damaged, me, exe_path,
                     (unsigned)err < sizeof guarded_text / sizeof guarded_text[0]
                         ? guarded_text[err]
                         : bl_err_text(err));
    if (n > 0) {
        size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
        ssize_t w = write(STDERR_FILENO, line, len);
        (void)w;
    }
    _exit(BL_EXIT_DAMAGED);
}

const struct bl_payload *bl_guard_payload(void)
{
    return &payload;
}

const char *bl_exe_path(void)
{
    return exe_path;
}

/* The verdict stamp of the file open on payload.fd (step 3). */
BL_GUARD static int verdict_paths(char *path, size_t cap, char *text, size_t tcap)
{
    struct stat st;
    char dir[PATH_MAX];
    const struct bl_trailer *t = &payload.trailer;
    if (fstat(payload.fd, &st) != 0
        || rt_find_cache_dir("verified", 0, dir, sizeof dir, NULL) != 0
        || snprintf(path, cap, "%s/%llx-%llx", dir, (unsigned long long)st.st_dev,
                    (unsigned long long)st.st_ino) >= (int)cap)
        return -1;
    snprintf(text, tcap, "%llu %lld.%09ld %lld.%09ld %08x %08x\n",
             (unsigned long long)st.st_size, (long long)st.st_mtim.tv_sec,
             (long)st.st_mtim.tv_nsec, (long long)st.st_ctim.tv_sec, (long)st.st_ctim.tv_nsec,
             (unsigned)t->image_crc, (unsigned)t->payload_crc);
    return 0;
}

/* The executable: /proc/self/exe, or where /proc is not mounted the name
 * it was started by (AT_EXECFN, relative to the working directory, which
 * nothing has changed yet).  Without /proc the program still runs; what is
 * lost is said in the README (sharing third-party native files in memory
 * with children). */
BL_GUARD static int open_self(void)
{
    ssize_t n = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
    if (n > 0) {
        exe_path[n] = '\0';
        int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            return fd;
    }
    int saved = errno;
    const char *fn = (const char *)getauxval(AT_EXECFN);
    if (!fn || !*fn) {
        snprintf(exe_path, sizeof exe_path, "/proc/self/exe");
        errno = saved;
        return -1;
    }
    if (!realpath(fn, exe_path))
        snprintf(exe_path, sizeof exe_path, "%s", fn);
    return open(fn, O_RDONLY | O_CLOEXEC);
}

BL_GUARD __attribute__((constructor(101))) static void guard_start(int argc, char **argv,
                                                                   char **envp)
{
    (void)envp;
    if (argc > 0 && argv[0])
        me = argv[0];
    bl_log_init();

    int checks = 0, whole = 1;
    const char *mode = getenv("CRYO_VERIFY");
    if (!mode || !*mode || strcmp(mode, "full") == 0)
        ;
    else if (strcmp(mode, "all") == 0)
        checks = BL_OPEN_CHECK_IMAGE | BL_OPEN_CHECK_PAYLOAD, whole = 0;
    else if (strcmp(mode, "payload") == 0)
        whole = 0;
    else
        /* As the other CRYO_* variables: said, not fatal. */
        fprintf(stderr, "cryo: warning: CRYO_VERIFY='%s' is not one of full, all, payload; "
                        "using the default, full\n", mode);

    int fd = open_self();
    if (fd < 0)
        bl_refuse(BL_ERR_IO, errno);
    /* Started with stdin, stdout or stderr closed, the file would take its
     * number, and Python would then take the file for that stream (it
     * makes sys.stdout None only when descriptor 1 is not open), as
     * python3.11 never does: it keeps no file open from before. */
    if (fd < 3) {
        int high = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        close(fd);
        fd = high;
        if (fd < 0)
            bl_refuse(BL_ERR_IO, errno);
    }
    int err_no = 0;
    bl_log("verifying %s (CRYO_VERIFY=%s)", exe_path, mode && *mode ? mode : "full");
    enum bl_err err = bl_payload_open_fd(fd, &payload, &err_no, checks);
    if (err != BL_OK)
        bl_refuse(err, err_no);
    /* The first stage's page has done its work. */
    if (payload.trailer.image_offset == BL_STAGE_SIZE)
        munmap((void *)(uintptr_t)BL_STAGE_VADDR, BL_STAGE_SIZE);
    if (!whole)
        return;
    char stamp[PATH_MAX], text[160];
    int have = verdict_paths(stamp, sizeof stamp, text, sizeof text) == 0;
    if (have && rt_text_file_is(stamp, text)) {
        bl_log("verified before (stamp in the cache): not checked again");
        return;
    }
    /* Step 2: the whole image, and the payload unless it is larger. */
    const struct bl_trailer *t = &payload.trailer;
    err = bl_payload_verify(&payload, BL_OPEN_CHECK_IMAGE
                                          | (t->payload_size <= t->image_size
                                                 ? BL_OPEN_CHECK_PAYLOAD : 0));
    if (err != BL_OK)
        bl_refuse(err, errno);
    /* Not fsynced: a stamp lost in a crash costs one more check. */
    if (have)
        rt_write_text_atomic(stamp, text, 0);
}
