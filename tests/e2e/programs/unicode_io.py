# e2e-stdin: Ελληνικά
# e2e-stdin: Русский текст
# e2e-stdin: 中文 한국어 العربية
# e2e-stdin: emoji 👩‍💻🎉
# Unicode in and out: non-ASCII from stdin (UTF-8), to stdout and stderr,
# normalization, case mapping, width of combining characters.
import sys
import unicodedata

print("stdout encoding:", sys.stdout.encoding, "stdin:", sys.stdin.encoding, "errors:", sys.stdout.errors)
for line in sys.stdin:
    line = line.rstrip("\n")
    print(f"{line} | {len(line)} code points | {line.upper()} | reversed {line[::-1]}")
s = "e\u0301 vs \u00e9"
print(s, unicodedata.normalize("NFC", s) == unicodedata.normalize("NFC", "\u00e9 vs \u00e9"), len(s))
print([unicodedata.name(c) for c in "Ω€😀"])
print("Straße".upper(), "ǅ".lower(), "İ".lower().encode("utf-8"), "ﬁ".upper())
print("sorted:", sorted(["éclair", "apple", "Zebra", "ångström", "Äpfel"]))
print("surrogate-free:", "\U0001F600".encode("utf-8"), len("\U0001F600"))
print("Ünïcödé on stderr ✓", file=sys.stderr)
sys.stdout.buffer.write("raw bytes through the buffer: ñ\n".encode("utf-8"))
print("box: ┌─┐│└┘ arrows: ←↑→↓ math: ∑∫√∞≠")
