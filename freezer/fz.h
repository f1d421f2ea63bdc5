/* fz.h — the freezer's internal interface (`cryo build`).
 *
 * Pipeline (../../shared/DESIGN.md, "The data flow"):
 *   graph.c        find every module the script needs (scan_imports.c reads
 *                  each code object's imports); compile each with pyinterp.c
 *   pack.c         marshalled, compressed code → payload archive (libarchive)
 *   emit_table.c   the module table as C (runtime/module_table.h)
 *   cc.c           compile and link with the runtime, gc, bootloader and
 *                  libpython3.11.a
 *   build.c        drives the above, appends payload and trailer, and puts
 *                  the output in place atomically
 *
 * Errors: functions return -1 (or NULL) after reporting once through
 * fz_error(), which names the thing that was wrong and what to do.  Nothing
 * below main() exits.
 */
#ifndef CRYO_FZ_H
#define CRYO_FZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../bootloader/payload_format.h"
#include "../gc/gc.h"

#define CRYO_VERSION_STRING "0.1.0"

/* ---- util.c ---------------------------------------------------------- */

void fz_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fz_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fz_hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fz_note(const char *fmt, ...) __attribute__((format(printf, 1, 2))); /* -v only */
extern int fz_verbose;
extern int fz_quiet; /* -q: no progress line, no summary; warnings and errors still */

void *fz_xmalloc(size_t n);  /* abort with a message on OOM: the one place */
void *fz_xrealloc(void *p, size_t n);
char *fz_xstrdup(const char *s);
char *fz_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable array of owned strings. */
struct fz_strv {
    char **v;
    size_t n, cap;
};
void fz_strv_push(struct fz_strv *sv, const char *s); /* copies s */
void fz_strv_free(struct fz_strv *sv);
int fz_strv_has(const struct fz_strv *sv, const char *s);
/* A distribution's metadata directory name: *.dist-info or *.egg-info. */
int fz_is_metadata_dir_name(const char *name);

/* Read a whole file; NUL-terminated; *len excludes the NUL.  Reports and
 * returns NULL on failure, naming `path`. */
char *fz_read_file(const char *path, size_t *len);

/* Temporaries a build makes are named "<...><mark><pid>-<...>": the build's
 * directory in TMPDIR, the output being assembled beside the output, a
 * compile-cache entry being written.  fz_sweep_stale removes, in `dir`, the
 * ones this user's processes left that no longer exist (a build killed by
 * SIGKILL runs no handler): so the next build cleans up at the latest. */
#define FZ_TMP_DIR_MARK "cryo-build-"
#define FZ_TMP_OUT_MARK ".cryo-tmp-"
#define FZ_TMP_CACHE_MARK ".tmp-"
/* A build's directory holds this file, locked (flock) by the build and,
 * through the descriptor they inherit, by the compilers it runs: a build
 * killed by SIGKILL leaves them running, writing into the directory for
 * a moment; the sweep waits for the lock (FZ_SWEEP_WAIT_MS at most, then
 * leaves the directory to a later build) rather than race them. */
#define FZ_TMP_LOCK ".lock"
#define FZ_SWEEP_WAIT_MS 5000
void fz_sweep_stale(const char *dir, const char *mark);
/* rm -r of a directory holding only files, with system calls only (safe in
 * a signal handler). */
void fz_remove_flat_dir(const char *path);
int fz_is_file(const char *path);
int fz_is_dir(const char *path);
/* The names in directory `path` but "." and "..", sorted (so that nothing
 * depends on readdir's order), appended to out.  0, or -1 if it cannot be
 * opened. */
int fz_list_dir(const char *path, struct fz_strv *out);

/* ---- pyinterp.c: the embedded interpreter, for compiling only -------- */

int fz_py_start(void);
/* The Python source `name` ("sbom.py") the freezer embeds (embedded.c),
 * or NULL. */
const char *fz_embedded_source(const char *name);
/* Run the embedded source `name` in a fresh namespace and call its
 * function `fn` with Py_BuildValue(fmt, ...) as arguments: a new
 * reference, or NULL with the exception set (struct _object is PyObject:
 * fz.h needs no Python.h). */
struct _object *fz_py_call_source(const char *name, const char *fn, const char *fmt, ...);
void fz_py_stop(void);

