#!/usr/bin/python3.11
"""build.py — cryo's own libpython: CPython 3.11.2 built from Debian's orig
tarball with PGO and LTO, non-PIC for non-PIE executables, with every
standard-library extension module compiled static and kept apart, so that a
frozen program links only the modules it imports.

    /usr/bin/python3.11 tools/libpython/build.py            build (or reuse)
    /usr/bin/python3.11 tools/libpython/build.py --locate   print the entry

How it fits (../../../shared/DESIGN.md, "Decisions"): the freezer links
frozen programs with what this script leaves in a cache entry:

    <cache>/libpython/<key>/
        libpython-core.o     libpython's core and the builtins it needs to
                             start (Setup.bootstrap's), as ONE relocatable
                             object made
                             by a partial LTO link (gcc -r -flto): the
                             benefit of link-time optimisation across
                             libpython's files, paid once here, never at a
                             program's link; function and data sections, so
                             a program's --gc-sections keeps only what it
                             can reach
        modules/NAME.o       each other extension module (lib-dynload's in
                             Debian, and Debian's other builtins: csv,
                             math, pyexpat...), partially linked the same
                             way: linked into a program that imports it
        modules/lib-dynload/NAME.cpython-311-x86_64-linux-gnu.so
                             the extension modules that are mostly tables
                             (SHARED_MODULES: unicodedata, the CJK codecs),
                             a shared object each: a program carries them
                             compressed, as it carries a third-party one
        include/pyconfig.h   the configuration the objects were built with
        manifest.txt         what the freezer reads; format below

The cache entry is keyed by everything that changes the objects: the
tarball's SHA-256, this script and Setup.local, the compiler and binutils
versions, and the Debian -dev packages whose headers the modules were
compiled against.  It lives outside any build tree ($CRYO_CACHE_DIR, else
$XDG_CACHE_HOME/cryo, else ~/.cache/cryo; "off" there means the default
place: libpython cannot be built per checkout in reasonable time), so later
builds, later checkouts and CI on the same machine reuse it.  It is built
in a private directory and renamed into place when complete, under a lock:
concurrent setups wait for each other and a half-built entry is never seen.

Manifest format (version 3; the one definition, read by freezer/natives.c):
    cryo-libpython 2
    python 3.11.2
    core <path relative to the entry>
    core-link <link arguments after the objects, space separated>
    module <name> <path relative to the entry> [link arguments...]
    shared <name> <path relative to the entry>
    frozen <name> <name>...  the modules libpython's own frozen tables hold
                             (Python/frozen.c, aliases included): the
                             freezer packs every other module a program
                             imports
Lines are separated by '\\n'; fields by one space; no field contains a
space.  Link arguments are absolute paths of static archives, or -l flags
for glibc's own libraries (and libcrypt, which is not linked statically:
see Setup.local).
"""
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TARBALL = "python3.11_3.11.2.orig.tar.gz"
# Upstream's Python-3.11.2.tgz, which Debian's orig tarball is.
TARBALL_SHA256 = "2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849"
SRC_DIR = "Python-3.11.2"
MANIFEST_VERSION = 3
RECIPE = 8
# CPython's frozen modules that a frozen program never imports at start:
# left out of libpython's frozen tables (Python/frozen.c) and of its
# deep-frozen objects (the deepfreeze rule of Makefile.pre.in), they were
# 137 KB of every program's read-only data.  site (cryo starts without it,
# runtime/interp.c), ntpath (Windows paths), importlib.util and runpy
# (start-up of `python -m`), and the test modules __hello__ and __phello__.
# A program that imports one gets it packed from the standard library, as
# any other module (the manifest's `frozen` line tells the freezer).
# zipimport stays: the interpreter installs its path hook at start.
DROPPED_FROZEN = ("ntpath", "site", "importlib.util", "runpy", "__hello__", "__phello__",
                  "__phello__.ham", "__phello__.ham.eggs", "__phello__.spam", "frozen_only")
# The core's builtins beyond Setup.bootstrap's: those with no rule of their
# own (they are part of the interpreter's objects).
CORE_BUILTINS = ("builtins", "sys", "_imp", "marshal", "_ast", "_tokenize", "_warnings",
                 "_string", "gc")
