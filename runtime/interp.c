/* interp.c — interpreter bring-up and __main__, with python's semantics.
 *
 * Order (see ../../shared/DESIGN.md, "The data flow"):
 *   1. gc_install(): CRYO_* options over the build's (cryo_app.gc), our
 *      allocator, before Python allocates anything;
 *   2. pre-initialise: python's locale and UTF-8 rules, PYTHON* variables
 *      ignored unless the program was built with --allow-python-env;
 *   3. core initialisation (_init_main = 0): builtins and frozen importlib
 *      only, no path search (pathconfig_py311.c), no site;
 *   4. our importer goes first on sys.meta_path, so that everything the
 *      main phase imports (encodings, for the standard streams) comes from
 *      the payload;
 *   5. main phase; then sys.frozen, exit/quit/help, start-up objects are
 *      taken out of later collections (gc/cycle.c), and the script runs as
 *      __main__, exiting as `python3.11 app.py` would.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../gc/gc.h"
#include "builtins.h"
#include "runtime.h"

/* CPython's exit status when flushing or finalising fails after the
 * program ran (Modules/main.c uses the same number). */
#define RT_EXIT_FINALIZE_FAILED 120

static PyStatus set_config(PyConfig *c, int argc, char **argv, const char *exe)
{
    PyStatus st;
    int allow_env = (cryo_app.flags & RT_APP_ALLOW_PYTHON_ENV) != 0;

    c->parse_argv = 0;            /* argv belongs to the program, not to us */
    c->use_environment = allow_env;
    c->site_import = 0;           /* no site-packages: the program is hermetic */
    c->user_site_directory = 0;
    c->pathconfig_warnings = 0;
    c->install_signal_handlers = 1;
    c->_init_main = 0;            /* stop after the core: see step 4 above */
    /* As python3.11 -O/-OO: sys.flags.optimize, __debug__, and code
     * compiled at run time (exec, compile) like the packed modules. */
    c->optimization_level = (int)((cryo_app.flags & RT_APP_OPTIMIZE_MASK) >> RT_APP_OPTIMIZE_SHIFT);

    st = PyConfig_SetBytesArgv(c, argc, argv);
    if (PyStatus_Exception(st))
        return st;
    st = PyConfig_SetBytesString(c, &c->program_name, argc > 0 ? argv[0] : exe);
    if (PyStatus_Exception(st))
        return st;
    st = PyConfig_SetBytesString(c, &c->executable, exe);
    if (PyStatus_Exception(st))
        return st;

    /* sys.prefix and friends: the directory holding the executable. */
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", exe);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir)
        *slash = '\0';
    else
        snprintf(dir, sizeof dir, "/");
    st = PyConfig_SetBytesString(c, &c->prefix, dir);
    if (PyStatus_Exception(st))
        return st;
    /* An empty search path: nothing on the host's disk can change what the
     * program imports. */
    c->module_search_paths_set = 1;
    return PyStatus_Ok();
}

static void register_builtins(void)
{
#define X(name, init) PyImport_AppendInittab(name, init);
    RT_EXTRA_BUILTINS(X)
#undef X
    /* The extension modules the freezer linked in (cryo's libpython). */
    for (size_t i = 0; i < cryo_app.native_count; i++)
        PyImport_AppendInittab(cryo_app.natives[i].name,
                               (PyObject * (*)(void)) cryo_app.natives[i].init);
}

/* What `site` would add that scripts use: exit(), quit() and help(), from
 * the _sitebuiltins module frozen into libpython.  0 or -1 with an
 * exception set. */
