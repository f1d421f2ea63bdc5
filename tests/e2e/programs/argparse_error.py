# e2e-args: --times notanumber
# e2e-exit: 2
# argparse rejects a bad option value: usage and error on stderr, status 2.
import argparse

parser = argparse.ArgumentParser(prog="tool")
parser.add_argument("--times", type=int, required=True)
args = parser.parse_args()
print("not reached", args)
