#!/usr/bin/python3.11
"""cryo's benchmarks: frozen programs against python3.11 measured in the same run.

usage: /usr/bin/python3.11 tools/bench.py [--suite foundation|gc|all] [--cryo PATH]
           [--runs N] [--out FILE] [--gc-runs N] [--gc-only TEXT] [--gc-out FILE] [--quick]

Two suites (tools/README.md says more about each):

foundation (the default): build time, size, startup and memory. It freezes
tools/bench_programs/hello.py and stdlib40.py with cryo, then runs the frozen programs and
`python3.11 PROGRAM` (and `python3.11 -I -S PROGRAM`) interleaved, round after round, in an
order shuffled per round (these machines are shared and noisy: a slow moment hits every
variant alike). It prints one table (figure, frozen, python, ratio, bar, result) and writes
the same, with the spread of every figure, as Markdown to --out.
  build   wall time of `cryo build`, cold (CRYO_CACHE_DIR = a fresh empty directory, no
          previous output) and warm (the same cache and output path, right after).
  size    the frozen file's size in bytes.
  startup wall time from posix_spawn() to wait4() of the program (stdout to /dev/null).
  memory  what a container pays: for every process of the tree, its peak RSS (VmHWM, read
          when the process stops at exit under ptrace), summed, plus the bytes of memory
          files (memfd) still held at exit and not resident in any mapping.

gc (issue 8): the allocator and the collector. It freezes the workloads
tools/bench_programs/gc_*.py twice, with cryo's defaults and with `--allocator=python
--gc=python`, and runs both and `python3.11 WORKLOAD` interleaved, each run under ptrace:
wall and CPU time and peak memory of the tree from one run; RSS at named points and the
collections with their pauses as the workload reports them (gc_probe.py). It prints one
table of ratios against python3.11 and against that build, with issue 8's bars, and writes
it as Markdown to --gc-out.

Nothing from ../shared is imported: the harness stands alone (../shared/tools has the
reference meters it is cross-checked against, by hand).
"""
import argparse
import ctypes
import glob
import math
import os
import random
import re
import resource
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROGRAMS = os.path.join(ROOT, "tools", "bench_programs")
# Debian's interpreter, never the first python3 on PATH (a different, non-Debian build).
PYTHON = "/usr/bin/python3.11"
MB = 1000 * 1000          # file sizes are in MB (10^6 bytes), as `cryo build` prints them;
                          # memory is in MiB (the kernel counts KiB)
PROGRAM_NAMES = ("hello", "stdlib40")


def log(msg):
    print("bench: " + msg, file=sys.stderr, flush=True)


def child_env(extra=None):
    """The environment programs run in: ours without PYTHON* and CRYO_* variables, so that
    python3.11 runs as a user's would (PYTHONUNBUFFERED, PYTHONDONTWRITEBYTECODE... are set
    on these machines) and no debug switch of cryo's is on by accident."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("PYTHON") and not k.startswith("CRYO_")}
    env.update(extra or {})
    return env


# --- timing: posix_spawn + wait4 -------------------------------------------------------

def spawn_wait(argv, env, stdout="/dev/null"):
    """Run argv to completion with stdin and stderr on /dev/null; return (wall seconds,
    wait status, rusage). Wall time is taken around posix_spawn() and wait4(): the same
    harness overhead for every variant, and no shell or /usr/bin/time in between."""
    actions = [(os.POSIX_SPAWN_OPEN, 0, "/dev/null", os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, stdout, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
               (os.POSIX_SPAWN_DUP2, 1, 2)]
    t0 = time.perf_counter_ns()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=actions)
    _, status, ru = os.wait4(pid, 0)
    return (time.perf_counter_ns() - t0) / 1e9, status, ru


def exit_code(status):
    return os.waitstatus_to_exitcode(status)


# --- memory: ptrace exit stops ----------------------------------------------------------
#
# Why not ru_maxrss from wait4() of a child we start? Linux carries a process's peak RSS
# across execve(): a child forked or posix_spawn()ed by this (large) Python process starts
# with the harness's own peak, so a 9 MB program reports 50+ MB when the harness is big
# (/usr/bin/time avoids it by being small). VmHWM in /proc/PID/status is the peak of the
# *current* image only, the figure ru_maxrss takes from it at exit. We read it when the
# process stops at exit (PTRACE_EVENT_EXIT: before its memory and files are released), for
# every process and thread of the tree (fork, vfork and clone are followed), and look at
# its open files and mappings there for memory files. One difference remains: the kernel
# keeps RSS in per-CPU counters; /proc sums them exactly (Linux 6.x), while the rusage path
# reads the approximate total. When a program's peak is its RSS at exit (hello world),
# VmHWM can exceed ru_maxrss by up to a few hundred KiB (measured: 30-190 KiB here).

PTRACE_TRACEME, PTRACE_CONT = 0, 7
PTRACE_SETOPTIONS, PTRACE_GETEVENTMSG = 0x4200, 0x4201
PTRACE_O_TRACEFORK, PTRACE_O_TRACEVFORK, PTRACE_O_TRACECLONE = 0x02, 0x04, 0x08
PTRACE_O_TRACEEXEC, PTRACE_O_TRACEEXIT, PTRACE_O_EXITKILL = 0x10, 0x40, 0x100000
EV_FORK, EV_VFORK, EV_CLONE, EV_EXEC, EV_EXIT = 1, 2, 3, 4, 6
WALL = 0x40000000         # __WALL: report threads and non-children we trace

_libc = ctypes.CDLL(None, use_errno=True)
_libc.ptrace.restype = ctypes.c_long
_libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]


def _ptrace(req, pid, addr=None, data=None):
    if _libc.ptrace(req, pid, addr, data) == -1:
        err = ctypes.get_errno()
        raise OSError(err, "ptrace(%#x, %d): %s" % (req, pid, os.strerror(err)))


class TreeMemory:
    """Memory of one run of a process tree, as a container pays it.

    hwm_kib      {tgid: peak RSS in KiB (VmHWM at exit)}; a process that execs counts its
                 last image (the image before exec is a copy of its parent's, shared).
    memfd        {(dev, inode): [allocated bytes, largest resident bytes in one process]}
    total_kib    sum of hwm_kib + the memory-file bytes not resident in a mapping.
    Pages shared between processes of the tree count once per process, as summed RSS does;
    a memory file closed and unmapped before exit is gone and does not count.
    """

    def __init__(self):
        self.hwm_kib = {}
        self.memfd = {}
        self.status = None
        self.wall = self.cpu = None              # seconds (run_traced)
        self.timed_out = False

    @property
    def procs(self):
        return len(self.hwm_kib)

    @property
    def memfd_unmapped_kib(self):
        return sum(max(0, alloc - res) for alloc, res in self.memfd.values()) // 1024

    @property
    def total_kib(self):
        return sum(self.hwm_kib.values()) + self.memfd_unmapped_kib

    def sample(self, tid):
        """Called while thread tid is stopped at exit: its memory and files still exist."""
        tgid = hwm = None
        try:
            with open("/proc/%d/status" % tid) as f:
                for line in f:
                    if line.startswith("Tgid:"):
                        tgid = int(line.split()[1])
                    elif line.startswith("VmHWM:"):
                        hwm = int(line.split()[1])
        except OSError:
            return
        if tgid is None or hwm is None:          # a kernel thread, or memory already gone
            return
        self.hwm_kib[tgid] = max(hwm, self.hwm_kib.get(tgid, 0))
        self._scan_memfds(tid)

    def _scan_memfds(self, tid):
        resident = {}                            # (dev, inode) -> resident bytes here
        fds = "/proc/%d/fd" % tid
        try:
            names = os.listdir(fds)
        except OSError:
            names = []
        for fd in names:
            try:
                if not os.readlink("%s/%s" % (fds, fd)).startswith("/memfd:"):
                    continue
                st = os.stat("%s/%s" % (fds, fd))
            except OSError:
                continue
            self._memfd_entry(st.st_dev, st.st_ino, st.st_blocks * 512)
        key = None
        try:
            with open("/proc/%d/smaps" % tid) as f:
                for line in f:
                    head = line.split(None, 5)
                    if "-" in head[0] and len(head) >= 5 and not head[0].endswith(":"):
                        key = None
                        if len(head) == 6 and head[5].startswith("/memfd:"):
                            key = self._memfd_of_mapping(tid, head)
                    elif key is not None and head[0] == "Rss:":
                        resident[key] = resident.get(key, 0) + int(head[1]) * 1024
        except OSError:
            pass
        for key, nbytes in resident.items():
            entry = self.memfd.setdefault(key, [nbytes, 0])
            entry[1] = max(entry[1], nbytes)

    def _memfd_of_mapping(self, tid, head):
        try:                                     # the file behind a mapping (needs root)
            st = os.stat("/proc/%d/map_files/%s" % (tid, head[0]))
            self._memfd_entry(st.st_dev, st.st_ino, st.st_blocks * 512)
            return (st.st_dev, st.st_ino)
        except OSError:                          # size unknown: counts as resident
            major, minor = (int(x, 16) for x in head[3].split(":"))
            return (os.makedev(major, minor), int(head[4]))

    def _memfd_entry(self, dev, ino, allocated):
        entry = self.memfd.setdefault((dev, ino), [0, 0])
        entry[0] = max(entry[0], allocated)


def run_traced(argv, env, stdout="/dev/null", stderr="/dev/null", timeout=None):
    """Run argv under ptrace with stdin on /dev/null and stdout, stderr to the files named;
    return its TreeMemory, with the run's wall and CPU time. After timeout seconds (if
    given) every process of the tree is killed and mem.timed_out is set.

    wall: from fork() to the moment the first process is reaped, less the time spent
    reading /proc at exit stops. Between those events the tracees run untouched (no syscall
    or signal tracing: a program that starts no process or thread and gets no signal stops
    once, at its exit). cpu: user + system time of the processes reaped meanwhile, with
    their own reaped children (RUSAGE_CHILDREN before and after)."""
    mem = TreeMemory()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    pid = os.fork()
    if pid == 0:                                 # child: no Python-level cleanup, ever
        try:
            null = os.open("/dev/null", os.O_RDWR)
            os.dup2(null, 0)
            for fd, path in ((1, stdout), (2, stderr)):
                os.dup2(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644), fd)
            if _libc.ptrace(PTRACE_TRACEME, 0, None, None) == -1:
                os._exit(125)
            os.kill(os.getpid(), signal.SIGSTOP)  # wait for the tracer's options
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    _, status = os.waitpid(pid, 0)
    if not os.WIFSTOPPED(status):
        raise OSError("cannot trace %s (exit status %d): is ptrace allowed here?"
                      % (argv[0], exit_code(status)))
    _ptrace(PTRACE_SETOPTIONS, pid, None, PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK
            | PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT | PTRACE_O_EXITKILL)
    _ptrace(PTRACE_CONT, pid, None, None)
    live = {pid}
    fresh = set()        # announced by a fork event; their first SIGSTOP is the attach stop
    early = set()        # stopped before their parent's fork event reached us
    msg = ctypes.c_ulong()

    def expire(signum, frame):                   # a hung program: kill the tree, reap it
        mem.timed_out = True
        for t in list(live):
            try:
                os.kill(t, signal.SIGKILL)
            except OSError:
                pass
    if timeout:
        previous = signal.signal(signal.SIGALRM, expire)
        signal.setitimer(signal.ITIMER_REAL, timeout)
    try:
        _trace_loop(mem, pid, live, fresh, early, msg, t0)
    finally:
        if timeout:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    mem.cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    return mem


def _trace_loop(mem, pid, live, fresh, early, msg, t0):
    """run_traced's event loop: follow the tree until its last process is reaped."""
    sampling = 0.0
    while live:
        tid, status, _ = os.wait4(-1, WALL)
        if os.WIFEXITED(status) or os.WIFSIGNALED(status):
            live.discard(tid)
            if tid == pid:
                mem.status = status
                mem.wall = time.perf_counter() - t0 - sampling
            continue
        if not os.WIFSTOPPED(status):
            continue
        sig, event, deliver = os.WSTOPSIG(status), status >> 16, 0
        if sig == signal.SIGTRAP and event:
            if event == EV_EXIT:
                t = time.perf_counter()
                mem.sample(tid)
                sampling += time.perf_counter() - t
            elif event in (EV_FORK, EV_VFORK, EV_CLONE):
                try:
                    _ptrace(PTRACE_GETEVENTMSG, tid, None, ctypes.addressof(msg))
                except OSError:                  # killed meanwhile: the child, if any,
                    continue                     # shows up as an unknown stop below
                new = msg.value
                live.add(new)
                if new in early:
                    early.discard(new)
                else:
                    fresh.add(new)
        elif tid not in live:                    # a new tracee's attach stop, seen first
            live.add(tid)
            early.add(tid)
        elif sig == signal.SIGSTOP and tid in fresh:
            fresh.discard(tid)
        else:
            deliver = sig                        # a real signal: pass it on
        try:
            _ptrace(PTRACE_CONT, tid, None, deliver)
        except OSError:                          # killed meanwhile (SIGKILL, exit_group)
            pass


