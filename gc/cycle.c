/* cycle.c — cryo's cycle-collector policy (gc_cycle_*): when to collect
 * and what, on top of CPython 3.11's own collector, which does the
 * collecting (finalizers, weakref callbacks, gc.garbage and resurrection
 * are CPython's, unchanged).  How CPython decides, and how we steer it:
 * gcstate_py311.c.
 *
 * The problem (../../shared/DESIGN.md): with CPython's thresholds, a
 * structure that lives through a few hundred allocations is promoted to
 * the old generation, and once dropped only a full collection reclaims it;
 * full collections come after 10 middle ones when 25% more objects were
 * promoted, garbage included, so a program making cyclic garbage rescans
 * its long-lived objects again and again (python3.11 spends most of such a
 * program inside full collections).
 *
 * The policy (GC_POLICY_CRYO):
 *  - start-up objects (modules, classes, codec tables) go to the permanent
 *    generation before __main__ (gc.freeze()): no collection scans them,
 *    the shutdown's included; the program's globals live in a __main__
 *    made after the freeze, so their cycles are still collected at exit
 *    (see freeze_startup);
 *  - generation 0 is the nursery, collected every threshold 0 new tracked
 *    objects (CPython's trigger, in the allocating thread, never inside
 *    malloc).  When the arena allocator reports heap bytes, threshold 0 is
 *    recomputed after each young collection so that it stands for about
 *    GC_YOUNG_BYTES of heap growth: the nursery is sized in bytes;
 *  - generation 1 holds recently promoted objects and is collected once it
 *    holds GC_YOUNG_FRAC of the long-lived objects (at least GC_GEN1_MIN):
 *    a structure that dies within a heap-proportional amount of allocation
 *    is reclaimed there, without a full collection.  Its cost per object
 *    is measured, and when a collection of it would exceed the pause
 *    target (CRYO_GC_PAUSE_MS), it is collected sooner instead;
 *  - the aging cohort: what a collection of generation 1 promotes is
 *    scanned once more, with the next collection of generation 1, before it
 *    counts as old.  A structure still being built when generation 1 is
 *    collected (a request in progress, the tree a loop is filling) is
 *    promoted with it; it is usually garbage soon after, and the next
 *    collection of generation 1 reclaims it instead of leaving it for a
 *    full collection (tools/bench.py's service shape: 700,000 such objects
 *    were waiting in generation 2 at the end).  3.11 has three lists, so the
 *    cohort is the end of generation 2's list (CPython appends survivors
 *    there), moved to the front of generation 1's list as that collection
 *    starts (gc_py_aging_take), and its survivors told from the new cohort
 *    by their addresses when it stops (gc_py_aging_settle): an error in
 *    the count changes which objects are scanned, never what is reclaimed.  A
 *    cohort larger than generation 1's cap (a burst tenured at once) is not
 *    rescanned, to keep the pause: it counts as old.  A rescan that frees
 *    under a quarter of its cohort backs off (gc_cycle_aging_backoff): the
 *    next 1, 2, 4 or 8 cohorts count as old unscanned, until a rescan pays
 *    again — a program that keeps what it builds (the containers and tree
 *    shapes: +18% CPU with rescans every time) stops paying for them, one
 *    whose promotions die soon (the service shape) keeps them.  The dicts it promotes
 *    that hold only atoms are untracked then (gc_py_aging_settle;
 *    CPython does it only in full collections);
 *  - a full collection is asked for (for CPython's next trigger) only when
 *    the heap has grown by CRYO_GC_GROWTH since the end of the last full
 *    one, GOGC-like, with a 4 MiB floor (gc_cycle_full_due).  Its pause is
 *    the size of the heap: 3.11's collector cannot be made incremental.
 *
 * The steering happens in a hook that CPython calls at the start and stop
 * of every collection it runs with callbacks (automatic ones and
 * gc.collect(); not the last ones of Py_FinalizeEx).  It is the only entry
 * of the collector's internal callback list, and calls the program's
 * callbacks itself: gc.callbacks stays the program's own list, empty at
 * start as in python3.11, called in order with the same arguments, an
 * exception in one reported as unraisable as CPython does.  The hook also
 * measures every pause (collection only, not the program's callbacks),
 * for CRYO_STATS and _cryo.stats().
 *
 * How the policy yields:
 *  - gc.disable() stops automatic collections, as in python3.11; the hook
 *    then only sees gc.collect() calls, records them, and a full one
 *    resets the growth baseline;
 *  - gc.set_threshold(): seen at the next collection, as thresholds that
 *    are not the ones cryo set.  From then on the policy never changes a
 *    threshold again: the values the program set stay, the others go back
 *    to CPython's defaults (700, 10, 10), and CPython's own rules apply as
 *    in python3.11 (pauses are still measured);
 *  - threshold 2 is always set so that, were the hook ever not called,
 *    CPython's own rule would give a full collection after at most
 *    GC_SAFETY_GEN1 more collections of generation 1.
 * gc.get_threshold() shows the values in force, which change as the
 * policy adapts; gc.get_count() is CPython's, except that count 2 is
 * raised above threshold 2 when a full collection is asked for.
 *
 * GC_POLICY_PYTHON leaves CPython's collector exactly as python3.11 has it:
 * nothing frozen, thresholds untouched; the hook is installed only to
 * measure pauses when CRYO_STATS=1 (it then steers nothing).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <time.h>

#include "gc_internal.h"

/* Tuning (see the file comment); measured with tools/bench.py's cyclic
 * workload. */
