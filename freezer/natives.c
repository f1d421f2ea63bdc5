/* natives.c — the standard library's extension modules that cryo's own
 * libpython has compiled static (tools/libpython/build.py).
 *
 * cryo's libpython is a cache entry holding libpython's core as one
 * partially link-time-optimised object and each other extension module
 * (Debian's lib-dynload ones) as its own object.  Its manifest.txt says
 * which; its format is defined once, in build.py's header comment, and
 * this is its only reader.  The freezer links the core into every program
 * and a module's object only when the program imports the module: it is
 * then a builtin of the executable (runtime/interp.c registers it), mapped
 * from the file, nothing written or copied at run time.  A module the
 * manifest has as a shared object (the table modules: unicodedata, the CJK
 * codecs) is packed instead, as a third-party extension module is
 * (graph.c, add_extension).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fz.h"

#define MANIFEST_MAGIC "cryo-libpython 3"

/* Split `line` at single spaces into sv (copies). */
static void split(const char *line, struct fz_strv *sv)
{
    const char *p = line;
    while (*p) {
        const char *e = strchr(p, ' ');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n) {
            char *w = fz_xmalloc(n + 1);
            memcpy(w, p, n);
            w[n] = '\0';
            fz_strv_push(sv, w);
            free(w);
        }
        p += n;
        if (*p == ' ')
            p++;
    }
}

static char *in_dir(const char *dir, const char *rel)
{
    return rel[0] == '/' ? fz_xstrdup(rel) : fz_printf("%s/%s", dir, rel);
}

int fz_natives_load(const char *dir, struct fz_natives *out)
{
    memset(out, 0, sizeof *out);
    char *path = fz_printf("%s/manifest.txt", dir);
    size_t len;
    char *text = fz_read_file(path, &len);
    int rc = -1;
    if (!text)
        goto done;
    out->dir = fz_xstrdup(dir);
    size_t lineno = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        if (lineno == 1) {
            if (strcmp(line, MANIFEST_MAGIC) != 0) {
                fz_error("'%s' is not a cryo libpython manifest of this version (first line "
                         "'%s', expected '%s'); rebuild it with tools/install-deps.sh",
                         path, line, MANIFEST_MAGIC);
                goto done;
            }
            continue;
        }
        struct fz_strv w = {0};
        split(line, &w);
        int ok = 1;
        if (w.n == 0) {
            /* blank line */
        } else if (strcmp(w.v[0], "python") == 0 && w.n == 2) {
            /* version, informative */
        } else if (strcmp(w.v[0], "core") == 0 && w.n == 2 && !out->core) {
            out->core = in_dir(dir, w.v[1]);
        } else if (strcmp(w.v[0], "frozen") == 0 && !out->has_frozen) {
            out->has_frozen = 1;
            for (size_t i = 1; i < w.n; i++)
                fz_strv_push(&out->frozen, w.v[i]);
        } else if (strcmp(w.v[0], "core-link") == 0) {
            for (size_t i = 1; i < w.n; i++)
                fz_strv_push(&out->core_link, w.v[i]);
        } else if (strcmp(w.v[0], "module") == 0 && w.n >= 3) {
            out->v = fz_xrealloc(out->v, (out->n + 1) * sizeof *out->v);
            struct fz_native *m = &out->v[out->n++];
            memset(m, 0, sizeof *m);
            m->name = fz_xstrdup(w.v[1]);
            m->object = in_dir(dir, w.v[2]);
            for (size_t i = 3; i < w.n; i++)
                fz_strv_push(&m->link, w.v[i]);
        } else if (strcmp(w.v[0], "shared") == 0 && w.n == 3) {
            out->v = fz_xrealloc(out->v, (out->n + 1) * sizeof *out->v);
            struct fz_native *m = &out->v[out->n++];
            memset(m, 0, sizeof *m);
            m->name = fz_xstrdup(w.v[1]);
            m->object = in_dir(dir, w.v[2]);
            m->shared = 1;
        } else {
            ok = 0;
        }
        fz_strv_free(&w);
        if (!ok) {
            fz_error("'%s', line %zu: cannot read '%s'; rebuild cryo's libpython with "
                     "tools/install-deps.sh", path, lineno, line);
            goto done;
        }
    }
    if (!out->core || !out->has_frozen) {
        fz_error("'%s' names no core object or no frozen modules; rebuild cryo's libpython with "
                 "tools/install-deps.sh", path);
        goto done;
    }
    if (!fz_is_file(out->core)) {
        fz_error("cryo's libpython is incomplete: '%s' is missing; rebuild it with "
                 "tools/install-deps.sh", out->core);
        goto done;
    }
    rc = 0;
done:
    free(text);
    free(path);
    if (rc < 0)
        fz_natives_free(out);
    return rc;
}

const struct fz_native *fz_natives_find(const struct fz_natives *nv, const char *name)
{
    if (!nv)
        return NULL;
    for (size_t i = 0; i < nv->n; i++)
        if (strcmp(nv->v[i].name, name) == 0)
            return &nv->v[i];
    return NULL;
}

int fz_natives_is_frozen(const struct fz_natives *nv, const char *name)
{
    /* A manifest always says (fz_natives_load); only tests make a
     * fz_natives without the list, to mean "as the interpreter has them". */
    return nv && nv->has_frozen ? fz_strv_has(&nv->frozen, name) : fz_py_is_libfrozen(name);
}

void fz_natives_free(struct fz_natives *nv)
{
    fz_strv_free(&nv->frozen);
    for (size_t i = 0; i < nv->n; i++) {
        free(nv->v[i].name);
        free(nv->v[i].object);
        fz_strv_free(&nv->v[i].link);
    }
    free(nv->v);
    free(nv->dir);
    free(nv->core);
    fz_strv_free(&nv->core_link);
    memset(nv, 0, sizeof *nv);
}
