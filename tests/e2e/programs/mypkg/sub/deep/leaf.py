"""Three levels down; reaches the top with `...`."""
from ... import util
from .. import helpers
from . import TAG


def weight(slug):
    util.record("weight")
    return sum(ord(c) for c in slug) % 97


def info():
    return (__name__, TAG, helpers.__name__)
