"""Benchmark program (--suite real): PyYAML (Debian's) with libyaml's C loader."""
import sys
import time

import yaml

doc = yaml.load("items:\n" + "".join("  - {n: %d, s: item%d}\n" % (i, i) for i in range(200)),
                Loader=yaml.CSafeLoader)
print(len(doc["items"]), yaml.__with_libyaml__)
if sys.argv[1:] == ["--ready"]:
    print("READY", flush=True)
    time.sleep(1)
