/* elfdeps.c — the shared libraries an extension module needs, found as the
 * dynamic loader would find them, read with elfutils' libelf.
 *
 * For each DT_NEEDED name of an object, in ld.so's order (ld.so(8)):
 *   1. a name with a slash is a path;
 *   2. the object's DT_RPATH, if it has no DT_RUNPATH;
 *   3. its DT_RUNPATH ($ORIGIN and ${ORIGIN}: the object's directory);
 *   4. the system's libraries in ld.so.cache's order (`ldconfig -p`, read
 *      once per build);
 *   5. the default directories, /lib/x86_64-linux-gnu, /usr/lib/x86_64-
 *      linux-gnu, /lib, /usr/lib.
 * LD_LIBRARY_PATH is not used: the build machine's environment must not
 * decide what a program carries.  A candidate must be a 64-bit x86-64 ELF
 * shared object, as the loader requires.  glibc's own libraries (libc,
 * libm, libpthread, ...) are never packed: every target has its glibc, and
 * a second copy could not coexist with it.
 *
 * The closure is walked depth first; a library is listed after everything
 * it needs, so loading the list in order satisfies each DT_NEEDED by a
 * library already loaded (the loader matches them by SONAME).  Cycles are
 * cut where they close.
 */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fz.h"

/* glibc 2.36's libraries (Debian 12's libc6), by SONAME. */
static const char *const glibc_sonames[] = {
    "libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "librt.so.1",
    "libutil.so.1", "libresolv.so.2", "libanl.so.1", "libmvec.so.1", "libnsl.so.1",
    "libBrokenLocale.so.1", "libthread_db.so.1", "libc_malloc_debug.so.0",
    "ld-linux-x86-64.so.2", "libnss_files.so.2", "libnss_dns.so.2", "libnss_compat.so.2",
    "libnss_hesiod.so.2", "libmemusage.so", "libpcprofile.so", NULL};

int fz_elf_is_glibc(const char *soname)
{
    for (size_t i = 0; glibc_sonames[i]; i++)
        if (strcmp(glibc_sonames[i], soname) == 0)
            return 1;
    return 0;
}

void fz_elf_free(struct fz_elf *e)
{
    free(e->soname);
    fz_strv_free(&e->needed);
    fz_strv_free(&e->rpath);
    fz_strv_free(&e->runpath);
    memset(e, 0, sizeof *e);
}

/* Split a DT_RPATH/DT_RUNPATH value at ':' into `out`, $ORIGIN expanded. */
static void split_path(const char *value, const char *origin, struct fz_strv *out)
{
    char *copy = fz_xstrdup(value);
    for (char *tok = copy, *next; tok; tok = next) {
        next = strchr(tok, ':');
        if (next)
            *next++ = '\0';
        if (!*tok)
            continue;
        /* $ORIGIN or ${ORIGIN} anywhere in the entry. */
        char *out_s = fz_xstrdup("");
        for (const char *p = tok; *p;) {
            size_t k = 0;
            if (strncmp(p, "$ORIGIN", 7) == 0)
                k = 7;
            else if (strncmp(p, "${ORIGIN}", 9) == 0)
                k = 9;
            char *grown = k ? fz_printf("%s%s", out_s, origin) : fz_printf("%s%c", out_s, *p);
            free(out_s);
            out_s = grown;
            p += k ? k : 1;
        }
        fz_strv_push(out, out_s);
        free(out_s);
    }
    free(copy);
}

