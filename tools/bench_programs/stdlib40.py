"""Benchmark program: imports 63 standard-library modules, uses a few, prints one line.

Every module here is pure Python or built into Debian's python3.11: none loads a file from
/usr/lib/python3.11/lib-dynload (json, decimal, fractions, statistics, hashlib, typing, tempfile,
shutil, zipfile, tarfile, uuid and queue would, so they are left out; so is building an argparse
parser, which imports shutil). main() checks it, so that python3.11 and the frozen program do the
same work: it exits 3 if an extension-module file was loaded. With the single argument --ready it
also prints READY and stays alive a second, for ../shared/tools/tree_mem.py (see tools/README.md).
"""
import argparse
import ast
import base64
import binascii
import bisect
import calendar
import codecs
import collections
import concurrent.futures
import configparser
import contextlib
import copy
import csv
import dataclasses
import datetime
import difflib
import dis
import email.message
import email.parser
import email.utils
import enum
import fnmatch
import functools
import getopt
import gettext
import glob
import graphlib
import gzip
import heapq
import html
import html.parser
import inspect
import io
import ipaddress
import itertools
import locale
import logging
import mimetypes
import operator
import optparse
import pathlib
import pickle
import platform
import pprint
import random
import re
import reprlib
import selectors
import shlex
import socket
import string
import struct
import subprocess
import sys
import textwrap
import threading
import time
import tokenize
import traceback
import urllib.parse
import weakref
import xml.dom.minidom
import xml.etree.ElementTree


@dataclasses.dataclass
class Point:
    x: int
    y: int


def work():
    # A little of what a command-line tool does at start: parse arguments, a config, some text.
    # (argparse is only imported: building a parser imports shutil, which loads _bz2 and _lzma.)
    opts, rest = getopt.getopt(["-v", "in.txt"], "v")
    ns = optparse.OptionParser(prog="stdlib40").parse_args([])[0]
    cfg = configparser.ConfigParser()
    cfg.read_string("[main]\nname = cryo\nruns = 3\n")
    words = re.findall(r"\w+", textwrap.dedent("""
        freeze a program
        into one file, and run it
        """))
    rows = list(csv.reader(io.StringIO("a,b\n1,2\n")))
    tree = xml.etree.ElementTree.fromstring("<r><i n='1'/><i n='2'/></r>")
    url = urllib.parse.urlsplit("https://example.org/a?b=1")
    day = datetime.date(2024, 2, 29) + datetime.timedelta(days=1)
    pts = sorted(copy.deepcopy([Point(2, 1), Point(1, 2)]), key=operator.attrgetter("x"))
    blob = pickle.loads(pickle.dumps(collections.Counter(words)))
    packed = base64.b64encode(struct.pack("<II", len(rows), len(tree)))
    code = ast.dump(ast.parse("x = 1"))
    return "%s %s %s %d %d %s %s %d %s %s %d" % (
        opts[0][0], inspect.isclass(type(ns)), cfg["main"]["name"], len(blob), len(tree), url.netloc,
        day.isoformat(), pts[0].x, packed.decode(), calendar.isleap(2024), len(code))


def main():
    summary = work()
    ext = sorted(n for n, m in sys.modules.items()
                 if (getattr(m, "__file__", None) or "").endswith(".so"))
    if ext:
        print("stdlib40: extension-module files were loaded: " + " ".join(ext), file=sys.stderr)
        sys.exit(3)
    print("stdlib40 ok: " + summary)
    if sys.argv[1:] == ["--ready"]:      # for the cross-check with tree_mem.py (tools/README.md)
        print("READY", flush=True)
        time.sleep(1)


if __name__ == "__main__":
    main()
