# e2e-helper: imported by deep_frozen.py; its constants cover every kind a
# deep-frozen module holds (freezer/emit_py311.c), edge values included.
"""Constants of every kind, as static objects."""

INTS = (0, 1, -1, -5, -6, 256, 257, 2**30 - 1, 2**30, 2**60, -(2**63), 2**100,
        -(2**200), 10**40 + 7)
FLOATS = (0.0, -0.0, 1.5, -2.25e-300, 1e308, 5e-324, 1e400, -1e400, 1e400 * 0)
COMPLEX = (1j, -0j, 2.5 + 3j, complex(0, 1e400))
STRS = ("", "a", "\x7f", "\x80", "\xff", "\u0100", "caf\xe9", "\u03a9\u2248",
        "\U0001F600 non-BMP", r"raw \n\t\\ backslashes", "quote \" and ? and ??=",
        "nul \x00 inside", "x" * 3000)
BYTES = (b"", b"\x00", b"z", b"\x00\xff" * 50, b'\\"?', bytes(range(256)))
NESTED = (1, (2, (3, (4, ("deep", b"b", 2.5, None, ...)))), True, False)
EMPTY = ((), "", b"")


def member(x):
    return x in {1, "a", 2.5, None, (1, 2), b"b", 3j, frozenset}


def lambdas():
    return (lambda: "first", lambda y=(1, 2): y, lambda *, k=None: k)


def closure(n):
    total = n

    def inner(m):
        nonlocal total
        total += m
        return total
    return inner


class Klass:
    """A class docstring."""
    attr = frozenset({"x", "y"}) if True else None

    def method(self, a, /, b, *args, c=3, **kw):
        "A method docstring."
        return a, b, args, c, kw


def raises():
    try:
        1 / 0
    except ZeroDivisionError as e:
        raise ValueError("from a deep-frozen function") from e


# Run by the module's body only: the module's and the classes' code objects
# are its run-once block, whose pages are given back once the body has run
# (runtime/importer.c, dfz_release); a reload and loader.get_code() must
# still find them whole, the frozenset constant a frozenset again.
IN_BODY = ("b" in {"a", "b", "c"}, 10**30 + 1, (2.5, ("t", 3j)))


class Outer:
    class Inner:
        TAG = ("inner", 7, frozenset({"p"}))
    LIMIT = 2**70

    def get(self):
        return self.Inner.TAG
