#!/usr/bin/python3.11
"""test_native_cache.py — where frozen programs put the native files they
carry (runtime/native_files.c; README, "Native files").

    /usr/bin/python3.11 tests/e2e/test_native_cache.py [--cryo PATH] [FILTER...]

Freezes programs/tp_yaml.py (an extension module and the library it needs)
and programs/hello.py once, then checks, each case in a fresh cache
directory ($XDG_CACHE_HOME): the first run writes each file once, later
runs reuse them without writing; a cached file damaged in place is
replaced; two first runs at once both work and leave one copy; a first run
killed midway leaves nothing a later run trips on; in memory mode a spawned
child uses its parent's memory files, and siblings share one copy of what
their parent never loaded; memory mode and a cache
that is not the user's or is writable by others write nothing there; a
program without native files writes nothing.  Output is compared with
python3.11 each time.  Prints PASS/FAIL per case and "N passed, M failed".
"""
import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_lib as L  # noqa: E402


# A parent that loads an extension module, then a spawned child that loads
# it too: in memory mode the child must use the parent's memory files.
SPAWN_CHILD = """
import multiprocessing as mp
import yaml._yaml


def child(q):
    import yaml._yaml as y
    q.put(y.get_version_string())


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=child, args=(q,))
    p.start()
    print(q.get() == yaml._yaml.get_version_string())
    p.join()
"""


# Three spawned workers that each load an extension module their parent
# never loads: each reports the file (device, inode: /proc/self/maps) that
# backs the module and its library.  python3.11 maps one file each, so it
# prints "1 1"; memory files must be shared between the siblings for a
# frozen program to print the same.
SIBLINGS = """
import multiprocessing as mp


def backing(q):
    import yaml._yaml
    files = {}
    with open("/proc/self/maps") as f:
        for line in f:
            parts = line.split(None, 5)
            if len(parts) == 6:
                for key in ("_yaml", "libyaml"):
                    if key in parts[5]:
                        files[key] = (parts[3], parts[4])
    q.put(files)


if __name__ == "__main__":
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    ps = [ctx.Process(target=backing, args=(q,)) for _ in range(3)]
    for p in ps:
        p.start()
    got = [q.get() for _ in ps]
    for p in ps:
        p.join()
    print(len({g.get("_yaml") for g in got}), len({g.get("libyaml") for g in got}))
"""


# A parent that closes every descriptor it did not open itself (as a daemon
# does) and reuses the numbers for files of its own, then spawns a worker
# that loads an extension module: the worker must not take those files for
# the memory files the parent offered (CRYO_MEMFD still lists the numbers).
CLOSED_FDS = """
import multiprocessing as mp
import os
import tempfile


def load(q):
    import yaml._yaml as y
    q.put(y.get_version_string())


if __name__ == "__main__":
    os.closerange(3, 256)
    held = [tempfile.TemporaryFile() for _ in range(64)]
    for f in held:
        f.write(b"not a memory file")
        f.flush()
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=load, args=(q,))
    p.start()
    print(len(q.get()) > 0)
    p.join()
    print(p.exitcode)
"""


class Ctx:
    def __init__(self, cryo, work):
        self.work = work
        self.libpython = L.libpython_of(cryo)
        self.yaml = os.path.join(work, "tp_yaml")
        self.hello = os.path.join(work, "hello")
        self.spawn = os.path.join(work, "spawn_child")
        self.siblings = os.path.join(work, "siblings")
        self.closed_fds = os.path.join(work, "closed_fds")
        for path, text in ((self.spawn, SPAWN_CHILD), (self.siblings, SIBLINGS),
                           (self.closed_fds, CLOSED_FDS)):
            with open(path + ".py", "w") as f:
                f.write(text)
        for src, exe in ((os.path.join(L.PROGRAMS_DIR, "tp_yaml.py"), self.yaml),
                         (os.path.join(L.PROGRAMS_DIR, "hello.py"), self.hello),
                         (self.spawn + ".py", self.spawn),
                         (self.siblings + ".py", self.siblings),
                         (self.closed_fds + ".py", self.closed_fds)):
            r = L.freeze(cryo, src, exe)
            if r.returncode != 0:
                raise SystemExit(f"cannot freeze {src}: {L.text(r.stderr)}")
        ref = L.run([L.REFERENCE_PYTHON, os.path.join(L.PROGRAMS_DIR, "tp_yaml.py")],
                    env=L.clean_env(), cwd=work)
        self.expected = ref.stdout

    def cache(self, name):
        d = os.path.join(self.work, "cache-" + name)
        os.makedirs(d)
        return d

    def run(self, exe, cache, extra_env=None, **kw):
        env = L.clean_env({"XDG_CACHE_HOME": cache, **(extra_env or {})})
        return L.run([exe], env=env, cwd=self.work, **kw)