/* Compile `src` as module code with co_filename `vpath`.  Returns a new
 * code object reference (as void* so non-Python files need no Python.h),
 * or NULL after reporting a syntax error at `disk_path`. */
/* `optimize`: 0, 1 or 2, as python3.11's -O flags (cryo build -O, -OO). */
void *fz_py_compile(const char *src, size_t len, const char *vpath, const char *disk_path,
                    int optimize);
/* Marshal a code object to a malloc'd buffer. */
unsigned char *fz_py_marshal(void *code, size_t *len);
void fz_py_decref(void *obj);
/* Whether the runtime resolves `name` without a file: a builtin module of
 * libpython or of the runtime, or a module frozen into libpython. */
int fz_py_is_builtin(const char *name);
/* Whether the embedded interpreter (Debian's libpython) has `name` frozen;
 * which modules a program's libpython serves: fz_natives_is_frozen. */
int fz_py_is_libfrozen(const char *name);
/* New reference to the code of a module frozen into the embedded
 * interpreter, or NULL. */
void *fz_py_libfrozen_code(const char *name);
/* The interpreter's full version string (Py_GetVersion). */
const char *fz_py_version(void);
/* Lower-case hex SHA-256 of `len` bytes, malloc'd. */
char *fz_py_sha256_hex(const void *data, size_t len);

/* ---- scan_imports.c ------------------------------------------------- */

/* One import statement found in bytecode. */
struct fz_import {
    char *name;       /* as written: "os.path", "" for `from . import x` */
    int level;        /* 0 absolute, n > 0 relative */
    struct fz_strv fromlist; /* names after `import` in `from X import a, b` */
    int line;         /* source line, or -1 */
    int guarded;      /* inside a try whose handler catches ImportError */
    int eager;        /* runs when the module itself runs: in its body or a
                         class body, not in a function */
    int cli;          /* in a module's `if __name__ == "__main__":` block or
                         a module-level function named main, _main or _test:
                         its command-line entry point */
    int main_block;   /* in the `if __name__ == "__main__":` block itself */
    int computed;     /* not an import statement but a call with a constant
                         name: FZ_IMPORT_CALL (importlib.import_module("x"),
                         __import__("x")) or FZ_FIND_SPEC
                         (importlib.util.find_spec("x")); 0 otherwise */
};
enum { FZ_IMPORT_CALL = 1, FZ_FIND_SPEC = 2 };

struct fz_importv {
    struct fz_import *v;
    size_t n, cap;
};

/* Collect every import of `code` and of the code objects nested in it. */
int fz_scan_imports(void *code, struct fz_importv *out);
void fz_importv_free(struct fz_importv *iv);

/* ---- cache.c: compiled modules by content hash ---------------------- */

struct fz_module;
/* The cache key of a module compiled from `src` with co_filename `vpath`;
 * NULL when caching is off.  malloc'd. */
char *fz_cache_key(const char *vpath, const char *src, size_t len, int optimize);
/* 1 and fills m's zdata/zlen/usize/crc and `imports` on a hit; 0 on a miss. */
int fz_cache_get(const char *key, struct fz_module *m, struct fz_importv *imports);
void fz_cache_put(const char *key, const struct fz_module *m, const struct fz_importv *imports);
/* After a build that wrote entries: if the compile cache holds more than
 * CRYO_CACHE_MAX bytes, remove the least recently used entries. */
void fz_cache_trim(void);
/* CRYO_CACHE_MAX's value in bytes ("512M", "2G", "100000"): 0 and *bytes
 * set, or -1 for a value that is not a size. */
int fz_cache_parse_size(const char *s, uint64_t *bytes);

/* ---- elfdeps.c: shared libraries an extension module needs ----------- */

/* What the loader reads of a shared object: DT_SONAME, DT_NEEDED, and the
 * search paths of DT_RPATH / DT_RUNPATH with $ORIGIN expanded. */
struct fz_elf {
    char *soname;                       /* NULL if none */
    struct fz_strv needed, rpath, runpath;
};
/* Read `path` (libelf).  0, or -1 with *why (malloc'd) saying what is
 * wrong: not ELF, not x86-64, not a shared object, damaged, cut short. */
