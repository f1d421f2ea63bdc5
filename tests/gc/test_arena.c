/* test_arena.c — gc/arena.c: the arena allocator behind gc_heap_*, tested
 * through its API and its statistics (gc.h) against the layout arena.c
 * documents: 1 MiB arenas aligned to 1 MiB, cut into 4 KiB pages whose first
 * ones hold metadata; each page holds blocks of one size class (16, 32, ...,
 * 512 bytes); larger requests go to the system allocator; empty pages are
 * kept up to keep_empty_bytes and given back beyond that, even inside arenas
 * that still hold live blocks; an arena with nothing left in it is unmapped.
 *
 * "Given back" is checked where it shows: mincore() reports a released page
 * as not resident, and an unmapped arena as no mapping at all (ENOMEM).
 *
 * The random-operation tests keep a shadow of every live block (address,
 * size, id; each block is filled with bytes derived from its id) and check
 * it against the heap after every step: the block touched, its neighbours
 * in address order (no two live blocks overlap) and the heap's per-class
 * statistics.
 *
 * CRYO_TEST_ARENA_QUICK=1 divides the long loops by 20: the valgrind run
 * (tests/gc/meson.build) sets it. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define HAVE_VALGRIND_H 1
#endif
#endif
#ifndef HAVE_VALGRIND_H
#define RUNNING_ON_VALGRIND 0
#define VALGRIND_COUNT_ERRORS 0
#define VALGRIND_DISABLE_ERROR_REPORTING
#define VALGRIND_ENABLE_ERROR_REPORTING
#endif

#include "gc.h"

/* The layout arena.c documents (gc.h exports only the size classes). */
#define ARENA_BYTES ((uintptr_t)1 << 20)
#define PAGE_BYTES ((uintptr_t)4096)
#define KEEP_NOTHING 0
#define KEEP_PLENTY ((size_t)64 << 20)

/* Under valgrind each test's worker is a process of its own, and memcheck's
 * errors there do not change what Criterion reports (nor does a failed
 * assertion in a fini function): a test whose process made any dies, so
 * Criterion reports it as crashed. */
static void no_memcheck_errors(void)
{
    unsigned errors = (unsigned)VALGRIND_COUNT_ERRORS;
    if (errors) {
        fprintf(stderr, "test_arena: memcheck found %u error(s) in this test (report above)\n",
                errors);
        abort();
    }
}

TestSuite(arena, .fini = no_memcheck_errors);

/* Around requests that are absurd on purpose: memcheck reports the system
 * allocator's "fishy" size arguments as errors. */
#define ABSURD_BEGIN VALGRIND_DISABLE_ERROR_REPORTING
#define ABSURD_END VALGRIND_ENABLE_ERROR_REPORTING

/* ---- helpers ---- */

static size_t class_size(size_t n) { return n == 0 ? GC_ALIGNMENT : (n + GC_ALIGNMENT - 1) & ~(size_t)(GC_ALIGNMENT - 1); }
static int class_index(size_t n) { return (int)(class_size(n) / GC_ALIGNMENT) - 1; }
static size_t blocks_per_page(size_t cls) { return PAGE_BYTES / cls; }
static uintptr_t page_of(const void *p) { return (uintptr_t)p & ~(PAGE_BYTES - 1); }
static uintptr_t arena_of(const void *p) { return (uintptr_t)p & ~(ARENA_BYTES - 1); }

static long iterations(long full)
{
    const char *q = getenv("CRYO_TEST_ARENA_QUICK");
    if (q && *q && strcmp(q, "0") != 0)
        return full / 20 > 0 ? full / 20 : 1;
    return full;
}

static struct gc_heap *new_heap(size_t keep)
{
    struct gc_heap *h = gc_heap_new(keep);
    cr_assert_not_null(h, "gc_heap_new(%zu) failed", keep);
    return h;
}

static struct gc_arena_stats stats_of(const struct gc_heap *h)
{
    struct gc_arena_stats s;
    memset(&s, 0xee, sizeof s); /* so fields left unwritten show */
    gc_heap_stats(h, &s);
    return s;
}

/* The bytes a block with this id holds: different for every id and offset,
 * so a block written over by another, or moved without its contents, shows. */
static inline unsigned char pattern_byte(uint64_t id, size_t i)
{
    uint64_t x = (id + 1) * 0x9E3779B97F4A7C15ull ^ (uint64_t)(i >> 3) * 0xBF58476D1CE4E5B9ull;
    return (unsigned char)(x >> ((i & 7) * 8));
}

static void fill_pattern(void *p, size_t from, size_t to, uint64_t id)
{
    unsigned char *b = p;
    for (size_t i = from; i < to; i++)
        b[i] = pattern_byte(id, i);
}

/* Offset of the first wrong byte in [0, n), or -1. */
static long find_damage(const void *p, size_t n, uint64_t id)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i] != pattern_byte(id, i))
            return (long)i;
    return -1;
}

static void assert_pattern(const void *p, size_t n, uint64_t id)
{
    long at = find_damage(p, n, id);
    cr_assert(at < 0, "block %p (%zu bytes, id %llu) damaged at offset %ld", p, n,
              (unsigned long long)id, at);
}

/* 1 resident, 0 mapped but not resident, -1 not mapped at all. */
static int residency(uintptr_t page)
{
    unsigned char vec = 0;
    if (mincore((void *)page, PAGE_BYTES, &vec) != 0)
        return errno == ENOMEM ? -1 : -2;
    return vec & 1;
}

/* The distinct pages of blocks ps[0..n), in first-seen order, and how many
 * blocks each holds. */
static size_t group_by_page(void **ps, size_t n, uintptr_t *pages, size_t *counts, size_t max)
{
    size_t np = 0;
    for (size_t i = 0; i < n; i++) {
        uintptr_t pg = page_of(ps[i]);
        size_t j = 0;
        while (j < np && pages[j] != pg)
            j++;
        if (j == np) {
            cr_assert(np < max, "blocks spread over more than %zu pages", max);
            pages[np] = pg;
            counts[np++] = 0;
        }
        counts[j]++;
    }
    return np;
}

static size_t distinct_arenas(void **ps, size_t n, uintptr_t *arenas, size_t max)
{
    size_t na = 0;
    for (size_t i = 0; i < n; i++) {
        uintptr_t a = arena_of(ps[i]);
        size_t j = 0;
        while (j < na && arenas[j] != a)
            j++;
        if (j == na) {
            cr_assert(na < max, "blocks spread over more than %zu arenas", max);
            arenas[na++] = a;
        }
    }
    return na;
}

/* n blocks of one size, each filled with its index's pattern. */
static void **alloc_blocks(struct gc_heap *h, size_t size, size_t n)
{
    void **ps = calloc(n, sizeof *ps);
    cr_assert_not_null(ps);
    for (size_t i = 0; i < n; i++) {
        ps[i] = gc_heap_malloc(h, size);
        cr_assert_not_null(ps[i], "gc_heap_malloc(%zu) #%zu returned NULL", size, i);
        fill_pattern(ps[i], 0, size, i);
    }
    return ps;
}

