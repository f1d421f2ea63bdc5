# e2e-exit: 2
# atexit handlers run in reverse order of registration when the program
# ends with sys.exit(2), and what they print is flushed; a handler's
# exception is reported and the others still run.
import atexit
import sys


def bye(name):
    print("atexit:", name)


def broken():
    raise RuntimeError("handler failed")


atexit.register(bye, "first registered, runs last")
atexit.register(broken)
atexit.register(bye, "second registered")
atexit.register(print, "atexit: print itself, flush", flush=True)
atexit.unregister(print)
print("main body done")
sys.exit(2)
