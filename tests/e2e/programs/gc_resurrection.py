# Resurrection (PEP 442): an object in cyclic garbage whose __del__ stores
# itself globally survives the collection; its finalizer ran once, and
# gc.is_finalized says so; dropped again it is collected without a second
# __del__ call.  Weak references to it were cleared before the finalizer
# ran, as python3.11 does.
import gc
import weakref

gc.disable()
gc.collect()
saved = []
calls = 0


class Phoenix:
    def __init__(self, name):
        self.name = name
        self.other = None

    def __del__(self):
        global calls
        calls += 1
        saved.append(self)


class Plain:
    def __init__(self):
        self.other = None


p, q = Phoenix("p"), Plain()
p.other, q.other = q, p
r = weakref.ref(p)
print("is_finalized before:", gc.is_finalized(p))
del p, q
found = gc.collect()
print("first collect: found", found, "__del__ calls", calls, "saved", [o.name for o in saved])
print("weakref cleared:", r() is None)
obj = saved[0]
print("is_finalized after:", gc.is_finalized(obj), "partner alive:", type(obj.other).__name__)
print("cycle intact:", obj.other.other is obj)

saved.clear()
r2 = weakref.ref(obj)
del obj
found = gc.collect()
print("second collect: found", found, "__del__ calls", calls, "saved", len(saved), "dead", r2() is None)

# A resurrected object that resurrects its partner too; both finalized once.
calls_by = {}


class Both:
    def __init__(self, name):
        self.name = name
        self.other = None

    def __del__(self):
        calls_by[self.name] = calls_by.get(self.name, 0) + 1
        saved.append(self)


a, b = Both("a"), Both("b")
a.other, b.other = b, a
del a, b
gc.collect()
print("both resurrected:", sorted(o.name for o in saved), "calls", sorted(calls_by.items()))
print("both finalized:", all(gc.is_finalized(o) for o in saved))
saved.clear()
gc.collect()
print("after drop:", sorted(calls_by.items()), "saved", len(saved))

# Non-cyclic resurrection (refcount path): __del__ once as well.
class Once:
    n = 0

    def __del__(self):
        Once.n += 1
        saved.append(self)


Once()
print("refcount resurrection:", Once.n, gc.is_finalized(saved[0]))
saved.clear()
print("dropped again:", Once.n)
print("garbage:", gc.garbage)
