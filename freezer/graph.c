/* graph.c — find every module a script needs, and compile each.
 *
 * Starting from the script, each module is compiled, its imports are read
 * from its bytecode (scan_imports.c), and each imported name is looked up
 * the way python3.11 would find it: builtin modules and the modules frozen
 * into libpython first, then the script's directory, the --path
 * directories, Debian's standard library, and the site directories
 * (fz_site_dirs: third-party distributions), in that order.
 *
 * What is packed (see ../../shared/DESIGN.md, "What to pack"):
 *   - every module reached by a static import, in any function;
 *   - a package of the user's (script directory, --path) or of a site
 *     directory that the program imports is packed whole, with every module
 *     below it, since code often imports submodules by computed names, and
 *     with its data files (every other file but caches, dotfiles and .so);
 *     third-party test suites are left out;
 *   - a top-level module of those brings its distribution: the metadata
 *     directory that names it (top_level.txt, else RECORD), packed as data
 *     for importlib.metadata, and the distribution's other top-level
 *     modules;
 *   - `encodings` always, whole: codecs are looked up by name at run time;
 *   - standard-library packages are not packed whole: they import their
 *     submodules statically (except encodings), and packing them whole
 *     would add hundreds of modules (lib2to3, distutils, test) to every
 *     program;
 *   - the standard library's own imports of developer tools (doctest, pdb,
 *     unittest, pydoc, ...) are not followed: it makes them only from
 *     self-tests and debugging helpers, and following them would pull in a
 *     third of the standard library.  User code that imports them gets
 *     them, and so does --include-module.
 * Modules frozen into libpython (os, io, codecs, ...) and builtin modules
 * are not packed: the runtime gets them from libpython, as python3.11
 * does, but their imports are followed.
 *
 * Missing modules are collected with the importing file and line.  An
 * unguarded import from the user's own code (not the standard library)
 * that cannot be found stops the build; every other miss is reported as a
 * note (the standard library imports platform modules such as `nt` or
 * `_winapi` under run-time conditions).
 */
#define _GNU_SOURCE /* memmem */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../bootloader/bootloader.h"
#include "fz.h"

struct root {
    const char *dir;
    enum fz_origin origin;
};

/* A distribution's metadata directory (PEP 376 *.dist-info, or setuptools'
 * *.egg-info) in a root, and the top-level names it installs. */
struct dist {
    char *root, *dir_name;
    struct fz_strv tops;
    int packed;
};

struct miss {
    char *name, *where, *why;
    int line, guarded;
    enum fz_origin origin;
};

struct ctx {
    const struct fz_graph_options *opt;
    struct fz_graph *g;
    struct root roots[64];
    size_t nroots;
    size_t next;                  /* queue: modules [next, g->n) not yet compiled */
    struct fz_strv libfrozen_seen;/* libpython-frozen modules already scanned */
    struct fz_strv absent;        /* names looked up and not found */
    struct fz_strv native;        /* ...of which native extension modules */
    struct miss *misses;
    size_t nmiss, capmiss;
    struct dist *dists;           /* distributions' metadata, per root */
    size_t ndists, capdists;
    struct fz_strv dist_roots;    /* roots whose metadata is in dists */
    struct fz_libset libset;      /* libraries the packed extensions need */
    /* Module-shaped C strings of third-party extension modules' files:
     * what they may import from C at start, which no bytecode scan sees
     * (numpy's bit_generator imports secrets, so hmac and _hashlib).
     * Start roots for unlink_cold_natives only: as roots of fz_cold_prepare
     * their false matches would deep-freeze modules no start imports
     * (tools/bench.py's real_yaml: +170 KB).  Unsorted, with repeats. */
    struct fz_strv c_names;
    int failed;
};

/* ---- small helpers ---- */

static int is_identifier(const char *s, size_t len)
{
    if (len == 0 || (s[0] >= '0' && s[0] <= '9'))
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9') || c >= 0x80))
            return 0;
    }
    return 1;
}

/* Standard-library modules not followed from other standard-library
 * modules (see the header comment). */
static const char *const stdlib_dev_tools[] = {
    "doctest", "pdb", "pydoc", "pydoc_data", "unittest", "lib2to3", "distutils", "test",
    "idlelib", "tkinter", "turtle", "turtledemo", "ensurepip", "venv", "xmlrpc.server",
    "_pyrepl", "trace", "profile", "cProfile", "pstats", "timeit", "tabnanny", "pyclbr",
    "py_compile", "compileall", "zipapp", "webbrowser", NULL};

/* Standard-library modules that import others by computed names, which a
 * bytecode scan cannot see: when the first is packed, so are the second
 * (a trailing '*' packs every top-level module with that prefix). */
static const char *const stdlib_computed_imports[][2] = {
    {"sysconfig", "_sysconfigdata_*"},           /* __import__(_get_sysconfigdata_name()) */
    {"xml.sax", "xml.sax.expatreader"},         /* make_parser's default driver */
    {NULL, NULL},
};

/* Packaging tools that third-party code imports only as a fallback, inside
 * try/except ImportError (pygments' plugin loader falls back on
 * pkg_resources when importlib.metadata is missing, which on 3.11 it never
 * is), or inside functions that only its build or test runs call (numpy's
 * test runner imports numpy.distutils; so does ctypeslib.load_library for
 * a name without a suffix): guarded and function-level imports of them
 * from site-directory code are not followed (numpy: 179 modules, 2.2 MB).
 * Following them packs setuptools whole, and through its own optional
 * imports numpy and jinja2: 30 MB for a pygments program.  An unguarded
 * import, or one from the user's code, still packs them.  Packing a
 * package whole leaves out its subpackages of this list too (numpy's
 * distutils, its build tool, which imports setuptools). */
static const char *const site_build_tools[] = {
    "setuptools", "pkg_resources", "pip", "distutils", "_distutils_hack", "wheel",
    "numpy.distutils", NULL};

/* Imports that modules frozen into libpython make inside functions that
 * only the imported module's own users reach: importlib's path finder
 * imports importlib.metadata in find_distributions(), which only
 * importlib.metadata calls, and importlib.readers in
 * get_resource_reader(), which only importlib.resources calls.  Followed,
 * they pack importlib.metadata and everything it imports (zipfile, email,
 * tempfile, random, hashlib with OpenSSL, statistics with _decimal) into
 * every program: 3 MB on hello world. */
static const char *const libfrozen_lazy_imports[][2] = {
    {"_frozen_importlib_external", "importlib.metadata"},
    {"_frozen_importlib_external", "importlib.readers"},
    /* The same module, packed under its own name (importlib imports it). */
    {"importlib._bootstrap_external", "importlib.metadata"},
    {"importlib._bootstrap_external", "importlib.readers"},
    /* cryo's own finder (runtime/cryo_files.py), the same way: its
     * find_distributions() is called only by importlib.metadata. */
    {"_cryo_files", "importlib.metadata"},
    {NULL, NULL},
};

/* Guarded fallbacks that never run: the module tries one of libpython's
 * core builtins first, which is always there.  random falls back on
 * hashlib (and so on OpenSSL: 4 MB) only when _sha512 is missing.
 * {importer, fallback}. */
static const char *const core_builtin_fallbacks[][2] = {
    {"random", "hashlib"},
    {NULL, NULL},
};

/* Whether {importer, name} is a row of `table` (libfrozen_lazy_imports,
 * core_builtin_fallbacks). */
static int import_listed(const char *const (*table)[2], const char *importer, const char *name)
{
    for (size_t i = 0; table[i][0]; i++)
        if (strcmp(table[i][0], importer) == 0 && strcmp(table[i][1], name) == 0)
            return 1;
    return 0;
}

static int name_in(const char *name, const char *const *list)
{
    for (size_t i = 0; list[i]; i++) {
        size_t n = strlen(list[i]);
        if (strncmp(name, list[i], n) == 0 && (name[n] == '\0' || name[n] == '.'))
            return 1;
    }
    return 0;
}


/* NAME or a submodule of NAME was excluded with --exclude-module. */
static int excluded(const struct ctx *c, const char *name)
{
    for (size_t i = 0; i < c->opt->excludes.n; i++) {
        const char *x = c->opt->excludes.v[i];
        size_t n = strlen(x);
        if (strncmp(name, x, n) == 0 && (name[n] == '\0' || name[n] == '.'))
            return 1;
    }
    return 0;
}

static struct fz_module *find(struct fz_graph *g, const char *name)
{
    /* Linear: a program has a few hundred modules at most. */
    for (size_t i = 0; i < g->n; i++)
        if (strcmp(g->mods[i].name, name) == 0)
            return &g->mods[i];
    return NULL;
}

static struct fz_module *add(struct ctx *c, const char *name)
{
    struct fz_graph *g = c->g;
    if (g->n == g->cap) {
        g->cap = g->cap ? 2 * g->cap : 64;
        g->mods = fz_xrealloc(g->mods, g->cap * sizeof *g->mods);
    }
    struct fz_module *m = &g->mods[g->n++];
    memset(m, 0, sizeof *m);
    m->name = fz_xstrdup(name);
    return m;
}

char *fz_resolve_relative(const char *importer, int is_package, const char *name, int level)
{
    /* The package the import is relative to: the importer itself if it is
     * a package, else its parent; then one level up per extra dot. */
    char *base = fz_xstrdup(importer);
    if (!is_package) {
        char *dot = strrchr(base, '.');
        if (!dot) {
            free(base);
            return NULL; /* a top-level module has no package */
        }
        *dot = '\0';
    }
    for (int i = 1; i < level; i++) {
        char *dot = strrchr(base, '.');
        if (!dot) {
            free(base);
            return NULL; /* beyond the top-level package */
        }
        *dot = '\0';
    }
    char *r = name && *name ? fz_printf("%s.%s", base, name) : fz_xstrdup(base);
    free(base);
    return r;
}

