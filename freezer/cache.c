/* cache.c — the freezer's compile cache: one file per module compilation,
 * named by a SHA-256 of everything the result depends on.
 *
 * Key:   cache format, cryo version, the interpreter's full version string,
 *        the module's path in the virtual tree (it is baked into the code
 *        as co_filename) and the source bytes.
 * Value: the module's marshalled code, compressed, with its size and checksum,
 *        and the imports read from its bytecode — everything graph.c
 *        would otherwise compute by compiling.
 *
 * Where: $CRYO_CACHE_DIR, else $XDG_CACHE_HOME/cryo, else ~/.cache/cryo.
 * CRYO_CACHE_DIR=off disables it.  Entries are written to a temporary file
 * and renamed, so concurrent builds and interrupted ones never leave a
 * partial entry; an entry that fails any check is ignored and rewritten.
 * Standard-library modules compile once per machine this way.  The cache
 * is capped at CRYO_CACHE_MAX bytes (default 1G): a build that wrote
 * entries then removes the least recently used (a hit refreshes an
 * entry's mtime), fz_cache_trim.
 *
 * File layout (little-endian, host order is fine: a cache never moves
 * between machines of different byte order and a foreign one fails its
 * checks):
 *   "CRYOCC08" | u32 usize | u32 crc | u32 zlen | u32 nimports
 *   nimports × ( i32 level | i32 line | i32 guarded | i32 eager |
 *                i32 cli (bit 0), main_block (bit 1), computed (bits 2-3) |
 *                str name |
 *                u32 nfrom | nfrom × str )        where str = u32 len | bytes
 *   zlen bytes of compressed marshal data (an LZ4 block, as in the payload)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fz.h"

/* Bump whenever what is cached, or how scan_imports.c reads bytecode,
 * changes: entries of another version are never read. */
#define CACHE_MAGIC "CRYOCC08"
#define CACHE_MAX_ENTRY (256u << 20)

static char *cache_dir;  /* NULL when disabled */
static int cache_ready;
static uint64_t cache_written; /* bytes of entries this process wrote */

/* CRYO_CACHE_MAX's default.  A cold build of numpy's program writes about
 * 10 MB of entries, of the whole standard library about 25 MB: a gigabyte
 * holds many programs' worth, and is little on a build machine. */
#define CACHE_MAX_DEFAULT (1ull << 30)

static int mkdir_p(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0700);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -1;
}

/* The cache directory, created on first use; NULL if disabled or unusable
 * (then the build just compiles everything: a cache is never required). */
static const char *dir(void)
{
    if (cache_ready)
        return cache_dir;
    cache_ready = 1;
    const char *env = getenv("CRYO_CACHE_DIR");
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (env && strcmp(env, "off") == 0)
        return NULL;
    if (env && *env)
        cache_dir = fz_xstrdup(env);
    else if (xdg && *xdg)
        cache_dir = fz_printf("%s/cryo", xdg);
    else if (home && *home)
        cache_dir = fz_printf("%s/.cache/cryo", home);
    else
        return NULL;
    if (mkdir_p(cache_dir) != 0) {
        fz_note("not caching compiled modules: cannot create '%s': %s", cache_dir,
                strerror(errno));
        free(cache_dir);
        cache_dir = NULL;
    }
    return cache_dir;
}

char *fz_cache_key(const char *vpath, const char *src, size_t len, int optimize)
{
    if (!dir())
        return NULL;
    char *head = fz_printf("%s\n%s\n%s\n%s\nO%d\n", CACHE_MAGIC, CRYO_VERSION_STRING,
                           fz_py_version(), vpath, optimize);
    size_t hlen = strlen(head);
    char *buf = fz_xmalloc(hlen + len);
    memcpy(buf, head, hlen);
    memcpy(buf + hlen, src, len);
    char *key = fz_py_sha256_hex(buf, hlen + len);
    free(buf);
    free(head);
    return key;
}

static char *entry_path(const char *key)
{
    return fz_printf("%s/%.2s/%s", cache_dir, key, key + 2);
}

/* ---- reading ---- */

struct reader {
    const unsigned char *p, *end;
    int bad;
};

static uint32_t rd32(struct reader *r)
{
    if (r->end - r->p < 4) {
        r->bad = 1;
        return 0;
    }
    uint32_t v;
    memcpy(&v, r->p, 4);
    r->p += 4;
    return v;
}

static char *rdstr(struct reader *r)
{
    uint32_t n = rd32(r);
    if (r->bad || (size_t)(r->end - r->p) < n) {
        r->bad = 1;
        return NULL;
    }
    char *s = fz_xmalloc(n + 1);
    memcpy(s, r->p, n);
    s[n] = '\0';
    r->p += n;
    return s;
}