int fz_elf_read(const char *path, struct fz_elf *out, char **why);

/* image.c: the first stage's page, copied from the installed stage
 * executable `stage_path` (refused unless it fits in the page), and the
 * image's size, checksum and guard ranges, filled into `t`
 * (payload_format.h).  0, or -1 after reporting. */
struct bl_trailer;
int fz_stage_page(const char *stage_path, unsigned char *page); /* BL_STAGE_SIZE bytes */
int fz_image_guards(const char *image_path, struct bl_trailer *t);
/* Where the bytes of an ELF image (`len` bytes at `img`) go: its loaded
 * segments' file bytes by kind (code R-X, read-only data R--, data RW-),
 * and the rest (section headers, symbols, alignment).  The bss takes no
 * file bytes.  0, or -1 when it is not an ELF file libelf can read. */
enum { FZ_SEG_TEXT, FZ_SEG_RODATA, FZ_SEG_DATA, FZ_SEG_OTHER, FZ_SEG_KINDS };
int fz_image_segments(const void *img, size_t len, uint64_t seg[FZ_SEG_KINDS]);
void fz_elf_free(struct fz_elf *e);
/* One of glibc's own libraries, never packed. */
int fz_elf_is_glibc(const char *soname);
/* Where the loader would find DT_NEEDED `name` of `from` (malloc'd), or
 * NULL (elfdeps.c has the order). */
char *fz_elf_find(const char *name, const struct fz_elf *from);

/* The libraries of a closure: the name objects ask for (DT_NEEDED), the
 * real path of the file found, and the first object that asked. */
struct fz_lib {
    char *name, *path, *needed_by;
};
struct fz_libset {
    struct fz_lib *v;
    size_t n;
};
/* Add the libraries that the shared object `path` needs, directly or not,
 * to `set`; append their names to `order`, each after all it needs; names
 * that cannot be found go to `missing`.  0, or -1 after reporting (the
 * object or a library cannot be read). */
int fz_elf_closure(const char *path, struct fz_libset *set, struct fz_strv *order,
                   struct fz_strv *missing);
void fz_libset_free(struct fz_libset *set);

/* ---- natives.c: extension modules of cryo's own libpython ------------ */

/* One module of the manifest (format: tools/libpython/build.py). */
struct fz_native {
    char *name;           /* "_ssl" */
    char *object;         /* absolute path of its relocatable object, or of
                             its shared object when `shared` */
    int shared;           /* a shared object: packed as a native file, never
                             linked */
    struct fz_strv link;  /* what it needs after the objects: static archives,
                             -l of glibc's libraries */
};

struct fz_natives {
    char *dir;                 /* the libpython cache entry */
    char *core;                /* libpython-core.o */
    struct fz_strv core_link;  /* what the core needs after the objects */
    struct fz_strv frozen;     /* the modules its frozen tables hold */
    int has_frozen;
    struct fz_native *v;
    size_t n;
};

/* Read `dir`/manifest.txt.  0, or -1 after reporting. */
int fz_natives_load(const char *dir, struct fz_natives *out);
/* The module `name`, or NULL; nv may be NULL (Debian's libpython). */
const struct fz_native *fz_natives_find(const struct fz_natives *nv, const char *name);
/* Whether the libpython programs link serves module `name` from its own
 * frozen tables: cryo's drops some of CPython's (build.py DROPPED_FROZEN),
 * so its manifest says; with Debian's (nv NULL) the embedded interpreter,
 * which is Debian's, answers. */
int fz_natives_is_frozen(const struct fz_natives *nv, const char *name);
void fz_natives_free(struct fz_natives *nv);

/* ---- graph.c --------------------------------------------------------- */

/* Where a module was found: the script's directory or --path (the user's
 * own code), the standard library, or a site directory (third-party
 * distributions: fz_site_dirs()). */
enum fz_origin { FZ_ORIGIN_USER, FZ_ORIGIN_STDLIB, FZ_ORIGIN_SITE };

