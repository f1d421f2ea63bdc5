#!/usr/bin/python3.11
"""startup_order.py — the order of functions in a frozen program's text, for
a start-up that touches few pages.

    /usr/bin/python3.11 tools/startup_order.py CRYO OUT PROGRAM...

A program that starts, imports a little and exits runs a thousand-odd
functions of libpython and of cryo's runtime, spread over megabytes of
text; the kernel reads (and the process keeps resident) the pages around
each one it touches, 64 KiB at a time.  Placed together, those functions
take a few hundred KiB.  So the freezer links programs with lld's
--symbol-ordering-file (freezer/cc.c) naming, first, the functions that a
profile of short frozen programs ran.

The profile: each PROGRAM (tools/startup_profile/: a start-up, a set of
typical imports, and a wide sweep of the standard library; not the
benchmark's programs, so that the order is not tuned to what measures it) is frozen with CRYO, symbols kept, and run
under valgrind's callgrind, which names every function that ran: frozen
programs, not python3.11, since their start-up differs (no path search,
modules from the payload, cryo's allocator).  The order: what the first
program ran, then what the next ran besides, and so on; within each, the
functions that ran the most instructions first.  The names are the
symbols of libpython's objects and of cryo's libraries (all built with
function sections), which are the same in every program; a name a program
does not link is ignored by the linker.

Measured on hello world (tools/bench_programs/hello.py, not a profile
program), at exit: text resident 2,252 KB without the order, 1,324 KB with
it; peak RSS 8,196 KB and 7,368 KB (python3.11 -I -S: 7,664 KB).  Most of
what is left is .text.hot, where PGO put the functions start-up shares
with everything else.

Written to OUT by rename, so a failed run leaves the previous order (or
none) in place.  Meson runs this when the freezer or its libraries change
(freezer/meson.build).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile


def self_costs(path, binary):
    """{function: instructions it ran itself} of `binary`, from a callgrind
    output file (format: valgrind's manual, "Callgrind Format
    Specification": names are given once as "(id) name", then as "(id)";
    the cost line after a calls= line is the call's inclusive cost)."""
    names = {"ob": {}, "fn": {}}
    costs = {}
    ob = fn = None
    call_cost_next = False
    with open(path, errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            key, eq, val = line.partition("=")
            if eq and key in ("ob", "fn", "cob", "cfn"):
                kind = key[-2:]
                m = re.match(r"\((\d+)\)(?: (.*))?$", val)
                name = val
                if m:
                    if m.group(2) is not None:
                        names[kind][m.group(1)] = m.group(2)
                    name = names[kind].get(m.group(1), "")
                if key == "ob":
                    ob = name
                elif key == "fn":
                    fn = name
                continue
            if eq and key == "calls":
                call_cost_next = True
                continue
            if not line or not (line[0].isdigit() or line[0] in "+-*"):
                continue
            if call_cost_next:
                call_cost_next = False
                continue
            # valgrind 3.19 names no object for code in sections it does not
            # know as text (.text.hot, .text.unlikely, .text.startup, which
            # lld keeps apart): "???", with the function's name still known.
            # Only the frozen program has such sections here.
            if ob not in (binary, "???") or not fn:
                continue
            # "f'2": callgrind's name for a recursion level of f.
            sym = fn.split("'", 1)[0]
            if sym.startswith("0x"):
                continue               # no symbol
            parts = line.split()
            if len(parts) >= 2:
                costs[sym] = costs.get(sym, 0) + int(parts[-1])
    return costs


def profile(cryo, program, work):
    name = os.path.splitext(os.path.basename(program))[0]
    exe = os.path.join(work, name)
    out = os.path.join(work, name + ".callgrind")
    # CRYO_STAGE=0: valgrind reads the symbols of the ELF headers at the
    # file's start, which must then be the image's, not the first stage's.
    r = subprocess.run([cryo, "build", "--keep-symbols", program, "-o", exe],
                       capture_output=True, text=True, env=dict(os.environ, CRYO_STAGE="0"))
    if r.returncode != 0:
        sys.exit("startup_order: cannot freeze %s:\n%s" % (program, r.stderr))
    r = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out, exe],
                       capture_output=True, text=True, cwd=work,
                       env={k: v for k, v in os.environ.items() if not k.startswith("CRYO_")})
    if r.returncode != 0:
        sys.exit("startup_order: %s failed under valgrind (status %d):\n%s"
                 % (program, r.returncode, r.stderr[-2000:]))
    costs = self_costs(out, os.path.realpath(exe))
    if not costs:
        sys.exit("startup_order: the profile of %s names no function of %s" % (program, exe))
    return costs


def main(argv):
    if len(argv) < 3 or argv[0] in ("-h", "--help"):
        print(__doc__.strip().split("\n\n")[1], file=sys.stderr)
        return 2
    cryo, out, programs = argv[0], argv[1], argv[2:]
    if not shutil.which("valgrind"):
        sys.exit("startup_order: valgrind is not installed (apt-get install valgrind; "
                 "tools/install-deps.sh installs it)")
    order, placed = [], set()
    with tempfile.TemporaryDirectory(prefix="cryo-startup-order-") as work:
        for program in programs:
            costs = profile(cryo, os.path.abspath(program), work)
            for fn in sorted(costs, key=lambda n: (-costs[n], n)):
                if fn not in placed:
                    placed.add(fn)
                    order.append(fn)
    tmp = out + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(order) + "\n")
    os.replace(tmp, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
