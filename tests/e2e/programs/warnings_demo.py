# Warnings: filters, categories, recorded warnings with their line numbers,
# warnings turned into errors; __debug__ and assert (no -O).
import sys
import warnings


def old_api():
    """The old way; use new_api()."""
    warnings.warn("old_api() is deprecated", DeprecationWarning, stacklevel=2)
    return 1


with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    old_api()
    warnings.warn("plain user warning")
    warnings.warn("runtime trouble", RuntimeWarning)
for w in caught:
    print(w.category.__name__, str(w.message), "line", w.lineno, "in", w.filename.rsplit("/", 1)[-1])

with warnings.catch_warnings():
    warnings.simplefilter("error", UserWarning)
    try:
        warnings.warn("now an error")
    except UserWarning as e:
        print("raised:", e)

warnings.filterwarnings("ignore", message="quiet.*")
warnings.warn("quiet please")
print("default filters include ignore of DeprecationWarning outside __main__:",
      any(f[0] == "ignore" and f[2] is DeprecationWarning for f in warnings.filters))
print("__debug__:", __debug__, "optimize:", sys.flags.optimize)
try:
    assert 1 + 1 == 3, "arithmetic is fine"
except AssertionError as e:
    print("assert active:", e)
print("docstrings kept:", old_api.__doc__, "|", (warnings.warn.__doc__ or "").strip()[:30])
