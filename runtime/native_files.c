/* native_files.c — the third-party extension modules and shared libraries a
 * program carries (zstd frames in the payload: payload_format.h), and the
 * standard library's table modules (unicodedata, the CJK codecs: cryo's
 * libpython builds them shared, tools/libpython/build.py), put where
 * the dynamic loader can open them, each when first needed.
 *
 * Two places (README, "Native files"):
 *   cache   a per-user directory, the first usable of
 *           $XDG_CACHE_HOME/cryo, ~/.cache/cryo, $XDG_RUNTIME_DIR/cryo and
 *           ${TMPDIR:-/tmp}/cryo-<uid>, each with /native: each file is
 *           written once per content,
 *           then shared by every run and every process, from the page cache
 *           (only touched pages resident).  Directories are created 0700
 *           and must be the user's and not writable by others; a file is
 *           written under a temporary name, checked against its checksum,
 *           fsynced, made read-only and linked into place (never replaced
 *           under a process that maps it), then stamped (from_cache), so no
 *           reader ever uses it half-written, and two first runs at once
 *           both end with the same file.  A file is reused if it is still
 *           the user's, read-only, of the right size and matches its stamp:
 *           an lstat and a read of the stamp, never a re-read of the file;
 *           one that fails the check is verified in full, and replaced if
 *           it does not match its checksum.
 *   memory  a sealed memory file (memfd, F_SEAL_WRITE|SHRINK|GROW), filled
 *           from the payload and checked: costs the whole file in memory,
 *           once per process tree (children that re-enter share the
 *           parent's: from_memory).
 * CRYO_NATIVE=auto|cache|memory chooses (default: the build's --native,
 * itself auto: the cache if it can be used, else memory).  CRYO_DEBUG=1
 * says what is chosen and why.
 */
#define _GNU_SOURCE
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "cache_dir.h"
#include "runtime.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

static int mode = -1;           /* RT_NATIVE_*, once resolved */
static char *cache_dir;         /* usable cache directory, or NULL */
static unsigned char *lib_loaded; /* per rt_app.libs entry */

static void debug(const char *fmt, const char *a, const char *b)
{
    const char *d = getenv("CRYO_DEBUG");
    if (d && *d && strcmp(d, "0") != 0) {
        fprintf(stderr, "cryo: native files: ");
        fprintf(stderr, fmt, a, b);
        fputc('\n', stderr);
    }
}

static void cache_note(const char *base, const char *why)
{
    debug("cannot use a cache in %s: %s", base, why);
}

static char *find_cache_dir(void)
{
    char out[PATH_MAX];
    return rt_find_cache_dir("native", 1, out, sizeof out, cache_note) == 0 ? strdup(out) : NULL;
}

static int resolve_mode(void)
{
    if (mode >= 0)
        return 0;
    static const char *const names[] = RT_NATIVE_MODE_NAMES;
    int m = (int)cryo_app.native_mode;
    const char *env = getenv("CRYO_NATIVE");
    if (env && *env) {
        m = -1;
        for (int i = 0; i < (int)(sizeof names / sizeof *names); i++)
            if (strcmp(env, names[i]) == 0)
                m = i;
        if (m < 0) {
            /* As the other CRYO_* variables (gc/options.c): said, not fatal. */
            m = (int)cryo_app.native_mode;
            fprintf(stderr, "cryo: warning: CRYO_NATIVE='%s' is not one of auto, cache, "
                            "memory; using the default, %s\n", env, names[m]);
        }
    }
    mode = m;
    if (mode != RT_NATIVE_MEMORY)
        cache_dir = find_cache_dir();
    if (mode == RT_NATIVE_CACHE && !cache_dir) {
        PyErr_SetString(PyExc_ImportError,
                        "CRYO_NATIVE=cache, but no usable cache directory "
                        "(run with CRYO_DEBUG=1 to see why)");
        mode = -1;
        return -1;
    }
    debug("using %s%s", cache_dir ? cache_dir : "memory files", "");
    return 0;
}

