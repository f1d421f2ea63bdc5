# Generators: yield, yield from, send/throw/close, generator expressions,
# infinite generators with itertools, and a pipeline.
import itertools


def count_up(n):
    i = 0
    while i < n:
        yield i
        i += 1


def chain_all(*iterables):
    for it in iterables:
        yield from it


def running_average():
    total = count = 0
    avg = None
    while True:
        try:
            value = yield avg
        except ValueError:
            print("  reset requested")
            total = count = 0
            avg = None
            continue
        total += value
        count += 1
        avg = total / count


def fib():
    a, b = 0, 1
    while True:
        yield a
        a, b = b, a + b


def delegator():
    result = yield from inner()
    yield f"inner returned {result!r}"


def inner():
    yield "inner 1"
    yield "inner 2"
    return "done"


def closing_gen(log):
    try:
        yield 1
        yield 2
    finally:
        log.append("closed")


print(list(count_up(5)))
print(list(chain_all("ab", [1, 2], range(3))))
avg = running_average()
next(avg)
for v in (10, 20, 30):
    print("avg:", avg.send(v))
avg.throw(ValueError)
print("after reset:", avg.send(7))
print("fib:", list(itertools.islice(fib(), 15)))
print("even squares:", sum(x * x for x in range(100) if x % 2 == 0))
print(list(delegator()))
log = []
g = closing_gen(log)
next(g)
g.close()
print("log:", log)
pipeline = (w.upper() for w in "the quick brown fox".split() if len(w) > 3)
print("pipeline:", list(pipeline))
gen = count_up(3)
print("exhausted:", list(gen), list(gen))
