/* cold.c — the members packed for size rather than for speed: the
 * modules no start of the program imports, and the native files
 * (fz_natives_prepare, at the end).
 *
 * A module's member is an LZ4 block because it is decoded on the path of
 * every import, at every start (payload_format.h).  But most of what a
 * program packs is never imported while it starts: hello world packs 182
 * modules (all of `encodings`, and everything its modules import inside
 * functions: platform's subprocess, socket, plistlib...) and imports 17 of
 * them.  Those "cold" modules are compressed as raw LZMA2 instead, as the
 * sources are, decoded only when the program imports one (measured on
 * hello world's 179 packed modules: LZ4 HC 1.24 MB, raw LZMA2 preset 6
 * 0.87 MB; zstd level 19 0.96 MB; zstd with a dictionary trained on the
 * standard library 0.76 MB plus the 64 KB dictionary, which is no better
 * and needs the dictionary built with cryo).  An LZMA2 decode of a 20 KB
 * module costs about 0.2 ms more than LZ4's, paid at its first import.
 *
 * Hot (LZ4) are the modules reached from the start roots (the script, what
 * the interpreter imports to start, multiprocessing's re-entry points,
 * cryo's own modules) through imports that run while a module's body runs
 * and every import of the program's own modules, inside functions too
 * (graph.c: start_imports, guarded or not), with their parent packages.
 * Guessing wrong costs only that decode.
 *
 * Third-party packages' modules that no start reaches are not cold but
 * "zstd" (fz_module.zstd, RT_MOD_ZSTD): what a package imports by computed
 * names cannot be seen (pygments' lexers and formatters, plugin
 * registries), so the guess is wrong where it matters, and a zstd frame
 * decodes ten times faster than LZMA2 (payload_format.h,
 * BL_MODULE_ZSTD_LEVEL) for a quarter less than LZ4.
 *
 * Compressing is slow (about 4 MB/s), so each cold module's member is
 * cached by its compile key, and the misses are compressed on every core.
 */
#include <stdlib.h>
#include <string.h>
#include <lz4.h>

#include "../bootloader/bootloader.h"
#include "fz.h"

static const char *const start_roots[] = {
    "__main__",
    /* the interpreter's start: the codec registry and the codecs of the
     * file system and standard streams */
    "encodings", "encodings.aliases", "encodings.utf_8", "encodings.latin_1", "encodings.ascii",
    /* what a child that re-enters the executable runs (runtime/reentry.c) */
    "multiprocessing.spawn", "multiprocessing.resource_tracker", "multiprocessing.forkserver",
    NULL,
};

static int by_name(const void *key, const void *elem)
{
    return strcmp(key, ((const struct fz_module *)elem)->name);
}

/* g->mods is sorted by name (graph.c). */
static long index_of(const struct fz_graph *g, const char *name)
{
    const struct fz_module *m = bsearch(name, g->mods, g->n, sizeof *g->mods, by_name);
    return m ? (long)(m - g->mods) : -1;
}

static void mark(const struct fz_graph *g, unsigned char *hot, size_t *queue, size_t *nq,
                 const char *name)
{
    long i = index_of(g, name);
    if (i >= 0 && !hot[i]) {
        hot[i] = 1;
        queue[(*nq)++] = (size_t)i;
    }
}

void fz_cold_mark(struct fz_graph *g)
{
    fz_cold_mark_from(g, NULL);
}

