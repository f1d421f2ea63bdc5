# e2e-stdin: 1 2 3
# e2e-stdin: 4.5
# e2e-stdin:
# e2e-stdin: -10 1e3
# e2e-stdin: 0x10 is not a number
# Reads numbers from stdin, one or more a line, and sums them.
import sys

total = 0.0
count = 0
skipped = []
for lineno, line in enumerate(sys.stdin, 1):
    for word in line.split():
        try:
            total += float(word)
            count += 1
        except ValueError:
            skipped.append((lineno, word))
print(f"numbers: {count}")
print(f"sum: {total:.3f}")
print(f"skipped: {skipped}")
