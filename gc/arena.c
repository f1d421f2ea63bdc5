/* arena.c — cryo's small-object allocator for the Python domains
 * PYMEM_DOMAIN_MEM and PYMEM_DOMAIN_OBJ (see gc.h for the interface).
 *
 * The idea (after pymalloc and mimalloc): small blocks live in pages of one
 * size class; pages live in 1 MiB arenas.  Where it differs from pymalloc,
 * and why (issue 8; ../../shared/DESIGN.md, "Memory is counted as a
 * container pays it"):
 *   - a page that becomes empty is given back to the system (MADV_DONTNEED)
 *     even when its arena still holds live blocks: pymalloc returns an
 *     arena only once every block in it is dead, so a service that keeps a
 *     few objects of every phase keeps every arena it ever had;
 *   - allocation prefers the fullest partly used pages of a class, so free
 *     space gathers in pages that then empty out and can be given back;
 *   - a few empty pages are kept for reuse (hysteresis) so a loop that
 *     frees and allocates again does not make a system call each time;
 *   - large blocks go to the system allocator, with glibc told to give
 *     them back when freed (see gc_arena_install).
 *
 * Layout
 *
 *   arena: GC_ARENA_SIZE bytes, aligned to GC_ARENA_SIZE, from mmap.
 *     pages [0, META_PAGES): struct arena (header + one struct page
 *                            descriptor per page of the arena)
 *     pages [META_PAGES, PAGES_PER_ARENA): blocks
 *   page:  GC_PAGE_SIZE bytes, blocks of one class laid end to end from the
 *          page's start; a block's address is a multiple of its size from
 *          the page start, hence 16-byte aligned.
 *
 *   Descriptors sit in the arena header, never in the page itself, so a
 *   page can be given back without losing its bookkeeping, and a free is
 *   O(1): arena = p & ~(arena size - 1); page = (p - arena) / page size.
 *
 *   Which addresses are ours: a bitmap with one bit per possible arena
 *   (user addresses below 2^47, one bit per MiB: 16 MiB of address space,
 *   mapped without reserve; only the few pages covering our arenas are ever
 *   written, the rest read as the shared zero page).
 *
 * Page states and the lists they are on (per heap):
 *   ACTIVE    the page its class allocates from; on no list; when it
 *             empties it becomes KEPT like any other
 *   PARTIAL   some blocks free; on the class's fill bucket for used/cap:
 *             [0,25%) [25,50%) [50,75%) [75,100%); the slow path takes the
 *             fullest bucket first
 *   FULL      no free block; on no list
 *   KEPT      empty, resident, kept for reuse: on the heap's kept list
 *             (most recently emptied first, so reuse finds warm pages)
 *   RELEASED  empty and not resident (never touched, or given back): on
 *             the heap's released list
 *
 * Invariants:
 *   - a page's blocks are all of its class; used == live blocks;
 *     free holds exactly the blocks freed since the page became non-empty
 *     and not handed out again; [bump, page end) was never handed out;
 *   - kept_pages * GC_PAGE_SIZE <= keep_bytes after every free, except
 *     while the slow path runs (it only takes pages);
 *   - an arena whose every block page is RELEASED is unmapped at once;
 *   - each arena belongs to one heap (arena->heap), and only that heap's
 *     lists hold its pages; frees go to the arena's heap.
 *
 * Threads: a heap is not thread-safe.  The Python domains are called with
 * the GIL held, which serialises them; separate heaps can be used from
 * separate threads (only the ownership bitmap is shared, updated with
 * atomic operations).
 *
 * Debug build (meson configure -Dgc_debug=true): a free of an address that
 * is not a live block of ours (double free, a pointer into the middle of a
 * block or into metadata) aborts with a message naming the address and the
 * size class.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "gc.h"

#define GC_ARENA_SHIFT 20
#define GC_ARENA_SIZE ((size_t)1 << GC_ARENA_SHIFT)
#define GC_PAGE_SHIFT 12
#define GC_PAGE_SIZE ((size_t)1 << GC_PAGE_SHIFT)
#define PAGES_PER_ARENA (GC_ARENA_SIZE / GC_PAGE_SIZE)
#define NBUCKETS 4
/* The kept allowance may grow to the configured one plus 1/KEEP_IN_USE_DIV
 * of the pages in use (keep_limit).  4, measured on tools/bench.py's gc
 * shapes: with 1, "tree 30k slots keep 1%" gave back 14,800 pages instead
 * of 43,500 (1.4 vs 2.0 s) but ended with 6 MB more resident, and "phased
 * keep 0.5%" ended at 9.6 MB where its bar (0.6x python3.11's 14.9 MB)
 * allows 8.9; with 4 it ends at 8.3-8.6 MB. */
#define KEEP_IN_USE_DIV 4
/* Never-used pages are made resident this many at a time, ahead of the
 * frontier, in one MADV_POPULATE_WRITE: a first-touch fault costs about
 * 8-9 us a page on these machines (a VM; touching 256 fresh pages: 2.1-2.5
 * ms faulted, 0.9-1.1 ms populated first), populating 3.5-4 us a page, and
 * a young arena's pages are handed out in address order, so nearly every
 * page made resident ahead is used soon after.  What it can cost: at most POPULATE_PAGES - 1 resident pages
 * never used, at the frontier of each heap's newest arena (60 KiB).
 * Measured (posix_spawn to wait4, medians of 150/60 interleaved runs):
 * hello world 15.9 -> 15.1 ms, 658 -> 492 faults (217 were the arena's);
 * stdlib40 83.0 -> 80.3 ms, peak RSS unchanged (17888 KB).  32 pages gained
 * 0.3 ms more on hello world for +120 KB of its peak RSS: 16 it is.  A
 * kernel before 5.14 refuses the advice; the pages are then faulted one by
 * one as before. */
