# Deep-frozen modules (freezer/emit_py311.c) must be indistinguishable from
# marshalled ones: constants of every kind, identity of the interpreter's
# singletons, frozensets, co_* attributes, dis, pickle and copy of functions,
# and the code objects of every module imported here compare equal, field by
# field, to what compile() makes of their source.
import copy
import dis
import gc
import importlib
import io
import math
import pickle
import sys
import traceback

import argparse, ast, base64, calendar, collections, contextlib, dataclasses  # noqa: E401
import datetime, email.message, enum, functools, inspect, json.decoder  # noqa: E401
import string, textwrap, typing  # noqa: E401

import dfz_consts as C


def show(name, values):
    print(name, [(type(v).__name__, repr(v)) for v in values])


show("ints", C.INTS)
show("floats", C.FLOATS)
print("float signs", [math.copysign(1, f) for f in C.FLOATS if not math.isnan(f)],
      [math.isnan(f) for f in C.FLOATS])
show("complex", C.COMPLEX)
show("strs", [s[:40] for s in C.STRS])
print("str lengths", [len(s) for s in C.STRS], [s.isascii() for s in C.STRS])
show("bytes", C.BYTES)
show("nested", C.NESTED)
print("singletons", C.EMPTY[0] is tuple(), C.EMPTY[1] is str(), C.EMPTY[2] is bytes(),
      C.INTS[5] is int("256"), C.STRS[1] is chr(97), C.STRS[4] is chr(255),
      C.BYTES[2] is bytes([122]))
print("member", [C.member(x) for x in (1, "a", 2.5, None, (1, 2), b"b", 3j, 4, frozenset)])
consts = [c for c in C.member.__code__.co_consts if isinstance(c, frozenset)]
print("frozenset const", [type(c).__name__ for c in consts], [sorted(map(repr, c)) for c in consts])
print("lambdas", [f() for f in C.lambdas()], [f.__code__.co_name for f in C.lambdas()])
inc = C.closure(10)
print("closure", inc(1), inc(2), inc.__code__.co_freevars, C.closure.__code__.co_cellvars)
k = C.Klass()
print("class", C.Klass.__doc__, C.Klass.method.__doc__, sorted(C.Klass.attr), k.method(1, 2, 3, d=4))
co = C.Klass.method.__code__
print("co attrs", co.co_argcount, co.co_posonlyargcount, co.co_kwonlyargcount, co.co_nlocals,
      co.co_varnames, co.co_names, co.co_flags, co.co_qualname, co.co_name, co.co_firstlineno,
      co.co_stacksize, list(co.co_lines())[:3], co.co_filename.endswith("dfz_consts.py"))
out = io.StringIO()
dis.dis(C.member, file=out)
print("dis", [line.split(None, 1)[-1] for line in out.getvalue().splitlines() if line.strip()][:12])
print("pickle", pickle.loads(pickle.dumps(C.closure)) is C.closure,
      copy.deepcopy(C.member) is C.member, copy.copy(co) is co)
print("gc", gc.is_tracked(C.NESTED), gc.is_tracked(C.member.__code__.co_consts))
gc.collect()
print("after collect", C.INTS[-1], C.STRS[8], C.member(2.5))
try:
    C.raises()
except ValueError:
    lines = traceback.format_exc().splitlines()
    print("traceback", [ln.strip() for ln in lines if not ln.strip().startswith("File")])


def same(a, b, where):
    """Field by field, recursively, as a marshalled module's code compares."""
    if type(a) is not type(b):
        return "%s: type %s vs %s" % (where, type(a).__name__, type(b).__name__)
    if hasattr(a, "co_code"):
        for f in ("co_code", "co_names", "co_varnames", "co_freevars", "co_cellvars",
                  "co_name", "co_qualname", "co_firstlineno", "co_linetable",
                  "co_exceptiontable", "co_flags", "co_argcount", "co_posonlyargcount",
                  "co_kwonlyargcount", "co_stacksize", "co_nlocals"):
            if getattr(a, f) != getattr(b, f):
                return "%s.%s differs" % (where, f)
        if len(a.co_consts) != len(b.co_consts):
            return "%s: %d constants vs %d" % (where, len(a.co_consts), len(b.co_consts))
        for i, (x, y) in enumerate(zip(a.co_consts, b.co_consts)):
            r = same(x, y, "%s.co_consts[%d]" % (where, i))
            if r:
                return r
        return None
    if isinstance(a, (tuple, frozenset)):
        if len(a) != len(b):
            return "%s: length" % where
        if isinstance(a, frozenset):
            return None if a == b else "%s: members" % where
        for i, (x, y) in enumerate(zip(a, b)):
            r = same(x, y, "%s[%d]" % (where, i))
            if r:
                return r
        return None
    return None if repr(a) == repr(b) else "%s: %r vs %r" % (where, a, b)


checked, problems = 0, []
for name in sorted(sys.modules):
    mod = sys.modules[name]
    spec = getattr(mod, "__spec__", None)
    loader = getattr(spec, "loader", None)
    if name == "__main__" or not spec or not spec.origin or not spec.origin.endswith(".py"):
        continue
    if not hasattr(loader, "get_source") or not hasattr(loader, "get_code"):
        continue
    try:
        src = loader.get_source(name)
        code = loader.get_code(name)
    except (ImportError, OSError):
        continue
    if src is None or code is None:
        continue
    fresh = compile(src, code.co_filename, "exec", dont_inherit=True)
    r = same(code, fresh, name)
    checked += 1
    if r:
        problems.append(r)
print("round trip:", "%d+ modules" % (checked // 10 * 10) if checked >= 40 else checked,
      problems or "all equal")

# The run-once blocks were given back after each body ran: a reload runs
# dfz_consts' body again from pages read anew from the executable.
first = (C.IN_BODY, C.Outer().get(), C.Outer.LIMIT)
again = importlib.reload(C)
print("reloaded:", again is C,
      first == (again.IN_BODY, again.Outer().get(), again.Outer.LIMIT), again.IN_BODY)
code = again.__spec__.loader.get_code("dfz_consts")
print("body frozensets:", [sorted(c) for c in code.co_consts if isinstance(c, frozenset)],
      "tuples:", [c for c in code.co_consts if isinstance(c, tuple) and 2.5 in c])

# A body whose frame is kept, and a code object held across a reload: both
# stay whole (their blocks are not given back while referred to).
import dfz_frame  # noqa: E402

F = dfz_frame.FRAME
print("kept frame:", F.f_code.co_filename.endswith("dfz_frame.py"), F.f_lineno,
      inspect.getsource(F).splitlines()[-1], inspect.getframeinfo(F).lineno)
held = again.__spec__.loader.get_code("dfz_consts")
importlib.reload(C)
import difflib, pprint, shlex, fractions  # noqa: E401,E402
print("held code:", held.co_filename.endswith("dfz_consts.py"), held.co_name,
      [c for c in held.co_consts if isinstance(c, tuple) and 2.5 in c])
