# multiprocessing with each start method: a Pool, a Process with a Queue, a
# ProcessPoolExecutor, shared memory (the resource tracker), and the
# children's view of __main__ (__mp_main__ for spawn and forkserver).
# Without freeze_support(): on Linux nobody calls it.
import concurrent.futures
import multiprocessing as mp
import os
import sys
from multiprocessing import shared_memory

LOADED_AS = __name__


def square(x):
    return x * x


def where(_):
    import __main__
    return LOADED_AS, __main__.__name__, "square" in dir(__main__)


def producer(q, n):
    for i in range(n):
        q.put(("item", i))
    q.put(None)


def fill(name, n):
    shm = shared_memory.SharedMemory(name=name)
    for i in range(n):
        shm.buf[i] = i * 3 % 256
    shm.close()


def run(method):
    ctx = mp.get_context(method)
    with ctx.Pool(2) as pool:
        print(method, "pool", pool.map(square, range(8)))
        print(method, "main in child", pool.apply(where, (0,)))
    q = ctx.Queue()
    p = ctx.Process(target=producer, args=(q, 4))
    p.start()
    items = []
    while (it := q.get()) is not None:
        items.append(it)
    p.join()
    print(method, "queue", items, "exit", p.exitcode)
    with concurrent.futures.ProcessPoolExecutor(2, mp_context=ctx) as ex:
        print(method, "executor", sorted(ex.map(square, [3, 4, 5])))
    shm = shared_memory.SharedMemory(create=True, size=16)
    try:
        p = ctx.Process(target=fill, args=(shm.name, 16))
        p.start()
        p.join()
        print(method, "shared memory", bytes(shm.buf[:16]).hex(), "exit", p.exitcode)
    finally:
        shm.close()
        shm.unlink()
    p = ctx.Process(target=sys.exit, args=(7,))
    p.start()
    p.join()
    print(method, "child exit status", p.exitcode)


if __name__ == "__main__":
    print("main", LOADED_AS, os.path.basename(__file__).endswith("mp_start_methods.py"))
    for method in ("fork", "spawn", "forkserver"):
        run(method)