#define GC_YOUNG_OBJECTS 1000    /* threshold 0 until heap bytes are known */
#define GC_YOUNG_BYTES (256u << 10)
#define GC_YOUNG_MIN 700         /* CPython's default threshold 0 */
#define GC_YOUNG_MAX 50000
#define GC_YOUNG_FRAC 0.25
#define GC_GEN1_MIN 20000
#define GC_GEN1_FLOOR 2000       /* the pause target never goes below this */
#define GC_SAFETY_GEN1 100
/* Generation 1 is collected at least every GC_GEN1_MAX_AGE young
 * collections, however few objects were promoted: what waits there (a
 * structure partly promoted while it was being built, then dropped) is then
 * reclaimed in bounded time, and the collection is cheap because the
 * generation is small.  (CPython uses 10.) */
#define GC_GEN1_MAX_AGE 50
#define GC_FALLBACK_BYTES_PER_BLOCK 64

struct gc_gen_record gc_cycle_records[3];
int gc_cycle_hooked;
int gc_cycle_yielded;
uint64_t gc_cycle_full_requests;
uint64_t gc_cycle_tenured_bursts;
uint64_t gc_cycle_aging_passes;
uint64_t gc_cycle_aging_objects;
uint64_t gc_cycle_aging_skipped;
uint64_t gc_cycle_dicts_untracked;

/* The policy's state.  Touched only with the GIL held (from the hook and
 * gc_cycle_start), so no locking. */
static struct {
    int steering;           /* GC_POLICY_CRYO and not yielded */
    long set[3];            /* the thresholds the policy set last */
    int full_requested;     /* asked for; cleared when a full one ran */
    /* the collection in progress, from the "start" call */
    uint64_t t_start;
    long count0_at_start;   /* tracked-object growth that triggered it */
    long young_at_start;    /* objects in the generations collected, walked
                               (gen 0 and 1 only; see gc_py_young_objects) */
    uint64_t heap_at_start; /* bytes mode only */
    long aging_in;          /* cohort objects moved into this collection */
    /* the aging cohort: objects at the end of generation 2 promoted by the
       last collection of generation 1 (or a tenured burst), not rescanned */
    long aging;
    long aging_skip, aging_backoff; /* cohorts not rescanned: rescans that free little */
    long gen1_cap;          /* generation 1's cap, as steer() last set it */
    /* learned */
    long gen1_objects;      /* estimate: survivors promoted since the last
                               collection of generation 1 */
    double survivors;       /* per young collection, moving average */
    double ns_per_obj[2];   /* cost of collecting generation 0 / 1 */
    double bytes_per_obj;   /* heap growth per new tracked object */
    uint64_t heap_after_young, heap_after_full;
} P;

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* ---- pure decisions ------------------------------------------------- */

