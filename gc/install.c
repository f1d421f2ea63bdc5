/* install.c — the single entry point through which cryo's allocator and
 * collector policy are put in place (see gc.h): options are read here,
 * once, before Python pre-initialisation, and the allocator installed. */
#include <stdio.h>
#include <stdlib.h>

#include "gc_internal.h"

struct gc_config gc_config_now;
int gc_stats_enabled;

static void stats_atexit(void)
{
    gc_stats_at_exit();
}

void gc_install(const struct gc_config *build_defaults)
{
    gc_options_read(build_defaults, &gc_config_now, &gc_stats_enabled, stderr);
    if (gc_config_now.allocator == GC_ALLOCATOR_CRYO)
        gc_arena_install((size_t)gc_config_now.mem_release_kib * 1024);
    /* The report comes after everything else: runtime/interp.c calls
     * gc_stats_at_exit() after Py_FinalizeEx; this catches the exits that
     * do not return there (sys.exit → Py_Exit → exit()).  It prints once. */
    if (gc_stats_enabled)
        atexit(stats_atexit);
}
