/* gc.h — cryo's memory manager: where the allocator and the cycle
 * collector policy are installed into the interpreter.
 *
 * gc_install() runs before Python pre-initialisation (runtime/interp.c),
 * the only moment CPython allows its allocators to be replaced.  For now it
 * keeps CPython's own allocator (pymalloc) and collector; the gc issue fills
 * this component with the arena allocator (gc_arena_*) and the collector
 * policy (gc_cycle_*), behind this same entry point.
 */
#ifndef CRYO_GC_H
#define CRYO_GC_H

void gc_install(void);

#endif
