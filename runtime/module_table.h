/* module_table.h — the one definition of the generated module table.
 *
 * The freezer (freezer/emit_table.c) writes a C file defining `cryo_app`
 * with these types; the runtime reads it.  The C compiler checks that the
 * two agree, since the generated file includes this header.
 *
 * Invariants the writer guarantees and the reader relies on:
 *  - modules[] is sorted by strcmp(name) and names are unique, so lookup is
 *    a binary search;
 *  - every entry's code lies in the payload of the same build, whose CRC is
 *    payload_crc (checked by the bootloader against the trailer);
 *  - exactly one entry has RT_MOD_MAIN: the script, run as __main__; the
 *    importer never serves it under its table name.
 */
#ifndef CRYO_MODULE_TABLE_H
#define CRYO_MODULE_TABLE_H

#include <stddef.h>
#include <stdint.h>

#include "../bootloader/payload_format.h"
#include "../bootloader/trailer_codec.h"
#include "../gc/gc.h"
#include "frozen_py311.h"

struct bl_payload;

enum {
    RT_MOD_PACKAGE = 1u << 0, /* a package: has __path__, code is its __init__ */
    RT_MOD_MAIN = 1u << 1,    /* the script run as __main__ */
    /* code is raw LZMA2, not LZ4: no start of the program imports it
     * (freezer/cold.c), so it is packed smaller and decoded more slowly */
    RT_MOD_COLD = 1u << 2,
    /* code is a zstd frame, not LZ4: a third-party package's module that no
     * start imports as far as the freezer can see (freezer/cold.c); decoded
     * by the native files' reader, four times slower than LZ4 and ten
     * times faster than LZMA2, for a quarter less than LZ4 */
    RT_MOD_ZSTD = 1u << 3,
};

/* Where native files go to be loaded (cryo build --native, CRYO_NATIVE). */
enum {
    RT_NATIVE_AUTO = 0,   /* the cache directory if usable, else memory files */
    RT_NATIVE_CACHE = 1,  /* the cache directory only */
    RT_NATIVE_MEMORY = 2, /* sealed memory files only */
};
/* Their names, indexed by RT_NATIVE_*: the values of --native and of
 * CRYO_NATIVE. */
#define RT_NATIVE_MODE_NAMES {"auto", "cache", "memory"}

enum {
    /* PYTHON* environment variables are honoured (cryo build --allow-python-env) */
    RT_APP_ALLOW_PYTHON_ENV = 1u << 0,
    /* open(), os.stat() and friends see the virtual tree (runtime/
     * cryo_files.py, install()): the program has data files, or packs code
     * that walks package directories (unittest's discovery) */
    RT_APP_FILE_HOOKS = 1u << 1,
    /* bits 2-3: the optimization level the modules were compiled with
     * (cryo build -O/-OO), which sys.flags.optimize reports */
    RT_APP_OPTIMIZE_SHIFT = 2,
    RT_APP_OPTIMIZE_MASK = 3u << 2,
    /* the data files' members are zstd frames, read with rt_app.native_read,
     * not LZ4 blocks (freezer/cold.c, fz_data_prepare) */
    RT_APP_DATA_ZSTD = 1u << 4,
};

struct rt_module {
    const char *name;  /* dotted module name */
    const char *path;  /* path in the virtual tree, relative to its root:
                          "pkg/__init__.py", "pkg/mod.py", "app.py" */
    uint32_t flags;    /* RT_MOD_* */
    struct bl_entry code; /* marshalled code object in the payload */
    /* Its source: `source_size` bytes at `source_offset` in the decoded
     * chunk rt_app.sources[source_chunk - 1]; source_chunk 0 when it is
     * not shipped (cryo build --no-sources, a namespace package). */
    uint32_t source_chunk, source_offset, source_size;
    /* Deep-frozen (freezer/emit_py311.c): its code objects are static data
     * here, `code` is empty; NULL for a module marshalled in the payload. */
    struct cryo_dfz *dfz;
};

