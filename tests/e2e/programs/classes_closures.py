# Closures and classes: nonlocal, decorators, inheritance and super(),
# properties, dunder methods, dataclasses, __slots__, abc, class methods.
import abc
import dataclasses
import functools


def make_counter(start=0):
    count = start

    def inc(step=1):
        nonlocal count
        count += step
        return count
    return inc


def logged(fn):
    calls = []

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        calls.append(args)
        return fn(*args, **kwargs)
    wrapper.calls = calls
    return wrapper


@logged
def add(a, b):
    """Add two numbers."""
    return a + b


class Shape(abc.ABC):
    registry = []

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        Shape.registry.append(cls.__name__)

    @abc.abstractmethod
    def area(self):
        ...

    def describe(self):
        return f"{type(self).__name__} with area {self.area():.2f}"


class Rect(Shape):
    def __init__(self, w, h):
        self._w, self._h = w, h

    @property
    def width(self):
        return self._w

    @width.setter
    def width(self, value):
        if value <= 0:
            raise ValueError("width must be positive")
        self._w = value

    def area(self):
        return self._w * self._h

    def __eq__(self, other):
        return isinstance(other, Rect) and (self._w, self._h) == (other._w, other._h)

    def __hash__(self):
        return hash((self._w, self._h))

    def __repr__(self):
        return f"Rect({self._w}, {self._h})"

    def __lt__(self, other):
        return self.area() < other.area()


class Square(Rect):
    def __init__(self, side):
        super().__init__(side, side)

    def describe(self):
        return "square: " + super().describe()

    @classmethod
    def unit(cls):
        return cls(1)

    @staticmethod
    def sides():
        return 4


class Vector:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x, self.y = x, y

    def __add__(self, o):
        return Vector(self.x + o.x, self.y + o.y)

    def __mul__(self, k):
        return Vector(self.x * k, self.y * k)

    __rmul__ = __mul__

    def __iter__(self):
        yield self.x
        yield self.y

    def __len__(self):
        return 2

    def __getitem__(self, i):
        return (self.x, self.y)[i]

    def __bool__(self):
        return bool(self.x or self.y)

    def __repr__(self):
        return f"Vector({self.x}, {self.y})"


@dataclasses.dataclass(order=True, frozen=True)
class Version:
    major: int
    minor: int = 0
    tags: tuple = dataclasses.field(default=(), compare=False)

    def __str__(self):
        return f"{self.major}.{self.minor}"


@dataclasses.dataclass
class Inventory:
    items: dict = dataclasses.field(default_factory=dict)

    def add(self, name, n=1):
        self.items[name] = self.items.get(name, 0) + n


c = make_counter(10)
print("counter:", c(), c(5), c())
print("add:", add(2, 3), add("a", "b"), add.calls, add.__name__, add.__doc__)
shapes = sorted([Rect(3, 4), Square(2), Rect(1, 1), Square.unit()])
print("sorted:", shapes)
print([s.describe() for s in shapes])
r = Rect(2, 5)
r.width = 4
print("width:", r.width, r.area())
try:
    r.width = -1
except ValueError as e:
    print("setter error:", e)
try:
    Shape()
except TypeError as e:
    print("abstract:", "abstract" in str(e))
print("registry:", Shape.registry, "sides:", Square.sides())
print("set of rects:", len({Rect(1, 2), Rect(1, 2), Rect(2, 1)}))
v = Vector(1, 2) + Vector(3, 4)
print("vector:", v, 2 * v, list(v), len(v), v[1], bool(Vector(0, 0)))
try:
    v.z = 1
except AttributeError:
    print("slots: no z")
versions = sorted([Version(1, 2), Version(1), Version(0, 9, ("beta",))])
print("versions:", [str(x) for x in versions], versions[0])
print("version eq ignores tags:", Version(1, 0, ("x",)) == Version(1))
try:
    versions[0].major = 5
except dataclasses.FrozenInstanceError:
    print("frozen dataclass")
inv = Inventory()
inv.add("apple")
inv.add("pear", 3)
inv.add("apple")
print("inventory:", inv, dataclasses.asdict(inv))
print("mro:", [k.__name__ for k in Square.__mro__])
