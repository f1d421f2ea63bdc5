"""cpu_richards.py — method calls, attribute access and small objects: a
round-robin scheduler moving packets between task objects, in the spirit of
Richards' benchmark (bench suite cpu)."""
import sys


class Packet:
    __slots__ = ("dest", "hops", "payload")

    def __init__(self, dest, payload):
        self.dest, self.hops, self.payload = dest, 0, payload


class Task:
    def __init__(self, ident, n_tasks):
        self.ident, self.n_tasks = ident, n_tasks
        self.inbox = []
        self.handled = 0

    def receive(self, pkt):
        self.inbox.append(pkt)

    def step(self, sched):
        if not self.inbox:
            return False
        pkt = self.inbox.pop()
        self.handled += 1
        pkt.hops += 1
        pkt.payload = (pkt.payload * 31 + self.ident) & 0xFFFF
        if pkt.hops < 20:
            pkt.dest = (self.ident + pkt.payload) % self.n_tasks
            sched.send(pkt)
        else:
            sched.done(pkt)
        return True


class Scheduler:
    def __init__(self, n_tasks):
        self.tasks = [Task(i, n_tasks) for i in range(n_tasks)]
        self.finished = 0
        self.checksum = 0

    def send(self, pkt):
        self.tasks[pkt.dest].receive(pkt)

    def done(self, pkt):
        self.finished += 1
        self.checksum = (self.checksum + pkt.payload) & 0xFFFFFFFF

    def run(self):
        busy = True
        while busy:
            busy = False
            for t in self.tasks:
                if t.step(self):
                    busy = True


def main(n):
    s = Scheduler(13)
    for i in range(n):
        s.send(Packet(i % 13, i))
    s.run()
    print(s.finished, s.checksum, sum(t.handled for t in s.tasks))


main(int(sys.argv[1]) if len(sys.argv) > 1 else 60000)
