/* gc.h — cryo's memory manager: the arena allocator (gc_arena_*, arena.c),
 * the cycle-collector policy (gc_cycle_*, cycle.c), their options
 * (gc_options_*, options.c) and statistics (gc_stats_*, stats.c).
 *
 * Life cycle, driven by runtime/interp.c:
 *   gc_install(&build_config)     before Python pre-initialisation, the
 *                                 only moment CPython lets its allocators
 *                                 be replaced: reads CRYO_* options over the
 *                                 build's defaults, installs the allocator;
 *   gc_cycle_start()              once the interpreter is up, before
 *                                 __main__: collector policy in place,
 *                                 start-up objects frozen, allocator told
 *                                 that start-up is over;
 *   gc_stats_at_exit()            after the program, if CRYO_STATS is set.
 */
#ifndef CRYO_GC_H
#define CRYO_GC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

/* Linux 5.14's madvise advice (<linux/mman.h>), used by arena.c and
 * runtime/interp.c; glibc's headers before 2.35 lack it.  An older kernel
 * refuses it with EINVAL: the pages are then faulted on demand. */
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

/* ---- configuration (options.c) -------------------------------------- */

enum gc_allocator_kind {
    GC_ALLOCATOR_CRYO = 0,   /* arena.c */
    GC_ALLOCATOR_PYTHON = 1, /* CPython's own pymalloc: the way back */
};

enum gc_policy_kind {
    GC_POLICY_CRYO = 0,   /* cycle.c */
    GC_POLICY_PYTHON = 1, /* CPython's thresholds, untouched */
};

/* What the build chose (cryo build --allocator/--gc/--gc-*), the defaults
 * that CRYO_* environment variables may override at run time.  Written
 * into the generated module table by the freezer; a value < 0 means "the
 * built-in default". */
struct gc_config {
    int allocator;         /* enum gc_allocator_kind */
    int policy;            /* enum gc_policy_kind */
    double growth;         /* CRYO_GC_GROWTH: full collection when the heap has
                              grown by this ratio since the last one */
    double pause_ms;       /* CRYO_GC_PAUSE_MS: target for one collection */
    long mem_release_kib;  /* CRYO_MEM_RELEASE: empty pages kept for reuse
                              before they are given back to the system */
};

/* The configuration in force, after gc_install (read-only elsewhere). */
extern struct gc_config gc_config_now;
extern int gc_stats_enabled; /* CRYO_STATS */

void gc_install(const struct gc_config *build_defaults);

/* ---- the arena allocator (arena.c) ---------------------------------- *
 *
 * Small requests (<= GC_SMALL_MAX bytes) come from 1 MiB arenas cut into
 * 4 KiB pages, each page holding blocks of one size class; larger ones go
 * to the system allocator.  A heap is not thread-safe: the Python domains
 * it serves (PYMEM_DOMAIN_MEM and _OBJ) are only called with the GIL held.
 * Full documentation of the layout and invariants: arena.c.
 */

#define GC_SMALL_MAX 512
#define GC_ALIGNMENT 16
#define GC_NCLASSES (GC_SMALL_MAX / GC_ALIGNMENT)

struct gc_heap;

/* A heap that keeps up to keep_empty_bytes of empty pages for reuse
 * before giving them back to the system (hysteresis). */
struct gc_heap *gc_heap_new(size_t keep_empty_bytes);
void gc_heap_destroy(struct gc_heap *h); /* unmaps its arenas; blocks die */
void *gc_heap_malloc(struct gc_heap *h, size_t size);
void *gc_heap_calloc(struct gc_heap *h, size_t n, size_t size);
void *gc_heap_realloc(struct gc_heap *h, void *p, size_t size);
void gc_heap_free(struct gc_heap *h, void *p);
/* Whether p lies in an arena of any heap (else it came from the system). */
int gc_arena_owns(const void *p);

struct gc_arena_stats {
    uint64_t class_current[GC_NCLASSES]; /* bytes in live blocks, per class */
    uint64_t class_peak[GC_NCLASSES];    /* peak bytes of the pages each class
                                            held (page-granular: kept off the
                                            allocation fast path) */
    uint64_t small_current, small_peak;  /* all small blocks; small_peak is
                                            kept through the gc_heap_* calls
                                            (the Python domains keep per-domain
                                            peaks instead) */
    uint64_t large_current, large_peak;  /* system allocations (usable size) */
    uint64_t pages_in_use;               /* pages holding live blocks */
    uint64_t pages_empty;                /* empty, kept for reuse (resident) */
    uint64_t pages_released;             /* empty and given back (not resident) */
    uint64_t pages_released_total;       /* page give-backs since start */
    uint64_t arenas_current, arenas_mapped_total, arenas_unmapped_total;
    uint64_t release_calls;              /* madvise/munmap system calls */
};

void gc_heap_stats(const struct gc_heap *h, struct gc_arena_stats *out);

/* The Python domains: install our allocator for PYMEM_DOMAIN_MEM and
 * PYMEM_DOMAIN_OBJ (before Py_PreInitialize). */
void gc_arena_install(size_t keep_empty_bytes);
/* Start-up is over.  With CRYO_ARENA_SPLIT_STARTUP set, objects made from
 * now on go to other pages than the start-up objects' (off by default:
 * measured, it cost memory and gained nothing; see arena.c). */
void gc_arena_startup_done(void);
/* Statistics of the Python domains: totals and per domain. */
enum { GC_DOMAIN_MEM, GC_DOMAIN_OBJ, GC_NDOMAINS };
void gc_arena_python_stats(struct gc_arena_stats *out, uint64_t domain_current[GC_NDOMAINS],
                           uint64_t domain_peak[GC_NDOMAINS]);
/* The heap size the collector policy watches: bytes of pages in use plus
 * large blocks, page-granular.  O(1). */
uint64_t gc_arena_heap_bytes(void);

/* ---- the cycle collector policy (cycle.c) --------------------------- */

/* Before __main__ runs.  0, or -1 with a Python exception set. */
int gc_cycle_start(void);


/* ---- statistics (stats.c) ------------------------------------------- */

/* Print CRYO_STATS's report on stderr, once, after finalisation: called by
 * runtime/interp.c after Py_FinalizeEx, and from atexit for the exits that
 * do not return there (sys.exit).  Uses no Python API. */
void gc_stats_at_exit(void);

/* The same figures as a dict, for _cryo.stats() (runtime/importer.c): a
 * new reference, or NULL with an exception set.  Needs the GIL. */
struct _object;
struct _object *gc_stats_dict(void);

#endif