#define POPULATE_PAGES 16
#define ADDRESS_BITS 47 /* user space on x86-64 without 5-level paging */

enum page_state { RELEASED, KEPT, ACTIVE, PARTIAL, FULL };

/* 32 bytes: the descriptors are the allocator's own memory, one per 4 KiB
 * page (0.8%), so what can be derived is not stored: a page's capacity from
 * its class, its number in the arena from the descriptor's address. */
struct page {
    void *free;            /* freed blocks, linked through their first word */
    struct page *prev, *next;
    uint16_t bump;         /* offset of the first never-used block */
    uint16_t used;         /* live blocks */
    uint16_t floor : 12;   /* PARTIAL: fewest used blocks of its bucket; below
                              it the page moves down a bucket (no division
                              on the free path) */
    uint16_t bucket : 4;   /* fill bucket, valid when PARTIAL */
    uint8_t cls;           /* size class, valid unless KEPT/RELEASED */
    uint8_t state;         /* enum page_state */
};

struct gc_heap;

/* The header overlays the descriptor of page 0, which is metadata and has
 * no use for one: 256 descriptors of 32 bytes fill exactly two pages. */
struct arena {
    union {
        struct {
            struct gc_heap *heap;
            struct arena *prev, *next;
            uint32_t released; /* block pages in state RELEASED (untouched
                                  ones included) */
            uint32_t frontier; /* pages [frontier, end) were never handed
                                  out: their descriptors are not even
                                  written yet, so a young arena touches one
                                  metadata page, not both */
        };
        struct page pages[PAGES_PER_ARENA]; /* [0, META_PAGES) unused */
    };
};

_Static_assert(sizeof(struct page) == 32, "page descriptors are 32 bytes");

#define META_PAGES ((sizeof(struct arena) + GC_PAGE_SIZE - 1) / GC_PAGE_SIZE)
#define BLOCK_PAGES (PAGES_PER_ARENA - META_PAGES)

struct list {
    struct page *head, *tail;
};

struct class_state {
    struct list buckets[NBUCKETS];
};

struct gc_heap {
    struct page *active[GC_NCLASSES]; /* each class's ACTIVE page, or NULL */
    struct class_state cls[GC_NCLASSES];
    struct list kept, released;
    size_t kept_pages;
    size_t keep_pages;     /* hysteresis: keep at most this many empty pages
                              (the allowance, adapted: see keep_limit) */
    size_t keep_base;      /* the configured allowance (CRYO_MEM_RELEASE) */
    size_t refaulted;      /* given-back pages taken again since the last release */
    size_t released_since; /* pages given back since the allowance was last adapted */
    struct page *warm_end; /* released pages before it were made resident
                              ahead (populate_released) */
    struct arena *arenas;
    uint64_t class_pages[GC_NCLASSES]; /* pages each class holds */
    void (*on_grow)(void); /* called on the slow path, after a refill */
    uint64_t pages_peak;   /* most pages in use at once */
    /* Figures kept as things happen; class_current and small_current are
     * computed from the pages when asked (gc_heap_stats), class_peak is the
     * peak of pages held, in bytes: the hot paths keep no statistics. */
    struct gc_arena_stats st;
};

/* ---- the ownership bitmap ---- */

static unsigned char *owner_bits; /* 1 bit per MiB of address space */

static int bitmap_init(void)
{
    if (__atomic_load_n(&owner_bits, __ATOMIC_ACQUIRE))
        return 0;
    size_t len = ((size_t)1 << (ADDRESS_BITS - GC_ARENA_SHIFT)) / 8;
    unsigned char *m = mmap(NULL, len, PROT_READ | PROT_WRITE,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED)
        return -1;
    unsigned char *expected = NULL;
    /* Two heaps in two threads may race to make it: one map wins. */
    if (!__atomic_compare_exchange_n(&owner_bits, &expected, m, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE))
        munmap(m, len);
    return 0;
}

static void bitmap_set(uintptr_t arena, int on)
{
    uintptr_t i = arena >> GC_ARENA_SHIFT;
    unsigned char bit = (unsigned char)(1u << (i & 7));
    if (on)
        __atomic_fetch_or(&owner_bits[i >> 3], bit, __ATOMIC_RELEASE);
    else
        __atomic_fetch_and(&owner_bits[i >> 3], (unsigned char)~bit, __ATOMIC_RELEASE);
}

static inline int owns(const void *p)
{
    uintptr_t a = (uintptr_t)p;
    if (a >> ADDRESS_BITS)
        return 0;
    uintptr_t i = a >> GC_ARENA_SHIFT;
    /* Relaxed is enough: a block can only be freed by whoever got it, after
     * its arena's bit was set (with release order) on the way. */
    return (__atomic_load_n(&owner_bits[i >> 3], __ATOMIC_RELAXED) >> (i & 7)) & 1;
}

int gc_arena_owns(const void *p)
{
    return owner_bits && owns(p);
}

/* ---- lists ---- */

