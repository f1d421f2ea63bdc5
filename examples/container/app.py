"""The container recipe's program: a small command-line tool that uses the
standard library's native modules (sqlite3, hashlib, json)."""
import hashlib
import json
import sqlite3
import sys

db = sqlite3.connect(":memory:")
db.execute("create table words (w text)")
db.executemany("insert into words values (?)", [(w,) for w in sys.argv[1:] or ["hello", "world"]])
words = [w for (w,) in db.execute("select w from words order by w")]
print(json.dumps({"words": words, "sha256": hashlib.sha256(" ".join(words).encode()).hexdigest()[:16]}))
