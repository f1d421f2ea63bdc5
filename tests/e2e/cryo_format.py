"""The executable's trailer as bootloader/payload_format.h documents it,
read and written by the tests independently of cryo's C code: the damage
tests use it to find the image, the payload and the trailer, and to forge
trailers whose own checksum is right but whose fields lie.  A change of
the format that this file does not follow fails those tests, on purpose.
"""

TRAILER_SIZE = 200
STAGE_SIZE = 8192
GUARD_MAX = 8
_CRC_AT = TRAILER_SIZE - 4

_TABLE = []
for _i in range(256):
    _c = _i
    for _ in range(8):
        _c = (_c >> 1) ^ (0x82F63B78 if _c & 1 else 0)
    _TABLE.append(_c)


def _crc32c_update(crc, data):
    for b in data:
        crc = (crc >> 8) ^ _TABLE[(crc ^ b) & 0xFF]
    return crc


def checksum(data):
    """payload_format.h's BL_SUM: three lanes of CRC-32C over 24-byte groups
    (lane k takes the k-th 8-byte word of each group), the rest to lane 0,
    combined as lane0 ^ rotl(lane1, 11) ^ rotl(lane2, 22).  Pure Python:
    for trailers and small test files only."""
    lanes = [0xFFFFFFFF] * 3
    whole = len(data) - len(data) % 24
    for g in range(0, whole, 24):
        for k in range(3):
            lanes[k] = _crc32c_update(lanes[k], data[g + 8 * k:g + 8 * k + 8])
    lanes[0] = _crc32c_update(lanes[0], data[whole:])
    a, b, c = (x ^ 0xFFFFFFFF for x in lanes)
    rotl = lambda v, n: ((v << n) | (v >> (32 - n))) & 0xFFFFFFFF  # noqa: E731
    return a ^ rotl(b, 11) ^ rotl(c, 22)


_FIELDS = [("version", 8, 4), ("flags", 12, 4), ("payload_offset", 16, 8),
           ("payload_size", 24, 8), ("payload_crc", 32, 4), ("entry_count", 36, 4),
           ("image_offset", 40, 8), ("image_size", 48, 8), ("image_crc", 56, 4),
           ("guard_count", 60, 4), ("stage_crc", 192, 4)]


def read_trailer(data):
    """The fields of the trailer at the end of `data` (bytes), with
    "guards" a list of (offset, size, crc)."""
    t = data[-TRAILER_SIZE:]
    if len(t) != TRAILER_SIZE or t[:8] != b"\x7fCRYOTRL":
        raise ValueError("no cryo trailer")
    f = {name: int.from_bytes(t[at:at + n], "little") for name, at, n in _FIELDS}
    f["guards"] = [(int.from_bytes(t[64 + 16 * i:72 + 16 * i], "little"),
                    int.from_bytes(t[72 + 16 * i:76 + 16 * i], "little"),
                    int.from_bytes(t[76 + 16 * i:80 + 16 * i], "little"))
                   for i in range(f["guard_count"])]
    return f


def write_trailer(f):
    """The trailer bytes for fields `f` (as read_trailer returns), with a
    correct trailer checksum whatever the fields say."""
    t = bytearray(TRAILER_SIZE)
    t[:8] = b"\x7fCRYOTRL"
    for name, at, n in _FIELDS:
        t[at:at + n] = f[name].to_bytes(n, "little")
    for i, (off, size, crc) in enumerate(f["guards"]):
        t[64 + 16 * i:80 + 16 * i] = (off.to_bytes(8, "little") + size.to_bytes(4, "little")
                                      + crc.to_bytes(4, "little"))
    t[_CRC_AT:] = checksum(bytes(t[:_CRC_AT])).to_bytes(4, "little")
    return bytes(t)