# --- building -----------------------------------------------------------------------------

def cryo_build(cryo, src, out, options, cache, logf):
    """`cryo build SRC -o OUT OPTIONS...` with CRYO_CACHE_DIR=cache, cryo's output in logf.
    Returns (wall, cpu, retries) or raises RuntimeError with the end of cryo's message.

    cryo and the libraries it links are rebuilt by other people while we run: a moment
    where cryo cannot be executed (ETXTBSY, EACCES), or a build that fails, gets two more
    chances, 2 s apart."""
    argv = [cryo, "build", src, "-o", out] + list(options)
    env = child_env({"CRYO_CACHE_DIR": cache})
    name = os.path.basename(out)
    retries = 0
    for attempt in range(3):
        try:
            wall, status, ru = spawn_wait(argv, env, stdout=logf)
        except OSError as e:
            if attempt == 2:
                raise RuntimeError("cannot run %s: %s" % (cryo, e.strerror))
            status = None
        if status is not None and exit_code(status) == 0:
            break
        if attempt < 2:
            log("build %s failed, trying again in 2 s" % name)
            retries += 1
            time.sleep(2)
    if exit_code(status) != 0:
        with open(logf, errors="replace") as f:
            tail = f.read().strip().splitlines()[-15:]
        raise RuntimeError("`cryo build %s` failed (exit %d):\n  %s"
                           % (" ".join([os.path.basename(src)] + list(options)),
                              exit_code(status), "\n  ".join(tail)))
    return wall, ru.ru_utime + ru.ru_stime, retries


def cryo_version(cryo):
    """cryo's --version line and the file's mtime: other people rebuild it while we run."""
    try:
        p = subprocess.run([cryo, "--version"], capture_output=True, text=True)
        version = (p.stdout or p.stderr).strip()
    except OSError as e:
        version = "--version failed: %s" % e.strerror
    try:
        return version, os.stat(cryo).st_mtime
    except OSError:
        return version, None


def stamp(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t)) if t else "?"


# --- statistics and formatting ----------------------------------------------------------

def med(xs):
    return statistics.median(xs)


def quartiles(xs):
    if len(xs) < 2:
        return xs[0], xs[0]
    q = statistics.quantiles(xs, n=4, method="inclusive")
    return q[0], q[2]


def fmt_s(x):
    return "%.2f s" % x


def fmt_ms(x):
    return "%.2f ms" % (x * 1e3)


def fmt_mib(kib):
    return "%.2f MiB" % (kib / 1024)


class Row:
    def __init__(self, figure, frozen, python="—", ratio=None, bar="—", ok=None):
        self.figure, self.frozen, self.python = figure, frozen, python
        self.ratio, self.bar, self.ok = ratio, bar, ok

    def cells(self):
        ratio = "—" if self.ratio is None else "%.3f" % self.ratio
        result = "info" if self.ok is None else ("PASS" if self.ok else "FAIL")
        return [self.figure, self.frozen, self.python, ratio, self.bar, result]


HEADER = ["figure", "frozen", "python", "ratio", "bar", "result"]


def publish(table, notes, out, markdown):
    """Print a suite's table and notes, and write its Markdown report."""
    print(table)
    for n in notes:
        print("\nnote: " + n.replace("`", "").replace("**", ""))
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        f.write(markdown)
    log("wrote %s" % out)