static void record_miss(struct ctx *c, const char *name, const struct fz_module *from, int line,
                        int guarded, const char *why)
{
    const char *where = from->disk_path ? from->disk_path : from->vpath;
    for (size_t i = 0; i < c->nmiss; i++)
        if (strcmp(c->misses[i].name, name) == 0 && strcmp(c->misses[i].where, where) == 0
            && c->misses[i].line == line)
            return;
    if (c->nmiss == c->capmiss) {
        c->capmiss = c->capmiss ? 2 * c->capmiss : 16;
        c->misses = fz_xrealloc(c->misses, c->capmiss * sizeof *c->misses);
    }
    struct miss *ms = &c->misses[c->nmiss++];
    ms->name = fz_xstrdup(name);
    ms->where = fz_xstrdup(where);
    ms->why = fz_xstrdup(why);
    ms->line = line;
    ms->guarded = guarded;
    ms->origin = from->origin;
}

/* ---- finding modules on disk ---- */

static const char *const native_suffixes[] = {
    ".cpython-311-x86_64-linux-gnu.so", ".abi3.so", ".so", NULL};

/* The native extension module named `last` in `dir` (malloc'd path), or
 * NULL; importlib's order of suffixes. */
static char *native_path(const char *dir, const char *last)
{
    for (int i = 0; native_suffixes[i]; i++) {
        char *p = fz_printf("%s/%s%s", dir, last, native_suffixes[i]);
        if (fz_is_file(p))
            return p;
        free(p);
    }
    return NULL;
}

static int has_native(const char *dir, const char *last)
{
    char *p = native_path(dir, last);
    free(p);
    return p != NULL;
}

/* The module name a native file's name gives ("_yaml" for
 * "_yaml.cpython-311-x86_64-linux-gnu.so"), or NULL. */
static char *native_stem(const char *file)
{
    size_t len = strlen(file);
    for (int i = 0; native_suffixes[i]; i++) {
        size_t k = strlen(native_suffixes[i]);
        if (len > k && strcmp(file + len - k, native_suffixes[i]) == 0
            && is_identifier(file, len - k))
            return fz_printf("%.*s", (int)(len - k), file);
    }
    return NULL;
}

static struct fz_native_file *find_ext(struct fz_graph *g, const char *name)
{
    for (size_t i = 0; i < g->nexts; i++)
        if (strcmp(g->exts[i].name, name) == 0)
            return &g->exts[i];
    return NULL;
}

/* Files that a packed library opens by path at run time, from a directory
 * it takes from an environment variable: when the library is packed, so
 * are they, and the runtime points the variable at where it puts them
 * (runtime/native_files.c).  OpenSSL 3 loads its provider modules
 * (legacy.so: cryptography loads it at import) from OPENSSL_MODULES, else
 * from ossl-modules beside libcrypto.  {library, directory beside it,
 * variable}. */
static const char *const lib_dirs[][3] = {
    {"libcrypto.so.3", "ossl-modules", "OPENSSL_MODULES"},
    {NULL, NULL, NULL},
};

static void add_lib_dirs(struct ctx *c)
{
    struct fz_graph *g = c->g;
    for (size_t k = 0; lib_dirs[k][0]; k++) {
        const struct fz_native_file *lib = NULL;
        for (size_t i = 0; i < g->nlibs; i++)
            if (strcmp(g->libs[i].name, lib_dirs[k][0]) == 0)
                lib = &g->libs[i];
        if (!lib)
            continue;
        char *dir = fz_xstrdup(lib->disk_path);
        char *slash = strrchr(dir, '/');
        if (slash)
            *slash = '\0';
        char *sub = fz_printf("%s/%s", dir, lib_dirs[k][1]);
        struct fz_strv names = {0};
        fz_list_dir(sub, &names);
        for (size_t i = 0; i < names.n; i++) {
            char *path = fz_printf("%s/%s", sub, names.v[i]);
            size_t len = strlen(names.v[i]);
            if (len > 3 && strcmp(names.v[i] + len - 3, ".so") == 0 && fz_is_file(path)) {
                g->libs = fz_xrealloc(g->libs, (g->nlibs + 1) * sizeof *g->libs);
                struct fz_native_file *l = &g->libs[g->nlibs++];
                memset(l, 0, sizeof *l);
                l->name = fz_printf("%s/%s", lib_dirs[k][1], names.v[i]);
                l->disk_path = path;
                l->reason = fz_printf("%s opens it by path from $%s", lib_dirs[k][0],
                                      lib_dirs[k][2]);
                l->dir_env = lib_dirs[k][2];
                path = NULL;
            }
            free(path);
        }
        fz_strv_free(&names);
        free(sub);
        free(dir);
    }
}

/* Modules that extension modules import from C (PyImport_ImportModule),
 * which no bytecode scan sees: an extension whose file holds the name
 * brings the module.  cffi's out-of-line modules (cryptography's
 * _openssl, among others) import its backend that way. */
static const char *const c_imports[] = {"_cffi_backend", NULL};

/* The same for the standard library's extension modules, which cryo's
 * libpython may link in (no file to look at), by name: {extension,
 * module}.  With Debian's libpython they are builtins or lib-dynload
 * files, and python3.11 has them all. */
static const char *const stdlib_c_imports[][2] = {
    {"_elementtree", "pyexpat"},      /* its parser, PyCapsule_Import */
    {"_datetime", "_strptime"},       /* datetime.strptime() */
    {"_pickle", "copyreg"},
    {"_pickle", "_compat_pickle"},
    {"_codecs_cn", "_multibytecodec"}, /* the CJK codecs' common part */
    {"_codecs_hk", "_multibytecodec"},
    {"_codecs_iso2022", "_multibytecodec"},
    {"_codecs_jp", "_multibytecodec"},
    {"_codecs_kr", "_multibytecodec"},
    {"_codecs_tw", "_multibytecodec"},
    {NULL, NULL},
};

static struct fz_module *need(struct ctx *c, const char *name, const struct fz_module *from,
                              int line, int guarded, const char *reason);

static void add_stdlib_c_imports(struct ctx *c, const char *name)
{
    for (size_t i = 0; stdlib_c_imports[i][0]; i++)
        if (strcmp(stdlib_c_imports[i][0], name) == 0) {
            struct fz_module from = {.name = (char *)name, .vpath = (char *)name,
                                     .origin = FZ_ORIGIN_STDLIB};
            need(c, stdlib_c_imports[i][1], &from, 0, 1, NULL);
        }
}

/* Debian's builtins that cryo's libpython links only when imported (math,
 * cmath, _struct, array, ...): python3.11 always has them, and compiled
 * extensions import them by name from C (Cython's modules: pandas imports
 * cmath so).  Any such name the file holds as a C string of its own (a NUL
 * before and after) links the module; a string that is no import costs
 * only that module's size. */
static void add_builtin_c_imports(struct ctx *c, const char *name, const char *bytes,
                                  size_t len, int record)
{
    const char *end = bytes + len;
    for (const char *p = bytes; p < end;) {
        const char *z = memchr(p, '\0', (size_t)(end - p));
        if (!z)
            break;
        size_t n = (size_t)(z - p);
        size_t ok = 0; /* a module name's characters: most of a binary is not */
        if (n >= 3 && n <= 24 && p > bytes && p[-1] == '\0')
            while (ok < n && ((p[ok] >= 'a' && p[ok] <= 'z') || p[ok] == '_'
                              || (ok && p[ok] >= '0' && p[ok] <= '9')))
                ok++;
        if (ok == n && n) {
            char word[25];
            memcpy(word, p, n);
            word[n] = '\0';
            if (record)
                fz_strv_push(&c->c_names, word);
            const struct fz_native *nat =
                c->opt->natives ? fz_natives_find(c->opt->natives, word) : NULL;
            if (nat && !nat->shared && !fz_strv_has(&c->g->natives, word)
                && fz_py_is_builtin(word)) {
                char *why = fz_printf("imported from C by %s", name);
                need(c, word, NULL, 0, 1, why);
                free(why);
            }
        }
        p = z + 1;
    }
}

static int path_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return strncmp(path, dir, n) == 0 && path[n] == '/';
}

/* `bytes`: the extension's file (len bytes); `third_party`: not the
 * standard library's (whose imports from C are known: stdlib_c_imports),
 * so what its strings name may be imported at start (ctx.c_names). */
static void add_c_imports(struct ctx *c, const char *name, const char *bytes, size_t len,
                          int third_party)
{
    add_stdlib_c_imports(c, name);
    add_builtin_c_imports(c, name, bytes, len, third_party);
    for (size_t i = 0; c_imports[i]; i++) {
        size_t k = strlen(c_imports[i]) + 1; /* with its NUL: a C string */
        if (strcmp(c_imports[i], name) != 0 && memmem(bytes, len, c_imports[i], k)) {
            struct fz_module from = {.name = (char *)name, .vpath = (char *)name,
                                     .origin = FZ_ORIGIN_SITE};
            need(c, c_imports[i], &from, 0, 1, NULL);
        }
    }
}

/* Pack the extension module `name`, the file `path`, and the libraries it
 * needs.  0, or -1 after reporting. */