/* Write entry `e` of the payload, decoded and checked (bl_payload_read_native),
 * to `fd` at its current offset.  0, or -1 (errno).  A damaged member ends
 * the program (rt_payload_read). */
static int copy_out(int fd, const struct bl_entry *e)
{
    unsigned char *buf = malloc(e->usize ? e->usize : 1);
    if (!buf) {
        errno = ENOMEM;
        return -1;
    }
    enum bl_err err = rt_payload_read_native(e, buf);
    if (err != BL_OK) {
        free(buf);
        errno = ENOMEM;
        return -1;
    }
    for (size_t w = 0; w < e->usize;) {
        ssize_t n = write(fd, buf + w, e->usize - w);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(buf);
            return -1;
        }
        w += (size_t)n;
    }
    free(buf);
    return 0;
}

static int verified(int fd, const struct bl_entry *e)
{
    uint32_t crc;
    return bl_checksum_range(fd, 0, e->usize, &crc) == BL_OK && crc == e->crc;
}

/* Temporary files of first runs that were killed before they finished
 * (".tmp-<crc>-XXXXXX" a minute old or more): removed when the same file
 * is written again, so they do not pile up. */
static void remove_stale(const struct bl_entry *e)
{
    char prefix[32];
    snprintf(prefix, sizeof prefix, ".tmp-%08x-", e->crc);
    DIR *d = opendir(cache_dir);
    if (!d)
        return;
    struct dirent *de;
    time_t now = time(NULL);
    while ((de = readdir(d))) {
        struct stat st;
        if (strncmp(de->d_name, prefix, strlen(prefix)) == 0
            && fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0
            && st.st_uid == geteuid() && now - st.st_mtime >= 60)
            unlinkat(dirfd(d), de->d_name, 0);
    }
    closedir(d);
}

/* Entry `e` at `path` in the cache (cache_file), named by its content. */
static char *cache_file(const struct bl_entry *e, const char *path);

static char *from_cache(const struct bl_entry *e, const char *base)
{
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%08x-%u-%s", cache_dir, e->crc, e->usize, base)
        >= (int)sizeof path)
        return NULL;
    return cache_file(e, path);
}

