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
 * Standard-library modules compile once per machine this way.
 *
 * File layout (little-endian, host order is fine: a cache never moves
 * between machines of different byte order and a foreign one fails its
 * checks):
 *   "CRYOCC07" | u32 usize | u32 crc | u32 zlen | u32 nimports
 *   nimports × ( i32 level | i32 line | i32 guarded | i32 eager |
 *                i32 cli (bit 0) and main_block (bit 1) |
 *                str name |
 *                u32 nfrom | nfrom × str )        where str = u32 len | bytes
 *   zlen bytes of compressed marshal data (an LZ4 block, as in the payload)
 */
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
#define CACHE_MAGIC "CRYOCC07"
#define CACHE_MAX_ENTRY (256u << 20)

static char *cache_dir;  /* NULL when disabled */
static int cache_ready;

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
        put32(&w, (uint32_t)((imp->cli ? 1u : 0u) | (imp->main_block ? 2u : 0u)));
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
    if (close(fd) == 0 && off == w.n && rename(tmp, path) == 0)
        tmp[0] = '\0';
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
