# gc.callbacks belongs to the program: empty at start, as in python3.11,
# so code that replaces or clears the list (gc.callbacks[:] = [mine],
# gc.callbacks.clear()) changes nothing but its own callbacks.
import gc

print("at start:", gc.callbacks)
seen = []
gc.callbacks[:] = [lambda phase, info: seen.append(phase)]
gc.collect()
print("only mine ran:", seen)
gc.callbacks.clear()
print("cleared:", gc.callbacks)