def text_table(rows, header=HEADER, left=1):
    """rows: Row objects or lists of cells; the first `left` columns are left-aligned."""
    table = [header] + [r.cells() if isinstance(r, Row) else r for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    lines = []
    for n, r in enumerate(table):
        lines.append("  ".join(c.ljust(w) if i < left else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def md_table(header, rows, right=True, left=1):
    """right: numbers right-aligned after the first `left` columns; else all left-aligned."""
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---:" if i >= left and right else "---"
                          for i in range(len(header))) + "|"]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(out)


# --- the benchmark ----------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.cryo = os.path.abspath(args.cryo)
        self.out = os.path.abspath(args.out)
        self.work = os.path.join(os.path.dirname(self.out), "work")
        quick = args.quick
        self.start_rounds = args.runs or (10 if quick else 100)
        self.mem_rounds = max(3, self.start_rounds // 4)
        self.build_rounds = max(1, min(5, self.start_rounds // 12))
        self.cold_rounds = max(1, min(3, self.start_rounds // 20))
        self.rng = random.Random(1)              # the same shuffles every run
        self.rows, self.spread, self.notes = [], [], []
        self.env = child_env()
        self.retries = 0
        self.programs = list(PROGRAM_NAMES)      # those that froze and run correctly

    def src(self, name):
        return os.path.join(PROGRAMS, name + ".py")

    def exe(self, name):
        return os.path.join(self.work, name)

    def variants(self, name):
        """The commands compared for one program: frozen first, then the baselines."""
        return {"frozen": [self.exe(name)],
                "python -I -S": [PYTHON, "-I", "-S", self.src(name)],
                "python": [PYTHON, self.src(name)]}

    # 1. build time and 2. size

    def build(self, name, cache, out=None):
        """One `cryo build`; returns (wall, cpu) seconds or raises with cryo's message."""
        wall, cpu, retries = cryo_build(self.cryo, self.src(name), out or self.exe(name), [],
                                        cache, os.path.join(self.work, name + ".build.log"))
        self.retries += retries
        return wall, cpu

    def measure_builds(self):
        cold, warm, cold_cpu, warm_cpu, cache_files = [], [], [], [], []
        for i in range(max(self.build_rounds, self.cold_rounds)):
            cache = tempfile.mkdtemp(prefix="cryo-bench-cache-")
            try:
                if os.path.exists(self.exe("hello")):
                    os.unlink(self.exe("hello"))
                w, c = self.build("hello", cache)
                n = sum(len(files) for _, _, files in os.walk(cache))
                msg = "build hello %d: cold %.2f s" % (i + 1, w)
                if i < self.cold_rounds:
                    cold.append(w); cold_cpu.append(c); cache_files.append(n)
                if i < self.build_rounds:
                    w, c = self.build("hello", cache)
                    warm.append(w); warm_cpu.append(c)
                    msg += ", warm %.2f s" % w
            finally:
                shutil.rmtree(cache, ignore_errors=True)
            log(msg)
        self.rows.append(Row("build hello, cold cache", fmt_s(med(cold))))
        self.rows.append(Row("build hello, warm cache", fmt_s(med(warm)),
                             bar="< 0.3 s", ok=med(warm) < 0.3))
        self.spread.append(["build hello, cold cache", "%d runs" % len(cold),
                            "min %.2f s, max %.2f s; CPU %.2f s (median); %d file(s) in the "
                            "cache after the build" % (min(cold), max(cold), med(cold_cpu),
                                                       int(med(cache_files)))])
        self.spread.append(["build hello, warm cache", "%d runs" % len(warm),
                            "min %.2f s, max %.2f s; CPU %.2f s (median)"
                            % (min(warm), max(warm), med(warm_cpu))])
        if max(cache_files) == 0:
            self.notes.append("The cold build left CRYO_CACHE_DIR empty: this cryo does not "
                              "cache compiled modules yet, so cold and warm builds do the "
                              "same work.")
        # stdlib40 is built once, with its own cold cache (its time is not a figure).
        cache = tempfile.mkdtemp(prefix="cryo-bench-cache-")
        try:
            w, _ = self.build("stdlib40", cache)
            log("build stdlib40: %.2f s" % w)
        except RuntimeError as e:
            self.drop("stdlib40", str(e))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        for name, bar in (("hello", 12 * MB), ("stdlib40", None)):
            if name not in self.programs:
                continue
            size = os.path.getsize(self.exe(name))
            self.rows.append(Row("size %s" % name, "%d B = %.2f MB" % (size, size / MB),
                                 bar="≤ 12 MB" if bar else "—",
                                 ok=(size <= bar) if bar else None))

    def drop(self, name, why):
        """A program that does not freeze or run correctly: say so, measure the others."""
        log(why)
        self.programs.remove(name)
        self.rows.append(Row("%s: frozen program" % name, "failed", bar="works", ok=False))
        self.notes.append("**%s is not measured:** %s" % (name, why.replace("\n", " ")))

    def check_outputs(self):
        """Each variant must run, exit 0 and print what python3.11 prints: a broken freeze
        must not turn into a fast figure."""
        for name in list(self.programs):
            outs = {}
            for label, argv in self.variants(name).items():
                p = subprocess.run(argv, env=self.env, stdin=subprocess.DEVNULL,
                                   capture_output=True, text=True, errors="replace")
                if p.returncode != 0:
                    self.drop(name, "`%s` exits %d: %s" % (" ".join(argv), p.returncode,
                                                         p.stderr.strip()[-1000:]))
                    break
                outs[label] = p.stdout
            else:
                if len(set(outs.values())) != 1:
                    self.drop(name, "the frozen program's output differs from python3.11's: %r"
                              % outs)

    # 3. startup

    def interleaved(self, commands, rounds, measure):
        """Run every command once per round, in an order shuffled per round, after one
        warm-up round; return {label: [value per round]}."""
        labels = list(commands)
        values = {label: [] for label in labels}
        for r in range(rounds + 1):
            order = labels[:]
            self.rng.shuffle(order)
            for label in order:
                v = measure(commands[label])
                if r:
                    values[label].append(v)
        return values

    def timed(self, argv):
        wall, status, _ = spawn_wait(argv, self.env)
        if exit_code(status) != 0:
            raise RuntimeError("%s exits %d" % (" ".join(argv), exit_code(status)))
        return wall

    def commands(self):
        return {(name, label): argv for name in self.programs
                for label, argv in self.variants(name).items()}

    def comparisons(self, bars):
        """(program, baseline, bar) for the programs still measured."""
        return [c for c in bars if c[0] in self.programs]

    def measure_startup(self):
        commands = self.commands()
        log("startup: %d interleaved rounds of %d commands" % (self.start_rounds, len(commands)))
        t = self.interleaved(commands, self.start_rounds, self.timed)
        for name, base, bar in self.comparisons((
                ("hello", "python -I -S", 0.9), ("hello", "python", None),
                ("stdlib40", "python -I -S", None), ("stdlib40", "python", None))):
            fz, py = t[(name, "frozen")], t[(name, base)]
            ratio = med(fz) / med(py)
            pairs = [a / b for a, b in zip(fz, py)]
            q1, q3 = quartiles(pairs)
            figure = "startup %s vs %s" % (name, base)
            self.rows.append(Row(figure, fmt_ms(med(fz)), fmt_ms(med(py)), ratio,
                                 bar="≤ %.1f" % bar if bar else "—",
                                 ok=(ratio <= bar) if bar else None))
            if bar and q1 <= bar <= q3:
                self.notes.append("%s: the per-pair ratios' IQR (%.3f–%.3f) contains the bar "
                                  "%.1f, so the verdict is within this machine's noise."
                                  % (figure, q1, q3, bar))
            fq, pq = quartiles(fz), quartiles(py)
            self.spread.append([figure, "%d pairs" % len(pairs),
                                "per-pair ratio median %.3f, IQR %.3f–%.3f; frozen IQR "
                                "%.2f–%.2f ms, python IQR %.2f–%.2f ms"
                                % (med(pairs), q1, q3, fq[0] * 1e3, fq[1] * 1e3,
                                   pq[0] * 1e3, pq[1] * 1e3)])

    # 4. memory

    def traced(self, argv):
        mem = run_traced(argv, self.env)
        if mem.status is None or exit_code(mem.status) != 0:
            raise RuntimeError("%s failed under ptrace (status %r)" % (" ".join(argv), mem.status))
        return mem

    def measure_memory(self):
        commands = self.commands()
        log("memory: %d interleaved rounds of %d commands" % (self.mem_rounds, len(commands)))
        m = self.interleaved(commands, self.mem_rounds, self.traced)
        for name, base, bar in self.comparisons((
                ("hello", "python -I -S", 1.0), ("hello", "python", 1.0),
                ("stdlib40", "python -I -S", None), ("stdlib40", "python", 1.0))):
            fz = [x.total_kib for x in m[(name, "frozen")]]
            py = [x.total_kib for x in m[(name, base)]]
            ratio = med(fz) / med(py)
            figure = "memory %s vs %s" % (name, base)
            self.rows.append(Row(figure, fmt_mib(med(fz)), fmt_mib(med(py)), ratio,
                                 bar="≤ 1.0" if bar else "—", ok=(ratio <= bar) if bar else None))
            last = m[(name, "frozen")][-1]
            self.spread.append([figure, "%d pairs" % len(fz),
                                "median frozen %d KiB, python %d KiB; frozen %d–%d KiB, python "
                                "%d–%d KiB; frozen: %d process(es), %d memfd(s), %d KiB not "
                                "mapped" % (med(fz), med(py), min(fz), max(fz), min(py), max(py),
                                            last.procs, len(last.memfd),
                                            last.memfd_unmapped_kib)])

    # report

    def cryo_version(self):
        return cryo_version(self.cryo)

    def header(self, started, elapsed, load0, load1):
        version, mtime = self.version
        if self.retries:
            self.notes.append("%d build(s) failed or could not start and were run again."
                              % self.retries)
        if self.cryo_version()[1] != mtime:
            self.notes.append("`%s` changed during this run (rebuilt by someone): the figures "
                              "may mix two versions of cryo." % self.cryo)
        return ["# cryo foundation benchmark", "",
                "- date: %s, %.0f s, on %s (%d CPUs), load %.2f → %.2f"
                % (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)), elapsed,
                   os.uname().nodename, os.cpu_count(), load0, load1),
                "- cryo: `%s` (%s, built %s)" % (self.cryo, version, time.strftime(
                    "%Y-%m-%d %H:%M:%S", time.localtime(mtime or 0))),
                "- python: `%s`; programs: `tools/bench_programs/`; frozen programs in `%s`"
                % (PYTHON, self.work),
                "- rounds: startup %d, memory %d, build warm %d / cold %d (interleaved, shuffled "
                "per round, one warm-up round); figures are medians, ratio = frozen / python"
                % (self.start_rounds, self.mem_rounds, self.build_rounds, self.cold_rounds), ""]

    def markdown(self, head):
        lines = head + [md_table(HEADER, [r.cells() for r in self.rows]), "", "## Spread", "",
                        md_table(["figure", "runs", "spread"], self.spread, right=False), ""]
        if self.notes:
            lines += ["## Notes", ""] + ["- " + n for n in self.notes] + [""]
        return "\n".join(lines)

    def run(self):
        started, load0 = time.time(), os.getloadavg()[0]
        self.version = self.cryo_version()
        os.makedirs(self.work, exist_ok=True)
        failed = None
        try:
            self.measure_builds()
            self.check_outputs()
            if self.programs:
                self.measure_startup()
                self.measure_memory()
        except (RuntimeError, OSError) as e:             # hello does not build; no ptrace
            failed = str(e)
            self.notes.append("**The run stopped early:** " + failed.replace("\n", " "))
        head = self.header(started, time.time() - started, load0, os.getloadavg()[0])
        publish(text_table(self.rows), self.notes, self.out, self.markdown(head))
        return 1 if failed or len(self.programs) < len(PROGRAM_NAMES) else 0


# --- the gc suite (issue 8): allocator and collector workloads --------------------------
#
# Each workload of tools/bench_programs/gc_*.py is frozen twice, with cryo's defaults and
# with the way back to CPython's allocator and collector policy; the two executables and
# `python3.11 WORKLOAD` are run interleaved, each run under ptrace (run_traced: the tree's
# peak memory, wall and CPU time in one run), in an order shuffled per round. The
# workloads report what only they can see (RSS at named points, collections and their
# pauses through gc.callbacks) on stderr, as "gcbench:" lines (gc_probe.py).

PY_WAY_BACK = ["--allocator=python", "--gc=python"]
RUN_TIMEOUT = 180        # seconds: a workload takes 1-10 s; a hung one is killed and reported
GC_VARIANTS = ("python", "frozen", "pyalloc")          # table column order
GC_VARIANT_TITLES = {"python": "python3.11", "frozen": "frozen",
                     "pyalloc": "frozen py-build"}
BASE_TITLES = {"python": "python", "pyalloc": "py-build"}
GC_HEADER = ["workload", "figure", "python3.11", "frozen", "frozen py-build",
             "÷ python", "÷ py-build", "bar", "result"]


class Workload:
    """One program of the gc suite.

    points   the RSS points (gc_probe.rss names) shown in the table
    bars     [(figure key, baseline variant, limit)]: frozen / baseline ≤ limit
    rounds   measured rounds, as a multiple of --gc-runs (the tight CPU bar gets more)
    program  the program in tools/bench_programs (default: name), and args its parameters:
             the shape matrix runs one program (gc_shapes.py) over many shapes
    A bar's limit may be GC_HEAVY_TIME: 0.75 where python3.11 spends more than a third of
    its CPU time in collections, else 1.0 (issue 12).
    """

    def __init__(self, name, points, bars, rounds=1, gc_figures=True, sections=False,
                 program=None, args=()):
        self.name, self.points, self.bars = name, points, bars
        self.rounds, self.gc_figures, self.sections = rounds, gc_figures, sections
        self.program, self.args = program or name, list(args)

    @property
    def title(self):
        return self.name[3:] if self.name.startswith("gc_") else self.name


GC_HEAVY_TIME = "gc-heavy"      # a bar limit that depends on python3.11's collection share


def shape(title, args, end_bar=False):
    """One point of the shape matrix (issue 12): gc_shapes.py with `args`.  Bars on every
    shape: CPU time (GC_HEAVY_TIME), peak RSS ≤ 1.1×, longest pause ≤ 0.75× python3.11's;
    and RSS at the end ≤ 0.6× for phased work where more than 90% of the objects die."""
    bars = [("cpu", "python", GC_HEAVY_TIME), ("peak", "python", 1.1),
            ("pausecpu", "python", 0.75)]
    if end_bar:
        bars.append(("rss:end", "python", 0.6))
    return Workload("shape " + title, ("end",), bars, program="gc_shapes", args=args)


GC_WORKLOADS = (
    Workload("gc_random_free", ("after-alloc", "after-free"),
             [("peak", "python", 1.0), ("rss:after-free", "python", 1.0),
              ("cpu", "pyalloc", 1.0)]),
    Workload("gc_phased", ("phase-0", "end"),
             [("rss:end", "python", 0.6), ("peak", "python", 1.0)]),
    Workload("gc_cyclic", ("end",),
             [("cpu", "python", 0.75), ("peak", "python", 1.1), ("pausecpu", "python", 1.0)]),
    Workload("gc_cpu", (), [("cpu", "pyalloc", 1.03)], rounds=2, gc_figures=False,
             sections=True),
    # The shape matrix (issue 12): structure size, objects with __dict__, __slots__ or a
    # weak-reference slot, containers of containers, the fraction kept, phases, and a
    # service with a 100 MB long-lived heap.
    shape("tree 1k dict keep 10%", ["shape=tree", "size=1000", "node=dict", "keep=0.1"]),
    shape("tree 30k weakslots keep 10%",
          ["shape=tree", "size=30000", "node=weakslots", "keep=0.1"]),
    shape("tree 30k slots keep 1%", ["shape=tree", "size=30000", "node=slots", "keep=0.01"]),
    shape("tree 30k dict keep 30%", ["shape=tree", "size=30000", "node=dict", "keep=0.3"]),
    shape("tree 100k weakslots keep 10%",
          ["shape=tree", "size=100000", "node=weakslots", "keep=0.1"]),
    shape("containers 30k keep 10%", ["shape=containers", "size=30000", "keep=0.1"]),
    shape("phased keep 0.5%", ["shape=phased", "keep=0.005"], end_bar=True),
    shape("phased keep 30%", ["shape=phased", "keep=0.3"]),
    shape("service 100 MB heap", ["shape=service", "size=2000", "heap_mb=100"]),
)


class Sample:
    """One run of one variant: the harness's figures and the workload's own report."""

    def __init__(self, mem, probe_text):
        self.wall, self.cpu, self.peak = mem.wall, mem.cpu, mem.total_kib
        self.rss, self.sections, self.gc, self.end = {}, {}, None, None
        for line in probe_text.splitlines():
            f = line.split()
            if len(f) < 2 or f[0] != "gcbench:":
                continue
            if f[1] == "rss" and len(f) == 4:
                self.rss[f[2]] = int(f[3])
            elif f[1] == "section" and len(f) == 5:
                self.sections[f[2]] = (float(f[3]), float(f[4]))
            elif f[1] == "gc" and len(f) == 9:
                self.gc = [int(x) for x in f[2:5]] + [float(x) for x in f[5:9]]
            elif f[1] == "end" and len(f) == 4:
                self.end = (float(f[2]), float(f[3]))
        if self.gc is None or self.end is None:
            raise ValueError("no 'gcbench: gc' and 'gcbench: end' lines on stderr")

    def value(self, key):
        """A figure by key (see GcBench.FIGURES); None if the workload did not report it."""
        n0, n1, n2, longest, total, longest_cpu, total_cpu = self.gc
        if key.startswith("rss:"):
            return self.rss.get(key[4:])
        if key.startswith("section:"):                       # its CPU time
            return self.sections.get(key[8:], (None, None))[1]
        return {"wall": self.wall, "cpu": self.cpu, "peak": self.peak, "pause": longest,
                "pausecpu": longest_cpu,
                "gcshare": total_cpu / self.end[1] if self.end[1] else None,
                "colls": n0 + n1 + n2, "full": n2}[key]


class GcBench:
    # key -> (figure name, cell format); RSS points and sections are added per workload
    FIGURES = {
        "wall": ("wall time", lambda v: "%.2f s" % v),
        "cpu": ("CPU time (user+sys, tree)", lambda v: "%.2f s" % v),
        "peak": ("peak RSS (tree)", lambda v: "%.1f MiB" % (v / 1024)),
        "pause": ("longest pause, by the clock", lambda v: "%.1f ms" % (v * 1e3)),
        "pausecpu": ("longest pause, CPU time", lambda v: "%.1f ms" % (v * 1e3)),
        "gcshare": ("CPU share in collections", lambda v: "%.0f%%" % (v * 100)),
        "colls": ("collections, all generations", lambda v: "%d" % v),
        "full": ("full collections", lambda v: "%d" % v),
    }

    def __init__(self, args):
        self.cryo = os.path.abspath(args.cryo)
        self.out = os.path.abspath(args.gc_out)
        self.work = os.path.join(os.path.dirname(self.out), "work", "gc")
        self.rounds = args.gc_runs or (1 if args.quick else 3)
        self.scale = 0.25 if args.quick else 1.0
        self.rng = random.Random(2)              # the same shuffles every run
        self.env = child_env()
        self.workloads = [w for w in GC_WORKLOADS
                          if not args.gc_only or args.gc_only in w.title]
        self.variants = ["python", "frozen"]     # "pyalloc" once cryo is seen to have it
        self.broken = {}                         # (workload, variant) -> why not measured
        self.samples = {}                        # (workload, variant) -> [Sample per round]
        self.stats_text = {}                     # (workload, variant) -> CRYO_STATS output
        self.rows, self.spread, self.notes = [], [], []
        self.retries = 0
        self.failed = False
        self.loads = []                          # 1-minute load average at each round
        self.libs_before = {}

    def src(self, w):
        return os.path.join(PROGRAMS, w.program + ".py")

    def exe(self, w, variant):
        return os.path.join(self.work, w.program + (".pyalloc" if variant == "pyalloc" else ""))

    def argv(self, w, variant):
        args = ([] if self.scale == 1.0 else [str(self.scale)]) + w.args
        if variant == "python":
            return [PYTHON, self.src(w)] + args
        return [self.exe(w, variant)] + args

    def ok(self, w, variant):
        return variant in self.variants and (w.name, variant) not in self.broken

    def fail(self, w, variant, why):
        log("%s %s: %s" % (w.title, variant, why.splitlines()[0]))
        self.broken[(w.name, variant)] = why
        self.failed = True

    # 1. what this cryo can do

    def detect_options(self):
        """The way-back options (cryo build --allocator=python --gc=python) are being added
        while this suite is written: look for them in `cryo build --help` and say so."""
        try:
            p = subprocess.run([self.cryo, "build", "--help"], capture_output=True, text=True)
            text = p.stdout + p.stderr
        except OSError as e:
            text = ""
            log("cannot run %s: %s" % (self.cryo, e.strerror))
        if re.search(r"--allocator\b", text) and re.search(r"--gc(?![-\w])", text):
            self.variants.append("pyalloc")
        else:
            self.notes.append("This cryo has no `--allocator`/`--gc` build options (`cryo "
                              "build --help` does not list them): the `py-build` column (%s) "
                              "is missing and its bars are n/a." % " ".join(PY_WAY_BACK))

    def lib_mtimes(self):
        """The static libraries a frozen program links, in cryo's build tree."""
        root = os.path.dirname(os.path.dirname(os.path.realpath(self.cryo)))
        out = {}
        for d in ("gc", "runtime", "bootloader"):
            for name in glob.glob(os.path.join(root, d, "*.a")):
                try:
                    out[os.path.relpath(name, root)] = os.stat(name).st_mtime
                except OSError:
                    pass
        return out

    # 2. build

    def build_all(self):
        cache = tempfile.mkdtemp(prefix="cryo-bench-cache-")
        self.libs_before = self.lib_mtimes()
        built = {}
        try:
            for w in self.workloads:
                for variant in self.variants[1:]:
                    opts = PY_WAY_BACK if variant == "pyalloc" else []
                    out = self.exe(w, variant)
                    if out in built:                 # one program, many shapes
                        if built[out]:
                            self.fail(w, variant, built[out])
                        continue
                    built[out] = None
                    if os.path.exists(out):
                        os.unlink(out)
                    try:
                        wall, _, retries = cryo_build(self.cryo, self.src(w), out, opts, cache,
                                                      out + ".build.log")
                        self.retries += retries
                        log("build %s: %.2f s" % (os.path.basename(out), wall))
                    except RuntimeError as e:
                        built[out] = str(e)
                        self.fail(w, variant, str(e))
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        if cryo_version(self.cryo)[1] != self.version[1]:
            self.notes.append("`%s` changed while the workloads were built (rebuilt by "
                              "someone): the frozen programs may come from two versions of "
                              "cryo." % self.cryo)
        after = self.lib_mtimes()
        if after != self.libs_before:
            changed = sorted(k for k in set(after) | set(self.libs_before)
                             if after.get(k) != self.libs_before.get(k))
            self.notes.append("%s changed while the workloads were built (rebuilt by someone): "
                              "the frozen programs may link different versions."
                              % ", ".join("`%s`" % c for c in changed))

    # 3. check (and warm up)

    def run(self, w, variant, stdout="/dev/null", stderr=None, extra_env=None):
        """One traced run; returns (TreeMemory, stderr text)."""
        stderr = stderr or os.path.join(self.work, "last.stderr")
        env = dict(self.env, **(extra_env or {}))
        mem = run_traced(self.argv(w, variant), env, stdout=stdout, stderr=stderr,
                         timeout=RUN_TIMEOUT)
        with open(stderr, errors="replace") as f:
            err = f.read()
        if mem.timed_out:
            err += "\n(killed by the harness after %d s)" % RUN_TIMEOUT
        return mem, err

    def check(self):
        """Run every variant once (the warm-up round, thrown away): it must exit 0 and print
        what python3.11 prints, so that a broken freeze never turns into a fast figure. The
        frozen programs run with CRYO_STATS=1 here, and what it prints is kept."""
        for w in self.workloads:
            expected = None
            for variant in self.variants:
                if not self.ok(w, variant):
                    continue
                base = os.path.join(self.work, "%s.%s" % (re.sub(r"\W+", "_", w.name), variant))
                extra = None if variant == "python" else {"CRYO_STATS": "1"}
                mem, err = self.run(w, variant, base + ".out", base + ".err", extra)
                with open(base + ".out", errors="replace") as f:
                    out = f.read()
                code = exit_code(mem.status) if mem.status is not None else None
                if code != 0:
                    self.fail(w, variant, "`%s` exits %s: %s" % (" ".join(self.argv(w, variant)),
                                                              code, err.strip()[-800:]))
                elif variant == "python":
                    expected = out
                elif expected is not None and out != expected:
                    self.fail(w, variant, "its output differs from python3.11's (see %s.out)"
                              % base)
                if (w.name, variant) in self.broken:
                    if variant == "python":           # nothing to compare with
                        for v in self.variants[1:]:
                            self.broken.setdefault((w.name, v), "python3.11 fails on it")
                        break
                    continue
                try:
                    Sample(mem, err)
                except ValueError as e:
                    self.fail(w, variant, str(e))
                    continue
                if variant != "python":
                    self.stats_text[(w.name, variant)] = "\n".join(
                        l for l in err.splitlines() if not l.startswith("gcbench:"))
                log("check %s %s: %.2f s" % (w.title, variant, mem.wall))

    # 4. measure

    def measure(self):
        commands = [(w, v) for w in self.workloads for v in self.variants if self.ok(w, v)]
        rounds = max(w.rounds for w in self.workloads) * self.rounds
        for r in range(rounds):
            order = [c for c in commands if r < c[0].rounds * self.rounds]
            self.rng.shuffle(order)
            self.loads.append(os.getloadavg()[0])
            log("gc round %d/%d: %d runs, load %.2f" % (r + 1, rounds, len(order),
                                                       self.loads[-1]))
            for w, variant in order:
                if not self.ok(w, variant):
                    continue
                mem, err = self.run(w, variant)
                code = exit_code(mem.status) if mem.status is not None else None
                try:
                    if code != 0:
                        raise ValueError("exits %s: %s" % (code, err.strip()[-800:]))
                    s = Sample(mem, err)
                except ValueError as e:
                    self.fail(w, variant, "a measured run failed: %s" % e)
                    continue
                self.samples.setdefault((w.name, variant), []).append(s)

    # 5. the table

    def figures(self, w):
        keys = ["wall", "cpu", "peak"] + ["rss:" + p for p in w.points]
        if w.gc_figures:
            keys += ["pause", "pausecpu", "gcshare", "colls", "full"]
        else:
            keys += ["colls"]
        if w.sections:
            first = self.samples.get((w.name, "python")) or next(
                (v for k, v in self.samples.items() if k[0] == w.name), [])
            keys += ["section:" + n for n in (first[0].sections if first else {})]
        return keys

    @classmethod
    def describe(cls, key):
        if key.startswith("rss:"):
            return "RSS at %s" % key[4:], cls.FIGURES["peak"][1]
        if key.startswith("section:"):
            return "section %s, CPU time" % key[8:], lambda v: "%.3f s" % v
        return cls.FIGURES[key]

    def values(self, w, variant, key):
        return [v for v in (s.value(key) for s in self.samples.get((w.name, variant), []))
                if v is not None]

    def paired_ratios(self, w, key, base):
        fz = self.samples.get((w.name, "frozen"), [])
        bs = self.samples.get((w.name, base), [])
        out = []
        for a, b in zip(fz, bs):                 # round i of each: measured side by side
            va, vb = a.value(key), b.value(key)
            if va is not None and vb:
                out.append(va / vb)
        return out

    def table(self):
        for w in self.workloads:
            for key in self.figures(w):
                name, fmt = self.describe(key)
                cells = [w.title, name]
                med_of = {}
                for variant in GC_VARIANTS:
                    if variant not in self.variants:
                        cells.append("n/a")
                    elif (w.name, variant) in self.broken:
                        cells.append("failed")
                    else:
                        vals = self.values(w, variant, key)
                        med_of[variant] = med(vals) if vals else None
                        cells.append(fmt(med_of[variant]) if vals else "—")
                ratio = {}
                for base in ("python", "pyalloc"):
                    fz, b = med_of.get("frozen"), med_of.get(base)
                    ratio[base] = fz / b if fz is not None and b else None
                    cells.append("—" if ratio[base] is None else "%.3f" % ratio[base])
                bars = [(b, self.bar_limit(w, lim)) for k, b, lim in w.bars if k == key]
                texts, results = [], []
                for base, limit in bars:
                    texts.append("≤ %g× %s" % (limit, BASE_TITLES[base]))
                    r = ratio[base]
                    if base not in self.variants:
                        results.append("n/a")
                    elif r is None:
                        results.append("FAIL")           # not measured: not reached
                    else:
                        results.append("PASS" if r <= limit else "FAIL")
                        self.check_noise(w, key, base, limit, r)
                cells.append(", ".join(texts) or "—")
                if not results:
                    cells.append("info")
                elif "FAIL" in results:
                    cells.append("FAIL")
                elif "n/a" in results:
                    cells.append("n/a" if results.count("n/a") == len(results) else
                                 "PASS, n/a")
                else:
                    cells.append("PASS")
                self.rows.append(cells)
                self.spread_row(w, key, name)

    def bar_limit(self, w, limit):
        """A bar's limit; GC_HEAVY_TIME: 0.75 where python3.11 spends more than a third of
        its CPU time in collections (its median gcshare), else 1.0."""
        if limit != GC_HEAVY_TIME:
            return limit
        share = self.values(w, "python", "gcshare")
        return 0.75 if share and med(share) > 1 / 3 else 1.0

    def check_noise(self, w, key, base, limit, ratio):
        pairs = self.paired_ratios(w, key, base)
        what = "%s %s vs %s" % (w.title, self.describe(key)[0], BASE_TITLES[base])
        if len(pairs) > 1 and min(pairs) <= limit <= max(pairs):
            self.notes.append("%s: the per-round ratios (%.3f–%.3f) straddle the bar %g: the "
                              "verdict is within this machine's noise."
                              % (what, min(pairs), max(pairs), limit))
        clock = {"cpu": "wall", "pausecpu": "pause"}.get(key)
        if clock:                                # does the clock tell the same story?
            fz, b = self.values(w, "frozen", clock), self.values(w, base, clock)
            if fz and b and med(b):
                by_clock = med(fz) / med(b)
                if (by_clock <= limit) != (ratio <= limit):
                    self.notes.append("%s: by the clock (%s) the ratio is %.3f and %s the bar "
                                      "%g, which CPU time (%.3f) %s." % (
                                          what, self.describe(clock)[0], by_clock,
                                          "meets" if by_clock <= limit else "misses", limit,
                                          ratio, "meets" if ratio <= limit else "misses"))

    def spread_row(self, w, key, name):
        parts = []
        fmt = self.describe(key)[1]
        for variant in self.variants:
            vals = self.values(w, variant, key)
            if len(vals) > 1:
                parts.append("%s %s–%s" % (GC_VARIANT_TITLES[variant], fmt(min(vals)),
                                           fmt(max(vals))))
        for base in ("python", "pyalloc"):
            pairs = self.paired_ratios(w, key, base)
            if len(pairs) > 1:
                parts.append("per-round ÷ %s %.3f–%.3f" % (BASE_TITLES[base], min(pairs),
                                                          max(pairs)))
        n = len(self.samples.get((w.name, "python"), []))
        if parts:
            self.spread.append([w.title, name, "%d" % n, "; ".join(parts)])

    def scale_check(self):
        """python3.11's figures against the ones issue 8 was written from."""
        def pm(name, key):
            w = next((x for x in self.workloads if x.name == name), None)
            if w is None:                            # left out with --gc-only
                return None
            vals = self.values(w, "python", key)
            return med(vals) if vals else None
        lines = []
        end = pm("gc_phased", "rss:end")
        if end is not None:
            lines.append("phased ends at %.0f MiB = %.0f MB RSS (issue: 166 MB, live data "
                         "about 6 MB)" % (end / 1024, end * 1024 / 1e6))
        full, pause, cpu, share = (pm("gc_cyclic", k)
                                   for k in ("full", "pause", "pausecpu", "gcshare"))
        if full is not None:
            lines.append("cyclic: %d full collections, longest pause %.0f ms (%.0f ms CPU), "
                         "%.0f%% of its CPU time in collections (issue: 39, 110–200 ms, over "
                         "80%%)" % (full, pause * 1e3, cpu * 1e3, share * 100))
        a, f = pm("gc_random_free", "rss:after-alloc"), pm("gc_random_free", "rss:after-free")
        if a and f:
            lines.append("random_free keeps %.0f%% of its RSS after freeing 90%% (issue: "
                         "within 2%% of the peak)" % (100 * f / a))
        if lines and self.scale == 1.0:
            self.notes.insert(0, "python3.11 at the issue's scale? " + "; ".join(lines) + ".")

    # report

    def header(self, started, elapsed, load0, load1):
        version, mtime = self.version
        if self.retries:
            self.notes.append("%d build(s) failed or could not start and were run again."
                              % self.retries)
        newest = max(self.libs_before.values()) if self.libs_before else None
        rounds = ", ".join("%s %d" % (w.title, w.rounds * self.rounds) for w in self.workloads)
        head = ["# cryo gc benchmark (issue 8)", "",
                "- date: %s, %.0f s, on %s (%d CPUs), load %.2f → %.2f"
                % (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)), elapsed,
                   os.uname().nodename, os.cpu_count(), load0, load1),
                "- cryo: `%s` (%s, built %s; the libraries it links, newest %s when the "
                "workloads were built)" % (self.cryo, version, stamp(mtime), stamp(newest)),
                "- python: `%s`; workloads: `tools/bench_programs/gc_*.py`; frozen programs in "
                "`%s`" % (PYTHON, self.work),
                "- variants: `python3.11 WORKLOAD`; `frozen` = `cryo build WORKLOAD`; "
                "`py-build` = `cryo build WORKLOAD %s`%s"
                % (" ".join(PY_WAY_BACK), "" if "pyalloc" in self.variants else
                   " (**not available in this cryo**)"),
                "- rounds: %s (interleaved, shuffled per round, after one checked warm-up "
                "round); figures are medians; ÷ = frozen / baseline" % rounds]
        if self.scale != 1.0:
            head.append("- **--quick: every workload at %g of its size** (a smoke run: the "
                        "bars are meant for the full size)" % self.scale)
        return head + [""]

    def markdown(self, head):
        lines = head + [md_table(GC_HEADER, self.rows, left=2), "", "## Spread", "",
                        md_table(["workload", "figure", "rounds", "min–max"], self.spread,
                                 right=False), ""]
        if self.notes:
            lines += ["## Notes", ""] + ["- " + n for n in self.notes] + [""]
        if self.stats_text:
            lines += ["## CRYO_STATS=1", "",
                      "What the frozen programs printed on stderr with `CRYO_STATS=1`, in the "
                      "checked warm-up round.", ""]
            for (name, variant), text in sorted(self.stats_text.items()):
                lines += ["### %s, %s" % (name, GC_VARIANT_TITLES[variant]), ""]
                body = text.strip().splitlines()
                if not body:
                    lines += ["(nothing)", ""]
                    continue
                if len(body) > 60:
                    body = body[:60] + ["… (%d more lines in %s)" % (
                        len(body) - 60, os.path.join(self.work, "%s.%s.err" % (name, variant)))]
                lines += ["```"] + body + ["```", ""]
        return "\n".join(lines)

    def run_suite(self):
        started, load0 = time.time(), os.getloadavg()[0]
        self.version = cryo_version(self.cryo)
        os.makedirs(self.work, exist_ok=True)
        try:
            self.detect_options()
            self.build_all()
            self.check()
            self.measure()
        except (RuntimeError, OSError) as e:             # no ptrace, cryo vanished...
            self.failed = True
            self.notes.append("**The run stopped early:** " + str(e).replace("\n", " "))
        for (name, variant), why in sorted(self.broken.items()):
            self.notes.append("**%s %s is not measured:** %s" % (
                name, GC_VARIANT_TITLES[variant], why.replace("\n", " ")))
        if self.stats_text and not any(t.strip() for t in self.stats_text.values()):
            self.notes.append("`CRYO_STATS=1` printed nothing: this cryo has no statistics "
                              "report yet.")
            self.stats_text = {}
        self.table()
        self.scale_check()
        if self.loads and max(self.loads) > 0.75 * os.cpu_count():
            self.notes.append("The machine was busy: load average up to %.1f on %d CPUs "
                              "during the rounds. Wall-clock figures then measure the "
                              "neighbours too; the time bars are judged on CPU time."
                              % (max(self.loads), os.cpu_count()))
        head = self.header(started, time.time() - started, load0, os.getloadavg()[0])
        publish(text_table(self.rows, GC_HEADER, left=2), self.notes, self.out,
                self.markdown(head))
        return 1 if self.failed else 0


# --- the cpu suite (issue 15): CPU-bound code, cryo's libpython against python3.11 -------
#
# Six workloads of tools/bench_programs/cpu_*.py, each a different kind of interpreter
# work, frozen with cryo (and, with --cryo-debian, with a cryo configured
# -Dlibpython=debian: the same programs on Debian's libpython3.11.a), run interleaved with
# `python3.11 WORKLOAD`, round after round, shuffled per round.  The figure is CPU time
# (user + system of the child, from wait4), which a neighbour's load disturbs less than wall
# time; the ratio is frozen / python3.11 per workload and their geometric mean.

CPU_WORKLOADS = ("cpu_nbody", "cpu_richards", "cpu_fannkuch", "cpu_spectral", "cpu_text",
                 "cpu_generators")
CPU_HEADER = ["workload", "python3.11", "frozen", "ratio", "frozen (debian)", "ratio",
              "bar", "result"]


class CpuBench(Bench):
    def __init__(self, args):
        super().__init__(args)
        self.out = os.path.abspath(args.cpu_out)
        self.work = os.path.join(os.path.dirname(self.out), "work", "cpu")
        self.rounds = args.cpu_runs or (2 if args.quick else 7)
        self.cryos = {"frozen": self.cryo}
        if args.cryo_debian:
            self.cryos["debian"] = os.path.abspath(args.cryo_debian)
        self.failed = False

    def exe_of(self, name, variant):
        return os.path.join(self.work, "%s.%s" % (name, variant))

    def cpu(self, argv):
        _, status, ru = spawn_wait(argv, self.env)
        if exit_code(status) != 0:
            raise RuntimeError("%s exits %d" % (" ".join(argv), exit_code(status)))
        return ru.ru_utime + ru.ru_stime

    def run(self):
        started, load0 = time.time(), os.getloadavg()[0]
        self.version = self.cryo_version()
        os.makedirs(self.work, exist_ok=True)
        commands = {}
        for name in CPU_WORKLOADS:
            want = subprocess.run([PYTHON, self.src(name)], env=self.env, capture_output=True,
                                  text=True).stdout
            commands[(name, "python")] = [PYTHON, self.src(name)]
            for variant, cryo in self.cryos.items():
                exe = self.exe_of(name, variant)
                cryo_build(cryo, self.src(name), exe, [], "off",
                           os.path.join(self.work, "%s.%s.build.log" % (name, variant)))
                got = subprocess.run([exe], env=self.env, capture_output=True, text=True).stdout
                if got != want:
                    raise RuntimeError("%s frozen by %s prints %r, python3.11 %r"
                                       % (name, cryo, got, want))
                commands[(name, variant)] = [exe]
        log("cpu: %d interleaved rounds of %d commands" % (self.rounds, len(commands)))
        t = self.interleaved(commands, self.rounds, self.cpu)
        ratios = {v: [] for v in self.cryos}
        for name in CPU_WORKLOADS:
            py = med(t[(name, "python")])
            cells = [name, fmt_s(py)]
            for variant in ("frozen", "debian"):
                if variant in self.cryos:
                    r = med(t[(name, variant)]) / py
                    ratios[variant].append(r)
                    cells += [fmt_s(med(t[(name, variant)])), "%.3f" % r]
                else:
                    cells += ["—", "—"]
            ok = ratios["frozen"][-1] <= 1.03
            self.failed |= not ok
            self.rows.append(cells + ["≤ 1.03", "ok" if ok else "FAIL"])
            per = [a / b for a, b in zip(t[(name, "frozen")], t[(name, "python")])]
            q1, q3 = quartiles(per)
            self.spread.append([name, "%d pairs" % len(per),
                                "per-pair ratio median %.3f, IQR %.3f–%.3f" % (med(per), q1, q3)])
        geo = {v: math.prod(r) ** (1 / len(r)) for v, r in ratios.items()}
        ok = geo["frozen"] <= 0.97
        self.failed |= not ok
        self.rows.append(["geometric mean", "", "", "%.3f" % geo["frozen"], "",
                          "%.3f" % geo["debian"] if "debian" in geo else "—", "≤ 0.97",
                          "ok" if ok else "FAIL"])
        elapsed = time.time() - started
        head = ["# cryo cpu benchmark", "",
                "- date: %s, %.0f s, on %s (%d CPUs), load %.2f → %.2f"
                % (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)), elapsed,
                   os.uname().nodename, os.cpu_count(), load0, os.getloadavg()[0]),
                "- cryo: `%s` (%s)" % (self.cryo, self.version[0]),
                "- frozen (debian): %s" % ("`%s` (%s)" % (self.cryos["debian"], cryo_version(
                    self.cryos["debian"])[0]) if "debian" in self.cryos else "not measured "
                    "(--cryo-debian PATH)"),
                "- %d interleaved rounds, one warm-up; CPU time (user + system), medians; "
                "ratio = frozen / python3.11" % self.rounds, ""]
        md = "\n".join(head + [md_table(CPU_HEADER, self.rows), "", "## Spread", "",
                                md_table(["workload", "runs", "spread"], self.spread,
                                         right=False), ""])
        publish(text_table(self.rows, CPU_HEADER), self.notes, self.out, md)
        return 1 if self.failed else 0