static void list_push(struct list *l, struct page *pg)
{
    pg->prev = NULL;
    pg->next = l->head;
    if (l->head)
        l->head->prev = pg;
    else
        l->tail = pg;
    l->head = pg;
}

static void list_append(struct list *l, struct page *pg)
{
    pg->next = NULL;
    pg->prev = l->tail;
    if (l->tail)
        l->tail->next = pg;
    else
        l->head = pg;
    l->tail = pg;
}

static void list_remove(struct list *l, struct page *pg)
{
    if (pg->prev)
        pg->prev->next = pg->next;
    else
        l->head = pg->next;
    if (pg->next)
        pg->next->prev = pg->prev;
    else
        l->tail = pg->prev;
    pg->prev = pg->next = NULL;
}

/* ---- addresses ---- */

static inline struct arena *arena_of(const void *p)
{
    return (struct arena *)((uintptr_t)p & ~(uintptr_t)(GC_ARENA_SIZE - 1));
}

static inline size_t page_index(const void *p)
{
    return ((uintptr_t)p & (GC_ARENA_SIZE - 1)) >> GC_PAGE_SHIFT;
}

/* A descriptor's number in its arena is its page's. */
static inline size_t page_no(const struct page *pg)
{
    return ((uintptr_t)pg & (GC_ARENA_SIZE - 1)) / sizeof(struct page);
}

static inline char *page_addr(const struct page *pg)
{
    return (char *)arena_of(pg) + (page_no(pg) << GC_PAGE_SHIFT);
}

static inline size_t class_size(unsigned cls)
{
    return ((size_t)cls + 1) * GC_ALIGNMENT;
}

static inline unsigned size_class(size_t size)
{
    return size ? (unsigned)((size - 1) / GC_ALIGNMENT) : 0;
}

static inline unsigned page_cap(const struct page *pg)
{
    return (unsigned)(GC_PAGE_SIZE / class_size(pg->cls));
}

static inline unsigned bucket_of(const struct page *pg)
{
    return (unsigned)((size_t)pg->used * NBUCKETS / page_cap(pg));
}

/* Put a PARTIAL page on the bucket its fill says. */
static void bucket_insert(struct class_state *cs, struct page *pg)
{
    unsigned b = bucket_of(pg);
    pg->bucket = b;
    pg->floor = (uint16_t)((b * (size_t)page_cap(pg) + NBUCKETS - 1) / NBUCKETS);
    if (pg->floor == 0)
        pg->floor = 1; /* so that the last free of bucket 0 is seen */
    list_push(&cs->buckets[b], pg);
}

/* ---- statistics ---- */

static void note_large(struct gc_heap *h, size_t usable, int add)
{
    if (add) {
        h->st.large_current += usable;
        if (h->st.large_current > h->st.large_peak)
            h->st.large_peak = h->st.large_current;
    } else {
        h->st.large_current -= usable;
    }
}

/* ---- arenas and empty pages (slow paths) ---- */

static struct arena *arena_new(struct gc_heap *h)
{
    if (bitmap_init() < 0)
        return NULL;
    /* Map twice the size and trim to an aligned arena. */
    size_t len = 2 * GC_ARENA_SIZE;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED)
        return NULL;
    uintptr_t start = ((uintptr_t)m + GC_ARENA_SIZE - 1) & ~(uintptr_t)(GC_ARENA_SIZE - 1);
    if (start > (uintptr_t)m)
        munmap(m, start - (uintptr_t)m);
    uintptr_t end = start + GC_ARENA_SIZE;
    if ((uintptr_t)m + len > end)
        munmap((void *)end, (uintptr_t)m + len - end);

    struct arena *a = (struct arena *)start;
    /* Fresh anonymous memory is zero: only the links need setting. */
    a->heap = h;
    a->next = h->arenas;
    if (h->arenas)
        h->arenas->prev = a;
    h->arenas = a;
    a->released = BLOCK_PAGES;
    a->frontier = META_PAGES;
    bitmap_set(start, 1);
    h->st.arenas_current++;
    h->st.arenas_mapped_total++;
    h->st.pages_released += BLOCK_PAGES;
    return a;
}

static void arena_unmap(struct gc_heap *h, struct arena *a)
{
    for (size_t i = META_PAGES; i < a->frontier; i++)
        list_remove(&h->released, &a->pages[i]);
    if (a->prev)
        a->prev->next = a->next;
    else
        h->arenas = a->next;
    if (a->next)
        a->next->prev = a->prev;
    bitmap_set((uintptr_t)a, 0);
    h->st.pages_released -= BLOCK_PAGES;
    h->st.arenas_current--;
    h->st.arenas_unmapped_total++;
    h->st.release_calls++;
    munmap(a, GC_ARENA_SIZE);
}

static int cmp_pages(const void *x, const void *y)
{
    uintptr_t a = (uintptr_t) * (struct page *const *)x, b = (uintptr_t) * (struct page *const *)y;
    return (a > b) - (a < b);
}

/* The allowance of empty pages kept resident, in force now.  It starts at
 * the configured one and adapts to what the program does with the pages
 * given back (adapt_allowance), but never exceeds a quarter of the pages in
 * use beyond the configured one: a heap that shrinks for good (the end of
 * a phase of work) gives back all but that.
 *
 * Why: a program whose collections free megabytes at once and which then
 * allocates as much again (trees or containers built and dropped in a
 * loop, a full collection every few hundred milliseconds) had every page
 * given back and faulted in again: tools/bench.py's gc shape "tree 30k
 * slots keep 1%", CRYO_MEM_RELEASE=256 (a fixed allowance): 60,000
 * give-backs, 0.7 s of system time in a 2.2 s run; with the allowance
 * unbounded, 0.06 s and a 1.1-1.3 s run, peak RSS +3%. */
