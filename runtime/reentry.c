/* reentry.c — multiprocessing's children re-entering the executable.
 *
 * A frozen program is its own interpreter: when multiprocessing starts a
 * child with the spawn or forkserver method, or starts its resource
 * tracker, it runs sys.executable — this file — with python's arguments:
 *
 *   exe --multiprocessing-fork tracker_fd=5 pipe_handle=7
 *       spawn.get_command_line() when sys.frozen is set (spawn method)
 *   exe [FLAGS] -c 'from multiprocessing.resource_tracker import main;main(5)'
 *       resource_tracker.ensure_running()
 *   exe [FLAGS] -c 'from multiprocessing.forkserver import main; main(5, 6, [...], **{...})'
 *       forkserver.ensure_running(); FLAGS are what
 *       subprocess._args_from_interpreter_flags() gives (-S, -E, -W..., -X ...)
 *
 * Those and only those forms run what multiprocessing asked for instead of
 * the program's __main__; any other argv reaches the program unchanged (a
 * program with its own -c option still gets it).  Without this, the child
 * would run __main__ again, which starts children again, without end.
 *
 * The child then needs the parent's __main__ as __mp_main__, as python3.11
 * gives it: multiprocessing's prepare() runs runpy.run_path() on the
 * parent's __main__.__file__, which for a frozen program is a path inside
 * the executable (importer.c, "the virtual tree") that no file answers.
 * The child's _fixup_main_from_path is replaced by one that runs the
 * frozen main's code as __mp_main__ when asked for that path, and calls
 * the original for any other.
 *
 * The check costs nothing to programs that do not pack multiprocessing:
 * they never look at their arguments.  The full check of the forms (the
 * -c code's arguments must be literals: they are parsed, never evaluated)
 * is Python, compiled only when argv already looks like a re-entry.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <string.h>

#include "runtime.h"

#define SPAWN_FLAG "--multiprocessing-fork"
#define CODE_PREFIX "from multiprocessing."

/* The full check and the child's start are Python: runtime/reentry.py,
 * embedded as reentry_py (runtime/meson.build). */
#include "reentry_py.h"

int rt_reentry_candidate(int argc, char **argv)
{
    if (argc < 2 || !rt_table_find(&cryo_app, "multiprocessing"))
        return 0;
    if (strcmp(argv[1], SPAWN_FLAG) == 0)
        return 1;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "-c") == 0)
            return strncmp(argv[i + 1], CODE_PREFIX, strlen(CODE_PREFIX)) == 0;
    return 0;
}

PyObject *rt_reentry_run(const struct rt_module *main, PyObject *origin)
{
    PyObject *globals = NULL, *code = NULL, *r = NULL, *fn = NULL, *main_code = NULL;
    PyObject *argv = PySys_GetObject("argv"); /* borrowed */
    if (!argv)
        return PyErr_Format(PyExc_RuntimeError, "sys.argv is missing");
    globals = PyDict_New();
    if (!globals || PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins()) < 0)
        goto done;
    code = Py_CompileString(reentry_py, "<cryo re-entry>", Py_file_input);
    if (!code)
        goto done;
    r = PyEval_EvalCode(code, globals, globals);
    if (!r)
        goto done;
    Py_CLEAR(r);
    main_code = rt_load_code(main, origin);
    fn = main_code ? PyDict_GetItemString(globals, "reenter") : NULL; /* borrowed */
    if (fn)
        r = PyObject_CallFunctionObjArgs(fn, argv, origin, main_code, rt_importer_get(), NULL);
done:
    Py_XDECREF(main_code);
    Py_XDECREF(code);
    Py_XDECREF(globals);
    return r;
}