static int add_extension(struct ctx *c, const char *name, const char *path, const char *reason)
{
    struct fz_graph *g = c->g;
    if (find_ext(g, name))
        return 0;
    struct fz_strv order = {0}, missing = {0};
    if (fz_elf_closure(path, &c->libset, &order, &missing) < 0) {
        c->failed = 1;
        fz_strv_free(&order);
        fz_strv_free(&missing);
        return -1;
    }
    for (size_t i = 0; i < missing.n; i++) {
        if (fz_strv_has(&c->opt->allow_missing_libs, missing.v[i]))
            continue;
        fz_error("extension module '%s' ('%s') needs the shared library '%s', which is not on "
                 "this machine; install it (its Debian package: apt-file search %s), or build "
                 "without it with --allow-missing-lib %s", name, path, missing.v[i],
                 missing.v[i], missing.v[i]);
        c->failed = 1;
    }
    fz_strv_free(&missing);
    g->exts = fz_xrealloc(g->exts, (g->nexts + 1) * sizeof *g->exts);
    struct fz_native_file *e = &g->exts[g->nexts++];
    memset(e, 0, sizeof *e);
    e->name = fz_xstrdup(name);
    e->disk_path = realpath(path, NULL);
    if (!e->disk_path)
        e->disk_path = fz_xstrdup(path);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    char *dir = fz_xstrdup(name);
    char *dot = strrchr(dir, '.');
    if (dot) {
        *dot = '\0';
        for (char *p = dir; *p; p++)
            if (*p == '.')
                *p = '/';
        e->vpath = fz_printf("%s/%s", dir, base);
    } else {
        e->vpath = fz_xstrdup(base);
    }
    free(dir);
    e->reason = fz_xstrdup(reason);
    e->deps = order;
    /* Read here for the modules it imports from C; compressed for the
     * payload later, with the others (fz_natives_prepare). */
    size_t len;
    char *bytes = fz_read_file(e->disk_path, &len);
    const struct fz_native *nat = fz_natives_find(c->opt->natives, name);
    e->stdlib_table = nat && nat->shared && strcmp(nat->object, path) == 0;
    if (!bytes) {
        free(bytes);
        c->failed = 1;
        return -1;
    }
    char *nm = fz_xstrdup(name);
    /* (cryo's table modules import only what stdlib_c_imports says;
     * fz_natives_prepare compresses them) */
    if (e->stdlib_table)
        add_stdlib_c_imports(c, nm); /* may grow g->exts: e is not used after */
    else
        add_c_imports(c, nm, bytes, len, !path_under(path, c->opt->stdlib_dir)); /* the same */
    free(nm);
    free(bytes);
    return c->failed ? -1 : 0;
}

/* Fill m from what `dir` holds for module `last`; 1 if found, 0 if not,
 * 2 if only a native extension is there, 3 if only a directory is there:
 * a portion of a namespace package (PEP 420), m->pkg_dir set. */
static int probe(const char *dir, const char *last, struct fz_module *m)
{
    char *p = fz_printf("%s/%s/__init__.py", dir, last);
    if (fz_is_file(p)) {
        m->disk_path = p;
        m->pkg_dir = fz_printf("%s/%s", dir, last);
        m->is_package = 1;
        return 1;
    }
    free(p);
    /* importlib's FileFinder tries extension modules before source files:
     * where both exist, python3.11 runs the native one. */
    if (has_native(dir, last))
        return 2;
    p = fz_printf("%s/%s.py", dir, last);
    if (fz_is_file(p)) {
        m->disk_path = p;
        return 1;
    }
    free(p);
    p = fz_printf("%s/%s", dir, last);
    if (fz_is_dir(p)) {
        m->pkg_dir = p;
        m->is_package = 1;
        return 3;
    }
    free(p);
    return 0;
}

static char *vpath_for(const char *name, int is_package)
{
    char *v = is_package ? fz_printf("%s/__init__.py", name) : fz_printf("%s.py", name);
    for (char *s = v; *s; s++)
        if (*s == '.' && strcmp(s, ".py") != 0)
            *s = '/';
    return v;
}


/* ---- package data and distribution metadata ---- */

/* Names never packed as data: caches, compiled files, dotfiles.  Native
 * files (.so, .so.N) are not data either: extension modules and the
 * libraries they need are packed as native files. */
static int is_data_name(const char *n)
{
    size_t len = strlen(n);
    if (n[0] == '.' || strcmp(n, "__pycache__") == 0)
        return 0;
    static const char *const skip_suffixes[] = {".py", ".pyc", ".pyo", ".so", NULL};
    for (size_t i = 0; skip_suffixes[i]; i++) {
        size_t k = strlen(skip_suffixes[i]);
        if (len >= k && strcmp(n + len - k, skip_suffixes[i]) == 0)
            return 0;
    }
    /* A versioned shared library (libfoo.so.1.2): packed, if an extension
     * needs it, as a library. */
    const char *so = strstr(n, ".so.");
    if (so && so[4] && strspn(so + 4, "0123456789.") == strlen(so + 4))
        return 0;
    return 1;
}

/* Files of a package that only its build and its test runner import:
 * setup.py (numpy has one per subpackage, each importing numpy.distutils,
 * and through it distutils, multiprocessing and curses: 1.3 MB packed) and
 * pytest's conftest.py.  Left out when a third-party or standard-library
 * package is packed whole, as its test directories are; an import of one
 * from code that is followed still packs it. */
static int is_dev_file(const char *n)
{
    return strcmp(n, "setup.py") == 0 || strcmp(n, "conftest.py") == 0;
}

static int is_test_dir(const char *n)
{
    return strcmp(n, "test") == 0 || strcmp(n, "tests") == 0 || strcmp(n, "idle_test") == 0;
}

/* Pack the file `disk` as `vpath`.  0, or -1 after reporting. */
static int add_data_file(struct ctx *c, const char *disk, const char *vpath, const char *reason)
{
    struct fz_graph *g = c->g;
    for (size_t i = 0; i < c->opt->exclude_data.n; i++)
        if (fnmatch(c->opt->exclude_data.v[i], vpath, 0) == 0)
            return 0; /* --exclude-data */
    for (size_t i = 0; i < g->ndata; i++)
        if (strcmp(g->data[i].vpath, vpath) == 0)
            return 0;
    size_t len;
    char *bytes = fz_read_file(disk, &len);
    if (!bytes) {
        c->failed = 1;
        return -1;
    }
    if (len > BL_ENTRY_MAX_SIZE) {
        fz_error("'%s' is too large to pack (%zu bytes; at most %u)", disk, len,
                 (unsigned)BL_ENTRY_MAX_SIZE);
        free(bytes);
        c->failed = 1;
        return -1;
    }
    if (g->ndata == g->capdata) {
        g->capdata = g->capdata ? 2 * g->capdata : 32;
        g->data = fz_xrealloc(g->data, g->capdata * sizeof *g->data);
    }
    struct fz_data *d = &g->data[g->ndata++];
    memset(d, 0, sizeof *d);
    d->disk_path = fz_xstrdup(disk);
    d->vpath = fz_xstrdup(vpath);
    d->reason = fz_xstrdup(reason);
    d->usize = (uint32_t)len;
    d->crc = bl_checksum((const unsigned char *)bytes, len);
    d->zdata = fz_compress((const unsigned char *)bytes, len, &d->zlen);
    free(bytes);
    return 0;
}

/* Every data file below `dir` (whose virtual path is `vdir`), in sorted
 * order; directories that are packages are left to add_tree, which calls
 * this for each. */
static void add_data_dir(struct ctx *c, const char *dir, const char *vdir, const char *reason,
                         int skip_packages)
{
    struct fz_strv names = {0};
    if (fz_list_dir(dir, &names) < 0)
        return;
    for (size_t i = 0; i < names.n && !c->failed; i++) {
        const char *n = names.v[i];
        char *path = fz_printf("%s/%s", dir, n);
        char *vpath = fz_printf("%s/%s", vdir, n);
        if (fz_is_dir(path)) {
            char *init = fz_printf("%s/__init__.py", path);
            int pkg = fz_is_file(init);
            free(init);
            if (n[0] != '.' && strcmp(n, "__pycache__") != 0 && !is_test_dir(n)
                && !(pkg && skip_packages))
                add_data_dir(c, path, vpath, reason, skip_packages);
        } else if (is_data_name(n) && fz_is_file(path)) {
            add_data_file(c, path, vpath, reason);
        }
        free(path);
        free(vpath);
    }
    fz_strv_free(&names);
}

/* Read the metadata directories of `root` once: which top-level names
 * each distribution installs (top_level.txt, else the first component of
 * each path in RECORD). */
static void load_dists(struct ctx *c, const char *root)
{
    if (fz_strv_has(&c->dist_roots, root))
        return;
    fz_strv_push(&c->dist_roots, root);
    struct fz_strv names = {0};
    if (fz_list_dir(root, &names) < 0)
        return;
    for (size_t i = 0; i < names.n; i++) {
        const char *n = names.v[i];
        if (!fz_is_metadata_dir_name(n))
            continue;
        char *dir = fz_printf("%s/%s", root, n);
        if (!fz_is_dir(dir)) {
            free(dir);
            continue;
        }
        struct dist d = {.root = fz_xstrdup(root), .dir_name = fz_xstrdup(n)};
        char *tl = fz_printf("%s/top_level.txt", dir);
        char *rec = fz_printf("%s/RECORD", dir);
        size_t tlen;
        char *text = fz_is_file(tl) ? fz_read_file(tl, &tlen)
                                    : fz_is_file(rec) ? fz_read_file(rec, &tlen) : NULL;
        int is_record = !fz_is_file(tl);
        for (char *line = text, *next; line && *line; line = next) {
            next = strchr(line, '\n');
            if (next)
                *next++ = '\0';
            size_t k = is_record ? strcspn(line, "/,") : strcspn(line, "\r");
            line[k] = '\0';
            if (is_record && k > 3 && strcmp(line + k - 3, ".py") == 0)
                line[k - 3] = '\0';
            else if (is_record && line[k] != '/' && strchr(line, '.'))
                continue; /* a top-level file that is not a module */
            if (*line && is_identifier(line, strlen(line)) && !fz_strv_has(&d.tops, line))
                fz_strv_push(&d.tops, line);
        }
        free(text);
        free(tl);
        free(rec);
        free(dir);
        if (c->ndists == c->capdists) {
            c->capdists = c->capdists ? 2 * c->capdists : 32;
            c->dists = fz_xrealloc(c->dists, c->capdists * sizeof *c->dists);
        }
        c->dists[c->ndists++] = d;
    }
    fz_strv_free(&names);
}

static struct fz_module *need(struct ctx *c, const char *name, const struct fz_module *from,
                              int line, int guarded, const char *reason);

/* Top-level module `m` (of the user's or a site directory) was packed:
 * pack the metadata of the distributions that install it, and their other
 * top-level modules, so the distribution is whole (importlib.metadata
 * works, and imports by computed names find their modules). */
