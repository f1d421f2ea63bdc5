/* gc_internal.h — what the files of gc/ share with each other (and with
 * tests/gc), but not with the runtime: the option table, the policy's
 * pure decision functions, the view of CPython's collector state and the
 * per-generation pause records. */
#ifndef CRYO_GC_INTERNAL_H
#define CRYO_GC_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "gc.h"

/* ---- options.c ------------------------------------------------------ */

enum gc_option_kind {
    GC_OPT_CHOICE, /* one of `choices`; the value is its index */
    GC_OPT_RATIO,  /* a decimal number */
    GC_OPT_MS,     /* a decimal number of milliseconds */
    GC_OPT_KIB,    /* a whole number of KiB */
    GC_OPT_BOOL,   /* 0/1 (also no/yes, off/on, false/true) */
};

/* One option: the environment variable, the `cryo build` flag setting its
 * default (NULL: none), its kind, built-in default, accepted range
 * (inclusive) and a one-line description.  The table (gc_options[]) is the
 * single list; `cryo build --help` prints it (gc_options_help) and README
 * "Memory and the collector" repeats it. */
struct gc_option {
    const char *env;
    const char *flag;
    enum gc_option_kind kind;
    double def, min, max;
    const char *const *choices; /* GC_OPT_CHOICE: NULL-terminated */
    const char *doc;
};

enum {
    GC_OPTION_ALLOCATOR,
    GC_OPTION_GC,
    GC_OPTION_GROWTH,
    GC_OPTION_PAUSE_MS,
    GC_OPTION_MEM_RELEASE,
    GC_OPTION_STATS,
    GC_NOPTIONS
};

extern const struct gc_option gc_options[GC_NOPTIONS];

/* Parse `text` as a value of option `o`.  0 and *out set; or -1 with a
 * short reason ("not a number", "out of range 0.05..100") in why. */
int gc_option_parse(const struct gc_option *o, const char *text, double *out, char *why,
                    size_t whylen);

/* Print the lines of `cryo build --help` for the options with a flag. */
void gc_options_help(FILE *f);

/* Format the default of `o` for messages ("1.0", "cryo", "1024"). */
void gc_option_format(const struct gc_option *o, double v, char *buf, size_t n);

/* Read every CRYO_* option from the environment over `build` (a negative
 * field means the built-in default) into *out and *stats.  A bad value is
 * reported on `warn` in one line naming the variable, the value and the
 * default used.  Returns the number of warnings. */
int gc_options_read(const struct gc_config *build, struct gc_config *out, int *stats,
                    FILE *warn);

/* ---- cycle.c: pure decisions (unit-tested in tests/gc/test_policy.c) - */

/* The heap below which no full collection is asked for (GOGC's minimum). */
#define GC_MIN_FULL_HEAP (4u << 20)

/* Whether the heap has grown enough since the last full collection:
 * heap_now >= max(heap_after_full, GC_MIN_FULL_HEAP) * (1 + growth). */
int gc_cycle_full_due(uint64_t heap_now, uint64_t heap_after_full, double growth);
int gc_cycle_promoted_enough(long long_lived_pending, long long_lived_total);

/* Whether a young collection's survivors go straight to the old generation
 * (with the rest of generation 1): more of them than generation 1 may hold. */
int gc_cycle_tenure_young(long survivors, long gen1_cap);

/* The aging cohort: objects promoted by the last collections of generation 1
 * get one more scan, with the next collection of generation 1, before they
 * count as old (see cycle.c).  Whether a cohort of `aging` objects is
 * rescanned by a collection of generation 1 whose cap is gen1_cap. */
int gc_cycle_aging_scan(long aging, long gen1_cap);
/* Objects generation 1 may still take before its collection: its cap less
 * the cohort it will rescan, but never below a quarter of the cap. */
long gc_cycle_gen1_room(long cap, long aging);
/* Cohorts to skip after a rescan of `in` that kept `kept` (cycle.c). */
long gc_cycle_aging_backoff(long in, long kept, long backoff);

/* How many objects the recently-promoted generation (1) may hold before it
 * is collected: `young_frac` of the long-lived objects, at least min_objs,
 * and no more than the pause target allows at the measured cost per
 * object (ns_per_obj <= 0: not measured yet). */
long gc_cycle_gen1_cap(long long_lived, double young_frac, long min_objs, double pause_ms,
                       double ns_per_obj);

