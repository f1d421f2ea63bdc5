"""Start-up profile, program 3 of 3 (tools/startup_order.py): a wide sweep of
the standard library's imports, for programs that import much more than
imports.py: their functions come after those of programs 1 and 2.
"""
import asyncio
import base64
import bisect
import calendar
import configparser
import contextlib
import copy
import csv
import dataclasses
import decimal
import difflib
import email.message
import email.utils
import fractions
import gettext
import glob
import gzip
import heapq
import hmac
import html.parser
import http.client
import inspect
import io
import ipaddress
import itertools
import locale
import lzma
import mimetypes
import operator
import pickle
import platform
import pprint
import queue
import random
import secrets
import selectors
import shlex
import socket
import sqlite3
import ssl
import statistics
import string
import tarfile
import threading
import tokenize
import traceback
import unicodedata
import urllib.parse
import urllib.request
import uuid
import weakref
import xml.etree.ElementTree as ET
import zipfile
import zlib

doc = ET.fromstring("<a><b x='1'/><b x='2'/></a>")
rows = list(csv.reader(io.StringIO("a,b\n1,2\n")))
print(len(doc), rows[1], statistics.mean([1, 2, 3]), fractions.Fraction(1, 3) * 3,
      decimal.Decimal("1.1") + 1, urllib.parse.urlsplit("http://x/y").path,
      ipaddress.ip_address("10.0.0.1").is_private, len(pickle.dumps(rows)),
      sorted(heapq.nsmallest(2, [3, 1, 2])), random.Random(1).random() < 1,
      uuid.UUID(int=1).version, base64.b64encode(b"x"), zlib.crc32(b"x"),
      textwrap_len := len(pprint.pformat(rows)), bool(inspect.isfunction(print)))
