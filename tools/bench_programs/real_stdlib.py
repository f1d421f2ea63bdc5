"""Benchmark program (--suite real): the standard library's native modules a typical
service imports (ssl, sqlite3, hashlib, decimal, json), each used a little.
With --ready it prints READY and stays alive a second, for the memory meter."""
import decimal
import hashlib
import json
import sqlite3
import ssl
import sys
import time

ctx = ssl.create_default_context()
db = sqlite3.connect(":memory:")
db.execute("create table t (k text, v real)")
db.executemany("insert into t values (?, ?)", [("k%d" % i, i * 1.5) for i in range(100)])
total = db.execute("select sum(v) from t").fetchone()[0]
digest = hashlib.sha256(b"cryo" * 1000).hexdigest() + hashlib.blake2b(b"x").hexdigest()[:8]
money = sum(decimal.Decimal("0.10") for _ in range(100))
doc = json.loads(json.dumps({"total": total, "money": str(money), "d": digest[:16]}))
print(doc["total"], doc["money"], doc["d"], ctx.verify_mode == ssl.CERT_REQUIRED)
if sys.argv[1:] == ["--ready"]:
    print("READY", flush=True)
    time.sleep(1)