static size_t keep_limit(const struct gc_heap *h)
{
    size_t cap = h->keep_base + h->st.pages_in_use / KEEP_IN_USE_DIV;
    return h->keep_pages < cap ? h->keep_pages : cap;
}

/* Before a release, once pages given back were taken again since the last
 * decision: when most of what was given back since then came back (the
 * program reuses the pages it empties: giving them back only cost a fault
 * each), the allowance grows to hold them (at least doubling); when little
 * did, it halves, down to the configured one.  Releases with nothing taken
 * between them are one burst of frees (a collection): they decide nothing.
 * Measured on every shape of tools/bench.py --suite gc (see README). */
static void adapt_allowance(struct gc_heap *h)
{
    if (!h->keep_base || !h->refaulted) /* 0 asks for every page at once */
        return;
    if (2 * h->refaulted >= h->released_since) {
        size_t cap = h->keep_base + h->st.pages_in_use / KEEP_IN_USE_DIV;
        size_t grown = 2 * h->keep_pages;
        if (grown < h->keep_base + h->refaulted)
            grown = h->keep_base + h->refaulted;
        if (grown > cap)
            grown = cap;
        if (grown > h->keep_pages)
            h->keep_pages = grown;
    } else if (h->keep_pages > h->keep_base) {
        h->keep_pages /= 2;
        if (h->keep_pages < h->keep_base)
            h->keep_pages = h->keep_base;
    }
    h->refaulted = 0;
    h->released_since = 0;
}

/* Give kept pages back until half the allowance is left (hysteresis: the
 * next release waits until the allowance is exceeded again).  The oldest
 * kept pages go first; runs of adjacent pages share one system call. */
static void release_excess(struct gc_heap *h)
{
    adapt_allowance(h);
    if (h->kept_pages <= keep_limit(h))
        return;
    size_t target = keep_limit(h) / 2, before = h->kept_pages;
    struct page *batch[256];
    while (h->kept_pages > target) {
        size_t n = 0;
        while (h->kept_pages > target && n < sizeof batch / sizeof *batch) {
            struct page *pg = h->kept.tail;
            list_remove(&h->kept, pg);
            h->kept_pages--;
            batch[n++] = pg;
        }
        qsort(batch, n, sizeof *batch, cmp_pages);
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && arena_of(batch[j]) == arena_of(batch[i])
                   && batch[j] - batch[j - 1] == 1)
                j++;
            madvise(page_addr(batch[i]), (j - i) * GC_PAGE_SIZE, MADV_DONTNEED);
            h->st.release_calls++;
            i = j;
        }
        for (size_t i = 0; i < n; i++) {
            struct page *pg = batch[i];
            struct arena *a = arena_of(pg);
            pg->state = RELEASED;
            list_append(&h->released, pg);
            h->st.pages_empty--;
            h->st.pages_released++;
            h->st.pages_released_total++;
            if (++a->released == BLOCK_PAGES)
                arena_unmap(h, a);
        }
    }
    h->released_since += before - h->kept_pages;
}

/* A page has just become empty. */
static void page_emptied(struct gc_heap *h, struct page *pg)
{
    h->class_pages[pg->cls]--;
    pg->state = KEPT;
    pg->free = NULL;
    pg->bump = 0;
    pg->used = 0;
    list_push(&h->kept, pg);
    h->kept_pages++;
    h->st.pages_in_use--;
    h->st.pages_empty++;
    if (h->kept_pages > keep_limit(h))
        release_excess(h);
}

/* A given-back page is about to be used again: it and the ones after it
 * on the released list that follow it in memory (a release gives back runs
 * in address order, and they are taken again in that order) are made
 * resident together, up to POPULATE_PAGES, in one MADV_POPULATE_WRITE
 * instead of one fault each, as at the frontier.  The pages of the run
 * stay on the list and are taken next. */
static void populate_released(struct gc_heap *h, struct page *pg)
{
    if (h->warm_end && arena_of(h->warm_end - 1) == arena_of(pg) && pg < h->warm_end
        && h->warm_end - pg <= POPULATE_PAGES)
        return; /* made resident with the run before */
    struct page *end = pg + 1;
    for (struct page *q = pg->next; q == end && end - pg < POPULATE_PAGES; q = q->next)
        end++;
    if (end - pg < 2)
        return; /* a lone page: its fault costs no more than the call */
    (void)madvise(page_addr(pg), (size_t)(end - pg) * GC_PAGE_SIZE, MADV_POPULATE_WRITE);
    h->warm_end = end;
}

/* An empty page for class `cls`: kept (warm) first, then released, then a
 * new arena.  NULL when the system has no memory left. */
