# e2e-exit: -2
# An uncaught KeyboardInterrupt: python prints the traceback and then kills
# itself with SIGINT, so the parent sees "killed by signal 2".
print("before the interrupt", flush=True)


def handler():
    raise KeyboardInterrupt


try:
    handler()
finally:
    print("finally still runs")
