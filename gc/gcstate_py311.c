/* gcstate_py311.c — the one file that reads and writes CPython 3.11's
 * collector state (struct _gc_runtime_state in pycore_gc.h) for cycle.c's
 * policy.  Everything here is version-specific: a 3.12/3.13 port rewrites
 * this file (3.12 moved the trigger to the eval breaker; 3.13 has no
 * generation 1 in the same sense) and keeps cycle.c's decisions.
 *
 * How CPython 3.11 decides (Modules/gcmodule.c): every new tracked object
 * adds one to generations[0].count (a free subtracts one); when it exceeds
 * threshold 0, _PyObject_GC_Link collects the OLDEST generation i whose
 * count exceeds its threshold, where counts 1 and 2 count the collections
 * of the generation below; a full collection (i = 2) is skipped while
 * long_lived_pending < long_lived_total / 4.  So the policy steers CPython
 * by setting thresholds and, to ask for a full collection at the next
 * trigger, count 2 and long_lived_pending.  The collection itself is always
 * CPython's (finalizers, weakref callbacks, gc.garbage, resurrection).
 *
 * Every function here needs the GIL.
 */
#define PY_SSIZE_T_CLEAN
#define Py_BUILD_CORE 1
#include <Python.h>
#include "internal/pycore_interp.h"
#include "internal/pycore_pymem.h"
#include "internal/pycore_pystate.h"

#include "gc_internal.h"

static struct _gc_runtime_state *state(void)
{
    return &_PyInterpreterState_GET()->gc;
}

void gc_py_read(struct gc_py_view *v)
{
    struct _gc_runtime_state *s = state();
    v->enabled = s->enabled;
    v->collecting = s->collecting;
    for (int i = 0; i < 3; i++) {
        v->count[i] = s->generations[i].count;
        v->threshold[i] = s->generations[i].threshold;
        v->collections[i] = s->generation_stats[i].collections;
    }
    v->long_lived_total = s->long_lived_total;
    v->long_lived_pending = s->long_lived_pending;
}

void gc_py_set_thresholds(const long t[3])
{
    struct _gc_runtime_state *s = state();
    for (int i = 0; i < 3; i++)
        s->generations[i].threshold = (int)t[i];
}

/* Make the next automatic trigger collect generation 2: count 2 above its
 * threshold and CPython's 25% rule satisfied. */
void gc_py_request_full(void)
{
    struct _gc_runtime_state *s = state();
    if (s->generations[2].count <= s->generations[2].threshold)
        s->generations[2].count = s->generations[2].threshold + 1;
    if (s->long_lived_pending < s->long_lived_total / 4)
        s->long_lived_pending = s->long_lived_total / 4;
}

long gc_py_allocated_blocks(void)
{
    return (long)_Py_GetAllocatedBlocks();
}

/* Make `mine` (a list) the callbacks the collector calls, and return the
 * list it called until now, which stays the program's gc.callbacks (a new
 * reference).  invoke_gc_callback reads gcstate->callbacks, while the gc
 * module's `callbacks` attribute is the list it held when the module was
 * made: cycle.c's hook then calls the program's list itself. */
PyObject *gc_py_swap_callbacks(PyObject *mine)
{
    struct _gc_runtime_state *s = state();
    PyObject *old = s->callbacks;
    Py_INCREF(mine);
    s->callbacks = mine;
    return old; /* the reference gcstate held */
}

/* The number of objects in generations 0..gen, by walking their lists.
 * Counts 0 cannot stand for it: an object the interpreter starts tracking
 * after its allocation (a dict of atoms that is given a container, a tuple
 * built then filled) joins generation 0 without adding to the count, so a
 * young collection may find ten times more objects than count 0 says
 * (tools/bench.py's service shape: 333,000 dicts tracked by one loop).  A
 * walk touches only the list links, the pages the collection is about to
 * traverse anyway. */
long gc_py_young_objects(int gen)
{
    struct _gc_runtime_state *s = state();
    long n = 0;
    for (int i = 0; i <= gen && i < 2; i++) {
        PyGC_Head *head = &s->generations[i].head;
        for (PyGC_Head *g = _PyGCHead_NEXT(head); g != head; g = _PyGCHead_NEXT(g))
            n++;
    }
    return n;
}