/* A heap that grew with objects the collector does not track (strings,
 * dicts of atoms: the random-free workload) holds no cyclic garbage to find,
 * so growth alone does not call a full collection: enough tracked objects
 * must have been promoted since the last one too (CPython's own 25% rule,
 * which here only ever delays a full collection). */
int gc_cycle_promoted_enough(long long_lived_pending, long long_lived_total)
{
    return long_lived_pending >= long_lived_total / 4;
}

/* A young collection whose survivors alone are more than generation 1 may
 * hold: collecting generation 1 would scan them again in one pause over
 * the target, so generation 1 goes to the old generation at once.  Such a
 * burst is a structure that is still being built (or objects the
 * interpreter tracked after their allocation, which count 0 does not
 * announce): it survives the collection of generation 1 anyway. */
int gc_cycle_tenure_young(long survivors, long gen1_cap)
{
    return survivors > gen1_cap;
}

int gc_cycle_aging_scan(long aging, long gen1_cap)
{
    return aging > 0 && aging <= gen1_cap;
}

/* A rescan of the cohort that freed under a quarter of it (`in` objects
 * rescanned, `kept` survived) doubles the number of following cohorts
 * that go to the old generation unscanned, up to 8; one that paid for
 * itself resets it.  Shapes whose promoted objects really live (trees
 * kept, containers) then pay few rescans; those whose promotions die soon
 * (a service's requests) keep them.  8, not more: a phase that builds for
 * a long time and then drops what it built (tools/bench.py's phased
 * shape) must be rescanned soon after it ends, or its last cohorts wait
 * in generation 2 for a full collection (measured, ab_measure.py medians:
 * a cap of 64 made phased 8-12% slower than no back-off; a cap of 8 is
 * even with it there, and 17-20% faster on the containers and slots
 * shapes). */
long gc_cycle_aging_backoff(long in, long kept, long backoff)
{
    if (4 * (in - kept) >= in)
        return 0;
    return backoff <= 0 ? 1 : backoff < 8 ? 2 * backoff : 8;
}

long gc_cycle_gen1_room(long cap, long aging)
{
    long room = cap - aging;
    return room > cap / 4 ? room : cap / 4;
}

int gc_cycle_full_due(uint64_t heap_now, uint64_t heap_after_full, double growth)
{
    double base = heap_after_full > GC_MIN_FULL_HEAP ? (double)heap_after_full
                                                     : (double)GC_MIN_FULL_HEAP;
    return (double)heap_now >= base * (1.0 + growth);
}

long gc_cycle_gen1_cap(long long_lived, double young_frac, long min_objs, double pause_ms,
                       double ns_per_obj)
{
    double cap = (double)long_lived * young_frac;
    if (cap < min_objs)
        cap = min_objs;
    if (pause_ms > 0 && ns_per_obj > 0) {
        double by_pause = pause_ms * 1e6 / ns_per_obj;
        if (by_pause < cap)
            cap = by_pause > GC_GEN1_FLOOR ? by_pause : GC_GEN1_FLOOR;
    }
    return cap > 1e9 ? 1000000000L : (long)cap;
}

long gc_cycle_young_threshold(double budget_bytes, double bytes_per_obj, long lo, long hi)
{
    if (!(bytes_per_obj > 0))
        return lo;
    return (long)clampd(budget_bytes / bytes_per_obj, (double)lo, (double)hi);
}

/* ---- the heap ------------------------------------------------------- */

static int bytes_mode(void)
{
    return gc_config_now.allocator == GC_ALLOCATOR_CRYO && gc_arena_heap_bytes() > 0;
}

uint64_t gc_cycle_heap_now(void)
{
    uint64_t b = gc_arena_heap_bytes();
    if (b)
        return b;
    long blocks = gc_py_allocated_blocks(); /* O(pools): not on every collection */
    if (blocks > 0)
        return (uint64_t)blocks * GC_FALLBACK_BYTES_PER_BLOCK;
    struct gc_py_view v;
    gc_py_read(&v);
    return (uint64_t)(v.long_lived_total + v.long_lived_pending + P.gen1_objects)
           * GC_FALLBACK_BYTES_PER_BLOCK;
}

