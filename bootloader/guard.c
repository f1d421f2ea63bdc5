/* guard.c — the start-up checks of a frozen program, before main().
 *
 * What has already happened: the first stage (stage.c) found the trailer,
 * checked the file's size and the guard ranges (the loader's tables, the
 * PLT, .init, _start and this file's own section, "cryo_guard"), mapped the
 * image and started the dynamic loader.  What happens here, in a
 * constructor that runs before any other of the image's:
 *
 *   1. open the executable (/proc/self/exe, or AT_EXECFN where /proc is not
 *      mounted), read and check its trailer again (the stage kept nothing:
 *      nothing can pass between the two but the stack);
 *   2. verify the whole ELF image against image_crc, and the whole payload
 *      too when it is no larger than the image (so the pass costs at most
 *      twice what the image alone costs; a bigger payload, a program
 *      carrying models or data, is left to the per-member checks, so that
 *      its cost follows what the run reads).  About 2 ms per 8 MB, read
 *      with pread into a small buffer so the file never becomes resident
 *      memory.  Done on a second thread, so that it overlaps the
 *      interpreter's start-up (done first it would make hello world's
 *      start-up a quarter slower); the main thread waits for the verdict
 *      (bl_verify_wait) before the program's first line runs.  Until then
 *      a fault, an abort() or an exit() waits for it too: a damaged file is
 *      reported as damaged — the one-line message and status 127 — never
 *      as a signal or a half-run.  Every payload member is also checked as
 *      it is read (payload.c).
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
 *      checks every byte.  Why it is needed: measured here, the check costs
 *      about 1.2 ms of CPU per 9 MB, and on these 2-vCPU machines a second
 *      thread's work slows the main thread by as much (a spinning process
 *      on the other vCPU slows python3.11's start-up by 18%), so every
 *      start would pay it: hello world 1.00x python3.11 -I -S instead of
 *      0.87x.  Where no cache directory is usable (read-only everything),
 *      every start verifies.
 *
 * CRYO_VERIFY chooses (documented in the README):
 *   full    (the default) as above;
 *   all     image and whole payload, whatever its size, both before
 *           anything else runs, on this thread;
 *   payload members only, as they are read: neither the image nor unread
 *           members are checked (it saves the second thread's CPU time,
 *           not wall time).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../runtime/cache_dir.h"
#include "bootloader.h"

static struct bl_payload payload;
static char exe_path[PATH_MAX];
static const char *me = "cryo-app";

/* 0 while the image's verification runs, 1 once it is known good.  A
 * damaged image never sets it: the verifier exits the process. */
static atomic_int verdict = 1;
static pthread_t verifier;
static atomic_int joined = 1;

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

BL_GUARD static int verdict_known(void)
{
    char path[PATH_MAX], want[160];
    return verdict_paths(path, sizeof path, want, sizeof want) == 0
           && rt_text_file_is(path, want);
}

/* Not fsynced: a stamp lost in a crash costs one more check, nothing else. */
BL_GUARD static void verdict_remember(void)
{
    char path[PATH_MAX], text[160];
    if (verdict_paths(path, sizeof path, text, sizeof text) == 0)
        rt_write_text_atomic(path, text, 0);
}

static const int guarded[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS};
#define NGUARDED (sizeof guarded / sizeof guarded[0])

BL_GUARD __attribute__((noreturn)) void bl_refuse(enum bl_err err, int err_no)
{
    char line[PATH_MAX + 512];
    int n;
    if (err == BL_ERR_IO)
        n = snprintf(line, sizeof line, "%s: cannot start: cannot read '%s': %s\n", me, exe_path,
                     strerror(err_no));
    else
        n = snprintf(line, sizeof line,
                     "%s" BL_MSG_DAMAGED_HEAD "%s" BL_MSG_DAMAGED_MID "%s" BL_MSG_DAMAGED_TAIL, me,
                     exe_path, bl_err_text(err));
    if (n > 0) {
        size_t len = (size_t)n < sizeof line ? (size_t)n : sizeof line - 1;
        ssize_t w = write(STDERR_FILENO, line, len);
        (void)w;
    }
    _exit(BL_EXIT_DAMAGED);
}

