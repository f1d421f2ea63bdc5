# The smallest program: a greeting, and the names every program can rely on.
import os
import sys

print("Hello, world!")
print("name:", __name__)
print("file:", os.path.basename(__file__))
print("argv count:", len(sys.argv))
print("frozen attribute is a bool:", isinstance(getattr(sys, "frozen", False), bool))
print("version:", sys.version_info[:2])
