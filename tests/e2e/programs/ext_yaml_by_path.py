# e2e-cryo-args: --path /usr/lib/python3/dist-packages --exclude-module yaml._yaml
# A third-party extension module built by Debian (python3-yaml's _yaml,
# linked against libyaml) loaded by path into the program: it needs the
# interpreter's C API exported, as /usr/bin/python3.11 does.
import importlib.machinery
import importlib.util
import sys

PATH = "/usr/lib/python3/dist-packages/yaml/_yaml.cpython-311-x86_64-linux-gnu.so"
loader = importlib.machinery.ExtensionFileLoader("yaml._yaml", PATH)
spec = importlib.util.spec_from_file_location("yaml._yaml", PATH, loader=loader)
mod = importlib.util.module_from_spec(spec)
sys.modules["yaml._yaml"] = mod
spec.loader.exec_module(mod)

import yaml  # noqa: E402
from yaml.cyaml import CSafeDumper, CSafeLoader  # noqa: E402

doc = "name: cryo\nitems: [1, 2.5, three]\nnested: {a: true, b: null}\n"
data = yaml.load(doc, Loader=CSafeLoader)
print(sorted(data.items()))
print(yaml.dump(data, Dumper=CSafeDumper, sort_keys=True), end="")
print(type(mod.CParser).__name__, mod.__name__)