static uint64_t xorshift(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* ---- the shadow map: every live block, checked after every step ---- */

struct shadow_block {
    unsigned char *p; /* NULL: slot free */
    size_t size;      /* requested */
    uint64_t id;
};

struct shadow {
    struct gc_heap *h;
    pthread_mutex_t *lock; /* around allocator calls when the heap is shared */
    int check_stats;       /* the heap is this shadow's alone */
    struct shadow_block *slots;
    size_t nslots, nlive;
    size_t *order; /* indices of live slots, by address */
    uint64_t class_bytes[GC_NCLASSES], large_bytes;
    uint64_t next_id, rng, step;
    char err[256]; /* first failure, for threads that cannot assert */
};

static int shadow_fail(struct shadow *s, const char *fmt, ...)
{
    if (!s->err[0]) {
        va_list ap;
        va_start(ap, fmt);
        int k = snprintf(s->err, sizeof s->err, "step %llu: ", (unsigned long long)s->step);
        vsnprintf(s->err + k, sizeof s->err - (size_t)k, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static void shadow_init(struct shadow *s, struct gc_heap *h, size_t nslots, uint64_t seed)
{
    memset(s, 0, sizeof *s);
    s->h = h;
    s->check_stats = 1;
    s->nslots = nslots;
    s->slots = calloc(nslots, sizeof *s->slots);
    s->order = calloc(nslots, sizeof *s->order);
    s->rng = seed ? seed : 88172645463325252ull;
    cr_assert(s->slots && s->order);
}

static void shadow_fini(struct shadow *s)
{
    free(s->slots);
    free(s->order);
}

static void lock(struct shadow *s) { if (s->lock) pthread_mutex_lock(s->lock); }
static void unlock(struct shadow *s) { if (s->lock) pthread_mutex_unlock(s->lock); }

/* The extent a block claims: its whole class for small blocks. */
static size_t extent(const struct shadow_block *b)
{
    return b->size <= GC_SMALL_MAX ? class_size(b->size) : b->size;
}

/* First position in order[] whose block lies at or after p. */
static size_t order_find(const struct shadow *s, const unsigned char *p)
{
    size_t lo = 0, hi = s->nlive;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->slots[s->order[mid]].p < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void account(struct shadow *s, size_t size, int sign)
{
    if (size <= GC_SMALL_MAX)
        s->class_bytes[class_index(size)] += (uint64_t)(sign * (int64_t)class_size(size));
    else
        s->large_bytes += (uint64_t)(sign * (int64_t)size);
}

/* Records a new live block in slot i, checking it overlaps no other. */
static int shadow_insert(struct shadow *s, size_t i, unsigned char *p, size_t size, uint64_t id)
{
    struct shadow_block *b = &s->slots[i];
    b->p = p;
    b->size = size;
    b->id = id;
    if ((uintptr_t)p % GC_ALIGNMENT)
        return shadow_fail(s, "block %p of %zu bytes is not %d-byte aligned", p, size, GC_ALIGNMENT);
    lock(s);
    int owned = gc_arena_owns(p);
    unlock(s);
    if ((size <= GC_SMALL_MAX) != !!owned)
        return shadow_fail(s, "gc_arena_owns(%p) is %d for a block of %zu bytes", p, owned, size);
    size_t at = order_find(s, p);
    if (at > 0) {
        const struct shadow_block *prev = &s->slots[s->order[at - 1]];
        if (prev->p + extent(prev) > p)
            return shadow_fail(s, "new block %p (%zu bytes) overlaps live block %p (%zu bytes)", p,
                               size, prev->p, prev->size);
    }
    if (at < s->nlive) {
        const struct shadow_block *next = &s->slots[s->order[at]];
        if (p + extent(b) > next->p)
            return shadow_fail(s, "new block %p (%zu bytes) overlaps live block %p (%zu bytes)", p,
                               size, next->p, next->size);
    }
    memmove(&s->order[at + 1], &s->order[at], (s->nlive - at) * sizeof *s->order);
    s->order[at] = i;
    s->nlive++;
    account(s, size, +1);
    return 0;
}

static void shadow_remove(struct shadow *s, size_t i)
{
    struct shadow_block *b = &s->slots[i];
    size_t at = order_find(s, b->p);
    while (s->order[at] != i) /* equal addresses cannot happen; be safe */
        at++;
    memmove(&s->order[at], &s->order[at + 1], (s->nlive - at - 1) * sizeof *s->order);
    s->nlive--;
    account(s, b->size, -1);
    b->p = NULL;
}

static int shadow_verify(struct shadow *s, size_t i, const char *when)
{
    const struct shadow_block *b = &s->slots[i];
    long at = find_damage(b->p, b->size, b->id);
    if (at >= 0)
        return shadow_fail(s, "%s: block %p (%zu bytes, id %llu) damaged at offset %ld", when,
                           b->p, b->size, (unsigned long long)b->id, at);
    return 0;
}

static int shadow_verify_all(struct shadow *s)
{
    for (size_t k = 0; k < s->nlive; k++)
        if (shadow_verify(s, s->order[k], "full check") < 0)
            return -1;
    return 0;
}

static int shadow_check_stats(struct shadow *s)
{
    if (!s->check_stats)
        return 0;
    struct gc_arena_stats st;
    gc_heap_stats(s->h, &st);
    uint64_t small = 0;
    for (int c = 0; c < GC_NCLASSES; c++) {
        small += s->class_bytes[c];
        if (st.class_current[c] != s->class_bytes[c])
            return shadow_fail(s, "class %d (%d bytes): class_current %llu, live blocks hold %llu",
                               c, (c + 1) * GC_ALIGNMENT, (unsigned long long)st.class_current[c],
                               (unsigned long long)s->class_bytes[c]);
        if (st.class_peak[c] < st.class_current[c] || st.class_peak[c] % PAGE_BYTES)
            return shadow_fail(s, "class %d: peak %llu (page-granular) for current %llu", c,
                               (unsigned long long)st.class_peak[c],
                               (unsigned long long)st.class_current[c]);
    }
    if (st.small_current != small)
        return shadow_fail(s, "small_current %llu, live small blocks hold %llu",
                           (unsigned long long)st.small_current, (unsigned long long)small);
    if (st.small_peak < st.small_current)
        return shadow_fail(s, "small_peak %llu below small_current %llu",
                           (unsigned long long)st.small_peak, (unsigned long long)st.small_current);
    if (st.large_current < s->large_bytes)
        return shadow_fail(s, "large_current %llu below the %llu bytes of live large blocks",
                           (unsigned long long)st.large_current, (unsigned long long)s->large_bytes);
    if (s->large_bytes == 0 && st.large_current != 0)
        return shadow_fail(s, "large_current %llu with no live large block",
                           (unsigned long long)st.large_current);
    if (st.pages_in_use * PAGE_BYTES < small)
        return shadow_fail(s, "pages_in_use %llu cannot hold %llu live bytes",
                           (unsigned long long)st.pages_in_use, (unsigned long long)small);
    if ((st.pages_in_use + st.pages_empty + st.pages_released) * PAGE_BYTES >
        st.arenas_current * ARENA_BYTES)
        return shadow_fail(s, "%llu pages counted in %llu arenas",
                           (unsigned long long)(st.pages_in_use + st.pages_empty + st.pages_released),
                           (unsigned long long)st.arenas_current);
    return 0;
}

/* Mostly small sizes, every class equally; some large ones. */
static size_t random_size(uint64_t *rng)
{
    uint64_t r = xorshift(rng);
    unsigned pick = (unsigned)(r % 100);
    r >>= 8;
    if (pick < 94)
        return (size_t)(r % (GC_SMALL_MAX + 1)); /* 0 included */
    if (pick < 99)
        return GC_SMALL_MAX + 1 + (size_t)(r % 4096);
    return 4096 + (size_t)(r % 65536);
}

static int shadow_alloc(struct shadow *s, size_t i)
{
    size_t size = random_size(&s->rng);
    int use_calloc = xorshift(&s->rng) % 4 == 0;
    lock(s);
    unsigned char *p = use_calloc ? gc_heap_calloc(s->h, 1, size) : gc_heap_malloc(s->h, size);
    unlock(s);
    if (!p)
        return shadow_fail(s, "%s(%zu) returned NULL", use_calloc ? "calloc" : "malloc", size);
    if (use_calloc)
        for (size_t k = 0; k < size; k++)
            if (p[k])
                return shadow_fail(s, "calloc(1, %zu) = %p: byte %zu is %#x", size, p, k, p[k]);
    uint64_t id = s->next_id++;
    fill_pattern(p, 0, size, id);
    return shadow_insert(s, i, p, size, id);
}

static int shadow_free(struct shadow *s, size_t i)
{
    if (shadow_verify(s, i, "before free") < 0)
        return -1;
    unsigned char *p = s->slots[i].p;
    shadow_remove(s, i);
    lock(s);
    gc_heap_free(s->h, p);
    unlock(s);
    return 0;
}

static int shadow_realloc(struct shadow *s, size_t i)
{
    struct shadow_block old = s->slots[i];
    size_t size = random_size(&s->rng);
    if (shadow_verify(s, i, "before realloc") < 0)
        return -1;
    lock(s);
    unsigned char *p = gc_heap_realloc(s->h, old.p, size);
    unlock(s);
    if (!p)
        return shadow_fail(s, "realloc(%p, %zu) returned NULL", old.p, size);
    shadow_remove(s, i);
    size_t keep = old.size < size ? old.size : size;
    long at = find_damage(p, keep, old.id);
    if (at >= 0)
        return shadow_fail(s, "realloc %p (%zu) -> %p (%zu) lost contents at offset %ld", old.p,
                           old.size, p, size, at);
    fill_pattern(p, keep, size, old.id);
    return shadow_insert(s, i, p, size, old.id);
}

/* Frees about `percent` of the live blocks, or all of them at 100. */
static int shadow_free_some(struct shadow *s, unsigned percent)
{
    for (size_t i = 0; i < s->nslots; i++)
        if (s->slots[i].p && (percent >= 100 || xorshift(&s->rng) % 100 < percent))
            if (shadow_free(s, i) < 0)
                return -1;
    return 0;
}

/* One random operation, then the checks. */
static int shadow_step(struct shadow *s)
{
    s->step++;
    uint64_t r = xorshift(&s->rng);
    size_t i = (size_t)(r % s->nslots);
    unsigned op = (unsigned)((r >> 32) % 100);
    int rc;
    if (!s->slots[i].p)
        rc = shadow_alloc(s, i);
    else if (op < 50)
        rc = shadow_free(s, i);
    else if (op < 85)
        rc = shadow_realloc(s, i);
    else
        rc = shadow_verify(s, i, "random check");
    if (rc < 0)
        return -1;
    if (s->slots[i].p && shadow_verify(s, i, "after the step") < 0)
        return -1;
    return shadow_check_stats(s);
}

/* n steps; now and then most of the heap is freed at once (phases, so
 * pages and arenas go empty) and everything live is verified. */
static int shadow_run(struct shadow *s, long n)
{
    for (long k = 1; k <= n; k++) {
        if (shadow_step(s) < 0)
            return -1;
        if (k % 997 == 0 && shadow_verify_all(s) < 0)
            return -1;
        if (k % 20011 == 0 && (shadow_free_some(s, k % 40022 ? 90 : 100) < 0 ||
                               shadow_check_stats(s) < 0))
            return -1;
    }
    return shadow_verify_all(s);
}

static void stress(size_t keep, long steps, uint64_t seed)
{
    struct gc_heap *h = new_heap(keep);
    struct shadow s;
    shadow_init(&s, h, 2048, seed);
    int rc = shadow_run(&s, iterations(steps));
    cr_assert(rc == 0, "%s", s.err);
    cr_assert(shadow_free_some(&s, 100) == 0 && shadow_check_stats(&s) == 0, "%s", s.err);
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(st.pages_in_use, 0, "pages_in_use %llu with nothing live",
                 (unsigned long long)st.pages_in_use);
    cr_assert(st.pages_empty * PAGE_BYTES <= keep, "%llu empty pages kept, beyond %zu bytes",
              (unsigned long long)st.pages_empty, keep);
    if (keep == 0)
        cr_assert_eq(st.arenas_current, 0, "%llu arenas still mapped with nothing live",
                     (unsigned long long)st.arenas_current);
    shadow_fini(&s);
    gc_heap_destroy(h);
}

/* ---- size classes, alignment, layout ---- */

Test(arena, serves_every_small_size_from_its_size_class)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    for (size_t n = 0; n <= GC_SMALL_MAX; n++) {
        unsigned char *p = gc_heap_malloc(h, n);
        cr_assert_not_null(p, "malloc(%zu)", n);
        cr_assert(gc_arena_owns(p), "a %zu-byte block %p is not in an arena", n, p);
        fill_pattern(p, 0, n, n);
        struct gc_arena_stats st = stats_of(h);
        int c = class_index(n);
        cr_assert_eq(st.class_current[c], class_size(n),
                     "malloc(%zu): class_current[%d] = %llu, want %zu", n, c,
                     (unsigned long long)st.class_current[c], class_size(n));
        cr_assert_eq(st.small_current, class_size(n), "malloc(%zu): small_current = %llu", n,
                     (unsigned long long)st.small_current);
        cr_assert_eq(st.large_current, 0);
        assert_pattern(p, n, n);
        gc_heap_free(h, p);
        st = stats_of(h);
        cr_assert_eq(st.class_current[c], 0, "free of a %zu-byte block left %llu bytes", n,
                     (unsigned long long)st.class_current[c]);
        cr_assert_eq(st.small_current, 0);
    }
    gc_heap_destroy(h);
}

Test(arena, treats_a_zero_byte_request_as_one_byte)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    unsigned char *a = gc_heap_malloc(h, 0), *b = gc_heap_malloc(h, 0);
    cr_assert(a && b && a != b, "malloc(0) twice gave %p and %p", a, b);
    a[0] = 1;
    b[0] = 2;
    cr_assert(a[0] == 1 && b[0] == 2);
    cr_assert_eq(stats_of(h).class_current[0], 2 * GC_ALIGNMENT);
    gc_heap_free(h, a);
    gc_heap_free(h, b);
    gc_heap_destroy(h);
}

Test(arena, aligns_every_block_to_sixteen_bytes)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    enum { N = 3000 };
    void **ps = calloc(N, sizeof *ps);
    uint64_t rng = 7;
    for (size_t i = 0; i < N; i++) {
        size_t n = i < 2 * GC_SMALL_MAX ? i : (size_t)(xorshift(&rng) % 20000);
        ps[i] = gc_heap_malloc(h, n);
        cr_assert_not_null(ps[i]);
        cr_assert_eq((uintptr_t)ps[i] % GC_ALIGNMENT, 0, "malloc(%zu) = %p is not %d-aligned", n,
                     ps[i], GC_ALIGNMENT);
        void *c = gc_heap_calloc(h, 3, n / 3 + 1);
        cr_assert_not_null(c);
        cr_assert_eq((uintptr_t)c % GC_ALIGNMENT, 0, "calloc(3, %zu) = %p is not aligned",
                     n / 3 + 1, c);
        gc_heap_free(h, c);
    }
    for (size_t i = 0; i < N; i++) {
        ps[i] = gc_heap_realloc(h, ps[i], (size_t)(xorshift(&rng) % 1500));
        cr_assert_eq((uintptr_t)ps[i] % GC_ALIGNMENT, 0, "realloc gave %p", ps[i]);
        gc_heap_free(h, ps[i]);
    }
    free(ps);
    gc_heap_destroy(h);
}

/* Each page holds blocks of one class, side by side from its start: a page
 * of class c holds 4096 / c of them (the metadata lives elsewhere). */
Test(arena, fills_each_page_with_blocks_of_one_class)
{
    for (size_t cls = GC_ALIGNMENT; cls <= GC_SMALL_MAX; cls += GC_ALIGNMENT) {
        struct gc_heap *h = new_heap(KEEP_PLENTY);
        size_t per = blocks_per_page(cls), n = 3 * per;
        void **ps = alloc_blocks(h, cls, n);
        uintptr_t pages[8];
        size_t counts[8];
        size_t np = group_by_page(ps, n, pages, counts, 8);
        cr_assert_eq(np, 3, "%zu blocks of %zu bytes took %zu pages, want 3", n, cls, np);
        for (size_t j = 0; j < np; j++)
            cr_assert_eq(counts[j], per, "a page of class %zu holds %zu blocks, want %zu", cls,
                         counts[j], per);
        for (size_t i = 0; i < n; i++) {
            uintptr_t off = (uintptr_t)ps[i] - page_of(ps[i]);
            cr_assert_eq(off % cls, 0, "block %p of class %zu at page offset %lu", ps[i], cls,
                         (unsigned long)off);
            cr_assert(off + cls <= PAGE_BYTES, "block %p of class %zu crosses its page", ps[i], cls);
        }
        struct gc_arena_stats st = stats_of(h);
        cr_assert_eq(st.pages_in_use, 3, "class %zu: pages_in_use %llu, want 3", cls,
                     (unsigned long long)st.pages_in_use);
        cr_assert_eq(st.class_current[cls / GC_ALIGNMENT - 1], n * cls);
        for (size_t i = 0; i < n; i++)
            assert_pattern(ps[i], cls, i);
        free(ps);
        gc_heap_destroy(h);
    }
}

Test(arena, gives_each_size_class_its_own_pages)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    void *ps[GC_NCLASSES];
    for (int c = 0; c < GC_NCLASSES; c++)
        ps[c] = gc_heap_malloc(h, (size_t)(c + 1) * GC_ALIGNMENT);
    for (int a = 0; a < GC_NCLASSES; a++)
        for (int b = a + 1; b < GC_NCLASSES; b++)
            cr_assert_neq(page_of(ps[a]), page_of(ps[b]), "classes %d and %d share page %p",
                          (a + 1) * GC_ALIGNMENT, (b + 1) * GC_ALIGNMENT, (void *)page_of(ps[a]));
    cr_assert_eq(stats_of(h).pages_in_use, GC_NCLASSES);
    for (int c = 0; c < GC_NCLASSES; c++)
        gc_heap_free(h, ps[c]);
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(st.pages_in_use, 0);
    cr_assert_eq(st.pages_empty, GC_NCLASSES, "pages_empty %llu, want %d (all kept)",
                 (unsigned long long)st.pages_empty, GC_NCLASSES);
    gc_heap_destroy(h);
}

/* Arenas are 1 MiB aligned, so the blocks of one arena share their address
 * above bit 20; the arena's first page is metadata, never a block. */
Test(arena, places_blocks_in_aligned_arenas_past_their_metadata_pages)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    size_t n = 3 * ARENA_BYTES / 256; /* about three arenas of 256-byte blocks */
    void **ps = alloc_blocks(h, 256, n);
    uintptr_t arenas[16];
    size_t na = distinct_arenas(ps, n, arenas, 16);
    struct gc_arena_stats st = stats_of(h);
    cr_assert(na >= 3, "%zu blocks of 256 bytes in only %zu arenas", n, na);
    cr_assert_eq(st.arenas_current, na, "arenas_current %llu, blocks lie in %zu 1 MiB regions",
                 (unsigned long long)st.arenas_current, na);
    cr_assert(st.arenas_mapped_total >= st.arenas_current);
    for (size_t i = 0; i < n; i++)
        cr_assert((uintptr_t)ps[i] - arena_of(ps[i]) >= PAGE_BYTES,
                  "block %p lies in its arena's first (metadata) page", ps[i]);
    for (size_t i = 0; i < n; i++)
        gc_heap_free(h, ps[i]);
    free(ps);
    gc_heap_destroy(h);
}