int fz_elf_read(const char *path, struct fz_elf *out, char **why)
{
    memset(out, 0, sizeof *out);
    *why = NULL;
    if (elf_version(EV_CURRENT) == EV_NONE) {
        *why = fz_xstrdup("libelf is unusable");
        return -1;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *why = fz_printf("cannot open it: %s", strerror(errno));
        return -1;
    }
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    int rc = -1;
    GElf_Ehdr eh;
    if (!elf || elf_kind(elf) != ELF_K_ELF || !gelf_getehdr(elf, &eh)) {
        *why = fz_xstrdup("it is not an ELF file");
        goto done;
    }
    if (gelf_getclass(elf) != ELFCLASS64 || eh.e_machine != EM_X86_64) {
        *why = fz_xstrdup("it is not a 64-bit x86-64 ELF file");
        goto done;
    }
    if (eh.e_type != ET_DYN) {
        *why = fz_xstrdup("it is not a shared object");
        goto done;
    }
    char *origin = fz_xstrdup(path);
    char *slash = strrchr(origin, '/');
    if (slash)
        *slash = '\0';
    Elf_Scn *scn = NULL;
    int found = 0;
    while ((scn = elf_nextscn(elf, scn))) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh)) {
            *why = fz_xstrdup("its section headers are damaged");
            free(origin);
            goto done;
        }
        if (sh.sh_type != SHT_DYNAMIC)
            continue;
        found = 1;
        Elf_Data *data = elf_getdata(scn, NULL);
        if (!data || sh.sh_entsize == 0) {
            *why = fz_xstrdup("its dynamic section is damaged or cut short");
            free(origin);
            goto done;
        }
        size_t n = data->d_size / sh.sh_entsize;
        char *runpath = NULL, *rpath = NULL;
        for (size_t i = 0; i < n; i++) {
            GElf_Dyn d;
            if (!gelf_getdyn(data, (int)i, &d))
                break;
            if (d.d_tag == DT_NULL)
                break;
            if (d.d_tag != DT_NEEDED && d.d_tag != DT_SONAME && d.d_tag != DT_RPATH
                && d.d_tag != DT_RUNPATH)
                continue;
            const char *s = elf_strptr(elf, sh.sh_link, d.d_un.d_val);
            if (!s) {
                *why = fz_xstrdup("its dynamic string table is damaged or cut short");
                free(runpath);
                free(rpath);
                free(origin);
                goto done;
            }
            if (d.d_tag == DT_NEEDED)
                fz_strv_push(&out->needed, s);
            else if (d.d_tag == DT_SONAME && !out->soname)
                out->soname = fz_xstrdup(s);
            else if (d.d_tag == DT_RPATH && !rpath)
                rpath = fz_xstrdup(s);
            else if (d.d_tag == DT_RUNPATH && !runpath)
                runpath = fz_xstrdup(s);
        }
        if (runpath)
            split_path(runpath, origin, &out->runpath);
        else if (rpath)
            split_path(rpath, origin, &out->rpath);
        free(runpath);
        free(rpath);
    }
    free(origin);
    if (!found) {
        *why = fz_xstrdup("it has no dynamic section");
        goto done;
    }
    rc = 0;
done:
    if (elf)
        elf_end(elf);
    close(fd);
    if (rc < 0)
        fz_elf_free(out);
    return rc;
}

/* ---- finding a library ---- */

static int cache_loaded;
static struct fz_strv cache_names, cache_paths; /* ld.so.cache, in its order */

static void load_ld_cache(void)
{
    if (cache_loaded)
        return;
    cache_loaded = 1;
    FILE *p = popen("/sbin/ldconfig -p 2>/dev/null", "r");
    if (!p)
        return;
    char line[PATH_MAX + 256];
    while (fgets(line, sizeof line, p)) {
        /* "\tlibz.so.1 (libc6,x86-64) => /lib/x86_64-linux-gnu/libz.so.1" */
        char *name = line + strspn(line, " \t");
        char *sp = strchr(name, ' ');
        char *arrow = strstr(line, " => ");
        if (!sp || !arrow || !strstr(line, "x86-64"))
            continue;
        *sp = '\0';
        char *path = arrow + 4;
        path[strcspn(path, "\n")] = '\0';
        fz_strv_push(&cache_names, name);
        fz_strv_push(&cache_paths, path);
    }
    pclose(p);
}

/* Whether `path` is a shared object the loader would take. */
static int loadable(const char *path)
{
    if (!fz_is_file(path))
        return 0;
    struct fz_elf e;
    char *why;
    int ok = fz_elf_read(path, &e, &why) == 0;
    free(why);
    if (ok)
        fz_elf_free(&e);
    return ok;
}