int fz_cache_get(const char *key, struct fz_module *m, struct fz_importv *imports)
{
    if (!key || !dir())
        return 0;
    char *path = entry_path(key);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    free(path);
    if (fd < 0)
        return 0;
    struct stat st;
    unsigned char *buf = NULL;
    int ok = 0;
    if (fstat(fd, &st) != 0 || st.st_size < 24 || (uint64_t)st.st_size > CACHE_MAX_ENTRY)
        goto out;
    buf = fz_xmalloc((size_t)st.st_size);
    if (read(fd, buf, (size_t)st.st_size) != st.st_size || memcmp(buf, CACHE_MAGIC, 8) != 0)
        goto out;

    struct reader r = {buf + 8, buf + st.st_size, 0};
    uint32_t usize = rd32(&r), crc = rd32(&r), zlen = rd32(&r), n = rd32(&r);
    for (uint32_t i = 0; i < n && !r.bad; i++) {
        struct fz_import imp = {0};
        imp.level = (int)rd32(&r);
        imp.line = (int)rd32(&r);
        imp.guarded = (int)rd32(&r);
        imp.eager = (int)rd32(&r);
        uint32_t cli = rd32(&r);
        imp.cli = (int)(cli & 1);
        imp.main_block = (int)(cli >> 1 & 1);
        imp.computed = (int)(cli >> 2 & 3);
        imp.name = rdstr(&r);
        uint32_t nfrom = rd32(&r);
        for (uint32_t k = 0; k < nfrom && !r.bad; k++) {
            char *s = rdstr(&r);
            if (s) {
                fz_strv_push(&imp.fromlist, s);
                free(s);
            }
        }
        if (imports->n == imports->cap) {
            imports->cap = imports->cap ? 2 * imports->cap : 16;
            imports->v = fz_xrealloc(imports->v, imports->cap * sizeof *imports->v);
        }
        imports->v[imports->n++] = imp;
        if (!imp.name)
            r.bad = 1;
    }
    if (r.bad || (size_t)(r.end - r.p) != zlen)
        goto out;
    m->usize = usize;
    m->crc = crc;
    m->zlen = zlen;
    m->zdata = fz_xmalloc(zlen);
    memcpy(m->zdata, r.p, zlen);
    ok = 1;
    /* Used now: the eviction (fz_cache_trim) removes the least recently
     * used entries first.  An mtime, since atime is often not kept. */
    futimens(fd, NULL);
out:
    if (!ok)
        fz_importv_free(imports);
    free(buf);
    close(fd);
    return ok;
}

/* ---- writing ---- */

struct writer {
    unsigned char *buf;
    size_t n, cap;
};

static void put(struct writer *w, const void *p, size_t n)
{
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2;
        w->buf = fz_xrealloc(w->buf, w->cap);
    }
    memcpy(w->buf + w->n, p, n);
    w->n += n;
}

static void put32(struct writer *w, uint32_t v)
{
    put(w, &v, 4);
}

static void putstr(struct writer *w, const char *s)
{
    size_t n = strlen(s);
    put32(w, (uint32_t)n);
    put(w, s, n);
}

void fz_cache_put(const char *key, const struct fz_module *m, const struct fz_importv *imports)
{
    if (!key || !dir())
        return;
    struct writer w = {0};
    put(&w, CACHE_MAGIC, 8);
    put32(&w, m->usize);
    put32(&w, m->crc);
    put32(&w, (uint32_t)m->zlen);
    put32(&w, (uint32_t)imports->n);
    for (size_t i = 0; i < imports->n; i++) {
        const struct fz_import *imp = &imports->v[i];
        put32(&w, (uint32_t)imp->level);
        put32(&w, (uint32_t)imp->line);
        put32(&w, (uint32_t)imp->guarded);
        put32(&w, (uint32_t)imp->eager);
        put32(&w, (uint32_t)((imp->cli ? 1u : 0u) | (imp->main_block ? 2u : 0u)
                             | ((uint32_t)imp->computed & 3u) << 2));
        putstr(&w, imp->name);
        put32(&w, (uint32_t)imp->fromlist.n);
        for (size_t k = 0; k < imp->fromlist.n; k++)
            putstr(&w, imp->fromlist.v[k]);
    }
    put(&w, m->zdata, m->zlen);

    char *sub = fz_printf("%s/%.2s", cache_dir, key);
    char *path = entry_path(key);
    char *tmp = fz_printf("%s" FZ_TMP_CACHE_MARK "%ld-w", path, (long)getpid());
    int fd = -1;
    if (mkdir(sub, 0700) != 0 && errno != EEXIST)
        goto out;
    fz_sweep_stale(sub, FZ_TMP_CACHE_MARK);
    fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        goto out;
    size_t off = 0;
    while (off < w.n) {
        ssize_t k = write(fd, w.buf + off, w.n - off);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        off += (size_t)k;
    }
    if (close(fd) == 0 && off == w.n && rename(tmp, path) == 0) {
        tmp[0] = '\0';
        cache_written += w.n;
    }
    fd = -1;
out:
    /* A cache that cannot be written costs speed, never correctness. */
    if (tmp[0])
        unlink(tmp);
    free(tmp);
    free(path);
    free(sub);
    free(w.buf);
}