Test(arena, sends_requests_above_512_bytes_to_the_system)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    size_t sizes[] = {GC_SMALL_MAX + 1, 1000, 4096, 100000, (size_t)3 << 20};
    void *ps[5];
    uint64_t sum = 0;
    for (int i = 0; i < 5; i++) {
        ps[i] = gc_heap_malloc(h, sizes[i]);
        cr_assert_not_null(ps[i]);
        cr_assert_not(gc_arena_owns(ps[i]), "a %zu-byte block %p is in an arena", sizes[i], ps[i]);
        fill_pattern(ps[i], 0, sizes[i], (uint64_t)i);
        sum += sizes[i];
    }
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(st.small_current, 0, "small_current %llu with only large blocks",
                 (unsigned long long)st.small_current);
    cr_assert(st.large_current >= sum && st.large_current < 2 * sum,
              "large_current %llu for %llu requested bytes", (unsigned long long)st.large_current,
              (unsigned long long)sum);
    cr_assert(st.large_peak >= st.large_current);
    for (int i = 0; i < 5; i++) {
        assert_pattern(ps[i], sizes[i], (uint64_t)i);
        gc_heap_free(h, ps[i]);
    }
    st = stats_of(h);
    cr_assert_eq(st.large_current, 0, "large_current %llu after every large block was freed",
                 (unsigned long long)st.large_current);
    cr_assert(st.large_peak >= sum);
    gc_heap_destroy(h);
}

