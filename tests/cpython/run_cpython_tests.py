#!/usr/bin/python3.11
"""run_cpython_tests.py — CPython's own test_gc, test_weakref and
test_finalization (Debian's libpython3.11-testsuite) frozen with cryo: each
driver (drive_test_*.py) is frozen and run, and the same driver is run by
`/usr/bin/python3.11`; the outcome of every single test (pass, fail,
error, skip, xfail, xpass) must be the same in both runs, except for the
differences inherent to a frozen program listed in EXPECTED_DIFFERENCES
below, each with its reason.

    /usr/bin/python3.11 tests/cpython/run_cpython_tests.py [--cryo PATH] [-j N] [--keep] [SUITE...]

SUITE selects test modules by name (`test_gc`).  Prints PASS/FAIL per test
module (with every unexpected difference on failure) and ends with the line
`N passed, M failed`.  Exit status 1 if anything failed.  See README.md.
"""
import argparse
import fnmatch
import os
import shutil
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))
import e2e_lib as L  # noqa: E402

TESTSUITE_DIR = "/usr/lib/python3.11/test"
RUN_TIMEOUT = 600.0

# Modules of the standard library's developer tools the tests need.  The
# drivers import unittest, and the test modules import test.support, but
# cryo does not follow imports made *by* those packages (freezer/graph.c
# skips every import of a "developer tool" made from the standard library,
# including unittest/__init__.py's own `from .result import ...`): until
# that is fixed, name them.  Harmless once it is.
COMMON_INCLUDES = [
    "unittest", "unittest.case", "unittest.loader", "unittest.main", "unittest.result",
    "unittest.runner", "unittest.signals", "unittest.suite", "unittest.util",
    "unittest.async_case", "unittest.mock",
    "test.support", "test.support.import_helper", "test.support.os_helper",
    "test.support.script_helper", "test.support.testresult", "test.support.threading_helper",
    "py_compile",
]
SUITES = {
    "test_gc": {"includes": COMMON_INCLUDES},
    "test_weakref": {"includes": COMMON_INCLUDES + ["test.mapping_tests", "doctest", "pdb"]},
    "test_finalization": {"includes": COMMON_INCLUDES},
    # The standard library's extension modules (issue 16): built into cryo's
    # libpython, packed from lib-dynload with Debian's.  test_ssl and
    # test_bz2 hand paths of their own data files to C code (OpenSSL's
    # fopen of certificates, bz2 reading the test package's .py files): their
    # drivers read the test module from Debian's file in both runs
    # (cpython_driver.load_from_file), and pack it only for its imports.
    # Not here: test_sqlite3 (not in Debian's libpython3.11-testsuite);
    # test_ctypes (most of it loads _ctypes_test with CDLL(__file__): a
    # builtin has no file).  tests/e2e/programs/native_stdlib.py covers
    # ssl, ctypes and bz2 as a program uses them.
    # fractions: imported by name (import_fresh_module("fractions")).
    "test_decimal": {"includes": COMMON_INCLUDES + ["_pydecimal", "doctest", "fractions"]},
    "test_json": {"includes": COMMON_INCLUDES + ["doctest", "test.test_json"]},
    "test_lzma": {"includes": COMMON_INCLUDES},
    "test_hashlib": {"includes": COMMON_INCLUDES},
    "test_zoneinfo": {"includes": COMMON_INCLUDES + ["test.test_zoneinfo"]},
    "test_mmap": {"includes": COMMON_INCLUDES},
    "test_uuid": {"includes": COMMON_INCLUDES + ["uuid"]},
    "test_select": {"includes": COMMON_INCLUDES},
    # asyncore: imported by name (warnings_helper.import_deprecated).
    "test_ssl": {"includes": COMMON_INCLUDES + ["test.test_ssl", "asyncore"]},
    "test_bz2": {"includes": COMMON_INCLUDES + ["test.test_bz2"]},
    # Shipped sources (issue 11): linecache, tracebacks with their lines,
    # and inspect.getsource of the test's own fodder modules.
    # test.support.requires_debug_ranges imports _testinternalcapi (CPython's
    # test-only extension module, which cryo's libpython builds for them).
    "test_linecache": {"includes": COMMON_INCLUDES},
    "test_inspect": {"includes": COMMON_INCLUDES + ["test.test_import"]},
    "test_traceback": {"includes": COMMON_INCLUDES + ["_testinternalcapi"]},
    # Deep-frozen modules (issue 11): exceptions raised and caught through
    # static code objects, dis and the co_* attributes of code objects.
    "test_exceptions": {"includes": COMMON_INCLUDES},
    "test_dis": {"includes": COMMON_INCLUDES + ["test.support.bytecode_helper",
                                                "_testinternalcapi"]},
    "test_code": {"includes": COMMON_INCLUDES + ["_testinternalcapi"]},
}

