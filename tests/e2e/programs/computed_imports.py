# Modules imported by calls with a constant name, which no import statement
# names: importlib.import_module, __import__, and find_spec followed by
# module_from_spec (how markdown loads its own copy of html.parser).
import importlib
import importlib.util
import sys

spec = importlib.util.find_spec("html.parser")
copy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(copy)
print(copy.HTMLParser.__name__, copy is not sys.modules.get("html.parser"))
print(importlib.import_module("json.decoder").JSONDecoder().decode('{"a": [1]}'))
print(__import__("csv").list_dialects()[:1] != [])
print(__import__("xml.dom.minidom").dom.minidom.parseString("<a/>").documentElement.tagName)
print(importlib.util.find_spec("cryo_no_such_module_here") is None)
