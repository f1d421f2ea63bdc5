/* arena.c — PLACEHOLDER while the arena allocator is written: the API of
 * gc.h on top of malloc, so the rest of the tree builds. */
#include <malloc.h>
#include <stdlib.h>
#include <string.h>

#include "gc.h"

struct gc_heap {
    size_t keep;
};

struct gc_heap *gc_heap_new(size_t keep_empty_bytes)
{
    struct gc_heap *h = calloc(1, sizeof *h);
    if (h)
        h->keep = keep_empty_bytes;
    return h;
}

void gc_heap_destroy(struct gc_heap *h) { free(h); }
void *gc_heap_malloc(struct gc_heap *h, size_t size) { (void)h; return malloc(size ? size : 1); }
void *gc_heap_calloc(struct gc_heap *h, size_t n, size_t size) { (void)h; return calloc(n ? n : 1, size ? size : 1); }
void *gc_heap_realloc(struct gc_heap *h, void *p, size_t size) { (void)h; return realloc(p, size ? size : 1); }
void gc_heap_free(struct gc_heap *h, void *p) { (void)h; free(p); }
int gc_arena_owns(const void *p) { (void)p; return 0; }
void gc_heap_stats(const struct gc_heap *h, struct gc_arena_stats *out) { (void)h; memset(out, 0, sizeof *out); }
void gc_arena_install(size_t keep_empty_bytes) { (void)keep_empty_bytes; }
void gc_arena_startup_done(void) {}
void gc_arena_python_stats(struct gc_arena_stats *out, uint64_t dc[GC_NDOMAINS], uint64_t dp[GC_NDOMAINS])
{
    memset(out, 0, sizeof *out);
    memset(dc, 0, sizeof(uint64_t) * GC_NDOMAINS);
    memset(dp, 0, sizeof(uint64_t) * GC_NDOMAINS);
}
uint64_t gc_arena_heap_bytes(void) { return 0; }