/* ---- ownership ---- */

static int a_static_int;

Test(arena, owns_small_blocks_of_every_heap_and_nothing_else)
{
    struct gc_heap *h1 = new_heap(KEEP_PLENTY), *h2 = new_heap(KEEP_PLENTY);
    void *s1 = gc_heap_malloc(h1, 100), *s2 = gc_heap_malloc(h2, GC_SMALL_MAX);
    void *l1 = gc_heap_malloc(h1, GC_SMALL_MAX + 1), *l2 = gc_heap_malloc(h2, 1 << 20);
    void *sys = malloc(64);
    int on_stack = 0;
    cr_assert(gc_arena_owns(s1) && gc_arena_owns(s2), "small blocks of two heaps not owned");
    cr_assert_not(gc_arena_owns(l1), "large block %p owned", l1);
    cr_assert_not(gc_arena_owns(l2), "large block %p owned", l2);
    cr_assert_not(gc_arena_owns(sys), "libc's malloc block %p owned", sys);
    cr_assert_not(gc_arena_owns(&on_stack), "stack address owned");
    cr_assert_not(gc_arena_owns(&a_static_int), "static data owned");
    cr_assert_not(gc_arena_owns((void *)(uintptr_t)&gc_heap_malloc), "code owned");
    cr_assert_not(gc_arena_owns(NULL), "NULL owned");
    free(sys);
    gc_heap_free(h1, s1);
    gc_heap_free(h1, l1);
    gc_heap_free(h2, s2);
    gc_heap_free(h2, l2);
    gc_heap_destroy(h1);
    gc_heap_destroy(h2);
}

/* Once an arena is unmapped the system may put anything at its address;
 * gc_arena_owns saying yes then would route a foreign free into the
 * allocator. */
Test(arena, stops_owning_addresses_once_their_arena_is_unmapped)
{
    struct gc_heap *h = new_heap(KEEP_NOTHING);
    void *p = gc_heap_malloc(h, 48);
    cr_assert(gc_arena_owns(p));
    gc_heap_free(h, p);
    cr_assert_eq(stats_of(h).arenas_current, 0, "the emptied arena is still mapped");
    cr_assert_not(gc_arena_owns(p), "%p owned after its arena was unmapped", p);

    void *q = gc_heap_malloc(h, 48);
    cr_assert(gc_arena_owns(q));
    gc_heap_destroy(h);
    cr_assert_not(gc_arena_owns(q), "%p owned after its heap was destroyed", q);
}

Test(arena, unmaps_every_arena_when_the_heap_is_destroyed)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    size_t n = 2 * ARENA_BYTES / 512;
    void **ps = alloc_blocks(h, 512, n);
    uintptr_t arenas[8];
    size_t na = distinct_arenas(ps, n, arenas, 8);
    gc_heap_destroy(h);
    int state[8];
    for (size_t j = 0; j < na; j++)
        state[j] = residency(arenas[j] + PAGE_BYTES);
    for (size_t j = 0; j < na; j++)
        cr_assert_eq(state[j], -1, "arena %p still mapped after gc_heap_destroy (mincore: %d)",
                     (void *)arenas[j], state[j]);
    free(ps);
}

/* ---- free and reuse ---- */

Test(arena, ignores_free_of_null)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    gc_heap_free(h, NULL);
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(st.small_current, 0);
    cr_assert_eq(st.large_current, 0);
    gc_heap_destroy(h);
}

Test(arena, reuses_freed_blocks_without_mapping_more_memory)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    size_t n = 1000;
    void **ps = alloc_blocks(h, 64, n);
    struct gc_arena_stats first = stats_of(h);
    for (size_t i = 0; i < n; i++)
        gc_heap_free(h, ps[i]);
    free(ps);
    ps = alloc_blocks(h, 64, n);
    struct gc_arena_stats again = stats_of(h);
    cr_assert_eq(again.pages_in_use, first.pages_in_use, "%llu pages for the same blocks, was %llu",
                 (unsigned long long)again.pages_in_use, (unsigned long long)first.pages_in_use);
    cr_assert_eq(again.arenas_mapped_total, first.arenas_mapped_total);
    for (size_t i = 0; i < n; i++) {
        assert_pattern(ps[i], 64, i);
        gc_heap_free(h, ps[i]);
    }
    free(ps);

    long loops = iterations(200000);
    for (long k = 0; k < loops; k++) {
        void *p = gc_heap_malloc(h, 100 + (size_t)(k % 8));
        cr_assert_not_null(p);
        gc_heap_free(h, p);
    }
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(st.arenas_mapped_total, first.arenas_mapped_total,
                 "a malloc/free loop mapped %llu arenas", (unsigned long long)st.arenas_mapped_total);
    cr_assert_eq(st.small_current, 0);
    gc_heap_destroy(h);
}

/* The next block of a class comes from its fullest partly used page, not
 * from the page freed into last: free space gathers where whole pages can
 * then go empty. */
Test(arena, allocates_from_the_fullest_partly_used_page_first)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    size_t per = blocks_per_page(64), n = 3 * per;
    void **ps = alloc_blocks(h, 64, n);
    uintptr_t pages[4];
    size_t counts[4];
    cr_assert_eq(group_by_page(ps, n, pages, counts, 4), 3);
    uintptr_t nearly_full = pages[0], half_full = pages[1];
    /* one block out of the first page, then half of the second (freed last) */
    size_t freed = 0;
    for (size_t i = 0; i < n && !freed; i++)
        if (page_of(ps[i]) == nearly_full) {
            gc_heap_free(h, ps[i]);
            ps[i] = NULL;
            freed = 1;
        }
    for (size_t i = 0; i < n && freed < 1 + per / 2; i++)
        if (ps[i] && page_of(ps[i]) == half_full) {
            gc_heap_free(h, ps[i]);
            ps[i] = NULL;
            freed++;
        }
    void *a = gc_heap_malloc(h, 64);
    cr_assert_eq(page_of(a), nearly_full,
                 "new block %p went to page %p, not to the fullest partly used page %p", a,
                 (void *)page_of(a), (void *)nearly_full);
    void *b = gc_heap_malloc(h, 64);
    cr_assert_eq(page_of(b), half_full,
                 "once the fullest page is full, the next block %p should go to page %p", b,
                 (void *)half_full);
    gc_heap_free(h, a);
    gc_heap_free(h, b);
    for (size_t i = 0; i < n; i++)
        if (ps[i])
            gc_heap_free(h, ps[i]);
    free(ps);
    gc_heap_destroy(h);
}

/* ---- realloc ---- */

Test(arena, allocates_on_realloc_of_null)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    void *p = gc_heap_realloc(h, NULL, 200);
    cr_assert_not_null(p);
    cr_assert(gc_arena_owns(p));
    cr_assert_eq(stats_of(h).class_current[class_index(200)], class_size(200));
    void *q = gc_heap_realloc(h, NULL, 5000);
    cr_assert_not_null(q);
    cr_assert_not(gc_arena_owns(q));
    cr_assert(stats_of(h).large_current >= 5000);
    gc_heap_free(h, p);
    gc_heap_free(h, q);
    gc_heap_destroy(h);
}

