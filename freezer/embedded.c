/* embedded.c — the Python sources the freezer carries (generated headers,
 * freezer/embed_source.py; the list is freezer/meson.build's), each in
 * this one translation unit, found by file name. */
#include <string.h>

#include "cryo_files_py.h"
#include "fz.h"
#include "inspect_format_py.h"
#include "pyproject_py.h"
#include "sbom_py.h"

static const struct {
    const char *name, *source;
} sources[] = {
    {"cryo_files.py", cryo_files_py},         /* packed into programs as _cryo_files */
    {"inspect_format.py", inspect_format_py}, /* cryo inspect's output */
    {"pyproject.py", pyproject_py},           /* [tool.cryo], [project.scripts] */
    {"sbom.py", sbom_py},                     /* cryo build --sbom */
};

const char *fz_embedded_source(const char *name)
{
    for (size_t i = 0; i < sizeof sources / sizeof *sources; i++)
        if (strcmp(sources[i].name, name) == 0)
            return sources[i].source;
    return NULL;
}
