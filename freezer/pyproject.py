"""`[tool.cryo]` in pyproject.toml (freezer/main.c: `cryo build` with no
SCRIPT), run by the freezer's embedded interpreter: to_args(path) returns
the command-line arguments the table stands for, which main.c puts before
the ones given (so the command line overrides single options and adds to
repeatable ones), or raises ValueError with "FILE:LINE: message".

Keys are the long options' names, with TOML types; repeatable options take
arrays and are named in the plural.  The entry: `script`, `module` (-m) or
`entry-point`.  [project] `name` gives the default output name, its
`version` the default --app-version.
"""
import re
import tomllib

# key -> (option, kind): kind "str", "bool", "num", "int", "list" (of str),
# or "pos" (the SCRIPT argument).
KEYS = {
    "script": (None, "pos"),
    "module": ("-m", "str"),
    "entry-point": ("--entry-point", "str"),
    "output": ("--output", "str"),
    "paths": ("--path", "list"),
    "include-modules": ("--include-module", "list"),
    "include-packages": ("--include-package", "list"),
    "exclude-modules": ("--exclude-module", "list"),
    "include-data": ("--include-data", "list"),
    "exclude-data": ("--exclude-data", "list"),
    "allow-missing-libs": ("--allow-missing-lib", "list"),
    "allow-python-env": ("--allow-python-env", "bool"),
    "keep-symbols": ("--keep-symbols", "bool"),
    "no-sources": ("--no-sources", "bool"),
    "no-deep-freeze": ("--no-deep-freeze", "bool"),
    "deep-freeze-packages": ("--deep-freeze-packages", "bool"),
    "native": ("--native", "str"),
    "report": ("--report", "str"),
    "sbom": ("--sbom", "str"),
    "app-version": ("--app-version", "str"),
    "allocator": ("--allocator", "str"),
    "gc": ("--gc", "str"),
    "gc-growth": ("--gc-growth", "num"),
    "gc-pause-ms": ("--gc-pause-ms", "num"),
    "mem-release": ("--mem-release", "int"),
    "optimize": ("--optimize", "int"),
}
# Choices checked here, to name the key and its line (the command line
# checks the rest: ranges of numbers, paths).
CHOICES = {"native": ("auto", "cache", "memory"), "allocator": ("cryo", "python"),
           "gc": ("cryo", "python")}
TYPE_NAMES = {"str": "a string", "pos": "a string", "bool": "true or false",
              "num": "a number", "int": "an integer", "list": "an array of strings"}


def _line_of(text, key):
    """The line of `key = ...` inside [tool.cryo] (1 if it cannot be told)."""
    in_table = False
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if s.startswith("["):
            in_table = s.replace(" ", "") in ("[tool.cryo]",)
            continue
        if in_table and re.match(r'["\']?%s["\']?\s*=' % re.escape(key), s):
            return n
    for n, line in enumerate(text.splitlines(), 1):
        if line.strip().replace(" ", "") == "[tool.cryo]":
            return n
    return 1


def to_args(path):
    with open(path, "rb") as f:
        raw = f.read()
    text = raw.decode("utf-8", "replace")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        m = re.search(r"line (\d+)", str(e))
        raise ValueError("%s:%s: not valid TOML: %s" % (path, m.group(1) if m else 1, e))
    table = doc.get("tool", {}).get("cryo")
    if table is None:
        raise ValueError("%s:1: no [tool.cryo] table; give a SCRIPT, or add one" % path)
    if not isinstance(table, dict):
        raise ValueError("%s:%d: tool.cryo is not a table" % (path, _line_of(text, "cryo")))
    args, positional = [], []
    for key, value in table.items():
        where = "%s:%d" % (path, _line_of(text, key))
        if key not in KEYS:
            raise ValueError("%s: unknown key '%s' in [tool.cryo] (known: %s)"
                             % (where, key, ", ".join(sorted(KEYS))))
        opt, kind = KEYS[key]
        ok = {"str": isinstance(value, str), "pos": isinstance(value, str),
              "bool": isinstance(value, bool),
              "num": isinstance(value, (int, float)) and not isinstance(value, bool),
              "int": isinstance(value, int) and not isinstance(value, bool),
              "list": isinstance(value, list) and all(isinstance(v, str) for v in value)}[kind]
        if not ok:
            raise ValueError("%s: '%s' must be %s, not %r" % (where, key, TYPE_NAMES[kind], value))
        if key in CHOICES and value not in CHOICES[key]:
            raise ValueError("%s: '%s' must be one of %s, not %r"
                             % (where, key, ", ".join(CHOICES[key]), value))
        if kind == "pos":
            positional.append(value)
        elif kind == "bool":
            if value:
                args.append(opt)
        elif kind == "list":
            for v in value:
                args += [opt, v]
        else:
            args += [opt, str(value)]
    project = doc.get("project", {})
    if "output" not in table and isinstance(project.get("name"), str) and project["name"]:
        args += ["--output", "./" + project["name"]]
    if "app-version" not in table and isinstance(project.get("version"), str):
        args += ["--app-version", project["version"]]
    return args + positional


def script_of(path, name):
    """[project.scripts] NAME of the pyproject.toml at `path` ("module:attr"),
    or None."""
    with open(path, "rb") as f:
        doc = tomllib.load(f)
    value = doc.get("project", {}).get("scripts", {}).get(name)
    return value if isinstance(value, str) else None


def binds(path, name):
    """Whether the module source at `path` binds `name` at its top level
    (def, class, assignment, import), or True when it cannot be told (a
    star import, or names set through globals())."""
    import ast
    with open(path, "rb") as f:
        tree = ast.parse(f.read(), path)
    found = set()
    for node in tree.body:
        for n in ast.walk(node):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.add(n.name)
            elif isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
                found.add(n.id)
            elif isinstance(n, (ast.Import, ast.ImportFrom)):
                for a in n.names:
                    if a.name == "*":
                        return True
                    found.add(a.asname or a.name.split(".")[0])
            elif isinstance(n, ast.Name) and n.id == "globals":
                return True
    return name in found