Test(arena, keeps_contents_when_realloc_grows_through_every_class_to_large)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    size_t size = 1;
    unsigned char *p = gc_heap_malloc(h, size);
    fill_pattern(p, 0, size, 42);
    size_t steps[] = {8, 16, 17, 31, 32, 33, 100, 255, 256, 257, 500, 511, 512, 513, 600,
                      4096, 70000, (size_t)2 << 20};
    for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
        size_t to = steps[k];
        p = gc_heap_realloc(h, p, to);
        cr_assert_not_null(p, "realloc to %zu", to);
        assert_pattern(p, size, 42);
        fill_pattern(p, size, to, 42);
        cr_assert_eq(!!gc_arena_owns(p), to <= GC_SMALL_MAX, "%zu-byte block %p owned: %d", to, p,
                     gc_arena_owns(p));
        struct gc_arena_stats st = stats_of(h);
        if (to <= GC_SMALL_MAX) {
            cr_assert_eq(st.small_current, class_size(to), "after realloc to %zu: small %llu", to,
                         (unsigned long long)st.small_current);
            cr_assert_eq(st.class_current[class_index(to)], class_size(to));
        } else {
            cr_assert_eq(st.small_current, 0, "after realloc to %zu: small %llu", to,
                         (unsigned long long)st.small_current);
            cr_assert(st.large_current >= to);
        }
        size = to;
    }
    assert_pattern(p, size, 42);
    gc_heap_free(h, p);
    gc_heap_destroy(h);
}

Test(arena, keeps_contents_when_realloc_shrinks_from_large_through_every_class)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    size_t size = (size_t)1 << 20;
    unsigned char *p = gc_heap_malloc(h, size);
    fill_pattern(p, 0, size, 7);
    size_t steps[] = {5000, 513, 512, 511, 497, 496, 300, 129, 128, 64, 48, 33, 32, 17, 16, 1};
    for (size_t k = 0; k < sizeof steps / sizeof *steps; k++) {
        size_t to = steps[k];
        p = gc_heap_realloc(h, p, to);
        cr_assert_not_null(p, "realloc to %zu", to);
        assert_pattern(p, to, 7);
        cr_assert_eq(!!gc_arena_owns(p), to <= GC_SMALL_MAX, "%zu-byte block %p owned: %d", to, p,
                     gc_arena_owns(p));
        struct gc_arena_stats st = stats_of(h);
        if (to <= GC_SMALL_MAX) {
            cr_assert_eq(st.small_current, class_size(to), "after realloc to %zu: small %llu", to,
                         (unsigned long long)st.small_current);
            cr_assert_eq(st.large_current, 0, "after realloc to %zu: large %llu", to,
                         (unsigned long long)st.large_current);
        }
    }
    gc_heap_free(h, p);
    cr_assert_eq(stats_of(h).small_current, 0);
    gc_heap_destroy(h);
}

Test(arena, counts_a_block_resized_within_its_class_at_its_class_size)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    unsigned char *p = gc_heap_malloc(h, 48);
    fill_pattern(p, 0, 48, 3);
    p = gc_heap_realloc(h, p, 33); /* same class: may stay */
    cr_assert_not_null(p);
    assert_pattern(p, 33, 3);
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(st.class_current[2], 48, "class 48 holds %llu bytes",
                 (unsigned long long)st.class_current[2]);
    cr_assert_eq(st.small_current, 48);
    p = gc_heap_realloc(h, p, 20); /* class 32 now */
    cr_assert_not_null(p);
    assert_pattern(p, 20, 3);
    st = stats_of(h);
    cr_assert_eq(st.class_current[2], 0, "the 48-byte block is still counted");
    cr_assert_eq(st.class_current[1], 32);
    cr_assert_eq(st.small_current, 32);
    gc_heap_free(h, p);
    gc_heap_destroy(h);
}

/* CPython's contract (PyMem_Realloc): a zero size resizes, never frees,
 * and gives a non-NULL pointer. */
Test(arena, gives_a_live_block_when_realloc_asks_for_zero_bytes)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    void *p = gc_heap_malloc(h, 300);
    p = gc_heap_realloc(h, p, 0);
    cr_assert_not_null(p);
    cr_assert(gc_arena_owns(p));
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(st.small_current, GC_ALIGNMENT, "small_current %llu after realloc(p, 0)",
                 (unsigned long long)st.small_current);
    gc_heap_free(h, p);
    gc_heap_destroy(h);
}

Test(arena, keeps_the_block_when_realloc_cannot_grow_it)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    size_t sizes[] = {100, 4000};
    for (int k = 0; k < 2; k++) {
        unsigned char *p = gc_heap_malloc(h, sizes[k]);
        fill_pattern(p, 0, sizes[k], 9);
        struct gc_arena_stats before = stats_of(h);
        ABSURD_BEGIN;
        void *q1 = gc_heap_realloc(h, p, SIZE_MAX / 2), *q2 = gc_heap_realloc(h, p, SIZE_MAX - 8);
        ABSURD_END;
        cr_assert_null(q1, "realloc to SIZE_MAX/2 gave %p", q1);
        cr_assert_null(q2, "realloc to SIZE_MAX-8 gave %p", q2);
        assert_pattern(p, sizes[k], 9);
        struct gc_arena_stats after = stats_of(h);
        cr_assert_eq(after.small_current, before.small_current);
        cr_assert_eq(after.large_current, before.large_current);
        gc_heap_free(h, p);
    }
    gc_heap_destroy(h);
}

/* ---- calloc ---- */

static void assert_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        cr_assert_eq(p[i], 0, "calloc'd block %p (%zu bytes): byte %zu is %#x", p, n, i, p[i]);
}

Test(arena, zeroes_calloc_memory_also_when_it_reuses_freed_blocks)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    for (size_t cls = GC_ALIGNMENT; cls <= GC_SMALL_MAX + 2 * GC_ALIGNMENT; cls += GC_ALIGNMENT) {
        void *dirty[8];
        for (int i = 0; i < 8; i++) {
            dirty[i] = gc_heap_malloc(h, cls);
            memset(dirty[i], 0xa5, cls);
        }
        for (int i = 0; i < 8; i++)
            gc_heap_free(h, dirty[i]);
        for (int i = 0; i < 8; i++) {
            unsigned char *p = gc_heap_calloc(h, 1, cls);
            cr_assert_not_null(p);
            assert_zero(p, cls);
            dirty[i] = p;
        }
        for (int i = 0; i < 8; i++)
            gc_heap_free(h, dirty[i]);
    }
    unsigned char *p = gc_heap_calloc(h, 7, 24); /* 168 bytes, n * size */
    cr_assert_not_null(p);
    assert_zero(p, 168);
    cr_assert_eq(stats_of(h).class_current[class_index(168)], class_size(168));
    gc_heap_free(h, p);
    p = gc_heap_calloc(h, 1000, 1000);
    cr_assert_not_null(p);
    assert_zero(p, 1000000);
    gc_heap_free(h, p);
    gc_heap_destroy(h);
}

Test(arena, returns_null_when_calloc_size_overflows)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    size_t big = (size_t)1 << (sizeof(size_t) * 4);
    cr_assert_null(gc_heap_calloc(h, big, big), "calloc(2^32, 2^32) did not fail");
    cr_assert_null(gc_heap_calloc(h, SIZE_MAX / 2 + 1, 2), "calloc(SIZE_MAX/2+1, 2) did not fail");
    cr_assert_null(gc_heap_calloc(h, 2, SIZE_MAX / 2 + 1), "calloc(2, SIZE_MAX/2+1) did not fail");
    cr_assert_null(gc_heap_calloc(h, SIZE_MAX, SIZE_MAX), "calloc(SIZE_MAX, SIZE_MAX) did not fail");
    /* wraps to a small size: must not hand out 16 bytes */
    cr_assert_null(gc_heap_calloc(h, SIZE_MAX / 16 + 2, 16), "calloc wrapping to 16 bytes did not fail");
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(st.small_current, 0);
    cr_assert_eq(st.large_current, 0);
    void *p = gc_heap_calloc(h, 4, 4);
    cr_assert_not_null(p, "the heap stopped working after calloc overflows");
    gc_heap_free(h, p);
    gc_heap_destroy(h);
}

Test(arena, gives_a_live_block_for_calloc_of_nothing)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    void *a = gc_heap_calloc(h, 0, 16), *b = gc_heap_calloc(h, 16, 0);
    cr_assert(a && b && a != b, "calloc(0, 16) = %p, calloc(16, 0) = %p", a, b);
    gc_heap_free(h, a);
    gc_heap_free(h, b);
    gc_heap_destroy(h);
}

/* ---- statistics ---- */

