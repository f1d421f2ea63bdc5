# Debian's python3-yaml with its C binding (_yaml, a third-party extension
# module) and the shared library it needs (libyaml-0.so.2), both packed:
# the C loader and dumper, and pure-Python ones for comparison.
import yaml

doc = """
name: cryo
list: [1, 2.5, "three", null, true]
nested: {a: {b: [x, y]}}
multi: |
  line one
  line two
"""
print("libyaml:", yaml.__with_libyaml__)
fast = yaml.load(doc, Loader=yaml.CSafeLoader)
slow = yaml.load(doc, Loader=yaml.SafeLoader)
print(fast == slow, sorted(fast))
print(yaml.dump(fast, Dumper=yaml.CSafeDumper, sort_keys=True), end="")
print(type(yaml.CSafeLoader("").__class__.__mro__[1]).__name__)
import yaml._yaml as c
print(c.__name__, c.get_version_string() == yaml._yaml.get_version_string())
