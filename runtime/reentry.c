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

/* The full check and the child's start, in Python.  Defines
 * reenter(argv, origin, code, loader): None when argv is not one of the
 * forms above (the program runs as usual); otherwise it runs the child
 * and returns its exit status (or raises SystemExit, as they do). */
static const char reentry_py[] =
    "import ast, builtins, os, re, sys, types\n"
    "_FLAG = re.compile(r'-[dBSvbqIEsPO]+|-W.+')\n"
    "_TRACKER = 'from multiprocessing.resource_tracker import main;main('\n"
    "_FORKSERVER = 'from multiprocessing.forkserver import main; main('\n"
    "_SPAWN_KEYS = {'pipe_handle', 'parent_pid', 'tracker_fd'}\n"
    "def _literal_call(code, prefix):\n"
    "    if not code.startswith(prefix):\n"
    "        return None\n"
    "    try:\n"
    "        tree = ast.parse(code[len(prefix) - len('main('):], mode='eval')\n"
    "    except SyntaxError:\n"
    "        return None\n"
    "    call = tree.body\n"
    "    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)\n"
    "            and call.func.id == 'main'):\n"
    "        return None\n"
    "    try:\n"
    "        args = [ast.literal_eval(a) for a in call.args]\n"
    "        kw = {}\n"
    "        for k in call.keywords:\n"
    "            v = ast.literal_eval(k.value)\n"
    "            if k.arg is None and isinstance(v, dict):\n"
    "                kw.update(v)\n"
    "            elif k.arg is not None:\n"
    "                kw[k.arg] = v\n"
    "            else:\n"
    "                return None\n"
    "    except (ValueError, TypeError, SyntaxError, RecursionError):\n"
    "        return None\n"
    "    return args, kw\n"
    "def _parse(argv):\n"
    "    if len(argv) >= 2 and argv[1] == '--multiprocessing-fork':\n"
    "        kw = {}\n"
    "        for a in argv[2:]:\n"
    "            k, eq, v = a.partition('=')\n"
    "            if not eq or k not in _SPAWN_KEYS or k in kw:\n"
    "                return None\n"
    "            if v == 'None':\n"
    "                kw[k] = None\n"
    "            elif re.fullmatch(r'-?[0-9]+', v):\n"
    "                kw[k] = int(v)\n"
    "            else:\n"
    "                return None\n"
    "        return ('spawn', [], kw) if 'pipe_handle' in kw else None\n"
    "    i = 1\n"
    "    while i < len(argv) and argv[i] != '-c':\n"
    "        if argv[i] == '-X' and i + 1 < len(argv):\n"
    "            i += 2\n"
    "        elif _FLAG.fullmatch(argv[i]):\n"
    "            i += 1\n"
    "        else:\n"
    "            return None\n"
    "    if i + 2 != len(argv):\n"
    "        return None\n"
    "    for kind, prefix in (('tracker', _TRACKER), ('forkserver', _FORKSERVER)):\n"
    "        r = _literal_call(argv[i + 1], prefix)\n"
    "        if r is not None:\n"
    "            return (kind,) + r\n"
    "    return None\n"
    "def reenter(argv, origin, code, loader):\n"
    "    form = _parse(argv)\n"
    "    if form is None:\n"
    "        return None\n"
    "    kind, args, kw = form\n"
    "    from multiprocessing import spawn\n"
    "    original = spawn._fixup_main_from_path\n"
    "    def fixup_main_from_path(main_path):\n"
    "        if os.path.normpath(main_path) != os.path.normpath(origin):\n"
    "            return original(main_path)\n"
    "        current = sys.modules['__main__']\n"
    "        if getattr(current, '__file__', None) == main_path:\n"
    "            return\n"
    "        spawn.old_main_modules.append(current)\n"
    "        main = types.ModuleType('__mp_main__')\n"
    "        main.__dict__.update(__file__=main_path, __cached__=None,\n"
    "                             __loader__=loader, __builtins__=builtins)\n"
    "        sys.modules['__main__'] = sys.modules['__mp_main__'] = main\n"
    "        exec(code, main.__dict__)\n"
    "    spawn._fixup_main_from_path = fixup_main_from_path\n"
    "    if kind == 'spawn':\n"
    "        spawn.spawn_main(*args, **kw)\n"
    "        return 0\n"
    "    sys.argv[:] = ['-c']\n"
    "    if kind == 'tracker':\n"
    "        from multiprocessing.resource_tracker import main\n"
    "    else:\n"
    "        from multiprocessing.forkserver import main\n"
    "    main(*args, **kw)\n"
    "    return 0\n";

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