static void add_distribution(struct ctx *c, const struct fz_module *m)
{
    char *root = fz_xstrdup(m->pkg_dir ? m->pkg_dir : m->disk_path);
    char *slash = strrchr(root, '/');
    if (!slash) {
        free(root);
        return;
    }
    *slash = '\0';
    char *top = fz_xstrdup(m->name);
    load_dists(c, root);
    for (size_t i = 0; i < c->ndists; i++) {
        struct dist *d = &c->dists[i];
        if (d->packed || strcmp(d->root, root) != 0 || !fz_strv_has(&d->tops, top))
            continue;
        d->packed = 1;
        char *dir = fz_printf("%s/%s", d->root, d->dir_name);
        char *why = fz_printf("metadata of the distribution that installs %s", top);
        add_data_dir(c, dir, d->dir_name, why, 0);
        free(why);
        char *dir_name = fz_xstrdup(d->dir_name);
        struct fz_strv tops = {0};
        for (size_t k = 0; k < d->tops.n; k++)
            fz_strv_push(&tops, d->tops.v[k]);
        for (size_t k = 0; k < tops.n; k++) {
            if (strcmp(tops.v[k], top) == 0 || find(c->g, tops.v[k]))
                continue;
            char *r = fz_printf("distribution %s is packed whole", dir_name);
            struct fz_module from = {.name = dir_name, .vpath = dir_name,
                                     .origin = FZ_ORIGIN_SITE};
            need(c, tops.v[k], &from, 0, 1, r);
            free(r);
        }
        fz_strv_free(&tops);
        free(dir_name);
        free(dir);
    }
    free(top);
    free(root);
}

static void free_dists(struct ctx *c)
{
    for (size_t i = 0; i < c->ndists; i++) {
        free(c->dists[i].root);
        free(c->dists[i].dir_name);
        fz_strv_free(&c->dists[i].tops);
    }
    free(c->dists);
    fz_strv_free(&c->dist_roots);
}

void fz_site_dirs(struct fz_strv *out)
{
    const char *venv = getenv("VIRTUAL_ENV");
    if (venv && *venv) {
        char *p = fz_printf("%s/lib/python3.11/site-packages", venv);
        if (fz_is_dir(p))
            fz_strv_push(out, p);
        free(p);
    }
    static const char *const dirs[] = {"/usr/local/lib/python3.11/dist-packages",
                                       "/usr/lib/python3/dist-packages", NULL};
    for (size_t i = 0; dirs[i]; i++)
        if (fz_is_dir(dirs[i]))
            fz_strv_push(out, dirs[i]);
}

/* Pack every module below `pkg`, and its data files if with_data. */
static void add_whole_package(struct ctx *c, struct fz_module *pkg, int with_data);

/* Make `name` (whose parent, if any, is in the graph) part of the graph.
 * Returns the module, or NULL when it cannot be found (`*why` says how). */
static struct fz_module *locate(struct ctx *c, const char *name, const char **why)
{
    struct fz_module found = {0};
    int r = 0;
    enum fz_origin origin = FZ_ORIGIN_STDLIB;
    const char *dot = strrchr(name, '.');
    const char *native_dir = NULL, *native_sub = ""; /* where a packable native is */
    const char *shared_path = NULL; /* or the shared object cryo's libpython has */
    *why = "not found";

    if (fz_strv_has(&c->absent, name))
        return NULL;
    if (!dot) {
        /* A namespace package only when no root has a regular module or
         * package of that name, as importlib's PathFinder decides. */
        struct fz_module ns = {0};
        enum fz_origin ns_origin = FZ_ORIGIN_STDLIB;
        for (size_t i = 0; i < c->nroots && r != 1 && r != 2; i++) {
            struct fz_module f = {0};
            int ri = probe(c->roots[i].dir, name, &f);
            if (ri == 1) {
                found = f;
                origin = c->roots[i].origin;
                r = 1;
            } else if (ri == 3 && !ns.pkg_dir) {
                ns = f;
                ns_origin = c->roots[i].origin;
            } else {
                free(f.pkg_dir);
                if (ri == 2) {
                    r = 2;
                    native_dir = c->roots[i].dir;
                    origin = c->roots[i].origin;
                }
            }
        }
        if (r != 1 && ns.pkg_dir) {
            found = ns;
            origin = ns_origin;
            r = 1;
        } else {
            free(ns.pkg_dir);
        }
        if (r != 1) {
            /* Debian keeps the standard library's native modules apart;
             * where python3.11 would load one from there, cryo's libpython
             * has it compiled static: linked in as a builtin. */
            char *dyn = fz_printf("%s/lib-dynload", c->opt->stdlib_dir);
            if (r != 2 && has_native(dyn, name)) {
                const struct fz_native *nat = fz_natives_find(c->opt->natives, name);
                r = nat ? 4 : 2;
                if (nat && nat->shared) {
                    shared_path = nat->object;
                    r = 2;
                }
                /* With Debian's libpython, which has none of them built
                 * in, lib-dynload's files are packed like third-party
                 * ones; cryo's libpython leaves a few out on purpose
                 * (readline: GPL), and those stay out. */
                if (r == 2 && !c->opt->natives) {
                    native_dir = c->opt->stdlib_dir;
                    native_sub = "lib-dynload/";
                    origin = FZ_ORIGIN_STDLIB;
                }
            }
            free(dyn);
        }
    } else {
        char *parent = fz_xstrdup(name);
        parent[dot - name] = '\0';
        struct fz_module *pm = find(c->g, parent);
        free(parent);
        if (!pm || !pm->is_package) {
            *why = "its parent is not a package";
            return NULL;
        }
        origin = pm->origin;
        if (pm->pkg_dir)
            r = probe(pm->pkg_dir, dot + 1, &found);
        if (r == 3)
            r = 1; /* a namespace package inside a package */
        if (r == 2 && origin != FZ_ORIGIN_STDLIB)
            native_dir = pm->pkg_dir;
    }
    if (r == 4) {
        *why = NULL;
        return NULL;
    }
    if (r == 2 && (native_dir || shared_path)) {
        const char *last = dot ? dot + 1 : name;
        char *path;
        if (shared_path) {
            path = fz_xstrdup(shared_path);
        } else {
            char *sub = fz_printf("%s/%s", native_dir, native_sub);
            path = native_path(sub, last);
            free(sub);
        }
        if (path)
            add_extension(c, name, path, ""); /* reports what fails */
        free(path);
        if (find_ext(c->g, name)) {
            *why = NULL;
            return NULL;
        }
    }
    if (r != 1) {
        if (r == 2) {
            *why = origin == FZ_ORIGIN_STDLIB
                       ? "it is a standard-library extension module that cryo's libpython "
                         "leaves out (see README, \"cryo's libpython\")"
                       : "it is a native extension module that cannot be packed";
            fz_strv_push(&c->native, name);
        }
        fz_strv_push(&c->absent, name);
        return NULL;
    }
    struct fz_module *m = add(c, name);
    m->disk_path = found.disk_path;
    m->pkg_dir = found.pkg_dir;
    m->is_package = found.is_package;
    m->origin = origin;
    m->vpath = vpath_for(name, m->is_package);
    return m;
}

/* Scan the code of a module frozen into libpython (not packed). */
static void scan_code(struct ctx *c, struct fz_module *from, void *code);

static void need_libfrozen(struct ctx *c, const char *name)
{
    if (fz_strv_has(&c->libfrozen_seen, name))
        return;
    fz_strv_push(&c->libfrozen_seen, name);
    void *code = fz_py_libfrozen_code(name);
    if (!code)
        return;
    struct fz_module pseudo = {.name = (char *)name, .vpath = (char *)name,
                               .origin = FZ_ORIGIN_STDLIB};
    scan_code(c, &pseudo, code);
    fz_py_decref(code);
}

static struct fz_module *need(struct ctx *c, const char *name, const struct fz_module *from,
                              int line, int guarded, const char *reason);

/* Pack what standard-library module `name` imports by computed names
 * (stdlib_computed_imports). */
static void add_computed_imports(struct ctx *c, const char *name)
{
    for (size_t i = 0; stdlib_computed_imports[i][0]; i++) {
        if (strcmp(stdlib_computed_imports[i][0], name) != 0)
            continue;
        const char *want = stdlib_computed_imports[i][1];
        /* Reported as the importer's own (guarded) miss if absent: a note. */
        struct fz_module from = {.name = (char *)name, .vpath = (char *)name,
                                 .origin = FZ_ORIGIN_STDLIB};
        size_t n = strlen(want);
        if (want[n - 1] != '*') {
            need(c, want, &from, 0, 1, NULL);
        } else {
            DIR *d = opendir(c->opt->stdlib_dir);
            struct dirent *e;
            struct fz_strv found = {0};
            while (d && (e = readdir(d))) {
                size_t len = strlen(e->d_name);
                if (strncmp(e->d_name, want, n - 1) == 0 && len > 3
                    && strcmp(e->d_name + len - 3, ".py") == 0) {
                    char *mod = fz_printf("%.*s", (int)(len - 3), e->d_name);
                    fz_strv_push(&found, mod);
                    free(mod);
                }
            }
            if (d)
                closedir(d);
            for (size_t k = 0; k < found.n; k++)
                need(c, found.v[k], &from, 0, 1, NULL);
            fz_strv_free(&found);
        }
    }
}

/* Module `nat` of cryo's libpython, imported by from:line (else for
 * `reason`): linked in, a builtin of the program, or, a shared object,
 * packed as a native file. */
static void use_native(struct ctx *c, const struct fz_native *nat, const struct fz_module *from,
                       int line, const char *reason)
{
    char *why = from ? fz_printf("imported by %s:%d", from->vpath, line)
                     : fz_xstrdup(reason ? reason : "");
    if (nat->shared) {
        if (!find_ext(c->g, nat->name))
            add_extension(c, nat->name, nat->object, why);
    } else if (!fz_strv_has(&c->g->natives, nat->name) && !find_ext(c->g, nat->name)) {
        /* (not one unlink_cold_natives packed as a shared object) */
        fz_strv_push(&c->g->natives, nat->name);
        fz_strv_push(&c->g->native_reasons, why);
        add_stdlib_c_imports(c, nat->name);
    }
    free(why);
}

