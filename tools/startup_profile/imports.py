"""Start-up profile, program 2 of 3 (tools/startup_order.py):
what a typical command-line program imports and does before its real work,
including extension modules that a frozen program links as builtins.
Functions it runs that startup.py does not are placed after startup.py's.
"""
import argparse
import collections
import dataclasses
import datetime
import enum
import functools
import hashlib
import json
import logging
import os
import pathlib
import re
import shutil
import struct
import subprocess
import tempfile
import textwrap
import typing


@dataclasses.dataclass
class Item:
    name: str
    size: int


class Kind(enum.Enum):
    FILE = 1
    DIR = 2


def main():
    parser = argparse.ArgumentParser(description="start-up profile")
    parser.add_argument("--count", type=int, default=3)
    args = parser.parse_args([])
    logging.basicConfig(level=logging.WARNING)
    items = [Item("item%d" % i, i * 10) for i in range(args.count)]
    data = json.dumps([dataclasses.asdict(i) for i in items], sort_keys=True)
    back = json.loads(data)
    words = re.findall(r"\w+", textwrap.dedent(data))
    counts = collections.Counter(words)
    digest = hashlib.sha256(data.encode()).hexdigest()
    stamp = datetime.datetime(2026, 1, 1).isoformat()
    path = pathlib.PurePosixPath("/tmp") / "x.txt"
    packed = struct.pack("<II", len(back), len(counts))
    cached = functools.lru_cache()(len)
    assert isinstance(typing.cast(int, 1), int) and shutil and subprocess and tempfile
    print(len(back), counts.most_common(1)[0][1] > 0, digest[:4], stamp[:4], path.suffix,
          len(packed), cached("ab"), Kind.FILE.name, os.sep)


main()