static int add_site_builtins(void)
{
    PyObject *sb = PyImport_ImportModule("_sitebuiltins");
    PyObject *builtins = PyImport_ImportModule("builtins");
    PyObject *quitter = NULL, *helper = NULL, *o = NULL;
    int rc = -1;
    if (!sb || !builtins)
        goto done;
    quitter = PyObject_GetAttrString(sb, "Quitter");
    helper = quitter ? PyObject_GetAttrString(sb, "_Helper") : NULL;
    if (!helper)
        goto done;
    static const char *const names[] = {"exit", "quit"};
    for (size_t i = 0; i < 2; i++) {
        o = PyObject_CallFunction(quitter, "ss", names[i], "Ctrl-D (i.e. EOF)");
        if (!o || PyObject_SetAttrString(builtins, names[i], o) < 0)
            goto done;
        Py_CLEAR(o);
    }
    o = PyObject_CallNoArgs(helper);
    if (!o || PyObject_SetAttrString(builtins, "help", o) < 0)
        goto done;
    rc = 0;
done:
    Py_XDECREF(o);
    Py_XDECREF(helper);
    Py_XDECREF(quitter);
    Py_XDECREF(builtins);
    Py_XDECREF(sb);
    return rc;
}

const struct rt_module *rt_main_module(void)
{
    for (size_t i = 0; i < cryo_app.module_count; i++)
        if (cryo_app.modules[i].flags & RT_MOD_MAIN)
            return &cryo_app.modules[i];
    return NULL;
}

/* Programs that carry data files (or walk package directories, as
 * unittest's discovery does): open(), os.stat() and the rest see the
 * virtual tree (runtime/cryo_files.py, install()).  0 or -1 with an
 * exception set. */
static int install_files(void)
{
    if (!(cryo_app.flags & RT_APP_FILE_HOOKS))
        return 0;
    PyObject *mod = PyImport_ImportModule("_cryo_files");
    PyObject *r = mod ? PyObject_CallMethod(mod, "install", NULL) : NULL;
    Py_XDECREF(mod);
    Py_XDECREF(r);
    return r ? 0 : -1;
}

/* A fresh __main__ module in sys.modules, as the interpreter's own
 * (add_main_module) has it: __builtins__ and the loader.  The one made
 * during start-up was frozen with the other start-up objects
 * (gc/cycle.c): if the program's globals lived in it, the cycles through
 * them (functions' __globals__) would never be collected, and their
 * finalizers would not run at exit as they do under python3.11.  Returns
 * the module's dict (borrowed: sys.modules holds the module), or NULL with
 * an exception set. */
static PyObject *fresh_main(void)
{
    PyObject *mod = PyModule_New("__main__");
    PyObject *modules = PySys_GetObject("modules"); /* borrowed */
    PyObject *builtins = PyEval_GetBuiltins();     /* borrowed */
    if (!mod || !modules || !builtins
        || PyDict_SetItemString(PyModule_GetDict(mod), "__builtins__", builtins) < 0
        || PyMapping_SetItemString(modules, "__main__", mod) < 0) {
        Py_XDECREF(mod);
        return NULL;
    }
    Py_DECREF(mod);
    return PyModule_GetDict(mod);
}

/* Run the script in __main__.  Returns 0, or 1 after printing the
 * traceback; SystemExit does not return (PyErr_Print exits as python
 * does).  Sets *interrupted when the script ended by KeyboardInterrupt. */
static int run_main(int argc, char **argv, int *interrupted)
{
    const struct rt_module *m = rt_main_module();
    PyObject *origin = NULL, *code = NULL, *r = NULL;
    PyObject *d = fresh_main();
    if (!d)
        goto error;
    if (!m) {
        PyErr_SetString(PyExc_RuntimeError, "this executable has no __main__ module");
        goto error;
    }
    origin = rt_module_origin(m);
    if (!origin)
        goto error;
    /* A child of multiprocessing (reentry.c) runs what its parent asked
     * for; checked before __main__ has a __file__, which would tell
     * multiprocessing that the parent's main is already loaded. */
    if (rt_reentry_candidate(argc, argv)) {
        r = rt_reentry_run(m, origin);
        if (!r)
            goto error;
        if (r != Py_None) {
            int status = (int)PyLong_AsLong(r);
            Py_DECREF(r);
            Py_DECREF(origin);
            return status;
        }
        Py_CLEAR(r);
    }
    if (PyDict_SetItemString(d, "__file__", origin) < 0
        || PyDict_SetItemString(d, "__cached__", Py_None) < 0
        || PyDict_SetItemString(d, "__loader__", rt_importer_get()) < 0)
        goto error;
    code = rt_load_code(m, origin);
    if (!code)
        goto error;
    r = PyEval_EvalCode(code, d, d);
    if (!r)
        goto error;
    Py_DECREF(r);
    Py_DECREF(code);
    Py_DECREF(origin);
    return 0;

error:
    Py_XDECREF(code);
    Py_XDECREF(origin);
    if (PyErr_ExceptionMatches(PyExc_KeyboardInterrupt))
        *interrupted = 1;
    PyErr_Print();
    return 1;
}

