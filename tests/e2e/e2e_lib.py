"""e2e_lib.py — what the end-to-end scripts share: finding cryo and the
reference interpreter, reading a program's `# e2e-...` header, the
environment both worlds run in, freezing with cryo, running a process
with a timeout, and comparing a frozen run with a python3.11 run.

Used by run_e2e.py (the program corpus), chroot_test.py (frozen programs in
an empty root) and test_cli_errors.py (cryo's errors, damaged executables).
Runs under /usr/bin/python3.11; imports nothing outside the standard
library.  The header format is documented in README.md.
"""
import ast
import contextlib
import dataclasses
import difflib
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import time
import tokenize

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
PROGRAMS_DIR = os.path.join(HERE, "programs")
DEFAULT_CRYO = os.path.join(SOURCE_ROOT, "build", "freezer", "cryo")
# Debian's interpreter, never the python3 first on PATH (a different build).
REFERENCE_PYTHON = "/usr/bin/python3.11"

DEFAULT_TIMEOUT = 60.0
BUILD_TIMEOUT = 300.0
STDERR_MODES = ("full", "last", "traceback", "traceback-no-source", "none")


class HeaderError(Exception):
    """A program's `# e2e-...` header is malformed."""


@dataclasses.dataclass
class Program:
    """One program of programs/ and what its header says about running it."""
    name: str                 # file name without .py
    path: str                 # absolute path of the .py file
    args: list = dataclasses.field(default_factory=list)
    stdin: bytes = None       # None: stdin is /dev/null
    env: dict = dataclasses.field(default_factory=dict)
    exit: int = 0             # expected status; negative: killed by that signal
    stderr: str = None        # comparison mode, one of STDERR_MODES
    timeout: float = DEFAULT_TIMEOUT
    cryo_args: list = dataclasses.field(default_factory=list)
    python_args: list = dataclasses.field(default_factory=list)  # before the script
    helper: bool = False      # a module other programs import, not a program
    libpython: str = None     # "cryo": needs cryo's own libpython (its extension modules)

    @property
    def stderr_mode(self):
        if self.stderr:
            return self.stderr
        return "full" if self.exit == 0 else "last"


HEADER_RE = re.compile(r"^#\s*e2e-([a-z][a-z-]*):(.*)$")


def parse_header(path):
    """Read the leading comment block of `path` into a Program.  Directives
    are `# e2e-NAME: value` lines; the block ends at the first line that
    is not a comment.  Unknown directives are errors (typos must not pass
    silently)."""
    name = os.path.splitext(os.path.basename(path))[0]
    prog = Program(name=name, path=os.path.abspath(path))
    stdin_parts = []
    # tokenize.open: the file's own coding cookie (a test program may be
    # written in another encoding on purpose)
    with tokenize.open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line.startswith("#"):
                break
            m = HEADER_RE.match(line)
            if not m:
                continue
            key, raw = m.group(1), m.group(2)
            # One space after the colon separates; the rest is the value.
            value = raw[1:] if raw.startswith(" ") else raw
            where = f"{path}:{lineno}"
            try:
                if key == "args":
                    prog.args += shlex.split(value)
                elif key == "stdin":
                    stdin_parts.append(value + "\n")
                elif key == "stdin-literal":
                    text = ast.literal_eval(value.strip())
                    if not isinstance(text, str):
                        raise HeaderError("e2e-stdin-literal needs a string literal")
                    stdin_parts.append(text)
                elif key == "env":
                    k, sep, v = value.partition("=")
                    if not sep or not k.strip():
                        raise HeaderError("e2e-env needs KEY=VALUE")
                    prog.env[k.strip()] = v
                elif key == "exit":
                    prog.exit = int(value.strip())
                elif key == "stderr":
                    mode = value.strip()
                    if mode not in STDERR_MODES:
                        raise HeaderError(f"e2e-stderr must be one of {', '.join(STDERR_MODES)}")
                    prog.stderr = mode
                elif key == "timeout":
                    prog.timeout = float(value.strip())
                elif key == "cryo-args":
                    prog.cryo_args += shlex.split(value)
                elif key == "python-args":
                    prog.python_args += shlex.split(value)
                elif key == "helper":
                    prog.helper = True
                elif key == "libpython":
                    if value.strip() != "cryo":
                        raise HeaderError("e2e-libpython takes one value: cryo")
                    prog.libpython = "cryo"
                else:
                    raise HeaderError(f"unknown directive e2e-{key}")
            except (ValueError, SyntaxError) as e:
                raise HeaderError(f"{where}: bad e2e-{key} value {value!r}: {e}") from None
            except HeaderError as e:
                raise HeaderError(f"{where}: {e}") from None
    if stdin_parts:
        prog.stdin = "".join(stdin_parts).encode("utf-8")
    return prog


def libpython_of(cryo):
    """'cryo' or 'debian': the libpython `cryo` links programs with (the
    word after "libpython:" in `cryo --version`)."""
    out = subprocess.run([cryo, "--version"], capture_output=True, text=True).stdout
    return "debian" if "libpython: debian" in out else "cryo"