# Extension modules that are mostly constant tables, built as shared
# objects.  Linked in, they were 1.9 MB of every program's read-only data
# (unicodedata 1.1 MB, the CJK codecs 0.8 MB), since every program packs
# `encodings` whole (freezer/graph.c) and so imports them; a program
# carries them compressed instead (raw LZMA2: 0.6 MB) and loads one, as a
# third-party extension module, only when a codec or unicodedata is used.
# What that costs then: freezer/cold.c, runtime/native_files.c.
SHARED_MODULES = ("unicodedata", "_multibytecodec", "_codecs_cn", "_codecs_hk",
                  "_codecs_iso2022", "_codecs_jp", "_codecs_kr", "_codecs_tw")
# Our own C files that Setup.local's rules name, copied into Modules/.
OWN_SOURCES = ("getpath_weak.c",)
JOBS = str(max(1, os.cpu_count() or 1))

# Debian's CONFIG_ARGS where they change behaviour or ABI (compare
# sysconfig.get_config_var("CONFIG_ARGS") of /usr/bin/python3.11).  Not
# taken: --enable-shared (we want static objects), --with-dtrace (probes
# only), --with-wheel-pkg-dir (ensurepip is not built), --libdir (no
# install).
CONFIGURE_ARGS = [
    "--prefix=/usr", "--enable-ipv6", "--enable-loadable-sqlite-extensions",
    "--with-dbmliborder=bdb:gdbm", "--with-computed-gotos", "--without-ensurepip",
    "--with-system-expat", "--with-system-ffi", "--with-ssl-default-suites=openssl",
    "--enable-optimizations",
]
# Debian's hardening flags, position-dependent code (-fno-pie: frozen
# programs are non-PIE, see freezer/cc.c) and line tables only (-g1: full
# debug information would make every compile and the LTO links slower, for
# a library whose programs are stripped by default).
CFLAGS = "-fno-pie -g1 -fstack-protector-strong -Wformat -Werror=format-security"
CPPFLAGS = "-Wdate-time -D_FORTIFY_SOURCE=2"
LDFLAGS = "-no-pie"
# The second (profile-use) compile: fat LTO objects, so the build's own
# programs (_freeze_module) link without LTO (-fno-lto) while the partial
# links below use the LTO bytecode.
LTO_COMPILE = "-flto=auto -ffat-lto-objects"
PARTIAL_LINK = ["-r", "-flto=auto", "-flinker-output=nolto-rel", "-fuse-linker-plugin",
                "-ffunction-sections", "-fdata-sections", "-fno-semantic-interposition"]
# The profile: CPython's own PGO task (what --enable-optimizations runs),
# on both cores.
PROFILE_TASK = ["-m", "test", "--pgo", "-j" + JOBS, "--timeout=1200"]

# glibc's libraries: linked dynamically, as every frozen program links glibc.
GLIBC_LIBS = {"c", "m", "dl", "pthread", "util", "rt", "resolv", "crypt"}
LIB_DIRS = ["/usr/lib/x86_64-linux-gnu", "/usr/lib", "/lib/x86_64-linux-gnu"]
# Debian packages whose headers or static libraries go into the objects.
DEV_PACKAGES = ["gcc", "binutils", "libc6-dev", "libssl-dev", "libsqlite3-dev",
                "libffi-dev", "liblzma-dev", "libbz2-dev", "uuid-dev", "libncurses-dev",
                "libexpat1-dev", "zlib1g-dev", "libcrypt-dev", "python3.11"]


class BuildError(Exception):
    pass


def say(msg):
    print("libpython: " + msg, file=sys.stderr, flush=True)


def cache_root():
    root = os.environ.get("CRYO_CACHE_DIR", "")
    if not root or root == "off":
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        root = os.path.join(xdg if xdg else os.path.expanduser("~/.cache"), "cryo")
    return os.path.join(root, "libpython")


def debian_builtins():
    """The builtin modules of Debian's python3.11: each must have a rule in
    this build.  The core has those it needs to start; a program links the
    others (as every other extension module) only when it imports them, so
    its sys.builtin_module_names lists the core's and those."""
    out = subprocess.run(["/usr/bin/python3.11", "-I", "-S", "-c",
                          "import sys; print(' '.join(sys.builtin_module_names))"],
                         check=True, capture_output=True, text=True).stdout
    return sorted(out.split())


