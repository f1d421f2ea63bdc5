#!/usr/bin/python3.11
"""make_seeds.py — writes the seed corpus of the fuzz harnesses
(tests/fuzz/corpus/<harness>/), committed beside it; run again only when
the formats change.  Trailers come from tests/e2e/cryo_format.py, the
tests' own reading of payload_format.h; the ELF seed is compiled here."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
import cryo_format as F  # noqa: E402


def put(harness, name, data):
    d = os.path.join(HERE, "corpus", harness)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def executable(image, payload, stage=b"", guards=()):
    t = {"version": 3, "flags": 0, "payload_offset": len(stage) + len(image),
         "payload_size": len(payload), "payload_crc": F.checksum(payload), "entry_count": 1,
         "image_offset": len(stage), "image_size": len(image), "image_crc": F.checksum(image),
         "guard_count": len(guards), "stage_crc": F.checksum(stage) if stage else 0,
         "guards": [(o, n, F.checksum(image[o:o + n])) for o, n in guards]}
    return stage + image + payload + F.write_trailer(t)


def lz4_literals(raw):
    """One LZ4 block of literals only (the last sequence of a block has no
    match): a token, the length's extension bytes, the bytes."""
    n = len(raw)
    out = bytearray([min(n, 15) << 4])
    if n >= 15:
        rest = n - 15
        while rest >= 255:
            out.append(255)
            rest -= 255
        out.append(rest)
    return bytes(out) + raw


def entry(offset, csize, usize, crc):
    return (offset.to_bytes(8, "little") + csize.to_bytes(4, "little")
            + usize.to_bytes(4, "little") + crc.to_bytes(4, "little"))


def main():
    image = b"\x7fELF" + bytes(range(256)) * 2
    put("trailer", "small", executable(image, b"payload bytes" * 7))
    put("trailer", "guarded", executable(image, b"p" * 300, stage=b"S" * 64,
                                         guards=[(0, 64), (100, 200)]))
    put("trailer", "empty_payload", executable(b"", b""))
    put("trailer", "no_trailer", b"\x7fELF" + b"\0" * 300)

    for name, raw in (("short", b"hello world"), ("long", bytes(range(200)) * 3)):
        block = lz4_literals(raw)
        put("member", name, entry(0, len(block), len(raw), F.checksum(raw)) + block)
    raw = b"abc" * 40
    block = lz4_literals(raw)
    put("member", "after_padding", entry(512, len(block), len(raw), F.checksum(raw))
        + b"\0" * 512 + block)
    # A native file's member: one zstd frame (zstd(1), from Debian's zstd).
    raw = bytes(range(256)) * 4
    frame = subprocess.run(["zstd", "-9", "-q", "-c"], input=raw, capture_output=True,
                           check=True).stdout
    put("member", "zstd_frame", entry(0, len(frame), len(raw), F.checksum(raw)) + frame)

    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "seed.c")
        so = os.path.join(d, "libseed.so")
        with open(src, "w") as f:
            f.write("#include <math.h>\ndouble seed(double x) { return sqrt(x); }\n")
        subprocess.run(["gcc", "-shared", "-fPIC", "-Os", "-s", "-Wl,-soname,libseed.so.1",
                        "-Wl,-rpath,$ORIGIN/lib", src, "-lm", "-o", so], check=True)
        put("elf", "libseed.so", open(so, "rb").read())

    put("config", "growth", b"\x02" + b"2.5\0json")
    put("config", "allocator", b"\x00" + b"python\0a.b")
    put("config", "pause", b"\x03" + b"12\0a/sub/x.bin")
    put("config", "bad", b"\x01" + b"1e999\0z\xc3\xa9")

    put("stamp", "matching", b"\x7fELF library\0" + b"123 1700000000 5 12\n")
    put("stamp", "empty", b"\0")


if __name__ == "__main__":
    main()
