#!/usr/bin/python3.11
"""test_container_recipe.py — examples/container's steps, without a container
engine: freeze examples/container/app.py as its Dockerfile does (with
--sbom, then cryo inspect), check that ldd lists only glibc, and run the
one file in a root holding only the dynamic loader and glibc's libraries,
as in gcr.io/distroless/base-debian12; its output must be python3.11's.

    sudo /usr/bin/python3.11 tests/e2e/test_container_recipe.py [--cryo PATH]

Needs root (chroot), like chroot_test.py, whose root it uses.
"""
import argparse
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chroot_test as C  # noqa: E402
import e2e_lib as L  # noqa: E402

APP = os.path.join(L.SOURCE_ROOT, "examples", "container", "app.py")


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().split("\n\n")[0])
    ap.add_argument("--cryo", default=os.environ.get("CRYO", L.DEFAULT_CRYO))
    opts = ap.parse_args()
    cryo = L.check_cryo(opts.cryo)
    L.require_root("the container recipe's test (chroot)")
    problems = []
    with tempfile.TemporaryDirectory(prefix="cryo-recipe-") as work:
        os.chmod(work, 0o755)
        exe = os.path.join(work, "app")
        r = L.freeze(cryo, APP, exe, extra_args=["--sbom", os.path.join(work, "app.cdx.json")])
        if r.returncode != 0:
            problems.append("cryo build failed:\n" + L.indent(L.text(r.stderr)))
        else:
            i = L.run([cryo, "inspect", exe], env=L.clean_env())
            if i.returncode != 0 or b"built by cryo" not in i.stdout:
                problems.append("cryo inspect failed: " + L.text(i.stderr))
            image = C.program_image(cryo, exe)
            libs = C.ldd_libraries(image)
            try:
                C.check_only_glibc(libs)
            except C.ChrootError as e:
                problems.append(str(e))
            env = L.clean_env({"LC_ALL": "C"})
            args = ["one", "two"]
            ref = L.run([L.REFERENCE_PYTHON, APP, *args], env=env, cwd=work)
            with C.Chroot(work, libs, C.elf_interpreter(image)) as ch:
                shutil.copy2(exe, os.path.join(ch.root, "app"))
                ch.make_read_only()
                got = L.run(["chroot", ch.root, "/app", *args], env=env)
            problems += L.compare(ref, got, expected_exit=0, stderr_mode="full")
    name = "container recipe (examples/container) in a glibc-only, read-only root"
    if problems:
        print("FAIL " + name)
        for p in problems:
            print(L.indent(p))
        print("0 passed, 1 failed")
        return 1
    print("PASS " + name)
    print("1 passed, 0 failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
