# Weak references and cyclic garbage: callbacks of weak references to
# objects in a collected cycle run once, with the dead weakref; the
# referent is gone inside the callback; callbacks of weak references that
# are themselves garbage do not run; WeakValueDictionary, WeakSet and
# weakref.finalize see the collection.
import gc
import weakref

gc.disable()
gc.collect()
log = []


class Obj:
    def __init__(self, name):
        self.name = name
        self.other = None


def cb(ref):
    log.append(("callback", ref.name_hint, ref() is None))


class NamedRef(weakref.ref):
    pass


def cycle(x, y):
    a, b = Obj(x), Obj(y)
    a.other, b.other = b, a
    return a, b


a, b = cycle("a", "b")
ra = NamedRef(a, cb)
ra.name_hint = "a"
rb = NamedRef(b, cb)
rb.name_hint = "b"
del a, b
print("before collect:", log)
print("collect found", gc.collect())
print("after collect:", sorted(log))
print("refs dead:", ra() is None, rb() is None)
log.clear()

# A weakref that is part of the garbage itself: its callback never runs.
c, d = cycle("c", "d")
c.self_ref = NamedRef(d, cb)
c.self_ref.name_hint = "d (ref inside the garbage)"
del c, d
gc.collect()
print("ref inside garbage, callbacks:", log)
log.clear()

# The callback is itself in a cycle with the referent's cycle (alive outside).
class Holder:
    pass


keep = Holder()
e, f = cycle("e", "f")
keep.ref = NamedRef(e, lambda r: log.append(("lambda", r() is None)))
keep.ref.name_hint = "e"
del e, f
gc.collect()
print("callback held outside:", log, "ref dead:", keep.ref() is None)
log.clear()

# Weak containers.
wvd = weakref.WeakValueDictionary()
ws = weakref.WeakSet()
for name in ("p", "q", "r"):
    x, y = cycle(name, name + "'")
    wvd[name] = x
    ws.add(y)
del x, y
print("weak containers before:", sorted(wvd.keys()), len(ws))
gc.collect()
print("weak containers after:", sorted(wvd.keys()), len(ws))

# weakref.finalize on cyclic garbage runs at the collection, once.
g, h = cycle("g", "h")
fin = weakref.finalize(g, log.append, "finalize g")
print("finalize alive before:", fin.alive)
del g, h
gc.collect()
print("finalize:", log, "alive after:", fin.alive)
print("finalize again:", fin(), log)
log.clear()

# A callback that raises is reported, the others still run.
import io
import sys

i, j = cycle("i", "j")
r1 = weakref.ref(i, lambda r: 1 / 0)
r2 = weakref.ref(j, lambda r: log.append("second callback ran"))
del i, j
err, sys.stderr = sys.stderr, io.StringIO()
try:
    gc.collect()
finally:
    captured, sys.stderr = sys.stderr.getvalue(), err
print("raising callback:", log, "reported:", "ZeroDivisionError" in captured)
gc.enable()
