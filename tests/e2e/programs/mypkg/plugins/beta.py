from . import AVAILABLE

NAME = "beta"


def run(x):
    return x * len(AVAILABLE)
