#!/usr/bin/python3.11
"""run_frozen_only.py — programs about cryo's own behaviour, which
python3.11 does not share (start-up objects frozen before __main__, the
collector policy): each program of frozen_programs/ is frozen and run, and
checks itself: it prints one `ok:`/`FAIL:` line per fact and ends with the
line `OK` and status 0 when every fact holds.

    /usr/bin/python3.11 tests/e2e/run_frozen_only.py [--cryo PATH] [-j N] [--python] [FILTER...]

The programs use the header of programs/ (README.md): e2e-args, e2e-env,
e2e-timeout, e2e-cryo-args, e2e-exit (default 0).  --python also runs each
program under python3.11 and shows how it fares there, for information
only (python3.11 is expected to fail these).  Ends with the line
`N passed, M failed`; exit status 1 if anything failed.
"""
import argparse
import fnmatch
import os
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import e2e_lib as L  # noqa: E402

FROZEN_PROGRAMS_DIR = os.path.join(HERE, "frozen_programs")


def run_program(prog, cryo, python, session, src, also_python):
    work = os.path.join(session, prog.name)
    os.makedirs(work)
    exe = os.path.join(work, prog.name)
    script = os.path.join(src, os.path.basename(prog.path))
    env = L.clean_env(prog.env)
    build = L.freeze(cryo, script, exe, extra_args=prog.cryo_args, cwd=os.path.dirname(script))
    if build.returncode != 0 or build.timed_out:
        return False, (f"cryo build failed ({build.describe_status()}, {build.seconds:.1f}s):\n"
                       + L.indent(L.text(build.stderr).rstrip()))
    cwd = os.path.join(work, "cwd")
    os.makedirs(cwd)
    r = L.run([exe, *prog.args], stdin=prog.stdin, env=env, cwd=cwd, timeout=prog.timeout)
    out = L.text(r.stdout).rstrip("\n")
    ok = (not r.timed_out and r.returncode == prog.exit
          and (prog.exit != 0 or out.split("\n")[-1] == "OK"))
    report = f"build {build.seconds:.1f}s, frozen {r.seconds:.2f}s"
    if ok:
        report += ")"
    else:
        report += f", {r.describe_status()}\n" + L.indent(out)
        if r.stderr:
            report += "\n    stderr:\n" + L.indent(L.text(r.stderr).rstrip("\n"), "      ")
    if also_python:
        pcwd = os.path.join(work, "cwd-python")
        os.makedirs(pcwd)
        p = L.run([python, *prog.python_args, script, *prog.args], stdin=prog.stdin, env=env, cwd=pcwd, timeout=prog.timeout)
        broken = [line for line in L.text(p.stdout).split("\n") if line.startswith("FAIL:")]
        report += (f"\n    python3.11 (information): {p.describe_status()}, {p.seconds:.2f}s"
                   + "".join(f"\n      {line}" for line in broken))
    return ok, report


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("filters", nargs="*", metavar="FILTER")
    ap.add_argument("--cryo", default=os.environ.get("CRYO", L.DEFAULT_CRYO))
    ap.add_argument("--python", dest="also_python", action="store_true",
                    help="also run each program under python3.11, for information")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--keep", action="store_true")
    opts = ap.parse_args()
    try:
        programs = [p for p in L.discover(FROZEN_PROGRAMS_DIR)
                    if not opts.filters or any(f in p.name or fnmatch.fnmatchcase(p.name, f) for f in opts.filters)]
    except L.HeaderError as e:
        print(f"frozen-only: bad program header: {e}")
        print("0 passed, 1 failed")
        return 1
    if not programs:
        print(f"frozen-only: no program matches {opts.filters}")
        print("0 passed, 1 failed")
        return 1
    cryo = L.check_cryo(opts.cryo)
    L.check_reference_python(L.REFERENCE_PYTHON)
    session = tempfile.mkdtemp(prefix="cryo-frozen-only-")
    src = L.copy_programs(os.path.join(session, "src"), FROZEN_PROGRAMS_DIR)
    print(f"frozen-only: {len(programs)} programs, cryo {cryo}, {opts.jobs} jobs, work dir {session}", flush=True)
    t0 = time.monotonic()

    def check(prog):
        return run_program(prog, cryo, L.REFERENCE_PYTHON, session, src, opts.also_python)

    return L.run_all("frozen-only", programs, lambda p: p.name, check, opts.jobs, session, t0,
                     keep=opts.keep)


if __name__ == "__main__":
    sys.exit(main())
