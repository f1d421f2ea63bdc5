# Frozen only: _cryo.stats()["image"] and CRYO_STATS report the program
# image's pages by segment kind (gc/image_pages.c): mapped, resident and
# written.  The figures must be consistent with each other and with the
# process's own accounting, code is never written, start-up writes static
# data (reference counts of static objects), and reading a static table
# makes its pages resident without writing them.  Exits 1 naming the first
# broken fact.
import sys

import _cryo

failures = []


def check(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what)
    if not ok:
        failures.append(what)


def image():
    return _cryo.stats()["image"]


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


before = image()
check(set(before) == {"text", "rodata", "data", "bss", "modules", "modbytes", "modonce"},
      f"the kinds are text, rodata, data, bss, modules, modbytes, modonce ({sorted(before)})")
for kind, v in before.items():
    check(0 <= v["written"] <= v["resident"] <= v["bytes"] and v["bytes"] % 4096 == 0,
          f"{kind}: 0 <= written {v['written']} <= resident {v['resident']} <= mapped "
          f"{v['bytes']}, whole pages")
check(before["text"]["bytes"] > 1 << 20 and before["text"]["resident"] > 0,
      "the code is mapped (more than 1 MiB) and partly resident")
check(before["text"]["written"] == 0 and before["rodata"]["written"] == 0,
      "code and read-only data are never written")
check(before["data"]["written"] > 0, "start-up wrote static data")
total = sum(v["resident"] for v in before.values())
check(total < rss_bytes(), f"the image's resident pages ({total}) are part of the RSS")

# Asking every code point's properties and case reads the core's character
# type tables (Objects/unicodectype.c: about 180 KB of read-only data)
# without writing any of it.  Most of the read-only data is resident after
# start-up (the kernel maps it around each fault), so its pages are dropped
# from this process first (MADV_DONTNEED: they are the file's, never
# written, and come back from it when read).
import ctypes  # noqa: E402
import os  # noqa: E402

exe = os.path.realpath(sys.executable)
with open("/proc/self/maps") as f:
    maps = [line.split() for line in f]
ro = min((int(m[0].split("-")[0], 16), int(m[0].split("-")[1], 16))
         for m in maps if len(m) == 6 and m[5] == exe and m[1] == "r--p")
pre = image()["rodata"]["resident"]
libc = ctypes.CDLL(None, use_errno=True)
libc.madvise.argtypes = (ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int)
check(libc.madvise(ro[0], ro[1] - ro[0], 4) == 0,
      f"dropped the read-only data's pages (errno {ctypes.get_errno()})")
before = image()
# (what this program touches again before it measures stays: with the
# modules imported below, about half)
check(before["rodata"]["resident"] < pre - (ro[1] - ro[0]) // 3,
      f"a third of the read-only data is no longer resident "
      f"({pre} -> {before['rodata']['resident']} of {ro[1] - ro[0]} bytes)")
props = 0
for c in map(chr, range(0x110000)):
    props += c.isalnum() + c.isprintable() + c.isnumeric() + (c.upper() != c)
after = image()
check(props > 250000, f"{props} properties hold")
check(after["rodata"]["resident"] > before["rodata"]["resident"] + (64 << 10),
      f"reading the type tables made read-only data resident "
      f"({before['rodata']['resident']} -> {after['rodata']['resident']} bytes)")
check(after["rodata"]["written"] == 0, "still none of it written")

# The deep-frozen modules' run-once blocks (their bodies' code objects):
# given back once each body has run (runtime/importer.c, dfz_release), so
# few of their pages stay written: the script's own (still running) and
# pages shared with a block whose module has not run.  Importing more
# modules (deep-frozen: imported at the script's top level) keeps it so.
import argparse, dataclasses, typing  # noqa: E401,E402,F401  (pure Python: no more
# linked read-only data for the test above)

once = image()["modonce"]
check(once["bytes"] > 64 << 10 and once["written"] < once["bytes"] // 4,
      f"most run-once pages were given back ({once['written']} of {once['bytes']} bytes "
      f"written)")

if failures:
    print(f"{len(failures)} facts broken")
    sys.exit(1)
print("OK")