void fz_cold_mark_from(struct fz_graph *g, const struct fz_strv *roots)
{
    unsigned char *hot = fz_xmalloc(g->n ? g->n : 1);
    memset(hot, 0, g->n ? g->n : 1);
    size_t *queue = fz_xmalloc((g->n ? g->n : 1) * sizeof *queue), nq = 0;
    for (size_t r = 0; start_roots[r]; r++)
        mark(g, hot, queue, &nq, start_roots[r]);
    for (size_t r = 0; roots && r < roots->n; r++)
        mark(g, hot, queue, &nq, roots->v[r]);
    for (size_t i = 0; i < g->n; i++)
        if (g->mods[i].source || g->mods[i].is_main)
            mark(g, hot, queue, &nq, g->mods[i].name);
    for (size_t q = 0; q < nq; q++) {
        const struct fz_module *m = &g->mods[queue[q]];
        char *parent = fz_xstrdup(m->name);
        for (char *dot; (dot = strrchr(parent, '.'));) {
            *dot = '\0';
            mark(g, hot, queue, &nq, parent);
        }
        free(parent);
        for (size_t k = 0; k < m->start_imports.n; k++)
            mark(g, hot, queue, &nq, m->start_imports.v[k]);
    }
    /* Third-party packages' modules are never cold: a package is packed
     * whole, and what it imports by computed names (pygments' lexers and
     * formatters, plugin registries) cannot be seen, so the guess is wrong
     * where it matters: tools/bench.py's real_pygments spent 13% of its
     * time in lzma_decode when they were, and started 11% faster with them
     * LZ4 (0.74 MB larger: 13.4 MB).  Those no start reaches are zstd
     * frames instead, decoded ten times faster than LZMA2.  The standard
     * library's are what the rule was measured on (hello world: 162 of 182
     * modules cold). */
    for (size_t i = 0; i < g->n; i++) {
        int site = g->mods[i].origin == FZ_ORIGIN_SITE;
        g->mods[i].cold = !hot[i] && !site;
        g->mods[i].zstd = !hot[i] && site;
    }
    free(queue);
    free(hot);
}

static char *cold_key(const struct fz_module *m)
{
    if (!m->src_key)
        return NULL;
    char *what = m->zstd ? fz_printf("package module: zstd level %d", BL_MODULE_ZSTD_LEVEL)
                         : fz_printf("cold module: raw LZMA2 preset %d dict %u",
                                     BL_SOURCE_LZMA_PRESET, BL_SOURCE_DICT_SIZE);
    char *key = fz_cache_key(what, m->src_key, strlen(m->src_key), 0);
    free(what);
    return key;
}

int fz_cold_prepare(struct fz_graph *g)
{
    fz_cold_mark(g);
    size_t n = g->n ? g->n : 1;
    struct fz_pack_task *t = fz_xmalloc(n * sizeof *t);
    char **keys = fz_xmalloc(n * sizeof *keys);
    memset(t, 0, n * sizeof *t);
    memset(keys, 0, n * sizeof *keys);
    size_t ncold = 0, nzstd = 0, misses = 0;
    int rc = 0;
    for (size_t i = 0; i < g->n && rc == 0; i++) {
        struct fz_module *m = &g->mods[i];
        if (!m->cold && !m->zstd)
            continue;
        ncold += m->cold;
        nzstd += m->zstd;
        t[i].zstd_level = m->zstd ? BL_MODULE_ZSTD_LEVEL : 0;
        keys[i] = cold_key(m);
        struct fz_module tmp = {0};
        struct fz_importv none = {0};
        if (keys[i] && fz_cache_get(keys[i], &tmp, &none) && tmp.usize == m->usize
            && tmp.crc == m->crc) {
            t[i].out = tmp.zdata; /* a hit: nothing to compress */
            t[i].outlen = tmp.zlen;
        } else {
            free(tmp.zdata);
            unsigned char *raw = fz_xmalloc(m->usize ? m->usize : 1);
            if (LZ4_decompress_safe((const char *)m->zdata, (char *)raw, (int)m->zlen,
                                    (int)m->usize) != (int)m->usize) {
                fz_error("cannot re-read the compiled code of %s; clear the compile cache "
                         "(CRYO_CACHE_DIR) and build again", m->name);
                free(raw);
                rc = -1;
            } else {
                t[i].in = raw;
                t[i].len = m->usize;
                misses++;
            }
        }
        fz_importv_free(&none);
    }
    if (rc == 0)
        fz_compress_tasks(t, g->n);
    for (size_t i = 0; i < g->n; i++) {
        struct fz_module *m = &g->mods[i];
        if (t[i].in && t[i].ret != 0 && rc == 0) {
            fz_error("cannot compress the code of %s (%s error %d)", m->name,
                     m->zstd ? "zstd" : "liblzma", t[i].ret);
            rc = -1;
        }
        if (rc == 0 && (m->cold || m->zstd) && t[i].out) {
            if (t[i].in && keys[i]) {
                struct fz_module tmp = {.zdata = t[i].out, .zlen = t[i].outlen,
                                        .usize = m->usize, .crc = m->crc};
                struct fz_importv none = {0};
                fz_cache_put(keys[i], &tmp, &none);
            }
            if (t[i].outlen < m->zlen) {
                free(m->zdata);
                m->zdata = t[i].out;
                m->zlen = t[i].outlen;
                t[i].out = NULL;
            } else {
                m->cold = m->zstd = 0; /* too small to gain: stays LZ4 */
            }
        }
        free((void *)t[i].in);
        free(t[i].out);
        free(keys[i]);
    }
    free(t);
    free(keys);
    fz_note("cold modules: %zu of %zu packed as raw LZMA2, %zu packages' as zstd, %zu "
            "compressed now", ncold, g->n, nzstd, misses);
    return rc;
}