/* Move generation 1's objects to the end of generation 2's list and count
 * it as a collection of generation 1 would (without the collection): the
 * objects as promoted for CPython's 25% rule, count 1 (young collections
 * since generation 1 was emptied) back to 0, one more for count 2. */
void gc_py_promote_gen1(long objects)
{
    struct _gc_runtime_state *s = state();
    PyGC_Head *from = &s->generations[1].head, *to = &s->generations[2].head;
    if (_PyGCHead_NEXT(from) == from)
        return;
    PyGC_Head *first = _PyGCHead_NEXT(from), *last = _PyGCHead_PREV(from);
    PyGC_Head *tail = _PyGCHead_PREV(to);
    _PyGCHead_SET_NEXT(tail, first);
    _PyGCHead_SET_PREV(first, tail);
    _PyGCHead_SET_NEXT(last, to);
    _PyGCHead_SET_PREV(to, last);
    _PyGCHead_SET_NEXT(from, from);
    _PyGCHead_SET_PREV(from, from);
    s->long_lived_pending += objects;
    s->generations[1].count = 0;
    s->generations[2].count += 1;
}

/* The aging cohort (cycle.c): the objects promoted to generation 2 by the
 * last collection of generation 1 sit at the end of its list, because
 * CPython appends survivors there.  gc_py_aging_take moves the last `n` of
 * them (or the whole list if it is shorter) to the front of generation 1's
 * list, so that the collection of generation 1 about to run scans them
 * once more, and remembers their addresses; gc_py_aging_settle, when it
 * stopped, sends the cohort's survivors (back at the end of generation 2,
 * mixed with what generations 0 and 1 promoted) to the front of generation
 * 2: they are old now, and the rest, left at the end, is the next cohort.
 * So an object is rescanned once, never more.  Objects freed since their
 * promotion make `n` an overestimate: the walk then takes a few older
 * objects too, which costs their scan and nothing else.  Any object in any
 * generation list is a valid tracked object, so none of this decides what
 * is reclaimed, only when.  An address freed and reused by a new object
 * during the collection makes that object old at once: harmless too. */
static struct {
    uintptr_t *slot; /* open addressing; 0 = empty */
    size_t mask;
    /* The last object of generation 2 that is not collected, held (a
     * strong reference) from the start to the stop: what the collection
     * appends comes after it, so settle() walks exactly that.  NULL: the
     * collection started with generation 2 empty. */
    PyObject *boundary;
} cohort;

static size_t cohort_hash(uintptr_t a)
{
    return (size_t)(((uint64_t)(a >> 4) * 0x9E3779B97F4A7C15ull) >> 20);
}

static void cohort_add(uintptr_t a)
{
    size_t i = cohort_hash(a) & cohort.mask;
    while (cohort.slot[i] && cohort.slot[i] != a)
        i = (i + 1) & cohort.mask;
    cohort.slot[i] = a;
}

static int cohort_has(uintptr_t a)
{
    for (size_t i = cohort_hash(a) & cohort.mask; cohort.slot[i]; i = (i + 1) & cohort.mask)
        if (cohort.slot[i] == a)
            return 1;
    return 0;
}

void gc_py_aging_end(void)
{
    PyMem_RawFree(cohort.slot);
    cohort.slot = NULL;
    cohort.mask = 0;
    PyObject *b = cohort.boundary;
    cohort.boundary = NULL;
    Py_XDECREF(b); /* last: freeing it may run code */
}

static void hold_boundary(PyGC_Head *before, PyGC_Head *old)
{
    cohort.boundary = before == old ? NULL : (PyObject *)(before + 1);
    Py_XINCREF(cohort.boundary);
}

