/* table.c — lookups in the generated module table (module_table.h). */
#include <stddef.h>
#include <string.h>

#include "module_table.h"

/* Binary search of `n` records of `stride` bytes, sorted by the string
 * pointer at `key_offset` in each; the record, or NULL. */
static const void *find_sorted(const void *base, size_t n, size_t stride, size_t key_offset,
                               const char *key)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const char *rec = (const char *)base + mid * stride;
        int c = strcmp(key, *(const char *const *)(rec + key_offset));
        if (c == 0)
            return rec;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

const struct rt_module *rt_table_find(const struct rt_app *app, const char *name)
{
    return find_sorted(app->modules, app->module_count, sizeof *app->modules,
                       offsetof(struct rt_module, name), name);
}

const struct rt_data *rt_data_find(const struct rt_app *app, const char *path)
{
    return find_sorted(app->data, app->data_count, sizeof *app->data,
                       offsetof(struct rt_data, path), path);
}

const struct rt_ext *rt_ext_find(const struct rt_app *app, const char *name)
{
    return find_sorted(app->exts, app->ext_count, sizeof *app->exts,
                       offsetof(struct rt_ext, name), name);
}