/* Die of SIGINT as python does after an unhandled KeyboardInterrupt, so
 * the parent (a shell, make) sees the interrupt and stops too. */
static int exit_sigint(void)
{
    signal(SIGINT, SIG_DFL);
    kill(getpid(), SIGINT);
    return 128 + SIGINT; /* only if the signal was blocked */
}

/* A fatal error while the interpreter starts (it prints "Fatal Python
 * error: ..." and aborts) can only come from the machine, not from the
 * program, whose code has not run: in practice an address-space limit
 * (ulimit -v) that leaves too little to start.  It ends with status 1
 * and a line saying so, not with SIGABRT and a core dump; python3.11
 * aborts there. */
static void startup_abort(int sig)
{
    (void)sig;
    static const char msg[] = "cryo: the interpreter could not start (see the line above; "
                              "out of memory? check ulimit -v)\n";
    ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
    (void)w;
    _exit(1);
}

/* The deep-frozen modules' bytes objects (runtime/frozen_py311.h,
 * CRYO_DFZ_BYTES: line and exception tables) are read only where an
 * exception passes or a traceback is made, a few places in a run.  But at
 * each read fault the kernel maps up to 16 pages around it that are in the
 * page cache ("fault-around", which MADV_RANDOM does not stop), within the
 * mapping: a handful of exceptions while the modules are imported made
 * 1.0 MB of stdlib40's 1.3 MB of tables resident, unread.  So every other
 * page of them is given a flag that only core dumps read (MADV_DONTDUMP;
 * a core dump leaves out unwritten file pages anyway), which keeps the
 * kernel from merging it with its neighbours: each page is then a mapping
 * of its own, and a fault maps that page alone.  Measured on stdlib40:
 * 176 KB of the tables resident instead of 1028, peak RSS 19.1 -> 18.4
 * MiB, for 162 madvise calls (start-up within noise, about 1%). */
extern char __start_cryo_dfz_bytes[] __attribute__((weak));
extern char __stop_cryo_dfz_bytes[] __attribute__((weak));

static void split_dfz_bytes(void)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)__start_cryo_dfz_bytes, b = (uintptr_t)__stop_cryo_dfz_bytes;
    if (!a || b <= a)
        return;
    a = (a + page - 1) & ~(page - 1);
    b &= ~(page - 1);
    for (uintptr_t p = a + page; p < b; p += 2 * page)
        (void)madvise((void *)p, page, MADV_DONTDUMP); /* advice only */
}

/* The deep-frozen modules' objects (CRYO_DFZ_DATA, shared strings with
 * them) are the modules a start imports and the program's own: nearly all
 * of their pages are written by the start anyway (reference counts,
 * interning: stdlib40 5008 of 5500 KB, rich 2908 of 3232), and the rest
 * are resident, mapped by fault-around.  Faulted page by page, most pages
 * are first mapped read-only from the page cache (a read, or a neighbour's
 * fault) and then copied at their first write: two faults and a TLB flush
 * each, 1,375 of them for stdlib40, which perf showed as 8% of its start
 * (ptep_clear_flush).  One MADV_POPULATE_WRITE copies them all before any
 * is mapped: measured (ab_measure.py, medians of 21/15 runs) stdlib40
 * 95.6 -> 86.1 ms, rich 112 -> 93 ms, jinja2 89 -> 80 ms, numpy unchanged;
 * peak RSS within 0.3% (those pages were resident already).  The cost is
 * in a tree of processes that re-enter the executable: a page resident
 * unwritten is the page cache's, shared by all of them, a page copied is
 * each one's: real_pool's 4 spawned numpy workers 96.1 -> 97.4 MB (python3.11:
 * 101.1).  The run-once blocks (given back after their bodies ran) and the
 * bytes objects (mostly never read) stay faulted on demand; so does
 * libpython's own data (1.6 MB for numpy, 1.1 MB written: +0.5 MB a
 * process, for a 2% start-up gain within noise).  A kernel before 5.14
 * refuses the advice: the pages are then faulted as before. */
