# Bytes and encodings: base64, binascii, hashlib (md5, sha1, sha256,
# sha512, blake2b), hmac, zlib, struct, uuid.uuid5/uuid3, codecs.
import base64
import binascii
import codecs
import hashlib
import hmac
import struct
import uuid
import zlib

data = "Frozen Python: ❄️ 3.11".encode()
print(base64.b64encode(data), base64.urlsafe_b64encode(b"\xfb\xff\xfe"), base64.b32encode(b"cryo"), base64.b16encode(b"\x01\xab"))
print(base64.b64decode(base64.b64encode(data)).decode(), base64.a85encode(b"hello"), base64.b85encode(b"hello"))
print(binascii.hexlify(b"\x00\x7f\xff", "-"), binascii.crc32(data), binascii.unhexlify("cafe"))

for name in ("md5", "sha1", "sha256", "sha512", "sha3_256", "blake2b"):
    print(name, hashlib.new(name, data).hexdigest())
h = hashlib.sha256()
for chunk in (b"a", b"b" * 1000, b"c"):
    h.update(chunk)
print("incremental:", h.hexdigest(), hashlib.md5(b"").hexdigest())
print("hmac:", hmac.new(b"key", b"message", "sha256").hexdigest(), hmac.compare_digest(b"a", b"a"))
print("blake2b keyed:", hashlib.blake2b(b"x", digest_size=16, key=b"k").hexdigest())

raw = ("repetitive text " * 500).encode()
comp = zlib.compress(raw, 9)
print("zlib:", len(raw), "->", len(comp), zlib.decompress(comp) == raw, zlib.crc32(raw), zlib.adler32(raw))
co = zlib.compressobj(wbits=-15)
stream = co.compress(raw) + co.flush()
print("raw deflate roundtrip:", zlib.decompress(stream, wbits=-15) == raw)
gz = zlib.compressobj(wbits=31)
gzdata = gz.compress(b"gzip me") + gz.flush()
print("gzip header:", gzdata[:3].hex(), zlib.decompress(gzdata, wbits=47))

packed = struct.pack("<iHd4sxq?", -5, 65535, 2.5, b"abcd", 2**40, True)
print(packed.hex(), struct.calcsize("<iHd4sxq?"), struct.unpack("<iHd4sxq?", packed))
print(struct.pack(">I", 1), struct.unpack_from("!h", b"\xff\xfe\x00", 0), list(struct.iter_unpack("<h", b"\x01\x00\x02\x00")))

print(uuid.uuid5(uuid.NAMESPACE_DNS, "example.com"), uuid.uuid3(uuid.NAMESPACE_URL, "https://python.org"))
u = uuid.UUID("12345678-1234-5678-1234-567812345678")
print(u.hex, u.int, u.version, u.urn, uuid.UUID(bytes=u.bytes) == u)

print(codecs.encode("hello", "rot13"), "ünï".encode("latin-1"), "€".encode("cp1252"), b"\xe2\x82\xac".decode("utf-8"))
print("ßtraße".encode("utf-16-le").hex(), "x".encode("utf-32"), "naïve".encode("ascii", "replace"), "naïve".encode("ascii", "xmlcharrefreplace"))
print(b"caf\xe9".decode("utf-8", "replace"), b"caf\xe9".decode("utf-8", "surrogateescape").encode("utf-8", "surrogateescape"))
print(codecs.decode(b"68656c6c6f", "hex"), "Ǆ".casefold(), bytes(range(5)), bytearray(b"abc").upper(), memoryview(b"xyz")[1:].tobytes())
