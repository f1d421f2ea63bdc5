/* report.c — what a build put into an executable: the summary `cryo build`
 * prints at the end, and the JSON of `cryo build --report FILE`.
 *
 * JSON format (version 1), one object:
 *   "format": "cryo-build-report 1", "cryo": version, "python": version,
 *   "libpython": "cryo" | "debian", "output": path, "version": the
 *   program's (--app-version) or null, "size": bytes,
 *   "bytes": {"image": ELF bytes, "payload": bytes, "trailer": its bytes
 *             (image + payload + trailer = size), "modules": compressed
 *             code bytes, "natives": compressed native-file bytes,
 *             "data": compressed data bytes, "sources": compressed
 *             module-source bytes},
 *   "modules": [{"name", "path" (in the virtual tree), "source" (on disk, or
 *               null; in the packed copy, a file outside /usr is named by
 *               its path in the virtual tree: shown()), "origin": "user" | "stdlib" | "site" | "cryo",
 *               "package": bool, "reason", "bytes"}],
 *   "builtins": [{"name", "reason"}]   extension modules linked in,
 *   "extensions": [{"name", "path", "source", "reason", "bytes", "size",
 *                   "libraries": [names, in load order]}],
 *   "libraries": [{"name", "source", "reason", "bytes", "size"}],
 *   "data": [{"path", "source", "reason", "bytes", "size"}]
 * "bytes" is what a member takes in the payload (compressed), "size" what
 * it is once decoded.  Sorted as the executable holds them.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../bootloader/payload_format.h"
#include "cryo_config.h"
#include "fz.h"

static void jstr(FILE *f, const char *s)
{
    if (!s) {
        fputs("null", f);
        return;
    }
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

/* `"key": "value"` (value a JSON string or null), after ", " unless first. */
static void jkey(FILE *f, const char *key, const char *value, int first)
{
    fprintf(f, "%s\"%s\": ", first ? "" : ", ", key);
    jstr(f, value);
}

static const char *origin_name(const struct fz_module *m)
{
    if (m->source)
        return "cryo";
    switch (m->origin) {
    case FZ_ORIGIN_USER: return "user";
    case FZ_ORIGIN_SITE: return "site";
    default: return "stdlib";
    }
}

void fz_report_totals(const struct fz_graph *g, struct fz_report_totals *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < g->n; i++) {
        t->code += g->mods[i].zlen;
        t->packages += g->mods[i].is_package;
    }
    for (size_t i = 0; i < g->nexts; i++)
        t->natives += g->exts[i].zlen;
    for (size_t i = 0; i < g->nlibs; i++)
        t->natives += g->libs[i].zlen;
    for (size_t i = 0; i < g->ndata; i++)
        t->data += g->data[i].zlen;
    for (size_t i = 0; i < g->nchunks; i++)
        t->sources += g->chunks[i].zlen;
}

void fz_report_summary(const struct fz_graph *g, uint64_t image, uint64_t payload)
{
    struct fz_report_totals t;
    fz_report_totals(g, &t);
    fprintf(stderr,
            "cryo:   %zu modules (%zu packages) %.1f MB; %zu builtin extension modules; "
            "%zu extension modules + %zu libraries %.1f MB; %zu data files %.1f MB; "
            "sources %.1f MB; program image %.1f MB, payload %.1f MB\n",
            g->n, t.packages, (double)t.code / 1e6, g->natives.n, g->nexts, g->nlibs,
            (double)t.natives / 1e6, g->ndata, (double)t.data / 1e6,
            (double)t.sources / 1e6, (double)image / 1e6,
            (double)payload / 1e6);
}

/* Where a file came from, as the report says it.  The copy packed into
 * the executable must not depend on the directory the build ran in (the
 * same inputs give the same bytes anywhere): there, a file from outside
 * the system's directories (the program's own, a virtual environment's)
 * is named by its path in the virtual tree instead, and the output by its
 * base name.  The --report file keeps full paths. */
static const char *shown(const char *disk, const char *vpath, int packed)
{
    if (packed && disk && strncmp(disk, "/usr/", 5) != 0)
        return vpath;
    return disk;
}

static void native_entry(FILE *f, const struct fz_native_file *x, int ext, int packed)
{
    fputs("    {", f);
    jkey(f, "name", x->name, 1);
    if (ext)
        jkey(f, "path", x->vpath, 0);
    jkey(f, "source", shown(x->disk_path, ext ? x->vpath : x->name, packed), 0);
    jkey(f, "reason", x->reason, 0);
    fprintf(f, ", \"bytes\": %zu, \"size\": %u", x->zlen, x->size);
    if (ext) {
        fputs(", \"libraries\": [", f);
        for (size_t k = 0; k < x->deps.n; k++) {
            fputs(k ? ", " : "", f);
            jstr(f, x->deps.v[k]);
        }
        fputc(']', f);
    }
    fputc('}', f);
}