LIBPYTHON_FROZEN = ("reads the source of a module frozen into libpython (abc, codecs, os...), "
                    "which has no file in a frozen program's virtual tree")
RUNS_INTERPRETER = ("runs sys.executable as a Python interpreter (-c CODE or a script path): "
                    "a frozen program's sys.executable is the program itself, which does not "
                    "take interpreter options (the driver refuses such runs at once)")

# test id (or an fnmatch pattern of ids) -> (python3.11 outcome, frozen
# outcome ("*": any), why the difference is inherent to a frozen program[,
# the only libpython it applies to]).  A listed difference that does not
# happen is reported too: the list must say what is true.
EXPECTED_DIFFERENCES = {
    # test_gc
    "test.test_gc.GCTests.test_function_tp_clear_leaves_consistent_state": ("pass", "fail", RUNS_INTERPRETER),
    "test.test_gc.GCTests.test_garbage_at_shutdown": ("pass", "fail", RUNS_INTERPRETER),
    "test.test_gc.GCTests.test_gc_main_module_at_shutdown": ("pass", "fail", RUNS_INTERPRETER),
    "test.test_gc.GCTests.test_gc_ordinary_module_at_shutdown": ("pass", "fail", RUNS_INTERPRETER),
    "test.test_gc.GCTests.test_global_del_SystemExit": ("pass", "fail", RUNS_INTERPRETER),
    "test.test_gc.PythonFinalizationTests.test_ast_fini": ("pass", "fail", RUNS_INTERPRETER),
    # test_weakref
    "test.test_weakref.FinalizeTestCase.test_atexit": ("pass", "fail", RUNS_INTERPRETER),
    # test_linecache: reads abc.py beside linecache.py, and abc is frozen into
    # libpython itself (as in python3.11, whose file is on disk): it has no
    # file in the virtual tree
    "test.test_linecache.LineCacheTests.test_getline": ("pass", "error", LIBPYTHON_FROZEN),
    "test.test_linecache.LineCacheTests.test_clearcache": ("pass", "fail", LIBPYTHON_FROZEN),
    # test_inspect: `python -m inspect` and `-c` runs
    "test.test_inspect.TestMain.test_[bdoq]*": ("pass", "fail", RUNS_INTERPRETER),
    "test.test_inspect.TestGetsourceInteractive.test_getclasses_interactive":
        ("pass", "fail", RUNS_INTERPRETER),
    "test.test_inspect.TestBuggyCases.test_findsource_binary": ("skip", "pass",
        "unicodedata is a builtin of Debian's python3.11 but an extension module file in a "
        "frozen program (cryo's libpython builds it shared: tools/libpython/build.py, "
        "SHARED_MODULES), so the test of a binary module runs, and passes", "cryo"),
    # test_json: json.tool's tests run `sys.executable -m json.tool`
    "test.test_json.test_tool.TestTool.*": ("pass", "*", RUNS_INTERPRETER),
    # test_finalization
    # test_exceptions
    "test.test_exceptions.ExceptionTests.test_errno_ENOTDIR": ("pass", "fail",
        "lists its own __file__ as a directory, expecting ENOTDIR: a frozen module's file is "
        "in the program's virtual tree, not on disk, so the OS says ENOENT"),
    "test.test_exceptions.ExceptionTests.test_memory_error_in_PyErr_PrintEx": ("pass", "fail",
        RUNS_INTERPRETER),
    "test.test_exceptions.ExceptionTests.test_recursion_normalizing_*": ("pass", "fail",
        RUNS_INTERPRETER),
    "test.test_exceptions.SyntaxErrorTests.test_encodings": ("pass", "error", RUNS_INTERPRETER),
    "test.test_exceptions.SyntaxErrorTests.test_non_utf8": ("pass", "fail", RUNS_INTERPRETER),
    # test_traceback: python runs of a script or -c code (-X no_debug_ranges)
    "test.test_traceback.TracebackCases.test_encoded_file": ("pass", "error", RUNS_INTERPRETER),
    "test.test_traceback.TracebackCases.test_no_caret_with_no_debug_ranges_flag*": ("pass",
        "fail", RUNS_INTERPRETER),
    "test.test_traceback.TracebackCases.test_print_traceback_at_exit": ("pass", "fail",
        RUNS_INTERPRETER),
    "test.test_traceback.TracebackCases.test_recursion_error_during_traceback": ("pass",
        "fail", RUNS_INTERPRETER),
    # test_code: -X no_debug_ranges / PYTHONNODEBUGRANGES runs of -c code
    "test.test_code.CodeTest.test_endline_and_columntable_none_when_no_debug_ranges*": ("pass",
        "fail", RUNS_INTERPRETER),
    # test_ssl
    "test.test_ssl.TestSSLDebug.test_keylog_env": ("pass", "skip",
        "skipped under sys.flags.ignore_environment: a frozen program ignores PYTHON* "
        "variables unless built with --allow-python-env"),
    "test.test_ssl.ThreadedTests.test_socketserver": ("pass", "error",
        "test.ssl_servers serves files from its own package directory, which a frozen "
        "program does not have on disk (HTTP 404)"),
    # test_bz2
    "test.test_bz2.BZ2DecompressorTest.test_decompress_after_data_error": ("pass", "fail",
        "Debian's _bz2 carries a backported fix (a decompressor left unusable after a data "
        "error) that the orig tarball "
        "cryo's libpython is built from lacks", "cryo"),
}