static struct page *page_take(struct gc_heap *h, unsigned cls)
{
    struct page *pg = h->kept.head;
    if (pg) {
        list_remove(&h->kept, pg);
        h->kept_pages--;
        h->st.pages_empty--;
    } else if ((pg = h->released.head) != NULL) {
        populate_released(h, pg);
        list_remove(&h->released, pg);
        arena_of(pg)->released--;
        h->st.pages_released--;
        h->refaulted++;
    } else {
        /* A never-used page: from the newest arena's frontier, else a new
         * arena. */
        struct arena *a = h->arenas;
        if (!a || a->frontier == PAGES_PER_ARENA)
            a = arena_new(h);
        if (!a)
            return NULL;
        if (a->frontier % POPULATE_PAGES == 0 || a->frontier == META_PAGES) {
            size_t end = (a->frontier / POPULATE_PAGES + 1) * POPULATE_PAGES;
            (void)madvise(page_addr(&a->pages[a->frontier]),
                          (end - a->frontier) * GC_PAGE_SIZE, MADV_POPULATE_WRITE);
        }
        pg = &a->pages[a->frontier++];
        a->released--;
        h->st.pages_released--;
    }
    pg->cls = (uint8_t)cls;
    pg->free = NULL;
    pg->bump = 0;
    pg->used = 0;
    h->st.pages_in_use++;
    /* Class figures are kept at page granularity, on this slow path: the
     * bytes of pages each class holds, and their peak. */
    uint64_t held = h->class_pages[cls] += 1;
    if (held * GC_PAGE_SIZE > h->st.class_peak[cls])
        h->st.class_peak[cls] = held * GC_PAGE_SIZE;
    if (h->st.pages_in_use > h->pages_peak)
        h->pages_peak = h->st.pages_in_use;
    return pg;
}

/* Slow path of malloc: the active page of `cls` is exhausted (or absent).
 * Take the fullest partly used page, else an empty one. */
static struct page *refill(struct gc_heap *h, unsigned cls)
{
    struct class_state *cs = &h->cls[cls];
    struct page *pg = NULL;
    if (h->active[cls])
        h->active[cls]->state = FULL;
    for (int b = NBUCKETS - 1; b >= 0 && !pg; b--) {
        pg = cs->buckets[b].head;
        if (pg)
            list_remove(&cs->buckets[b], pg);
    }
    if (!pg)
        pg = page_take(h, cls);
    h->active[cls] = pg;
    if (pg)
        pg->state = ACTIVE;
    if (h->on_grow)
        h->on_grow();
    return pg;
}

/* ---- the heap ---- */

struct gc_heap *gc_heap_new(size_t keep_empty_bytes)
{
    struct gc_heap *h = calloc(1, sizeof *h);
    if (h)
        h->keep_pages = h->keep_base = keep_empty_bytes / GC_PAGE_SIZE;
    return h;
}

void gc_heap_destroy(struct gc_heap *h)
{
    if (!h)
        return;
    while (h->arenas) {
        struct arena *a = h->arenas;
        h->arenas = a->next;
        bitmap_set((uintptr_t)a, 0);
        munmap(a, GC_ARENA_SIZE);
    }
    free(h);
}

static void *small_alloc_slow(struct gc_heap *h, unsigned cls)
{
    struct page *pg = refill(h, cls);
    if (!pg)
        return NULL;
    void *b = pg->free;
    if (b) {
        pg->free = *(void **)b;
    } else {
        b = page_addr(pg) + pg->bump;
        pg->bump = (uint16_t)(pg->bump + class_size(cls));
    }
    pg->used++;
    return b;
}

static inline void *small_alloc(struct gc_heap *h, unsigned cls)
{
    struct page *pg = h->active[cls];
    if (__builtin_expect(pg != NULL, 1)) {
        void *b = pg->free;
        if (b) {
            pg->free = *(void **)b;
            pg->used++;
            return b;
        }
        if (pg->bump <= GC_PAGE_SIZE - class_size(cls)) {
            b = page_addr(pg) + pg->bump;
            pg->bump = (uint16_t)(pg->bump + class_size(cls));
            pg->used++;
            return b;
        }
    }
    return small_alloc_slow(h, cls);
}

static void free_moves_page(struct gc_heap *h, struct page *pg);

#ifdef GC_DEBUG
static void debug_check_free(struct arena *a, struct page *pg, void *p)
{
    size_t idx = page_index(p);
    const char *why = NULL;
    if (idx < META_PAGES)
        why = "it points into the allocator's metadata";
    else if (pg->state == KEPT || pg->state == RELEASED)
        why = "its page holds no live block (double free?)";
    else if ((size_t)((char *)p - page_addr(pg)) % class_size(pg->cls) != 0
             || (size_t)((char *)p - page_addr(pg)) >= pg->bump)
        why = "it is not the start of a block";
    else
        for (void *f = pg->free; f; f = *(void **)f)
            if (f == p) {
                why = "it is already free (double free)";
                break;
            }
    if (why) {
        fprintf(stderr, "cryo gc: bad free of %p (arena %p, page %zu, size class %zu bytes): %s\n",
                p, (void *)a, idx, pg->state >= ACTIVE ? class_size(pg->cls) : (size_t)0, why);
        abort();
    }
}
#endif

static inline __attribute__((always_inline)) void small_free_in(struct arena *a, struct page *pg, void *p)
{
    struct gc_heap *h = a->heap;
#ifdef GC_DEBUG
    debug_check_free(a, pg, p);
#endif
    *(void **)p = pg->free;
    pg->free = p;
    pg->used--;
    if (pg->state == ACTIVE ? pg->used != 0 : pg->state == PARTIAL && pg->used >= pg->floor)
        return;
    free_moves_page(h, pg);
}