/* An extension module linked into the executable (cryo's libpython only):
 * registered as a builtin before the interpreter starts.  `init` has
 * PyInit's type; declared without Python.h, as the generated file is. */
struct _object;
struct rt_native {
    const char *name;
    struct _object *(*init)(void);
};

/* A data file in the payload (package data, distribution metadata), at
 * `path` in the virtual tree, relative to its root. */
struct rt_data {
    const char *path;
    struct bl_entry data;
};

/* A shared library packed for the extension modules below (a zstd frame:
 * payload_format.h, BL_ENTRY_LIB_PREFIX), by the name they ask for. */
struct rt_lib {
    const char *name;
    struct bl_entry file;
    /* NULL; or the file is one a library opens by path from the directory
     * named by this environment variable (OPENSSL_MODULES): `name` is
     * "<dir>/<file>", and the runtime puts it in such a directory */
    const char *dir_env;
};

/* An extension module, packed as its file (payload_format.h), with
 * the libraries to load before it: lib_deps[dep_first .. +dep_count],
 * indexes into rt_app.libs, each after what it needs. */
struct rt_ext {
    const char *name;   /* dotted module name */
    const char *path;   /* its path in the virtual tree */
    struct bl_entry file;
    uint32_t dep_first, dep_count;
    uint32_t flags;     /* RT_EXT_* */
};
/* Not offered at start in memory mode (runtime/native_files.c): one of the
 * standard library's table modules (unicodedata, the CJK codecs) that
 * every program carries and few load; a program that carries nothing else
 * does nothing about native files until one is imported. */
#define RT_EXT_NOT_OFFERED 1u
/* Its member is raw LZMA2 (read with rt_app.lzma_read), not a zstd frame:
 * the same table modules (freezer/cold.c says why). */
#define RT_EXT_LZMA 2u

struct rt_app {
    uint32_t payload_crc;  /* CRC of the payload this table was made for */
    uint32_t flags;        /* RT_APP_* */
    size_t module_count;
    const struct rt_module *modules;
    struct gc_config gc;   /* cryo build --allocator/--gc/--gc-* and --mem-release:
                              the defaults CRYO_* variables override (a
                              negative field: the built-in default) */
    size_t native_count;
    const struct rt_native *natives; /* sorted by name */
    size_t data_count;
    const struct rt_data *data;      /* sorted by path (strcmp) */
    size_t ext_count;
    const struct rt_ext *exts;       /* sorted by name */
    size_t lib_count;
    const struct rt_lib *libs;       /* sorted by name */
    const uint32_t *lib_deps;        /* see struct rt_ext */
    uint32_t native_mode;            /* RT_NATIVE_*: where packed native files
                                        are put to be loaded (runtime/
                                        native_files.c); CRYO_NATIVE overrides */
    /* bl_payload_read_native when the program carries zstd frames: native
     * files (all but RT_EXT_LZMA's) or RT_MOD_ZSTD modules; else NULL: a
     * program without them links no zstd decoder. */
    enum bl_err (*native_read)(const struct bl_payload *p, const struct bl_entry *e,
                               unsigned char *out);
    /* The chunks of module sources (struct rt_module), and
     * bl_payload_read_source, the reader of raw LZMA2 members, when there
     * are any or cold modules (RT_MOD_COLD), else NULL: a program with
     * neither links no LZMA decoder. */
    size_t source_count;
    const struct bl_entry *sources;
    enum bl_err (*lzma_read)(const struct bl_payload *p, const struct bl_entry *e,
                             unsigned char *out);
};

/* Binary search of app->modules by name; NULL when absent (runtime/table.c).
 * The table is a parameter so tests can pass their own. */
const struct rt_module *rt_table_find(const struct rt_app *app, const char *name);

/* Binary search of app->exts by name; NULL when absent (runtime/table.c). */
const struct rt_ext *rt_ext_find(const struct rt_app *app, const char *name);

/* Binary search of app->data by path; NULL when absent (runtime/table.c). */
const struct rt_data *rt_data_find(const struct rt_app *app, const char *path);

/* Defined by the generated C file of each frozen program. */
extern const struct rt_app cryo_app;

#endif
