"""cpython_driver.py — what the drive_test_*.py programs share: run one of
CPython's own test modules with unittest and record the outcome of every
test, so that run_cpython_tests.py can compare a frozen run with a
python3.11 run of the very same program.

    drive_test_gc.py --results FILE [unittest arguments...]

Each finished test appends one line `OUTCOME<TAB>TEST-ID` to FILE (and
`start<TAB>TEST-ID` when it begins, so a crash names the test it happened
in); OUTCOME is one of pass, fail, error, skip, xfail, xpass.  A test whose
subtests fail is `fail`.  The file is flushed line by line: what a crashed
run leaves behind is still readable.

A frozen driver is not a Python interpreter: when a test runs
`sys.executable -c CODE` (test.support.script_helper does), it starts this
driver again, which would run the whole test module again, recursively.  So
a driver started by another driver (CRYO_CPYTHON_DRIVER is set) or with an
argument it does not know exits at once with status 2, and such tests fail
quickly instead; run_cpython_tests.py lists them.
"""
import faulthandler
import os
import sys
import unittest

ENV_MARK = "CRYO_CPYTHON_DRIVER"

def load_from_file(name):
    """Import test module `name` (e.g. "test.test_ssl") from Debian's file
    on disk rather than from the program, in both runs alike, for the test
    modules that read their own data files by a path built from __file__
    and hand it to C code that opens it with fopen (OpenSSL's certificate
    files) or glob it: a frozen program's files are not on the disk, and
    that is inherent (README, Limits).  What they test, the extension
    module, is still the program's own.  No bytecode is written."""
    import importlib.util
    import test
    sys.dont_write_bytecode = True
    path = os.path.join("/usr/lib/python3.11", *name.split(".")) + ".py"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    setattr(test, name.rpartition(".")[2], mod)
    return mod


SEVERITY = ("pass", "skip", "xfail", "xpass", "fail", "error")  # worst last


class Recorder(unittest.TextTestResult):
    """A TextTestResult that also writes each test's outcome to a file."""

    def __init__(self, stream, descriptions, verbosity, *, out=None):
        super().__init__(stream, descriptions, verbosity)
        self.out = out
        self.outcomes = {}

    @staticmethod
    def _id(test):
        # A subtest counts for the test it belongs to.
        return getattr(test, "test_case", test).id()

    def _note(self, test, outcome):
        tid = self._id(test)
        old = self.outcomes.get(tid)
        if old is None or SEVERITY.index(outcome) > SEVERITY.index(old):
            self.outcomes[tid] = outcome

    def startTest(self, test):
        self.out.write(f"start\t{self._id(test)}\n")
        self.out.flush()
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        tid = self._id(test)
        self.out.write(f"{self.outcomes.get(tid, 'pass')}\t{tid}\n")
        self.out.flush()

    def addError(self, test, err):
        super().addError(test, err)
        self._note(test, "error")
        # Errors of setUpModule/setUpClass come without start/stop.
        if isinstance(test, unittest.suite._ErrorHolder):
            self.out.write(f"error\t{test.id()}\n")
            self.out.flush()

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._note(test, "fail")

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        self._note(test, "skip")

    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err)
        self._note(test, "xfail")

    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test)
        self._note(test, "xpass")

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._note(test, "error" if not issubclass(err[0], test.failureException) else "fail")


def main(module):
    """Run `module`'s tests (its load_tests included, as unittest.main
    would); exit 0 if all passed, 1 otherwise."""
    if os.environ.get(ENV_MARK):
        sys.stderr.write(f"cpython_driver: started by a test as an interpreter ({sys.argv[1:]}); "
                         "a frozen driver cannot run -c/-m, refusing\n")
        sys.exit(2)
    args = sys.argv[1:]
    if len(args) < 2 or args[0] != "--results" or any(a.startswith("-") and a not in ("-v", "-q", "-f") for a in args[2:]):
        sys.stderr.write(f"cpython_driver: usage: {os.path.basename(sys.argv[0])} --results FILE [TEST-NAME...]; "
                         f"got {args}\n")
        sys.exit(2)
    os.environ[ENV_MARK] = "1"
    faulthandler.enable()
    names = args[2:]
    with open(args[1], "w", encoding="utf-8") as out:
        loader = unittest.TestLoader()
        if names:
            suite = loader.loadTestsFromNames(names, module)
        else:
            suite = loader.loadTestsFromModule(module)
        runner = unittest.TextTestRunner(stream=sys.stderr, verbosity=2,
                                         resultclass=lambda *a: Recorder(*a, out=out))
        result = runner.run(suite)
    sys.exit(0 if result.wasSuccessful() else 1)