# --- the real suite (issue 16): programs using native modules and third-party packages -----
#
# tools/bench_programs/real_*.py, each frozen with cryo's defaults and run interleaved with
# `python3.11 PROGRAM` (site-packages on: python3.11 needs them to find the packages). Per
# program: wall time of a run (startup + its small work); memory as a container pays it:
# the unique resident pages of the whole process tree (each physical page once, from
# /proc/PID/pagemap: needs root) plus the bytes of memory files not resident, sampled
# while the program says READY (with --ready); peak RSS summed over the tree beside it
# (run_traced); cold and warm build; size; and what a run writes to the native-file cache
# (a fresh XDG_CACHE_HOME: the first run writes, every later one must write nothing; a
# program using only the standard library writes no native file at all).  The verdict
# stamp of bootloader/guard.c, which a first run writes too (about 70 bytes, so that
# later starts skip the whole-file check), is shown beside and is not a native file.

REAL = [  # name, startup bar, memory bar (vs python3.11)
    ("real_stdlib", 1.0, 1.05), ("real_numpy", 1.05, 1.1), ("real_pool", None, 1.1),
    ("real_pygments", 1.1, 1.15), ("real_yaml", 1.1, 1.15), ("real_jinja2", 1.1, 1.15),
    ("real_rich", 1.1, 1.15), ("real_cryptography", 1.1, 1.15)]
