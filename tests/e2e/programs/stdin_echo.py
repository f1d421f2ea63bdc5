# e2e-stdin: first line
# e2e-stdin:   indented by two spaces
# e2e-stdin: Grüße aus Köln — ça va? 日本語のテキスト 🐍
# e2e-stdin:
# e2e-stdin: last line
# Echoes stdin back with line numbers, and reports what it read (UTF-8).
# e2e-stdin-literal: "tab\tand trailing spaces   \nno final newline"
import sys

data = sys.stdin.read()
lines = data.splitlines()
for n, line in enumerate(lines, 1):
    print(f"{n:3d}| {line}")
print("lines:", len(lines))
print("chars:", len(data), "bytes:", len(data.encode("utf-8")))
print("non-ascii:", sorted({c for c in data if ord(c) > 127}))
