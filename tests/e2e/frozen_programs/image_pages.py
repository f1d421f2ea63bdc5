# Frozen only: _cryo.stats()["image"] and CRYO_STATS report the program
# image's pages by segment kind (gc/image_pages.c): mapped, resident and
# written.  The figures must be consistent with each other and with the
# process's own accounting, code is never written, start-up writes static
# data (reference counts of static objects), and reading a static table
# makes its pages resident without writing them.  Exits 1 naming the first
# broken fact.
import sys
import unicodedata  # its name tables are read-only data of the image

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
check(set(before) == {"text", "rodata", "data", "bss"},
      f"the kinds are text, rodata, data, bss ({sorted(before)})")
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

# Looking up every character's name reads unicodedata's name tables (about
# 0.7 MB of read-only data) without writing any of it.
names = sum(1 for c in range(0x20, 0x30000) if unicodedata.name(chr(c), None))
after = image()
check(names > 100000, f"{names} characters have names")
check(after["rodata"]["resident"] > before["rodata"]["resident"] + (256 << 10),
      f"reading the name tables made read-only data resident "
      f"({before['rodata']['resident']} -> {after['rodata']['resident']} bytes)")
check(after["rodata"]["written"] == 0, "still none of it written")

if failures:
    print(f"{len(failures)} facts broken")
    sys.exit(1)
print("OK")