/* ---- size cap ---- */

int fz_cache_parse_size(const char *s, uint64_t *bytes)
{
    char *end;
    if (!s || !*s || *s == '-')
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (end == s || errno)
        return -1;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift)
        end++;
    if (*end || (shift && v > (~0ull >> shift)))
        return -1;
    *bytes = (uint64_t)v << shift;
    return 0;
}

struct cached {
    char *path;
    uint64_t size;
    struct timespec used;
};

static int older_first(const void *a, const void *b)
{
    const struct cached *x = a, *y = b;
    if (x->used.tv_sec != y->used.tv_sec)
        return x->used.tv_sec < y->used.tv_sec ? -1 : 1;
    if (x->used.tv_nsec != y->used.tv_nsec)
        return x->used.tv_nsec < y->used.tv_nsec ? -1 : 1;
    return strcmp(x->path, y->path);
}

static int is_hex2(const char *n)
{
    static const char hex[] = "0123456789abcdef";
    return n[0] && strchr(hex, n[0]) && n[1] && strchr(hex, n[1]) && !n[2];
}

void fz_cache_trim(void)
{
    if (!cache_written || !dir())
        return; /* a warm build wrote nothing: the cache did not grow */
    uint64_t max = CACHE_MAX_DEFAULT;
    const char *env = getenv("CRYO_CACHE_MAX");
    if (env && *env && fz_cache_parse_size(env, &max) < 0) {
        fz_warn("CRYO_CACHE_MAX='%s' is not a size (like 512M or 2G); using the default, 1G",
                env);
        max = CACHE_MAX_DEFAULT;
    }
    /* Only the compile cache's own entries: <dir>/<2 hex>/<62 hex>.  The
     * directory also holds libpython/, native/ and verified/, which are not
     * this cache's. */
    struct cached *v = NULL;
    size_t n = 0, cap = 0;
    uint64_t total = 0;
    DIR *top = opendir(cache_dir);
    struct dirent *de;
    while (top && (de = readdir(top))) {
        if (!is_hex2(de->d_name))
            continue;
        char *sub = fz_printf("%s/%s", cache_dir, de->d_name);
        DIR *d = opendir(sub);
        struct dirent *fe;
        while (d && (fe = readdir(d))) {
            struct stat st;
            if (strlen(fe->d_name) != 62 || strchr(fe->d_name, '.')
                || fstatat(dirfd(d), fe->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0
                || !S_ISREG(st.st_mode))
                continue;
            if (n == cap) {
                cap = cap ? 2 * cap : 1024;
                v = fz_xrealloc(v, cap * sizeof *v);
            }
            v[n++] = (struct cached){fz_printf("%s/%s", sub, fe->d_name),
                                     (uint64_t)st.st_size, st.st_mtim};
            total += (uint64_t)st.st_size;
        }
        if (d)
            closedir(d);
        free(sub);
    }
    if (top)
        closedir(top);
    if (total > max) {
        /* Down to 90% of the cap, so that the next cold build does not
         * trim again at once: the most recently used entries that fit
         * are kept, newest first; an entry that does not fit in what is
         * left goes, even when an older, smaller one after it is kept.
         * (Removing oldest first until under the goal emptied the whole
         * cache whenever the newest entry alone was over it: a small cap
         * and one big native file written last.)  Another build may be
         * reading an entry removed here: it has it open, or it misses
         * and compiles. */
        qsort(v, n, sizeof *v, older_first);
        uint64_t goal = max - max / 10, kept = 0, freed = 0;
        size_t removed = 0;
        for (size_t i = n; i-- > 0;) {
            if (kept + v[i].size <= goal) {
                kept += v[i].size;
            } else if (unlink(v[i].path) == 0 || errno == ENOENT) {
                freed += v[i].size;
                removed++;
            } else {
                kept += v[i].size; /* could not remove it: it still counts */
            }
        }
        fz_note("compile cache over CRYO_CACHE_MAX (%llu bytes): removed %zu entries, %llu "
                "bytes, keeping the most recently used that fit", (unsigned long long)max, removed,
                (unsigned long long)freed);
    }
    for (size_t i = 0; i < n; i++)
        free(v[i].path);
    free(v);
}
