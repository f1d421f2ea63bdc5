"""Imports from the parent package with `..`."""
from ..util import record
from . import LEVEL


def double(x):
    record("double")
    return 2 * x


def where():
    return f"{__name__} (level {LEVEL}, package {__package__})"