/* Ensure `name` and its parents are in the graph.  `from`/`line`/`guarded`
 * describe the import for reports; `from` may be NULL for roots given on
 * the command line, which must exist.  Returns the module or NULL. */
static struct fz_module *need(struct ctx *c, const char *name, const struct fz_module *from,
                              int line, int guarded, const char *reason)
{
    char *prefix = fz_xstrdup(name);
    struct fz_module *m = NULL;
    char *end = prefix;
    for (;;) {
        end += strcspn(end, ".");
        char saved = *end;
        *end = '\0';
        m = NULL;
        if (excluded(c, prefix))
            break;
        /* Served by libpython: not packed, and (os.path) neither are the
         * names below it; a frozen module's own imports are followed.
         * Debian's builtins beyond the core's are in cryo's libpython's
         * manifest: linked (or packed) only when imported, found first,
         * as python3.11 finds a builtin before any file. */
        if (fz_py_is_builtin(prefix)) {
            const struct fz_native *nat = fz_natives_find(c->opt->natives, prefix);
            if (nat)
                use_native(c, nat, from, line, reason);
            break;
        }
        if (fz_natives_is_frozen(c->opt->natives, prefix)) {
            need_libfrozen(c, prefix);
            break;
        }
        if (fz_strv_has(&c->g->natives, prefix) || find_ext(c->g, prefix))
            break;
        m = find(c->g, prefix);
        if (!m) {
            const char *why;
            m = locate(c, prefix, &why);
            if (!m && !why && find_ext(c->g, prefix)) {
                struct fz_native_file *e = find_ext(c->g, prefix);
                if (!e->reason[0]) {
                    free(e->reason);
                    e->reason = from ? fz_printf("imported by %s:%d", from->vpath, line)
                                     : fz_xstrdup(reason);
                }
                break;
            }
            if (!m && !why) {
                /* A standard-library extension module, linked in. */
                use_native(c, fz_natives_find(c->opt->natives, prefix), from, line, reason);
                break;
            }
            if (!m) {
                if (from)
                    record_miss(c, prefix, from, line, guarded, why);
                else {
                    fz_error("module '%s' (%s) cannot be found: %s", prefix, reason, why);
                    c->failed = 1;
                }
                break;
            }
            m->reason = from ? fz_printf("imported by %s:%d", from->vpath, line)
                             : fz_xstrdup(reason);
            if (m->is_package && !strchr(prefix, '.') && m->origin != FZ_ORIGIN_STDLIB) {
                add_whole_package(c, m, 1);
                m = find(c->g, prefix);
            } else if (m->is_package && strcmp(prefix, "encodings") == 0) {
                add_whole_package(c, m, 0);
                m = find(c->g, prefix);
            } else if (m->is_package && !from && saved == '\0' && reason
                       && (strcmp(reason, "--include-module") == 0
                           || strcmp(reason, "--include-package") == 0)) {
                /* --include-module or --include-package names a package:
                 * packed whole with its data, wherever it comes from
                 * (--help says so). */
                add_whole_package(c, m, 1);
                m = find(c->g, prefix);
            }
            enum fz_origin origin = m->origin;
            if (!strchr(prefix, '.') && origin != FZ_ORIGIN_STDLIB && !m->is_main)
                add_distribution(c, m); /* may move the array */
            if (origin == FZ_ORIGIN_STDLIB)
                add_computed_imports(c, prefix);
            m = find(c->g, prefix); /* add() may have moved the array */
        }
        if (saved == '\0')
            break;
        *end++ = saved;
    }
    free(prefix);
    return m;
}

/* Add every module below top-level package `pkg` (directory walk). */
static void add_tree(struct ctx *c, const char *dir, const char *pkgname, enum fz_origin origin,
                     int with_data)
{
    struct fz_strv names = {0};
    if (fz_list_dir(dir, &names) < 0)
        return;
    if (with_data) {
        /* Its data files (and those of directories that are not packages)
         * go with it; subpackages bring their own below. */
        char *vdir = fz_xstrdup(pkgname);
        for (char *p = vdir; *p; p++)
            if (*p == '.')
                *p = '/';
        char *why = fz_printf("data of package %.*s, packed whole",
                              (int)strcspn(pkgname, "."), pkgname);
        add_data_dir(c, dir, vdir, why, 1);
        free(why);
        free(vdir);
    }
    for (size_t i = 0; i < names.n; i++) {
        const char *n = names.v[i];
        size_t len = strlen(n);
        char *path = fz_printf("%s/%s", dir, n);
        char *modname = NULL;
        char *stem = origin != FZ_ORIGIN_STDLIB ? native_stem(n) : NULL;
        if (stem) {
            char *ext = fz_printf("%s.%s", pkgname, stem);
            free(stem);
            if (!excluded(c, ext) && !find_ext(c->g, ext) && fz_is_file(path)) {
                char *why = fz_printf("package %.*s is packed whole",
                                      (int)strcspn(pkgname, "."), pkgname);
                add_extension(c, ext, path, why);
                free(why);
            }
            free(ext);
        } else if (len > 3 && strcmp(n + len - 3, ".py") == 0 && is_identifier(n, len - 3)
            && strcmp(n, "__init__.py") != 0 && !(origin != FZ_ORIGIN_USER && is_dev_file(n))
            && fz_is_file(path)) {
            modname = fz_printf("%s.%.*s", pkgname, (int)(len - 3), n);
        } else if (is_identifier(n, len) && fz_is_dir(path)) {
            /* Test suites of the standard library and of third-party
             * distributions are left out (numpy's alone are 10 MB): code
             * does not import them at run time; --include-module adds one. */
            char *init = fz_printf("%s/__init__.py", path);
            if (fz_is_file(init) && !(is_test_dir(n) && origin != FZ_ORIGIN_USER))
                modname = fz_printf("%s.%s", pkgname, n);
            free(init);
        }
        if (modname && !excluded(c, modname) && !find(c->g, modname)
            && !fz_natives_is_frozen(c->opt->natives, modname)
            && !(origin == FZ_ORIGIN_SITE && name_in(modname, site_build_tools)
                 && !name_in(pkgname, site_build_tools))) {
            const char *why;
            struct fz_module *m = locate(c, modname, &why);
            if (m) {
                m->reason = fz_printf("package %.*s is packed whole",
                                      (int)strcspn(pkgname, "."), pkgname);
                if (m->is_package)
                    add_tree(c, m->pkg_dir, modname, origin, with_data);
            }
        }
        free(modname);
        free(path);
    }
    fz_strv_free(&names);
}

static void add_whole_package(struct ctx *c, struct fz_module *pkg, int with_data)
{
    char *name = fz_xstrdup(pkg->name), *dir = fz_xstrdup(pkg->pkg_dir);
    add_tree(c, dir, name, pkg->origin, with_data);
    free(name);
    free(dir);
}

/* ---- compiling and following imports ---- */

static void add_eager(struct ctx *c, size_t idx, const char *name, int line)
{
    struct fz_module *m = &c->g->mods[idx];
    m->eager_lines = fz_xrealloc(m->eager_lines, (m->eager_imports.n + 1) * sizeof(int));
    m->eager_lines[m->eager_imports.n] = line;
    fz_strv_push(&m->eager_imports, name);
}

/* six.moves (six, and copies of it vendored as <pkg>.six or
 * <pkg>.packages.six): a meta-path importer that serves Python 2 names by
 * importing the Python 3 module with __import__, which a bytecode scan
 * cannot see (urllib3's `from six.moves import queue` failed at run time).
 * Imports of six.moves names are followed to what six maps them to; see
 * six_moves_import.  {six's name, the module}: six 1.16's _moved_attributes,
 * Tk's left out (tkinter is not in cryo's libpython). */
static const char *const six_moves[][2] = {
    {"builtins", "builtins"}, {"configparser", "configparser"},
    {"collections_abc", "collections.abc"}, {"copyreg", "copyreg"},
    {"dbm_gnu", "dbm.gnu"}, {"dbm_ndbm", "dbm.ndbm"}, {"_dummy_thread", "_thread"},
    {"http_cookiejar", "http.cookiejar"}, {"http_cookies", "http.cookies"},
    {"html_entities", "html.entities"}, {"html_parser", "html.parser"},
    {"http_client", "http.client"}, {"email_mime_base", "email.mime.base"},
    {"email_mime_image", "email.mime.image"}, {"email_mime_multipart", "email.mime.multipart"},
    {"email_mime_nonmultipart", "email.mime.nonmultipart"},
    {"email_mime_text", "email.mime.text"}, {"BaseHTTPServer", "http.server"},
    {"CGIHTTPServer", "http.server"}, {"SimpleHTTPServer", "http.server"},
    {"cPickle", "pickle"}, {"queue", "queue"}, {"reprlib", "reprlib"},
    {"socketserver", "socketserver"}, {"_thread", "_thread"},
    {"urllib_parse", "urllib.parse"}, {"urllib_error", "urllib.error"},
    {"urllib", "urllib"}, {"urllib_robotparser", "urllib.robotparser"},
    {"xmlrpc_client", "xmlrpc.client"}, {"xmlrpc_server", "xmlrpc.server"},
    /* moved attributes: six imports their module when one is used */
    {"cStringIO", "io"}, {"StringIO", "io"}, {"filterfalse", "itertools"},
    {"zip_longest", "itertools"}, {"getoutput", "subprocess"},
    {"reload_module", "importlib"}, {"reduce", "functools"}, {"shlex_quote", "shlex"},
    {"UserDict", "collections"}, {"UserList", "collections"}, {"UserString", "collections"},
    {NULL, NULL},
};

/* The modules an import of `abs` (with `fromlist`) names through six.moves:
 * "six.moves.http_client" -> http.client; "six.moves" with fromlist
 * ("queue",) -> queue; "six.moves.urllib.parse" or "six.moves.urllib" with
 * ("parse",) -> urllib.parse.  Pushed onto `out`. */
