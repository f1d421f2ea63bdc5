# e2e-env: E2E_GREETING=grüezi mitenand
# e2e-env: E2E_EMPTY=
# Environment variables: set for the program, unicode values, empty values,
# and locale-dependent behaviour under LC_ALL=C.UTF-8.
import locale
import os
import sys

print("greeting:", os.environ["E2E_GREETING"])
print("empty is set:", "E2E_EMPTY" in os.environ, repr(os.environ["E2E_EMPTY"]))
print("getenv default:", os.getenv("E2E_NOT_SET", "fallback"))
print("LC_ALL:", os.environ.get("LC_ALL"))
print("no PYTHON* variables:", sorted(k for k in os.environ if k.startswith("PYTHON")))
print("preferred encoding:", locale.getpreferredencoding(False), "fs:", sys.getfilesystemencoding())
print("utf8 mode:", sys.flags.utf8_mode)
os.environ["E2E_CHILD"] = "set at run time"
print("putenv visible:", os.environ["E2E_CHILD"], "E2E_CHILD" in dict(os.environ))
print("environb:", os.environb[b"E2E_GREETING"])
