#!/usr/bin/python3.11
"""chroot_test.py — frozen programs run on a machine without Python.

    /usr/bin/python3.11 tests/e2e/chroot_test.py [--cryo PATH] [PROGRAM...]

For each program (default: hello, stdin_echo, pkg_app, exc_nested,
stdlib40, threads_demo, unicode_io): freeze it, check that `ldd` lists
only glibc's libraries, build a root directory holding ONLY the dynamic
loader and those libraries, /tmp, /dev/null, /dev/urandom and /proc, copy
the executable in, run it with chroot(8) and compare with
`/usr/bin/python3.11 program.py` run outside (stdout, status, stderr as the
program's header says; see README.md).  Both run with LC_ALL=C: the root
holds no locale data.

Needs root (chroot, mknod, mount): without it every case fails with a
message saying so.  The root directory is unmounted and removed whatever
happens.  Output: PASS/FAIL per program, then `N passed, M failed`.
"""
import argparse
import errno
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_lib as L  # noqa: E402

DEFAULT_PROGRAMS = ["hello", "stdin_echo", "pkg_app", "exc_nested", "stdlib40", "threads_demo", "unicode_io",
                    "native_stdlib", "tp_yaml", "tp_numpy", "tp_cryptography", "tp_requests",
                    "data_files", "table_modules", "daemon_exit", "cold_openssl"]
# Not here: tp_pandas.  Debian's pytz reads the system's time zones
# (/usr/share/zoneinfo, Debian's tzdata package) at import, which a root
# of glibc alone does not have (README, Limits: data of the system).

# glibc's libraries: all a frozen program may need on the target machine.
GLIBC_SONAME = re.compile(r"^(linux-vdso\.so\.1|linux-gate\.so\.1"
                          r"|ld-linux[-\w.]*\.so\.\d+|ld64\.so\.\d+"
                          r"|lib(c|m|pthread|dl|rt|util|resolv|anl|mvec)\.so\.\d+)$")
# ldd lines: "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)",
# "/lib64/ld-linux-x86-64.so.2 (0x...)", "linux-vdso.so.1 (0x...)",
# "libfoo.so.1 => not found".
LDD_ARROW = re.compile(r"^\s*(\S+)\s+=>\s+(.*?)\s*(\(0x[0-9a-f]+\))?$")
LDD_PLAIN = re.compile(r"^\s*(\S+)\s+\(0x[0-9a-f]+\)$")
DEVICES = {"null": (1, 3), "urandom": (1, 9)}
# Also run these with the whole root read-only: a stdlib-only program,
# extension modules included, writes no file; third-party native files come
# from memory files (cryptography's OpenSSL provider module too).
READ_ONLY_PROGRAMS = ["hello", "pkg_app", "native_stdlib", "tp_numpy", "tp_cryptography",
                      "table_modules"]
# Also run in a root without /proc (a sandbox that does not mount it): the
# program finds its own file by the name it was started by (AT_EXECFN).
NO_PROC_PROGRAMS = ["hello", "stdin_echo", "pkg_app", "native_stdlib", "tp_yaml"]


class ChrootError(Exception):
    pass


def program_image(cryo, exe):
    """The ELF image inside `exe`, extracted with `cryo inspect --image`: ldd
    and readelf read an executable's own headers, which in a cryo program
    are its one-page first stage's (a static executable)."""
    out = exe + ".image"
    r = subprocess.run([cryo, "inspect", exe, "--image", out], capture_output=True, text=True)
    if r.returncode != 0:
        raise ChrootError(f"cryo inspect --image {exe} failed: {r.stderr.strip()}")
    return out


def ldd_libraries(image):
    """[(soname, path or None)] from ldd on a program's image
    (program_image); path None for the vDSO."""
    r = subprocess.run(["ldd", image], capture_output=True, text=True, env=L.clean_env())
    if r.returncode != 0:
        if "not a dynamic executable" in r.stdout + r.stderr:
            return []
        raise ChrootError(f"ldd {image} failed: {r.stderr.strip()}")
    libs = []
    for line in r.stdout.splitlines():
        if not line.strip():
            continue
        m = LDD_ARROW.match(line)
        if m:
            path = m.group(2)
            if path == "not found":
                raise ChrootError(f"ldd: {m.group(1)} not found")
            libs.append((m.group(1), path or None))
            continue
        m = LDD_PLAIN.match(line)
        if m:
            name = m.group(1)
            libs.append((os.path.basename(name), name if name.startswith("/") else None))
            continue
        raise ChrootError(f"cannot parse ldd output line {line!r}")
    return libs


def check_only_glibc(libs):
    foreign = [f"{name} ({path})" for name, path in libs
               if not GLIBC_SONAME.match(os.path.basename(name))
               and not (L.sanitized() and L.SANITIZER_RUNTIMES.match(os.path.basename(name)))]
    if foreign:
        raise ChrootError("the executable needs libraries that are not glibc's: " + ", ".join(foreign)
                          + "\n  a frozen program may need only glibc (libc, libm, ld-linux, libpthread,"
                          " libdl, librt, libutil) on the target machine")