static void six_moves_import(const char *abs, const struct fz_strv *fromlist,
                             struct fz_strv *out)
{
    const char *m = strstr(abs, "six.moves");
    while (m && !((m == abs || m[-1] == '.') && (m[9] == '\0' || m[9] == '.')))
        m = strstr(m + 1, "six.moves");
    if (!m)
        return;
    const char *rest = m[9] == '.' ? m + 10 : "";
    size_t first = strcspn(rest, ".");
    for (size_t i = 0; six_moves[i][0]; i++) {
        const char *py2 = six_moves[i][0], *py3 = six_moves[i][1];
        if (*rest) {
            if (strlen(py2) != first || strncmp(rest, py2, first) != 0)
                continue;
            char *target = fz_printf("%s%s", py3, rest + first);
            fz_strv_push(out, target);
            /* six.moves.urllib's own submodules: `from six.moves.urllib
             * import parse` */
            if (strcmp(py2, "urllib") == 0 && !rest[first])
                for (size_t k = 0; k < fromlist->n; k++) {
                    char *sub = fz_printf("urllib.%s", fromlist->v[k]);
                    fz_strv_push(out, sub);
                    free(sub);
                }
            free(target);
        } else {
            for (size_t k = 0; k < fromlist->n; k++)
                if (strcmp(fromlist->v[k], py2) == 0)
                    fz_strv_push(out, py3);
        }
    }
}

/* Whether `name` is a module of the standard library's source tree. */
static int stdlib_has(const struct ctx *c, const char *name)
{
    char *rel = fz_xstrdup(name);
    for (char *p = rel; *p; p++)
        if (*p == '.')
            *p = '/';
    char *py = fz_printf("%s/%s.py", c->opt->stdlib_dir, rel);
    char *init = fz_printf("%s/%s/__init__.py", c->opt->stdlib_dir, rel);
    int has = fz_is_file(py) || fz_is_file(init);
    free(py);
    free(init);
    free(rel);
    return has;
}

/* `name` is the module -m runs, or its __main__. */
static int is_run_module(const struct ctx *c, const char *name)
{
    const char *r = c->opt->run_module;
    size_t n = r ? strlen(r) : 0;
    return r && strncmp(name, r, n) == 0
           && (name[n] == '\0' || strcmp(name + n, ".__main__") == 0);
}

/* Bring every import in `iv` (made by module `from`, which is graph entry
 * `idx`, or (size_t)-1 for a module frozen into libpython) into the graph,
 * and record the module's eager imports. */
static void follow_imports(struct ctx *c, const struct fz_module *from, size_t idx,
                           const struct fz_importv *ivp)
{
    const struct fz_importv iv = *ivp;
    /* `from` may move when the graph grows: keep what reports need. */
    struct fz_module self = *from;
    self.name = fz_xstrdup(from->name);
    self.vpath = fz_xstrdup(from->vpath);
    self.disk_path = from->disk_path ? fz_xstrdup(from->disk_path) : NULL;

    for (size_t i = 0; i < iv.n; i++) {
        const struct fz_import *imp = &iv.v[i];
        char *abs;
        if (imp->level > 0) {
            abs = fz_resolve_relative(self.name, self.is_package, imp->name, imp->level);
            if (!abs) {
                record_miss(c, imp->name[0] ? imp->name : ".", &self, imp->line, imp->guarded,
                            "relative import with no known parent package");
                continue;
            }
        } else {
            abs = fz_xstrdup(imp->name);
        }
        /* Only imports *into* the developer tools are cut; a tool that is
         * packed (the program imports it) has all its imports followed. */
        if (self.origin == FZ_ORIGIN_STDLIB && name_in(abs, stdlib_dev_tools)
            && !name_in(self.name, stdlib_dev_tools)) {
            free(abs);
            continue;
        }
        /* The standard library's command-line entry points (its modules'
         * `if __name__ == "__main__":` blocks, and functions named main,
         * _main or _test: they run when the module is `python -m`, which a
         * frozen program never does; pickle's, tokenize's) import argparse
         * and what it pulls in (shutil, zipfile, tarfile, lzma, bz2).
         * Their imports are not followed; calling one from your code
         * still works if it imports them too. */
        if (self.origin == FZ_ORIGIN_STDLIB && imp->cli) {
            free(abs);
            continue;
        }
        /* The same for third-party modules' `if __name__ == "__main__":`
         * blocks (pygments' _lua_builtins regenerates itself from the web
         * there: urllib.request, and with it ssl and OpenSSL), unless the
         * module is what -m runs. */
        if (self.origin == FZ_ORIGIN_SITE && imp->main_block && !is_run_module(c, self.name)) {
            free(abs);
            continue;
        }
        if (self.origin == FZ_ORIGIN_STDLIB && import_listed(core_builtin_fallbacks, self.name, abs)) {
            free(abs);
            continue;
        }
        if (!imp->eager && import_listed(libfrozen_lazy_imports, self.name, abs)) {
            free(abs);
            continue;
        }
        if (self.origin == FZ_ORIGIN_SITE && (imp->guarded || !imp->eager)
            && name_in(abs, site_build_tools) && !name_in(self.name, site_build_tools)) {
            fz_note("%s:%d: not following the %s import of %s (a packaging tool; "
                    "--include-module %s packs it)", self.vpath, imp->line,
                    imp->guarded ? "guarded" : "function-level", abs, abs);
            free(abs);
            continue;
        }
        /* find_spec("x") is as often a probe for an optional package as a
         * way to load one (markdown loads html.parser so): followed only
         * into the standard library, where it costs little, so that a
         * probe for IPython or torch does not pack them. */
        if (imp->computed == FZ_FIND_SPEC && !stdlib_has(c, abs)) {
            free(abs);
            continue;
        }
        struct fz_strv moved = {0};
        six_moves_import(abs, &imp->fromlist, &moved);
        for (size_t k = 0; k < moved.n; k++)
            need(c, moved.v[k], &self, imp->line, 1, NULL); /* a miss: six's business */
        fz_strv_free(&moved);
        struct fz_module *m = need(c, abs, &self, imp->line, imp->guarded, NULL);
        int eager = idx != (size_t)-1 && imp->eager && !imp->guarded;
        if (eager)
            add_eager(c, idx, abs, imp->line);
        /* Guarded or not; and every import of the program's own code, in
         * functions too: a program's main() or a multiprocessing worker's
         * initializer that imports numpy runs at nearly every start, and a
         * cold (LZMA2) numpy made each of four spawned workers decode it
         * (tools/bench.py's real_pool: 0.30 s against 0.53 s). */
        int at_start = idx != (size_t)-1 && (imp->eager || self.origin == FZ_ORIGIN_USER);
        if (at_start)
            fz_strv_push(&c->g->mods[idx].start_imports, abs);
        /* `from pkg import x`: x may be a submodule; if it is not, it is an
         * attribute and nothing is missing. */
        if (m && m->is_package) {
            for (size_t k = 0; k < imp->fromlist.n; k++) {
                if (strcmp(imp->fromlist.v[k], "*") == 0)
                    continue;
                char *sub = fz_printf("%s.%s", abs, imp->fromlist.v[k]);
                const char *why;
                if (excluded(c, sub) || find(c->g, sub) || fz_strv_has(&c->absent, sub)) {
                    /* nothing to add */
                } else if (fz_natives_is_frozen(c->opt->natives, sub)) {
                    need_libfrozen(c, sub); /* served by libpython, as need() does */
                } else {
                    struct fz_module *sm = locate(c, sub, &why);
                    struct fz_native_file *se = sm ? NULL : find_ext(c->g, sub);
                    if (sm)
                        sm->reason = fz_printf("imported by %s:%d", self.vpath, imp->line);
                    if (se && !se->reason[0]) {
                        free(se->reason);
                        se->reason = fz_printf("imported by %s:%d", self.vpath, imp->line);
                    }
                }
                if (eager && (find(c->g, sub) || fz_strv_has(&c->native, sub)))
                    add_eager(c, idx, sub, imp->line);
                if (at_start && find(c->g, sub))
                    fz_strv_push(&c->g->mods[idx].start_imports, sub);
                free(sub);
                m = find(c->g, abs);
                if (!m)
                    break;
            }
        }
        free(abs);
    }
    free(self.name);
    free(self.vpath);
    free(self.disk_path);
}

static void scan_code(struct ctx *c, struct fz_module *from, void *code)
{
    struct fz_importv iv = {0};
    if (fz_scan_imports(code, &iv) < 0) {
        c->failed = 1;
        return;
    }
    follow_imports(c, from, (size_t)-1, &iv);
    fz_importv_free(&iv);
}

/* Compile module `i` (or take it from the cache), keep its marshalled
 * code, and follow its imports.  0, -1 on error, 1 to leave it out. */
static int process(struct ctx *c, size_t i)
{
    struct fz_module *m = &c->g->mods[i];
    struct fz_importv iv = {0};
    size_t len = 0;
    char *src = m->source ? fz_xstrdup(m->source)
                : m->disk_path ? fz_read_file(m->disk_path, &len) : fz_xstrdup("");
    if (m->source)
        len = strlen(src);
    if (!src)
        return -1;
    char *key = fz_cache_key(m->vpath, src, len, c->opt->optimize);
    if (!fz_cache_get(key, m, &iv)) {
        void *code = fz_py_compile(src, len, m->vpath, m->disk_path ? m->disk_path : m->vpath,
                                   c->opt->optimize);
        if (!code) {
            free(src);
            free(key);
            if (m->origin == FZ_ORIGIN_STDLIB) {
                /* A few standard-library files are deliberately not valid
                 * Python 3.11 (test data, lib2to3 fixtures): leave them out. */
                fz_note("leaving out %s: it does not compile", m->name);
                return 1;
            }
            /* report_compile_error() said what is wrong: one error.  The
             * way out is a hint, and the script cannot be left out. */
            if (!m->is_main)
                fz_hint("if the program never imports %s, leave it out with "
                        "--exclude-module %s", m->name, m->name);
            return -1;
        }
        size_t rawlen;
        unsigned char *raw = NULL;
        if (fz_scan_imports(code, &iv) == 0)
            raw = fz_py_marshal(code, &rawlen);
        fz_py_decref(code);
        if (!raw) {
            free(src);
            free(key);
            fz_importv_free(&iv);
            return -1;
        }
        m->usize = (uint32_t)rawlen;
        m->crc = bl_checksum(raw, rawlen);
        m->zdata = fz_compress(raw, rawlen, &m->zlen);
        free(raw);
        fz_cache_put(key, m, &iv);
    }
    if (c->opt->keep_sources && (m->disk_path || m->source)) {
        /* for sources.c; a namespace package has no file */
        m->src = src;
        m->srclen = len;
    } else {
        free(src);
    }
    m->src_key = key; /* names the source: sources.c's chunk keys, cold.c's */
    follow_imports(c, m, i, &iv);
    fz_importv_free(&iv);
    return 0;
}