def native_dir(cache):
    return os.path.join(cache, "cryo", "native")


def files_in(cache):
    d = native_dir(cache)
    if not os.path.isdir(d):
        return {}
    return {n: os.stat(os.path.join(d, n)) for n in sorted(os.listdir(d))}


def cached_objects(cache):
    return [n for n in files_in(cache) if not n.endswith(".stamp") and not n.startswith(".")]


def check_output(ctx, r, what):
    if r.returncode != 0 or r.stdout != ctx.expected:
        return [f"{what}: status {r.returncode}, stdout differs from python3.11's:\n"
                + L.indent(L.text(r.stdout) + L.text(r.stderr))]
    return []


def case_writes_once_then_reuses(ctx):
    cache = ctx.cache("once")
    p = check_output(ctx, ctx.run(ctx.yaml, cache), "first run")
    objs = cached_objects(cache)
    # With Debian's libpython the standard library's extension modules are
    # native files too (and OpenSSL's provider modules with them).
    want = {"_yaml.cpython-311-x86_64-linux-gnu.so", "libyaml-0.so.2"}
    got = {o.split("-", 2)[2] for o in objs if o.count("-") >= 2}
    if not want <= got or (ctx.libpython == "cryo" and len(objs) != 2):
        p.append(f"first run cached {objs}")
    d = native_dir(cache)
    mode = os.stat(d).st_mode & 0o777
    if mode != 0o700:
        p.append(f"{d} has mode {oct(mode)}, not 0700")
    before = files_in(cache)
    for i in range(2):
        p += check_output(ctx, ctx.run(ctx.yaml, cache), f"run {i + 2}")
    after = files_in(cache)
    for n, st in before.items():
        a = after.get(n)
        if not a or (a.st_ino, a.st_mtime_ns, a.st_ctime_ns) != (st.st_ino, st.st_mtime_ns,
                                                                  st.st_ctime_ns):
            p.append(f"{n} was written again by a later run")
    if set(after) != set(before):
        p.append(f"later runs changed the cache: {sorted(set(after) ^ set(before))}")
    return p


def case_replaces_a_damaged_file(ctx):
    cache = ctx.cache("damaged")
    p = check_output(ctx, ctx.run(ctx.yaml, cache), "first run")
    lib = [n for n in cached_objects(cache) if "libyaml" in n][0]
    path = os.path.join(native_dir(cache), lib)
    os.chmod(path, 0o700)
    with open(path, "r+b") as f:
        f.seek(4096)
        b = f.read(1)
        f.seek(4096)
        f.write(bytes([b[0] ^ 0xFF]))
    os.chmod(path, 0o500)
    p += check_output(ctx, ctx.run(ctx.yaml, cache), "run after damage")
    with open(path, "rb") as f:
        f.seek(4096)
        if f.read(1) != b:
            p.append("the damaged file was not replaced")
    return p