def bootstrap_names(tree):
    """The modules Modules/Setup.bootstrap builds: the interpreter's own."""
    names = []
    with open(os.path.join(tree, "Modules/Setup.bootstrap")) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line and not line.startswith("*"):
                names.append(line.split()[0])
    return names


def cache_key():
    h = hashlib.sha256()
    h.update(b"cryo-libpython %d\n" % MANIFEST_VERSION)
    h.update(TARBALL_SHA256.encode() + b"\n")
    # The recipe: every constant that changes the objects, and RECIPE,
    # bumped whenever the steps of build() change what they produce.
    h.update(repr((RECIPE, CONFIGURE_ARGS, CFLAGS, CPPFLAGS, LDFLAGS, LTO_COMPILE,
                   PARTIAL_LINK, PROFILE_TASK, SHARED_MODULES)).encode())
    for name in ("Setup.local",) + OWN_SOURCES:
        with open(os.path.join(HERE, name), "rb") as f:
            h.update(f.read())
    for cmd in (["gcc", "--version"], ["ld", "--version"]):
        h.update(subprocess.run(cmd, capture_output=True, text=True).stdout.encode())
    pk = subprocess.run(["dpkg-query", "-W", "-f=${Package} ${Version}\n"] + DEV_PACKAGES,
                        capture_output=True, text=True).stdout
    h.update(pk.encode())
    h.update(" ".join(debian_builtins()).encode())
    return "3.11.2-" + h.hexdigest()[:16]


class Log:
    """Every command's output goes to one log file; a failure names the step
    and the log."""

    def __init__(self, path):
        self.path = path
        self.f = open(path, "w")

    def run(self, step, cmd, cwd=None, env=None, check=True):
        self.f.write("\n### %s: %s\n" % (step, " ".join(cmd)))
        self.f.flush()
        r = subprocess.run(cmd, cwd=cwd, env=env, stdout=self.f, stderr=subprocess.STDOUT,
                           stdin=subprocess.DEVNULL)
        if check and r.returncode != 0:
            raise BuildError("step '%s' failed (%s exited with status %d); see %s"
                             % (step, cmd[0], r.returncode, self.path))
        return r.returncode


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(root, log):
    """Debian's orig tarball, checked against the pinned SHA-256."""
    src = os.path.join(root, "src")
    os.makedirs(src, exist_ok=True)
    path = os.path.join(src, TARBALL)
    if not os.path.exists(path):
        say("fetching %s (apt-get source)" % TARBALL)
        # apt-get may fail on the Debian parts (.dsc, patches) while the orig
        # tarball arrives: the tarball's presence and checksum decide.
        log.run("fetch", ["apt-get", "source", "--download-only", "python3.11"], cwd=src,
                check=False)
        if not os.path.exists(path):
            raise BuildError("step 'fetch' failed: apt-get source did not bring %s; "
                             "enable deb-src in /etc/apt/sources.list.d/debian.sources "
                             "(tools/install-deps.sh does) and run apt-get update; see %s"
                             % (TARBALL, log.path))
    got = sha256_file(path)
    if got != TARBALL_SHA256:
        os.replace(path, path + ".bad")
        raise BuildError("step 'verify' failed: %s has SHA-256 %s, expected %s; it was "
                         "moved aside to %s.bad, run again to fetch it anew"
                         % (path, got, TARBALL_SHA256, path))
    return path


PRINT_MK = """include Makefile
cryo-print-%:
\t@echo '$*=$($*)'
"""


def edit_file(path, edit):
    with open(path) as f:
        text = f.read()
    new = edit(text)
    if new == text:
        raise BuildError("%s: the edit cryo makes there found nothing to change; the "
                         "recipe expects CPython 3.11.2's file" % path)
    with open(path, "w") as f:
        f.write(new)