/* The free path's slow part: the page changes state or bucket. */
static __attribute__((hot)) void free_moves_page(struct gc_heap *h, struct page *pg)
{
    struct class_state *cs = &h->cls[pg->cls];
    if (pg->state == ACTIVE) {
        /* Empty: an arena with nothing live must be able to go back, so
         * the active page does not stay; the kept pages absorb a loop that
         * frees and allocates again. */
        h->active[pg->cls] = NULL;
        page_emptied(h, pg);
        return;
    }
    if (pg->state == FULL) {
        if (pg->used == 0) {
            page_emptied(h, pg); /* a one-block page */
            return;
        }
        pg->state = PARTIAL;
        bucket_insert(cs, pg);
        return;
    }
    /* PARTIAL, below its bucket's floor */
    list_remove(&cs->buckets[pg->bucket], pg);
    if (pg->used == 0)
        page_emptied(h, pg);
    else
        bucket_insert(cs, pg);
}

static inline void small_free(void *p)
{
    struct arena *a = arena_of(p);
    small_free_in(a, &a->pages[page_index(p)], p);
}

/* The gc_heap_* API keeps the heap's small_current and small_peak as it
 * goes (the Python domains' hot paths do not: they keep per-domain totals). */
static void api_small(struct gc_heap *h, size_t bytes, int add)
{
    if (add) {
        h->st.small_current += bytes;
        if (h->st.small_current > h->st.small_peak)
            h->st.small_peak = h->st.small_current;
    } else {
        h->st.small_current -= bytes;
    }
}

void *gc_heap_malloc(struct gc_heap *h, size_t size)
{
    if (size <= GC_SMALL_MAX) {
        void *p = small_alloc(h, size_class(size));
        if (p)
            api_small(h, class_size(size_class(size)), 1);
        return p;
    }
    void *p = malloc(size);
    if (p)
        note_large(h, malloc_usable_size(p), 1);
    return p;
}

void *gc_heap_calloc(struct gc_heap *h, size_t n, size_t size)
{
    size_t total;
    if (__builtin_mul_overflow(n, size, &total))
        return NULL;
    if (total > GC_SMALL_MAX) {
        void *p = calloc(1, total);
        if (p)
            note_large(h, malloc_usable_size(p), 1);
        return p;
    }
    void *p = small_alloc(h, size_class(total));
    if (p) {
        api_small(h, class_size(size_class(total)), 1);
        memset(p, 0, total);
    }
    return p;
}

void gc_heap_free(struct gc_heap *h, void *p)
{
    if (!p)
        return;
    if (gc_arena_owns(p)) {
        struct arena *a = arena_of(p);
        struct page *pg = &a->pages[page_index(p)];
        api_small(a->heap, class_size(pg->cls), 0);
        small_free_in(a, pg, p);
        return;
    }
    note_large(h, malloc_usable_size(p), 0);
    free(p);
}

void *gc_heap_realloc(struct gc_heap *h, void *p, size_t size)
{
    if (!p)
        return gc_heap_malloc(h, size);
    if (gc_arena_owns(p)) {
        struct page *pg = &arena_of(p)->pages[page_index(p)];
        size_t old = class_size(pg->cls);
        if (size <= GC_SMALL_MAX && size_class(size) == pg->cls)
            return p;
        void *q = gc_heap_malloc(h, size);
        if (!q)
            return NULL; /* p is untouched, as realloc promises */
        memcpy(q, p, old < size ? old : size);
        gc_heap_free(h, p);
        return q;
    }
    size_t old = malloc_usable_size(p);
    if (size > GC_SMALL_MAX) {
        void *q = realloc(p, size);
        if (!q)
            return NULL;
        note_large(h, old, 0);
        note_large(h, malloc_usable_size(q), 1);
        return q;
    }
    void *q = gc_heap_malloc(h, size);
    if (!q)
        return NULL;
    memcpy(q, p, old < size ? old : size);
    note_large(h, old, 0);
    free(p);
    return q;
}

void gc_heap_stats(const struct gc_heap *h, struct gc_arena_stats *out)
{
    *out = h->st;
    memset(out->class_current, 0, sizeof out->class_current);
    out->small_current = 0;
    for (const struct arena *a = h->arenas; a; a = a->next)
        for (size_t i = META_PAGES; i < PAGES_PER_ARENA; i++) {
            const struct page *pg = &a->pages[i];
            if (pg->state >= ACTIVE) {
                uint64_t n = (uint64_t)pg->used * class_size(pg->cls);
                out->class_current[pg->cls] += n;
                out->small_current += n;
            }
        }
}

/* ---- the Python domains ---- */

/* Start-up objects live until exit: they get a heap of their own, and the
 * program's objects the main heap from gc_arena_startup_done() on.  Frees
 * always go to the heap that owns the block's arena. */
static struct gc_heap *startup_heap, *main_heap, *current_heap;
static int split_startup;
/* What the Python domains hold, counted as cheaply as the hot paths
 * allow.  Large blocks are counted per domain on their (slow) paths.  Of
 * small blocks only the mem domain's bytes are counted as they come and go
 * (PyMem_Malloc is the rarer domain); the obj domain's are the live bytes
 * of the pages (computed from the descriptors when asked) less the mem
 * domain's.  Peaks are noted when the heap grows (a page taken, a large
 * block), page-granular for the obj domain. */
static uint64_t small_mem, large_dom[GC_NDOMAINS], dom_peak[GC_NDOMAINS];

