# e2e-exit: 1
# e2e-stderr: traceback
# An uncaught ValueError raised three calls deep: traceback, status 1.


def parse(text):
    return int(text)


def load(values):
    return [parse(v) for v in values]


def main():
    print("loaded:", load(["1", "2"]))
    print("loaded:", load(["3", "four"]))


main()