def trim_sources(tree):
    """What cryo changes in CPython's sources before configuring: only what
    no frozen program can reach (DROPPED_FROZEN, and the runtime state's
    second copy below).  Returns the names libpython's frozen tables keep."""
    cnames = {m.replace(".", "_") for m in DROPPED_FROZEN}

    def drop_deepfreeze_args(text):
        dropped = {"\tPython/frozen_modules/%s.h:%s \\" % (m, m) for m in DROPPED_FROZEN}
        lines = [l for l in text.split("\n") if l not in dropped]
        if len(text.split("\n")) - len(lines) != len(DROPPED_FROZEN):
            raise BuildError("Makefile.pre.in: the deepfreeze rule does not list %s"
                             % ", ".join(DROPPED_FROZEN))
        return "\n".join(lines)
    edit_file(os.path.join(tree, "Makefile.pre.in"), drop_deepfreeze_args)

    kept = []

    def drop_frozen_entries(text):
        out = []
        for line in text.split("\n"):
            entry = re.match(r'\s*\{"([^"]+)".*GET_CODE\((\w+)\)', line)
            extern = re.match(r"extern PyObject \*_Py_get_(\w+)_toplevel\(void\);", line)
            if (entry and entry.group(2) in cnames) or (extern and extern.group(1) in cnames):
                continue
            if entry:
                kept.append(entry.group(1))
            out.append(line)
        # The alias table: {"name", "original"}; an alias of a dropped
        # module goes with it.
        text = "\n".join(out)
        head, sep, tail = text.partition("static const struct _module_alias aliases[]")
        tail = "\n".join(l for l in tail.split("\n")
                         if not re.match(r'\s*\{"([^"]+)"', l)
                         or re.match(r'\s*\{"([^"]+)"', l).group(1) in kept)
        return head + sep + tail
    edit_file(os.path.join(tree, "Python/frozen.c"), drop_frozen_entries)

    # pystate.c keeps a second, constant copy of the whole runtime state,
    # 166 KB of read-only data (107 KB of it the main interpreter's state,
    # mostly zeros), for three uses: resetting the runtime when
    # Py_Initialize runs again after Py_Finalize in one process, which a
    # frozen program never does (a fatal error naming the reason instead),
    # and initialising a new interpreter's and a new thread's state, which
    # the same initialisers, assigned, do as well (the compiler clears the
    # state and stores the few fields that are not zero).
    def drop_initial(text):
        for old, new in [
                ("static const _PyRuntimeState initial = _PyRuntimeState_INIT;",
                 "/* cryo: no constant copy of the runtime state (tools/libpython/build.py) */"),
                ("memcpy(runtime, &initial, sizeof(*runtime));",
                 'Py_FatalError("cryo: the interpreter cannot be initialized twice in one '
                 'process");'),
                ("memcpy(interp, &initial._main_interpreter,\n               sizeof(*interp));",
                 "*interp = (PyInterpreterState)_PyInterpreterState_INIT;"),
                ("memcpy(tstate,\n               &initial._main_interpreter._initial_thread,\n"
                 "               sizeof(*tstate));",
                 "*tstate = (PyThreadState)_PyThreadState_INIT;")]:
            if text.count(old) != 1:
                raise BuildError("Python/pystate.c: cannot find %r" % old)
            text = text.replace(old, new)
        if re.search(r"&initial\b|\binitial\.", text):
            raise BuildError("Python/pystate.c: a use of its constant runtime state is left")
        return text
    edit_file(os.path.join(tree, "Python/pystate.c"), drop_initial)
    return sorted(kept)


def make_vars(tree, names):
    with open(os.path.join(tree, "cryo-print.mk"), "w") as f:
        f.write(PRINT_MK)
    out = subprocess.run(["make", "-s", "-f", "cryo-print.mk"]
                         + ["cryo-print-" + n for n in names],
                         cwd=tree, check=True, capture_output=True, text=True).stdout
    vals = {}
    for line in out.splitlines():
        k, _, v = line.partition("=")
        vals[k] = " ".join(v.split())
    return vals


def setup_rules(tree):
    """Module rules of the Setup files in makesetup's order (first rule wins):
    {name: (kind, [objects], [link words])}, kind static/shared/disabled."""
    rules = {}
    for fname in ("Modules/Setup.local", "Modules/Setup.stdlib", "Modules/Setup.bootstrap"):
        kind = "static"
        with open(os.path.join(tree, fname)) as f:
            for line in f:
                line = line.split("#", 1)[0].strip()
                if not line:
                    continue
                if line in ("*static*", "*shared*", "*disabled*"):
                    kind = line.strip("*")
                    continue
                words = line.split()
                name, rest = words[0], words[1:]
                srcs = [w for w in rest if w.endswith(".c")]
                flags = [w for w in rest if not w.endswith(".c")]
                libs = [w for w in flags if w.startswith("-l") or w.endswith(".a")]
                if not [w for w in flags if not w.startswith("-D")]:
                    libs = ["$(MODULE_%s_LDFLAGS)" % name.upper()]
                objs = ["Modules/" + s[:-2] + ".o" for s in srcs]
                rules.setdefault(name, (kind, objs, libs))
    return rules