extern char __start_cryo_dfz[] __attribute__((weak));
extern char __stop_cryo_dfz[] __attribute__((weak));

static void populate_dfz(void)
{
    uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)__start_cryo_dfz & ~(page - 1);
    uintptr_t b = ((uintptr_t)__stop_cryo_dfz + page - 1) & ~(page - 1);
    if (__start_cryo_dfz && b > a)
        (void)madvise((void *)a, b - a, MADV_POPULATE_WRITE); /* advice only */
}

int rt_main(int argc, char **argv, const struct bl_payload *payload)
{
    PyStatus st;
    PyPreConfig pre;
    PyConfig config;
    int allow_env = (cryo_app.flags & RT_APP_ALLOW_PYTHON_ENV) != 0;
    const char *exe = bl_exe_path();

    rt_payload = *payload;
    rt_payload_remember();
    split_dfz_bytes();
    populate_dfz();
    gc_install(&cryo_app.gc);
    struct sigaction abort_act = {.sa_handler = startup_abort}, saved_abort;
    sigaction(SIGABRT, &abort_act, &saved_abort);

    PyPreConfig_InitPythonConfig(&pre);
    pre.parse_argv = 0;
    pre.use_environment = allow_env;
    st = Py_PreInitialize(&pre);
    if (PyStatus_Exception(st))
        Py_ExitStatusException(st);

    register_builtins();
    PyConfig_InitPythonConfig(&config);
    st = set_config(&config, argc, argv, exe);
    if (!PyStatus_Exception(st))
        st = Py_InitializeFromConfig(&config);
    PyConfig_Clear(&config);
    if (PyStatus_Exception(st))
        Py_ExitStatusException(st);

    rt_root = PyUnicode_DecodeFSDefault(exe);
    if (!rt_root || rt_importer_install() < 0) {
        PyErr_Print();
        Py_FatalError("cannot install the frozen-module importer");
    }
    rt_native_start();
    /* Ctrl-C while the interpreter finishes its start-up would interrupt
     * code that cannot take it (the standard streams' set-up: a fatal
     * error, as in python3.11, whose window is the same).  Held back until
     * the program's first line instead, it arrives as the KeyboardInterrupt
     * an interrupted program gets.  Before this point SIGINT kills, as it
     * kills python3.11 there. */
    sigset_t sigint, saved_mask;
    sigemptyset(&sigint);
    sigaddset(&sigint, SIGINT);
    sigprocmask(SIG_BLOCK, &sigint, &saved_mask);
    st = _Py_InitializeMain();
    if (PyStatus_Exception(st))
        Py_ExitStatusException(st);

    /* the sources' io.open first: cryo_files' open() falls back to it */
    if (PySys_SetObject("frozen", Py_True) < 0 || add_site_builtins() < 0
        || rt_sources_install() < 0 || install_files() < 0 || gc_cycle_start() < 0) {
        PyErr_Print();
        Py_FatalError("cannot finish the frozen program's start-up");
    }
    sigprocmask(SIG_SETMASK, &saved_mask, NULL);
    sigaction(SIGABRT, &saved_abort, NULL);

    int interrupted = 0;
    int status = run_main(argc, argv, &interrupted);
    if (Py_FinalizeEx() < 0)
        status = RT_EXIT_FINALIZE_FAILED;
    /* After everything the program and finalisation printed; SystemExit
     * does not come here (Py_Exit → exit()): gc_install's atexit hook
     * prints then.  Printed once either way. */
    gc_stats_at_exit();
    if (interrupted)
        status = exit_sigint();
    return status;
}