/* Native files (extension modules and their libraries), members packed
 * for size: each is decoded once per cache entry, or once per process tree
 * in memory, never on the start-up path (payload_format.h), and they are
 * most of a program that has them.
 *
 * cryo's libpython's table modules (unicodedata, the CJK codecs) are raw
 * LZMA2, a quarter smaller than zstd's level 9 (0.60 MB against 0.95 MB;
 * unicodedata decodes in 40 ms); the others one zstd frame at
 * BL_NATIVE_ZSTD_LEVEL.  Both are slow to compress (numpy's closure, 23 MB:
 * 11 s of one core at zstd 19), so each member is compressed on every core
 * the first time, then found in the compile cache, keyed by the file's
 * content (a table module's by its path, size and checksum: a shared
 * object of a libpython entry never changes, and hashing 1 MB at each
 * build would be wasted). */
int fz_natives_prepare(struct fz_graph *g)
{
    size_t n = g->nexts + g->nlibs;
    struct fz_pack_task *t = fz_xmalloc((n ? n : 1) * sizeof *t);
    char **keys = fz_xmalloc((n ? n : 1) * sizeof *keys);
    memset(t, 0, (n ? n : 1) * sizeof *t);
    memset(keys, 0, (n ? n : 1) * sizeof *keys);
    size_t misses = 0, total = 0;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct fz_native_file *f = i < g->nexts ? &g->exts[i] : &g->libs[i - g->nexts];
        if (f->zdata)
            continue;
        size_t len;
        char *bytes = fz_read_file(f->disk_path, &len);
        if (!bytes || len > BL_ENTRY_MAX_SIZE) {
            if (bytes)
                fz_error("'%s' is too large to pack (%zu bytes)", f->disk_path, len);
            free(bytes);
            rc = -1;
            break;
        }
        total++;
        f->size = (uint32_t)len;
        f->crc = bl_checksum((const unsigned char *)bytes, len);
        t[i].zstd_level = f->stdlib_table ? 0 : BL_NATIVE_ZSTD_LEVEL;
        if (f->stdlib_table) {
            char *what = fz_printf("table module: raw LZMA2 preset %d dict %u",
                                   BL_SOURCE_LZMA_PRESET, BL_SOURCE_DICT_SIZE);
            char *id = fz_printf("%s\n%zu\n%08x", f->disk_path, len, f->crc);
            keys[i] = fz_cache_key(what, id, strlen(id), 0);
            free(what);
            free(id);
        } else {
            char *what = fz_printf("native file: zstd level %d", BL_NATIVE_ZSTD_LEVEL);
            keys[i] = fz_cache_key(what, bytes, len, 0);
            free(what);
        }
        struct fz_module tmp = {0};
        struct fz_importv none = {0};
        if (keys[i] && fz_cache_get(keys[i], &tmp, &none) && tmp.usize == f->size
            && tmp.crc == f->crc) {
            f->zdata = tmp.zdata;
            f->zlen = tmp.zlen;
            free(bytes);
        } else {
            free(tmp.zdata);
            t[i].in = (unsigned char *)bytes;
            t[i].len = len;
            misses++;
        }
        fz_importv_free(&none);
    }
    if (rc == 0)
        fz_compress_tasks(t, n);
    for (size_t i = 0; i < n; i++) {
        struct fz_native_file *f = i < g->nexts ? &g->exts[i] : &g->libs[i - g->nexts];
        if (t[i].in && rc == 0) {
            if (t[i].ret != 0) {
                fz_error("cannot compress '%s' (%s error %d)", f->disk_path,
                         t[i].zstd_level ? "zstd" : "liblzma", t[i].ret);
                rc = -1;
            } else {
                f->zdata = t[i].out;
                f->zlen = t[i].outlen;
                t[i].out = NULL;
                if (keys[i]) {
                    struct fz_module tmp = {.zdata = f->zdata, .zlen = f->zlen,
                                            .usize = f->size, .crc = f->crc};
                    struct fz_importv none = {0};
                    fz_cache_put(keys[i], &tmp, &none);
                }
            }
        }
        free((void *)t[i].in);
        free(t[i].out);
        free(keys[i]);
    }
    free(t);
    free(keys);
    if (rc == 0 && total)
        fz_note("native files: %zu packed, %zu compressed now", total, misses);
    return rc;
}

