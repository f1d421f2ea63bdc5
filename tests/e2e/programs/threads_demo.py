# Threads: threading.Thread with a Lock, a producer/consumer over
# queue.Queue, Events and Conditions, and ThreadPoolExecutor (map,
# submit, as_completed, exceptions from workers).
import concurrent.futures
import queue
import threading

counter = 0
lock = threading.Lock()


def bump(n):
    global counter
    for _ in range(n):
        with lock:
            counter += 1


threads = [threading.Thread(target=bump, args=(10000,), name=f"bumper-{i}") for i in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("counter:", counter)
print("names:", sorted(t.name for t in threads))

q = queue.Queue()
results = []


def consumer():
    while True:
        item = q.get()
        if item is None:
            q.task_done()
            break
        results.append(item * item)
        q.task_done()


workers = [threading.Thread(target=consumer) for _ in range(3)]
for w in workers:
    w.start()
for i in range(50):
    q.put(i)
for _ in workers:
    q.put(None)
q.join()
for w in workers:
    w.join()
print("squares sum:", sum(results), "count:", len(results))

ready = threading.Event()
cond = threading.Condition()
state = []


def waiter():
    ready.wait()
    with cond:
        state.append("woke")
        cond.notify()


t = threading.Thread(target=waiter)
t.start()
with cond:
    ready.set()
    cond.wait_for(lambda: state)
t.join()
print("state:", state)


def work(n):
    if n == 7:
        raise RuntimeError("seven is unlucky")
    return sum(range(n * 1000))


with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
    print("map:", list(pool.map(work, range(5))))
    futures = {pool.submit(work, n): n for n in range(5, 10)}
    done = {}
    for f in concurrent.futures.as_completed(futures):
        n = futures[f]
        try:
            done[n] = f.result()
        except RuntimeError as e:
            done[n] = f"error: {e}"
    print("submitted:", sorted(done.items()))

local = threading.local()


def set_local(v, out):
    local.value = v
    out.append(local.value)


out = []
ts = [threading.Thread(target=set_local, args=(i, out)) for i in range(3)]
for t in ts:
    t.start()
for t in ts:
    t.join()
print("thread-local values:", sorted(out), "main has value:", hasattr(local, "value"))
print("active threads at end:", threading.active_count())
print("main thread:", threading.current_thread() is threading.main_thread())
