# gc.callbacks: each collection calls every callback with "start" then
# "stop", info holding generation, collected and uncollectable; stop's
# collected matches what gc.collect() returns; callbacks can be removed;
# a callback that raises is reported and the collection still happens.
import gc
import io
import sys

gc.disable()
gc.collect()
events = []


def cb(phase, info):
    events.append((phase, dict(info)))


class Node:
    def __init__(self):
        self.other = self


gc.callbacks.append(cb)
for gen in (0, 1, 2):
    for _ in range(gen + 2):
        Node()
    n = gc.collect(gen)
    print(f"collect({gen}) returned {n}")
gc.callbacks.remove(cb)
print("events:", len(events))
for phase, info in events:
    print(" ", phase, sorted(info), "generation", info["generation"],
          "collected", info["collected"], "uncollectable", info["uncollectable"])
pairs = list(zip(events[0::2], events[1::2]))
print("start/stop pairs:", all(a[0] == "start" and b[0] == "stop" for a, b in pairs))
print("same generation in each pair:", all(a[1]["generation"] == b[1]["generation"] for a, b in pairs))
events.clear()
gc.collect()
print("after remove:", events)

# Two callbacks are called in order.
order = []
gc.callbacks.extend([lambda p, i: order.append(("first", p)), lambda p, i: order.append(("second", p))])
gc.collect()
print("order:", order)
del gc.callbacks[:]

# A raising callback.
gc.callbacks.append(lambda p, i: 1 / 0)
gc.callbacks.append(cb)
Node()
err, sys.stderr = sys.stderr, io.StringIO()
try:
    n = gc.collect()
finally:
    captured, sys.stderr = sys.stderr.getvalue(), err
del gc.callbacks[:]
print("raising callback: collected", n, "later callback still ran:", [p for p, _ in events],
      "reported:", "ZeroDivisionError" in captured)

# Callbacks also see automatic collections, with a generation.
events.clear()
gc.callbacks.append(cb)
gc.enable()
for _ in range(3000):
    Node()
gc.disable()
gc.callbacks.remove(cb)
print("automatic collections seen:", len(events) > 0 and len(events) % 2 == 0,
      "generations valid:", all(i["generation"] in (0, 1, 2) for _, i in events))