/* ---- steering ------------------------------------------------------- */

static void set_thresholds(const long t[3])
{
    gc_py_set_thresholds(t);
    for (int i = 0; i < 3; i++)
        P.set[i] = t[i];
}

/* The program set its own thresholds: stop steering for good. */
static void yield(const struct gc_py_view *v)
{
    static const long python_default[3] = {700, 10, 10};
    long t[3];
    for (int i = 0; i < 3; i++)
        t[i] = v->threshold[i] == P.set[i] ? python_default[i] : v->threshold[i];
    gc_py_set_thresholds(t);
    P.steering = 0;
    gc_cycle_yielded = 1;
}

static void update_average(double *avg, double sample)
{
    *avg = *avg > 0 ? 0.7 * *avg + 0.3 * sample : sample;
}

/* After a collection of `gen` that took dt_ns and freed `collected`. */
static void steer(int gen, long collected, uint64_t dt_ns)
{
    struct gc_py_view v;
    gc_py_read(&v);
    for (int i = 0; i < 3; i++)
        if (v.threshold[i] != P.set[i]) {
            yield(&v);
            return;
        }

    /* What the collection traversed: the generations' lengths, not count
     * 0, which misses the objects tracked after their allocation. */
    long examined = P.young_at_start > 0 ? P.young_at_start : 1;
    long t0 = P.set[0];
    long survivors = 0;
    if (gen == 0) {
        survivors = examined - collected;
        if (survivors < 0)
            survivors = 0;
        P.gen1_objects += survivors;
        update_average(&P.survivors, (double)survivors);
        update_average(&P.ns_per_obj[0], (double)dt_ns / (double)examined);
        if (bytes_mode()) {
            uint64_t heap = gc_arena_heap_bytes();
            if (P.heap_after_young && P.heap_at_start > P.heap_after_young
                && P.count0_at_start > 0)
                update_average(&P.bytes_per_obj,
                               (double)(P.heap_at_start - P.heap_after_young)
                                   / (double)P.count0_at_start);
            P.heap_after_young = heap;
            t0 = gc_cycle_young_threshold(GC_YOUNG_BYTES, P.bytes_per_obj, GC_YOUNG_MIN,
                                          GC_YOUNG_MAX);
        }
        if (gc_config_now.pause_ms > 0 && P.ns_per_obj[0] > 0) {
            double by_pause = gc_config_now.pause_ms * 1e6 / P.ns_per_obj[0];
            if (t0 > by_pause)
                t0 = by_pause > 100 ? (long)by_pause : 100;
        }
    } else {
        if (gen == 1) {
            long scanned = examined + P.aging_in;
            update_average(&P.ns_per_obj[1], (double)dt_ns / (double)scanned);
            survivors = scanned - collected;
            long untracked = 0, kept = 0;
            P.aging = survivors > 0 ? gc_py_aging_settle(survivors, examined, &untracked, &kept) : 0;
            if (P.aging_in > 0) {
                P.aging_backoff = gc_cycle_aging_backoff(P.aging_in, kept, P.aging_backoff);
                P.aging_skip = P.aging_backoff;
            }
            gc_cycle_dicts_untracked += (uint64_t)untracked;
            /* CPython counted every survivor as promoted: the cohort's
               were counted when they were promoted the first time, and
               the dicts untracked left generation 2. */
            gc_py_unpromote(survivors - P.aging);
            survivors = 0;
        } else {
            P.aging = 0; /* a full collection scanned the cohort too */
        }
        P.gen1_objects = 0;
        uint64_t heap = gc_cycle_heap_now();
        if (gen == 2) {
            P.heap_after_full = heap;
            P.full_requested = 0;
        } else if (!P.full_requested
                   && gc_cycle_full_due(heap, P.heap_after_full, gc_config_now.growth)
                   && gc_cycle_promoted_enough(v.long_lived_pending, v.long_lived_total)) {
            P.full_requested = 1;
            gc_cycle_full_requests++;
        }
    }

    /* Generation 1: collected at the trigger after the one at which it
     * would exceed its cap.  CPython collects it when count 1 (young
     * collections since) exceeds threshold 1. */
    long cap = gc_cycle_gen1_cap(v.long_lived_total + v.long_lived_pending, GC_YOUNG_FRAC,
                                 GC_GEN1_MIN, gc_config_now.pause_ms,
                                 P.ns_per_obj[1] > 0 ? P.ns_per_obj[1] : P.ns_per_obj[0]);
    P.gen1_cap = cap;
    if (gen == 0 && gc_cycle_tenure_young(survivors, cap)) {
        gc_py_promote_gen1(P.gen1_objects);
        P.aging += P.gen1_objects;
        P.gen1_objects = 0;
        gc_cycle_tenured_bursts++;
        gc_py_read(&v); /* its counts changed: thresholds below start from them */
    }
    double per = P.survivors > 1 ? P.survivors : 1;
    int rescan = !P.aging_skip && gc_cycle_aging_scan(P.aging, cap);
    long room = gc_cycle_gen1_room(cap, rescan ? P.aging : 0);
    double more = (double)(room - P.gen1_objects) / per;
    long t1 = v.count[1] + (more > 1e6 ? 1000000L : more < 0 ? 0 : (long)more) - 1;
    /* count 1 is the number of young collections since generation 1 was
     * last collected, so the age bound is absolute. */
    if (t1 > GC_GEN1_MAX_AGE)
        t1 = GC_GEN1_MAX_AGE;
    if (t1 < 0)
        t1 = 0;
    long t2 = P.full_requested ? P.set[2] : v.count[2] + GC_SAFETY_GEN1;
    long t[3] = {t0, t1, t2};
    set_thresholds(t);
    if (P.full_requested)
        gc_py_request_full();
}

