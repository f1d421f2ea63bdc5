"""reentry.py — the full check of multiprocessing's re-entry forms and the
child's start (runtime/reentry.c says when and why; embedded in the
runtime as a C string, compiled only when argv already looks like one).

reenter(argv, origin, code, loader): None when argv is not one of the
forms (the program runs as usual); otherwise it runs the child and returns
its exit status (or raises SystemExit, as they do).  The -c code's
arguments must be literals: they are parsed with ast, never evaluated.
"""
import ast, builtins, os, re, sys, types
_FLAG = re.compile(r'-[dBSvbqIEsPO]+|-W.+')
_TRACKER = 'from multiprocessing.resource_tracker import main;main('
_FORKSERVER = 'from multiprocessing.forkserver import main; main('
_SPAWN_KEYS = {'pipe_handle', 'parent_pid', 'tracker_fd'}
def _literal_call(code, prefix):
    if not code.startswith(prefix):
        return None
    try:
        tree = ast.parse(code[len(prefix) - len('main('):], mode='eval')
    except SyntaxError:
        return None
    call = tree.body
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
            and call.func.id == 'main'):
        return None
    try:
        args = [ast.literal_eval(a) for a in call.args]
        kw = {}
        for k in call.keywords:
            v = ast.literal_eval(k.value)
            if k.arg is None and isinstance(v, dict):
                kw.update(v)
            elif k.arg is not None:
                kw[k.arg] = v
            else:
                return None
    except (ValueError, TypeError, SyntaxError, RecursionError):
        return None
    return args, kw
def _parse(argv):
    if len(argv) >= 2 and argv[1] == '--multiprocessing-fork':
        kw = {}
        for a in argv[2:]:
            k, eq, v = a.partition('=')
            if not eq or k not in _SPAWN_KEYS or k in kw:
                return None
            if v == 'None':
                kw[k] = None
            elif re.fullmatch(r'-?[0-9]+', v):
                kw[k] = int(v)
            else:
                return None
        return ('spawn', [], kw) if 'pipe_handle' in kw else None
    i = 1
    while i < len(argv) and argv[i] != '-c':
        if argv[i] == '-X' and i + 1 < len(argv):
            i += 2
        elif _FLAG.fullmatch(argv[i]):
            i += 1
        else:
            return None
    if i + 2 != len(argv):
        return None
    for kind, prefix in (('tracker', _TRACKER), ('forkserver', _FORKSERVER)):
        r = _literal_call(argv[i + 1], prefix)
        if r is not None:
            return (kind,) + r
    return None
def reenter(argv, origin, code, loader):
    form = _parse(argv)
    if form is None:
        return None
    kind, args, kw = form
    from multiprocessing import spawn
    original = spawn._fixup_main_from_path
    def fixup_main_from_path(main_path):
        if os.path.normpath(main_path) != os.path.normpath(origin):
            return original(main_path)
        current = sys.modules['__main__']
        if getattr(current, '__file__', None) == main_path:
            return
        spawn.old_main_modules.append(current)
        main = types.ModuleType('__mp_main__')
        main.__dict__.update(__file__=main_path, __cached__=None,
                             __loader__=loader, __builtins__=builtins)
        sys.modules['__main__'] = sys.modules['__mp_main__'] = main
        exec(code, main.__dict__)
    spawn._fixup_main_from_path = fixup_main_from_path
    if kind == 'spawn':
        spawn.spawn_main(*args, **kw)
        return 0
    sys.argv[:] = ['-c']
    if kind == 'tracker':
        from multiprocessing.resource_tracker import main
    else:
        from multiprocessing.forkserver import main
    main(*args, **kw)
    return 0