Test(arena, tracks_live_bytes_by_class_exactly)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    void *ps[GC_SMALL_MAX + 1][2];
    uint64_t want[GC_NCLASSES] = {0};
    for (size_t n = 0; n <= GC_SMALL_MAX; n++)
        for (int k = 0; k < 2; k++) {
            ps[n][k] = gc_heap_malloc(h, n);
            want[class_index(n)] += class_size(n);
        }
    struct gc_arena_stats st = stats_of(h);
    uint64_t total = 0;
    for (int c = 0; c < GC_NCLASSES; c++) {
        cr_assert_eq(st.class_current[c], want[c], "class %d: %llu bytes, want %llu",
                     (c + 1) * GC_ALIGNMENT, (unsigned long long)st.class_current[c],
                     (unsigned long long)want[c]);
        total += want[c];
    }
    cr_assert_eq(st.small_current, total);
    for (size_t n = 0; n <= GC_SMALL_MAX; n += 3) {
        gc_heap_free(h, ps[n][0]);
        ps[n][0] = NULL;
        want[class_index(n)] -= class_size(n);
    }
    st = stats_of(h);
    total = 0;
    for (int c = 0; c < GC_NCLASSES; c++) {
        cr_assert_eq(st.class_current[c], want[c], "after frees, class %d: %llu bytes, want %llu",
                     (c + 1) * GC_ALIGNMENT, (unsigned long long)st.class_current[c],
                     (unsigned long long)want[c]);
        total += want[c];
    }
    cr_assert_eq(st.small_current, total);
    for (size_t n = 0; n <= GC_SMALL_MAX; n++)
        for (int k = 0; k < 2; k++)
            if (ps[n][k])
                gc_heap_free(h, ps[n][k]);
    gc_heap_destroy(h);
}

Test(arena, keeps_peaks_after_blocks_are_freed)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    void *ps[10];
    for (int i = 0; i < 10; i++)
        ps[i] = gc_heap_malloc(h, 30);
    void *big = gc_heap_malloc(h, 10000);
    for (int i = 0; i < 5; i++)
        gc_heap_free(h, ps[i]);
    gc_heap_free(h, big);
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(st.class_current[1], 5 * 32);
    /* class_peak counts the pages a class held (gc.h): one page here */
    cr_assert_eq(st.class_peak[1], PAGE_BYTES, "class_peak %llu, want one page",
                 (unsigned long long)st.class_peak[1]);
    cr_assert_eq(st.small_current, 5 * 32);
    cr_assert_eq(st.small_peak, 10 * 32, "small_peak %llu, want 320",
                 (unsigned long long)st.small_peak);
    cr_assert_eq(st.large_current, 0);
    cr_assert(st.large_peak >= 10000, "large_peak %llu", (unsigned long long)st.large_peak);
    for (int c = 0; c < GC_NCLASSES; c++)
        if (c != 1)
            cr_assert_eq(st.class_peak[c], 0, "class %d has a peak without ever a block",
                         (c + 1) * GC_ALIGNMENT);
    for (int i = 5; i < 10; i++)
        gc_heap_free(h, ps[i]);

    size_t n = 3 * blocks_per_page(64);
    void **many = alloc_blocks(h, 64, n);
    for (size_t i = 0; i < n; i++)
        gc_heap_free(h, many[i]);
    free(many);
    st = stats_of(h);
    cr_assert_eq(st.class_peak[3], 3 * PAGE_BYTES, "class_peak %llu after three full pages",
                 (unsigned long long)st.class_peak[3]);
    cr_assert_eq(st.small_peak, n * 64, "small_peak %llu, want %zu",
                 (unsigned long long)st.small_peak, n * 64);
    gc_heap_destroy(h);
}

/* ---- giving memory back ---- */

Test(arena, gives_back_empty_pages_inside_a_live_arena)
{
    struct gc_heap *h = new_heap(KEEP_NOTHING);
    size_t per = blocks_per_page(64), n = 8 * per;
    void **ps = alloc_blocks(h, 64, n);
    uintptr_t pages[16];
    size_t counts[16];
    cr_assert_eq(group_by_page(ps, n, pages, counts, 16), 8);
    uintptr_t victim = pages[3];
    cr_assert_eq(residency(victim), 1, "a page just written is not resident");
    for (size_t i = 0; i < n; i++)
        if (page_of(ps[i]) == victim) {
            gc_heap_free(h, ps[i]);
            ps[i] = NULL;
        }
    int res = residency(victim);
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(res, 0, "the emptied page %p is still resident (mincore: %d)", (void *)victim, res);
    cr_assert_eq(st.pages_in_use, 7);
    cr_assert_eq(st.pages_empty, 0, "%llu empty pages kept with keep_empty_bytes 0",
                 (unsigned long long)st.pages_empty);
    cr_assert(st.pages_released >= 1 && st.pages_released_total >= 1,
              "pages_released %llu, pages_released_total %llu", (unsigned long long)st.pages_released,
              (unsigned long long)st.pages_released_total);
    cr_assert(st.release_calls >= 1, "release_calls %llu", (unsigned long long)st.release_calls);
    cr_assert_eq(st.arenas_current, 1);
    cr_assert_eq(st.arenas_unmapped_total, 0);
    for (size_t i = 0; i < n; i++)
        if (ps[i]) {
            cr_assert_eq(residency(page_of(ps[i])), 1);
            assert_pattern(ps[i], 64, i);
        }
    for (size_t i = 0; i < n; i++)
        gc_heap_free(h, ps[i]);
    free(ps);
    gc_heap_destroy(h);
}

Test(arena, serves_new_blocks_from_given_back_pages)
{
    struct gc_heap *h = new_heap(KEEP_NOTHING);
    size_t per = blocks_per_page(128), n = 6 * per;
    void **ps = alloc_blocks(h, 128, n);
    for (size_t i = 0; i < n; i += 2) { /* half of every page: nothing released */
        gc_heap_free(h, ps[i]);
        ps[i] = NULL;
    }
    cr_assert_eq(stats_of(h).release_calls, 0, "partly used pages were given back");
    for (size_t i = 1; i < n; i += 2) /* now every page is empty */
        gc_heap_free(h, ps[i]);
    struct gc_arena_stats st = stats_of(h);
    uint64_t mapped = st.arenas_mapped_total;
    free(ps);
    /* The heap may have unmapped the arena; either way new blocks work and
     * read back what was written. */
    ps = alloc_blocks(h, 128, n);
    for (size_t i = 0; i < n; i++)
        assert_pattern(ps[i], 128, i);
    unsigned char *z = gc_heap_calloc(h, 1, 128);
    assert_zero(z, 128);
    gc_heap_free(h, z);
    st = stats_of(h);
    cr_assert(st.arenas_mapped_total <= mapped + 1);
    cr_assert_eq(st.pages_in_use, 6);
    for (size_t i = 0; i < n; i++)
        gc_heap_free(h, ps[i]);
    free(ps);
    gc_heap_destroy(h);
}

Test(arena, unmaps_an_arena_once_all_its_pages_are_empty)
{
    struct gc_heap *h = new_heap(KEEP_NOTHING);
    size_t n = ARENA_BYTES / 512 + 200; /* more than one arena of 512-byte blocks */
    void **ps = alloc_blocks(h, 512, n);
    uintptr_t arenas[4];
    size_t na = distinct_arenas(ps, n, arenas, 4);
    cr_assert_eq(na, 2, "%zu blocks of 512 bytes in %zu arenas, want 2", n, na);
    cr_assert_eq(stats_of(h).arenas_current, 2);
    uintptr_t first = arenas[0];
    for (size_t i = 0; i < n; i++)
        if (arena_of(ps[i]) == first) {
            gc_heap_free(h, ps[i]);
            ps[i] = NULL;
        }
    int res = residency(first + PAGE_BYTES);
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(res, -1, "the emptied arena %p is still mapped (mincore: %d)", (void *)first, res);
    cr_assert_eq(st.arenas_current, 1);
    cr_assert_eq(st.arenas_unmapped_total, 1);
    for (size_t i = 0; i < n; i++)
        if (ps[i])
            assert_pattern(ps[i], 512, i);
    for (size_t i = 0; i < n; i++)
        gc_heap_free(h, ps[i]);
    st = stats_of(h);
    cr_assert_eq(st.arenas_current, 0, "%llu arenas mapped with nothing live",
                 (unsigned long long)st.arenas_current);
    cr_assert_eq(st.arenas_unmapped_total, st.arenas_mapped_total);
    cr_assert_eq(st.pages_in_use + st.pages_empty, 0);
    free(ps);
    gc_heap_destroy(h);
}

/* Up to keep_empty_bytes of empty pages stay resident for reuse; the rest go
 * back to the system, and reuse of the kept ones costs no system call. */
