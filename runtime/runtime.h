/* runtime.h — interpreter bring-up and the embedded importer.
 *
 * The bootloader hands rt_main a verified payload; the runtime installs the
 * gc/ allocator, starts a hermetic interpreter, puts its importer first on
 * sys.meta_path and runs the frozen __main__ with python's exit semantics.
 */
#ifndef CRYO_RUNTIME_H
#define CRYO_RUNTIME_H

#include <Python.h>

#include "../bootloader/bootloader.h"
#include "module_table.h"

/* Runs the frozen program; returns the process exit status (or does not
 * return, as python does for SystemExit and an unhandled Ctrl-C). */
int rt_main(int argc, char **argv, const struct bl_payload *payload);

/* The payload modules are read from: set once by rt_main. */
extern struct bl_payload rt_payload;

/* The virtual tree's root: sys.executable, as a str.  Set by rt_main
 * before the importer is installed; owned by the runtime. */
extern PyObject *rt_root;

/* New reference to the code object of `m`, with co_filename set to its
 * path in the virtual tree; NULL with ImportError set if the payload
 * member cannot be read. */
PyObject *rt_load_code(const struct rt_module *m, PyObject *filename);
/* Read payload member `e` (bl_payload_read).  A member that is damaged, or
 * that cannot be read, ends the program at once with the bootloader's
 * one-line message and status 127 (bl_refuse): a program must never go on
 * with part of itself missing, and an ImportError or OSError could be
 * caught.  Returns BL_OK, or BL_ERR_NOMEM. */
enum bl_err rt_payload_read(const struct bl_entry *e, unsigned char *out);
/* Take the executable's identity (at start-up), so that a payload
 * descriptor the program closes can be replaced by the same file. */
void rt_payload_remember(void);
/* The same for a native file's member (cryo_app.native_read). */
enum bl_err rt_payload_read_native(const struct bl_entry *e, unsigned char *out);
/* The same for any zstd frame: a native file's, or a module's code
 * (RT_MOD_ZSTD), both read by cryo_app.native_read. */
enum bl_err rt_payload_read_zstd(const struct bl_entry *e, unsigned char *out);

/* The same for a raw LZMA2 member: a chunk of module sources, or a cold
 * module's code (cryo_app.lzma_read). */
enum bl_err rt_payload_read_source(const struct bl_entry *e, unsigned char *out);

/* sources.c: new reference to the source bytes of `m`, or to None when it
 * has none shipped; NULL with an exception set. */
PyObject *rt_module_source(const struct rt_module *m);
/* The module whose source `path` (a str) names in the virtual tree
 * ("<root>/<m->path>"), if its source is shipped; else NULL, no exception. */
const struct rt_module *rt_module_at(PyObject *path);
/* The same for `rel`, relative to the tree's root ("pkg/mod.py"). */
const struct rt_module *rt_module_by_path(const char *rel);
/* When the program ships sources: io.open also opens them (sources.c says
 * why).  0, or -1 with an exception set. */
int rt_sources_install(void);
/* Once linecache has run: its look-ups by file name alone (warnings'
 * printer) find the frozen modules' sources too.  0, or -1 with an
 * exception set. */
int rt_sources_adopt_linecache(PyObject *linecache);

/* interp.c: the table's RT_MOD_MAIN entry (the script), or NULL. */
const struct rt_module *rt_main_module(void);

/* New reference: "<root>/<m->path>". */
PyObject *rt_module_origin(const struct rt_module *m);

/* Importer: put a new instance first on sys.meta_path.  0 or -1 with an
 * exception set. */
int rt_importer_install(void);

/* The importer object installed (borrowed), for __main__.__loader__. */
PyObject *rt_importer_get(void);

/* reentry.c: whether argv may be one of multiprocessing's re-entry forms
 * (a cheap first look; 0 for programs that do not pack multiprocessing). */
int rt_reentry_candidate(int argc, char **argv);
/* Run the child multiprocessing asked for, if sys.argv is one of its
 * forms: its exit status as an int (new reference), or None (new
 * reference) when argv is the program's own; NULL with an exception set
 * (SystemExit included). */
PyObject *rt_reentry_run(const struct rt_module *main, PyObject *origin);

/* native_files.c: a path the dynamic loader can open holding payload
 * entry `e` (stored raw), named `base` (cache or memory file); malloc'd,
 * or NULL with ImportError set. */
char *rt_native_path(const struct bl_entry *e, const char *base);
/* Load the libraries extension `x` needs, in order, once each.  0, or -1
 * with ImportError set. */
int rt_native_load_deps(const struct rt_ext *x);
/* At start-up, in memory mode: offer an empty memory file for each packed
 * native file, to be filled by whichever process of the tree needs it
 * first (native_files.c). */
void rt_native_start(void);

PyObject *rt_init_cryo_module(void);
PyObject *rt_init_contextvars(void);

#endif
