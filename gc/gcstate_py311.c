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