static void drop_module(struct fz_graph *g, size_t i)
{
    struct fz_module *m = &g->mods[i];
    free(m->name);
    free(m->disk_path);
    free(m->vpath);
    free(m->pkg_dir);
    free(m->reason);
    free(m->zdata);
    free(m->src);
    free(m->src_key);
    fz_strv_free(&m->eager_imports);
    fz_strv_free(&m->start_imports);
    free(m->eager_lines);
    memmove(m, m + 1, (g->n - i - 1) * sizeof *m);
    g->n--;
}

static int cmp_modules(const void *a, const void *b)
{
    return strcmp(((const struct fz_module *)a)->name, ((const struct fz_module *)b)->name);
}

static int cmp_native_files(const void *a, const void *b)
{
    return strcmp(((const struct fz_native_file *)a)->name,
                  ((const struct fz_native_file *)b)->name);
}

static int cmp_data(const void *a, const void *b)
{
    return strcmp(((const struct fz_data *)a)->vpath, ((const struct fz_data *)b)->vpath);
}

static void report_misses(struct ctx *c)
{
    for (size_t i = 0; i < c->nmiss; i++) {
        struct miss *ms = &c->misses[i];
        int fatal = ms->origin == FZ_ORIGIN_USER && !ms->guarded;
        if (fatal && ms->name[0] == '.') {
            fz_error("%s:%d: relative import with no known parent package (python3.11 "
                     "fails there too); make the import absolute",
                     ms->where, ms->line);
            c->g->missing_errors++;
        } else if (fatal) {
            fz_error("%s:%d: module '%s' cannot be found (%s); add its directory with "
                     "--path DIR, or leave it out with --exclude-module %s",
                     ms->where, ms->line, ms->name, ms->why, ms->name);
            c->g->missing_errors++;
        } else if (ms->origin == FZ_ORIGIN_USER) {
            fz_warn("%s:%d: module '%s' cannot be found (%s); the import is guarded, "
                    "so the program will run without it",
                    ms->where, ms->line, ms->name, ms->why);
        } else {
            fz_note("%s:%d: module '%s' not packed (%s)%s", ms->where, ms->line, ms->name,
                    ms->why, ms->guarded ? ", guarded import" : "");
        }
        free(ms->name);
        free(ms->where);
        free(ms->why);
    }
    free(c->misses);
}

/* Warn about imports in the user's code that will certainly fail when the
 * program runs: an eager, unguarded chain of imports from a user module
 * reaches a native extension module cryo cannot pack yet (import sqlite3
 * → sqlite3.dbapi2 → _sqlite3).  Breadth-first over eager imports, each
 * module visited once, reported under the user import that reached it. */
static void warn_certain_failures(struct ctx *c)
{
    struct fz_graph *g = c->g;
    struct item {
        const char *name, *where, *root;
        int line;
    };
    size_t cap = 64, head = 0, tail = 0;
    struct item *q = fz_xmalloc(cap * sizeof *q);
    struct fz_strv seen = {0};

    for (size_t i = 0; i < g->n; i++) {
        const struct fz_module *u = &g->mods[i];
        if (u->origin != FZ_ORIGIN_USER)
            continue;
        for (size_t k = 0; k < u->eager_imports.n; k++) {
            if (tail == cap)
                q = fz_xrealloc(q, (cap *= 2) * sizeof *q);
            q[tail++] = (struct item){u->eager_imports.v[k], u->disk_path ? u->disk_path : u->vpath,
                                      u->eager_imports.v[k], u->eager_lines[k]};
        }
    }
    while (head < tail) {
        struct item it = q[head++];
        if (fz_strv_has(&seen, it.name))
            continue;
        fz_strv_push(&seen, it.name);
        if (fz_strv_has(&c->native, it.name)) {
            if (strcmp(it.name, it.root) == 0)
                fz_warn("%s:%d: 'import %s' will fail when the program runs: it is a native "
                        "extension module, which cryo cannot pack yet",
                        it.where, it.line, it.root);
            else
                fz_warn("%s:%d: 'import %s' will fail when the program runs: it needs '%s', a "
                        "native extension module, which cryo cannot pack yet",
                        it.where, it.line, it.root, it.name);
            continue;
        }
        const struct fz_module *m = find(g, it.name);
        if (!m)
            continue;
        for (size_t k = 0; k < m->eager_imports.n; k++) {
            if (tail == cap)
                q = fz_xrealloc(q, (cap *= 2) * sizeof *q);
            q[tail++] = (struct item){m->eager_imports.v[k], it.where, it.root, it.line};
        }
    }
    fz_strv_free(&seen);
    free(q);
}

/* Sort g->natives by name, keeping native_reasons parallel (insertion
 * sort: a program links a handful). */
static void sort_natives(struct fz_graph *g)
{
    for (size_t i = 1; i < g->natives.n; i++)
        for (size_t j = i; j > 0 && strcmp(g->natives.v[j - 1], g->natives.v[j]) > 0; j--) {
            char *t = g->natives.v[j];
            g->natives.v[j] = g->natives.v[j - 1];
            g->natives.v[j - 1] = t;
            t = g->native_reasons.v[j];
            g->native_reasons.v[j] = g->native_reasons.v[j - 1];
            g->native_reasons.v[j - 1] = t;
        }
}

/* The standard library's extension modules whose static libraries cost
 * megabytes of the image: OpenSSL's libcrypto and libssl (an `import ssl`
 * or `import hashlib` program is 4.8 MB larger than hello world) and
 * libsqlite3 (1.7 MB).  Where no start of the program imports one (rich
 * reaches ssl only from functions: pager -> pydoc -> http.server ->
 * http.client), it is not linked: Debian's
 * own shared object of it (lib-dynload, built from the same 3.11.2) is
 * packed with its libraries as a third-party extension module is (zstd:
 * about 2.1 MB for OpenSSL's), and written to the cache directory or a
 * memory file only if the program imports it.  Where a start imports it,
 * it stays a builtin: mapped from the executable, only touched pages
 * resident, nothing written (issue 16's design). */
/* In groups that share their libraries: OpenSSL's two go together or not
 * at all, since with one linked the other's shared object would carry a
 * second libcrypto (measured: real_numpy 28.2 -> 30.1 MB). */
#define COLD_GROUP_MAX 2
static const char *const cold_shared_natives[][COLD_GROUP_MAX] = {
    {"_ssl", "_hashlib"},
    {"_sqlite3", NULL},
};

static size_t linked_at(const struct fz_graph *g, const char *name)
{
    size_t at = 0;
    while (at < g->natives.n && strcmp(g->natives.v[at], name) != 0)
        at++;
    return at; /* g->natives.n: not linked */
}

/* Pack as shared objects the cold_shared_natives linked so far that no
 * start imports (cold.c decides what a start imports, with what third-party
 * extension modules may import from C: c->c_names).  Returns how many. */
static int unlink_cold_natives(struct ctx *c)
{
    struct fz_graph *g = c->g;
    const size_t ngroups = sizeof cold_shared_natives / sizeof *cold_shared_natives;
    if (!c->opt->natives || c->failed)
        return 0; /* Debian's libpython: lib-dynload's files are packed already */
    int any = 0;
    for (size_t k = 0; k < ngroups && !any; k++)
        for (size_t j = 0; j < COLD_GROUP_MAX && cold_shared_natives[k][j]; j++)
            any |= linked_at(g, cold_shared_natives[k][j]) < g->natives.n;
    if (!any)
        return 0;
    /* fz_cold_mark on a sorted shallow copy: the queue's order stays */
    struct fz_graph tmp = {0};
    tmp.n = g->n;
    tmp.mods = fz_xmalloc((g->n ? g->n : 1) * sizeof *tmp.mods);
    memcpy(tmp.mods, g->mods, g->n * sizeof *tmp.mods);
    qsort(tmp.mods, tmp.n, sizeof *tmp.mods, cmp_modules);
    fz_cold_mark_from(&tmp, &c->c_names);
    char *dyn = fz_printf("%s/lib-dynload", c->opt->stdlib_dir);
    int moved = 0;
    for (size_t k = 0; k < ngroups; k++) {
        const char *const *grp = cold_shared_natives[k];
        int started = 0, linked = 0;
        for (size_t j = 0; j < COLD_GROUP_MAX && grp[j]; j++) {
            linked += linked_at(g, grp[j]) < g->natives.n;
            for (size_t i = 0; i < tmp.n && !started; i++)
                started = !tmp.mods[i].cold && !tmp.mods[i].zstd
                          && fz_strv_has(&tmp.mods[i].start_imports, grp[j]);
        }
        if (started || !linked)
            continue;
        char *paths[COLD_GROUP_MAX] = {0};
        int all = 1;
        for (size_t j = 0; j < COLD_GROUP_MAX && grp[j]; j++)
            if (linked_at(g, grp[j]) < g->natives.n && !(paths[j] = native_path(dyn, grp[j])))
                all = 0;
        for (size_t j = 0; j < COLD_GROUP_MAX && grp[j]; j++) {
            size_t at = linked_at(g, grp[j]);
            if (all && paths[j] && at < g->natives.n) {
                char *why = fz_printf("%s, never at start: Debian's shared object",
                                      g->native_reasons.v[at]);
                free(g->natives.v[at]);
                free(g->native_reasons.v[at]);
                for (size_t i = at + 1; i < g->natives.n; i++) {
                    g->natives.v[i - 1] = g->natives.v[i];
                    g->native_reasons.v[i - 1] = g->native_reasons.v[i];
                }
                g->natives.n--;
                g->native_reasons.n--;
                add_extension(c, grp[j], paths[j], why);
                free(why);
                moved++;
            }
            free(paths[j]);
        }
    }
    free(dyn);
    free(tmp.mods);
    return moved;
}