long gc_py_aging_take(long n)
{
    struct _gc_runtime_state *s = state();
    PyGC_Head *old = &s->generations[2].head, *mid = &s->generations[1].head;
    PyGC_Head *last = _PyGCHead_PREV(old), *first = old;
    long moved = 0;
    gc_py_aging_end();
    while (moved < n && _PyGCHead_PREV(first) != old) {
        first = _PyGCHead_PREV(first);
        moved++;
    }
    if (!moved) {
        hold_boundary(last, old);
        return 0;
    }
    size_t cap = 16;
    while (cap < 2 * (size_t)moved)
        cap <<= 1;
    /* Without memory for the set, settle() falls back to counting. */
    cohort.slot = PyMem_RawCalloc(cap, sizeof *cohort.slot);
    if (cohort.slot) {
        cohort.mask = cap - 1;
        for (PyGC_Head *g = first;; g = _PyGCHead_NEXT(g)) {
            cohort_add((uintptr_t)g);
            if (g == last)
                break;
        }
    }
    PyGC_Head *before = _PyGCHead_PREV(first); /* stays in generation 2 */
    hold_boundary(before, old);
    _PyGCHead_SET_NEXT(before, old);
    _PyGCHead_SET_PREV(old, before);
    PyGC_Head *mid_first = _PyGCHead_NEXT(mid);
    _PyGCHead_SET_NEXT(mid, first);
    _PyGCHead_SET_PREV(first, mid);
    _PyGCHead_SET_NEXT(last, mid_first);
    _PyGCHead_SET_PREV(mid_first, last);
    return moved;
}

/* After the collection of generation 1: walk what it appended to
 * generation 2 (back to the boundary, at most `survivors` objects), untrack the dicts among them that can no
 * longer be part of a cycle, send those that were in the cohort to the
 * front of generation 2, and return how many are left at the end (the next
 * cohort); *untracked is set to the number of dicts untracked.  Without the
 * set (no cohort taken, or no memory for it) the survivors of the cohort
 * cannot be told apart: the young ones are taken to be the last `young`.
 *
 * Untracking dicts: all keys and values atoms or untracked (tuples of
 * atoms are untracked by every collection; a record dict holding one stays
 * tracked).  CPython 3.11 does this only in full collections (gcmodule.c,
 * "to avoid quadratic dict build-up", bpo-14775), which our policy runs
 * rarely: records promoted into a long-lived cache then stay tracked and
 * every full collection scans them (tools/bench.py's phased shape, 30%
 * kept: a 450 ms pause over 1.4 million tracked objects).  Here each dict
 * is examined when it is promoted and when it leaves the cohort, which
 * costs no more than the collection that just traversed it. */
long gc_py_aging_settle(long survivors, long young, long *untracked, long *kept)
{
    struct _gc_runtime_state *s = state();
    PyGC_Head *old = &s->generations[2].head;
    PyGC_Head *g = _PyGCHead_PREV(old);
    PyGC_Head *stop = cohort.boundary ? _Py_AS_GC(cohort.boundary) : old;
    long seen = 0, left = 0, gone = 0, moved = 0;
    int marked = cohort.slot != NULL;
    /* The boundary may have left generation 2 meanwhile (untracked by C
     * code, or frozen by a finalizer): then the count bounds the walk. */
    while (g != old && g != stop && seen < survivors) {
        PyGC_Head *prev = _PyGCHead_PREV(g); /* g may leave the list */
        PyObject *op = (PyObject *)(g + 1);  /* the object after its header */
        seen++;
        if (PyDict_CheckExact(op)) {
            _PyDict_MaybeUntrack(op);
            if (!_PyObject_GC_IS_TRACKED(op)) {
                gone++;
                g = prev;
                continue;
            }
        }
        if (marked && cohort_has((uintptr_t)g)) {
            /* unlink g, then link it first in generation 2 */
            _PyGCHead_SET_NEXT(prev, _PyGCHead_NEXT(g));
            _PyGCHead_SET_PREV(_PyGCHead_NEXT(g), prev);
            PyGC_Head *head_first = _PyGCHead_NEXT(old);
            _PyGCHead_SET_NEXT(old, g);
            _PyGCHead_SET_PREV(g, old);
            _PyGCHead_SET_NEXT(g, head_first);
            _PyGCHead_SET_PREV(head_first, g);
            moved++;
        } else {
            left++;
        }
        g = prev;
    }
    gc_py_aging_end();
    *untracked = gone;
    *kept = moved;
    if (!marked && left > young)
        left = young;
    return left;
}

/* Objects counted twice in long_lived_pending (promoted, scanned again as
 * the aging cohort, promoted again) are taken back out of it. */
void gc_py_unpromote(long objects)
{
    struct _gc_runtime_state *s = state();
    if (objects <= 0)
        return;
    s->long_lived_pending = objects < s->long_lived_pending ? s->long_lived_pending - objects : 0;
}