static char *cache_file(const struct bl_entry *e, const char *path)
{
    char stamp[PATH_MAX], tmp[PATH_MAX];
    if (snprintf(stamp, sizeof stamp, "%s.stamp", path) >= (int)sizeof stamp
        || snprintf(tmp, sizeof tmp, "%s/.tmp-%08x-XXXXXX", cache_dir, e->crc)
               >= (int)sizeof tmp)
        return NULL;
    if (rt_stamp_matches(path, stamp, e->usize))
        return strdup(path);
    int fd = -1;
    if (access(path, F_OK) == 0) {
        /* There, but not stamped: damaged, or another first run is
         * writing it right now.  Checked in full: if it verifies it is
         * stamped and used, else replaced. */
        fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        struct stat st;
        if (fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == geteuid()
            && !(st.st_mode & 0222) && (uint64_t)st.st_size == e->usize && verified(fd, e)) {
            close(fd);
            rt_write_stamp(path, stamp);
            return strdup(path);
        }
        if (fd >= 0)
            close(fd);
        debug("replacing %s: %s", path, "it does not match its checksum");
        unlink(stamp);
        unlink(path);
    }
    remove_stale(e);
    fd = mkstemp(tmp);
    if (fd < 0) {
        debug("cannot write in the cache: %s%s", strerror(errno), "");
        return NULL;
    }
    int ok = copy_out(fd, e) == 0 && fsync(fd) == 0 && verified(fd, e) && fchmod(fd, 0500) == 0;
    int saved = errno;
    close(fd);
    /* link(), not rename(): a file another first run put there meanwhile
     * is left alone (it verified too), so each process keeps the inode it
     * maps. */
    if (!ok || (link(tmp, path) != 0 && errno != EEXIST)) {
        if (ok)
            saved = errno;
        unlink(tmp);
        debug("cannot write %s: %s", path, saved ? strerror(saved) : "copy does not verify");
        return NULL;
    }
    unlink(tmp);
    int dfd = open(cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    if (!rt_stamp_matches(path, stamp, e->usize))
        rt_write_stamp(path, stamp);
    debug("wrote %s%s", path, "");
    return strdup(path);
}

/* Memory files are shared along a process tree, siblings included.  A
 * process in memory mode whose payload carries native files makes, as it
 * starts (rt_native_start), one empty memory file for each of them that no
 * ancestor offers yet (the largest: OFFER_MAX, OFFER_MIN), and lists them, with the ones it inherited, in
 * CRYO_MEMFD: "<crc>-<size>=<pid>/<fd>,...".  Whoever first needs a file
 * (the process itself, or any descendant that re-enters the executable:
 * multiprocessing's spawn and forkserver, subprocess of sys.executable)
 * opens the listed one through /proc/<pid>/fd (descriptors are not
 * inherited: multiprocessing closes all but its own), takes its lock and
 * fills and seals it if it is still empty or was left half-filled by a
 * process that died; everyone else finds it sealed and checks it against
 * the checksum.  So four workers whose parent never imports numpy hold one
 * copy between them, not four.  A listed file that cannot be opened (its
 * holder exited) or is not one of ours gives a private copy, listed in its
 * place for this process's children.  Empty memory files cost nothing. */
#define MEMFD_ENV "CRYO_MEMFD"
#define MEMFD_MAX 256

struct shared {
    uint32_t crc, usize;
    int pid, fd;
};
static struct shared shared[MEMFD_MAX];
static size_t nshared;
static int shared_loaded;

static void load_shared(void)
{
    if (shared_loaded)
        return;
    shared_loaded = 1;
    const char *v = getenv(MEMFD_ENV);
    while (v && *v && nshared < MEMFD_MAX) {
        struct shared *x = &shared[nshared];
        int used = 0;
        if (sscanf(v, "%8x-%u=%d/%d,%n", &x->crc, &x->usize, &x->pid, &x->fd, &used) != 4
            || used == 0)
            break; /* not ours, or from an older cryo: nothing shared */
        if (x->pid > 0 && x->fd >= 0)
            nshared++;
        v += used;
    }
}

static void export_shared(void)
{
    char value[MEMFD_MAX * 40];
    size_t n = 0;
    value[0] = '\0';
    for (size_t i = 0; i < nshared && n < sizeof value - 40; i++)
        n += (size_t)snprintf(value + n, sizeof value - n, "%08x-%u=%d/%d,", shared[i].crc,
                              shared[i].usize, shared[i].pid, shared[i].fd);
    setenv(MEMFD_ENV, value, 1);
}

static struct shared *find_shared(const struct bl_entry *e)
{
    for (size_t i = 0; i < nshared; i++)
        if (shared[i].crc == e->crc && shared[i].usize == e->usize)
            return &shared[i];
    return NULL;
}

/* The memory file's name, which /proc shows: how a listed descriptor is
 * recognised as ours (a program may have closed it and reused the
 * number). */
static void memfd_name(char *out, size_t cap, const struct bl_entry *e, const char *base)
{
    const char *slash = strrchr(base, '/');
    snprintf(out, cap, "cryo:%08x-%u:%s", e->crc, e->usize, slash ? slash + 1 : base);
}

static int new_memfd(const struct bl_entry *e, const char *base)
{
    char name[200];
    memfd_name(name, sizeof name, e, base);
    int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (fd < 0 && errno == EINVAL)
        fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
    return fd;
}

static int sealed_copy(int fd, const struct bl_entry *e)
{
    struct stat st;
    int seals = fcntl(fd, F_GET_SEALS);
    int want = F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;
    return fstat(fd, &st) == 0 && (uint64_t)st.st_size == e->usize && seals >= 0
           && (seals & want) == want && verified(fd, e);
}

/* Make memory file `fd` a sealed, checked copy of entry `e`, unless it
 * already is one: under its lock, so that of two processes one fills it
 * and the other waits and checks.  1 when it is one, else 0. */
static int fill_sealed(int fd, const struct bl_entry *e)
{
    while (flock(fd, LOCK_EX) < 0)
        if (errno != EINTR)
            return 0;
    int seals = fcntl(fd, F_GET_SEALS), ok = 0;
    if (seals >= 0 && (seals & F_SEAL_WRITE))
        ok = sealed_copy(fd, e);
    else if (seals >= 0 && !(seals & (F_SEAL_SHRINK | F_SEAL_GROW)))
        /* Empty, or a copy a process that died left half-written. */
        ok = ftruncate(fd, 0) == 0 && lseek(fd, 0, SEEK_SET) == 0 && copy_out(fd, e) == 0
             && verified(fd, e)
             && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) == 0;
    flock(fd, LOCK_UN);
    return ok;
}

