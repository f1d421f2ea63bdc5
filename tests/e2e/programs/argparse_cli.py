# e2e-args: --verbose -n 3 --name "Ada Lovelace" add 4 5 6 --scale=2.5
# A command-line tool built with argparse: options, sub-commands, types,
# choices, defaults, and its help text.
import argparse
import sys

parser = argparse.ArgumentParser(prog="calc", description="A tiny calculator.")
parser.add_argument("-v", "--verbose", action="store_true", help="say more")
parser.add_argument("-n", "--times", type=int, default=1, help="repeat N times")
parser.add_argument("--name", default="world")
parser.add_argument("--color", choices=["red", "green"], default="green")
sub = parser.add_subparsers(dest="cmd", required=True)
add = sub.add_parser("add", help="add numbers")
add.add_argument("numbers", nargs="+", type=float)
add.add_argument("--scale", type=float, default=1.0)
mul = sub.add_parser("mul", help="multiply numbers")
mul.add_argument("numbers", nargs="*", type=int)

args = parser.parse_args()
print(sorted(vars(args).items()))
result = sum(args.numbers) * args.scale if args.cmd == "add" else None
for _ in range(args.times):
    print(f"hello {args.name}: {result}")
if args.verbose:
    print("verbose on", file=sys.stderr)
print(parser.format_help())
print(add.format_usage(), end="")
ns, rest = parser.parse_known_args(["--name", "x", "mul", "1", "2", "--unknown"])
print(ns.numbers, rest)