REAL_HEADER = ["program", "startup", "ratio", "bar", "memory", "ratio", "bar", "peak RSS ratio",
               "build cold / warm", "size", "first run writes", "result"]
PFN_MASK = (1 << 55) - 1


def unique_tree_kib(root):
    """Unique resident pages of the process tree under `root` (each physical page once) plus
    memory-file bytes not resident in it, in KiB, and the number of processes."""
    kids = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open("/proc/%s/stat" % d) as f:
                    kids.setdefault(int(f.read().rsplit(")", 1)[1].split()[1]), []).append(int(d))
            except OSError:
                pass
    pids, todo = [], [root]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += kids.get(p, [])
    page = os.sysconf("SC_PAGE_SIZE")
    frames, memfds = set(), {}
    for pid in pids:
        try:
            maps = open("/proc/%d/maps" % pid).read().splitlines()
            pm = open("/proc/%d/pagemap" % pid, "rb")
        except OSError:
            continue
        with pm:
            for line in maps:
                f = line.split(None, 5)
                lo, hi = (int(x, 16) for x in f[0].split("-"))
                pm.seek(lo // page * 8)
                raw = pm.read((hi - lo) // page * 8)
                present = [e & PFN_MASK for (e,) in struct.iter_unpack("<Q", raw) if e >> 63]
                frames.update(present)
                if len(f) == 6 and f[5].startswith("/memfd:"):
                    key = (f[3], int(f[4]))
                    memfds.setdefault(key, [pid, 0])
                    memfds[key][1] += len(present)
        for fd in glob.glob("/proc/%d/fd/*" % pid):
            try:
                if os.readlink(fd).startswith("/memfd:"):
                    st = os.stat(fd)
                    key = ("%02x:%02x" % (os.major(st.st_dev), os.minor(st.st_dev)), st.st_ino)
                    memfds.setdefault(key, [pid, 0]).append(st.st_blocks * 512)
            except OSError:
                pass
    extra = 0
    for v in memfds.values():
        size = max(v[2:], default=0)
        extra += max(0, size - v[1] * page)
    return (len(frames) * page + extra) // 1024, len(pids)


class RealBench(Bench):
    def __init__(self, args):
        super().__init__(args)
        self.out = os.path.abspath(args.real_out)
        self.work = os.path.join(os.path.dirname(self.out), "work", "real")
        self.rounds = args.real_runs or (3 if args.quick else 15)
        self.mem_rounds = max(2, self.rounds // 3)
        self.failed = False

    def exe_of(self, name):
        return os.path.join(self.work, name)

    def ready_memory(self, argv, env):
        """Start argv with --ready, sample its tree when it prints READY, let it finish."""
        p = subprocess.Popen(argv + ["--ready"], env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
        kib = None
        for line in p.stdout:
            if line.strip() == "READY":
                kib = unique_tree_kib(p.pid)
                break
        p.stdout.read()
        if p.wait() != 0 or kib is None:
            raise RuntimeError("%s --ready exits %d without READY" % (" ".join(argv), p.returncode))
        return kib[0]

    def run(self):
        started, load0 = time.time(), os.getloadavg()[0]
        self.version = self.cryo_version()
        shutil.rmtree(self.work, ignore_errors=True)
        os.makedirs(self.work)
        xdg = tempfile.mkdtemp(prefix="cryo-bench-xdg-")
        env = dict(self.env, XDG_CACHE_HOME=xdg)
        try:
            built = {}
            for name, _, _ in REAL:
                cache = tempfile.mkdtemp(prefix="cryo-bench-cache-")
                try:
                    log_path = os.path.join(self.work, name + ".build.log")
                    cold = cryo_build(self.cryo, self.src(name), self.exe_of(name), [], cache,
                                      log_path)[0]
                    warm = cryo_build(self.cryo, self.src(name), self.exe_of(name), [], cache,
                                      log_path)[0]
                finally:
                    shutil.rmtree(cache, ignore_errors=True)
                want = subprocess.run([PYTHON, self.src(name)], env=env, capture_output=True,
                                      text=True).stdout
                before, vbefore = self.cache_bytes(xdg), self.cache_bytes(xdg, "verified")
                got = subprocess.run([self.exe_of(name)], env=env, capture_output=True,
                                     text=True)
                first = self.cache_bytes(xdg) - before
                verdict = self.cache_bytes(xdg, "verified") - vbefore
                again = subprocess.run([self.exe_of(name)], env=env, capture_output=True,
                                       text=True)
                later = self.cache_bytes(xdg) - before - first
                if got.stdout != want or again.stdout != want:
                    raise RuntimeError("%s: frozen prints %r (%s), python3.11 %r"
                                       % (name, got.stdout, got.stderr[-500:], want))
                built[name] = (cold, warm, first, later, verdict)
                log("%s: build cold %.2f s, warm %.2f s; first run wrote %d bytes of native "
                    "files and a %d-byte verdict stamp" % (name, cold, warm, first, verdict))
            commands = {}
            for name, _, _ in REAL:
                commands[(name, "frozen")] = [self.exe_of(name)]
                commands[(name, "python")] = [PYTHON, self.src(name)]
            self.env = env
            log("real: startup, %d interleaved rounds of %d commands" % (self.rounds,
                                                                          len(commands)))
            t = self.interleaved(commands, self.rounds, self.timed)
            log("real: memory, %d interleaved rounds" % self.mem_rounds)
            m = self.interleaved(commands, self.mem_rounds, lambda argv: self.ready_memory(argv, env))
            peak = self.interleaved(commands, max(1, self.mem_rounds // 2),
                                    lambda argv: self.traced(argv).total_kib)
        finally:
            shutil.rmtree(xdg, ignore_errors=True)
        for name, sbar, mbar in REAL:
            st = med(t[(name, "frozen")]) / med(t[(name, "python")])
            mem = med(m[(name, "frozen")]) / med(m[(name, "python")])
            pk = med(peak[(name, "frozen")]) / med(peak[(name, "python")])
            cold, warm, first, later, verdict = built[name]
            size = os.path.getsize(self.exe_of(name))
            ok = ((sbar is None or st <= sbar) and mem <= mbar and later == 0
                  and (name == "real_stdlib" or cold < 20) and warm < 2
                  and (name != "real_stdlib" or first == 0))
            self.failed |= not ok
            self.rows.append([name, fmt_ms(med(t[(name, "frozen")])), "%.3f" % st,
                              "≤ %.2f" % sbar if sbar else "—",
                              fmt_mib(med(m[(name, "frozen")])), "%.3f" % mem, "≤ %.2f" % mbar,
                              "%.3f" % pk, "%.1f s / %.2f s" % (cold, warm),
                              "%.1f MB" % (size / MB),
                              "%d B (later runs: %d B) + %d B verdict" % (first, later, verdict),
                              "ok" if ok else "FAIL"])
            per = [a / b for a, b in zip(t[(name, "frozen")], t[(name, "python")])]
            q1, q3 = quartiles(per)
            self.spread.append([name, "%d / %d rounds" % (len(per), len(m[(name, "frozen")])),
                                "startup per-pair ratio IQR %.3f–%.3f; python %s, memory "
                                "python %s" % (q1, q3, fmt_ms(med(t[(name, "python")])),
                                               fmt_mib(med(m[(name, "python")])))])
        elapsed = time.time() - started
        head = ["# cryo real-programs benchmark", "",
                "- date: %s, %.0f s, on %s (%d CPUs), load %.2f → %.2f"
                % (time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(started)), elapsed,
                   os.uname().nodename, os.cpu_count(), load0, os.getloadavg()[0]),
                "- cryo: `%s` (%s)" % (self.cryo, self.version[0]),
                "- startup %d rounds, memory %d rounds, interleaved; medians; ratio = frozen / "
                "`python3.11 PROGRAM`; memory = unique resident pages of the process tree + "
                "memory-file bytes not resident, at READY; peak RSS = summed VmHWM of the tree"
                % (self.rounds, self.mem_rounds), ""]
        md = "\n".join(head + [md_table(REAL_HEADER, self.rows), "", "## Spread", "",
                                md_table(["program", "runs", "spread"], self.spread,
                                         right=False), ""])
        publish(text_table(self.rows, REAL_HEADER), self.notes, self.out, md)
        return 1 if self.failed else 0

    @staticmethod
    def cache_bytes(xdg, part="native"):
        """Bytes under the cache's `part`: "native", the native files a run extracts
        (what the bars are about), or "verified", the executable's verdict stamp
        (bootloader/guard.c: one small file per executable, reported beside)."""
        top = os.path.join(xdg, "cryo", part)
        return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(top) for f in fs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--suite", choices=("foundation", "gc", "cpu", "real", "all"),
                    default="foundation",
                    help="foundation: build time, size, startup and memory (the default); "
                         "gc: the allocator and collector workloads; cpu: six CPU-bound "
                         "workloads; real: programs using native modules and third-party "
                         "packages; all: the four, in that order")
    ap.add_argument("--real-runs", type=int, default=0,
                    help="real: interleaved startup rounds (default 15, --quick 3); memory "
                         "uses a third of them (at least 2)")
    ap.add_argument("--real-out", default=os.path.join(ROOT, "build", "bench", "real.md"),
                    help="real's Markdown report (default: build/bench/real.md)")
    ap.add_argument("--cpu-runs", type=int, default=0,
                    help="cpu: interleaved rounds (default 7, --quick 2)")
    ap.add_argument("--cpu-out", default=os.path.join(ROOT, "build", "bench", "cpu.md"),
                    help="cpu's Markdown report (default: build/bench/cpu.md)")
    ap.add_argument("--cryo-debian", default=None,
                    help="cpu: also freeze the workloads with this cryo (one configured "
                         "-Dlibpython=debian) and report its ratios beside")
    ap.add_argument("--cryo", default=os.path.join(ROOT, "build", "freezer", "cryo"),
                    help="the cryo executable (default: build/freezer/cryo)")
    ap.add_argument("--runs", type=int, default=0,
                    help="foundation: interleaved startup rounds (default 100, --quick 10); "
                         "memory uses N/4 rounds (at least 3), warm builds N/12 (1 to 5), "
                         "cold N/20 (1 to 3)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench", "foundation.md"),
                    help="foundation's Markdown report (default: build/bench/foundation.md); "
                         "the frozen programs are left in work/ next to it")
    ap.add_argument("--gc-runs", type=int, default=0,
                    help="gc: measured rounds per workload (default 3, --quick 1; the CPU-bound "
                         "workload gets twice as many)")
    ap.add_argument("--gc-only", default=None, metavar="TEXT",
                    help="gc suite: only the workloads whose title contains TEXT "
                         "(\"shape\": the shape matrix)")
    ap.add_argument("--gc-out", default=os.path.join(ROOT, "build", "bench", "gc.md"),
                    help="gc's Markdown report (default: build/bench/gc.md); the frozen "
                         "programs are left in work/gc/ next to it")
    ap.add_argument("--quick", action="store_true",
                    help="a fast smoke run: few rounds; the gc workloads at a quarter of "
                         "their size")
    args = ap.parse_args()
    if args.runs < 0 or args.gc_runs < 0:
        ap.error("--runs and --gc-runs must be positive")
    if not os.access(args.cryo, os.X_OK):
        ap.error("cannot run cryo at '%s': build it with `ninja -C build` or pass --cryo" % args.cryo)
    status = 0
    if args.suite in ("foundation", "all"):
        status |= Bench(args).run()
    if args.suite in ("gc", "all"):
        if args.suite == "all":
            print()
        status |= GcBench(args).run_suite()
    if args.suite in ("cpu", "all"):
        if args.suite == "all":
            print()
        status |= CpuBench(args).run()
    if args.suite in ("real", "all"):
        if args.suite == "all":
            print()
        status |= RealBench(args).run()
    sys.exit(status)


if __name__ == "__main__":
    main()
