# Structured formats: xml.etree.ElementTree (build, serialize, parse,
# XPath-ish queries), email.message, configparser from a string, logging.
import configparser
import email.message
import email.parser
import email.policy
import xml.etree.ElementTree as ET

root = ET.Element("library", {"city": "Bern"})
for title, year, lang in [("Dune", 1965, "en"), ("Der Process", 1925, "de"), ("Émile", 1762, "fr")]:
    book = ET.SubElement(root, "book", year=str(year), lang=lang)
    ET.SubElement(book, "title").text = title
ET.indent(root)
xml_text = ET.tostring(root, encoding="unicode")
print(xml_text)
parsed = ET.fromstring(xml_text)
print([b.findtext("title") for b in parsed.iter("book") if int(b.get("year")) < 1950])
print([b.get("lang") for b in parsed.findall("./book[@lang='de']")], parsed.attrib)
doc = ET.fromstring('<?xml version="1.0" encoding="UTF-8"?><r xmlns:x="urn:x"><x:item n="1">a &amp; b</x:item><!-- c --><x:item n="2"/></r>')
print([(e.tag, e.get("n"), e.text) for e in doc.findall("{urn:x}item")])
try:
    ET.fromstring("<a><b></a>")
except ET.ParseError as e:
    print("parse error:", e.position)
print(ET.tostring(ET.Element("empty", a="<&>"), encoding="unicode"))

msg = email.message.EmailMessage()
msg["From"] = "Ann Example <ann@example.com>"
msg["To"] = "bob@example.org"
msg["Subject"] = "Grüße from cryo"
msg.set_content("Hello Bob,\nthe build is ready.\n")
msg.add_attachment(b"\x00\x01binary", maintype="application", subtype="octet-stream", filename="data.bin")
raw = msg.as_bytes(policy=email.policy.SMTP.clone(linesep="\n"))
# The MIME boundary is random: compare everything else.
boundary = msg.get_boundary()
print(raw.decode().replace(boundary, "BOUNDARY"))
back = email.parser.BytesParser(policy=email.policy.default).parsebytes(raw)
print(back["subject"], back.get_content_type(), [p.get_filename() for p in back.iter_attachments()])
print(back.get_body(("plain",)).get_content())

cfg = configparser.ConfigParser()
cfg.read_string("""
[DEFAULT]
retries = 3

[service]
name = demo
timeout = 2.5
enabled = true
""")
print(cfg.getint("service", "retries"), cfg.getfloat("service", "timeout"), cfg.getboolean("service", "enabled"))
print(sorted(cfg["service"].items()))
