"""The software bill of materials of a build (`cryo build --sbom FILE`,
`cryo inspect --sbom APP`), run by the freezer's embedded interpreter:
make(report, archives, app) returns CycloneDX 1.5 JSON text.

  report    the build report (freezer/report.c's JSON)
  archives  the static libraries linked into the program image
  app       the program's name

Components: CPython itself; every packed Python distribution (its
*.dist-info/METADATA or *.egg-info/PKG-INFO: name, version, licence);
every native file packed (extension modules, libraries) and every static
library linked, by the Debian package that owns it and its version
(dpkg-query), or by file name where no package does.  Deterministic: the
serial number is derived from the content, and a timestamp is written only
when SOURCE_DATE_EPOCH is set (reproducible builds).
"""
import email.parser
import hashlib
import json
import os
import subprocess
import time
import uuid


def _dpkg_owners(paths):
    """{path: (package, version)} for the paths a Debian package owns."""
    owners = {}
    if not paths:
        return owners
    cands = {}
    for p in paths:
        real = os.path.realpath(p)
        for c in {p, real, real.replace("/usr/lib/", "/lib/", 1) if real.startswith("/usr/lib/") else real}:
            cands.setdefault(c, p)
    try:
        out = subprocess.run(["dpkg-query", "-S", *sorted(cands)], capture_output=True,
                             text=True).stdout
    except OSError:
        return owners
    pkgs = {}
    for line in out.splitlines():
        pkg, sep, path = line.partition(": ")
        if sep and path in cands and "," not in pkg:
            pkgs[cands[path]] = pkg.strip()
    if not pkgs:
        return owners
    try:
        out = subprocess.run(["dpkg-query", "-W", "-f=${Package}:${Architecture} ${Version}\n",
                              *sorted(set(pkgs.values()))], capture_output=True, text=True).stdout
    except OSError:
        out = ""
    versions = {}
    for line in out.splitlines():
        name, _, ver = line.partition(" ")
        versions[name] = ver
        versions[name.split(":")[0]] = ver
    for path, pkg in pkgs.items():
        owners[path] = (pkg.split(":")[0], versions.get(pkg, versions.get(pkg.split(":")[0], "")))
    return owners


def _distributions(report):
    dists = []
    for d in report["data"]:
        path = d["path"]
        top, _, name = path.partition("/")
        if not ((top.endswith(".dist-info") and name == "METADATA")
                or (top.endswith(".egg-info") and name == "PKG-INFO")):
            continue
        try:
            with open(d["source"], encoding="utf-8", errors="replace") as f:
                meta = email.parser.Parser().parse(f, headersonly=True)
        except OSError:
            continue
        dists.append((meta.get("Name", top), meta.get("Version", ""),
                      meta.get("License-Expression") or meta.get("License") or ""))
    return sorted(set(dists))


def make(report, archives, app):
    r = json.loads(report)
    comps = [{"type": "library", "bom-ref": "cpython", "name": "CPython",
              "version": r["python"], "licenses": [{"license": {"id": "PSF-2.0"}}],
              "purl": "pkg:generic/python@%s" % r["python"],
              "properties": [{"name": "cryo:libpython", "value": r["libpython"]},
                             {"name": "cryo:linkage", "value": "static"}]}]
    for name, version, lic in _distributions(r):
        c = {"type": "library", "bom-ref": "pypi:%s" % name, "name": name, "version": version,
             "purl": "pkg:pypi/%s@%s" % (name.lower().replace("_", "-"), version)}
        if lic and lic.upper() != "UNKNOWN":
            c["licenses"] = [{"license": {"name": lic.strip().splitlines()[0][:200]}}]
        comps.append(c)
    files = [(x["source"], "packed") for x in r["extensions"] + r["libraries"]]
    files += [(a, "static") for a in archives]
    owners = _dpkg_owners([p for p, _ in files])
    debs = {}
    for path, linkage in files:
        if path in owners:
            pkg, ver = owners[path]
            e = debs.setdefault(pkg, {"version": ver, "files": set(), "linkage": set()})
            e["files"].add(path)
            e["linkage"].add(linkage)
        else:
            comps.append({"type": "file", "bom-ref": "file:%s" % path, "name": os.path.basename(path),
                          "properties": [{"name": "cryo:file", "value": path},
                                         {"name": "cryo:linkage", "value": linkage}]})
    for pkg in sorted(debs):
        e = debs[pkg]
        props = [{"name": "cryo:file", "value": p} for p in sorted(e["files"])]
        props += [{"name": "cryo:linkage", "value": l} for l in sorted(e["linkage"])]
        comps.append({"type": "library", "bom-ref": "deb:%s" % pkg, "name": pkg,
                      "version": e["version"],
                      "purl": "pkg:deb/debian/%s@%s?arch=amd64" % (pkg, e["version"]),
                      "properties": props})
    meta = {"tools": {"components": [{"type": "application", "name": "cryo",
                                      "version": r["cryo"]}]},
            "component": {"type": "application", "bom-ref": "app", "name": app}}
    if r.get("version"):
        meta["component"]["version"] = r["version"]
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        meta["timestamp"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(int(epoch)))
    body = {"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "metadata": meta,
            "components": comps}
    digest = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).digest()
    body["serialNumber"] = "urn:uuid:%s" % uuid.UUID(bytes=digest[:16], version=5)
    return json.dumps(body, indent=2) + "\n"