def resolve_libs(words, tree):
    """Link words → static archives (absolute paths) or -l for glibc's."""
    out = []
    for w in words:
        if w.endswith(".a"):
            p = w if os.path.isabs(w) else os.path.join(tree, w)
            out.append(("archive-in-tree", p))
        elif w.startswith("-l"):
            lib = w[2:]
            if lib in GLIBC_LIBS:
                out.append(("arg", w))
                continue
            for d in LIB_DIRS:
                p = os.path.join(d, "lib%s.a" % lib)
                if os.path.exists(p):
                    out.append(("arg", p))
                    break
            else:
                raise BuildError("no static library for %s (lib%s.a) in %s; install its "
                                 "Debian -dev package (tools/install-deps.sh)"
                                 % (w, lib, ", ".join(LIB_DIRS)))
        elif w.startswith("-L") or not w:
            continue
        else:
            out.append(("arg", w))
    return out


def partial_link(log, tree, step, objs, out):
    log.run(step, ["gcc"] + PARTIAL_LINK + ["-o", out] + objs, cwd=tree)
    # LTO's partitions make the static functions they share global, under
    # names no C identifier can have (get_long.lto_priv.0, f.constprop.1,
    # f.part.0): two objects linked apart would then clash in a program.
    # Every reference to them is inside this object: make them local.
    log.run(step + " (localise)", ["objcopy", "--wildcard", "--localize-symbol=*.*", out],
            cwd=tree)


def build(root, key):
    os.makedirs(root, exist_ok=True)
    # CRYO_LIBPYTHON_RESUME=DIR (development only): redo the steps after
    # the second compile in DIR, a work directory kept from an earlier run
    # (CRYO_LIBPYTHON_KEEP=1 keeps it).
    resume = os.environ.get("CRYO_LIBPYTHON_RESUME")
    work = resume or os.path.join(root, "%s.tmp-%d" % (key, os.getpid()))
    if not resume:
        shutil.rmtree(work, ignore_errors=True)
        os.makedirs(work)
    log = Log(os.path.join(root, "%s.log" % key))
    say("building CPython 3.11.2 with PGO and LTO into %s (about 8 minutes on 2 cores; "
        "log: %s)" % (os.path.join(root, key), log.path))
    t0 = time.monotonic()

    def step(msg):
        say("[%3d s] %s" % (time.monotonic() - t0, msg))

    tree = os.path.join(work, SRC_DIR)
    env = dict(os.environ, MODULE_BUILDTYPE="static", CC="gcc", LC_ALL="C")
    for k in list(env):
        if k.startswith("PYTHON"):
            del env[k]
    if not resume:
        compile_tree(root, log, work, tree, env, step)
    post_process(root, key, log, work, tree, step, resume=bool(resume))


