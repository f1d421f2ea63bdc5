# Uses the standard library's extension modules (Debian's lib-dynload, linked
# into the executable by cryo's libpython): ssl, hashlib through OpenSSL,
# sqlite3, ctypes calling libc, decimal, lzma, bz2, _json, asyncio's C
# parts, uuid, mmap, array, select, termios, and the CJK codecs.
import array
import asyncio
import bz2
import ctypes
import decimal
import hashlib
import json
import json.decoder
import lzma
import mmap
import select
import sqlite3
import ssl
import sys
import uuid

import _json

ctx = ssl.create_default_context()
print("ssl", ctx.verify_mode == ssl.CERT_REQUIRED, ctx.check_hostname,
      ssl.OPENSSL_VERSION.split()[0], ssl.HAS_TLSv1_3)
print("sha3_256", hashlib.sha3_256(b"cryo").hexdigest()[:16])
print("blake2b", hashlib.blake2b(b"cryo", digest_size=8).hexdigest())
print("openssl sha512_256", hashlib.new("sha512_256", b"cryo").hexdigest()[:16])
print("pbkdf2", hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 1000).hex()[:16])
print("algorithms", sorted(a for a in hashlib.algorithms_available if a.startswith("sha3")))

db = sqlite3.connect(":memory:")
db.execute("create table t (k text primary key, v integer)")
db.executemany("insert into t values (?, ?)", [("a", 1), ("b", 2), ("c", 3)])
print("sqlite3", db.execute("select sum(v), group_concat(k, '') from t").fetchone(),
      sqlite3.sqlite_version_info >= (3, 7))

libc = ctypes.CDLL("libc.so.6")
libc.strlen.restype = ctypes.c_size_t
print("ctypes strlen", libc.strlen(b"frozen"), ctypes.sizeof(ctypes.c_long))
buf = ctypes.create_string_buffer(16)
libc.snprintf(buf, 16, b"%d-%s", 42, b"ok")
print("ctypes snprintf", buf.value)

decimal.getcontext().prec = 30
print("decimal", decimal.Decimal(1) / decimal.Decimal(7), type(decimal.Decimal(1)).__module__)

data = b"cryo " * 1000
print("lzma", len(lzma.compress(data)) < len(data), lzma.decompress(lzma.compress(data)) == data)
print("bz2", bz2.decompress(bz2.compress(data)) == data)
print("_json", json.decoder.scanstring is _json.scanstring,
      json.loads('{"a": [1, 2.5, "x"]}'), json.dumps({"b": None}))


async def main():
    fut = asyncio.get_running_loop().create_future()
    asyncio.get_running_loop().call_soon(fut.set_result, 7)
    return await fut + sum(await asyncio.gather(*(asyncio.sleep(0, i) for i in range(4))))

print("asyncio", asyncio.run(main()), asyncio.Future.__module__)
print("uuid", uuid.UUID("12345678123456781234567812345678").hex[:8], uuid._uuid is not None)

with mmap.mmap(-1, 4096) as m:
    m.write(b"mapped")
    m.seek(0)
    print("mmap", m.read(6))
print("array", array.array("i", [3, 1, 2]).tolist(), array.array("d", [0.5]).itemsize)
r, w = __import__("os").pipe()
__import__("os").write(w, b"x")
print("select", select.select([r], [], [], 1.0)[0] == [r], hasattr(select, "epoll"))
try:
    import termios
    termios.tcgetattr(sys.stdin.fileno())
    print("termios tty")
except termios.error as e:
    print("termios", type(e).__name__)
print("cjk", "中文".encode("gb18030").hex(), "日本".encode("shift_jis").hex(),
      "한국".encode("euc_kr").hex())