/* ---- the hook in gc.callbacks --------------------------------------- */

static long info_long(PyObject *info, const char *key)
{
    PyObject *o = PyDict_Check(info) ? PyDict_GetItemString(info, key) : NULL;
    long n = o ? PyLong_AsLong(o) : -1;
    if (n == -1 && PyErr_Occurred())
        PyErr_Clear();
    return n;
}

/* The list the program sees as gc.callbacks (a strong reference). */
static PyObject *program_callbacks;

/* What CPython's invoke_gc_callback does with its list. */
static void call_program_callbacks(PyObject *phase, PyObject *info)
{
    if (!program_callbacks)
        return;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(program_callbacks); i++) {
        PyObject *cb = PyList_GET_ITEM(program_callbacks, i);
        Py_INCREF(cb); /* the list may change under us */
        PyObject *r = PyObject_CallFunctionObjArgs(cb, phase, info, NULL);
        if (!r)
            PyErr_WriteUnraisable(cb);
        else
            Py_DECREF(r);
        Py_DECREF(cb);
    }
}

/* cryo_gc_policy(phase, info): never raises, returns None. */
static PyObject *policy_hook(PyObject *self, PyObject *const *args, Py_ssize_t nargs)
{
    (void)self;
    if (nargs != 2 || !PyUnicode_Check(args[0]))
        Py_RETURN_NONE;
    int gen = (int)info_long(args[1], "generation");
    if (PyUnicode_CompareWithASCIIString(args[0], "start") == 0) {
        call_program_callbacks(args[0], args[1]);
        if (gen < 0 || gen > 2)
            Py_RETURN_NONE;
        struct gc_py_view v;
        gc_py_read(&v);
        P.t_start = now_ns(); /* the walk below is part of the pause */
        P.count0_at_start = v.count[0];
        P.young_at_start = P.steering && gen <= 1 ? gc_py_young_objects(gen) : 0;
        P.aging_in = 0;
        if (P.steering && gen == 1) {
            /* always: settle() needs the boundary of what is promoted */
            int scan = gc_cycle_aging_scan(P.aging, P.gen1_cap);
            if (scan && P.aging_skip > 0) {
                P.aging_skip--;
                scan = 0;
            }
            if (P.aging > 0 && !scan)
                gc_cycle_aging_skipped++;
            P.aging_in = gc_py_aging_take(scan ? P.aging : 0);
            if (P.aging_in) {
                gc_cycle_aging_passes++;
                gc_cycle_aging_objects += (uint64_t)P.aging_in;
            }
            P.aging = 0;
        }
        if (P.steering && gen == 0 && bytes_mode())
            P.heap_at_start = gc_arena_heap_bytes();
        Py_RETURN_NONE;
    }
    if (P.t_start && gen >= 0 && gen <= 2) {
        uint64_t dt = now_ns() - P.t_start;
        P.t_start = 0;
        struct gc_gen_record *r = &gc_cycle_records[gen];
        r->collections++;
        r->total_ns += dt;
        if (dt > r->longest_ns)
            r->longest_ns = dt;
        if (P.steering)
            steer(gen, info_long(args[1], "collected"), dt);
        gc_py_aging_end();
    }
    call_program_callbacks(args[0], args[1]);
    Py_RETURN_NONE;
}

