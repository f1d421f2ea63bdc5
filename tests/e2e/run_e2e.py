#!/usr/bin/python3.11
"""run_e2e.py — freeze every program of programs/ with cryo, run the frozen
executable and `/usr/bin/python3.11 program.py` the same way (arguments,
stdin, environment without PYTHON*, LC_ALL=C.UTF-8, an empty working
directory each), and compare stdout, the exit status and stderr.

    /usr/bin/python3.11 tests/e2e/run_e2e.py [--cryo PATH] [-j N] [FILTER...]

FILTER selects programs by name: a substring or a glob (`exc_*`).  Prints
PASS/FAIL per program (with a diff on failure) and ends with the line
`N passed, M failed`, which CI parses.  Exit status 1 if anything failed.
See README.md for the header each program carries.
"""
import argparse
import fnmatch
import os
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_lib as L  # noqa: E402



def selected(prog, filters):
    if not filters:
        return True
    return any(f in prog.name or fnmatch.fnmatchcase(prog.name, f) for f in filters)


def run_program(prog, cryo, python, session_dir, src_dir):
    """Freeze and run one program in both worlds.  Returns (ok, report)."""
    work = os.path.join(session_dir, prog.name)
    os.makedirs(work)
    exe = os.path.join(work, prog.name)
    script = os.path.join(src_dir, os.path.basename(prog.path))
    env = L.clean_env(prog.env)

    build = L.freeze(cryo, script, exe, extra_args=prog.cryo_args, cwd=os.path.dirname(script))
    if build.returncode != 0 or build.timed_out:
        return False, (f"cryo build failed ({build.describe_status()}, {build.seconds:.1f}s):\n"
                       + L.indent(L.text(build.stderr).rstrip()))
    cwd_py = os.path.join(work, "cwd-python")
    cwd_fz = os.path.join(work, "cwd-frozen")
    os.makedirs(cwd_py)
    os.makedirs(cwd_fz)
    ref = L.run([python, *prog.python_args, script, *prog.args], stdin=prog.stdin, env=env, cwd=cwd_py, timeout=prog.timeout)
    frozen = L.run([exe, *prog.args], stdin=prog.stdin, env=env, cwd=cwd_fz, timeout=prog.timeout)
    problems = L.compare(ref, frozen, expected_exit=prog.exit, stderr_mode=prog.stderr_mode)
    timing = f"build {build.seconds:.1f}s, python {ref.seconds:.2f}s, frozen {frozen.seconds:.2f}s"
    if problems:
        return False, timing + "\n" + "\n".join(L.indent(p) for p in problems)
    return True, timing


def check_determinism(prog, python, session, src, seeds=("0", "1", "4242")):
    """For authors of programs: run one under python3.11 with several hash
    seeds (no cryo involved); its output must not depend on the seed."""
    script = os.path.join(src, os.path.basename(prog.path))
    runs = []
    for seed in seeds:
        cwd = tempfile.mkdtemp(dir=session)
        env = L.clean_env(prog.env)
        env["PYTHONHASHSEED"] = seed
        runs.append(L.run([python, *prog.python_args, script, *prog.args], stdin=prog.stdin, env=env, cwd=cwd, timeout=prog.timeout))
    problems = []
    for seed, r in zip(seeds[1:], runs[1:]):
        for p in L.compare(runs[0], r, expected_exit=prog.exit, stderr_mode=prog.stderr_mode):
            problems.append(f"PYTHONHASHSEED={seeds[0]} vs {seed}: {p}")
    return (not problems), ("deterministic" if not problems else "\n".join(problems))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("filters", nargs="*", metavar="FILTER", help="run only programs whose name contains FILTER or matches it as a glob")
    ap.add_argument("--cryo", default=os.environ.get("CRYO", L.DEFAULT_CRYO), help="the cryo executable (default: %(default)s)")
    ap.add_argument("--python", default=L.REFERENCE_PYTHON, help="the reference interpreter (default: %(default)s)")
    ap.add_argument("--programs", default=L.PROGRAMS_DIR, help="the programs folder (default: %(default)s)")
    ap.add_argument("-j", "--jobs", type=int, default=2, help="programs run in parallel (default: %(default)s)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (frozen executables, outputs)")
    ap.add_argument("--list", action="store_true", help="list the selected programs and exit")
    ap.add_argument("--check-programs", action="store_true",
                    help="no cryo: check that each program's python3.11 output is the same under several hash seeds")
    opts = ap.parse_args()

    try:
        programs = [p for p in L.discover(opts.programs) if selected(p, opts.filters)]
    except L.HeaderError as e:
        print(f"e2e: bad program header: {e}")
        print("0 passed, 1 failed")
        return 1
    if opts.list:
        for p in programs:
            print(p.name)
        return 0
    if not programs:
        print(f"e2e: no program matches {opts.filters}")
        print("0 passed, 1 failed")
        return 1
    cryo = None if opts.check_programs else L.check_cryo(opts.cryo)
    L.check_reference_python(opts.python)
    if cryo and L.libpython_of(cryo) == "debian":
        # With -Dlibpython=debian the standard library's extension modules
        # cannot be linked in (README, Limits): those programs cannot work.
        for p in programs:
            if p.libpython == "cryo":
                print(f"NOT RUN {p.name}: needs cryo's own libpython (this cryo links Debian's)")
        programs = [p for p in programs if p.libpython != "cryo"]

    session = tempfile.mkdtemp(prefix="cryo-e2e-")
    src = L.copy_programs(os.path.join(session, "src"), opts.programs)
    what = "checking programs under several hash seeds" if opts.check_programs else f"cryo {cryo}"
    print(f"e2e: {len(programs)} programs, {what}, {opts.jobs} jobs, work dir {session}", flush=True)
    t0 = time.monotonic()

    def check(prog):
        if opts.check_programs:
            return check_determinism(prog, opts.python, session, src)
        return run_program(prog, cryo, opts.python, session, src)

    return L.run_all("e2e", programs, lambda p: p.name, check, opts.jobs, session, t0,
                     keep=opts.keep)


if __name__ == "__main__":
    sys.exit(main())
