# Daemon threads still running Python code when the program ends: the
# finalizing interpreter stops them (3.11 calls pthread_exit, which on a
# machine holding only glibc -- no libgcc_s -- aborted the whole process
# with status 134 after the output) and the program exits 0 with all of
# its output.  Run in the glibc-only chroot too (chroot_test.py).
import sys
import threading
import time


def spin():
    while True:
        time.sleep(0.0005)  # gives the GIL up and takes it back, again and again


def compute():
    n = 0
    while True:
        n += 1  # holds the GIL between the interpreter's switch intervals


for target in (spin, spin, compute, spin):
    threading.Thread(target=target, daemon=True).start()
time.sleep(0.05)
print("main done, daemon threads still running")
sys.stdout.flush()
