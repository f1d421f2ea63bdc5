#!/usr/bin/python3.11
"""test_damage_sweep.py — a frozen executable damaged anywhere is refused.

    /usr/bin/python3.11 tests/e2e/test_damage_sweep.py [--cryo PATH] [--flips N] [--seed S]

Freezes a small program and then, on a copy:
  cuts     the file cut at every multiple of 4096 bytes (every page of it),
           and one byte, one trailer and one trailer plus a byte short;
  flips    one bit flipped at N random offsets past the first stage (seeded,
           so a failure can be replayed with --seed), and in the bytes of the
           first stage that no code runs from (its padding, the section-header
           fields of its ELF header);
each run must end with status 127 and exactly one line on stderr, the
bootloader's "<argv0>: cannot start: '<path>' ...", and nothing on stdout:
no signal, no traceback, no silent run.  Flips in the first stage's own
code must never run silently; a few may end in a signal (reported).  The verdict stamp that lets later
starts skip the whole-file check (bootloader/guard.c) is created by the
pristine run first, so every damaged run also proves that a changed file is
checked again.  Then, on a program whose payload (a 14 MB data file) is larger
than its image: the default start does not read the unread member (cost
follows use), CRYO_VERIFY=all refuses a flip in it, and a flip in a member
the program reads is refused when it is read.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cryo_format as F  # noqa: E402
import e2e_lib as L  # noqa: E402

APP = """import json, sys
print(json.dumps({"argv": sys.argv[1:], "ok": True}))
"""
BIG = """import sys
from importlib import resources
print("big", len(sys.argv))
"""


def run(path, env):
    return subprocess.run(["./" + os.path.basename(path)], cwd=os.path.dirname(path), env=env,
                          stdin=subprocess.DEVNULL, capture_output=True, timeout=60)


def refused(r, path):
    """'' if `r` is the one-line refusal, else what is wrong."""
    err = r.stderr.decode(errors="replace")
    lines = err.splitlines()
    want = f"./{os.path.basename(path)}: cannot start: "
    if r.returncode < 0:
        return f"killed by signal {-r.returncode}"
    if r.returncode != 127:
        return f"exit {r.returncode} (stdout {r.stdout[:80]!r}, stderr {err[-200:]!r})"
    if r.stdout:
        return f"printed on stdout: {r.stdout[:80]!r}"
    if len(lines) != 1 or not lines[0].startswith(want) or "Traceback" in err:
        return f"stderr is not the one-line refusal: {err[-300:]!r}"
    return ""


def flip(path, off, bit):
    with open(path, "r+b") as f:
        f.seek(off)
        b = f.read(1)[0]
        f.seek(off)
        f.write(bytes([b ^ (1 << bit)]))


def stage_segment_end(data):
    phoff = int.from_bytes(data[32:40], "little")
    return int.from_bytes(data[phoff + 32:phoff + 40], "little")


def first_page_dead_bytes(data):
    """Offsets in the first stage that no code runs from: the padding after
    its one segment, and its ELF header's section-header fields (e_shoff,
    e_shnum, e_shstrndx), which the kernel ignores."""
    pad = list(range(stage_segment_end(data), F.STAGE_SIZE))
    rnd = random.Random(1)
    return sorted(rnd.sample(pad, min(8, len(pad)))) + [0x28, 0x2c, 0x3c, 0x3e]


def sweep(exe, env, flips, seed):
    problems = []
    data = open(exe, "rb").read()
    size = len(data)
    work = os.path.join(os.path.dirname(exe), "victim")
    shutil.copyfile(exe, work)
    os.chmod(work, 0o755)
    good = run(work, env)
    if good.returncode != 0:
        return [f"the undamaged copy fails: {good.returncode} {good.stderr[-300:]!r}"]

    # Cuts, longest first: each is one truncate of the same copy.
    cuts = sorted({size - 1, size - F.TRAILER_SIZE, size - F.TRAILER_SIZE - 1}
                  | set(range(4096, size, 4096)), reverse=True)
    bad = {}
    for n in cuts:
        os.truncate(work, n)
        why = refused(run(work, env), work)
        if why:
            bad.setdefault(why, []).append(n)
    for why, at in bad.items():
        problems.append(f"{len(at)} cut(s), e.g. at {at[:5]}: {why}")
    print(f"  cuts: {len(cuts)} positions, {len(cuts) - sum(map(len, bad.values()))} refused")

    shutil.copyfile(exe, work)
    rnd = random.Random(seed)
    offsets = [(rnd.randrange(F.STAGE_SIZE, size), rnd.randrange(8)) for _ in range(flips)]
    offsets += [(o, 0) for o in first_page_dead_bytes(data)]
    bad = {}
    for off, bit in offsets:
        flip(work, off, bit)
        why = refused(run(work, env), work)
        flip(work, off, bit)
        if why:
            bad.setdefault(why, []).append(off)
    for why, at in bad.items():
        problems.append(f"{len(at)} flip(s), e.g. at {at[:5]}: {why}")
    print(f"  flips: {len(offsets)}, {len(offsets) - sum(map(len, bad.values()))} refused")

    # The first stage's own code and constants: it checks its pages and
    # catches its own faults, but a flip in the few instructions that set
    # that up, or in the kernel's ELF headers, can still end in a signal
    # (measured: about 4 in 100).  What must never happen is a silent run.
    signals = refused_n = 0
    code = [(rnd.randrange(0xb0, stage_segment_end(data)), rnd.randrange(8)) for _ in range(60)]
    for off, bit in code:
        flip(work, off, bit)
        r = run(work, env)
        flip(work, off, bit)
        if r.returncode < 0:
            signals += 1
        elif r.returncode == 127 and not r.stdout:
            refused_n += 1
        else:
            problems.append(f"a flip in the first stage at {off:#x} ran: exit {r.returncode}")
    print(f"  flips in the first stage's code: {len(code)}, {refused_n} refused, "
          f"{signals} killed by a signal")
    r = run(work, env)
    if r.returncode != 0 or r.stdout != good.stdout:
        problems.append("the copy with every flip undone does not run as before")
    return problems


def stamp_cases(exe, env):
    """The verdict stamp: written by a first run, used by the next, and
    worthless once the file changes (here: its times)."""
    problems = []
    dbg = {**env, "CRYO_DEBUG": "1"}
    said = lambda r: b"verified before" in r.stderr  # noqa: E731
    first, second = run(exe, dbg), run(exe, dbg)
    if said(first) or not said(second):
        problems.append(f"stamp: first run skipped the check: {said(first)}, "
                        f"second run used the stamp: {said(second)}")
    os.utime(exe)
    if said(run(exe, dbg)):
        problems.append("stamp: used after the file's times changed")
    return problems


def big_payload_cases(cryo, d, env):
    problems = []
    blob = os.path.join(d, "blob.bin")
    with open(blob, "wb") as f:
        f.write(random.Random(5).randbytes(14 << 20))
    script = os.path.join(d, "big.py")
    with open(script, "w") as f:
        f.write(BIG)
    exe = os.path.join(d, "big")
    # --no-deep-freeze: the case flips a byte of __main__'s member, which a
    # deep-frozen __main__ does not have (its code is in the image, which
    # the sweep above damages).
    r = L.freeze(cryo, script, exe, extra_args=["--include-data", f"{blob}=bigpkg/blob.bin",
                                               "--no-deep-freeze"])
    if r.returncode != 0:
        return [f"cannot build the big-payload program: {L.text(r.stderr)}"]
    data = open(exe, "rb").read()
    t = F.read_trailer(data)
    if t["payload_size"] <= t["image_size"]:
        return [f"premise: payload {t['payload_size']} not larger than image {t['image_size']}"]
    blob_at = data.index(b"data/bigpkg/blob.bin\0", t["payload_offset"]) + 512 + 4096
    main_at = data.index(b"code/__main__\0", t["payload_offset"]) + 512 + 3
    good = run(exe, env)
    flip(exe, blob_at, 3)
    r = run(exe, env)
    if r.returncode != 0 or r.stdout != good.stdout:
        problems.append(f"a flip in a member never read stopped the default run: {refused(r, exe)}")
    why = refused(run(exe, {**env, "CRYO_VERIFY": "all"}), exe)
    if why:
        problems.append(f"CRYO_VERIFY=all ran with a flipped member: {why}")
    flip(exe, blob_at, 3)
    flip(exe, main_at, 1)
    why = refused(run(exe, env), exe)
    if why:
        problems.append(f"a flip in the member of __main__: {why}")
    return problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cryo", default=os.environ.get("CRYO", L.DEFAULT_CRYO))
    ap.add_argument("--flips", type=int, default=300)
    ap.add_argument("--seed", type=int, default=20261201)
    ap.add_argument("--keep", action="store_true")
    opts = ap.parse_args()
    cryo = L.check_cryo(opts.cryo)
    t0 = time.monotonic()
    d = tempfile.mkdtemp(prefix="cryo-e2e-sweep-")
    env = L.clean_env({"XDG_CACHE_HOME": os.path.join(d, "cache")})
    failed = passed = 0
    try:
        script = os.path.join(d, "app.py")
        with open(script, "w") as f:
            f.write(APP)
        exe = os.path.join(d, "app")
        r = L.freeze(cryo, script, exe)
        if r.returncode != 0:
            print(f"FAIL build\n{L.indent(L.text(r.stderr))}")
            return 1
        for name, case in (("damage sweep", lambda: sweep(exe, env, opts.flips, opts.seed)),
                           ("verdict stamp", lambda: stamp_cases(exe, env)),
                           ("payload larger than the image",
                            lambda: big_payload_cases(cryo, d, env))):
            problems = case()
            if problems:
                failed += 1
                print(f"FAIL {name}\n" + "\n".join(L.indent(p) for p in problems), flush=True)
            else:
                passed += 1
                print(f"PASS {name}", flush=True)
    finally:
        if opts.keep:
            print(f"kept {d}")
        else:
            shutil.rmtree(d, ignore_errors=True)
    print(f"sweep: {time.monotonic() - t0:.1f}s")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
