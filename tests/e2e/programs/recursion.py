# Deep recursion: a RecursionError is caught and the program goes on;
# sys.setrecursionlimit works; a deeply nested data structure is walked.
import sys


def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)


def forever(n):
    return forever(n + 1)


print("limit:", sys.getrecursionlimit())
print("depth 900:", depth(900))
try:
    forever(0)
except RecursionError as e:
    print("recursion error:", e)
sys.setrecursionlimit(5000)
print("depth 4000:", depth(4000))
nested = []
cur = nested
for _ in range(500):
    nxt = []
    cur.append(nxt)
    cur = nxt


def measure(x):
    return 1 + max((measure(y) for y in x), default=0)


print("nesting:", measure(nested))