def elf_interpreter(exe):
    r = subprocess.run(["readelf", "-lW", exe], capture_output=True, text=True)
    m = re.search(r"Requesting program interpreter: (\S+)\]", r.stdout)
    return m.group(1) if m else None


def copy_into(root, path):
    """Copy the file at `path` (following symlinks) to the same path under root."""
    dest = os.path.join(root, path.lstrip("/"))
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copyfile(os.path.realpath(path), dest)
    os.chmod(dest, 0o755)


class Chroot:
    """A root directory with only what a frozen program may rely on; a
    context manager that always unmounts and removes it."""

    def __init__(self, parent, libs, interpreter, read_only=False, proc=True):
        self.root = tempfile.mkdtemp(prefix="root-", dir=parent)
        self.read_only = read_only
        self.proc = proc
        os.chmod(self.root, 0o755)
        self.mounts = []
        self.libs = libs
        self.interpreter = interpreter

    def __enter__(self):
        try:
            self._populate()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def _populate(self):
        for _, path in self.libs:
            if path:
                copy_into(self.root, path)
        if self.interpreter and not os.path.exists(os.path.join(self.root, self.interpreter.lstrip("/"))):
            copy_into(self.root, self.interpreter)
        tmp = os.path.join(self.root, "tmp")
        os.makedirs(tmp)
        os.chmod(tmp, 0o1777)
        dev = os.path.join(self.root, "dev")
        os.makedirs(dev)
        for name, (major, minor) in DEVICES.items():
            node = os.path.join(dev, name)
            try:
                os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(major, minor))
                os.chmod(node, 0o666)
            except PermissionError:
                # No CAP_MKNOD (some containers): bind-mount the host's node.
                open(node, "w").close()
                self._mount(["--bind", f"/dev/{name}", node], node)
        proc = os.path.join(self.root, "proc")
        os.makedirs(proc)
        if self.proc:
            self._mount(["-t", "proc", "proc", proc], proc)

    def make_read_only(self):
        """Bind the root onto itself read-only (a frozen program needs no
        writable disk), with /proc mounted again inside the read-only view."""
        self._mount(["--bind", self.root, self.root], self.root)
        r = subprocess.run(["mount", "-o", "remount,bind,ro", self.root], capture_output=True, text=True)
        if r.returncode != 0:
            raise ChrootError(f"cannot remount {self.root} read-only: {r.stderr.strip()}")
        self._mount(["-t", "proc", "proc", os.path.join(self.root, "proc")], os.path.join(self.root, "proc"))
        try:
            open(os.path.join(self.root, "tmp", "write-probe"), "w").close()
        except OSError as e:
            if e.errno != errno.EROFS:
                raise
        else:
            raise ChrootError("the read-only root is writable")

    def _mount(self, args, target):
        r = subprocess.run(["mount", *args], capture_output=True, text=True)
        if r.returncode != 0:
            raise ChrootError(f"mount {' '.join(args)} failed: {r.stderr.strip()}")
        self.mounts.append(target)

    def listing(self):
        """Every file in the root except /proc's contents, for the report."""
        out = []
        for dirpath, dirnames, filenames in os.walk(self.root):
            rel = os.path.relpath(dirpath, self.root)
            if rel == "proc":
                dirnames[:] = []
                continue
            for fn in filenames:
                out.append(os.path.normpath(os.path.join("/", rel, fn)))
        return sorted(out)

    def close(self):
        failed = []
        for target in reversed(self.mounts):
            r = subprocess.run(["umount", target], capture_output=True, text=True)
            if r.returncode != 0:
                r = subprocess.run(["umount", "-l", target], capture_output=True, text=True)
            if r.returncode != 0 or os.path.ismount(target):
                failed.append(target)
        self.mounts = []
        if failed:
            # Never rmtree through a mount point: it would reach the host.
            raise ChrootError(f"could not unmount {failed}; {self.root} left in place, remove it by hand")
        shutil.rmtree(self.root, ignore_errors=True)
        if os.path.exists(self.root):
            raise ChrootError(f"could not remove {self.root}")


def mounts_under(path):
    with open("/proc/self/mounts") as f:
        points = [line.split()[1].replace("\\040", " ") for line in f]
    return [p for p in points if p == path or p.startswith(path.rstrip("/") + "/")]


