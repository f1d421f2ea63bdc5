# raise SystemExit(0) from deep inside, through finally blocks and a
# context manager: cleanups run, status is 0.
import contextlib


@contextlib.contextmanager
def resource(name):
    print("open", name)
    try:
        yield name
    finally:
        print("close", name)


def work(depth):
    if depth == 0:
        raise SystemExit(0)
    try:
        work(depth - 1)
    finally:
        print("unwinding", depth)


with resource("db"):
    work(3)
print("not reached")
