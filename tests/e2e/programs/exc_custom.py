# e2e-exit: 1
# A custom exception class, defined in a package module, with its own
# __str__: the last line is "mypkg.errors.AppError: ...".
from mypkg.errors import AppError, fail

print("about to fail")
try:
    fail("handled once")
except AppError as e:
    print("handled:", e, "code", e.code)
fail("unhandled")
