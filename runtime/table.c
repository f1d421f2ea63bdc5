/* table.c — lookups in the generated module table (module_table.h). */
#include <string.h>

#include "module_table.h"

const struct rt_module *rt_table_find(const struct rt_app *app, const char *name)
{
    size_t lo = 0, hi = app->module_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(name, app->modules[mid].name);
        if (c == 0)
            return &app->modules[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}