struct fz_module {
    char *name;          /* dotted; "__main__" for the script */
    char *disk_path;     /* source on disk; NULL for namespace packages */
    char *vpath;         /* path in the virtual tree: "pkg/__init__.py" */
    char *pkg_dir;       /* for packages: directory on disk */
    const char *source;  /* cryo's own modules: their source (else NULL) */
    int is_package, is_main;
    enum fz_origin origin;
    char *reason;        /* why it is in the program, for -v */
    struct fz_strv eager_imports; /* absolute names it imports unguarded
                                     while its body runs (graph.c) */
    struct fz_strv start_imports; /* the same, guarded or not (cold.c) */
    int cold;            /* imported by no start of the program: its member
                            is raw LZMA2, not LZ4 (cold.c, RT_MOD_COLD) */
    int zstd;            /* a third-party package's module no start imports
                            that we can see: its member is a zstd frame, not
                            LZ4 (cold.c, RT_MOD_ZSTD) */
    int *eager_lines;             /* their lines, parallel to eager_imports */
    /* Marshalled code, LZ4-compressed, its size and checksum (bl_checksum)
     * (filled by graph.c, written by pack.c). */
    unsigned char *zdata;
    size_t zlen;
    uint32_t usize, crc;
    struct bl_entry entry; /* where pack.c put it in the payload */
    /* Its source bytes as read (kept when sources are shipped: graph.c),
     * their compile-cache key (a SHA-256 of them, the path and the
     * optimization level; NULL when the cache is off), and where sources.c
     * put them: chunk (1-based; 0: not shipped) and offset in it. */
    char *src, *src_key;
    size_t srclen;
    uint32_t source_chunk, source_offset;
    /* Deep-frozen (emit_py311.c): its code is C data linked into the
     * image, and its marshalled code (dfz_bytes long) is not packed. */
    int dfz;
    uint32_t dfz_bytes;
};

/* A chunk of module sources laid end to end (sources.c), compressed as
 * payload_format.h's BL_ENTRY_SOURCE_PREFIX says. */
struct fz_source_chunk {
    unsigned char *zdata;
    size_t zlen;
    uint32_t usize, crc;
    struct bl_entry entry; /* where pack.c put it */
};

/* A file packed beside the modules: package data, or a distribution's
 * metadata (its *.dist-info / *.egg-info directory). */
struct fz_data {
    char *disk_path;
    char *vpath;         /* path in the virtual tree: "pkg/data/x.json" */
    char *reason;        /* why it is in, for -v */
    unsigned char *zdata;/* its bytes: an LZ4 block, or a zstd frame when
                            fz_graph.data_zstd */
    size_t zlen;
    uint32_t usize, crc;
    struct bl_entry entry;
};

/* A native file, packed as it is: a third-party extension module, or a
 * shared library extension modules need (elfdeps.c). */
struct fz_native_file {
    char *name;          /* extension: dotted module name; library: the name
                            DT_NEEDED asks for (its SONAME) */
    char *disk_path;     /* the file packed (symbolic links resolved) */
    char *vpath;         /* extension: its path in the virtual tree */
    char *reason;        /* why it is in, for -v */
    struct fz_strv deps; /* extension: libraries to load first, in order */
    const char *dir_env; /* library: NULL, or a file a library opens by path
                            from the directory this variable names
                            (graph.c, lib_dirs) */
    uint32_t size, crc;  /* filled by fz_natives_prepare */
    unsigned char *zdata;/* its bytes compressed (the same) */
    size_t zlen;
    struct bl_entry entry; /* where pack.c put it */
    int stdlib_table;    /* extension: one of cryo's libpython's shared table
                            modules: compressed as raw LZMA2 by
                            fz_natives_prepare, not zstd (RT_EXT_LZMA,
                            RT_EXT_NOT_OFFERED) */
};

struct fz_graph {
    struct fz_module *mods;
    size_t n, cap;
    struct fz_native_file *exts, *libs;  /* sorted by name once built */
    size_t nexts, nlibs;
    struct fz_data *data;    /* sorted by vpath once built */
    size_t ndata, capdata;
    size_t missing_errors;   /* unguarded imports of user code not found */
    int file_hooks;          /* the runtime must install cryo_files' hooks */
    int data_zstd;           /* the data files are zstd frames, not LZ4
                                (fz_data_prepare; RT_APP_DATA_ZSTD) */
    /* Extension modules linked in as builtins (natives.c), sorted, and
     * parallel to them why each is in. */
    struct fz_strv natives, native_reasons;
    struct fz_source_chunk *chunks; /* module sources (sources.c); none with --no-sources */
    size_t nchunks;
};