Test(arena, keeps_empty_pages_up_to_the_configured_bytes)
{
    const size_t keep_pages = 16, used_pages = 40;
    struct gc_heap *h = new_heap(keep_pages * PAGE_BYTES);
    size_t per = blocks_per_page(128), n = used_pages * per;
    void **ps = alloc_blocks(h, 128, n);
    uintptr_t pages[64];
    size_t counts[64];
    cr_assert_eq(group_by_page(ps, n, pages, counts, 64), used_pages);
    for (size_t i = 0; i < n; i++)
        gc_heap_free(h, ps[i]);
    size_t resident = 0;
    for (size_t j = 0; j < used_pages; j++)
        resident += residency(pages[j]) == 1;
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(st.pages_in_use, 0);
    cr_assert(st.pages_empty >= 1 && st.pages_empty <= keep_pages,
              "%llu empty pages kept, want 1..%zu", (unsigned long long)st.pages_empty, keep_pages);
    cr_assert(st.pages_released_total >= used_pages - keep_pages,
              "only %llu pages given back of %zu emptied beyond a keep of %zu",
              (unsigned long long)st.pages_released_total, used_pages, keep_pages);
    cr_assert(resident <= keep_pages, "%zu of the emptied pages still resident, keep is %zu",
              resident, keep_pages);
    cr_assert_eq(resident, st.pages_empty, "%zu pages resident, pages_empty says %llu", resident,
                 (unsigned long long)st.pages_empty);
    cr_assert_eq(st.arenas_current, 1, "an arena holding kept pages was unmapped");

    uint64_t calls = st.release_calls;
    free(ps);
    ps = alloc_blocks(h, 128, keep_pages * per);
    for (size_t i = 0; i < keep_pages * per; i++)
        gc_heap_free(h, ps[i]);
    st = stats_of(h);
    cr_assert_eq(st.release_calls, calls,
                 "reusing and emptying %zu pages within the keep made %llu system calls", keep_pages,
                 (unsigned long long)(st.release_calls - calls));
    free(ps);
    gc_heap_destroy(h);
}

/* Pages given back and then taken again (a loop that empties more pages
 * than the configured keep at each turn, and fills them again) make the
 * allowance grow, up to the keep plus a quarter of the pages in use: after
 * the first turns nothing is given back.  When the heap shrinks for good,
 * all but the configured keep go back. */
Test(arena, keep_grows_for_pages_taken_again_and_shrinks_with_the_heap)
{
    const size_t keep = 16, live = 200, churn = 40, turns = 10;
    struct gc_heap *h = new_heap(keep * PAGE_BYTES);
    size_t per = blocks_per_page(128);
    void **held = alloc_blocks(h, 128, live * per);
    uint64_t before = stats_of(h).pages_released_total;
    for (size_t t = 0; t < turns; t++) {
        void **ps = alloc_blocks(h, 128, churn * per);
        for (size_t i = 0; i < churn * per; i++)
            gc_heap_free(h, ps[i]);
        free(ps);
        struct gc_arena_stats st = stats_of(h);
        cr_assert(st.pages_empty <= keep + st.pages_in_use / 4,
                  "turn %zu: %llu empty pages kept with %llu in use, keep %zu", t,
                  (unsigned long long)st.pages_empty, (unsigned long long)st.pages_in_use, keep);
    }
    uint64_t given = stats_of(h).pages_released_total - before;
    cr_assert(given < 2 * (churn - keep),
              "%llu pages given back over %zu turns of %zu pages (a fixed keep of %zu: %zu)",
              (unsigned long long)given, turns, churn, keep, turns * (churn - keep));
    for (size_t i = 0; i < live * per; i++)
        gc_heap_free(h, held[i]);
    free(held);
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(st.pages_in_use, 0);
    cr_assert(st.pages_empty <= keep, "%llu empty pages kept after the heap emptied, keep %zu",
              (unsigned long long)st.pages_empty, keep);
    gc_heap_destroy(h);
}

Test(arena, does_not_thrash_when_a_loop_frees_and_reallocates)
{
    struct gc_heap *h = new_heap(256 * 1024);
    size_t n = 32 * blocks_per_page(256); /* 32 pages, within the keep of 64 */
    void **ps = calloc(n, sizeof *ps);
    long loops = iterations(3000);
    uint64_t after_first = 0;
    for (long k = 0; k < loops; k++) {
        for (size_t i = 0; i < n; i++) {
            ps[i] = gc_heap_malloc(h, 200 + (size_t)(i % 56));
            cr_assert_not_null(ps[i]);
        }
        for (size_t i = 0; i < n; i++)
            gc_heap_free(h, ps[i]);
        if (k == 0)
            after_first = stats_of(h).release_calls;
    }
    struct gc_arena_stats st = stats_of(h);
    cr_assert(st.release_calls <= 2, "%llu release calls over %ld loops",
              (unsigned long long)st.release_calls, loops);
    cr_assert_eq(st.release_calls, after_first, "release calls grew from %llu to %llu",
                 (unsigned long long)after_first, (unsigned long long)st.release_calls);
    cr_assert_eq(st.arenas_mapped_total, 1);

    /* the smallest case: one block in, one block out, one page kept */
    struct gc_heap *one = new_heap(PAGE_BYTES);
    for (long k = 0; k < iterations(100000); k++) {
        void *p = gc_heap_malloc(one, 24);
        cr_assert_not_null(p);
        gc_heap_free(one, p);
    }
    st = stats_of(one);
    cr_assert_eq(st.release_calls, 0, "a one-block loop with a one-page keep made %llu calls",
                 (unsigned long long)st.release_calls);
    free(ps);
    gc_heap_destroy(one);
    gc_heap_destroy(h);
}

/* ---- random operations against the shadow map ---- */

Test(arena, survives_random_operations_checked_against_a_shadow_map)
{
    stress(16 * PAGE_BYTES, 200000, 0x5eed);
}

Test(arena, survives_random_operations_while_giving_back_every_empty_page)
{
    stress(KEEP_NOTHING, 100000, 0xfeed);
}

Test(arena, survives_random_operations_that_never_give_pages_back)
{
    stress(KEEP_PLENTY, 100000, 0xbeef);
}

/* ---- heaps and threads ---- */

Test(arena, keeps_heaps_apart_from_each_other)
{
    struct gc_heap *h1 = new_heap(KEEP_NOTHING), *h2 = new_heap(KEEP_NOTHING);
    enum { N = 1000 };
    void *a[N], *b[N];
    for (size_t i = 0; i < N; i++) {
        a[i] = gc_heap_malloc(h1, 64);
        b[i] = gc_heap_malloc(h2, 64);
        fill_pattern(a[i], 0, 64, i);
        fill_pattern(b[i], 0, 64, N + i);
    }
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < N; j += 7)
            cr_assert_neq(page_of(a[i]), page_of(b[j]), "heaps share page %p",
                          (void *)page_of(a[i]));
    cr_assert_eq(stats_of(h1).class_current[3], N * 64);
    cr_assert_eq(stats_of(h2).class_current[3], N * 64);
    for (size_t i = 0; i < N; i++)
        gc_heap_free(h1, a[i]);
    struct gc_arena_stats s2 = stats_of(h2);
    cr_assert_eq(s2.class_current[3], N * 64, "freeing in one heap changed the other's stats");
    cr_assert_eq(s2.arenas_unmapped_total, 0);
    gc_heap_destroy(h1);
    for (size_t i = 0; i < N; i++) {
        assert_pattern(b[i], 64, N + i);
        gc_heap_free(h2, b[i]);
    }
    gc_heap_destroy(h2);
}

#define NTHREADS 4

struct worker {
    pthread_t tid;
    struct shadow s;
    long steps;
    int rc;
};

static void *run_own_heap(void *arg)
{
    struct worker *w = arg;
    w->rc = shadow_run(&w->s, w->steps);
    if (w->rc == 0)
        w->rc = shadow_free_some(&w->s, 100);
    if (w->rc == 0)
        w->rc = shadow_check_stats(&w->s);
    return NULL;
}

Test(arena, serves_threads_that_each_use_their_own_heap_at_once)
{
    struct worker w[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) {
        shadow_init(&w[t].s, new_heap(t % 2 ? KEEP_NOTHING : 8 * PAGE_BYTES), 1024, 1000 + t);
        w[t].steps = iterations(60000);
        cr_assert_eq(pthread_create(&w[t].tid, NULL, run_own_heap, &w[t]), 0);
    }
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(w[t].tid, NULL);
    for (int t = 0; t < NTHREADS; t++) {
        cr_assert_eq(w[t].rc, 0, "thread %d: %s", t, w[t].s.err);
        gc_heap_destroy(w[t].s.h);
        shadow_fini(&w[t].s);
    }
}

/* One heap shared as the Python domains share it under the GIL: every
 * allocator call holds the lock, blocks move between threads (freed by
 * another thread than the one that made them), and each thread reads and
 * writes its blocks without the lock. */
struct shared {
    pthread_mutex_t mu;
    struct shadow_block pool[256];
    size_t npool;
};

struct sharer {
    pthread_t tid;
    struct shadow s;
    struct shared *sh;
    long steps;
    int rc;
};

