# Files: pathlib in a temporary directory, tempfile, glob, shutil, os.walk,
# csv files, configparser files, file modes and encodings.
import configparser
import csv
import glob
import os
import pathlib
import shutil
import tempfile

with tempfile.TemporaryDirectory(prefix="e2e-") as tmp:
    root = pathlib.Path(tmp)
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "docs").mkdir()
    files = {
        "src/main.py": "print('hi')\n",
        "src/pkg/__init__.py": "",
        "src/pkg/util.py": "X = 1\n",
        "docs/index.md": "# Título ✓\n",
        "docs/notes.txt": "line 1\nline 2\n",
        "README": "readme",
    }
    for rel, text in files.items():
        (root / rel).write_text(text, encoding="utf-8")
    print("tree:", sorted(str(p.relative_to(root)) for p in root.rglob("*")))
    print("py files:", sorted(p.name for p in root.glob("**/*.py")))
    print("glob:", sorted(os.path.relpath(p, tmp) for p in glob.glob(os.path.join(tmp, "*", "*.*"))))
    print("recursive glob:", sorted(os.path.relpath(p, tmp) for p in glob.glob(os.path.join(tmp, "**", "*.py"), recursive=True)))
    md = root / "docs" / "index.md"
    print(md.name, md.stem, md.suffix, md.parent.name, md.read_text(encoding="utf-8").strip(), md.stat().st_size)
    print("exists:", md.exists(), (root / "nope").exists(), md.is_file(), md.parent.is_dir())
    print(pathlib.PurePosixPath("/a/b/../c.tar.gz").suffixes, pathlib.PurePosixPath("a/b").joinpath("c", "d").as_posix())
    walked = []
    for dirpath, dirnames, filenames in os.walk(tmp):
        dirnames.sort()
        walked.append((os.path.relpath(dirpath, tmp), sorted(filenames)))
    print("walk:", walked)
    shutil.copytree(root / "src", root / "backup")
    shutil.move(str(root / "backup" / "main.py"), str(root / "backup" / "moved.py"))
    print("backup:", sorted(p.name for p in (root / "backup").iterdir()))
    shutil.rmtree(root / "backup")
    print("after rmtree:", sorted(p.name for p in root.iterdir()))

    with open(root / "data.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["city", "pop"])
        w.writeheader()
        w.writerows([{"city": "Zürich", "pop": 421878}, {"city": "São Paulo", "pop": 12325232}])
    with open(root / "data.csv", newline="", encoding="utf-8") as f:
        print("csv:", [(r["city"], int(r["pop"])) for r in csv.DictReader(f)])

    cfg = configparser.ConfigParser()
    cfg["server"] = {"host": "localhost", "port": "8080", "debug": "yes"}
    cfg["paths"] = {"root": "/srv", "logs": "${root}/logs"}
    with open(root / "app.ini", "w") as f:
        cfg.write(f)
    cfg2 = configparser.ConfigParser(interpolation=configparser.ExtendedInterpolation())
    cfg2.read(root / "app.ini")
    print("ini:", cfg2.sections(), cfg2.getint("server", "port"), cfg2.getboolean("server", "debug"), cfg2["paths"]["logs"])

    with open(root / "bin.dat", "wb") as f:
        f.write(bytes(range(256)))
    with open(root / "bin.dat", "rb") as f:
        f.seek(250)
        print("binary tail:", list(f.read()), f.tell())
    with open(root / "append.txt", "a") as f:
        f.write("one\n")
    with open(root / "append.txt", "a") as f:
        print("two", file=f)
    print("appended:", (root / "append.txt").read_text().splitlines())
    (root / "latin.txt").write_bytes("café".encode("latin-1"))
    print("latin-1:", (root / "latin.txt").read_text(encoding="latin-1"))

    with tempfile.NamedTemporaryFile("w+", suffix=".log", dir=tmp, delete=False) as nf:
        nf.write("temp content")
        name = nf.name
    print("named temp:", os.path.basename(name).endswith(".log"), open(name).read())
    fd, path = tempfile.mkstemp(dir=tmp)
    os.write(fd, b"raw")
    os.close(fd)
    print("mkstemp:", pathlib.Path(path).read_bytes())
    with tempfile.SpooledTemporaryFile(max_size=10) as sf:
        sf.write(b"x" * 100)
        sf.seek(0)
        print("spooled:", len(sf.read()))
    kept = tmp
print("temp dir removed:", not os.path.exists(kept))
