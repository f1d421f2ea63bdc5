# e2e-args: alpha "two words" '' --flag=1 -x ünïcödé 'quote"inside' "$HOME" *.py
# sys.argv[1:] arrives untouched: spaces, empty strings, options, non-ASCII,
# and characters a shell would expand (no shell is involved).
import sys

args = sys.argv[1:]
print("count:", len(args))
for i, a in enumerate(args, 1):
    print(f"{i}: {a!r} ({len(a)} chars, {len(a.encode())} bytes)")
print("argv[0] is a non-empty str:", isinstance(sys.argv[0], str) and bool(sys.argv[0]))
