# Data structures and functional tools: collections, itertools, functools,
# heapq, bisect, enum, typing, operator, copy, pickle.
import bisect
import collections
import copy
import enum
import functools
import heapq
import itertools
import operator
import pickle
import typing

words = "the cat sat on the mat the end a cat".split()
cnt = collections.Counter(words)
print(sorted(cnt.items()), cnt.most_common(2))
dd = collections.defaultdict(list)
for w in words:
    dd[len(w)].append(w)
print(sorted(dd.items()))
od = collections.OrderedDict.fromkeys("abcde")
od.move_to_end("b")
print(list(od))
dq = collections.deque(range(5), maxlen=4)
dq.appendleft(-1)
dq.rotate(2)
print(dq)
Pt = collections.namedtuple("Pt", "x y", defaults=[0])
p = Pt(3)
print(p, p._replace(y=9), p._asdict())
cm = collections.ChainMap({"a": 1}, {"a": 2, "b": 3})
print(cm["a"], cm["b"], sorted(cm))

print(list(itertools.accumulate([1, 2, 3, 4], operator.mul)))
print(list(itertools.combinations("abcd", 2)))
print(list(itertools.permutations(range(3))))
print(list(itertools.product("ab", repeat=2)))
print([(k, len(list(g))) for k, g in itertools.groupby("aaabccdddd")])
print(list(itertools.zip_longest("ab", "wxyz", fillvalue="-")))
print(list(itertools.pairwise(range(5))), list(itertools.starmap(pow, [(2, 5), (3, 2)])))
print(list(itertools.chain.from_iterable([[1], [2, 3]])), list(itertools.compress("abcdef", [1, 0, 1, 0, 1])))


@functools.lru_cache(maxsize=None)
def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


print(fib(90), fib.cache_info().hits > 0)
print(functools.reduce(operator.add, range(101)))
double = functools.partial(operator.mul, 2)
print(double(21))


@functools.total_ordering
class Money:
    def __init__(self, cents):
        self.cents = cents

    def __eq__(self, o):
        return self.cents == o.cents

    def __lt__(self, o):
        return self.cents < o.cents


print(Money(5) >= Money(3), Money(2) > Money(9))


@functools.singledispatch
def show(x):
    return f"object {x!r}"


@show.register
def _(x: int):
    return f"int {x}"


@show.register
def _(x: list):
    return f"list of {len(x)}"


print(show(1), show([1, 2]), show("s"))

h = [5, 1, 8, 3, 9, 2]
heapq.heapify(h)
print([heapq.heappop(h) for _ in range(3)], heapq.nlargest(2, [4, 7, 1, 9]), heapq.nsmallest(2, "zebra"))
print(list(heapq.merge([1, 4, 7], [2, 5, 8], [3, 6])))

grades = [60, 70, 80, 90]
print([("FDCBA"[bisect.bisect(grades, s)]) for s in (33, 60, 75, 99)])
sl = []
for x in [5, 1, 4, 2, 3]:
    bisect.insort(sl, x)
print(sl, bisect.bisect_left(sl, 3))


class Color(enum.Enum):
    RED = 1
    GREEN = 2
    BLUE = 3


class Perm(enum.IntFlag):
    R = 4
    W = 2
    X = 1


class Status(enum.StrEnum):
    OK = enum.auto()
    FAILED = enum.auto()


print(Color.GREEN, Color(3).name, [c.value for c in Color], Color["RED"] is Color.RED)
print(Perm.R | Perm.W, int(Perm.R | Perm.X), Perm.W in (Perm.R | Perm.W), Status.OK.upper())

T = typing.TypeVar("T")


class Stack(typing.Generic[T]):
    def __init__(self) -> None:
        self.items: list[T] = []

    def push(self, item: T) -> None:
        self.items.append(item)


class Movie(typing.TypedDict):
    title: str
    year: int


def first(xs: typing.Sequence[T]) -> typing.Optional[T]:
    return xs[0] if xs else None


s: Stack[int] = Stack()
s.push(1)
m: Movie = {"title": "Alien", "year": 1979}
print(first([9, 8]), first([]), s.items, m, typing.get_type_hints(first)["return"])
print(typing.get_origin(list[int]), typing.get_args(dict[str, int]), Movie.__required_keys__ == {"title", "year"})

print(operator.itemgetter(1, 0)("ab"), operator.attrgetter("real")(3 + 4j), sorted(["bb", "a", "ccc"], key=len))
print(operator.methodcaller("split", "-")("a-b-c"))

orig = {"list": [1, [2, 3]], "n": 1}
sh, dp = copy.copy(orig), copy.deepcopy(orig)
orig["list"][1].append(4)
print(sh["list"], dp["list"])


class Node:
    def __init__(self, name, children=()):
        self.name, self.children = name, list(children)

    def __eq__(self, o):
        return self.name == o.name and self.children == o.children


tree = Node("root", [Node("a"), Node("b", [Node("c")])])
data = {"tree": tree, "set": frozenset({1, 2}), "bytes": b"\x00\xff", "tuple": (1, 2.5, None), "color": Color.BLUE}
for proto in range(pickle.HIGHEST_PROTOCOL + 1):
    back = pickle.loads(pickle.dumps(data, protocol=proto))
    assert back == data, proto
cyc = []
cyc.append(cyc)
back = pickle.loads(pickle.dumps(cyc))
print("pickle round trips ok; cycle preserved:", back[0] is back)