/* Threshold 0 (tracked objects between young collections) giving about
 * `budget_bytes` of heap growth at `bytes_per_obj`, within [lo, hi]. */
long gc_cycle_young_threshold(double budget_bytes, double bytes_per_obj, long lo, long hi);

/* ---- gcstate_py311.c: CPython 3.11's collector state ----------------- */

struct gc_py_view {
    int enabled, collecting;
    long count[3], threshold[3], collections[3];
    long long_lived_total, long_lived_pending;
};

void gc_py_read(struct gc_py_view *v);
void gc_py_set_thresholds(const long t[3]);
void gc_py_request_full(void);
long gc_py_allocated_blocks(void); /* pymalloc's live blocks */
/* Objects in generations 0..gen (gen 0 or 1), by walking their lists. */
long gc_py_young_objects(int gen);
/* Move generation 1 (about `objects` objects) to the old generation. */
void gc_py_promote_gen1(long objects);
/* Move the last n objects of generation 2 (the aging cohort) to the front
 * of generation 1; the number moved. */
long gc_py_aging_take(long n);
/* Release what gc_py_aging_take holds until the collection stops (done by
 * gc_py_aging_settle; called at every stop in case that did not run). */
void gc_py_aging_end(void);
/* Take `objects` promoted twice back out of long_lived_pending. */
void gc_py_unpromote(long objects);
/* After that collection: sort its `survivors` (the end of generation 2)
 * into old (the cohort's) and the next cohort (what generations 0 and 1
 * promoted, of which there were `young`), untracking dicts of atoms (their
 * number in *untracked).  Returns the next cohort's size. */
long gc_py_aging_settle(long survivors, long young, long *untracked, long *kept);
struct _object;
struct _object *gc_py_swap_callbacks(struct _object *mine);

/* ---- cycle.c: what stats.c reports ---------------------------------- */

struct gc_gen_record {
    uint64_t collections;   /* seen by cryo's hook (explicit ones included) */
    uint64_t total_ns, longest_ns;
};

/* Per generation; zero when no hook was installed (--gc=python without
 * CRYO_STATS). */
extern struct gc_gen_record gc_cycle_records[3];
extern int gc_cycle_hooked;      /* the hook is installed */
extern int gc_cycle_yielded;     /* the program set its own thresholds */
extern uint64_t gc_cycle_full_requests; /* full collections the policy asked for */
extern uint64_t gc_cycle_tenured_bursts; /* young survivors sent past generation 1 */
extern uint64_t gc_cycle_aging_passes;   /* collections of gen 1 that rescanned the cohort */
extern uint64_t gc_cycle_aging_objects;  /* objects rescanned by them */
extern uint64_t gc_cycle_aging_skipped;  /* cohorts promoted unscanned (over the pause cap) */
extern uint64_t gc_cycle_dicts_untracked; /* promoted dicts of atoms untracked */

/* The heap as the policy measures it: gc_arena_heap_bytes(), or while the
 * arena allocator is not installed, pymalloc's live blocks x 64 bytes. */
uint64_t gc_cycle_heap_now(void);

/* ---- image_pages.c: where the executable's own pages go -------------- */

/* The program image's loaded segments, by kind: code (R-X), read-only data
 * (R--), initialised data (RW- from the file, its relro part included:
 * the loader writes it before making it read-only) and zero-filled data
 * (the bss, after it).  Bytes are whole pages. */
enum { GC_IMG_TEXT, GC_IMG_RODATA, GC_IMG_DATA, GC_IMG_BSS,
       /* the deep-frozen modules' objects (runtime/frozen_py311.h): their
        * bytes objects apart, the rest; not counted in GC_IMG_DATA */
       GC_IMG_MODULES, GC_IMG_MODBYTES, GC_IMG_MODONCE, GC_IMG_KINDS };
struct gc_image_pages {
    uint64_t bytes[GC_IMG_KINDS];    /* mapped */
    uint64_t resident[GC_IMG_KINDS]; /* present in memory now */
    uint64_t written[GC_IMG_KINDS];  /* present and private to this process: copied on
                                        write (or, in the bss, not the zero page) */
};
extern const char *const gc_image_kind_names[GC_IMG_KINDS];
/* Measure now (/proc/self/pagemap).  0, or -1 when it cannot be read. */
int gc_image_pages(struct gc_image_pages *out);

#endif
