# A program that closes every descriptor above stderr, as a daemon does,
# and reuses the numbers for files of its own before it imports anything
# more: python3.11 opens each module's file afresh, and a frozen program
# must find its payload again (runtime/importer.c, reopen_payload).
import os
import tempfile

os.closerange(3, 1024)
held = [tempfile.TemporaryFile() for _ in range(16)]
for f in held:
    f.write(b"x" * 100)
    f.flush()

import json  # noqa: E402  (imported only now, on purpose)
import fractions  # noqa: E402

print(json.dumps({"a": [1, 2]}), fractions.Fraction(3, 6))
