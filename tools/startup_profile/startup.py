"""Start-up profile, program 1 of 3 (tools/startup_order.py):
the least a program does: start, write a line, read its arguments, exit.

Not a benchmark program (tools/bench_programs/ has those), so that the order is
not tuned to the programs that measure it.
"""
import sys

sys.stdout.write("profile: %d argument(s)\n" % (len(sys.argv) - 1))
