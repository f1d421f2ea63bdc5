#!/usr/bin/python3.11
"""cryo's foundation benchmark: build time, size, startup and memory of frozen programs,
each compared with python3.11 measured in the same run.

usage: /usr/bin/python3.11 tools/bench.py [--cryo PATH] [--runs N] [--out FILE] [--quick]

It freezes tools/bench_programs/hello.py and stdlib40.py with cryo, then runs the frozen
programs and `python3.11 PROGRAM` (and `python3.11 -I -S PROGRAM`) interleaved, round after
round, in an order shuffled per round (these machines are shared and noisy: a slow moment
hits every variant alike). It prints one table (figure, frozen, python, ratio, bar, result)
and writes the same, with the spread of every figure, as Markdown to --out.

How each figure is measured (tools/README.md says more):
  build   wall time of `cryo build`, cold (CRYO_CACHE_DIR = a fresh empty directory, no
          previous output) and warm (the same cache and output path, right after).
  size    the frozen file's size in bytes.
  startup wall time from posix_spawn() to wait4() of the program (stdout to /dev/null).
  memory  what a container pays: for every process of the tree, its peak RSS (VmHWM, read
          when the process stops at exit under ptrace), summed, plus the bytes of memory
          files (memfd) still held at exit and not resident in any mapping.
Nothing from ../shared is imported: the harness stands alone (../shared/tools has the
reference meters it is cross-checked against, by hand).
"""
import argparse
import ctypes
import os
import random
import shutil
import signal
import statistics
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


def run_traced(argv, env):
    """Run argv under ptrace with all output on /dev/null; return its TreeMemory."""
    mem = TreeMemory()
    pid = os.fork()
    if pid == 0:                                 # child: no Python-level cleanup, ever
        try:
            null = os.open("/dev/null", os.O_RDWR)
            for fd in (0, 1, 2):
                os.dup2(null, fd)
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
    while live:
        tid, status, _ = os.wait4(-1, WALL)
        if os.WIFEXITED(status) or os.WIFSIGNALED(status):
            live.discard(tid)
            if tid == pid:
                mem.status = status
            continue
        if not os.WIFSTOPPED(status):
            continue
        sig, event, deliver = os.WSTOPSIG(status), status >> 16, 0
        if sig == signal.SIGTRAP and event:
            if event == EV_EXIT:
                mem.sample(tid)
            elif event in (EV_FORK, EV_VFORK, EV_CLONE):
                _ptrace(PTRACE_GETEVENTMSG, tid, None, ctypes.addressof(msg))
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
    return mem


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


def text_table(rows):
    table = [HEADER] + [r.cells() for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(HEADER))]
    lines = []
    for n, r in enumerate(table):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                               for i, (c, w) in enumerate(zip(r, widths))).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def md_table(header, rows, right=True):
    """right: numbers right-aligned after the first column; else everything left-aligned."""
    out = ["| " + " | ".join(header) + " |",
           "|" + "|".join("---:" if i and right else "---" for i in range(len(header))) + "|"]
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
        out = out or self.exe(name)
        logf = os.path.join(self.work, name + ".build.log")
        argv = [self.cryo, "build", self.src(name), "-o", out]
        env = child_env({"CRYO_CACHE_DIR": cache})
        for attempt in range(3):
            # cryo is rebuilt by other people while we run: a moment where it cannot be
            # executed (ETXTBSY, EACCES), or a build that fails, gets two more chances.
            try:
                wall, status, ru = spawn_wait(argv, env, stdout=logf)
            except OSError as e:
                if attempt == 2:
                    raise RuntimeError("cannot run %s: %s" % (self.cryo, e.strerror))
                status = None
            if status is not None and exit_code(status) == 0:
                break
            if attempt < 2:
                log("build %s failed, trying again in 2 s" % name)
                self.retries += 1
                time.sleep(2)
        if exit_code(status) != 0:
            with open(logf, errors="replace") as f:
                tail = f.read().strip().splitlines()[-15:]
            raise RuntimeError("cryo build %s.py failed (exit %d):\n  %s"
                               % (name, exit_code(status), "\n  ".join(tail)))
        return wall, ru.ru_utime + ru.ru_stime

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
                             bar="< 3 s", ok=med(warm) < 3.0))
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
                ("hello", "python -I -S", 1.0), ("hello", "python", None),
                ("stdlib40", "python -I -S", None), ("stdlib40", "python", None))):
            fz, py = t[(name, "frozen")], t[(name, base)]
            ratio = med(fz) / med(py)
            pairs = [a / b for a, b in zip(fz, py)]
            q1, q3 = quartiles(pairs)
            figure = "startup %s vs %s" % (name, base)
            self.rows.append(Row(figure, fmt_ms(med(fz)), fmt_ms(med(py)), ratio,
                                 bar="≤ 1.0" if bar else "—",
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
        """cryo's --version line and the file's mtime: other people rebuild it while we run."""
        try:
            p = subprocess.run([self.cryo, "--version"], capture_output=True, text=True)
            version = (p.stdout or p.stderr).strip()
        except OSError as e:
            version = "--version failed: %s" % e.strerror
        try:
            return version, os.stat(self.cryo).st_mtime
        except OSError:
            return version, None

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
        print(text_table(self.rows))
        for n in self.notes:
            print("\nnote: " + n.replace("`", "").replace("**", ""))
        os.makedirs(os.path.dirname(self.out), exist_ok=True)
        with open(self.out, "w") as f:
            f.write(self.markdown(head))
        log("wrote %s" % self.out)
        return 1 if failed or len(self.programs) < len(PROGRAM_NAMES) else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cryo", default=os.path.join(ROOT, "build", "freezer", "cryo"),
                    help="the cryo executable (default: build/freezer/cryo)")
    ap.add_argument("--runs", type=int, default=0,
                    help="interleaved startup rounds (default 100, --quick 10); memory uses "
                         "N/4 rounds (at least 3), warm builds N/12 (1 to 5), cold N/20 (1 to 3)")
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "bench", "foundation.md"),
                    help="Markdown report (default: build/bench/foundation.md); the frozen "
                         "programs are left in work/ next to it")
    ap.add_argument("--quick", action="store_true", help="a fast smoke run (few rounds)")
    args = ap.parse_args()
    if args.runs < 0:
        ap.error("--runs must be positive")
    if not os.access(args.cryo, os.X_OK):
        ap.error("cannot run cryo at '%s': build it with `ninja -C build` or pass --cryo" % args.cryo)
    sys.exit(Bench(args).run())


if __name__ == "__main__":
    main()
