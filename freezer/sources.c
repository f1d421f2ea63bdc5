/* sources.c — the modules' sources, laid in chunks and compressed for the
 * payload (format: bootloader/payload_format.h, BL_ENTRY_SOURCE_PREFIX;
 * why: runtime/DESIGN.md, "Sources for tracebacks").
 *
 * Layout.  The standard library's and site modules come first, then the
 * program's own (origin user, and cryo's support modules), each group in
 * the module table's order (by name), never sharing a chunk: editing the
 * program changes only its own chunks.  A chunk is cut after a module
 * whose name hashes to 0 mod 4 once it holds CHUNK_MIN bytes, and before
 * a module that would take it past CHUNK_MAX: the cuts depend on the
 * names around them, not on everything before, so adding or removing a
 * module changes one chunk or two, and the others are found again in the
 * compile cache.  Compressing is the only slow part of shipping sources
 * (hello world's 3 MB: 1.3 s at preset 6), so a warm rebuild compresses
 * nothing, and does not even lay the chunks out: a chunk's key is made of
 * its modules' own keys (chunk_key), so the step takes under 5 ms where
 * hashing the sources took 30 ms of a 0.3 s build; a cold one compresses
 * its chunks on all cores.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <lzma.h>
#include <zstd.h>

#include "../bootloader/bootloader.h"
#include "fz.h"

#define CHUNK_MIN (128u << 10)
#define CHUNK_MAX (512u << 10)
#define MAX_THREADS 8

/* FNV-1a of a module name: where chunks may end. */
static uint32_t name_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

struct job {
    size_t first, count; /* its modules: order[first .. first + count) */
    size_t len;          /* their bytes, laid end to end */
    unsigned char *in;   /* those bytes, made only to compress them */
    char *key;           /* compile-cache key, NULL when the cache is off */
    int hit;
};

/* ---- members compressed on every core: raw LZMA2 or zstd ---- */

struct pool {
    struct fz_pack_task *t;
    size_t *order; /* the tasks to do, largest first */
    size_t n, next;
    pthread_mutex_t lock;
};

static void compress_one(struct fz_pack_task *t)
{
    if (t->zstd_level) {
        size_t cap = ZSTD_compressBound(t->len);
        t->out = fz_xmalloc(cap ? cap : 1);
        size_t n = ZSTD_compress(t->out, cap, t->in, t->len, t->zstd_level);
        t->ret = ZSTD_isError(n) ? -1 : 0;
        t->outlen = ZSTD_isError(n) ? 0 : n;
        return;
    }
    lzma_options_lzma opt;
    if (lzma_lzma_preset(&opt, BL_SOURCE_LZMA_PRESET)) {
        t->ret = LZMA_OPTIONS_ERROR;
        return;
    }
    opt.dict_size = BL_SOURCE_DICT_SIZE; /* the reader's: the raw format has no header */
    lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    /* A raw stream is never larger than an .xz one of the same data. */
    size_t cap = lzma_stream_buffer_bound(t->len), pos = 0;
    t->out = fz_xmalloc(cap);
    t->ret = lzma_raw_buffer_encode(filters, NULL, t->in, t->len, t->out, &pos, cap);
    t->outlen = pos;
}

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t k = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (k >= p->n)
            return NULL;
        compress_one(&p->t[p->order[k]]);
    }
}

static const struct fz_pack_task *sort_base;

