/* install.c — the single entry point through which cryo's allocator and
 * collector policy are put in place (see gc.h). */
#include "gc.h"

struct gc_config gc_config_now;
int gc_stats_enabled;

void gc_install(const struct gc_config *build_defaults)
{
    gc_config_now = *build_defaults;
    /* The allocator is installed here, before Py_PreInitialize, once
     * arena.c exists; until then CPython's pymalloc stays. */
}