static PyMethodDef hook_def = {
    "cryo_gc_policy", (PyCFunction)(void (*)(void))policy_hook, METH_FASTCALL,
    "cryo's collector policy and pause meter (see cryo's README, \"Memory and the "
    "collector\").",
};

/* Make the hook the collector's only callback; the program's gc.callbacks
 * list is called by the hook.  The gc module is imported first, so that
 * its `callbacks` attribute is the program's list.  0, or -1 with an
 * exception set. */
static int install_hook(void)
{
    PyObject *gc = PyImport_ImportModule("gc");
    PyObject *fn = gc ? PyCFunction_New(&hook_def, NULL) : NULL;
    PyObject *mine = fn ? PyList_New(1) : NULL;
    Py_XDECREF(gc);
    if (!mine) {
        Py_XDECREF(fn);
        return -1;
    }
    PyList_SET_ITEM(mine, 0, fn); /* steals fn */
    program_callbacks = gc_py_swap_callbacks(mine);
    Py_DECREF(mine); /* the collector holds it */
    gc_cycle_hooked = 1;
    return 0;
}

/* Start-up objects go to the permanent generation and stay there through
 * finalisation: that spares every later collection, the shutdown's too,
 * from rescanning them (15% of hello world's instructions).  It is safe
 * because the program's own namespace is not among them: runtime/interp.c
 * runs the script in a __main__ module made after the freeze, so cycles
 * through its globals are collected at exit and their finalizers run as
 * under python3.11 (e2e gc_at_shutdown). */
static int freeze_startup(void)
{
    PyObject *gc = PyImport_ImportModule("gc");
    PyObject *r = gc ? PyObject_CallMethod(gc, "freeze", NULL) : NULL;
    Py_XDECREF(gc);
    if (!r)
        return -1;
    Py_DECREF(r);
    return 0;
}


int gc_cycle_start(void)
{
    if (gc_config_now.allocator == GC_ALLOCATOR_CRYO)
        gc_arena_startup_done();
    if (gc_config_now.policy != GC_POLICY_CRYO)
        return gc_stats_enabled ? install_hook() : 0;

    if (freeze_startup() < 0 || install_hook() < 0)
        return -1;
    struct gc_py_view v;
    gc_py_read(&v);
    P.heap_after_full = gc_cycle_heap_now();
    P.heap_after_young = bytes_mode() ? gc_arena_heap_bytes() : 0;
    P.gen1_cap = GC_GEN1_MIN;
    long t[3] = {GC_YOUNG_OBJECTS, v.count[1] + GC_GEN1_MIN / GC_YOUNG_OBJECTS,
                 v.count[2] + GC_SAFETY_GEN1};
    /* A program built with PYTHON* allowed may have set nothing yet; the
     * thresholds are CPython's defaults here unless start-up changed them,
     * in which case the policy yields from the start. */
    if (v.threshold[0] != 700 || v.threshold[1] != 10 || v.threshold[2] != 10) {
        gc_cycle_yielded = 1;
        return 0;
    }
    set_thresholds(t);
    P.steering = 1;
    return 0;
}