static uint64_t pages_in_use(void)
{
    return startup_heap->st.pages_in_use + main_heap->st.pages_in_use;
}

static void dom_note_peaks(void)
{
    uint64_t mem = small_mem + large_dom[GC_DOMAIN_MEM];
    uint64_t pages = pages_in_use() * GC_PAGE_SIZE;
    uint64_t obj = (pages > small_mem ? pages - small_mem : 0) + large_dom[GC_DOMAIN_OBJ];
    if (mem > dom_peak[GC_DOMAIN_MEM])
        dom_peak[GC_DOMAIN_MEM] = mem;
    if (obj > dom_peak[GC_DOMAIN_OBJ])
        dom_peak[GC_DOMAIN_OBJ] = obj;
}

/* Bytes a block holds: its class size, or what the system gave. */
static inline size_t block_size(const void *p)
{
    if (owns(p))
        return class_size(arena_of(p)->pages[page_index(p)].cls);
    return malloc_usable_size((void *)p);
}

static inline void count_small(int d, size_t bytes, int add)
{
    if (d == GC_DOMAIN_MEM)
        small_mem = add ? small_mem + bytes : small_mem - bytes;
}

/* Small blocks come from the current heap (start-up or main); large ones,
 * which have no arena to say which heap they belong to, are always charged
 * to the main heap, so their figures never move between heaps. */
static void *large_alloc(int d, size_t size)
{
    void *p = gc_heap_malloc(main_heap, size);
    if (p) {
        large_dom[d] += malloc_usable_size(p);
        dom_note_peaks();
    }
    return p;
}

/* Everything but a small block from the current heap's active page. */
static __attribute__((noinline, cold)) void *malloc_slow(int d, size_t size)
{
    if (size <= GC_SMALL_MAX) {
        unsigned cls = size_class(size);
        void *p = small_alloc(current_heap, cls);
        if (p)
            count_small(d, class_size(cls), 1);
        return p;
    }
    return large_alloc(d, size);
}

/* The hot path: a leaf that touches the class's active page only (the
 * free list, then never-used blocks), saving no registers.  Each domain
 * gets its own copy (d is a constant there), so the obj domain's counts
 * nothing.  `hot` puts it in .text.hot, which the linker gathers with
 * libpython's own hot code (Debian builds it with profile feedback):
 * measured, in plain .text our allocator took eight times the
 * instruction-cache misses of pymalloc's. */
static inline __attribute__((always_inline)) void *malloc_in(int d, size_t size)
{
    if (__builtin_expect(size - 1 < GC_SMALL_MAX, 1)) { /* 1..512; 0 wraps */
        unsigned cls = (unsigned)((size - 1) / GC_ALIGNMENT);
        struct page *pg = current_heap->active[cls];
        if (__builtin_expect(pg != NULL, 1)) {
            void *b = pg->free;
            if (b) {
                pg->free = *(void **)b;
            } else if (pg->bump <= GC_PAGE_SIZE - class_size(cls)) {
                b = page_addr(pg) + pg->bump;
                pg->bump = (uint16_t)(pg->bump + class_size(cls));
            } else {
                return malloc_slow(d, size);
            }
            pg->used++;
            count_small(d, class_size(cls), 1);
            return b;
        }
    }
    return malloc_slow(d, size);
}

/* NULL, and blocks from the system. */
static __attribute__((noinline, cold)) void free_other(int d, void *p)
{
    if (!p)
        return;
    size_t n = malloc_usable_size(p);
    large_dom[d] -= n;
    note_large(main_heap, n, 0);
    free(p);
}

/* The hot path: a leaf unless the page changes state or bucket. */
static inline __attribute__((always_inline)) void free_in(int d, void *p)
{
    if (__builtin_expect(owns(p), 1)) {
        struct arena *a = arena_of(p);
        struct page *pg = &a->pages[page_index(p)];
        count_small(d, class_size(pg->cls), 0);
        *(void **)p = pg->free;
        pg->free = p;
        pg->used--;
        if (pg->state == ACTIVE ? pg->used != 0 : pg->state == PARTIAL && pg->used >= pg->floor)
            return;
        free_moves_page(a->heap, pg);
        return;
    }
    free_other(d, p);
}

static __attribute__((hot)) void *py_obj_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc_in(GC_DOMAIN_OBJ, size);
}

static __attribute__((hot)) void py_obj_free(void *ctx, void *p)
{
    (void)ctx;
    free_in(GC_DOMAIN_OBJ, p);
}

static void *py_mem_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc_in(GC_DOMAIN_MEM, size);
}

static void py_mem_free(void *ctx, void *p)
{
    (void)ctx;
    free_in(GC_DOMAIN_MEM, p);
}

static void *py_calloc(void *ctx, size_t n, size_t size)
{
    int d = (int)(intptr_t)ctx;
    size_t total;
    if (__builtin_mul_overflow(n, size, &total))
        return NULL;
    if (total > GC_SMALL_MAX) {
        void *p = gc_heap_calloc(main_heap, n, size);
        if (p) {
            large_dom[d] += malloc_usable_size(p);
            dom_note_peaks();
        }
        return p;
    }
    void *p = small_alloc(current_heap, size_class(total));
    if (p) {
        count_small(d, class_size(size_class(total)), 1);
        memset(p, 0, total);
    }
    return p;
}