void fz_report_json(FILE *f, const struct fz_graph *g, const struct fz_report_options *o,
                    int sizes, uint64_t image, uint64_t payload)
{
    const char *output = o->output;
    int own_libpython = o->own_libpython;
    struct fz_report_totals t;
    fz_report_totals(g, &t);
    fprintf(f, "{\n  \"format\": \"cryo-build-report 1\",\n  \"cryo\": \"%s\",\n"
               "  \"python\": \"%s\",\n  \"libpython\": \"%s\",\n  \"output\": ",
            CRYO_VERSION_STRING, CRYO_PYTHON_VERSION, own_libpython ? "cryo" : "debian");
    const char *slash = output && !sizes ? strrchr(output, '/') : NULL;
    jstr(f, slash ? slash + 1 : output);
    fputs(",\n  \"version\": ", f);
    jstr(f, o->version);
    fputs(",\n  \"options\": {", f);
    jkey(f, "allocator", o->allocator, 1);
    jkey(f, "gc", o->gc, 0);
    jkey(f, "native", o->native, 0);
    fprintf(f, ", \"allow_python_env\": %s, \"optimize\": %d}",
            o->allow_python_env ? "true" : "false", o->optimize);
    if (sizes)
        fprintf(f, ",\n  \"size\": %llu,\n  \"bytes\": {\"image\": %llu, \"payload\": %llu, "
                   "\"trailer\": %d, ", (unsigned long long)(image + payload + BL_TRAILER_SIZE),
                (unsigned long long)image, (unsigned long long)payload, BL_TRAILER_SIZE);
    else
        fputs(",\n  \"bytes\": {", f);
    fprintf(f, "\"modules\": %llu, \"natives\": %llu, \"data\": %llu, \"sources\": %llu},\n"
               "  \"modules\": [\n",
            (unsigned long long)t.code, (unsigned long long)t.natives,
            (unsigned long long)t.data, (unsigned long long)t.sources);
    for (size_t i = 0; i < g->n; i++) {
        const struct fz_module *m = &g->mods[i];
        fputs("    {", f);
        jkey(f, "name", m->name, 1);
        jkey(f, "path", m->vpath, 0);
        jkey(f, "source", shown(m->disk_path, m->vpath, !sizes), 0);
        jkey(f, "origin", origin_name(m), 0);
        fprintf(f, ", \"package\": %s", m->is_package ? "true" : "false");
        jkey(f, "reason", m->reason, 0);
        fprintf(f, ", \"bytes\": %zu}%s\n", m->zlen, i + 1 < g->n ? "," : "");
    }
    fputs("  ],\n  \"builtins\": [\n", f);
    for (size_t i = 0; i < g->natives.n; i++) {
        fputs("    {", f);
        jkey(f, "name", g->natives.v[i], 1);
        jkey(f, "reason", g->native_reasons.v[i], 0);
        fprintf(f, "}%s\n", i + 1 < g->natives.n ? "," : "");
    }
    fputs("  ],\n  \"extensions\": [\n", f);
    for (size_t i = 0; i < g->nexts; i++) {
        native_entry(f, &g->exts[i], 1, !sizes);
        fputs(i + 1 < g->nexts ? ",\n" : "\n", f);
    }
    fputs("  ],\n  \"libraries\": [\n", f);
    for (size_t i = 0; i < g->nlibs; i++) {
        native_entry(f, &g->libs[i], 0, !sizes);
        fputs(i + 1 < g->nlibs ? ",\n" : "\n", f);
    }
    fputs("  ],\n  \"data\": [\n", f);
    for (size_t i = 0; i < g->ndata; i++) {
        const struct fz_data *d = &g->data[i];
        fputs("    {", f);
        jkey(f, "path", d->vpath, 1);
        jkey(f, "source", shown(d->disk_path, d->vpath, !sizes), 0);
        jkey(f, "reason", d->reason, 0);
        fprintf(f, ", \"bytes\": %zu, \"size\": %u}%s\n", d->zlen, d->usize,
                i + 1 < g->ndata ? "," : "");
    }
    fputs("  ]\n}\n", f);
}

int fz_write_file_atomic(const char *path, const char *data, size_t len, const char *what)
{
    char *tmp = fz_printf("%s.cryo-tmp-XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        fz_error("cannot write %s '%s': %s", what, path, strerror(errno));
        free(tmp);
        return -1;
    }
    int ok = 1;
    for (size_t w = 0; ok && w < len;) {
        ssize_t n = write(fd, data + w, len - w);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (ok)
            w += (size_t)n;
    }
    ok = ok && fsync(fd) == 0;
    int saved = errno;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        if (ok)
            saved = errno;
        fz_error("cannot write %s '%s': %s", what, path, strerror(saved ? saved : EIO));
        unlink(tmp);
        free(tmp);
        return -1;
    }
    free(tmp);
    return 0;
}

int fz_report_write(const struct fz_graph *g, const char *path,
                    const struct fz_report_options *o, uint64_t image, uint64_t payload)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) {
        fz_error("out of memory");
        return -1;
    }
    fz_report_json(f, g, o, 1, image, payload);
    fclose(f);
    int rc = fz_write_file_atomic(path, text, len, "the report");
    free(text);
    return rc;
}

char *fz_sbom_make(const char *report, const struct fz_strv *archives, const char *app)
{
    PyObject *list = PyList_New(0);
    for (size_t i = 0; list && i < archives->n; i++) {
        PyObject *s = PyUnicode_DecodeFSDefault(archives->v[i]);
        if (!s || PyList_Append(list, s) < 0)
            Py_CLEAR(list);
        Py_XDECREF(s);
    }
    PyObject *out = list ? fz_py_call_source("sbom.py", "make", "(sOs)", report, list,
                                             app)
                         : NULL;
    const char *s = out ? PyUnicode_AsUTF8(out) : NULL;
    char *text = s ? fz_xstrdup(s) : NULL;
    if (!text) {
        PyErr_Print();
        fz_error("cannot make the software bill of materials (see above)");
    }
    Py_XDECREF(out);
    Py_XDECREF(list);
    return text;
}
