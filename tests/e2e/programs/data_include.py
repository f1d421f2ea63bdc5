# e2e-cryo-args: --include-data assets=assets --include-data assets/app.conf=conf/app.conf --exclude-data 'assets/*.md'
# Files that are not in any package, packed with --include-data SRC=DEST and
# read next to the script: a directory and a single file at another path.
# (NOTES.md is excluded from the executable; the program reads only what
# both worlds have.)
import os

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "assets", "app.conf")) as f:
    print(f.read().strip())
with open(os.path.join(here, "assets", "icons", "logo.bin"), "rb") as f:
    print(f.read())
print(sorted(n for n in os.listdir(os.path.join(here, "assets")) if not n.endswith(".md")))
conf = os.path.join(here, "conf", "app.conf")
if os.path.exists(conf):            # only in the executable: DEST differs from SRC
    with open(conf) as f:
        assert f.read().strip() == "title = demo"
print("ok")