static int trade(struct sharer *me)
{
    struct shadow *s = &me->s;
    size_t i = (size_t)(xorshift(&s->rng) % s->nslots);
    struct shadow_block give = {0}, take = {0};
    if (s->slots[i].p) {
        if (shadow_verify(s, i, "before hand-off") < 0)
            return -1;
        give = s->slots[i];
        shadow_remove(s, i);
    }
    pthread_mutex_lock(&me->sh->mu);
    if (me->sh->npool > 0 && xorshift(&s->rng) % 2)
        take = me->sh->pool[--me->sh->npool];
    if (give.p) {
        if (me->sh->npool < 256)
            me->sh->pool[me->sh->npool++] = give;
        else
            gc_heap_free(s->h, give.p);
    }
    pthread_mutex_unlock(&me->sh->mu);
    if (take.p) {
        long at = find_damage(take.p, take.size, take.id);
        if (at >= 0)
            return shadow_fail(s, "block %p (%zu bytes) handed over damaged at offset %ld",
                               take.p, take.size, at);
        return shadow_insert(s, i, take.p, take.size, take.id);
    }
    return 0;
}

static void *run_shared_heap(void *arg)
{
    struct sharer *me = arg;
    for (long k = 1; k <= me->steps && me->rc == 0; k++) {
        if (shadow_step(&me->s) < 0 || (k % 5 == 0 && trade(me) < 0))
            me->rc = -1;
        if (me->rc == 0 && k % 997 == 0 && shadow_verify_all(&me->s) < 0)
            me->rc = -1;
    }
    if (me->rc == 0 && shadow_free_some(&me->s, 100) < 0)
        me->rc = -1;
    return NULL;
}

Test(arena, serves_threads_sharing_one_heap_under_a_lock)
{
    struct gc_heap *h = new_heap(4 * PAGE_BYTES);
    struct shared sh = {.npool = 0};
    pthread_mutex_init(&sh.mu, NULL);
    struct sharer w[NTHREADS];
    for (int t = 0; t < NTHREADS; t++) {
        memset(&w[t], 0, sizeof w[t]);
        shadow_init(&w[t].s, h, 512, 2000 + t);
        w[t].s.lock = &sh.mu;
        w[t].s.check_stats = 0;
        w[t].s.next_id = (uint64_t)t << 40; /* ids unique across threads */
        w[t].sh = &sh;
        w[t].steps = iterations(60000);
        cr_assert_eq(pthread_create(&w[t].tid, NULL, run_shared_heap, &w[t]), 0);
    }
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(w[t].tid, NULL);
    for (int t = 0; t < NTHREADS; t++)
        cr_assert_eq(w[t].rc, 0, "thread %d: %s", t, w[t].s.err);
    /* what is left in the pool is all the heap holds */
    uint64_t small = 0, large = 0;
    for (size_t i = 0; i < sh.npool; i++) {
        assert_pattern(sh.pool[i].p, sh.pool[i].size, sh.pool[i].id);
        if (sh.pool[i].size <= GC_SMALL_MAX)
            small += class_size(sh.pool[i].size);
        else
            large += sh.pool[i].size;
    }
    struct gc_arena_stats st = stats_of(h);
    cr_assert_eq(st.small_current, small, "small_current %llu, the pool holds %llu",
                 (unsigned long long)st.small_current, (unsigned long long)small);
    cr_assert(st.large_current >= large);
    for (size_t i = 0; i < sh.npool; i++)
        gc_heap_free(h, sh.pool[i].p);
    st = stats_of(h);
    cr_assert_eq(st.small_current, 0);
    cr_assert_eq(st.large_current, 0);
    for (int t = 0; t < NTHREADS; t++)
        shadow_fini(&w[t].s);
    pthread_mutex_destroy(&sh.mu);
    gc_heap_destroy(h);
}

/* ---- memory exhaustion ---- */

Test(arena, returns_null_for_absurd_sizes_and_keeps_working)
{
    struct gc_heap *h = new_heap(KEEP_PLENTY);
    void *live = gc_heap_malloc(h, 77);
    fill_pattern(live, 0, 77, 1);
    struct gc_arena_stats before = stats_of(h);
    size_t absurd[] = {SIZE_MAX, SIZE_MAX - GC_ALIGNMENT + 1, SIZE_MAX / 2, (size_t)1 << 62};
    for (int i = 0; i < 4; i++) {
        ABSURD_BEGIN;
        void *m = gc_heap_malloc(h, absurd[i]), *c = gc_heap_calloc(h, 1, absurd[i]);
        void *r = gc_heap_realloc(h, NULL, absurd[i]);
        ABSURD_END;
        cr_assert_null(m, "malloc(%zu) did not fail", absurd[i]);
        cr_assert_null(c, "calloc(1, %zu) did not fail", absurd[i]);
        cr_assert_null(r, "realloc(NULL, %zu) did not fail", absurd[i]);
    }
    struct gc_arena_stats after = stats_of(h);
    cr_assert_eq(after.small_current, before.small_current);
    cr_assert_eq(after.large_current, before.large_current);
    assert_pattern(live, 77, 1);
    void *more = gc_heap_malloc(h, 77), *big = gc_heap_malloc(h, 100000);
    cr_assert(more && big, "the heap stopped working after failed requests");
    gc_heap_free(h, more);
    gc_heap_free(h, big);
    gc_heap_free(h, live);
    gc_heap_destroy(h);
}

static size_t vm_size(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    size_t kib = 0;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmSize: %zu kB", &kib) == 1)
            break;
    if (f)
        fclose(f);
    return kib * 1024;
}

/* In a child (Criterion's own worker keeps its address space): a heap under
 * RLIMIT_AS until small requests fail.  Exit status says what went wrong. */
enum { EX_OK, EX_NEVER_FAILED = 10, EX_CORRUPT, EX_LARGE_GAVE, EX_NO_REUSE, EX_STATS, EX_NO_RECOVERY };

static int exhaust(void)
{
    size_t headroom = 24 << 20;
    size_t cap = headroom / 256 * 2;
    void **ps = calloc(cap, sizeof *ps);
    struct gc_heap *h = gc_heap_new(KEEP_NOTHING);
    if (!ps || !h)
        return 2;
    struct rlimit rl = {.rlim_cur = vm_size() + headroom, .rlim_max = vm_size() + headroom};
    if (setrlimit(RLIMIT_AS, &rl) != 0)
        return 3;
    size_t n = 0;
    while (n < cap && (ps[n] = gc_heap_malloc(h, 256)) != NULL) {
        fill_pattern(ps[n], 0, 256, n);
        n++;
    }
    if (n == cap)
        return EX_NEVER_FAILED;
    for (size_t i = 0; i < n; i++)
        if (find_damage(ps[i], 256, i) >= 0)
            return EX_CORRUPT;
    struct gc_arena_stats before, st;
    gc_heap_stats(h, &before);
    /* More than glibc's per-thread heaps reserve (64 MiB), which it may
     * otherwise fall back to without asking the system. */
    void *large = gc_heap_malloc(h, (size_t)256 << 20);
    if (large)
        return EX_LARGE_GAVE;
    gc_heap_stats(h, &st);
    if (st.large_current != before.large_current || st.small_current != n * 256)
        return EX_STATS;
    for (size_t i = 0; i < n; i += 2) {
        gc_heap_free(h, ps[i]);
        ps[i] = NULL;
    }
    for (size_t i = 0; i < n; i += 2) {
        if (!(ps[i] = gc_heap_malloc(h, 256)))
            return EX_NO_REUSE;
        fill_pattern(ps[i], 0, 256, i);
    }
    for (size_t i = 0; i < n; i++)
        if (find_damage(ps[i], 256, i) >= 0)
            return EX_CORRUPT;
    for (size_t i = 0; i < n; i++)
        gc_heap_free(h, ps[i]);
    gc_heap_stats(h, &st);
    if (st.small_current != 0)
        return EX_STATS;
    /* arenas went back: the heap can map again (half as much as before) */
    for (size_t i = 0; i < n / 4; i++)
        if (!(ps[i] = gc_heap_malloc(h, 512)))
            return EX_NO_RECOVERY;
    return EX_OK;
}

Test(arena, returns_null_when_the_system_refuses_memory_and_keeps_working)
{
    if (RUNNING_ON_VALGRIND)
        cr_skip_test("RLIMIT_AS would starve valgrind itself; the native run covers this");
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0)
        _exit(exhaust());
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert_not(WIFSIGNALED(status), "the allocator died of signal %d under RLIMIT_AS",
                  WTERMSIG(status));
    static const char *why[] = {
        [EX_NEVER_FAILED - 10] = "malloc never returned NULL under RLIMIT_AS",
        [EX_CORRUPT - 10] = "blocks were damaged once memory ran out",
        [EX_LARGE_GAVE - 10] = "a large request succeeded with no memory left",
        [EX_NO_REUSE - 10] = "freed blocks could not be reused after exhaustion",
        [EX_STATS - 10] = "statistics went wrong around exhaustion",
        [EX_NO_RECOVERY - 10] = "the heap could not map arenas again after everything was freed",
    };
    int code = WEXITSTATUS(status);
    cr_assert_eq(code, 0, "child exit %d: %s", code,
                 code >= 10 && code <= EX_NO_RECOVERY ? why[code - 10] : "setup failed");
}
