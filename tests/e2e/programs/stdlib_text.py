# Text processing from the standard library: json, re, textwrap, string,
# difflib, pprint, shlex, fnmatch, html, urllib.parse, csv, io.
import csv
import difflib
import fnmatch
import html
import io
import json
import pprint
import re
import shlex
import string
import textwrap
import urllib.parse

doc = {"name": "cryo", "tags": ["c", "python", "freeze"], "nested": {"a": 1, "b": [True, None, 2.5]},
       "unicode": "naïve café ☕"}
text = json.dumps(doc, sort_keys=True, indent=2)
print(text)
print(json.loads(text) == doc, json.dumps(doc["unicode"]), json.dumps(doc["unicode"], ensure_ascii=False))
try:
    json.loads('{"a": 1,}')
except json.JSONDecodeError as e:
    print("json error:", e.msg, e.lineno, e.colno)

log = """2024-01-02 ERROR disk full on /dev/sda1
2024-01-02 INFO started worker 7
2024-01-03 WARNING slow response 1234ms
2024-01-04 ERROR timeout after 30s"""
pat = re.compile(r"^(?P<date>\d{4}-\d\d-\d\d) (?P<level>[A-Z]+) (?P<msg>.*)$", re.M)
for m in pat.finditer(log):
    print(m.group("level"), "|", m["date"], "|", m.group("msg"))
print(re.sub(r"(\d+)(ms|s)\b", lambda m: f"<{int(m[1]) * (1 if m[2] == 'ms' else 1000)}ms>", log.splitlines()[3]))
print(re.findall(r"\b\w{5,}\b", "Quick brown foxes jumped over lazy dogs"))
print(re.split(r"[,;]\s*", "a, b;c ,d"), re.fullmatch(r"[a-z]+", "abc") is not None)

para = "The quick brown fox jumps over the lazy dog. " * 4
print(textwrap.fill(para, width=38, initial_indent="> ", subsequent_indent="  "))
print(textwrap.dedent("""\
        indented
          more
        back"""))
print(textwrap.shorten("Hello   world, this is a long sentence", width=20, placeholder="..."))

tmpl = string.Template("$who likes $what; ${who}'s choice")
print(tmpl.substitute(who="Ann", what="tea"), "|", tmpl.safe_substitute(who="Bob"))
print(string.ascii_lowercase, string.digits, string.capwords("hello big world"))
print("{:>8}|{:<6}|{:^7}|{:08.3f}|{:x}|{:,}".format("right", "left", "mid", 3.14159, 255, 1234567))

a = ["apple", "banana", "cherry", "date"]
b = ["apple", "blueberry", "cherry", "dates", "elderberry"]
for line in difflib.unified_diff(a, b, "old", "new", lineterm=""):
    print(line)
print(difflib.get_close_matches("appel", ["ape", "apple", "peach", "puppy"]))
print(round(difflib.SequenceMatcher(None, "kitten", "sitting").ratio(), 4))

pprint.pprint({"z": list(range(12)), "a": {"deep": {"deeper": ["x" * 20, "y" * 20]}}}, width=50)
print(pprint.pformat([("k%d" % i, i * i) for i in range(5)], compact=True, width=40))

cmd = 'cp -r "My Documents" /tmp/backup --exclude=\'*.tmp\' a\\ b'
parts = shlex.split(cmd)
print(parts)
print(shlex.join(parts), shlex.quote("it's"))

names = ["main.py", "test_main.py", "README.md", "setup.cfg", "data.json", "Test_x.PY"]
print(fnmatch.filter(names, "*.py"), fnmatch.fnmatchcase("Test_x.PY", "*.py"), fnmatch.translate("a?[bc]*"))

print(html.escape('<a href="x">Tom & "Jerry"</a>'), html.unescape("&lt;p&gt; &amp;copy; &copy; &#x263A;"))

url = "https://user:pw@example.com:8443/a/b%20c/index.html?q=frozen+python&lang=en&lang=de#top"
u = urllib.parse.urlsplit(url)
print(u.scheme, u.hostname, u.port, u.path, u.fragment, u.username)
print(sorted(urllib.parse.parse_qs(u.query).items()))
print(urllib.parse.urlencode({"q": "a b&c", "n": 5}), urllib.parse.quote("ünï/path x"), urllib.parse.unquote("%E2%9C%93"))
print(urllib.parse.urljoin("http://h/a/b/c", "../d?x=1"))

buf = io.StringIO()
w = csv.writer(buf)
w.writerow(["name", "quote", "n"])
w.writerow(["Ann", 'says "hi", then leaves', 3])
w.writerow(["Bob", "multi\nline", 4])
csv_text = buf.getvalue()
print(repr(csv_text))
rows = list(csv.DictReader(io.StringIO(csv_text)))
print(rows)
bio = io.BytesIO()
bio.write("bytes ✓".encode())
bio.seek(0)
print(io.TextIOWrapper(bio, encoding="utf-8").read())
