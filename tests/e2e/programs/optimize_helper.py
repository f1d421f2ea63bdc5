# e2e-helper: imported by optimize_o.py and optimize_oo.py
"""The helper's docstring."""


class Helper:
    """A class's docstring."""


def checks():
    try:
        assert False
    except AssertionError:
        return "kept"
    return "removed"