def compile_tree(root, log, work, tree, env, step):
    tarball = fetch(root, log)
    step("unpacking")
    log.run("unpack", ["tar", "xzf", tarball, "-C", work])
    shutil.copy(os.path.join(HERE, "Setup.local"), os.path.join(tree, "Modules/Setup.local"))
    for src in OWN_SOURCES:
        shutil.copy(os.path.join(HERE, src), os.path.join(tree, "Modules", src))
    frozen = trim_sources(tree)
    with open(os.path.join(work, "frozen.txt"), "w") as f:
        f.write(" ".join(frozen) + "\n")

    step("configuring")
    log.run("configure", ["./configure"] + CONFIGURE_ARGS
            + ["CFLAGS=" + CFLAGS, "CPPFLAGS=" + CPPFLAGS, "LDFLAGS=" + LDFLAGS],
            cwd=tree, env=env)
    # On Linux, 3.11's makesetup reads Setup.local and Setup.bootstrap but
    # not Setup.stdlib (setup.py builds those modules, shared).  Appended to
    # Setup.local, where configure made its first part *static*
    # (MODULE_BUILDTYPE), they are compiled like the core's builtins.
    with open(os.path.join(tree, "Modules/Setup.stdlib")) as f:
        stdlib_rules = f.read()
    with open(os.path.join(tree, "Modules/Setup.local"), "a") as f:
        f.write("\n# Modules/Setup.stdlib as configured:\n*static*\n" + stdlib_rules)
    log.run("makesetup", ["make", "Makefile"], cwd=tree, env=env)
    v = make_vars(tree, ["CFLAGS_NODIST", "LDFLAGS_NODIST", "PGO_PROF_GEN_FLAG",
                         "PGO_PROF_USE_FLAG"])

    step("compiling with profiling (1 of 2)")
    log.run("compile for profiling",
            ["make", "-j" + JOBS, "python", "pybuilddir.txt",
             "CFLAGS_NODIST=%s %s" % (v["CFLAGS_NODIST"], v["PGO_PROF_GEN_FLAG"]),
             "LDFLAGS_NODIST=%s %s" % (v["LDFLAGS_NODIST"], v["PGO_PROF_GEN_FLAG"])],
            cwd=tree, env=env)
    step("running the profile task (CPython's --pgo tests)")
    # As CPython's own run_profile_task: a failing test still profiles.
    log.run("profile", ["./python"] + PROFILE_TASK, cwd=tree, env=env, check=False)
    log.run("profile check", ["./python", "-c", "import _ssl, _sqlite3, _ctypes, _decimal"],
            cwd=tree, env=env)
    log.run("clean", ["make", "clean-retain-profile"], cwd=tree, env=env)

    step("compiling with the profile and LTO (2 of 2)")
    log.run("compile with profile",
            ["make", "-j" + JOBS, "libpython3.11.a",
             "CFLAGS_NODIST=%s %s %s" % (v["CFLAGS_NODIST"], v["PGO_PROF_USE_FLAG"],
                                         LTO_COMPILE),
             "LDFLAGS_NODIST=%s -fno-lto" % v["LDFLAGS_NODIST"]],
            cwd=tree, env=env)