def case_concurrent_first_runs(ctx):
    cache = ctx.cache("concurrent")
    env = L.clean_env({"XDG_CACHE_HOME": cache})
    procs = [subprocess.Popen([ctx.yaml], env=env, cwd=ctx.work, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(4)]
    p = []
    for i, pr in enumerate(procs):
        out, err = pr.communicate(timeout=60)
        if pr.returncode != 0 or out != ctx.expected:
            p.append(f"run {i}: status {pr.returncode}: {L.text(err)}")
    objs = cached_objects(cache)
    bases = [o.split("-", 2)[-1] for o in objs]
    if len(set(bases)) != len(bases) or (ctx.libpython == "cryo" and len(objs) != 2):
        p.append(f"four first runs left {objs}")
    temps = [n for n in files_in(cache) if n.startswith(".tmp")]
    if temps:
        p.append(f"temporary files left: {temps}")
    p += check_output(ctx, ctx.run(ctx.yaml, cache), "run after them")
    return p


def case_killed_first_run(ctx):
    cache = ctx.cache("killed")
    env = L.clean_env({"XDG_CACHE_HOME": cache})
    p = []
    # Kill first runs at several moments of their life; whatever they left,
    # the next run must work.
    for delay in (0.001, 0.005, 0.01, 0.02):
        pr = subprocess.Popen([ctx.yaml], env=env, cwd=ctx.work, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        time.sleep(delay)
        pr.send_signal(signal.SIGKILL)
        pr.wait()
        p += check_output(ctx, ctx.run(ctx.yaml, cache), f"run after a kill at {delay}s")
        shutil.rmtree(native_dir(cache), ignore_errors=True)
    return p


def case_memory_mode_writes_nothing(ctx):
    cache = ctx.cache("memory")
    p = check_output(ctx, ctx.run(ctx.yaml, cache, {"CRYO_NATIVE": "memory"}), "memory run")
    if files_in(cache):
        p.append(f"CRYO_NATIVE=memory wrote {list(files_in(cache))}")
    r = ctx.run(ctx.yaml, cache, {"CRYO_NATIVE": "bogus"})
    want = b"cryo: warning: CRYO_NATIVE='bogus' is not one of auto, cache, memory; using the default, auto\n"
    if r.returncode != 0 or r.stdout != ctx.expected or r.stderr != want:
        p.append(f"CRYO_NATIVE=bogus: status {r.returncode}, stderr {L.text(r.stderr)!r}")
    return p


def case_memory_files_shared_with_spawned_children(ctx):
    cache = ctx.cache("memshare")
    r = ctx.run(ctx.spawn, cache, {"CRYO_NATIVE": "memory", "CRYO_DEBUG": "1"})
    p = []
    if r.returncode != 0 or r.stdout != b"True\n":
        p.append(f"status {r.returncode}, stdout {r.stdout!r}: {L.text(r.stderr)[-800:]}")
    shared = [l for l in L.text(r.stderr).splitlines() if "native files: sharing" in l]
    # _yaml and libyaml, opened from the parent (with Debian's libpython, the
    # standard library's extension modules too)
    if len(shared) < 2 or (ctx.libpython == "cryo" and len(shared) != 2):
        p.append(f"the child shared {len(shared)} memory files:\n"
                 + L.indent(L.text(r.stderr)[-1500:]))
    if files_in(cache):
        p.append("memory mode wrote to the cache")
    return p


def case_memory_files_shared_between_siblings(ctx):
    """Workers whose parent never loads the module hold one copy between
    them: the parent offers empty memory files, the first worker fills
    one, the others use it (and a worker killed while filling would leave
    it unsealed, to be filled again)."""
    cache = ctx.cache("memsiblings")
    ref = L.run([L.REFERENCE_PYTHON, ctx.siblings + ".py"], env=L.clean_env(), cwd=ctx.work)
    r = ctx.run(ctx.siblings, cache, {"CRYO_NATIVE": "memory", "CRYO_DEBUG": "1"})
    p = []
    if ref.returncode != 0 or r.returncode != ref.returncode or r.stdout != ref.stdout:
        p.append(f"python3.11: {ref.returncode} {ref.stdout!r}; frozen: status "
                 f"{r.returncode}, stdout {r.stdout!r}: {L.text(r.stderr)[-1500:]}")
    if files_in(cache):
        p.append("memory mode wrote to the cache")
    return p


def case_memory_files_the_parent_closed_are_not_trusted(ctx):
    """The offered descriptors were closed and their numbers reused for
    ordinary files: the worker sees they are not this program's memory
    files (their /proc names), makes its own copy, and works."""
    cache = ctx.cache("memclosed")
    ref = L.run([L.REFERENCE_PYTHON, ctx.closed_fds + ".py"], env=L.clean_env(), cwd=ctx.work)
    r = ctx.run(ctx.closed_fds, cache, {"CRYO_NATIVE": "memory", "CRYO_DEBUG": "1"})
    p = []
    if ref.returncode != 0 or r.returncode != 0 or r.stdout != ref.stdout:
        p.append(f"python3.11: {ref.returncode} {ref.stdout!r}; frozen: status "
                 f"{r.returncode}, stdout {r.stdout!r}: {L.text(r.stderr)[-1500:]}")
    if b"not one of this program's memory files" not in r.stderr:
        p.append("CRYO_DEBUG=1 does not say a listed descriptor was refused:\n"
                 + L.indent(L.text(r.stderr)[-1500:]))
    return p


def case_unsafe_cache_is_not_used(ctx):
    p = []
    cache = ctx.cache("loose")
    os.makedirs(native_dir(cache))
    os.chmod(native_dir(cache), 0o777)
    p += check_output(ctx, ctx.run(ctx.yaml, cache), "run with a world-writable cache")
    if cached_objects(cache):
        p.append("a world-writable cache directory was used")
    # The next usable place (no home here: a private directory in TMPDIR)
    # is used instead.
    tmp = os.path.join(ctx.work, "tmp-loose")
    os.makedirs(tmp)
    p += check_output(ctx, ctx.run(ctx.yaml, cache, {"CRYO_NATIVE": "cache", "TMPDIR": tmp,
                                                    "HOME": "/nonexistent-cryo-home"}),
                      "CRYO_NATIVE=cache with a world-writable cache")
    if cached_objects(cache):
        p.append("CRYO_NATIVE=cache used a world-writable cache directory")
    fallback = os.path.join(tmp, "cryo-%d" % os.geteuid(), "native")
    if not os.path.isdir(fallback) or not os.listdir(fallback):
        p.append(f"the fallback {fallback} was not used")
    if os.geteuid() == 0:
        other = ctx.cache("other")
        os.makedirs(native_dir(other))
        for d in (os.path.join(other, "cryo"), native_dir(other)):
            os.chown(d, 65534, 65534)
        p += check_output(ctx, ctx.run(ctx.yaml, other), "run with another user's cache")
        if cached_objects(other):
            p.append("another user's cache directory was used")
    return p


def case_noexec_tmp_falls_back_to_memory(ctx):
    """The only writable place a noexec /tmp (a hardened container): no
    cache can serve there (a mapped library must be executable), so the
    default mode loads from memory files and the program runs, and
    CRYO_DEBUG says why no cache was used."""
    tmp = os.path.join(ctx.work, "noexec-tmp")
    os.makedirs(tmp)
    with L.tmpfs(tmp, "size=64m,noexec"):
        env = {"TMPDIR": tmp, "HOME": "/nonexistent-cryo-home", "XDG_RUNTIME_DIR": ""}
        p = check_output(ctx, ctx.run(ctx.yaml, tmp, env), "run with only a noexec /tmp")
        written = [os.path.join(d, f) for d, _, fs in os.walk(tmp) for f in fs]
        natives = [w for w in written if "/native/" in w]
        if natives:
            p.append(f"native files were written to a noexec directory: {natives[:3]}")
        r = ctx.run(ctx.yaml, tmp, {**env, "CRYO_DEBUG": "1"})
        if b"mounted noexec" not in r.stderr or b"using memory files" not in r.stderr:
            p.append("CRYO_DEBUG=1 does not say the noexec cache was refused and memory "
                     f"files used: {L.text(r.stderr)[-600:]!r}")
        return p


def case_program_without_natives_writes_only_its_verdict(ctx):
    """A program without third-party natives writes one thing: the stamp
    that says its file was verified (bootloader/guard.c), one small file;
    a second run finds it and writes nothing more."""
    cache = ctx.cache("hello")
    p = []
    for run in (1, 2):
        r = ctx.run(ctx.hello, cache)
        if r.returncode != 0:
            p.append(f"hello run {run}: status {r.returncode}")
        written = sorted(os.path.relpath(os.path.join(d, f), cache)
                         for d, _, fs in os.walk(cache) for f in fs)
        if len(written) != 1 or not written[0].startswith("cryo/verified/"):
            p.append(f"hello run {run} wrote {written}")
    return p


CASES = [(f.__name__[5:], f) for f in (
    case_writes_once_then_reuses, case_replaces_a_damaged_file, case_concurrent_first_runs,
    case_killed_first_run, case_memory_mode_writes_nothing,
    case_memory_files_shared_with_spawned_children, case_memory_files_shared_between_siblings,
    case_memory_files_the_parent_closed_are_not_trusted, case_unsafe_cache_is_not_used,
    case_program_without_natives_writes_only_its_verdict, case_noexec_tmp_falls_back_to_memory)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("filters", nargs="*")
    ap.add_argument("--cryo", default=os.environ.get("CRYO", L.DEFAULT_CRYO))
    opts = ap.parse_args()
    L.check_cryo(opts.cryo)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="cryo-native-cache-") as work:
        os.chmod(work, 0o755)
        ctx = Ctx(opts.cryo, work)
        for name, fn in CASES:
            if opts.filters and not any(f in name for f in opts.filters):
                continue
            problems = fn(ctx)
            if problems:
                failed += 1
                print(f"FAIL {name}")
                for pr in problems:
                    print(L.indent(pr))
            else:
                passed += 1
                print(f"PASS {name}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