struct fz_graph_options {
    const char *script;
    int optimize;             /* -O: 0, 1 or 2 (compile()'s optimize) */
    int keep_sources;         /* keep each module's source in it (fz_module.src) */
    struct fz_strv paths;     /* --path, in order, before the stdlib */
    struct fz_strv site_dirs; /* after the stdlib: fz_site_dirs() */
    struct fz_strv allow_missing_libs; /* --allow-missing-lib */
    struct fz_strv include_data;  /* --include-data SRC=DEST, as given */
    const char *run_module;       /* -m NAME: must be a module, or a package
                                     with __main__ */
    const char *entry_module, *entry_attr; /* --entry-point: the module must
                                              define the attribute */
    struct fz_strv exclude_data;  /* --exclude-data GLOB (fnmatch on the vpath) */
    struct fz_strv includes;  /* --include-module */
    struct fz_strv include_packages; /* --include-package: must be packages */
    struct fz_strv excludes;  /* --exclude-module */
    const char *stdlib_dir;
    /* The extension modules that can be linked in; NULL with Debian's
     * libpython, which has none. */
    const struct fz_natives *natives;
};

/* Build the module graph of a script: every module it needs, compiled.
 * Returns 0, or -1 after reporting (syntax errors, unreadable files,
 * imports of user code that cannot be found). */
int fz_graph_build(const struct fz_graph_options *opt, struct fz_graph *g);
/* The site directories python3.11 would search, in its order: the active
 * virtual environment's ($VIRTUAL_ENV), /usr/local's, Debian's. */
void fz_site_dirs(struct fz_strv *out);
void fz_graph_free(struct fz_graph *g);

/* Python's rule for a relative import: the absolute name that `name` at
 * `level` means inside module `importer` (a package if is_package).
 * Returns a malloc'd string, or NULL when it reaches above the top-level
 * package. */
char *fz_resolve_relative(const char *importer, int is_package, const char *name, int level);

/* ---- pack.c ---------------------------------------------------------- */

/* Write the payload archive of `g` to `path`, then the `extra` members
 * (the build report, BL_ENTRY_REPORT; the SBOM, BL_ENTRY_SBOM); fill each
 * member's entry and the payload's size and CRC. */
/* Whether the payload has raw LZMA2 members (sources, cold modules, cryo's
 * table modules), zstd frames (the other native files): what decoders the
 * program links (emit_table.c) and its bill of materials lists (cc.c). */
int fz_payload_has_lzma(const struct fz_graph *g);
int fz_payload_has_zstd(const struct fz_graph *g);

/* A member stored as it is, after the others: the build report, the SBOM. */
struct fz_extra_member {
    const char *name, *data;
    size_t len;
};
int fz_pack_write(struct fz_graph *g, const char *path, const struct fz_extra_member *extra,
                  size_t nextra, uint64_t *size, uint32_t *crc, uint32_t *entries);

/* Compress `len` bytes as payload members are stored (one LZ4 block). */
unsigned char *fz_compress(const unsigned char *data, size_t len, size_t *clen);
/* The same at LZ4 HC level `level` (faster to compress, a little larger). */
unsigned char *fz_compress_level(const unsigned char *data, size_t len, size_t *clen, int level);

/* ---- cold.c ----------------------------------------------------------- */

/* Mark the modules no start of the program imports (fz_module.cold, or
 * fz_module.zstd for third-party packages' modules). */
void fz_cold_mark(struct fz_graph *g);
/* The same, with `roots` (may be NULL) imported at start too. */
void fz_cold_mark_from(struct fz_graph *g, const struct fz_strv *roots);
/* Mark them, and compress their members as raw LZMA2 or zstd (through the
 * compile cache; a module that would not shrink stays LZ4 and hot).  0, or
 * -1 after reporting. */
int fz_cold_prepare(struct fz_graph *g);
/* Read and compress the native files of `g` not compressed yet (before the
 * report, which gives their sizes, and fz_pack_write), on every core and
 * through the compile cache: cryo's libpython's table modules
 * (fz_native_file.stdlib_table) as raw LZMA2, the others as one zstd frame
 * at BL_NATIVE_ZSTD_LEVEL.  0, or -1 after reporting. */
