"""gc suite workload: CPU-bound Python, in five timed sections.

numeric loops, method calls, string processing, recursion and generators: little memory and
few collections, so the allocator and collector should cost nothing here (the bar is parity
with the same program built with --allocator=python --gc=python, tools/README.md). Reports
each section's time (gc_probe.py), prints each section's result on stdout.
"""
import gc_probe


def numeric(n):
    """Integer and float arithmetic in plain loops."""
    acc, x = 0, 0.0
    for i in range(n):
        acc = (acc + i * i) % 1000003
        x = x * 0.999 + (i & 7) * 0.5
    return acc, round(x, 6)


class Vector:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y

    def add(self, other):
        return Vector(self.x + other.x, self.y + other.y)

    def scaled(self, k):
        return Vector(self.x * k, self.y * k)

    @property
    def norm1(self):
        return abs(self.x) + abs(self.y)


class Counter:
    def __init__(self):
        self.total = 0

    def feed(self, v):
        self.total += v.norm1


def methods(n):
    """Method calls, properties and small short-lived objects."""
    c, v, step = Counter(), Vector(0, 0), Vector(1, -2)
    for i in range(n):
        v = v.add(step).scaled(1 if i & 1 else -1)
        c.feed(v)
    return c.total


WORDS = ("alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta")


def strings(n):
    """Formatting, splitting, joining, replacing, searching."""
    count, length = 0, 0
    for i in range(n):
        line = "%s-%d %s,%s;%05d" % (WORDS[i & 7], i, WORDS[(i >> 3) & 7], WORDS[i % 5], i)
        parts = line.replace(";", ",").split(",")
        joined = "/".join(p.upper() for p in parts)
        count += joined.count("A") + ("ETA" in joined)
        length += len(f"{joined}:{i:x}")
    return count, length


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def ackermann(m, n):
    if m == 0:
        return n + 1
    if n == 0:
        return ackermann(m - 1, 1)
    return ackermann(m - 1, ackermann(m, n - 1))


def recursion(n):
    """Wide and deep recursion: Fibonacci and Ackermann."""
    total = 0
    for i in range(n):
        total += fib(20) + ackermann(2, 40 + i % 20)
    return total


def squares(n):
    for i in range(n):
        yield i * i


def pairs(it):
    prev = None
    for x in it:
        if prev is not None:
            yield x - prev
        prev = x


def generators(n):
    """Generator pipelines and generator expressions."""
    a = sum(d % 7 for d in pairs(squares(n)))
    b = sum(1 for x in (y * 3 for y in range(n)) if x % 5 == 1)
    return a, b


SECTIONS = ((numeric, 3_000_000), (methods, 800_000), (strings, 300_000),
            (recursion, 400), (generators, 2_000_000))


def main():
    gc_probe.start()
    s = gc_probe.scale()
    for fn, n in SECTIONS:
        with gc_probe.section(fn.__name__):
            result = fn(max(1, int(n * s)))
        print(fn.__name__, result)
    gc_probe.rss("end")
    gc_probe.done()


main()