int fz_graph_build(const struct fz_graph_options *opt, struct fz_graph *g)
{
    struct ctx c = {.opt = opt, .g = g};
    memset(g, 0, sizeof *g);

    char *script_dir = fz_xstrdup(opt->script);
    char *slash = strrchr(script_dir, '/');
    if (slash)
        *slash = '\0';
    else
        strcpy(script_dir, ".");
    c.roots[c.nroots++] = (struct root){script_dir, FZ_ORIGIN_USER};
    for (size_t i = 0; i < opt->paths.n && c.nroots < 63; i++)
        c.roots[c.nroots++] = (struct root){opt->paths.v[i], FZ_ORIGIN_USER};
    c.roots[c.nroots++] = (struct root){opt->stdlib_dir, FZ_ORIGIN_STDLIB};
    for (size_t i = 0; i < opt->site_dirs.n && c.nroots < 64; i++)
        c.roots[c.nroots++] = (struct root){opt->site_dirs.v[i], FZ_ORIGIN_SITE};

    const char *base = slash ? slash + 1 : opt->script;
    struct fz_module *main_mod = add(&c, "__main__");
    main_mod->is_main = 1;
    main_mod->disk_path = fz_xstrdup(opt->script);
    main_mod->vpath = fz_xstrdup(base);
    main_mod->origin = FZ_ORIGIN_USER;
    main_mod->reason = fz_xstrdup("the script");

    need(&c, "encodings", NULL, 0, 0, "always packed: codecs are looked up by name");
    /* libpython's core imports it from C: \N{...} in compile() and the
     * unicode_escape codec, non-ASCII identifiers, the namereplace error
     * handler.  (Every program has it anyway, through encodings.idna.) */
    need(&c, "unicodedata", NULL, 0, 0, "imported by libpython's core");
    for (size_t i = 0; i < opt->includes.n; i++)
        need(&c, opt->includes.v[i], NULL, 0, 0, "--include-module");
    for (size_t i = 0; i < opt->include_packages.n && !c.failed; i++) {
        const char *name = opt->include_packages.v[i];
        const struct fz_module *pm = need(&c, name, NULL, 0, 0, "--include-package");
        if (pm && !pm->is_package) {
            fz_error("--include-package %s: '%s' is a module, not a package; name it with "
                     "--include-module %s", name, pm->disk_path ? pm->disk_path : name, name);
            c.failed = 1;
        }
    }

    /* Progress on a terminal: a cold build of a large program compiles
     * hundreds of modules.  One line, rewritten in place. */
    int progress = !fz_verbose && !fz_quiet && isatty(STDERR_FILENO);
    for (int files_added = 0;;) {
        do {
            for (; c.next < g->n && !c.failed; c.next++) {
                if (progress)
                    fprintf(stderr, "\rcryo: compiling modules: %zu found, %zu done\033[K",
                            g->n, c.next);
                int r = process(&c, c.next);
                if (r < 0)
                    c.failed = 1;
                else if (r == 1) {
                    drop_module(g, c.next);
                    c.next--;
                }
            }
            /* (what a shared object imports from C may add modules) */
        } while (unlink_cold_natives(&c) > 0 && c.next < g->n);
        /* --include-data SRC=DEST: a file, or a directory's data files. */
        for (size_t i = 0; i < opt->include_data.n && !files_added; i++) {
            const char *spec = opt->include_data.v[i];
            const char *eq = strchr(spec, '=');
            char *src = fz_printf("%.*s", (int)(eq - spec), spec);
            if (fz_is_dir(src))
                add_data_dir(&c, src, eq + 1, "--include-data", 0);
            else
                add_data_file(&c, src, eq + 1, "--include-data");
            free(src);
        }
        /* The runtime's support for files other than code (runtime/
         * cryo_files.py), when the program has some, or packs unittest,
         * whose test discovery lists package directories, or pkg_resources,
         * whose providers read files by path (_cryo_files.adopt_pkg_resources);
         * without it, the importer answers that there are none
         * (runtime/importer.c). */
        g->file_hooks = g->ndata || find(g, "unittest.loader") || find(g, "pkg_resources");
        if (files_added || c.failed || !g->file_hooks)
            break;
        files_added = 1;
        struct fz_module *fm = add(&c, "_cryo_files");
        fm->source = fz_embedded_source("cryo_files.py");
        fm->vpath = fz_xstrdup("_cryo_files.py");
        fm->origin = FZ_ORIGIN_STDLIB;
        fm->reason = fz_xstrdup("cryo's support for data files and distribution metadata");
    }
    if (progress)
        fputs("\r\033[K", stderr);
    report_misses(&c);
    if (!c.failed)
        warn_certain_failures(&c);
    if (!c.failed && opt->entry_module) {
        const struct fz_module *em = find(g, opt->entry_module);
        if (em && em->disk_path) {
            struct _object *r = fz_py_call_source("pyproject.py", "binds", "(ss)",
                                                  em->disk_path, opt->entry_attr);
            if (r && !PyObject_IsTrue(r)) {
                fz_error("the entry point names %s:%s, but %s ('%s') defines no '%s'",
                         opt->entry_module, opt->entry_attr, opt->entry_module, em->disk_path,
                         opt->entry_attr);
                c.failed = 1;
            }
            if (!r)
                PyErr_Clear(); /* cannot tell: python3.11 would say at run time */
            Py_XDECREF(r);
        }
    }
    if (!c.failed && opt->run_module) {
        const struct fz_module *rm = find(g, opt->run_module);
        char *sub = fz_printf("%s.__main__", opt->run_module);
        if (rm && rm->is_package && !find(g, sub)) {
            fz_error("-m %s: '%s' is a package without __main__.py (python3.11 -m cannot run "
                     "it either); name a module inside it instead (-m %s.MODULE)",
                     opt->run_module, opt->run_module, opt->run_module);
            c.failed = 1;
        }
        free(sub);
    }
    fz_strv_free(&c.libfrozen_seen);
    fz_strv_free(&c.absent);
    fz_strv_free(&c.c_names);
    fz_strv_free(&c.native);
    free_dists(&c);
    free(script_dir);
    /* The libraries of the closure become the graph's, sorted by name. */
    g->libs = fz_xmalloc((c.libset.n ? c.libset.n : 1) * sizeof *g->libs);
    for (size_t i = 0; i < c.libset.n; i++) {
        struct fz_native_file *l = &g->libs[g->nlibs++];
        memset(l, 0, sizeof *l);
        l->name = fz_xstrdup(c.libset.v[i].name);
        l->disk_path = fz_xstrdup(c.libset.v[i].path);
        l->reason = fz_printf("needed by %s", c.libset.v[i].needed_by);
    }
    fz_libset_free(&c.libset);
    add_lib_dirs(&c);
    if (c.failed || g->missing_errors)
        return -1;
    if (g->nexts)
        qsort(g->exts, g->nexts, sizeof *g->exts, cmp_native_files);
    if (g->nlibs)
        qsort(g->libs, g->nlibs, sizeof *g->libs, cmp_native_files);
    qsort(g->mods, g->n, sizeof *g->mods, cmp_modules);
    if (g->ndata)
        qsort(g->data, g->ndata, sizeof *g->data, cmp_data);
    sort_natives(g);
    for (size_t i = 0; i < g->n; i++)
        fz_note("packed %-40s %s", g->mods[i].name, g->mods[i].reason ? g->mods[i].reason : "");
    for (size_t i = 0; i < g->natives.n; i++)
        fz_note("linked %-40s %s (extension module, builtin)", g->natives.v[i],
                g->native_reasons.v[i]);
    for (size_t i = 0; i < g->ndata; i++)
        fz_note("data   %-40s %s", g->data[i].vpath, g->data[i].reason);
    for (size_t i = 0; i < g->nexts; i++)
        fz_note("native %-40s %s (extension module, %s)", g->exts[i].name, g->exts[i].reason,
                g->exts[i].disk_path);
    for (size_t i = 0; i < g->nlibs; i++)
        fz_note("lib    %-40s %s (%s)", g->libs[i].name, g->libs[i].reason, g->libs[i].disk_path);
    return 0;
}

void fz_graph_free(struct fz_graph *g)
{
    while (g->n)
        drop_module(g, g->n - 1);
    free(g->mods);
    for (size_t k = 0; k < 2; k++) {
        struct fz_native_file *v = k ? g->libs : g->exts;
        size_t n = k ? g->nlibs : g->nexts;
        for (size_t i = 0; i < n; i++) {
            free(v[i].name);
            free(v[i].disk_path);
            free(v[i].vpath);
            free(v[i].reason);
            free(v[i].zdata);
            fz_strv_free(&v[i].deps);
        }
        free(v);
    }
    for (size_t i = 0; i < g->ndata; i++) {
        free(g->data[i].disk_path);
        free(g->data[i].vpath);
        free(g->data[i].reason);
        free(g->data[i].zdata);
    }
    free(g->data);
    for (size_t i = 0; i < g->nchunks; i++)
        free(g->chunks[i].zdata);
    free(g->chunks);
    fz_strv_free(&g->natives);
    fz_strv_free(&g->native_reasons);
    memset(g, 0, sizeof *g);
}
