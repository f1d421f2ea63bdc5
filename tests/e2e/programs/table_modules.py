# The modules cryo's libpython builds as shared objects, which a program
# carries compressed and loads when first used (unicodedata, the CJK
# codecs), and what libpython's core and the standard library's extension
# modules import from C, which no scan of bytecode sees: unicodedata for
# \N{...} escapes, non-ASCII identifiers and the namereplace error handler;
# pyexpat for _elementtree; _strptime for datetime and time; copyreg for
# _pickle.
import codecs
import sys

# \N{...} in code compiled at run time, and in the unicode_escape codec.
print(eval(r'"\N{BULLET} \N{GREEK SMALL LETTER ALPHA}"'))
print(codecs.decode(rb"\N{EURO SIGN}", "unicode_escape"))
# Identifiers are NFKC-normalised by the compiler.
ns = {}
exec("\uff41 = 5\nb = a + 1", ns)
print(sorted(k for k in ns if k != "__builtins__"), ns["b"])
print("caf\u00e9 \u2603".encode("ascii", "namereplace"))

import unicodedata  # noqa: E402

print(unicodedata.unidata_version, unicodedata.normalize("NFKD", "\u00c5\ufb01"),
      unicodedata.lookup("SNOWMAN"), unicodedata.east_asian_width("\u3042"),
      unicodedata.ucd_3_2_0.bidirectional("\u05d0"))

# Every CJK codec both ways; the codec is named at run time.
text = "\u65e5\u672c\u8a9e \u4e2d\u6587 \ud55c\uad6d\uc5b4 ASCII"
for name in ("shift_jis", "euc_jp", "iso2022_jp_2", "cp932", "gb18030", "gbk", "hz",
             "big5", "big5hkscs", "cp950", "euc_kr", "cp949", "johab"):
    try:
        data = text.encode(name)
    except UnicodeEncodeError as e:
        data = text[:e.start].encode(name)
    print(name, data.hex()[:24], data.decode(name) == text[:len(data.decode(name))])
dec = codecs.getincrementaldecoder("euc_jp")()
print("incremental", [dec.decode(bytes([b])) for b in "\u65e5\u672c".encode("euc_jp")])

# What extension modules import from C.
import datetime as dt  # noqa: E402
import pickle as pk  # noqa: E402
import time as tm  # noqa: E402
import xml.etree.ElementTree as ET  # noqa: E402

root = ET.fromstring("<a x='1'><b>t\u00e9</b><b/></a>")
print(type(root).__module__, root.get("x"), [b.text for b in root.iter("b")])
print(dt.datetime.strptime("2026-12-03 13:45", "%Y-%m-%d %H:%M").isoformat())
print(tm.strptime("03 Dec 2026", "%d %b %Y")[:3])
print(pk.loads(pk.dumps({1, 2, frozenset("ab")}, protocol=2)) == {1, 2, frozenset("ab")})
sys.exit(0)
