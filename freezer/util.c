/* util.c — the freezer's small helpers: messages, memory, strings, files. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fz.h"

int fz_verbose;
int fz_quiet;

static void vmsg(const char *kind, const char *fmt, va_list ap)
{
    fflush(stdout);
    fputs("cryo: ", stderr);
    if (kind)
        fputs(kind, stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
}

void fz_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("error: ", fmt, ap);
    va_end(ap);
}

void fz_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("warning: ", fmt, ap);
    va_end(ap);
}

void fz_hint(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vmsg("hint: ", fmt, ap);
    va_end(ap);
}

void fz_note(const char *fmt, ...)
{
    if (!fz_verbose)
        return;
    va_list ap;
    va_start(ap, fmt);
    vmsg(NULL, fmt, ap);
    va_end(ap);
}

static void oom(void)
{
    fputs("cryo: error: out of memory\n", stderr);
    abort();
}

void *fz_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *fz_xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p)
        oom();
    return p;
}

char *fz_xstrdup(const char *s)
{
    char *d = strdup(s);
    if (!d)
        oom();
    return d;
}

char *fz_printf(const char *fmt, ...)
{
    va_list ap;
    char *s;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        oom();
    return s;
}

void fz_strv_push(struct fz_strv *sv, const char *s)
{
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? 2 * sv->cap : 8;
        sv->v = fz_xrealloc(sv->v, sv->cap * sizeof *sv->v);
    }
    sv->v[sv->n++] = fz_xstrdup(s);
}

void fz_strv_free(struct fz_strv *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv->v = NULL;
    sv->n = sv->cap = 0;
}

char *fz_read_file(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *buf = NULL;
    if (fd < 0)
        goto fail;
    if (fstat(fd, &st) != 0)
        goto fail;
    if (S_ISDIR(st.st_mode)) {
        errno = EISDIR;
        goto fail;
    }
    size_t cap = S_ISREG(st.st_mode) ? (size_t)st.st_size + 1 : 4096, got = 0;
    buf = fz_xmalloc(cap);
    for (;;) {
        if (got + 1 >= cap) {
            cap *= 2;
            buf = fz_xrealloc(buf, cap);
        }
        ssize_t n = read(fd, buf + got, cap - got - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            goto fail;
        if (n == 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    buf[got] = '\0';
    *len = got;
    return buf;
fail:
    fz_error("cannot read '%s': %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    free(buf);
    return NULL;
}

int fz_is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int fz_is_dir(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int fz_list_dir(const char *path, struct fz_strv *out)
{
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            fz_strv_push(out, e->d_name);
    closedir(d);
    if (out->n)
        qsort(out->v, out->n, sizeof *out->v, cmp_str);
    return 0;
}

int fz_strv_has(const struct fz_strv *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return 1;
    return 0;
}

int fz_is_metadata_dir_name(const char *name)
{
    size_t len = strlen(name);
    return (len > 10 && strcmp(name + len - 10, ".dist-info") == 0)
           || (len > 9 && strcmp(name + len - 9, ".egg-info") == 0);
}

void fz_remove_flat_dir(const char *path)
{
    int dfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (dfd >= 0) {
        char buf[4096];
        long n;
        while ((n = syscall(SYS_getdents64, dfd, buf, sizeof buf)) > 0) {
            for (long off = 0; off < n;) {
                struct linux_dirent64 {
                    uint64_t d_ino;
                    int64_t d_off;
                    unsigned short d_reclen;
                    unsigned char d_type;
                    char d_name[];
                } *d = (void *)(buf + off);
                if (strcmp(d->d_name, ".") != 0 && strcmp(d->d_name, "..") != 0)
                    unlinkat(dfd, d->d_name, 0);
                off += d->d_reclen;
            }
        }
        close(dfd);
    }
    rmdir(path);
}

/* The lock of a dead build's directory `path` (FZ_TMP_LOCK), taken once
 * the compilers it left have finished: its descriptor, -1 when the
 * directory has none (an older cryo's), -2 when they are still running
 * after FZ_SWEEP_WAIT_MS. */
static int wait_unlocked(const char *path)
{
    char *lock_path = fz_printf("%s/" FZ_TMP_LOCK, path);
    int fd = open(lock_path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    free(lock_path);
    if (fd < 0)
        return -1;
    for (int waited = 0; flock(fd, LOCK_EX | LOCK_NB) != 0; waited += 20) {
        if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= FZ_SWEEP_WAIT_MS) {
            close(fd);
            return -2;
        }
        usleep(20 * 1000);
    }
    return fd;
}

void fz_sweep_stale(const char *dir, const char *mark)
{
    DIR *d = opendir(dir);
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        const char *at = strstr(e->d_name, mark);
        if (!at)
            continue;
        char *end;
        long pid = strtol(at + strlen(mark), &end, 10);
        if (pid <= 0 || end == at + strlen(mark) || *end != '-')
            continue;
        /* A live process (or one in another PID namespace that looks dead
         * here but whose file is not ours) keeps its temporaries. */
        if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        struct stat st;
        if (fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0
            || st.st_uid != geteuid())
            continue;
        char *path = fz_printf("%s/%s", dir, e->d_name);
        if (S_ISDIR(st.st_mode)) {
            int lock = wait_unlocked(path);
            if (lock != -2)
                fz_remove_flat_dir(path);
            if (lock >= 0)
                close(lock);
        }
        else if (S_ISREG(st.st_mode))
            unlink(path);
        free(path);
    }
    closedir(d);
}
