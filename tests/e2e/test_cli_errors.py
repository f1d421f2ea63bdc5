#!/usr/bin/python3.11
"""test_cli_errors.py — cryo's command line when things go wrong, and
frozen executables that were damaged after the build.

    /usr/bin/python3.11 tests/e2e/test_cli_errors.py [--cryo PATH] [FILTER...]

Build errors: `cryo build` must exit 1 (2 for a bad command line) with
exactly one line starting "cryo: error:" on stderr that names what was
wrong, and must leave neither the output file nor a "*.cryo-tmp-*" file
behind.  Help and version exit 0 on stdout.

Damaged executables (truncated, bytes flipped, bytes appended, trailer
missing or lying): one line "<argv0>: cannot start: '<path>' is damaged:
..." on stderr, status 127, never a Python traceback, never a signal.

Frozen-only facts: sys.frozen, sys.executable, argv[0], __file__ under the
executable, PYTHON* variables ignored.

Some cases run cryo as the unprivileged user nobody (root reads any file):
they need root, and fail with a clear message without it.  Output: one
PASS/FAIL line per case, then `N passed, M failed`.
"""
import argparse
import fnmatch
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cryo_format as F  # noqa: E402
import e2e_lib as L  # noqa: E402

NOBODY_UID = 65534
NOBODY_GID = 65534
HELLO = 'import sys\nprint("hello from", __name__, sys.argv[1:])\n'


class Ctx:
    """What every case gets: the cryo path, a private scratch directory."""

    def __init__(self, cryo, python, scratch):
        self.cryo = cryo
        self.python = python
        self.scratch = scratch
        self._n = 0
        self._hello_exe = None
        self._other_exe = None

    def dir(self, name, mode=0o755, owner=None):
        """A fresh directory under the scratch dir."""
        self._n += 1
        d = os.path.join(self.scratch, f"{self._n:02d}-{name}")
        os.makedirs(d)
        os.chmod(d, mode)
        if owner is not None:
            os.chown(d, owner, owner)
        return d

    def cryo_run(self, args, cwd, env=None, as_nobody=False):
        argv = [self.cryo, *args]
        if as_nobody:
            argv = ["setpriv", f"--reuid={NOBODY_UID}", f"--regid={NOBODY_GID}", "--clear-groups", *argv]
        return L.run(argv, cwd=cwd, env=env if env is not None else L.clean_env(), timeout=L.BUILD_TIMEOUT)

    def hello_exe(self):
        """A good frozen executable, built once, for the damage cases."""
        if self._hello_exe is None:
            d = self.dir("hello-build")
            write(d, "hello.py", HELLO)
            r = L.freeze(self.cryo, os.path.join(d, "hello.py"), os.path.join(d, "hello"))
            if r.returncode != 0:
                raise CaseError(f"cannot build the reference executable: {L.text(r.stderr)}")
            self._hello_exe = os.path.join(d, "hello")
        return self._hello_exe

    def other_exe(self):
        """A second, different build: its payload must not fit hello's ELF."""
        if self._other_exe is None:
            d = self.dir("other-build")
            write(d, "other.py", "print('a different program')\n")
            r = L.freeze(self.cryo, os.path.join(d, "other.py"), os.path.join(d, "other"))
            if r.returncode != 0:
                raise CaseError(f"cannot build the second executable: {L.text(r.stderr)}")
            self._other_exe = os.path.join(d, "other")
        return self._other_exe


class CaseError(Exception):
    pass


