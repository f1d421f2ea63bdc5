# OpenSSL's extension modules where no start imports them: cryo packs
# Debian's shared objects of _ssl and _hashlib with libssl and libcrypto
# (freezer/graph.c, cold_shared_natives) instead of linking them, and loads
# them when the program does.  Nothing here imports ssl or hashlib at start:
# pydoc reaches http.client (and ssl) only from its functions, uuid reaches
# hashlib only from uuid3() and uuid5(); the names below are computed at run
# time, so the freezer cannot see them either.
import importlib
import pydoc  # noqa: F401  (brings http.server, http.client and ssl, cold)
import sys
import uuid

print(uuid.uuid3(uuid.NAMESPACE_DNS, "cryo.example"), uuid.uuid5(uuid.NAMESPACE_URL, "cryo"))
ssl = importlib.import_module("".join(reversed("lss")))
hashlib = importlib.import_module("".join(reversed("bilhsah")))
ctx = ssl.create_default_context()
print(ctx.verify_mode == ssl.CERT_REQUIRED, ctx.check_hostname, ssl.HAS_TLSv1_3)
print(ssl.OPENSSL_VERSION.split()[0], ssl.OPENSSL_VERSION_INFO >= (3, 0))
print(hashlib.sha3_256(b"cryo").hexdigest(), hashlib.blake2b(b"cryo", digest_size=8).hexdigest())
print(hashlib.new("sha512_256", b"cryo").hexdigest()[:16], "md5" in hashlib.algorithms_available)
print(hashlib.pbkdf2_hmac("sha256", b"pw", b"salt", 1000).hex()[:16])
# python3.11 loads them from lib-dynload; the frozen program does too, from
# its own copy: neither has them built in.
print([m for m in ("_ssl", "_hashlib") if m in sys.builtin_module_names])
print(type(sys.modules["_ssl"].__spec__.loader).__name__ != "BuiltinImporter")