def discover(programs_dir=PROGRAMS_DIR):
    """Every program of programs_dir: its top-level *.py files that are not
    helpers.  Packages and modules they import live in subfolders."""
    progs = []
    for fn in sorted(os.listdir(programs_dir)):
        if fn.endswith(".py") and os.path.isfile(os.path.join(programs_dir, fn)):
            prog = parse_header(os.path.join(programs_dir, fn))
            if not prog.helper:
                progs.append(prog)
    return progs


def clean_env(extra=None):
    """The environment both worlds run in: ours without PYTHON* variables
    (they would change python3.11, and a frozen program ignores them), with
    LC_ALL=C.UTF-8, plus a program's own variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["LC_ALL"] = "C.UTF-8"
    env.update(extra or {})
    return env


@contextlib.contextmanager
def tmpfs(path, options):
    """A tmpfs mounted on the existing directory `path` for the block
    ("size=1m" for a full disk, "size=64m,noexec" for a noexec /tmp);
    unmounted after it, whatever happens.  Needs root."""
    require_root("a test that mounts a tmpfs")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", path],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError(f"cannot mount a tmpfs ({options}) on {path}: {r.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", path], capture_output=True)


def sanitized():
    """Whether cryo's libraries were built with sanitizers (-Db_sanitize):
    frozen programs then need their runtimes (libasan, libubsan) beside
    glibc, and reserve terabytes of address space for shadow memory."""
    return os.environ.get("CRYO_SANITIZE", "none") not in ("", "none")


SANITIZER_RUNTIMES = re.compile(r"^lib(asan|ubsan|lsan|tsan|stdc\+\+|gcc_s)\.so")


def check_reference_python(python=REFERENCE_PYTHON):
    if not os.path.isfile(python) or not os.access(python, os.X_OK):
        sys.exit(f"e2e: the reference interpreter {python} is missing (apt-get install python3.11)")
    out = subprocess.run([python, "-c", "import sys; print(sys.version_info[:2] == (3, 11))"],
                         capture_output=True, text=True, env=clean_env())
    if out.stdout.strip() != "True":
        sys.exit(f"e2e: {python} is not Python 3.11")


def check_cryo(cryo):
    if not os.path.isfile(cryo) or not os.access(cryo, os.X_OK):
        sys.exit(f"e2e: cryo not found at {cryo}; build it (ninja -C build) or pass --cryo PATH")
    return os.path.abspath(cryo)


def require_root(what):
    """Tests that need root fail loudly without it: a silent skip would hide
    that they never ran."""
    if os.geteuid() != 0:
        sys.exit(f"e2e: {what} must run as root (it uses chroot, mount, mknod or setpriv); "
                 f"CI runs the e2e suite as root. Re-run with sudo.")


@dataclasses.dataclass
class Result:
    argv: list
    returncode: int          # negative: killed by that signal
    stdout: bytes
    stderr: bytes
    seconds: float
    timed_out: bool = False

    def describe_status(self):
        return describe_status(self.returncode, self.timed_out)


def describe_status(rc, timed_out=False):
    if timed_out:
        return "timed out"
    if rc is not None and rc < 0:
        try:
            return f"killed by {signal.Signals(-rc).name} ({rc})"
        except ValueError:
            return f"killed by signal {-rc}"
    return f"exit {rc}"


def run(argv, *, stdin=None, env=None, cwd=None, timeout=DEFAULT_TIMEOUT, preexec_fn=None):
    """Run argv to completion, capturing stdout and stderr as bytes.  stdin
    is bytes, or None for /dev/null.  On timeout the whole process group is
    killed and the result says so."""
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=cwd,
                            start_new_session=True, preexec_fn=preexec_fn)
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, err = proc.communicate()
        timed_out = True
    return Result(argv, proc.returncode, out, err, time.monotonic() - t0, timed_out)


def freeze(cryo, script, output, *, extra_args=(), env=None, cwd=None, timeout=BUILD_TIMEOUT):
    """cryo build SCRIPT -o OUTPUT; returns the Result."""
    argv = [cryo, "build", script, "-o", output, *extra_args]
    return run(argv, env=env if env is not None else clean_env(), cwd=cwd, timeout=timeout)


def text(data):
    return data.decode("utf-8", errors="backslashreplace")


def last_line(data):
    lines = text(data).rstrip("\n").split("\n")
    return lines[-1] if lines else ""


FILE_LINE_RE = re.compile(r'^(?P<prefix>[ |+\-]*?)(?P<indent> *)File "(?P<path>[^"]*)", line (?P<line>\d+), in (?P<func>.*)$')


def normalize_traceback(data, drop_source=False):
    """Stderr with tracebacks made comparable between the two worlds: each
    `File "path"` keeps only the file's base name (a frozen module's path is
    inside the executable).  With drop_source, the source lines and ^^^
    markers printed under a frame are dropped too (python3.11's, to compare
    with a program built --no-sources).  Everything else is kept, in order."""
    out = []
    skip_prefix = None
    for line in text(data).split("\n"):
        if skip_prefix is not None:
            if line.startswith(skip_prefix):
                continue
            skip_prefix = None
        m = FILE_LINE_RE.match(line)
        if m:
            out.append(f'{m["prefix"]}{m["indent"]}File "{os.path.basename(m["path"])}", line {m["line"]}, in {m["func"]}')
            # Source and marker lines are indented 2 more than "File".
            if drop_source:
                skip_prefix = m["prefix"] + m["indent"] + "  "
            continue
        out.append(line)
    return "\n".join(out)


def unified_diff(expected, actual, label_expected, label_actual, limit=60):
    """A unified diff of two texts, cut to `limit` lines."""
    diff = list(difflib.unified_diff(expected.splitlines(), actual.splitlines(),
                                     label_expected, label_actual, lineterm="", n=2))
    if len(diff) > limit:
        diff = diff[:limit] + [f"... ({len(diff) - limit} more diff lines)"]
    return "\n".join(diff)


def compare(reference, frozen, *, expected_exit=None, stderr_mode="last"):
    """Compare a frozen run with the python3.11 run.  Returns a list of
    problems (empty: identical as far as the mode asks)."""
    problems = []
    if reference.timed_out:
        problems.append("python3.11 timed out")
    if frozen.timed_out:
        problems.append("the frozen program timed out")
    if expected_exit is not None and reference.returncode != expected_exit and not reference.timed_out:
        problems.append(f"test program error: python3.11 gave {reference.describe_status()}, "
                        f"the header expects {describe_status(expected_exit)}"
                        + (f"\n  python3.11 stderr: {last_line(reference.stderr)}" if reference.stderr else ""))
    if frozen.returncode != reference.returncode:
        problems.append(f"status: python3.11 {reference.describe_status()}, frozen {frozen.describe_status()}"
                        + (f"\n  frozen stderr (last line): {last_line(frozen.stderr)}" if frozen.stderr else ""))
    if frozen.stdout != reference.stdout:
        problems.append("stdout differs:\n" + unified_diff(text(reference.stdout), text(frozen.stdout),
                                                            "python3.11", "frozen"))
        if text(reference.stdout).rstrip("\n") == text(frozen.stdout).rstrip("\n"):
            problems.append("  (only trailing newlines differ: "
                            f"{reference.stdout[-5:]!r} vs {frozen.stdout[-5:]!r})")
    if stderr_mode == "full" and frozen.stderr != reference.stderr:
        problems.append("stderr differs:\n" + unified_diff(text(reference.stderr), text(frozen.stderr),
                                                            "python3.11", "frozen"))
    elif stderr_mode in ("traceback", "traceback-no-source"):
        # no-source: python3.11's source lines dropped, the frozen program's
        # kept, so a program built --no-sources that printed any fails
        a = normalize_traceback(reference.stderr, drop_source=stderr_mode != "traceback")
        b = normalize_traceback(frozen.stderr)
        if a != b:
            problems.append(f"stderr (tracebacks, {stderr_mode} mode) differs:\n"
                            + unified_diff(a, b, "python3.11", "frozen"))
    elif stderr_mode == "last" and last_line(frozen.stderr) != last_line(reference.stderr):
        problems.append(f"last line of stderr differs:\n  python3.11: {last_line(reference.stderr)!r}\n"
                        f"  frozen:     {last_line(frozen.stderr)!r}")
    return problems


def copy_programs(dest, programs_dir=PROGRAMS_DIR):
    """A private copy of programs/: python3.11 writes __pycache__ next to the
    modules it imports, and the source tree must stay clean."""
    shutil.copytree(programs_dir, dest, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return dest


def indent(s, prefix="    "):
    return "\n".join(prefix + line if line else line for line in s.split("\n"))


def run_all(label, items, name_of, check, jobs, session, t0, keep=False, keep_failed=False):
    """Run check(item) -> (ok, report) for every item on `jobs` threads,
    printing PASS/FAIL as each finishes; then remove the work directory
    `session` (unless keep, or keep_failed and something failed) and print
    the closing lines, the last one exactly "N passed, M failed" (CI reads
    it).  Returns the exit status: 1 if anything failed."""
    import concurrent.futures
    import shutil
    import threading
    import time
    lock = threading.Lock()
    passed, failed = [], []

    def one(item):
        name = name_of(item)
        try:
            ok, report = check(item)
        except Exception as e:  # a harness bug must not hide the other results
            ok, report = False, f"harness error: {type(e).__name__}: {e}"
        with lock:
            print(f"PASS {name} ({report})" if ok else f"FAIL {name}: {report}", flush=True)
            (passed if ok else failed).append(name)

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            list(pool.map(one, items))
    finally:
        if keep or (keep_failed and failed):
            print(f"{label}: kept {session}")
        else:
            shutil.rmtree(session, ignore_errors=True)
    print(f"{label}: {time.monotonic() - t0:.1f}s")
    if failed:
        print("failed: " + " ".join(sorted(failed)))
    print(f"{len(passed)} passed, {len(failed)} failed")
    return 1 if failed else 0