int fz_natives_prepare(struct fz_graph *g);
/* After fz_natives_prepare and fz_cold_prepare: when the payload carries
 * zstd frames already (fz_payload_has_zstd), re-compress every data file
 * as one zstd frame at BL_DATA_ZSTD_LEVEL (through the compile cache) and
 * set g->data_zstd; else leave them LZ4.  0, or -1 after reporting (the
 * data files then unchanged). */
int fz_data_prepare(struct fz_graph *g);

/* ---- sources.c -------------------------------------------------------- */

/* One buffer to compress as raw LZMA2 (payload_format.h: preset
 * BL_SOURCE_LZMA_PRESET, dictionary BL_SOURCE_DICT_SIZE); `in` NULL: skip
 * it.  out (malloc'd), outlen and ret (an lzma_ret, LZMA_OK = 0) are set. */
struct fz_pack_task {
    const unsigned char *in;
    size_t len;
    int zstd_level; /* 0: raw LZMA2 (BL_SOURCE_LZMA_PRESET); else one zstd
                       frame at this level */
    unsigned char *out;
    size_t outlen;
    int ret;        /* 0, or liblzma's error, or -1 for zstd's */
};
/* Compress every task, on every core (at most 8 threads). */
void fz_compress_tasks(struct fz_pack_task *t, size_t n);

/* Lay the modules' sources (kept by the graph: keep_sources) in chunks and
 * compress them, through the compile cache; fills g->chunks and each
 * module's source_chunk/source_offset, and frees the sources.  Needs the
 * embedded interpreter running (the cache's keys).  0, or -1 after
 * reporting. */
int fz_sources_prepare(struct fz_graph *g);

/* ---- report.c -------------------------------------------------------- */

struct fz_report_totals {
    size_t packages;
    uint64_t code, natives, data, sources; /* compressed payload bytes */
};
void fz_report_totals(const struct fz_graph *g, struct fz_report_totals *t);
/* The line after "cryo: built ...": what is in, by category. */
void fz_report_summary(const struct fz_graph *g, uint64_t image, uint64_t payload);
/* What the report says of the build besides its contents. */
struct fz_report_options {
    const char *output, *version;
    int own_libpython;
    const char *allocator, *gc, *native; /* as --allocator/--gc/--native say */
    int allow_python_env;
    int optimize;
};
/* The report as JSON (format: report.c) to f; with sizes, the file's
 * size and its image/payload/trailer split too (the copy packed into the
 * payload cannot know them: cryo inspect takes them from the trailer). */
void fz_report_json(FILE *f, const struct fz_graph *g, const struct fz_report_options *o,
                    int sizes, uint64_t image, uint64_t payload);
/* Write `len` bytes to `path` through a temporary file renamed into place
 * (whole or not at all); `what` names it in the error.  0, or -1 after
 * reporting. */
int fz_write_file_atomic(const char *path, const char *data, size_t len, const char *what);
/* The CycloneDX SBOM of a build (freezer/sbom.py) from its report and the
 * static libraries linked, malloc'd; NULL after reporting.  Needs the
 * embedded interpreter running. */
char *fz_sbom_make(const char *report, const struct fz_strv *archives, const char *app);
/* `cryo build --report FILE`.  0, or -1 after reporting; the file is
 * written whole or not at all. */
int fz_report_write(const struct fz_graph *g, const char *path,
                    const struct fz_report_options *o, uint64_t image, uint64_t payload);

/* ---- inspect.c ------------------------------------------------------- */

/* `cryo inspect PATH [--json | --sbom]` (as_json 0, 1, 2): print what the
 * executable holds, or the SBOM it carries.  0, or -1 after reporting
 * (unreadable, damaged, not built by cryo, no SBOM). */
/* as_json: 0 text, 1 JSON, 2 the SBOM, 3 write the ELF image to `image`. */
int fz_inspect(const char *path, int as_json, const char *image);

/* ---- emit_table.c ---------------------------------------------------- */

/* `gc`: the build's memory-manager defaults (cryo build --allocator, --gc,
 * --gc-growth, --gc-pause-ms, --mem-release; negative fields: built-in). */
