/* install.c — the single entry point through which cryo's allocator and
 * collector policy are put in place (see gc.h). */
#include "gc.h"

void gc_install(void)
{
    /* Intentionally empty today: CPython's allocator and collector stay.
     * PyMem_SetAllocator calls belong here, before Py_PreInitialize. */
}
