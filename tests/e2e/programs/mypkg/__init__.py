"""mypkg: a small package used by the e2e programs (pkg_app.py, exc_custom.py,
pkg_dynamic.py): relative imports, subpackages, a custom exception."""
from .core import process, describe
from . import util

VERSION = (1, 2, 0)
__all__ = ["process", "describe", "util", "VERSION"]
