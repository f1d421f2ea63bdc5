# Package data and distribution metadata, read every way python3.11 allows:
# importlib.resources (files, Traversable, as_file), pkgutil.get_data, open() of a path built from __file__, os.path
# checks, os.listdir and os.scandir, pathlib; importlib.metadata of the
# distribution that installs mypkg (mypkg-1.2.0.dist-info, beside it).
import importlib.metadata as md
import importlib.resources as res
import os
import pathlib
import pkgutil

import mypkg

here = os.path.dirname(mypkg.__file__)
data = os.path.join(here, "data")

print("files:", res.files("mypkg").joinpath("data/settings.txt").read_text(encoding="utf-8"), end="")
print("is_dir:", res.files("mypkg").joinpath("data").is_dir(),
      "is_file:", (res.files("mypkg") / "data" / "blob.bin").is_file())
print("iterdir:", sorted(p.name for p in (res.files("mypkg") / "data").iterdir()))
blob = pkgutil.get_data("mypkg", "data/blob.bin")
print("get_data:", len(blob), blob[:4].hex(), blob[-2:].hex())
with res.as_file(res.files("mypkg") / "data" / "settings.txt") as real:
    print("as_file:", real.is_file(), real.read_text(encoding="utf-8").splitlines()[1])
print("exists:", os.path.exists(os.path.join(data, "settings.txt")),
      os.path.isfile(os.path.join(data, "blob.bin")), os.path.isdir(data),
      os.path.exists(os.path.join(data, "missing.txt")), os.path.getsize(os.path.join(data, "blob.bin")))
with open(os.path.join(data, "settings.txt"), encoding="utf-8") as f:
    print("open:", [line.split(" = ")[0] for line in f])
with open(os.path.join(data, "blob.bin"), "rb") as f:
    f.seek(10)
    print("open rb:", f.read(3).hex())
try:
    open(os.path.join(data, "missing.txt"))
except FileNotFoundError as e:
    print("missing:", type(e).__name__, e.errno)
print("listdir:", sorted(os.listdir(data)))
print("scandir:", sorted((e.name, e.is_file()) for e in os.scandir(data)))
print("pathlib:", pathlib.Path(data, "settings.txt").read_text(encoding="utf-8").split()[0],
      pathlib.Path(data, "blob.bin").exists(), sorted(p.name for p in pathlib.Path(data).iterdir()))
print("version:", md.version("mypkg"))
meta = md.metadata("mypkg")
print("metadata:", meta["Name"], meta["Summary"], meta["License"])
print("requires:", md.requires("mypkg"))
eps = md.entry_points(group="mypkg.plugins")
print("entry points:", sorted((ep.name, ep.value) for ep in eps))
print("loaded:", sorted(ep.load().__name__ for ep in eps))
print("files:", sorted(str(p) for p in md.files("mypkg")))
print("dist found:", "mypkg" in {d.metadata["Name"] for d in md.distributions()})
try:
    md.version("no-such-distribution")
except md.PackageNotFoundError as e:
    print("not found:", e)