/* Data files (package data, distribution metadata) are read only when
 * the program asks for one, never on the start-up path by themselves, so
 * where the payload already carries zstd frames (and so links the
 * decoder: fz_payload_has_zstd) they are zstd frames at
 * BL_DATA_ZSTD_LEVEL, all of them (RT_APP_DATA_ZSTD; one flag, so that the
 * table needs no codec per row).  Elsewhere they stay LZ4 blocks: linking
 * the zstd decoder (176 KB) for them would cost more than it saves.
 * Measured on numpy's 133 data files (1.34 MB): LZ4 HC 372 KB, zstd 19
 * 275 KB.  Cached by content, compressed on every core. */
int fz_data_prepare(struct fz_graph *g)
{
    if (!g->ndata || !fz_payload_has_zstd(g))
        return 0;
    size_t n = g->ndata;
    struct fz_pack_task *t = fz_xmalloc(n * sizeof *t);
    char **keys = fz_xmalloc(n * sizeof *keys);
    memset(t, 0, n * sizeof *t);
    memset(keys, 0, n * sizeof *keys);
    char *what = fz_printf("data file: zstd level %d", BL_DATA_ZSTD_LEVEL);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct fz_data *d = &g->data[i];
        unsigned char *raw = fz_xmalloc(d->usize ? d->usize : 1);
        if (LZ4_decompress_safe((const char *)d->zdata, (char *)raw, (int)d->zlen,
                                (int)d->usize) != (int)d->usize) {
            fz_error("cannot re-read the packed data file '%s'", d->disk_path);
            free(raw);
            rc = -1;
            break;
        }
        keys[i] = fz_cache_key(what, (const char *)raw, d->usize, 0);
        struct fz_module tmp = {0};
        struct fz_importv none = {0};
        if (keys[i] && fz_cache_get(keys[i], &tmp, &none) && tmp.usize == d->usize
            && tmp.crc == d->crc) {
            t[i].out = tmp.zdata; /* a hit */
            t[i].outlen = tmp.zlen;
            free(raw);
        } else {
            free(tmp.zdata);
            t[i].in = raw;
            t[i].len = d->usize;
            t[i].zstd_level = BL_DATA_ZSTD_LEVEL;
        }
        fz_importv_free(&none);
    }
    free(what);
    if (rc == 0)
        fz_compress_tasks(t, n);
    for (size_t i = 0; i < n; i++) {
        struct fz_data *d = &g->data[i];
        if (rc == 0 && t[i].in && t[i].ret != 0) {
            fz_error("cannot compress the data file '%s' (zstd error %d)", d->disk_path,
                     t[i].ret);
            rc = -1;
        }
        if (rc == 0 && t[i].in && keys[i]) {
            struct fz_module tmp = {.zdata = t[i].out, .zlen = t[i].outlen,
                                    .usize = d->usize, .crc = d->crc};
            struct fz_importv none = {0};
            fz_cache_put(keys[i], &tmp, &none);
        }
        free((void *)t[i].in);
        free(keys[i]);
    }
    /* All or none: on any failure every data file stays LZ4. */
    for (size_t i = 0; i < n; i++) {
        if (rc == 0) {
            free(g->data[i].zdata);
            g->data[i].zdata = t[i].out;
            g->data[i].zlen = t[i].outlen;
        } else {
            free(t[i].out);
        }
    }
    if (rc == 0)
        g->data_zstd = 1;
    free(t);
    free(keys);
    return rc;
}
