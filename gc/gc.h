/* gc.h — cryo's memory manager: where the allocator and the cycle
 * collector policy are installed into the interpreter.
 *
 * gc_install() runs before Python pre-initialisation (runtime/interp.c),
 * the only moment CPython allows its allocators to be replaced.  For now it
 * keeps CPython's own allocator (pymalloc); the collector policy
 * (gc_cycle_*, cycle.c) so far freezes start-up objects.  The arena
 * allocator (gc_arena_*) and the rest of the policy come behind these same
 * entry points.
 */
#ifndef CRYO_GC_H
#define CRYO_GC_H

void gc_install(void);

/* Before __main__ runs: take every object made during start-up out of all
 * later collections (cycle.c).  0, or -1 with a Python exception set. */
int gc_cycle_freeze_startup(void);

#endif