int fz_emit_table(const struct fz_graph *g, uint32_t payload_crc, uint32_t app_flags,
                  const struct gc_config *gc, uint32_t native_mode, const char *path);

/* ---- cc.c ------------------------------------------------------------ */

struct fz_toolchain {
    const char *cc;            /* compiler driver: $CC or "cc" */
    int lld;                   /* link with lld (cc.c says why) */
    char *include_dir;         /* holds runtime/ and bootloader/ headers */
    char *lib_dir_runtime, *lib_dir_bootloader, *lib_dir_gc;
    const char *libpython;     /* Debian's libpython3.11.a, or NULL with cryo's own,
                                  whose parts are in `natives` */
    char *libpython_dir;       /* cryo's libpython: the cache entry (build tree) or
                                  <libdir>/cryo/libpython (installed) */
    struct fz_natives natives; /* cryo's libpython (empty with Debian's) */
    char *stage;               /* the first stage, bootloader/cryo-stage */
    char *startup_order;       /* startup-order.txt (tools/startup_order.py) for
                                  lld, or NULL */
};

int fz_toolchain_find(struct fz_toolchain *tc);
/* The static libraries (absolute paths of .a files) a program of `g` links
 * into its image, for its bill of materials. */
void fz_cc_static_archives(const struct fz_toolchain *tc, const struct fz_graph *g,
                           struct fz_strv *out);
/* Async-signal-safe: stop and reap the compiler or linker if one runs, so
 * that it cannot write an output after the build gave up. */
void fz_cc_stop_child(void);
void fz_toolchain_free(struct fz_toolchain *tc);
int fz_cc_compile(const struct fz_toolchain *tc, const char *src, const char *obj);
/* Compile each srcs->v[i] to objs->v[i] with FZ_DFZ_CFLAGS, on every core:
 * deep-frozen modules, which are data only. */
#define FZ_DFZ_CFLAGS "-c -O0 -fno-pie -w"
int fz_cc_compile_many(const struct fz_toolchain *tc, const struct fz_strv *srcs,
                       const struct fz_strv *objs);
/* Link `obj` into `out`; messages name `final_name`, where `out` will be
 * renamed to.  strip: leave out symbols and debug information (default). */
int fz_cc_link(const struct fz_toolchain *tc, const char *obj, const struct fz_strv *objs,
               const struct fz_graph *g, const char *out, const char *final_name, int strip);

/* ---- emit_py311.c: deep-frozen modules -------------------------------- */

struct _object;
/* The symbol of `module`'s struct cryo_dfz (runtime/frozen_py311.h). malloc'd. */
char *fz_dfz_symbol(const char *module);
/* Write `code` (the module's code object) and its constants as C to `f`:
 * 0, or -1 with *unsupported naming what cannot be static. */
int fz_dfz_emit(struct _object *code, const char *module, FILE *f, const char **unsupported);
/* Deep-freeze the modules a start imports (not cold), of the standard
 * library and the program (and of third-party packages if `packages`),
 * each compiled or found in the compile cache, its object's path added to
 * `objects`; marks them dfz.  0, or -1 after reporting. */
int fz_dfz_prepare(struct fz_graph *g, const struct fz_toolchain *tc, const char *tmp_dir,
                   int packages, struct fz_strv *objects);

/* ---- build.c --------------------------------------------------------- */

struct fz_build_options {
    struct fz_graph_options graph;
    const char *output;
    int allow_python_env;
    int keep_symbols;  /* --keep-symbols: do not strip the output */
    struct gc_config gc; /* --allocator/--gc/--gc-* and --mem-release, checked
                            by main.c; -1: the built-in default */
    uint32_t native_mode; /* --native: RT_NATIVE_* */
    const char *report;   /* --report FILE, or NULL */
    const char *sbom;     /* --sbom FILE, or NULL */
    const char *app_version; /* --app-version, or NULL */
    int no_sources;          /* --no-sources: ship no module source */
    int no_deep_freeze;      /* --no-deep-freeze: every module marshalled */
    int deep_freeze_packages; /* --deep-freeze-packages: third-party ones too */
};

int fz_build(const struct fz_build_options *opt);

#endif
