# 100,000 lines of output in a mix of print() and sys.stdout.write(): checks
# buffering and the final flush.
import sys

for i in range(100_000):
    if i % 3 == 0:
        sys.stdout.write(f"{i:06d} {'x' * (i % 50)}\n")
    else:
        print(i, i * i, hex(i), sep="\t")
print("end of output", end="")
