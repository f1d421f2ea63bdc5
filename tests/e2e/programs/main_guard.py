# The __main__ guard, `import __main__`, and a module importing the
# program itself by its own name (it runs a second time, as a module).
import sys

import __main__

COUNTER = [0]


def helper():
    return "helper from " + __name__


print("top level runs as", __name__)
if __name__ == "__main__":
    print("main is this module:", __main__ is sys.modules[__name__])
    print("main helper:", __main__.helper())
    __main__.COUNTER[0] += 1
    print("counter via __main__:", COUNTER)
    import main_guard
    print("imported as module:", main_guard.__name__, main_guard is __main__)
    print("its helper:", main_guard.helper(), "its counter:", main_guard.COUNTER)
    print("module is cached:", sys.modules["main_guard"] is main_guard)
    print("__main__ has __file__:", hasattr(__main__, "__file__"), "spec name:",
          getattr(__main__.__spec__, "name", None) if __main__.__spec__ else None)
else:
    print("imported, not run: guard skipped")
