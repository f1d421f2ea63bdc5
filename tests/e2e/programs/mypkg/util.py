"""Helpers imported both as `from mypkg import util` and relatively."""


def slugify(text):
    out = []
    for ch in text.lower():
        if ch.isalnum():
            out.append(ch)
        elif out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


CALLS = []


def record(name):
    CALLS.append(name)
    return len(CALLS)
