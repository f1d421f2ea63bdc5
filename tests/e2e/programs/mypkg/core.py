"""Core of mypkg: pulls in a subpackage and a sub-subpackage relatively."""
from .sub import helpers
from .sub.deep import leaf
from .util import record, slugify


def process(items):
    record("process")
    return [helpers.double(leaf.weight(slugify(i))) for i in items]


def describe():
    return f"{__name__} in package {__package__}"
