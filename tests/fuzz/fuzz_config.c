/* fuzz_config.c — the readers of what a user types that reach C: the
 * CRYO_GC_* and --gc-* values (gc/options.c), and module names and data
 * paths looked up in the generated module table (runtime/table.c), as an
 * import or an open() of the virtual tree asks.  The input is split at its
 * first NUL: the option's index and text, then a name. */
#include <string.h>

#include "../../gc/gc_internal.h"
#include "../../runtime/module_table.h"
#include "fuzz_common.h"

const struct rt_module *rt_table_find(const struct rt_app *app, const char *name);
const struct rt_data *rt_data_find(const struct rt_app *app, const char *path);

static const struct rt_module mods[] = {
    {"__main__", "app.py", RT_MOD_MAIN, {0}}, {"a", "a/__init__.py", RT_MOD_PACKAGE, {0}},
    {"a.b", "a/b.py", 0, {0}}, {"json", "json/__init__.py", RT_MOD_PACKAGE, {0}},
    {"z\xc3\xa9", "z\xc3\xa9.py", 0, {0}},
};
static const struct rt_data data_files[] = {
    {"a/data.txt", {0}}, {"a/sub/x.bin", {0}}, {"mypkg-1.0.dist-info/METADATA", {0}},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    size_t first = strlen(s);
    if (first > 0) {
        const struct gc_option *o = &gc_options[(unsigned char)s[0] % GC_NOPTIONS];
        double v;
        char why[256];
        if (gc_option_parse(o, s + 1, &v, why, sizeof why) == 0) {
            char buf[64];
            gc_option_format(o, v, buf, sizeof buf);
        }
    }
    const char *name = first < size ? s + first + 1 : s;
    struct rt_app app = {.module_count = sizeof mods / sizeof mods[0], .modules = mods,
                         .data_count = sizeof data_files / sizeof data_files[0],
                         .data = data_files};
    (void)rt_table_find(&app, name);
    (void)rt_data_find(&app, name);
    free(s);
    return 0;
}
