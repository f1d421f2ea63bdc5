#!/usr/bin/python3.11
"""test_hardening.py — hardening checked, not assumed: NX, full RELRO, the
stack protector and _FORTIFY_SOURCE on cryo itself and on a frozen
program's image, and on the program's first stage NX with nothing writable
and nothing to load, all read from the ELF headers by elf_hardening.c
(libelf).

    /usr/bin/python3.11 tests/e2e/test_hardening.py --cryo PATH --checker PATH
"""
import argparse
import os
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import e2e_lib as L  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cryo", default=os.environ.get("CRYO", L.DEFAULT_CRYO))
    ap.add_argument("--checker", required=True)
    opts = ap.parse_args()
    cryo = L.check_cryo(opts.cryo)
    failed = passed = 0
    with tempfile.TemporaryDirectory(prefix="cryo-e2e-hardening-") as d:
        script = os.path.join(d, "app.py")
        with open(script, "w") as f:
            f.write("import json\nprint(json.dumps([1, 2]))\n")
        exe, image = os.path.join(d, "app"), os.path.join(d, "app.elf")
        r = L.freeze(cryo, script, exe)
        i = L.run([cryo, "inspect", exe, "--image", image]) if r.returncode == 0 else r
        if i.returncode != 0:
            print(f"FAIL build\n{L.indent(L.text(r.stderr + i.stderr))}")
            return 1
        for what, kind, path in (("cryo", "dynamic", cryo), ("a frozen program's image", "dynamic", image),
                                 ("a frozen program's first stage", "stage", exe)):
            c = subprocess.run([opts.checker, kind, path], capture_output=True, text=True)
            if c.returncode == 0:
                passed += 1
                print(f"PASS {what}\n{L.indent(c.stdout.strip())}")
            else:
                failed += 1
                print(f"FAIL {what}\n{L.indent(c.stdout.strip() + c.stderr)}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