/* The listed memory file of entry `e`, opened for this process, or -1. */
static int listed_memfd(const struct shared *x, const struct bl_entry *e, const char *base)
{
    if (x->pid == (int)getpid())
        return x->fd;
    char path[64], link[256], name[200];
    snprintf(path, sizeof path, "/proc/%d/fd/%d", x->pid, x->fd);
    memfd_name(name, sizeof name, e, base);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n < 0)
        return -1;
    link[n] = '\0';
    /* "/memfd:<name> (deleted)" */
    size_t k = strlen(name);
    if (strncmp(link, "/memfd:", 7) != 0 || strncmp(link + 7, name, k) != 0
        || (link[7 + k] != '\0' && link[7 + k] != ' ')) {
        debug("not using %s: %s", path, "not one of this program's memory files");
        return -1;
    }
    int fd = open(path, O_RDWR | O_CLOEXEC);
    if (fd >= 0)
        debug("sharing %s%s", path, "");
    return fd;
}

static char *from_memory(const struct bl_entry *e, const char *base)
{
    load_shared();
    struct shared *x = find_shared(e);
    int fd = x ? listed_memfd(x, e, base) : -1;
    if (fd >= 0 && !fill_sealed(fd, e)) {
        debug("not using the shared copy of %s: %s", base, "it does not match its checksum");
        if (fd != x->fd || x->pid != (int)getpid())
            close(fd);
        fd = -1;
    }
    if (fd < 0) {
        /* A private copy, listed for this process's children. */
        fd = new_memfd(e, base);
        if (fd < 0) {
            PyErr_Format(PyExc_ImportError, "cannot load '%s': no memory file: %s", base,
                         strerror(errno));
            return NULL;
        }
        if (!fill_sealed(fd, e)) {
            close(fd);
            PyErr_Format(PyExc_ImportError,
                         "cannot load '%s' from '%U': it is damaged; rebuild the program or "
                         "download it again", base, rt_root);
            return NULL;
        }
        if (!x && nshared < MEMFD_MAX)
            x = &shared[nshared++];
        if (x) {
            *x = (struct shared){e->crc, e->usize, (int)getpid(), fd};
            export_shared();
        }
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return strdup(path); /* the descriptor stays open: the file lives as long */
}

/* An empty memory file for entry `e`, unless one is listed already. */
static void offer(const struct bl_entry *e, const char *base)
{
    if (find_shared(e) || nshared >= MEMFD_MAX)
        return;
    int fd = new_memfd(e, base);
    if (fd >= 0)
        shared[nshared++] = (struct shared){e->crc, e->usize, (int)getpid(), fd};
}

/* What the first process offers: the OFFER_MAX largest native files of
 * OFFER_MIN bytes or more.  Each offer holds a descriptor for the whole run
 * (scipy carries 147 native files: a program's own descriptors would start
 * above them, and a low RLIMIT_NOFILE could run out); a smaller file is
 * copied by each process that needs it, which costs little. */
#define OFFER_MAX 48
#define OFFER_MIN (64u << 10)

struct candidate {
    const struct bl_entry *e;
    const char *base;
};

static int larger_first(const void *a, const void *b)
{
    const struct candidate *x = a, *y = b;
    return x->e->usize != y->e->usize ? (x->e->usize < y->e->usize ? 1 : -1)
                                      : strcmp(x->base, y->base);
}

void rt_native_start(void)
{
    size_t offerable = cryo_app.lib_count;
    for (size_t i = 0; i < cryo_app.ext_count; i++)
        offerable += !(cryo_app.exts[i].flags & RT_EXT_NOT_OFFERED);
    if (!offerable)
        return;
    if (resolve_mode() < 0) {
        PyErr_Clear(); /* said again at the first native import */
        return;
    }
    if (cache_dir)
        return; /* the cache is shared by every process already */
    load_shared();
    size_t before = nshared, n = 0;
    struct candidate *c = malloc((cryo_app.ext_count + cryo_app.lib_count) * sizeof *c);
    if (!c)
        return;
    for (size_t i = 0; i < cryo_app.ext_count; i++)
        if (cryo_app.exts[i].file.usize >= OFFER_MIN
            && !(cryo_app.exts[i].flags & RT_EXT_NOT_OFFERED))
            c[n++] = (struct candidate){&cryo_app.exts[i].file, cryo_app.exts[i].path};
    for (size_t i = 0; i < cryo_app.lib_count; i++)
        if (cryo_app.libs[i].file.usize >= OFFER_MIN)
            c[n++] = (struct candidate){&cryo_app.libs[i].file, cryo_app.libs[i].name};
    qsort(c, n, sizeof *c, larger_first);
    for (size_t i = 0; i < n && i < OFFER_MAX; i++)
        offer(c[i].e, c[i].base);
    free(c);
    if (nshared != before)
        export_shared();
}

char *rt_native_path(const struct bl_entry *e, const char *base)
{
    if (resolve_mode() < 0)
        return NULL;
    if (cache_dir) {
        char *p = from_cache(e, base);
        if (p)
            return p;
        if (mode == RT_NATIVE_CACHE) {
            PyErr_Format(PyExc_ImportError, "cannot load '%s': CRYO_NATIVE=cache, but it "
                         "cannot be written to %s (run with CRYO_DEBUG=1 to see why)",
                         base, cache_dir);
            return NULL;
        }
    }
    return from_memory(e, base);
}

/* Files libraries open by path from a directory an environment variable
 * names (struct rt_lib, dir_env: OpenSSL's provider modules): put in the
 * cache, in a directory named by their content, and the variable set to
 * it, unless the user set it.  Memory files cannot form a directory: in
 * memory mode they are handed to the library another way, once it is
 * loaded (memory_lib_dirs). */
static void setup_lib_dirs(void)
{
    static int done;
    if (done)
        return;
    done = 1;
    for (size_t i = 0; i < cryo_app.lib_count; i++) {
        const struct rt_lib *l = &cryo_app.libs[i];
        if (!l->dir_env || getenv(l->dir_env))
            continue;
        if (!cache_dir)
            continue; /* memory_lib_dirs */
        /* One directory for all the files of one variable: named by the
         * sum of their checksums. */
        uint32_t key = 0;
        for (size_t k = 0; k < cryo_app.lib_count; k++)
            if (cryo_app.libs[k].dir_env && strcmp(cryo_app.libs[k].dir_env, l->dir_env) == 0)
                key = key * 31 + cryo_app.libs[k].file.crc;
        const char *slash = strrchr(l->name, '/');
        char dir[PATH_MAX], path[PATH_MAX];
        const char *why = NULL;
        if (!slash
            || snprintf(dir, sizeof dir, "%s/%.*s-%08x", cache_dir, (int)(slash - l->name),
                        l->name, key) >= (int)sizeof dir
            || snprintf(path, sizeof path, "%s/%s", dir, slash + 1) >= (int)sizeof path
            || rt_private_dir(dir, &why) < 0) {
            debug("cannot provide %s: %s", l->name, why ? why : "path too long");
            continue;
        }
        char *p = cache_file(&l->file, path);
        if (!p)
            continue;
        free(p);
        setenv(l->dir_env, dir, 0);
        debug("%s=%s", l->dir_env, dir);
    }
}

/* Memory mode: OpenSSL 3 is told of each packed provider module as a
 * built-in provider of its name ("legacy"), with the module's own entry
 * point, instead of through OPENSSL_MODULES (cryptography loads "legacy"
 * at import, and fails without it); done once libcrypto is loaded, before
 * the extension that needs it starts.  A variable the user set is left to
 * work as they meant. */
typedef int (*provider_init_fn)(const void *, const void *, const void **, void **);
typedef int (*add_builtin_fn)(void *, const char *, provider_init_fn);

static void memory_lib_dirs(void)
{
    static unsigned char *done;
    if (cache_dir || !cryo_app.lib_count)
        return;
    if (!done && !(done = calloc(cryo_app.lib_count, 1)))
        return;
    for (size_t i = 0; i < cryo_app.lib_count; i++) {
        const struct rt_lib *l = &cryo_app.libs[i];
        if (done[i] || !l->dir_env || strcmp(l->dir_env, "OPENSSL_MODULES") != 0
            || getenv(l->dir_env))
            continue;
        void *crypto = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_NOLOAD);
        if (!crypto)
            return; /* not loaded yet: at a later import */
        add_builtin_fn add = (add_builtin_fn)dlsym(crypto, "OSSL_PROVIDER_add_builtin");
        done[i] = 1;
        char *path = rt_native_path(&l->file, l->name);
        void *h = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : NULL;
        provider_init_fn init = h ? (provider_init_fn)dlsym(h, "OSSL_provider_init") : NULL;
        free(path);
        PyErr_Clear(); /* a provider that cannot be given: OpenSSL says so when asked */
        const char *slash = strrchr(l->name, '/');
        char name[64];
        snprintf(name, sizeof name, "%s", slash ? slash + 1 : l->name);
        name[strcspn(name, ".")] = '\0';
        if (add && init && add(NULL, name, init) == 1)
            debug("OpenSSL provider '%s' given from a memory file%s", name, "");
        else
            debug("cannot give OpenSSL provider '%s': %s", name, h ? "no entry point" : dlerror());
        dlclose(crypto); /* the NOLOAD reference only */
    }
}

int rt_native_load_deps(const struct rt_ext *x)
{
    if (resolve_mode() < 0)
        return -1;
    setup_lib_dirs();
    if (!lib_loaded && cryo_app.lib_count) {
        lib_loaded = calloc(cryo_app.lib_count, 1);
        if (!lib_loaded) {
            PyErr_NoMemory();
            return -1;
        }
    }
    for (uint32_t k = 0; k < x->dep_count; k++) {
        uint32_t i = cryo_app.lib_deps[x->dep_first + k];
        if (lib_loaded[i])
            continue;
        const struct rt_lib *l = &cryo_app.libs[i];
        char *path = rt_native_path(&l->file, l->name);
        if (!path)
            return -1;
        /* Loaded first, so that the extension's DT_NEEDED (and the other
         * libraries') find it by its SONAME among the objects loaded. */
        void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
        free(path);
        if (!h) {
            PyErr_Format(PyExc_ImportError, "cannot load %s, which %s needs: %s", l->name,
                         x->name, dlerror());
            return -1;
        }
        lib_loaded[i] = 1;
    }
    memory_lib_dirs();
    return 0;
}