def test_program(prog, cryo, python, session, src, mode=""):
    read_only = mode == "ro"
    work = os.path.join(session, prog.name + ("-" + mode if mode else ""))
    os.makedirs(work)
    script = os.path.join(src, os.path.basename(prog.path))
    exe = os.path.join(work, prog.name)
    build = L.freeze(cryo, script, exe, extra_args=prog.cryo_args, cwd=os.path.dirname(script))
    if build.returncode != 0:
        return [f"cryo build failed:\n{L.indent(L.text(build.stderr))}"], None
    image = program_image(cryo, exe)
    libs = ldd_libraries(image)
    check_only_glibc(libs)
    interp = elf_interpreter(image)
    # The root has no locale data (/usr/lib/locale): LC_ALL=C.UTF-8 would
    # fall back to "C" inside and not outside.  Both runs use "C", which
    # glibc always has and where python3.11 turns on its UTF-8 mode.
    env = L.clean_env({**prog.env, "LC_ALL": "C"})
    cwd = os.path.join(work, "cwd")
    os.makedirs(cwd)
    ref = L.run([python, *prog.python_args, script, *prog.args], stdin=prog.stdin, env=env, cwd=cwd, timeout=prog.timeout)
    with Chroot(work, libs, interp, proc=mode != "noproc") as ch:
        shutil.copy2(exe, os.path.join(ch.root, prog.name))
        files = ch.listing()
        if read_only:
            ch.make_read_only()
        frozen = L.run(["chroot", ch.root, "/" + prog.name, *prog.args], stdin=prog.stdin, env=env,
                       timeout=prog.timeout)
    problems = L.compare(ref, frozen, expected_exit=prog.exit, stderr_mode=prog.stderr_mode)
    if any("python" in f.lower() for f in files):
        problems.append(f"the root holds a Python file: {files}")
    summary = f"libs: {', '.join(n for n, _ in libs)}; root: {' '.join(files)}"
    return problems, summary


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("programs", nargs="*", metavar="PROGRAM", help=f"default: {' '.join(DEFAULT_PROGRAMS)}")
    ap.add_argument("--cryo", default=os.environ.get("CRYO", L.DEFAULT_CRYO))
    ap.add_argument("--python", default=L.REFERENCE_PYTHON)
    ap.add_argument("--keep", action="store_true", help="keep the work dir (chroots are always removed)")
    opts = ap.parse_args()
    names = opts.programs or DEFAULT_PROGRAMS
    cases = ([(n, "") for n in names] + [(n, "ro") for n in names if n in READ_ONLY_PROGRAMS]
             + [(n, "noproc") for n in names if n in NO_PROC_PROGRAMS])
    if L.sanitized():
        # The sanitizers' runtime reads /proc (its maps, its threads) and
        # fails without it, before any of cryo's code runs.
        print("NOT RUN the no-/proc cases: a -Db_sanitize build")
        cases = [c for c in cases if c[1] != "noproc"]
    if os.geteuid() != 0:
        for n in names:
            print(f"FAIL {n}: chroot_test.py must run as root (chroot, mknod, mount -t proc); "
                  f"CI runs the e2e suite as root")
        print(f"0 passed, {len(names)} failed")
        return 1
    cryo = L.check_cryo(opts.cryo)
    L.check_reference_python(opts.python)
    for tool in ("chroot", "ldd", "mount", "umount", "readelf"):
        if not shutil.which(tool):
            sys.exit(f"chroot_test: '{tool}' is not on PATH")
    by_name = {p.name: p for p in L.discover()}
    if L.libpython_of(cryo) == "debian":
        for n in [n for n in names if by_name.get(n) and by_name[n].libpython == "cryo"]:
            print(f"NOT RUN {n}: needs cryo's own libpython (this cryo links Debian's)")
        cases = [c for c in cases if not (by_name.get(c[0]) and by_name[c[0]].libpython == "cryo")]
    session = tempfile.mkdtemp(prefix="cryo-e2e-chroot-")
    os.chmod(session, 0o755)
    src = L.copy_programs(os.path.join(session, "src"))
    passed = failed = 0
    t0 = time.monotonic()
    try:
        for n, mode in cases:
            prog = by_name.get(n)
            if mode:
                n += {"ro": " (read-only root)", "noproc": " (no /proc)"}[mode]
            try:
                if prog is None:
                    raise ChrootError(f"no program {n!r} in {L.PROGRAMS_DIR}")
                problems, summary = test_program(prog, cryo, opts.python, session, src, mode)
            except ChrootError as e:
                problems, summary = [str(e)], None
            except Exception as e:
                problems, summary = [f"harness error: {type(e).__name__}: {e}"], None
            if problems:
                failed += 1
                print(f"FAIL {n}\n" + "\n".join(L.indent(p) for p in problems), flush=True)
                if summary:
                    print(L.indent(summary), flush=True)
            else:
                passed += 1
                print(f"PASS {n} ({summary})", flush=True)
    finally:
        if opts.keep:
            print(f"kept {session}")
        elif mounts_under(session):
            print(f"FAIL cleanup: still mounted under {session}: {mounts_under(session)}; not removed")
            failed += 1
        else:
            shutil.rmtree(session, ignore_errors=True)
    print(f"chroot: {time.monotonic() - t0:.1f}s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