def post_process(root, key, log, work, tree, step, resume=False):
    v = make_vars(tree, ["PGO_PROF_USE_FLAG", "LIBS", "LIBRARY_OBJS",
                         "PY_BUILTIN_MODULE_CFLAGS", "PY_STDMODULE_CFLAGS", "CCSHARED"])
    rules = setup_rules(tree)
    static = {n: r for n, r in rules.items() if r[0] == "static"}
    missing = sorted(n for n in debian_builtins()
                     if n not in static and n not in CORE_BUILTINS)
    if missing:
        raise BuildError("Debian's builtins %s have no static rule in this build; see %s"
                         % (", ".join(missing), log.path))
    core_names = set(bootstrap_names(tree)) | set(CORE_BUILTINS)
    optional = sorted(n for n in static if n not in core_names)
    shared = [n for n in optional if n in SHARED_MODULES]
    if len(shared) != len(SHARED_MODULES):
        raise BuildError("modules %s have no static rule in this build; see %s"
                         % (", ".join(sorted(set(SHARED_MODULES) - set(shared))), log.path))
    optional = [n for n in optional if n not in SHARED_MODULES]
    opt_objs = {o for n in optional + shared for o in static[n][1]}

    # The core's module table: Modules/config.c less the optional modules.
    with open(os.path.join(tree, "Modules/config.c")) as f:
        config = f.read()
    kept = []
    for line in config.splitlines():
        m = re.search(r"PyInit_(\w+)", line)
        if m and (m.group(1) in optional or m.group(1) in shared):
            continue
        kept.append(line)
    with open(os.path.join(tree, "Modules/config_core.c"), "w") as f:
        f.write("\n".join(kept) + "\n")
    log.run("core module table", ["sh", "-c", "gcc %s %s %s -c Modules/config_core.c -o "
                                  "Modules/config_core.o" % (v["PY_BUILTIN_MODULE_CFLAGS"],
                                                             v["PGO_PROF_USE_FLAG"],
                                                             LTO_COMPILE)], cwd=tree)

    # Not in the core: getpath.o (runtime/pathconfig_py311.c replaces it),
    # config.o (replaced by config_core.o) and the optional modules.
    core_objs = [o for o in v["LIBRARY_OBJS"].split()
                 if o not in opt_objs and o not in ("Modules/getpath.o", "Modules/config.o")]
    core_objs.append("Modules/config_core.o")
    out = os.path.join(work, "entry")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(os.path.join(out, "modules"))
    os.makedirs(os.path.join(out, "include"))
    shutil.copy(os.path.join(tree, "pyconfig.h"), os.path.join(out, "include/pyconfig.h"))

    step("link-time optimising the core (%d objects)" % len(core_objs))
    partial_link(log, tree, "partial LTO link of the core", core_objs,
                 os.path.join(out, "libpython-core.o"))
    core_link = []
    for n in sorted(core_names & set(static)):
        core_link += static[n][2]
    with open(os.path.join(work, "frozen.txt")) as f:
        frozen = f.read().split()
    lines = ["cryo-libpython %d" % MANIFEST_VERSION, "python 3.11.2",
             "core libpython-core.o", "frozen " + " ".join(frozen)]

    def expand(words):
        text = " ".join(words)
        names = re.findall(r"\$\((\w+)\)", text)
        if names:
            vals = make_vars(tree, names)
            text = re.sub(r"\$\((\w+)\)", lambda m: vals.get(m.group(1), ""), text)
        return text.split()

    args = []
    for kind, w in resolve_libs(expand(core_link + v["LIBS"].split()), tree):
        if kind == "archive-in-tree":
            raise BuildError("core module needs in-tree archive %s" % w)
        if w not in args:
            args.append(w)
    lines.append("core-link " + " ".join(args))

    step("link-time optimising %d extension modules" % len(optional))
    for n in optional:
        objs = list(static[n][1])
        margs = []
        for kind, w in resolve_libs(expand(static[n][2]), tree):
            if kind == "archive-in-tree":
                objs.append(w)     # bundled library (libmpdec): linked in
            elif w not in margs:
                margs.append(w)
        rel = "modules/%s.o" % n
        partial_link(log, tree, "partial LTO link of %s" % n, objs, os.path.join(out, rel))
        lines.append(" ".join(["module", n, rel] + margs))

    step("compiling %d table modules as shared objects" % len(shared))
    os.makedirs(os.path.join(out, "modules/lib-dynload"))
    for n in shared:
        rel = "modules/lib-dynload/%s.cpython-311-x86_64-linux-gnu.so" % n
        # As a shared stdlib module is built (Makefile.pre.in: its
        # PY_STDMODULE_CFLAGS and CCSHARED), without the profile: these are
        # table look-ups, and the profile was taken of non-PIC code.
        # Stripped, and the hardening a program's own link has.
        srcs = [o[:-2] + ".c" for o in static[n][1]]
        log.run("shared object %s" % n,
                ["sh", "-c", "gcc %s %s -shared -s -Wl,-z,relro -Wl,-z,now -Wl,-z,noexecstack "
                 "-o %s %s" % (v["PY_STDMODULE_CFLAGS"], v["CCSHARED"],
                               os.path.join(out, rel), " ".join(srcs))], cwd=tree)
        lines.append(" ".join(["shared", n, rel]))

    with open(os.path.join(out, "manifest.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    final = os.path.join(root, key)
    if resume:
        shutil.rmtree(final, ignore_errors=True)
    os.rename(out, final)
    if not os.environ.get("CRYO_LIBPYTHON_KEEP"):
        shutil.rmtree(work, ignore_errors=True)
    step("done: %s" % final)
    return final


def main(argv):
    locate = "--locate" in argv
    root = cache_root()
    key = cache_key()
    final = os.path.join(root, key)
    if locate:
        if os.path.exists(os.path.join(final, "manifest.txt")):
            print(final)
            return 0
        print("cryo: error: cryo's libpython is not built on this machine (expected %s); "
              "run tools/install-deps.sh, or configure with -Dlibpython=debian" % final,
              file=sys.stderr)
        return 1
    if os.path.exists(os.path.join(final, "manifest.txt")):
        say("reusing %s" % final)
        return 0
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, ".lock"), "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            say("another setup is building libpython; waiting for it")
            fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(os.path.join(final, "manifest.txt")):
            say("reusing %s" % final)
            return 0
        try:
            build(root, key)
        except BuildError as e:
            print("cryo: error: building libpython: %s" % e, file=sys.stderr)
            return 1
        except subprocess.CalledProcessError as e:
            print("cryo: error: building libpython: %s" % e, file=sys.stderr)
            return 1
        finally:
            if not os.environ.get("CRYO_LIBPYTHON_KEEP"):
                shutil.rmtree(os.path.join(root, "%s.tmp-%d" % (key, os.getpid())),
                              ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