static int larger_first(const void *a, const void *b)
{
    size_t la = sort_base[*(const size_t *)a].len, lb = sort_base[*(const size_t *)b].len;
    if (la != lb)
        return la < lb ? 1 : -1;
    return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

void fz_compress_tasks(struct fz_pack_task *t, size_t n)
{
    size_t todo = 0;
    size_t *order = fz_xmalloc((n ? n : 1) * sizeof *order);
    for (size_t i = 0; i < n; i++)
        if (t[i].in)
            order[todo++] = i;
    if (!todo) {
        free(order);
        return;
    }
    /* Largest first, so that one large member (numpy's liblapack: 7.3 MB,
     * 4 s at zstd 19) does not start last and leave the other cores idle.
     * (Single-threaded here: the build's other threads are not running.) */
    sort_base = t;
    qsort(order, todo, sizeof *order, larger_first);
    struct pool p = {.t = t, .order = order, .n = todo};
    pthread_mutex_init(&p.lock, NULL);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t nt = cpus > 1 ? (size_t)cpus : 1;
    if (nt > MAX_THREADS)
        nt = MAX_THREADS;
    if (nt > todo)
        nt = todo;
    pthread_t tid[MAX_THREADS];
    size_t started = 0;
    for (size_t k = 1; k < nt; k++)
        if (pthread_create(&tid[started], NULL, worker, &p) == 0)
            started++;
    worker(&p); /* this thread works too: with no thread started, alone */
    for (size_t k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
    pthread_mutex_destroy(&p.lock);
    free(order);
}

/* ---- sources ---- */

/* Whether module m goes in the second group: the program's own code. */
static int is_own(const struct fz_module *m)
{
    return m->origin == FZ_ORIGIN_USER || m->source;
}

/* The chunk's key: from its modules' own keys (each a SHA-256 of a
 * module's path and source, computed when it was compiled), so that a warm
 * build hashes a few hundred bytes per chunk, not its sources; NULL when
 * one of them has none (the cache is off). */
static char *chunk_key(const struct fz_graph *g, const size_t *order, const struct job *j)
{
    size_t n = 0;
    for (size_t i = 0; i < j->count; i++) {
        const char *k = g->mods[order[j->first + i]].src_key;
        if (!k)
            return NULL;
        n += strlen(k) + 1;
    }
    char *names = fz_xmalloc(n + 1), *p = names;
    for (size_t i = 0; i < j->count; i++)
        p += sprintf(p, "%s\n", g->mods[order[j->first + i]].src_key);
    char *what = fz_printf("source chunk: raw LZMA2 preset %d dict %u", BL_SOURCE_LZMA_PRESET,
                           BL_SOURCE_DICT_SIZE);
    char *key = fz_cache_key(what, names, n, 0);
    free(what);
    free(names);
    return key;
}

static void free_jobs(struct job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(jobs[i].in);
        free(jobs[i].key);
    }
    free(jobs);
}

int fz_sources_prepare(struct fz_graph *g)
{
    /* Plan the chunks: which modules, in which order, each one's chunk. */
    size_t *order = fz_xmalloc((g->n ? g->n : 1) * sizeof *order), norder = 0;
    struct job *jobs = NULL;
    size_t njobs = 0, cap = 0;
    for (int group = 0; group < 2; group++) {
        struct job *cur = NULL;
        for (size_t i = 0; i < g->n; i++) {
            struct fz_module *m = &g->mods[i];
            if (!m->src || is_own(m) != group)
                continue;
            if (m->srclen > BL_ENTRY_MAX_SIZE) {
                fz_error("the source of %s is too large to pack (%zu bytes); build with "
                         "--no-sources", m->name, m->srclen);
                free(order);
                free_jobs(jobs, njobs);
                return -1;
            }
            if (cur && cur->len && cur->len + m->srclen > CHUNK_MAX)
                cur = NULL;
            if (!cur) {
                if (njobs == cap) {
                    cap = cap ? 2 * cap : 16;
                    jobs = fz_xrealloc(jobs, cap * sizeof *jobs);
                }
                cur = &jobs[njobs++];
                memset(cur, 0, sizeof *cur);
                cur->first = norder;
            }
            order[norder++] = i;
            cur->count++;
            m->source_chunk = (uint32_t)njobs;
            m->source_offset = (uint32_t)cur->len;
            cur->len += m->srclen;
            if (cur->len >= CHUNK_MIN && name_hash(m->name) % 4 == 0)
                cur = NULL;
        }
    }
    g->chunks = fz_xmalloc((njobs ? njobs : 1) * sizeof *g->chunks);
    g->nchunks = njobs;
    memset(g->chunks, 0, (njobs ? njobs : 1) * sizeof *g->chunks);

    /* What the compile cache has; the others are laid out to be compressed. */
    size_t misses = 0;
    for (size_t i = 0; i < njobs; i++) {
        struct job *j = &jobs[i];
        struct fz_source_chunk *c = &g->chunks[i];
        j->key = chunk_key(g, order, j);
        struct fz_module tmp = {0};
        struct fz_importv none = {0};
        if (j->key && fz_cache_get(j->key, &tmp, &none) && tmp.usize == j->len) {
            c->zdata = tmp.zdata;
            c->zlen = tmp.zlen;
            c->usize = tmp.usize;
            c->crc = tmp.crc;
            j->hit = 1;
        } else {
            free(tmp.zdata);
            j->in = fz_xmalloc(j->len + 1);
            for (size_t k = 0, off = 0; k < j->count; k++) {
                const struct fz_module *m = &g->mods[order[j->first + k]];
                memcpy(j->in + off, m->src, m->srclen);
                off += m->srclen;
            }
            c->usize = (uint32_t)j->len;
            c->crc = bl_checksum(j->in, j->len);
            misses++;
        }
        fz_importv_free(&none);
    }
    free(order);

    struct fz_pack_task *tasks = fz_xmalloc((njobs ? njobs : 1) * sizeof *tasks);
    for (size_t i = 0; i < njobs; i++)
        tasks[i] = (struct fz_pack_task){.in = jobs[i].hit ? NULL : jobs[i].in,
                                        .len = jobs[i].len};
    fz_compress_tasks(tasks, njobs);
    int rc = 0;
    for (size_t i = 0; i < njobs; i++) {
        struct job *j = &jobs[i];
        struct fz_source_chunk *c = &g->chunks[i];
        if (!j->hit) {
            c->zdata = tasks[i].out;
            c->zlen = tasks[i].outlen;
        }
        if (!j->hit && tasks[i].ret != LZMA_OK) {
            if (rc == 0)
                fz_error("cannot compress the modules' sources (liblzma error %d)%s; build "
                         "with --no-sources", (int)tasks[i].ret,
                         tasks[i].ret == LZMA_MEM_ERROR ? ": out of memory" : "");
            rc = -1;
        } else if (!j->hit && j->key) {
            struct fz_module tmp = {.zdata = c->zdata, .zlen = c->zlen, .usize = c->usize,
                                    .crc = c->crc};
            struct fz_importv none = {0};
            fz_cache_put(j->key, &tmp, &none);
        }
    }
    free(tasks);
    free_jobs(jobs, njobs);
    fz_note("shipped sources: %zu chunks, %zu compressed now", g->nchunks, misses);
    if (rc < 0)
        return -1;
    for (size_t i = 0; i < g->n; i++) {
        free(g->mods[i].src);
        g->mods[i].src = NULL;
    }
    return 0;
}
