"""cpu_generators.py — generators, closures, comprehensions and exceptions:
a small expression evaluator over generated trees (bench suite cpu)."""
import sys


def gen_tree(depth, seed):
    if depth == 0:
        return seed % 10
    op = "+-*"[seed % 3]
    return (op, gen_tree(depth - 1, seed * 7 + 1), gen_tree(depth - 1, seed * 13 + 3))


def walk(t):
    if isinstance(t, tuple):
        yield from walk(t[1])
        yield from walk(t[2])
        yield t[0]
    else:
        yield t


def evaluate(t):
    ops = {"+": lambda a, b: a + b, "-": lambda a, b: a - b,
           "*": lambda a, b: (a * b) % 1000003}
    stack = []
    for x in walk(t):
        if isinstance(x, str):
            b, a = stack.pop(), stack.pop()
            stack.append(ops[x](a, b))
        else:
            stack.append(x)
    return stack[0]


def checked(values):
    total = 0
    for v in values:
        try:
            if v % 5 == 0:
                raise ValueError(v)
            total += v
        except ValueError as e:
            total -= e.args[0]
    return total


def main(n):
    results = [evaluate(gen_tree(10, s)) for s in range(n)]
    print(checked(results), max(results), min(results))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 120)
