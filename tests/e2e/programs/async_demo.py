# async/await: asyncio.run, gather, tasks, queues, async generators,
# async context managers, timeouts, and cancellation.
import asyncio
import contextlib


async def worker(name, delay, results):
    await asyncio.sleep(delay)
    results.append(name)
    return name.upper()


async def ticker(n):
    for i in range(n):
        await asyncio.sleep(0)
        yield i


@contextlib.asynccontextmanager
async def session(log):
    log.append("open")
    try:
        yield "session"
    finally:
        log.append("close")


async def producer(q, n):
    for i in range(n):
        await q.put(i)
    await q.put(None)


async def consumer(q):
    total = 0
    while (item := await q.get()) is not None:
        total += item
    return total


async def forever():
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        return "cancelled cleanly"


async def main():
    results = []
    out = await asyncio.gather(worker("c", 0.03, results), worker("a", 0.01, results),
                               worker("b", 0.02, results))
    print("gather:", out, "finish order:", results)
    print("async gen:", [i async for i in ticker(5)])
    log = []
    async with session(log) as s:
        print("inside", s)
    print("log:", log)
    q = asyncio.Queue(maxsize=3)
    _, total = await asyncio.gather(producer(q, 100), consumer(q))
    print("queue total:", total)
    try:
        await asyncio.wait_for(asyncio.sleep(10), timeout=0.01)
    except asyncio.TimeoutError:
        print("timed out")
    task = asyncio.create_task(forever())
    await asyncio.sleep(0)
    task.cancel()
    print("task:", await task)
    errs = await asyncio.gather(worker("ok", 0, []), asyncio.sleep(0, result=5),
                                return_exceptions=True)
    print("with exceptions:", errs)
    return "main done"


print(asyncio.run(main()))
