# Signals: python's default dispositions (SIGINT raises KeyboardInterrupt,
# SIGPIPE ignored), handlers installed by the program, signals sent to
# ourselves, and KeyboardInterrupt caught from a real SIGINT.
import os
import signal
import time

print("SIGINT handler is default_int_handler:", signal.getsignal(signal.SIGINT) is signal.default_int_handler)
print("SIGPIPE ignored:", signal.getsignal(signal.SIGPIPE) == signal.SIG_IGN)
print("SIGTERM default:", signal.getsignal(signal.SIGTERM) == signal.SIG_DFL)
print("SIGCHLD default:", signal.getsignal(signal.SIGCHLD) == signal.SIG_DFL)

received = []


def handler(signum, frame):
    received.append(signal.Signals(signum).name)


signal.signal(signal.SIGUSR1, handler)
signal.signal(signal.SIGTERM, handler)
os.kill(os.getpid(), signal.SIGUSR1)
os.kill(os.getpid(), signal.SIGTERM)
signal.raise_signal(signal.SIGUSR1)
print("received:", received)
try:
    os.kill(os.getpid(), signal.SIGINT)
    for _ in range(500):  # the handler runs at the next check, within 5 s
        time.sleep(0.01)
    print("SIGINT not delivered")
except KeyboardInterrupt:
    print("SIGINT became KeyboardInterrupt")
old = signal.signal(signal.SIGUSR2, signal.SIG_IGN)
os.kill(os.getpid(), signal.SIGUSR2)
print("SIGUSR2 ignored; previous disposition was default:", old == signal.SIG_DFL)
print("blocked signals:", sorted(s.name for s in signal.pthread_sigmask(signal.SIG_BLOCK, [])))