static char *in_dirs(const struct fz_strv *dirs, const char *name)
{
    for (size_t i = 0; i < dirs->n; i++) {
        char *p = fz_printf("%s/%s", dirs->v[i], name);
        if (loadable(p))
            return p;
        free(p);
    }
    return NULL;
}

char *fz_elf_find(const char *name, const struct fz_elf *from)
{
    if (strchr(name, '/'))
        return loadable(name) ? fz_xstrdup(name) : NULL;
    char *p = from->runpath.n ? NULL : in_dirs(&from->rpath, name);
    if (!p)
        p = in_dirs(&from->runpath, name);
    if (p)
        return p;
    load_ld_cache();
    for (size_t i = 0; i < cache_names.n; i++)
        if (strcmp(cache_names.v[i], name) == 0 && loadable(cache_paths.v[i]))
            return fz_xstrdup(cache_paths.v[i]);
    static const char *const defaults[] = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                                           "/lib", "/usr/lib"};
    struct fz_strv d = {0};
    for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++)
        fz_strv_push(&d, defaults[i]);
    p = in_dirs(&d, name);
    fz_strv_free(&d);
    return p;
}

/* ---- the closure ---- */

static long lib_index(const struct fz_libset *set, const char *name)
{
    for (size_t i = 0; i < set->n; i++)
        if (strcmp(set->v[i].name, name) == 0)
            return (long)i;
    return -1;
}

/* Visit the needs of `e` (the object at `path`), depth first. */
static int visit(const char *path, const struct fz_elf *e, struct fz_libset *set,
                 struct fz_strv *order, struct fz_strv *stack, struct fz_strv *missing)
{
    for (size_t i = 0; i < e->needed.n; i++) {
        const char *name = e->needed.v[i];
        if (fz_elf_is_glibc(name) || fz_strv_has(order, name) || fz_strv_has(stack, name))
            continue; /* glibc's; listed already; or a cycle closing */
        long k = lib_index(set, name);
        if (k < 0) {
            char *found = fz_elf_find(name, e);
            if (!found) {
                if (!fz_strv_has(missing, name))
                    fz_strv_push(missing, name);
                continue;
            }
            char *real = realpath(found, NULL);
            free(found);
            if (!real)
                real = fz_xstrdup(name);
            set->v = fz_xrealloc(set->v, (set->n + 1) * sizeof *set->v);
            k = (long)set->n++;
            memset(&set->v[k], 0, sizeof set->v[k]);
            set->v[k].name = fz_xstrdup(name);
            set->v[k].path = real;
            set->v[k].needed_by = fz_xstrdup(path);
        }
        struct fz_elf dep;
        char *why;
        const char *dep_path = set->v[k].path;
        if (fz_elf_read(dep_path, &dep, &why) < 0) {
            fz_error("'%s' (%s, needed by '%s') cannot be read: %s", dep_path, name, path, why);
            free(why);
            return -1;
        }
        if (!dep.soname)
            fz_warn("'%s' has no SONAME: the loader may not match it with '%s' and look for "
                    "that on the target", dep_path, name);
        fz_strv_push(stack, name);
        char *dep_path_copy = fz_xstrdup(dep_path);
        int rc = visit(dep_path_copy, &dep, set, order, stack, missing);
        free(dep_path_copy);
        stack->n--;
        free(stack->v[stack->n]);
        fz_elf_free(&dep);
        if (rc < 0)
            return -1;
        fz_strv_push(order, name);
    }
    return 0;
}

int fz_elf_closure(const char *path, struct fz_libset *set, struct fz_strv *order,
                   struct fz_strv *missing)
{
    struct fz_elf e;
    char *why;
    if (fz_elf_read(path, &e, &why) < 0) {
        fz_error("'%s' cannot be packed: %s", path, why);
        free(why);
        return -1;
    }
    struct fz_strv stack = {0};
    int rc = visit(path, &e, set, order, &stack, missing);
    fz_strv_free(&stack);
    fz_elf_free(&e);
    return rc;
}

void fz_libset_free(struct fz_libset *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->v[i].name);
        free(set->v[i].path);
        free(set->v[i].needed_by);
    }
    free(set->v);
    memset(set, 0, sizeof *set);
}
