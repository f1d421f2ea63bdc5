# -*- coding: latin-1 -*-
# e2e-helper: imported by tb_sources.py: a source that is not UTF-8


def greet(name):
    word = "café"
    if not name:
        raise ValueError("no name for the " + word)
    return word + ", " + name