# With either libpython the standard library's extension modules are
# there (_testcapi included): cryo's builds them in, Debian's packs
# lib-dynload's files.
DIFFERENCES = EXPECTED_DIFFERENCES


def expected_for(tid, libpython):
    """The EXPECTED_DIFFERENCES entry for test `tid`, or None."""
    for key, v in DIFFERENCES.items():
        if (key == tid or fnmatch.fnmatchcase(tid, key)) and (len(v) < 4 or v[3] == libpython):
            return v
    return None


def read_results(path):
    """The driver's results file -> ({test id: outcome}, [ids started and
    never finished], order of first appearance)."""
    outcomes, started, order = {}, {}, []
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                kind, _, tid = line.rstrip("\n").partition("\t")
                if kind == "start":
                    started[tid] = True
                    continue
                started.pop(tid, None)
                if tid not in outcomes:
                    order.append(tid)
                outcomes[tid] = kind
    except FileNotFoundError:
        pass
    return outcomes, list(started), order


def summarize(outcomes):
    counts = {}
    for o in outcomes.values():
        counts[o] = counts.get(o, 0) + 1
    return " ".join(f"{k}={counts[k]}" for k in ("pass", "fail", "error", "skip", "xfail", "xpass") if k in counts)


def stderr_tail(result, n=15):
    lines = L.text(result.stderr).rstrip("\n").split("\n")
    return "\n".join(lines[-n:])


