# e2e-exit: 1
# sys.exit with an object that is neither an int nor None: str(obj) goes to
# stderr and the status is 1.  sys.exit(None) inside a try is caught first.
import sys

try:
    sys.exit(None)
except SystemExit as e:
    print("caught SystemExit, code:", e.code)
try:
    sys.exit(256 + 7)
except SystemExit as e:
    print("caught SystemExit, code:", e.code)
sys.exit(["not", "an", "int"])