static void *py_realloc(void *ctx, void *p, size_t size)
{
    int d = (int)(intptr_t)ctx;
    if (!p)
        return malloc_in(d, size);
    if (!owns(p) && size > GC_SMALL_MAX) {
        size_t old = malloc_usable_size(p);
        void *q = gc_heap_realloc(main_heap, p, size); /* large to large */
        if (q) {
            large_dom[d] = large_dom[d] - old + malloc_usable_size(q);
            dom_note_peaks();
        }
        return q;
    }
    size_t old = block_size(p);
    if (owns(p) && size <= GC_SMALL_MAX && class_size(size_class(size)) == old)
        return p;
    void *q = malloc_in(d, size);
    if (!q)
        return NULL; /* p untouched, as realloc promises */
    memcpy(q, p, old < size ? old : size);
    free_in(d, p);
    return q;
}

void gc_arena_install(size_t keep_empty_bytes)
{
    startup_heap = gc_heap_new(keep_empty_bytes);
    main_heap = gc_heap_new(keep_empty_bytes);
    if (!startup_heap || !main_heap || bitmap_init() < 0) {
        /* No memory for bookkeeping: CPython's allocator stays. */
        gc_heap_destroy(startup_heap);
        gc_heap_destroy(main_heap);
        startup_heap = main_heap = NULL;
        return;
    }
    startup_heap->on_grow = main_heap->on_grow = dom_note_peaks;
    /* Large blocks go to glibc, whose mmap threshold rises to the size of
     * any mapped block freed (up to 32 MiB), after which such blocks come
     * from the brk heap and stay there once freed: a program that builds
     * and drops a 3 MB list per phase keeps 3 MB for ever.  A fixed
     * threshold turns that off: blocks of 128 KiB and more are mapped and
     * given back when freed, and the heap's top is trimmed past 128 KiB. */
    mallopt(M_MMAP_THRESHOLD, 128 * 1024);
    mallopt(M_TRIM_THRESHOLD, 128 * 1024);
    split_startup = getenv("CRYO_ARENA_SPLIT_STARTUP") != NULL;
    current_heap = startup_heap;
    PyMemAllocatorEx mem = {(void *)(intptr_t)GC_DOMAIN_MEM, py_mem_malloc, py_calloc,
                            py_realloc, py_mem_free};
    PyMemAllocatorEx obj = {(void *)(intptr_t)GC_DOMAIN_OBJ, py_obj_malloc, py_calloc,
                            py_realloc, py_obj_free};
    PyMem_SetAllocator(PYMEM_DOMAIN_MEM, &mem);
    PyMem_SetAllocator(PYMEM_DOMAIN_OBJ, &obj);
}

void gc_arena_startup_done(void)
{
    /* Measured: giving the program's objects pages apart from the
     * start-up objects' cost 50-120 KB on small programs (each class gets a
     * second set of partly filled pages) and gave nothing back, since
     * start-up pages never empty either way; filling their holes with the
     * program's objects is the cheaper use.  So the heaps stay one unless
     * CRYO_ARENA_SPLIT_STARTUP is set, kept for measuring. */
    if (main_heap && split_startup)
        current_heap = main_heap;
}

static void add_stats(struct gc_arena_stats *sum, const struct gc_arena_stats *s)
{
    uint64_t *a = (uint64_t *)sum;
    const uint64_t *b = (const uint64_t *)s;
    for (size_t i = 0; i < sizeof *sum / sizeof(uint64_t); i++)
        a[i] += b[i];
}

void gc_arena_python_stats(struct gc_arena_stats *out, uint64_t dc[GC_NDOMAINS],
                           uint64_t dp[GC_NDOMAINS])
{
    memset(out, 0, sizeof *out);
    if (startup_heap) {
        struct gc_arena_stats one;
        gc_heap_stats(startup_heap, &one);
        add_stats(out, &one);
        gc_heap_stats(main_heap, &one);
        add_stats(out, &one);
        /* The domains' hot paths keep no byte peak for small blocks: report
         * the peak of the pages they filled (page-granular, like class_peak). */
        uint64_t pages = startup_heap->pages_peak + main_heap->pages_peak;
        if (pages * GC_PAGE_SIZE > out->small_peak)
            out->small_peak = pages * GC_PAGE_SIZE;
        /* Peaks of a sum are not sums of peaks: the totals' peaks are the
         * heaps' together at their own peaks, an upper bound. */
    }
    memset(dc, 0, sizeof(uint64_t) * GC_NDOMAINS);
    memset(dp, 0, sizeof(uint64_t) * GC_NDOMAINS);
    if (!startup_heap)
        return;
    dom_note_peaks();
    dc[GC_DOMAIN_MEM] = small_mem + large_dom[GC_DOMAIN_MEM];
    dc[GC_DOMAIN_OBJ] = (out->small_current > small_mem ? out->small_current - small_mem : 0)
                        + large_dom[GC_DOMAIN_OBJ];
    for (int d = 0; d < GC_NDOMAINS; d++)
        dp[d] = dom_peak[d] > dc[d] ? dom_peak[d] : dc[d];
}

/* The heap size the collector policy watches, at page granularity: O(1),
 * called at every young collection. */
uint64_t gc_arena_heap_bytes(void)
{
    if (!startup_heap)
        return 0;
    return pages_in_use() * GC_PAGE_SIZE + large_dom[GC_DOMAIN_MEM] + large_dom[GC_DOMAIN_OBJ];
}