def run_suite(name, cryo, python, session, src, libpython):
    """Freeze one driver, run it both ways, compare.  (ok, report)."""
    work = os.path.join(session, name)
    os.makedirs(work)
    driver = os.path.join(src, f"drive_{name}.py")
    exe = os.path.join(work, name)
    args = []
    for m in SUITES[name]["includes"]:
        args += ["--include-module", m]
    build = L.freeze(cryo, driver, exe, extra_args=args)
    if build.returncode != 0 or build.timed_out:
        return False, (f"cryo build failed ({build.describe_status()}, {build.seconds:.1f}s):\n"
                       + L.indent(L.text(build.stderr).rstrip()))
    runs = {}
    for world, argv0 in (("python3.11", [python, driver]), ("frozen", [exe])):
        cwd = os.path.join(work, f"cwd-{world}")
        os.makedirs(cwd)
        results = os.path.join(work, f"results-{world}.txt")
        r = L.run([*argv0, "--results", results], env=L.clean_env(), cwd=cwd, timeout=RUN_TIMEOUT)
        with open(os.path.join(work, f"log-{world}.txt"), "wb") as f:
            f.write(r.stderr)
        runs[world] = (r, *read_results(results))

    problems = []
    for world, (r, outcomes, unfinished, _) in runs.items():
        if r.timed_out or r.returncode not in (0, 1) or unfinished or not outcomes:
            what = r.describe_status()
            if unfinished:
                what += f"; never finished: {', '.join(unfinished)}"
            problems.append(f"{world} run did not complete ({what}); its stderr ends:\n"
                            + L.indent(stderr_tail(r)))
    py, fz = runs["python3.11"][1], runs["frozen"][1]
    order = runs["python3.11"][3] + [t for t in runs["frozen"][3] if t not in py]
    listed = 0
    for tid in order:
        a, b = py.get(tid, "missing"), fz.get(tid, "missing")
        expected = expected_for(tid, libpython)
        if expected:
            if a == expected[0] and expected[1] in (b, "*"):
                listed += 1
                continue
            problems.append(f"{tid}: python3.11 {a}, frozen {b}; the list expects python3.11 "
                            f"{expected[0]}, frozen {expected[1]} ({expected[2][:60]}...)")
        elif a != b:
            problems.append(f"{tid}: python3.11 {a}, frozen {b}")
    for key, expected in DIFFERENCES.items():
        if len(expected) > 3 and expected[3] != libpython:
            continue
        ran = [t for t in list(py) + list(fz) if t == key or fnmatch.fnmatchcase(t, key)]
        if key.startswith(f"test.{name}.") and not ran:
            problems.append(f"{key}: listed in EXPECTED_DIFFERENCES but ran in neither world")

    timing = (f"build {build.seconds:.1f}s, python3.11 {runs['python3.11'][0].seconds:.1f}s, "
              f"frozen {runs['frozen'][0].seconds:.1f}s")
    counts = (f"python3.11 [{summarize(py)}], frozen [{summarize(fz)}], "
              f"{listed} listed differences")
    if problems:
        return False, (f"{timing}; {counts}\n" + "\n".join(L.indent(p) for p in problems)
                       + f"\n    logs: {work}/log-*.txt (kept with --keep)")
    return True, f"{timing}; {counts}"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("suites", nargs="*", metavar="SUITE", help="run only these test modules")
    ap.add_argument("--cryo", default=os.environ.get("CRYO", L.DEFAULT_CRYO), help="the cryo executable (default: %(default)s)")
    ap.add_argument("--python", default=L.REFERENCE_PYTHON, help="the reference interpreter (default: %(default)s)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="test modules run in parallel (default: %(default)s)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (executables, logs, results)")
    ap.add_argument("--list-differences", action="store_true", help="print the expected differences and why, and exit")
    opts = ap.parse_args()

    if opts.list_differences:
        for tid, (a, b, why, *only) in DIFFERENCES.items():
            where = f" (with {only[0]}'s libpython only)" if only else ""
            print(f"{tid}: python3.11 {a}, frozen {b}{where}: {why}")
        return 0
    unknown = [s for s in opts.suites if s not in SUITES]
    if unknown:
        print(f"cpython: unknown test module(s) {', '.join(unknown)}; known: {', '.join(SUITES)}")
        print("0 passed, 1 failed")
        return 1
    names = opts.suites or list(SUITES)
    missing = [n for n in names if not os.path.isfile(os.path.join(TESTSUITE_DIR, f"{n}.py"))
               and not os.path.isfile(os.path.join(TESTSUITE_DIR, n, "__init__.py"))]
    if missing:
        # Never a silent skip: CI must install the package.
        print(f"cpython: {TESTSUITE_DIR}/{missing[0]} is missing: install Debian's "
              f"libpython3.11-testsuite (bash tools/install-deps.sh)")
        print(f"0 passed, {len(names)} failed")
        return 1
    cryo = L.check_cryo(opts.cryo)
    L.check_reference_python(opts.python)

    session = tempfile.mkdtemp(prefix="cryo-cpython-")
    src = os.path.join(session, "src")
    os.makedirs(src)
    for fn in os.listdir(HERE):
        if fn.endswith(".py") and fn != os.path.basename(__file__):
            shutil.copy(os.path.join(HERE, fn), src)
    print(f"cpython: {len(names)} test modules, cryo {cryo}, {opts.jobs} jobs, work dir {session}", flush=True)
    t0 = time.monotonic()

    libpython = L.libpython_of(cryo)

    def check(name):
        return run_suite(name, cryo, opts.python, session, src, libpython)

    return L.run_all("cpython", names, lambda n: n, check, opts.jobs, session, t0,
                     keep=opts.keep, keep_failed=True)


if __name__ == "__main__":
    sys.exit(main())
