/* test_sources.c — freezer/sources.c: how module sources are laid in
 * chunks and compressed.  The compile cache is off (CRYO_CACHE_DIR=off), so
 * no interpreter is needed and every chunk is compressed here. */
#include <criterion/criterion.h>
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../bootloader/bootloader.h"
#include "fz.h"

static void setup(void)
{
    setenv("CRYO_CACHE_DIR", "off", 1);
}

/* A module `name` with `len` bytes of source that compress like source
 * (words from a small vocabulary, varied by the name). */
static void add(struct fz_graph *g, const char *name, size_t len, enum fz_origin origin)
{
    static const char *const words[] = {"def ", "return ", "self", ".value", " = ", "(x)",
                                        "\n    ", "import ", "if ", "else:", "None", "1"};
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 64;
        g->mods = realloc(g->mods, g->cap * sizeof *g->mods);
    }
    struct fz_module *m = &g->mods[g->n++];
    memset(m, 0, sizeof *m);
    m->name = strdup(name);
    m->disk_path = strdup(name);
    m->origin = origin;
    m->src = malloc(len + 1);
    unsigned seed = 0;
    for (const char *p = name; *p; p++)
        seed = seed * 31 + (unsigned char)*p;
    for (size_t i = 0; i < len;) {
        seed = seed * 1103515245u + 12345u;
        const char *w = words[(seed >> 16) % (sizeof words / sizeof *words)];
        for (; *w && i < len; w++)
            m->src[i++] = *w;
    }
    m->src[len] = '\0';
    m->srclen = len;
}

/* The module table's order: by name. */
static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct fz_module *)a)->name, ((const struct fz_module *)b)->name);
}

static void stdlib_like(struct fz_graph *g, size_t n, const char *extra)
{
    char name[32];
    for (size_t i = 0; i < n; i++) {
        snprintf(name, sizeof name, "mod%03zu", i);
        add(g, name, 5000 + (i * 7919) % 40000, FZ_ORIGIN_STDLIB);
    }
    if (extra)
        add(g, extra, 30000, FZ_ORIGIN_STDLIB);
    qsort(g->mods, g->n, sizeof *g->mods, by_name);
}

static unsigned char *decode(const struct fz_source_chunk *c)
{
    lzma_options_lzma opt = {.dict_size = BL_SOURCE_DICT_SIZE};
    lzma_filter f[] = {{LZMA_FILTER_LZMA2, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    unsigned char *out = malloc(c->usize + 1);
    size_t in_pos = 0, out_pos = 0;
    cr_assert_eq(lzma_raw_buffer_decode(f, NULL, c->zdata, &in_pos, c->zlen, out, &out_pos,
                                        c->usize), LZMA_OK);
    cr_assert_eq(out_pos, c->usize);
    cr_assert_eq(bl_checksum(out, c->usize), c->crc);
    return out;
}

/* Keep a copy of every module's source: sources.c frees them. */
static char **copies(const struct fz_graph *g)
{
    char **v = calloc(g->n, sizeof *v);
    for (size_t i = 0; i < g->n; i++)
        if (g->mods[i].src) {
            v[i] = malloc(g->mods[i].srclen + 1);
            memcpy(v[i], g->mods[i].src, g->mods[i].srclen + 1);
        }
    return v;
}

Test(sources, every_module_reads_back_from_its_chunk_and_offset, .init = setup)
{
    struct fz_graph g = {0};
    stdlib_like(&g, 120, NULL);
    add(&g, "app", 2000, FZ_ORIGIN_USER);
    add(&g, "app_helpers", 1000, FZ_ORIGIN_USER);
    add(&g, "huge", 700000, FZ_ORIGIN_STDLIB); /* larger than a chunk: one of its own */
    qsort(g.mods, g.n, sizeof *g.mods, by_name);
    char **src = copies(&g);
    cr_assert_eq(fz_sources_prepare(&g), 0);
    cr_assert_gt(g.nchunks, 3);
    unsigned char **dec = calloc(g.nchunks, sizeof *dec);
    for (size_t i = 0; i < g.nchunks; i++) {
        dec[i] = decode(&g.chunks[i]);
        cr_assert(g.chunks[i].usize <= (512u << 10) || g.chunks[i].usize == 700000,
                  "chunk %zu holds %u bytes", i, g.chunks[i].usize);
        cr_assert_lt(g.chunks[i].zlen, g.chunks[i].usize / 2, "chunk %zu compresses", i);
    }
    uint32_t user_chunk = 0;
    for (size_t i = 0; i < g.n; i++) {
        const struct fz_module *m = &g.mods[i];
        cr_assert_null(m->src, "%s: its source is freed", m->name);
        cr_assert(m->source_chunk >= 1 && m->source_chunk <= g.nchunks, "%s", m->name);
        cr_assert_eq(memcmp(dec[m->source_chunk - 1] + m->source_offset, src[i], m->srclen), 0,
                     "%s reads back", m->name);
        if (m->origin == FZ_ORIGIN_USER)
            user_chunk = m->source_chunk;
    }
    /* The program's own modules share no chunk with the standard library's. */
    for (size_t i = 0; i < g.n; i++)
        if (g.mods[i].origin != FZ_ORIGIN_USER)
            cr_assert_neq(g.mods[i].source_chunk, user_chunk, "%s", g.mods[i].name);
    for (size_t i = 0; i < g.nchunks; i++)
        free(dec[i]);
    free(dec);
    for (size_t i = 0; i < g.n; i++)
        free(src[i]);
    free(src);
    fz_graph_free(&g);
}

Test(sources, adding_a_module_changes_few_chunks, .init = setup)
{
    struct fz_graph a = {0}, b = {0};
    stdlib_like(&a, 200, NULL);
    stdlib_like(&b, 200, "mod100a"); /* one more, in the middle */
    cr_assert_eq(fz_sources_prepare(&a), 0);
    cr_assert_eq(fz_sources_prepare(&b), 0);
    cr_assert_gt(a.nchunks, 10);
    size_t same = 0;
    for (size_t i = 0; i < b.nchunks; i++)
        for (size_t k = 0; k < a.nchunks; k++)
            if (b.chunks[i].crc == a.chunks[k].crc && b.chunks[i].usize == a.chunks[k].usize) {
                same++;
                break;
            }
    cr_assert_geq(same + 2, b.nchunks, "%zu of %zu chunks changed", b.nchunks - same,
                  b.nchunks);
    fz_graph_free(&a);
    fz_graph_free(&b);
}

Test(sources, no_module_with_a_source_means_no_chunk, .init = setup)
{
    struct fz_graph g = {0};
    add(&g, "ns", 0, FZ_ORIGIN_USER);
    free(g.mods[0].src); /* a namespace package: graph.c keeps no source */
    g.mods[0].src = NULL;
    cr_assert_eq(fz_sources_prepare(&g), 0);
    cr_assert_eq(g.nchunks, 0);
    cr_assert_eq(g.mods[0].source_chunk, 0);
    fz_graph_free(&g);
}