BL_GUARD static void *verify_file(void *arg)
{
    (void)arg;
    const struct bl_trailer *t = &payload.trailer;
    uint32_t crc = 0;
    enum bl_err err = bl_checksum_range(payload.fd, t->image_offset, t->image_size, &crc);
    if (err == BL_OK && crc != t->image_crc)
        err = BL_ERR_IMAGE_CRC;
    if (err == BL_OK && t->payload_size <= t->image_size) {
        err = bl_checksum_range(payload.fd, t->payload_offset, t->payload_size, &crc);
        if (err == BL_OK && crc != t->payload_crc)
            err = BL_ERR_PAYLOAD_CRC;
    }
    if (err != BL_OK)
        bl_refuse(err, errno);
    atomic_store(&verdict, 1);
    verdict_remember();
    return NULL;
}

/* A fault while the verdict is out: wait for it.  A damaged image ends the
 * process from the verifier; a good one means the fault is the program's
 * own, so let it have python3.11's outcome: the handler was installed with
 * SA_RESETHAND, so returning re-runs the faulting instruction under the
 * default action, and a signal that was sent rather than caused is sent
 * again. */
BL_GUARD static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    struct timespec ms = {0, 1000000};
    while (!atomic_load(&verdict))
        nanosleep(&ms, NULL);
    if (si->si_code <= 0 || sig == SIGABRT)
        raise(sig);
}

static void restore_handlers(void)
{
    for (size_t i = 0; i < NGUARDED; i++) {
        struct sigaction now;
        if (sigaction(guarded[i], NULL, &now) == 0 && (now.sa_flags & SA_SIGINFO)
            && now.sa_sigaction == on_fault)
            signal(guarded[i], SIG_DFL);
    }
}

void bl_verify_wait(void)
{
    int expected = 0;
    if (!atomic_compare_exchange_strong(&joined, &expected, 1))
        return;
    pthread_join(verifier, NULL);
    restore_handlers();
}

BL_GUARD static void wait_at_exit(void)
{
    bl_verify_wait();
}

const struct bl_payload *bl_guard_payload(void)
{
    return &payload;
}

const char *bl_exe_path(void)
{
    return exe_path;
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

    int checks = 0, threaded = 1;
    const char *mode = getenv("CRYO_VERIFY");
    if (!mode || !*mode || strcmp(mode, "full") == 0)
        ;
    else if (strcmp(mode, "all") == 0)
        checks = BL_OPEN_CHECK_IMAGE | BL_OPEN_CHECK_PAYLOAD, threaded = 0;
    else if (strcmp(mode, "payload") == 0)
        threaded = 0;
    else
        /* As the other CRYO_* variables: said, not fatal. */
        fprintf(stderr, "cryo: warning: CRYO_VERIFY='%s' is not one of full, all, payload; "
                        "using the default, full\n", mode);

    int fd = open_self();
    if (fd < 0)
        bl_refuse(BL_ERR_IO, errno);
    int err_no = 0;
    bl_log("verifying %s (CRYO_VERIFY=%s)", exe_path, mode && *mode ? mode : "full");
    enum bl_err err = bl_payload_open_fd(fd, &payload, &err_no, checks);
    if (err != BL_OK)
        bl_refuse(err, err_no);
    const struct bl_trailer *t = &payload.trailer;
    /* The first stage's page has done its work. */
    if (t->image_offset == BL_STAGE_SIZE)
        munmap((void *)(uintptr_t)BL_STAGE_VADDR, BL_STAGE_SIZE);
    if (!threaded)
        return;
    if (verdict_known()) {
        bl_log("verified before (stamp in the cache): not checked again");
        return;
    }

    atomic_store(&verdict, 0);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | SA_RESETHAND | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < NGUARDED; i++)
        sigaction(guarded[i], &sa, NULL);
    /* The verifier takes no signal: they are all the main thread's. */
    sigset_t all, old;
    sigfillset(&all);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&verifier, &attr, verify_file, NULL);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        /* No thread to be had (a tight RLIMIT_NPROC): check here. */
        verify_file(NULL);
        restore_handlers();
        return;
    }
    atomic_store(&joined, 0);
    atexit(wait_at_exit);
}
