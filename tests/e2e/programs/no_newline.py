# Output without a final newline, through print(end=""), sys.stdout.write
# and the binary buffer: everything must be flushed at exit.
import sys

print("line one")
print("no newline here, ", end="")
sys.stdout.write("written with sys.stdout.write")
sys.stdout.buffer.write(b" + raw bytes")
sys.stderr.write("stderr without newline")
