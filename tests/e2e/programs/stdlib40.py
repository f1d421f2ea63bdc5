# Imports 40+ standard-library modules that need no extension-module files
# and prints one small deterministic fact from each.  Also used by the
# benchmarks (tools/) as the import-heavy start-up program: keep it quick.
import abc
import argparse
import ast
import base64
import bisect
import calendar
import collections
import colorsys
import contextlib
import copy
import csv
import dataclasses
import datetime
import decimal
import difflib
import dis
import email.utils
import enum
import fnmatch
import fractions
import functools
import getopt
import gettext
import hashlib
import heapq
import html
import inspect
import io
import ipaddress
import itertools
import json
import keyword
import linecache
import locale
import logging
import math
import numbers
import operator
import os
import pathlib
import pickle
import platform
import pprint
import queue
import random
import re
import secrets
import shlex
import shutil
import statistics
import string
import struct
import tempfile
import textwrap
import threading
import tokenize
import traceback
import types
import typing
import unicodedata
import urllib.parse
import uuid
import warnings
import weakref
import xml.etree.ElementTree as ET
import zlib

facts = [
    ("abc", issubclass(list, collections.abc.Sequence)),
    ("argparse", argparse.ArgumentParser(prog="p").parse_args([]).__class__.__name__),
    ("ast", ast.dump(ast.parse("x = 1 + 2").body[0].value)),
    ("base64", base64.b64encode(b"stdlib40").decode()),
    ("bisect", bisect.bisect([1, 3, 5, 7], 4)),
    ("calendar", calendar.day_name[0]),
    ("collections", collections.Counter("mississippi").most_common(1)),
    ("colorsys", tuple(round(v, 3) for v in colorsys.rgb_to_hsv(0.2, 0.4, 0.6))),
    ("contextlib", contextlib.suppress.__name__),
    ("copy", copy.deepcopy({"a": [1, 2]})),
    ("csv", next(csv.reader(['a,"b,c",d']))),
    ("dataclasses", dataclasses.fields(dataclasses.make_dataclass("P", ["x", "y"]))[1].name),
    ("datetime", datetime.date(2000, 1, 1).strftime("%j %a")),
    ("decimal", str(decimal.Decimal("1.10") + decimal.Decimal("2.205"))),
    ("difflib", difflib.SequenceMatcher(None, "abcd", "bcde").find_longest_match(0, 4, 0, 4).size),
    ("dis", dis.opname[100]),
    ("email.utils", email.utils.parseaddr("Ann <ann@example.com>")),
    ("enum", enum.Enum("E", "A B").B.value),
    ("fnmatch", fnmatch.fnmatch("x.py", "*.py")),
    ("fractions", str(fractions.Fraction(3, 12))),
    ("functools", functools.reduce(lambda a, b: a * b, range(1, 6))),
    ("getopt", getopt.getopt(["-a", "1", "rest"], "a:")),
    ("gettext", gettext.gettext("untranslated")),
    ("hashlib", hashlib.sha256(b"stdlib40").hexdigest()[:16]),
    ("heapq", heapq.nsmallest(3, [5, 2, 8, 1, 9])),
    ("html", html.escape("<&>")),
    ("inspect", str(inspect.signature(lambda a, b=2, *c, d, **e: None))),
    ("io", io.StringIO("x\ny").readlines()),
    ("ipaddress", str(ipaddress.ip_network("10.0.0.0/30").broadcast_address)),
    ("itertools", list(itertools.islice(itertools.cycle("ab"), 5))),
    ("json", json.dumps({"b": 1, "a": [None]}, sort_keys=True)),
    ("keyword", keyword.iskeyword("match"), keyword.issoftkeyword("match")),
    ("linecache", linecache.getline("/nonexistent", 1) == ""),
    ("locale", locale.getpreferredencoding(False)),
    ("logging", logging.getLevelName(30)),
    ("math", math.comb(40, 20)),
    ("numbers", isinstance(3.5, numbers.Real)),
    ("operator", operator.itemgetter(2)("abc")),
    ("os", os.path.join("a", "b", "..", "c"), os.sep),
    ("pathlib", pathlib.PurePosixPath("/x/y/z.txt").with_suffix(".md").name),
    ("pickle", pickle.loads(pickle.dumps((1, "two", 3.0)))),
    ("platform", platform.python_version_tuple()[:2]),
    ("pprint", pprint.pformat({"k": list(range(3))})),
    ("queue", queue.LifoQueue().empty()),
    ("random", random.Random(40).randint(0, 10**6)),
    ("re", re.sub(r"(\w+)@(\w+)", r"\2 at \1", "me@home")),
    ("secrets", len(secrets.token_hex(8))),
    ("shlex", shlex.split("a 'b c'")),
    ("shutil", shutil.which("definitely-not-a-command-e2e") is None),
    ("statistics", statistics.median([3, 1, 2])),
    ("string", string.hexdigits),
    ("struct", struct.pack(">H", 258).hex()),
    ("tempfile", os.path.isdir(tempfile.gettempdir())),
    ("textwrap", textwrap.wrap("a bb ccc dddd", 6)),
    ("threading", threading.current_thread().name),
    ("tokenize", [t.string for t in tokenize.generate_tokens(io.StringIO("x=1\n").readline)][:3]),
    ("traceback", traceback.format_exception_only(ValueError("v"))),
    ("types", types.SimpleNamespace(a=1)),
    ("typing", typing.get_args(typing.Union[int, str])),
    ("unicodedata", unicodedata.category("€")),
    ("urllib.parse", urllib.parse.urlparse("http://h:1/p?q#f").port),
    ("uuid", str(uuid.uuid5(uuid.NAMESPACE_OID, "stdlib40"))),
    ("warnings", warnings.filters is not None),
    ("weakref", type(weakref.WeakValueDictionary()).__name__),
    ("xml.etree", ET.tostring(ET.fromstring("<a><b/></a>")).decode()),
    ("zlib", zlib.crc32(b"stdlib40")),
]
for name, *values in facts:
    print(f"{name:14} {' '.join(repr(v) for v in values)}")
print(len(facts), "modules")
