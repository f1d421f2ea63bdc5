# Structural pattern matching: literals, captures, sequences, mappings,
# class patterns, guards, or-patterns, wildcards, nested patterns.
from dataclasses import dataclass


@dataclass
class Point:
    x: int
    y: int


@dataclass
class Circle:
    center: Point
    radius: float


def classify(cmd):
    match cmd:
        case "quit" | "exit":
            return "leave"
        case ["go", direction]:
            return f"move {direction}"
        case ["take", *items] if items:
            return f"take {len(items)}: {', '.join(items)}"
        case ["take"]:
            return "take what?"
        case {"action": "say", "text": str(text), **rest}:
            return f"say {text!r} extra={sorted(rest)}"
        case Point(x=0, y=0):
            return "origin"
        case Point(x=0, y=y) | Point(x=y, y=0):
            return f"on an axis at {y}"
        case Circle(center=Point(x, y), radius=r) if r > 10:
            return f"big circle at {x},{y}"
        case Circle():
            return "small circle"
        case int(n) if n < 0:
            return "negative int"
        case int() | float():
            return "number"
        case (a, b, c):
            return f"triple {a}{b}{c}"
        case None:
            return "nothing"
        case _:
            return f"unknown {type(cmd).__name__}"


tests = ["quit", "exit", ["go", "north"], ["take", "key", "lamp"], ["take"],
         {"action": "say", "text": "hi", "volume": 3, "at": 1}, Point(0, 0),
         Point(0, 5), Point(7, 0), Point(1, 1), Circle(Point(1, 2), 11),
         Circle(Point(0, 0), 1), -3, 4, 2.5, ("x", "y", "z"), None, {1, 2}]
for t in tests:
    print(f"{t!r:55} -> {classify(t)}")
