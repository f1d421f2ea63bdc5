"""The output of `cryo inspect` (freezer/inspect.c), run by the freezer's
embedded interpreter: show(report, path, size, image, payload, as_json,
segments) returns the text to print.  `report` is the build report packed
into the executable (freezer/report.c's JSON, without the file's sizes,
which the trailer gives); `segments` says where the image's bytes go
({"first_stage", "text", "rodata", "data", "other"}: bytes; None when the
image cannot be read as ELF), shown in the text only: the JSON is exactly
what `cryo build --report` writes."""
import json


def _mb(n):
    return "%.1f MB" % (n / 1e6) if n >= 100000 else "%.1f KB" % (n / 1e3)


def show(report, path, size, image, payload, as_json, segments=None):
    r = json.loads(report)
    r["output"] = path
    r["size"] = size
    r["bytes"] = dict(image=image, payload=payload, trailer=size - image - payload,
                      **{k: v for k, v in r["bytes"].items()
                         if k not in ("image", "payload", "trailer")})
    if as_json:
        return json.dumps(r, indent=2) + "\n"
    o, b = r["options"], r["bytes"]
    lines = ["%s: built by cryo %s for Python %s (libpython: %s)"
             % (path, r["cryo"], r["python"], r["libpython"]),
             "size %s: program image %s, payload %s" % (_mb(size), _mb(image), _mb(payload)),
             ("  image: first stage %s, code %s, read-only data %s, data %s, other %s "
              "(symbols and headers)" % tuple(_mb(segments[k]) for k in (
                  "first_stage", "text", "rodata", "data", "other"))) if segments else
             "  image: not readable as ELF",
             "options: allocator=%s gc=%s native=%s allow-python-env=%s"
             % (o["allocator"], o["gc"], o["native"], "yes" if o["allow_python_env"] else "no"),
             ""]
    mods = r["modules"]
    lines.append("%d modules (%d packages), %s:" % (
        len(mods), sum(m["package"] for m in mods), _mb(b["modules"])))
    for m in mods:
        lines.append("  %-6s %9d  %s%s" % (m["origin"], m["bytes"], m["name"],
                                            " (package)" if m["package"] else ""))
    if r["builtins"]:
        lines.append("%d extension modules built in: %s"
                     % (len(r["builtins"]), ", ".join(x["name"] for x in r["builtins"])))
    for key, title in (("extensions", "extension modules"), ("libraries", "libraries")):
        if r[key]:
            lines.append("%d %s, %s packed (%s):" % (
                len(r[key]), title, _mb(sum(x["bytes"] for x in r[key])),
                _mb(sum(x["size"] for x in r[key])) + " unpacked"))
            for x in r[key]:
                lines.append("  %9d  %s  (%s)" % (x["size"], x["name"], x["source"]))
    if r["data"]:
        lines.append("%d data files, %s:" % (len(r["data"]), _mb(b["data"])))
        for d in r["data"]:
            lines.append("  %9d  %s" % (d["size"], d["path"]))
    # "sources" is absent from the reports of executables built before
    # sources were shipped, 0 in those built --no-sources
    lines.append("module sources: %s" % (_mb(b["sources"]) + ", compressed" if b.get("sources")
                                         else "not shipped"))
    return "\n".join(lines) + "\n"