def write(d, name, content, mode=0o644):
    path = os.path.join(d, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(content)
    os.chmod(path, mode)
    return path


def leftovers(out_dir, output_name):
    """Files a failed build must not leave in its output directory."""
    if not os.path.isdir(out_dir):
        return []
    return sorted(fn for fn in os.listdir(out_dir)
                  if fn == output_name or ".cryo-tmp-" in fn)


def error_lines(stderr):
    return [line for line in L.text(stderr).splitlines() if line.startswith("cryo: error:")]


def expect_build_error(r, *, status, mentions=(), out_dir=None, output_name=None):
    """The contract of a failed `cryo build`: the status, exactly one
    "cryo: error:" line mentioning each of `mentions`, no traceback, no
    output file and no temporary file left."""
    problems = []
    if r.timed_out or r.returncode != status:
        problems.append(f"status: expected exit {status}, got {r.describe_status()}")
    errs = error_lines(r.stderr)
    if len(errs) != 1:
        problems.append(f"expected exactly one 'cryo: error:' line, got {len(errs)}")
    for m in mentions:
        if not any(m in e for e in errs):
            problems.append(f"the error does not mention {m!r}")
    if "Traceback" in L.text(r.stderr):
        problems.append("a Python traceback was printed")
    if out_dir is not None:
        left = leftovers(out_dir, output_name)
        if left:
            problems.append(f"left behind in {out_dir}: {left}")
    if problems:
        problems.append("stderr was:\n" + L.indent(L.text(r.stderr).rstrip() or "(empty)"))
    return problems


# --- build errors -----------------------------------------------------------

def case_missing_script(ctx):
    # Without -o the output would be ./missing.
    d = ctx.dir("missing")
    r = ctx.cryo_run(["build", "missing.py"], cwd=d)
    return expect_build_error(r, status=1, mentions=["missing.py", "No such file"], out_dir=d, output_name="missing")


def case_missing_script_with_output(ctx):
    d = ctx.dir("missing-o")
    out = ctx.dir("missing-out")
    r = ctx.cryo_run(["build", "missing.py", "-o", os.path.join(out, "app")], cwd=d)
    return expect_build_error(r, status=1, mentions=["missing.py", "No such file"], out_dir=out, output_name="app")


def case_script_is_a_directory(ctx):
    # (A directory with __main__.py builds: case_build_module_and_directory.)
    d = ctx.dir("isdir")
    os.makedirs(os.path.join(d, "project.py"))
    write(d, "project.py/main.py", HELLO)
    r = ctx.cryo_run(["build", "project.py"], cwd=d)
    problems = expect_build_error(r, status=1, mentions=["project.py", "directory"])
    if os.path.exists(os.path.join(d, "project")) or any(".cryo-tmp-" in fn for fn in os.listdir(d)):
        problems.append(f"left behind: {sorted(os.listdir(d))}")
    return problems


def case_unreadable_script(ctx):
    L.require_root("the unreadable-script case")
    d = ctx.dir("unreadable", owner=NOBODY_UID)
    write(d, "secret.py", HELLO, mode=0o000)
    r = ctx.cryo_run(["build", "secret.py", "-o", "app"], cwd=d, as_nobody=True)
    return expect_build_error(r, status=1, mentions=["secret.py", "Permission denied"], out_dir=d, output_name="app")


def syntax_error_case(ctx, src, script_name, entry, entry_src=None):
    d = ctx.dir("syntax")
    write(d, script_name, src)
    if entry_src is not None:
        write(d, entry, entry_src)
    try:
        compile(src, script_name, "exec")
        raise CaseError("the test's source has no syntax error")
    except SyntaxError as e:
        where = f"{script_name}:{e.lineno}:{e.offset}"
    r = ctx.cryo_run(["build", entry, "-o", "app"], cwd=d)
    return expect_build_error(r, status=1, mentions=[where, "SyntaxError"], out_dir=d, output_name="app")


def case_syntax_error_in_script(ctx):
    src = "import os\n\ndef main():\n    print('ok'\n    return 1\n"
    return syntax_error_case(ctx, src, "broken.py", "broken.py")


def case_syntax_error_in_imported_module(ctx):
    src = "VALUE = 1\nif VALUE = 2:\n    pass\n"
    return syntax_error_case(ctx, src, "helper.py", "main.py", entry_src="import helper\nprint(helper.VALUE)\n")


def case_output_dir_missing(ctx):
    d = ctx.dir("nodir")
    write(d, "app.py", HELLO)
    r = ctx.cryo_run(["build", "app.py", "-o", "no/such/dir/app"], cwd=d)
    problems = expect_build_error(r, status=1, mentions=["no/such/dir"])
    if os.path.exists(os.path.join(d, "no")):
        problems.append("cryo created the missing output directory")
    return problems


def case_output_dir_unwritable(ctx):
    L.require_root("the unwritable-output case")
    d = ctx.dir("unwritable", owner=NOBODY_UID)
    write(d, "app.py", HELLO)
    os.chown(os.path.join(d, "app.py"), NOBODY_UID, NOBODY_GID)
    ro = os.path.join(d, "readonly")
    os.makedirs(ro)
    os.chmod(ro, 0o755)  # owned by root: nobody may not write there
    r = ctx.cryo_run(["build", "app.py", "-o", "readonly/app"], cwd=d, as_nobody=True)
    return expect_build_error(r, status=1, mentions=["readonly"], out_dir=ro, output_name="app")


def case_no_c_compiler(ctx):
    d = ctx.dir("nocc")
    write(d, "app.py", HELLO)
    r = ctx.cryo_run(["build", "app.py", "-o", "app"], cwd=d, env=L.clean_env({"CC": "/nonexistent/cc"}))
    return expect_build_error(r, status=1, mentions=["/nonexistent/cc"], out_dir=d, output_name="app")


def case_c_compiler_fails(ctx):
    # The compiler exists but fails (as on a broken toolchain): the build
    # stops with one error and cleans up its temporary output.
    d = ctx.dir("ccfails")
    write(d, "app.py", HELLO)
    r = ctx.cryo_run(["build", "app.py", "-o", "app"], cwd=d, env=L.clean_env({"CC": "/bin/false"}))
    return expect_build_error(r, status=1, mentions=[], out_dir=d, output_name="app")


SLOW_LINKER = """#!/bin/sh
# A C compiler that, when asked to link cryo's output, says so and waits.
case "$*" in
*--whole-archive*) echo $$ > "$E2E_MARKER"; exec sleep 60 ;;
esac
exec cc "$@"
"""


def interrupted_build_case(ctx, sig, whole_group):
    """Interrupt cryo while it links (its temporary output exists): it must
    die of the signal and leave nothing behind, in the output directory
    or in TMPDIR, and stop the compiler it started."""
    d = ctx.dir(f"interrupted-{sig.name}")
    tmpdir = ctx.dir(f"interrupted-{sig.name}-tmp")
    write(d, "app.py", HELLO)
    cc = write(d, "slowcc.sh", SLOW_LINKER, mode=0o755)
    marker = os.path.join(d, "linking.pid")
    env = L.clean_env({"CC": cc, "E2E_MARKER": marker, "TMPDIR": tmpdir, "CRYO_CACHE_DIR": "off"})
    # Output to a file, not a pipe: a pipe would stay open as long as any
    # process that inherited it lives.
    errfile = open(os.path.join(ctx.dir("interrupted-log"), "stderr"), "w+b")
    proc = subprocess.Popen([ctx.cryo, "build", "app.py", "-o", "app"], cwd=d, env=env,
                            stdin=subprocess.DEVNULL, stdout=errfile, stderr=errfile, start_new_session=True)
    problems = []
    try:
        deadline = time.monotonic() + 120
        while not os.path.exists(marker) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.1)
        if not os.path.exists(marker):
            errfile.seek(0)
            return [f"cryo never reached the link step ({L.describe_status(proc.poll())}): "
                    f"{L.text(errfile.read())}"]
        if not any(".cryo-tmp-" in fn for fn in os.listdir(d)):
            problems.append("no temporary output existed while linking (test premise)")
        if whole_group:
            os.killpg(proc.pid, sig)  # as Ctrl-C does: cryo and the compiler
        else:
            os.kill(proc.pid, sig)    # as `kill PID` does: cryo alone
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            problems.append(f"cryo did not exit within 30 s of {sig.name}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    if proc.returncode != -sig:
        problems.append(f"expected death by {sig.name}, got {L.describe_status(proc.returncode)}")
    left = leftovers(d, "app")
    if left:
        problems.append(f"left behind in the output directory: {left}")
    if os.listdir(tmpdir):
        problems.append(f"left behind in TMPDIR: {os.listdir(tmpdir)}")
    with open(marker) as f:
        cc_pid = int(f.read().strip())
    time.sleep(0.2)
    try:
        with open(f"/proc/{cc_pid}/stat") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        state = "gone"
    if state not in ("Z", "X", "gone"):
        problems.append(f"the compiler cryo started (pid {cc_pid}) is still running")
        os.kill(cc_pid, signal.SIGKILL)
    errfile.seek(0)
    err = errfile.read()
    errfile.close()
    if problems and err:
        problems.append("output was:\n" + L.indent(L.text(err)))
    return problems


def case_interrupted_build_leaves_nothing(ctx):
    return interrupted_build_case(ctx, signal.SIGINT, whole_group=True)


def case_terminated_build_leaves_nothing(ctx):
    return interrupted_build_case(ctx, signal.SIGTERM, whole_group=False)


def case_output_on_a_full_disk(ctx):
    d = ctx.dir("full-src")
    write(d, "app.py", HELLO)
    full = ctx.dir("full-out")
    with L.tmpfs(full, "size=2m,mode=0755"):
        r = ctx.cryo_run(["build", "app.py", "-o", os.path.join(full, "app")], cwd=d)
        return expect_build_error(r, status=1, mentions=["No space left on device"],
                                  out_dir=full, output_name="app")


def case_tmpdir_on_a_full_disk(ctx):
    d = ctx.dir("fulltmp-src")
    write(d, "app.py", HELLO)
    full = ctx.dir("full-tmp")
    with L.tmpfs(full, "size=1m,mode=0755"):
        r = ctx.cryo_run(["build", "app.py", "-o", "app"], cwd=d,
                         env=L.clean_env({"TMPDIR": full, "CRYO_CACHE_DIR": "off"}))
        p = expect_build_error(r, status=1, out_dir=d, output_name="app")
        if os.listdir(full):
            p.append(f"left behind in TMPDIR: {os.listdir(full)}")
        return p


KILLED_LINKER = """#!/bin/sh
# A C compiler killed by SIGKILL when asked to link cryo's output.
case "$*" in
*--whole-archive*) kill -9 $$ ;;
esac
exec cc "$@"
"""


def case_compiler_killed(ctx):
    d = ctx.dir("cckilled")
    write(d, "app.py", HELLO)
    cc = write(d, "killedcc.sh", KILLED_LINKER, mode=0o755)
    r = ctx.cryo_run(["build", "app.py", "-o", "app"], cwd=d, env=L.clean_env({"CC": cc}))
    return expect_build_error(r, status=1, mentions=["signal"], out_dir=d, output_name="app")


LINGERING_LINKER = """#!/bin/sh
# A C compiler that, asked to link cryo's output, says so ($MARK) and then
# keeps writing temporaries into its TMPDIR (the build's directory) for two
# seconds, as a compiler outliving a build killed by SIGKILL does; notes
# ($MARK.vanished) when the directory is removed under it.
case "$*" in
*--whole-archive*)
    : > "$MARK"
    end=$(($(date +%s) + 2)); n=0
    while [ "$(date +%s)" -lt "$end" ]; do
        for i in 0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19; do
            true > "$TMPDIR/cc-late.$n.$i" 2>/dev/null || true > "$MARK.vanished"
        done
        n=$((n + 1))
    done
    exit 1 ;;
esac
exec cc "$@"
"""


def case_compiler_outliving_a_killed_build(ctx):
    """A build killed by SIGKILL while its compiler runs: the compiler goes
    on writing into the build's directory; the next build waits for it to
    finish (freezer/fz.h, FZ_TMP_LOCK) and removes the directory, instead
    of racing it and leaving it half removed."""
    d = ctx.dir("lingering")
    tmpdir = ctx.dir("lingering-tmp")
    write(d, "app.py", HELLO)
    mark = os.path.join(d, "linking")
    cc = write(d, "lingercc.sh", LINGERING_LINKER, mode=0o755)
    env = L.clean_env({"TMPDIR": tmpdir, "CC": cc, "MARK": mark})
    proc = subprocess.Popen([ctx.cryo, "build", "app.py", "-o", "app"], cwd=d, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    t0 = time.monotonic()
    while not os.path.exists(mark) and proc.poll() is None and time.monotonic() - t0 < 120:
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    if not os.path.exists(mark):
        return ["the build never reached its link step"]
    r = ctx.cryo_run(["build", "app.py", "-o", "app"], cwd=d,
                     env=L.clean_env({"TMPDIR": tmpdir}))
    problems = []
    if r.returncode != 0:
        problems.append(f"the next build failed: {L.text(r.stderr)}")
    if os.path.exists(mark + ".vanished"):
        problems.append("the next build removed the directory under the running compiler")
    left = os.listdir(tmpdir)
    if left:
        problems.append(f"left in TMPDIR after the next build: {sorted(left)[:3]} "
                        f"({len(left)} entries)")
    return problems


def case_build_killed_at_random_moments(ctx):
    """cryo killed by SIGKILL (no handler runs) at moments spread over a
    build: the output is never partial — absent, or the previous complete
    executable — and the next build removes what the killed ones left in the
    output directory and in TMPDIR."""
    import random
    d = ctx.dir("sigkill")
    tmpdir = ctx.dir("sigkill-tmp")
    write(d, "app.py", HELLO)
    env = L.clean_env({"TMPDIR": tmpdir})
    out = os.path.join(d, "app")
    t0 = time.monotonic()
    r = ctx.cryo_run(["build", "app.py", "-o", "app"], cwd=d, env=env)
    took = time.monotonic() - t0
    if r.returncode != 0:
        return [f"the first build failed: {L.text(r.stderr)}"]
    good = open(out, "rb").read()
    os.unlink(out)
    problems = []
    rnd = random.Random(7)
    previous = None
    for i in range(10):
        proc = subprocess.Popen([ctx.cryo, "build", "app.py", "-o", "app"], cwd=d, env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(rnd.uniform(0, took * 1.1))
        proc.kill()
        proc.wait()
        now = open(out, "rb").read() if os.path.exists(out) else None
        if now is not None and now != good:
            problems.append(f"kill {i}: the output is not the complete executable "
                            f"({len(now)} bytes, {len(good)} expected)")
        if previous is not None and now is None:
            problems.append(f"kill {i}: the previous complete output disappeared")
        previous = now
    r = ctx.cryo_run(["build", "app.py", "-o", "app"], cwd=d, env=env)
    if r.returncode != 0:
        problems.append(f"the build after the kills failed: {L.text(r.stderr)}")
    left = [fn for fn in os.listdir(d) if ".cryo-tmp-" in fn]
    if left:
        problems.append(f"the next build left the killed builds' temporaries: {left}")
    if os.listdir(tmpdir):
        problems.append(f"left in TMPDIR after the next build: {os.listdir(tmpdir)}")
    run = L.run([out], env=L.clean_env(), cwd=d)
    if run.returncode != 0:
        problems.append(f"the rebuilt executable does not run: {run.describe_status()}")
    return problems


def case_two_builds_writing_one_output(ctx):
    """Two builds of different programs into the same file at once: both
    succeed, and the file is one of the two programs, whole."""
    d = ctx.dir("two-builds")
    write(d, "one.py", "print('one')\n")
    write(d, "two.py", "print('two')\n")
    procs = [subprocess.Popen([ctx.cryo, "build", f"{n}.py", "-o", "app"], cwd=d,
                              env=L.clean_env(), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
             for n in ("one", "two")]
    problems = []
    for p in procs:
        _, err = p.communicate(timeout=300)
        if p.returncode != 0:
            problems.append(f"a build failed: {L.text(err)}")
    r = L.run([os.path.join(d, "app")], env=L.clean_env(), cwd=d)
    if r.returncode != 0 or L.text(r.stdout) not in ("one\n", "two\n"):
        problems.append(f"the output is neither program: {r.describe_status()} "
                        f"{L.text(r.stdout)!r} {L.text(r.stderr)!r}")
    left = [fn for fn in os.listdir(d) if ".cryo-tmp-" in fn]
    if left:
        problems.append(f"temporaries left: {left}")
    return problems


def case_unguarded_missing_import(ctx):
    d = ctx.dir("missing-import")
    write(d, "app.py", "import os\nimport sys\n\nimport no_such_module_e2e\n\nprint(no_such_module_e2e)\n")
    r = ctx.cryo_run(["build", "app.py", "-o", "app"], cwd=d)
    return expect_build_error(r, status=1, mentions=["app.py:4", "no_such_module_e2e"], out_dir=d, output_name="app")


def case_unguarded_missing_import_in_package(ctx):
    d = ctx.dir("missing-import-pkg")
    write(d, "app.py", "from tools import worker\nworker.run()\n")
    write(d, "tools/__init__.py", "")
    # `from .X import name` names a module X (`from . import X` could name
    # an attribute of the package, so it is not checked here).
    write(d, "tools/worker.py", "def run():\n    pass\n\nfrom .no_such_sibling_e2e import thing\n")
    r = ctx.cryo_run(["build", "app.py", "-o", "app"], cwd=d)
    return expect_build_error(r, status=1, mentions=["worker.py:4", "no_such_sibling_e2e"],
                              out_dir=d, output_name="app")


def case_guarded_missing_import_builds_and_runs(ctx):
    d = ctx.dir("guarded-import")
    src = ("try:\n    import no_such_module_e2e as fast\nexcept ImportError:\n    fast = None\n\n"
           "try:\n    from no_such_pkg_e2e.sub import thing\nexcept ModuleNotFoundError as e:\n"
           "    thing = 'fallback for ' + e.name\n\nprint('fast:', fast, '| thing:', thing)\n")
    script = write(d, "app.py", src)
    r = ctx.cryo_run(["build", "app.py", "-o", "app"], cwd=d)
    if r.returncode != 0:
        return [f"build failed ({r.describe_status()}):\n" + L.indent(L.text(r.stderr))]
    problems = []
    if error_lines(r.stderr):
        problems.append("a successful build printed 'cryo: error:'")
    ref = L.run([ctx.python, script], env=L.clean_env(), cwd=d)
    frozen = L.run([os.path.join(d, "app")], env=L.clean_env(), cwd=d)
    return problems + L.compare(ref, frozen, expected_exit=0, stderr_mode="full")


def expect_help(r, where="stdout"):
    problems = []
    if r.returncode != 0:
        problems.append(f"expected exit 0, got {r.describe_status()}")
    out = L.text(r.stdout)
    if "usage: cryo build" not in out:
        problems.append("stdout has no 'usage: cryo build' line")
    if r.stderr:
        problems.append("help printed on stderr: " + L.text(r.stderr)[:200])
    return problems


def case_help(ctx):
    return expect_help(ctx.cryo_run(["--help"], cwd=ctx.scratch))


def case_build_help(ctx):
    r = ctx.cryo_run(["build", "--help"], cwd=ctx.scratch)
    problems = expect_help(r)
    text = L.text(r.stdout)
    # Every long option the command line takes is described, with the
    # completion and the manual page listing them too.
    src = open(os.path.join(L.SOURCE_ROOT, "freezer", "main.c"), encoding="utf-8").read()
    options = re.findall(r'\{"([a-z][a-z-]+)", (?:required|no)_argument', src)
    comp = open(os.path.join(L.SOURCE_ROOT, "tools", "cryo-completion.bash"), encoding="utf-8").read()
    man = open(os.path.join(L.SOURCE_ROOT, "freezer", "cryo.1"), encoding="utf-8").read().replace("\\-", "-")
    for o in options:
        if o in ("help", "cryo-from-pyproject"):
            continue
        if "--" + o not in text:
            problems.append(f"build --help does not describe --{o}")
        if "--" + o not in comp:
            problems.append(f"the bash completion does not know --{o}")
        if "--" + o not in man:
            problems.append(f"the manual page does not mention --{o}")
    r2 = ctx.cryo_run(["help", "build"], cwd=ctx.scratch)
    if r2.stdout != r.stdout:
        problems.append("cryo help build differs from cryo build --help")
    return problems


def case_version(ctx):
    r = ctx.cryo_run(["--version"], cwd=ctx.scratch)
    problems = []
    if r.returncode != 0:
        problems.append(f"expected exit 0, got {r.describe_status()}")
    out = L.text(r.stdout)
    if not out.startswith("cryo ") or "3.11" not in out or len(out.splitlines()) != 1:
        problems.append(f"unexpected version line: {out!r}")
    if r.stderr:
        problems.append("version printed on stderr")
    return problems


def case_bad_build_option(ctx):
    d = ctx.dir("badopt")
    write(d, "app.py", HELLO)
    r = ctx.cryo_run(["build", "--no-such-option", "app.py", "-o", "app"], cwd=d)
    problems = expect_build_error(r, status=2, mentions=["--no-such-option"], out_dir=d, output_name="app")
    if "usage:" not in L.text(r.stderr):
        problems.append("no usage line on stderr")
    return problems


def case_build_option_without_value(ctx):
    d = ctx.dir("novalue")
    write(d, "app.py", HELLO)
    r = ctx.cryo_run(["build", "app.py", "-o"], cwd=d)
    return expect_build_error(r, status=2, mentions=["-o"], out_dir=d, output_name="app")


def case_two_scripts(ctx):
    d = ctx.dir("twoscripts")
    write(d, "app.py", HELLO)
    write(d, "other.py", HELLO)
    r = ctx.cryo_run(["build", "app.py", "other.py", "-o", "app"], cwd=d)
    return expect_build_error(r, status=2, mentions=["SCRIPT"], out_dir=d, output_name="app")


def case_bad_top_level_option(ctx):
    r = ctx.cryo_run(["--no-such-option"], cwd=ctx.scratch)
    return expect_build_error(r, status=2, mentions=["--no-such-option"])


def case_unknown_command(ctx):
    r = ctx.cryo_run(["frobnicate", "app.py"], cwd=ctx.scratch)
    return expect_build_error(r, status=2, mentions=["frobnicate"])


def case_build_without_script(ctx):
    r = ctx.cryo_run(["build"], cwd=ctx.scratch)
    return expect_build_error(r, status=2, mentions=["SCRIPT"])


def case_bad_module_name(ctx):
    d = ctx.dir("badmod")
    write(d, "app.py", HELLO)
    r = ctx.cryo_run(["build", "app.py", "-o", "app", "--include-module", "not a module"], cwd=d)
    return expect_build_error(r, status=2, mentions=["not a module"], out_dir=d, output_name="app")


def case_include_package_of_a_module(ctx):
    d = ctx.dir("incpkg")
    write(d, "app.py", HELLO)
    r = ctx.cryo_run(["build", "app.py", "-o", "app", "--include-package", "json.decoder"],
                     cwd=d)
    return expect_build_error(r, status=1, mentions=["--include-package", "not a package",
                                                     "--include-module json.decoder"],
                              out_dir=d, output_name="app")


def case_bad_optimize_level(ctx):
    d = ctx.dir("badopt")
    write(d, "app.py", HELLO)
    r = ctx.cryo_run(["build", "app.py", "-o", "app", "--optimize=3"], cwd=d)
    return expect_build_error(r, status=2, mentions=["optimize", "'3'", "0, 1 or 2"],
                              out_dir=d, output_name="app")


def case_quiet_build_says_only_errors(ctx):
    d = ctx.dir("quiet")
    write(d, "app.py", HELLO)
    r = ctx.cryo_run(["build", "-q", "app.py", "-o", "app"], cwd=d)
    p = []
    if r.returncode != 0 or r.stderr or not os.path.exists(os.path.join(d, "app")):
        p.append(f"-q build: status {r.returncode}, stderr {r.stderr!r}")
    write(d, "bad.py", "import cryo_no_such_module_q\n")
    p += expect_build_error(ctx.cryo_run(["build", "-q", "bad.py", "-o", "bad"], cwd=d),
                            status=1, mentions=["cryo_no_such_module_q"], out_dir=d,
                            output_name="bad")
    return p


def case_bad_native_mode(ctx):
    d = ctx.dir("badnative")
    write(d, "app.py", HELLO)
    r = ctx.cryo_run(["build", "app.py", "-o", "app", "--native=disk"], cwd=d)
    return expect_build_error(r, status=2, mentions=["--native", "disk"], out_dir=d,
                              output_name="app")


def case_bad_missing_lib_name(ctx):
    d = ctx.dir("badlib")
    write(d, "app.py", HELLO)
    r = ctx.cryo_run(["build", "app.py", "-o", "app", "--allow-missing-lib", "/usr/lib/x.so"],
                     cwd=d)
    return expect_build_error(r, status=2, mentions=["--allow-missing-lib"], out_dir=d,
                              output_name="app")


def case_extension_needing_a_missing_library(ctx):
    """A user's extension module whose library is gone: one error naming
    both and the option that goes on; with the option it builds."""
    d = ctx.dir("missinglib")
    write(d, "app.py", "try:\n    import _needy\nexcept ImportError as e:\n    print('no', e.name)\n")
    write(d, "needy.c", "int gone(void); int PyInit__needy(void) { return gone(); }\n")
    write(d, "gone.c", "int gone(void) { return 1; }\n")
    for cmd in (["gcc", "-shared", "-fPIC", "-o", "libgone.so.1", "-Wl,-soname,libgone.so.1",
                 "gone.c"],
                ["gcc", "-shared", "-fPIC", "-o", "_needy.cpython-311-x86_64-linux-gnu.so",
                 "needy.c", "-L.", "-l:libgone.so.1"]):
        if subprocess.run(cmd, cwd=d).returncode != 0:
            return [f"cannot build the test's shared objects: {cmd}"]
    os.unlink(os.path.join(d, "libgone.so.1"))
    r = ctx.cryo_run(["build", "app.py", "-o", "app"], cwd=d)
    problems = expect_build_error(r, status=1, mentions=["_needy", "libgone.so.1",
                                                         "--allow-missing-lib"],
                                  out_dir=d, output_name="app")
    r = ctx.cryo_run(["build", "app.py", "-o", "app", "--allow-missing-lib", "libgone.so.1"],
                     cwd=d)
    if r.returncode != 0:
        problems.append(f"--allow-missing-lib: status {r.returncode}: {L.text(r.stderr)}")
    return problems


def build_with_report(ctx, name):
    """A small program with a package, a data file and a third-party
    extension module (yaml's, with libyaml), built with --report
    report.json in its own directory: (directory, build result)."""
    d = ctx.dir(name)
    write(d, "app.py", "import json, mypkg, yaml\nprint(json.dumps([mypkg.VERSION]))\n")
    write(d, "mypkg/__init__.py", "VERSION = 1\n")
    write(d, "mypkg/data/info.txt", "hello\n")
    r = ctx.cryo_run(["build", "app.py", "-o", "app", "--report", "report.json"], cwd=d)
    return d, r


def case_build_report(ctx):
    """--report FILE: JSON naming every module with its origin and reason,
    the builtins linked and the data files; a report that cannot be written
    is one error."""
    import json
    d, r = build_with_report(ctx, "report")
    if r.returncode != 0:
        return [f"build failed: {L.text(r.stderr)}"]
    problems = []
    with open(os.path.join(d, "report.json"), encoding="utf-8") as f:
        rep = json.load(f)
    if rep.get("format") != "cryo-build-report 1":
        problems.append(f"format {rep.get('format')!r}")
    mods = {m["name"]: m for m in rep["modules"]}
    if mods.get("__main__", {}).get("origin") != "user" or mods.get("mypkg", {}).get("origin") != "user":
        problems.append("the script and mypkg are not reported as the user's")
    if mods.get("json", {}).get("origin") != "stdlib" or not mods["json"]["reason"]:
        problems.append(f"json: {mods.get('json')}")
    if [x["path"] for x in rep["data"] if x["path"].startswith("mypkg/")] != ["mypkg/data/info.txt"]:
        problems.append(f"data: {rep['data']}")
    if rep["size"] != os.path.getsize(os.path.join(d, "app")):
        problems.append(f"size {rep['size']} is not the executable's")
    if sum(rep["bytes"][k] for k in ("image", "payload", "trailer")) != rep["size"]:
        problems.append(f"bytes {rep['bytes']} do not add up to the size")
    exts = {x["name"]: x for x in rep["extensions"]}
    if "yaml._yaml" not in exts or exts["yaml._yaml"]["bytes"] <= 0 \
            or exts["yaml._yaml"]["libraries"] != ["libyaml-0.so.2"]:
        problems.append(f"extensions: {rep['extensions']}")
    if "_cryo_files" not in mods or mods["_cryo_files"]["origin"] != "cryo":
        problems.append("cryo's own support module is not reported as cryo's")
    r = ctx.cryo_run(["build", "app.py", "-o", "app", "--report", "/nonexistent/dir/r.json"], cwd=d)
    problems += expect_build_error(r, status=1, mentions=["/nonexistent/dir/r.json"])
    return problems


def case_inspect(ctx):
    """cryo inspect: the report packed into the executable, as text and as
    JSON matching --report; a damaged or foreign file is refused, status 1;
    a bad command line, status 2."""
    import json
    d, r = build_with_report(ctx, "inspect")
    if r.returncode != 0:
        return [f"build failed: {L.text(r.stderr)}"]
    problems = []
    r = ctx.cryo_run(["inspect", "app"], cwd=d)
    out = L.text(r.stdout)
    if r.returncode != 0 or "built by cryo" not in out or "mypkg (package)" not in out \
            or "mypkg/data/info.txt" not in out:
        problems.append(f"inspect: status {r.returncode}:\n{L.indent(out[:800] + L.text(r.stderr))}")
    r = ctx.cryo_run(["inspect", "--json", "app"], cwd=d)
    with open(os.path.join(d, "report.json"), encoding="utf-8") as f:
        want = json.load(f)
    try:
        got = json.loads(L.text(r.stdout))
    except ValueError:
        got = None
    if r.returncode != 0 or not got:
        problems.append(f"inspect --json: status {r.returncode}: {L.text(r.stderr)}")
    else:
        got["output"] = want["output"]
        # The packed copy names files from outside /usr by their virtual
        # path (report.c, shown()): the executable must not depend on the
        # build directory.
        for key, vkey in (("modules", "path"), ("extensions", "path"), ("libraries", "name"),
                          ("data", "path")):
            for e in want.get(key, []):
                if e.get("source") and not e["source"].startswith("/usr/"):
                    e["source"] = e[vkey]
        if got != want:
            problems.append("inspect --json differs from build --report: "
                            + ", ".join(k for k in want if want[k] != got.get(k)))
    # damaged: one byte of the payload flipped
    damaged = os.path.join(d, "damaged")
    with open(os.path.join(d, "app"), "rb") as f:
        data = bytearray(f.read())
    data[len(data) - 200] ^= 0x40
    with open(damaged, "wb") as f:
        f.write(data)
    r = ctx.cryo_run(["inspect", "damaged"], cwd=d)
    problems += expect_build_error(r, status=1, mentions=["damaged"])
    r = ctx.cryo_run(["inspect", "app.py"], cwd=d)
    problems += expect_build_error(r, status=1, mentions=["not an executable built by cryo"])
    r = ctx.cryo_run(["inspect"], cwd=d)
    problems += expect_build_error(r, status=2, mentions=["APP"])
    return problems


def validate_cyclonedx(bom):
    """Problems found validating `bom` against the CycloneDX 1.5 JSON schema
    (tests/sbom_schema/, with Debian's python3-jsonschema)."""
    try:
        import jsonschema
    except ImportError:
        return ["python3-jsonschema is not installed (tools/install-deps.sh installs it)"]
    import json
    here = os.path.join(L.SOURCE_ROOT, "tests", "sbom_schema")
    store = {}
    for name in ("bom-1.5.schema.json", "spdx.schema.json", "jsf-0.82.schema.json"):
        with open(os.path.join(here, name), encoding="utf-8") as f:
            doc = json.load(f)
        store[doc["$id"]] = doc
    schema = store["http://cyclonedx.org/schema/bom-1.5.schema.json"]
    resolver = jsonschema.RefResolver.from_schema(schema, store=store)
    validator = jsonschema.Draft7Validator(schema, resolver=resolver)
    return [f"SBOM does not validate: {e.message} at {'/'.join(map(str, e.absolute_path))}"
            for e in list(validator.iter_errors(bom))[:5]]


def case_sbom(ctx):
    """--sbom FILE: CycloneDX 1.5 with CPython, the packed distribution and
    the Debian packages of the libraries packed and linked; the same from
    cryo inspect --sbom; a program built without it has none to show."""
    import json
    d = ctx.dir("sbom")
    shutil.copy(os.path.join(L.PROGRAMS_DIR, "tp_yaml.py"), os.path.join(d, "app.py"))
    r = ctx.cryo_run(["build", "app.py", "-o", "app", "--sbom", "app.cdx.json"], cwd=d)
    if r.returncode != 0:
        return [f"build failed: {L.text(r.stderr)}"]
    problems = []
    with open(os.path.join(d, "app.cdx.json"), encoding="utf-8") as f:
        bom = json.load(f)
    if (bom.get("bomFormat"), bom.get("specVersion")) != ("CycloneDX", "1.5"):
        problems.append(f"not CycloneDX 1.5: {bom.get('bomFormat')} {bom.get('specVersion')}")
    names = {c["name"]: c for c in bom.get("components", [])}
    if names.get("CPython", {}).get("version") != "3.11.2":
        problems.append("no CPython 3.11.2 component")
    if names.get("PyYAML", {}).get("purl", "").split("@")[0] != "pkg:pypi/pyyaml":
        problems.append(f"no PyYAML distribution: {sorted(names)}")
    if not names.get("libyaml-0-2", {}).get("purl", "").startswith("pkg:deb/debian/libyaml-0-2@"):
        problems.append(f"no Debian package for libyaml: {sorted(names)}")
    problems += validate_cyclonedx(bom)
    r = ctx.cryo_run(["inspect", "--sbom", "app"], cwd=d)
    with open(os.path.join(d, "app.cdx.json"), "rb") as f:
        if r.returncode != 0 or r.stdout != f.read():
            problems.append(f"inspect --sbom: status {r.returncode}, not the file written")
    r = ctx.cryo_run(["build", "app.py", "-o", "plain"], cwd=d)
    r = ctx.cryo_run(["inspect", "--sbom", "plain"], cwd=d)
    problems += expect_build_error(r, status=1, mentions=["--sbom"])
    return problems


def case_build_module_and_directory(ctx):
    """cryo build -m PKG runs PKG.__main__ as python3.11 -m PKG does
    (relative imports, __spec__, sys.argv[0] the module's path); cryo build
    DIR runs DIR/__main__.py as python3.11 DIR does; next to a directory of
    the same name the output is NAME.bin."""
    d = ctx.dir("dash_m")
    write(d, "mycli/__init__.py", "VERSION = '1.0'\n")
    write(d, "mycli/core.py", "def greet(args):\n    return 'hello ' + ' '.join(args)\n")
    write(d, "mycli/__main__.py",
          "import os, sys\nfrom . import VERSION\nfrom .core import greet\n"
          "print(greet(sys.argv[1:]), VERSION, __name__, __spec__.name, __package__,\n"
          "      os.path.basename(sys.argv[0]))\n")
    write(d, "appdir/__main__.py", "import sys\nprint('dir app', __name__, sys.argv[1:])\n")
    problems = []
    for args, exe, ref in ((["-m", "mycli"], "mycli.bin", ["-m", "mycli"]),
                           (["appdir"], "appdir.bin", ["appdir"]),
                           (["-m", "mycli", "-o", "tool"], "tool", ["-m", "mycli"])):
        r = ctx.cryo_run(["build", *args], cwd=d)
        if r.returncode != 0:
            problems.append(f"build {args}: {L.text(r.stderr)}")
            continue
        got = L.run([os.path.join(d, exe), "a", "b"], env=L.clean_env(), cwd=d)
        want = L.run([L.REFERENCE_PYTHON, *ref, "a", "b"], env=L.clean_env(), cwd=d)
        if got.returncode != 0 or got.stdout != want.stdout:
            problems.append(f"{args}: frozen {L.text(got.stdout + got.stderr)!r}, python3.11 "
                            f"{L.text(want.stdout)!r}")
    r = ctx.cryo_run(["build", "-m", "nosuchmod"], cwd=d)
    problems += expect_build_error(r, status=1, mentions=["nosuchmod"], out_dir=d,
                                   output_name="nosuchmod")
    r = ctx.cryo_run(["build", "-m", "mycli", "x.py"], cwd=d)
    problems += expect_build_error(r, status=2, mentions=["-m"])
    write(d, "nomain/__init__.py", "")
    r = ctx.cryo_run(["build", "-m", "nomain", "-o", "nm"], cwd=d)
    problems += expect_build_error(r, status=1, mentions=["nomain", "__main__.py"], out_dir=d,
                                   output_name="nm")
    write(d, "empty/readme.txt", "no main here\n")
    r = ctx.cryo_run(["build", "empty"], cwd=d)
    problems += expect_build_error(r, status=1, mentions=["__main__.py"])
    return problems


def case_build_entry_point(ctx):
    """--entry-point NAME: Debian's pygments declares the console script
    pygmentize; frozen, it prints what Debian's /usr/bin/pygmentize (run by
    python3.11) prints; an unknown name is one error."""
    d = ctx.dir("entry_point")
    r = ctx.cryo_run(["build", "--entry-point", "pygmentize", "-o", "pyg"], cwd=d)
    if r.returncode != 0:
        return [f"build failed: {L.text(r.stderr)}"]
    problems = []
    src = b"def f(x):\n    return x + 1\n"
    for args in (["-l", "python", "-f", "html"], ["-V"], ["-L", "styles"]):
        got = L.run([os.path.join(d, "pyg"), *args], stdin=src, env=L.clean_env(), cwd=d)
        want = L.run([L.REFERENCE_PYTHON, "/usr/bin/pygmentize", *args], stdin=src,
                     env=L.clean_env(), cwd=d)
        if got.returncode != want.returncode or got.stdout != want.stdout:
            problems.append(f"pygmentize {args}: frozen status {got.returncode}, python3.11 "
                            f"{want.returncode}; outputs {'differ' if got.stdout != want.stdout else 'agree'}")
    r = ctx.cryo_run(["build", "--entry-point", "no-such-script"], cwd=d)
    problems += expect_build_error(r, status=1, mentions=["no-such-script"], out_dir=d,
                                   output_name="no-such-script")
    # A local project's [project.scripts]; its return value is the status.
    write(d, "mytool/__init__.py", "")
    write(d, "mytool/cli.py", "import sys\ndef main():\n    print('local', sys.argv[1:])\n"
          "    return 3\n")
    write(d, "pyproject.toml", '[project]\nname = "mytool"\n[project.scripts]\n'
          'mt = "mytool.cli:main"\n')
    r = ctx.cryo_run(["build", "--entry-point", "mt"], cwd=d)
    got = L.run([os.path.join(d, "mt"), "x"], env=L.clean_env(), cwd=d) if r.returncode == 0 else None
    if not got or got.returncode != 3 or got.stdout != b"local ['x']\n":
        problems.append(f"[project.scripts] entry point: {L.text(r.stderr)} "
                        f"{got.returncode if got else ''} {got.stdout if got else ''}")
    write(d, "pyproject.toml", '[project]\nname = "mytool"\n[project.scripts]\n'
          'bad = "mytool.cli:nothere"\n')
    r = ctx.cryo_run(["build", "--entry-point", "bad"], cwd=d)
    problems += expect_build_error(r, status=1, mentions=["nothere", "mytool.cli"], out_dir=d,
                                   output_name="bad")
    return problems


def compile_cache_bytes(cache):
    """Bytes of the compile cache's entries (<dir>/<2 hex>/<62 hex>)."""
    total = 0
    for sub in os.listdir(cache):
        if len(sub) == 2 and os.path.isdir(os.path.join(cache, sub)):
            for n in os.listdir(os.path.join(cache, sub)):
                if len(n) == 62:
                    total += os.stat(os.path.join(cache, sub, n)).st_size
    return total


def case_reproducible_in_any_directory_with_any_cache(ctx):
    """The same program gives the same bytes built in two directories, with
    the compile cache cold, warm, off, or trimmed by CRYO_CACHE_MAX, at
    different times."""
    cache, capped = ctx.dir("repro-cache"), ctx.dir("repro-capped")
    outs, problems = [], []
    # a: cold; b: warm; c: no cache; d: cold, trimmed to a cap far below
    # what it writes; e: warm from what the trimming left.
    runs = [("a", {"CRYO_CACHE_DIR": cache}), ("b", {"CRYO_CACHE_DIR": cache}),
            ("c", {"CRYO_CACHE_DIR": "off"}),
            ("d", {"CRYO_CACHE_DIR": capped, "CRYO_CACHE_MAX": "64K"}),
            ("e", {"CRYO_CACHE_DIR": capped, "CRYO_CACHE_MAX": "64K"})]
    for name, env in runs:
        d = ctx.dir("repro-" + name)
        shutil.copytree(L.PROGRAMS_DIR, os.path.join(d, "src"))
        r = ctx.cryo_run(["build", os.path.join(d, "src", "pkg_app.py"), "-o", "app"], cwd=d,
                         env=L.clean_env(env))
        if r.returncode != 0:
            return [f"build {name}: {L.text(r.stderr)}"]
        with open(os.path.join(d, "app"), "rb") as f:
            outs.append(f.read())
        time.sleep(1.1)  # a different second: nothing may depend on the clock
    for (name, env), data in zip(runs[1:], outs[1:]):
        if data != outs[0]:
            problems.append(f"build {name} ({env}) differs from build a (cold cache)")
    left = compile_cache_bytes(capped)
    if left > 64 * 1024 or left == 0:
        problems.append(f"CRYO_CACHE_MAX=64K left {left} bytes of entries")
    return problems


def case_cache_max_not_a_size(ctx):
    d = ctx.dir("cachemax")
    write(d, "app.py", HELLO)
    env = L.clean_env({"CRYO_CACHE_DIR": os.path.join(d, "cache"), "CRYO_CACHE_MAX": "lots"})
    r = ctx.cryo_run(["build", "-q", "app.py", "-o", "app"], cwd=d, env=env)
    if r.returncode != 0 or b"CRYO_CACHE_MAX='lots' is not a size" not in r.stderr:
        return [f"status {r.returncode}, stderr {r.stderr!r}"]
    return []


def case_build_from_pyproject(ctx):
    """cryo build with no SCRIPT reads [tool.cryo] of ./pyproject.toml:
    options in TOML types, [project] name as the default output, the
    command line overriding; unknown keys, wrong types and bad TOML are
    one error naming the file and line."""
    d = ctx.dir("pyproject")
    write(d, "app.py", "import sys\nprint('from pyproject', sys.argv[1:])\n")
    write(d, "pyproject.toml", '[project]\nname = "mytool"\nversion = "1.0"\n\n[tool.cryo]\n'
          'script = "app.py"\ninclude-modules = ["json"]\nallocator = "cryo"\n'
          'gc-growth = 0.75\nkeep-symbols = false\n')
    problems = []
    r = ctx.cryo_run(["build"], cwd=d)
    got = L.run([os.path.join(d, "mytool"), "x"], env=L.clean_env(), cwd=d) \
        if r.returncode == 0 else None
    if not got or got.stdout != b"from pyproject ['x']\n":
        problems.append(f"build from pyproject: {L.text(r.stderr)}")
    r = ctx.cryo_run(["build", "-o", "other"], cwd=d)
    if r.returncode != 0 or not os.path.exists(os.path.join(d, "other")):
        problems.append(f"-o did not override: {L.text(r.stderr)}")
    # The same options from pyproject.toml and from the command line make
    # the same executable, byte for byte.
    os.rename(os.path.join(d, "other"), os.path.join(d, "from-toml"))
    r = ctx.cryo_run(["build", "app.py", "-o", "other", "--include-module", "json",
                      "--allocator", "cryo", "--gc-growth", "0.75", "--app-version", "1.0"],
                     cwd=d)
    with open(os.path.join(d, "from-toml"), "rb") as f1, open(os.path.join(d, "other"), "rb") as f2:
        if r.returncode != 0 or f1.read() != f2.read():
            problems.append("pyproject.toml and the same command line give different executables")
    for text, line, what in (('[tool.cryo]\nscript = "app.py"\nbogus = 1\n', 3, "bogus"),
                             ('[tool.cryo]\nscript = "app.py"\n\npaths = "src"\n', 4, "paths"),
                             ('[tool.cryo]\nnative = "disk"\nscript = "app.py"\n', 2, "native"),
                             ('[tool.cryo\n', 1, "TOML")):
        write(d, "pyproject.toml", text)
        r = ctx.cryo_run(["build"], cwd=d)
        problems += expect_build_error(r, status=1, mentions=[f"pyproject.toml:{line}", what])
    write(d, "pyproject.toml", '[project]\nname = "x"\n')
    r = ctx.cryo_run(["build"], cwd=d)
    problems += expect_build_error(r, status=1, mentions=["[tool.cryo]"])
    return problems


def case_no_arguments(ctx):
    r = ctx.cryo_run([], cwd=ctx.scratch)
    problems = []
    if r.returncode != 2:
        problems.append(f"expected exit 2, got {r.describe_status()}")
    if "usage: cryo" not in L.text(r.stderr):
        problems.append("no usage on stderr")
    if r.stdout:
        problems.append("printed on stdout")
    return problems


# --- frozen-only facts -------------------------------------------------------

FACTS = r'''
import os, sys
import factpkg.mod
print("frozen:", getattr(sys, "frozen", None))
print("executable:", sys.executable)
print("argv:", sys.argv)
print("main file:", __file__)
print("module file:", factpkg.mod.__file__)
print("package path:", factpkg.__path__)
print("encoding:", sys.stdout.encoding, "optimize:", sys.flags.optimize,
      "inspect:", sys.flags.inspect, "verbose:", sys.flags.verbose)
print("sys.path entries that exist on disk:", [p for p in sys.path if os.path.exists(p)])
print("plugin importable:", end=" ")
try:
    import planted_plugin_e2e
    print("yes (PYTHONPATH was honoured)")
except ImportError:
    print("no")
'''


def case_frozen_program_facts(ctx):
    d = ctx.dir("facts")
    write(d, "app.py", FACTS)
    write(d, "factpkg/__init__.py", "")
    write(d, "factpkg/mod.py", "X = 1\n")
    plant = ctx.dir("facts-pythonpath")
    write(plant, "planted_plugin_e2e.py", "print('planted module ran')\n")
    bindir = ctx.dir("facts-bin")
    r = ctx.cryo_run(["build", os.path.join(d, "app.py"), "-o", os.path.join(bindir, "tool")], cwd=d)
    if r.returncode != 0:
        return [f"build failed:\n{L.indent(L.text(r.stderr))}"]
    env = L.clean_env({"PYTHONPATH": plant, "PYTHONIOENCODING": "latin-1", "PYTHONOPTIMIZE": "2",
                       "PYTHONINSPECT": "1", "PYTHONVERBOSE": "1", "PYTHONHOME": "/nonexistent"})
    exe = os.path.join(bindir, "tool")
    # Invoked by a relative path from another directory, with arguments.
    res = L.run([os.path.relpath(exe, d), "a b", "ü"], env=env, cwd=d, timeout=60)
    out = L.text(res.stdout)
    want = [
        "frozen: True",
        f"executable: {exe}",
        f"argv: [{os.path.relpath(exe, d)!r}, 'a b', 'ü']",
        f"main file: {exe}/app.py",
        f"module file: {exe}/factpkg/mod.py",
        f"package path: [{exe + '/factpkg'!r}]",
        "encoding: utf-8 optimize: 0 inspect: 0 verbose: 0",
        "plugin importable: no",
    ]
    problems = []
    if res.returncode != 0:
        problems.append(f"status {res.describe_status()}; stderr: {L.text(res.stderr)[-500:]}")
    for w in want:
        if w not in out.splitlines():
            problems.append(f"expected the line {w!r}")
    if res.stderr:
        problems.append(f"unexpected stderr (PYTHONVERBOSE ignored?): {L.text(res.stderr)[:300]!r}")
    if problems:
        problems.append("stdout was:\n" + L.indent(out))
    return problems


# --- damaged executables -----------------------------------------------------

def damage_variants(good, other):
    """name -> damaged bytes.  `other` is a second, different build."""
    t = F.read_trailer(good)
    po, ps = t["payload_offset"], t["payload_size"]
    io, isz = t["image_offset"], t["image_size"]
    assert io == F.STAGE_SIZE and io + isz == po and po + ps + F.TRAILER_SIZE == len(good), \
        "the file layout is not what the test expects"
    flip = lambda data, i: data[:i] + bytes([data[i] ^ 0x5A]) + data[i + 1:]  # noqa: E731
    end = len(good) - F.TRAILER_SIZE
    v = {
        "truncated_by_1_byte": good[:-1],
        "truncated_at_payload_start": good[:po],
        "truncated_inside_payload": good[:po + ps // 2],
        # Cuts inside the ELF image: the kernel would kill the process while
        # mapping it (execve fails past its point of no return); the first
        # stage refuses them first.
        "truncated_inside_image": good[:io + isz // 2],
        "truncated_inside_the_image_headers": good[:io + 100],
        "truncated_right_after_the_first_stage": good[:io],
        "truncated_in_the_image_data_segment": good[:po - 4096],
        "image_elf_magic_flipped": flip(good, io + 1),
        "image_middle_byte_flipped": flip(good, io + isz // 2),
        "image_last_byte_flipped": flip(good, po - 1),
        "image_guard_range_byte_flipped": flip(good, io + t["guards"][-1][0] + 5),
        "first_stage_padding_flipped": flip(good, io - 1),
        "payload_first_byte_flipped": flip(good, po),
        "payload_middle_byte_flipped": flip(good, po + ps // 2),
        "payload_last_byte_flipped": flip(good, po + ps - 1),
        "trailer_magic_byte_flipped": flip(good, end),
        "trailer_offset_byte_flipped": flip(good, end + 16),
        "trailer_image_crc_byte_flipped": flip(good, end + 56),
        "trailer_crc_byte_flipped": flip(good, len(good) - 1),
        "10_bytes_appended": good + b"\0" * 10,
        "10_bytes_of_junk_appended": good + b"0123456789",
        "trailer_removed": good[:end],
    }
    # A trailer with a valid checksum whose size field lies.
    v["trailer_resigned_with_wrong_size"] = good[:end] + F.write_trailer({**t, "payload_size": ps - 1})
    # A trailer with a valid checksum that vouches for a flipped image byte's
    # guard range but not for the image: the whole-image check catches it.
    bad = flip(good, io + isz // 3)
    v["image_flipped_under_a_resigned_trailer"] = bad[:end] + F.write_trailer(t)
    # The ELF of one build with the payload of another, the trailer
    # consistent with the file: only the build identity can tell.
    o = F.read_trailer(other)
    opo, ops = o["payload_offset"], o["payload_size"]
    mixed = {**t, "payload_size": ops, "payload_crc": o["payload_crc"],
             "entry_count": o["entry_count"]}
    v["payload_from_another_build"] = good[:po] + other[opo:opo + ops] + F.write_trailer(mixed)
    return v


def check_damaged(path, argv0, cwd):
    r = L.run([argv0], env=L.clean_env(), cwd=cwd, timeout=30)
    problems = []
    err = L.text(r.stderr)
    lines = err.splitlines()
    if r.returncode is not None and r.returncode < 0:
        problems.append(f"crashed: {r.describe_status()}")
    elif r.returncode != 127:
        problems.append(f"expected exit 127, got {r.describe_status()}")
    if r.stdout:
        problems.append(f"printed on stdout: {L.text(r.stdout)[:200]!r}")
    if "Traceback" in err:
        problems.append("printed a Python traceback")
    prefix = f"{argv0}: cannot start: '{os.path.realpath(path)}' is damaged: "
    if len(lines) != 1 or not lines[0].startswith(prefix):
        problems.append(f"expected one line starting {prefix!r}, got {err!r}")
    return problems


def make_damage_case(name):
    def case(ctx):
        good_path = ctx.hello_exe()
        good = open(good_path, "rb").read()
        other = open(ctx.other_exe(), "rb").read()
        data = damage_variants(good, other)[name]
        d = ctx.dir("damaged")
        path = os.path.join(d, "app")
        with open(path, "wb") as f:
            f.write(data)
        os.chmod(path, 0o755)
        return check_damaged(path, "./app", d)
    case.__name__ = f"case_damaged_{name}"
    return case


def case_undamaged_copy_runs(ctx):
    # The control for the damage cases: a byte-identical copy runs.
    d = ctx.dir("intact")
    path = os.path.join(d, "app")
    shutil.copyfile(ctx.hello_exe(), path)
    os.chmod(path, 0o755)
    r = L.run([path, "x"], env=L.clean_env(), cwd=d)
    if r.returncode != 0 or L.text(r.stdout) != "hello from __main__ ['x']\n":
        return [f"the intact copy did not run: {r.describe_status()} {L.text(r.stdout)!r} {L.text(r.stderr)!r}"]
    return []


DAMAGES = ["truncated_by_1_byte", "truncated_at_payload_start", "truncated_inside_payload",
           "truncated_inside_image", "truncated_inside_the_image_headers",
           "truncated_right_after_the_first_stage", "truncated_in_the_image_data_segment",
           "image_elf_magic_flipped", "image_middle_byte_flipped", "image_last_byte_flipped",
           "image_guard_range_byte_flipped", "first_stage_padding_flipped",
           "payload_first_byte_flipped", "payload_middle_byte_flipped", "payload_last_byte_flipped",
           "trailer_magic_byte_flipped", "trailer_offset_byte_flipped",
           "trailer_image_crc_byte_flipped", "trailer_crc_byte_flipped",
           "10_bytes_appended", "10_bytes_of_junk_appended", "trailer_removed",
           "trailer_resigned_with_wrong_size", "image_flipped_under_a_resigned_trailer",
           "payload_from_another_build"]


def all_cases():
    cases = [v for k, v in globals().items() if k.startswith("case_") and callable(v)]
    cases += [make_damage_case(n) for n in DAMAGES]
    return [(c.__name__[len("case_"):], c) for c in cases]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("filters", nargs="*", metavar="FILTER")
    ap.add_argument("--cryo", default=os.environ.get("CRYO", L.DEFAULT_CRYO))
    ap.add_argument("--python", default=L.REFERENCE_PYTHON)
    ap.add_argument("--keep", action="store_true")
    opts = ap.parse_args()
    cryo = L.check_cryo(opts.cryo)
    L.check_reference_python(opts.python)
    cases = [(n, c) for n, c in all_cases()
             if not opts.filters or any(f in n or fnmatch.fnmatchcase(n, f) for f in opts.filters)]
    # nobody must be able to reach the scratch dir (and run cryo).
    scratch = tempfile.mkdtemp(prefix="cryo-e2e-cli-")
    os.chmod(scratch, 0o755)
    ctx = Ctx(cryo, opts.python, scratch)
    passed = failed = 0
    t0 = time.monotonic()
    try:
        for name, case in cases:
            try:
                problems = case(ctx)
            except SystemExit as e:  # require_root
                problems = [str(e)]
            except Exception as e:
                problems = [f"harness error: {type(e).__name__}: {e}"]
            if problems:
                failed += 1
                print(f"FAIL {name}\n" + "\n".join(L.indent(p) for p in problems), flush=True)
            else:
                passed += 1
                print(f"PASS {name}", flush=True)
    finally:
        if opts.keep:
            print(f"kept {scratch}")
        else:
            # Give back directories made unreadable for the tests first.
            for dirpath, dirnames, filenames in os.walk(scratch):
                for n in dirnames + filenames:
                    p = os.path.join(dirpath, n)
                    if not os.path.islink(p):
                        os.chmod(p, stat.S_IRWXU)
            shutil.rmtree(scratch, ignore_errors=True)
    print(f"cli: {time.monotonic() - t0:.1f}s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
