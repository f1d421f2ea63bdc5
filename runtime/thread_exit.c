/* thread_exit.c — what a daemon thread does when the interpreter finalizes.
 *
 * 3.11 ends such a thread with PyThread_exit_thread(), that is pthread_exit()
 * (Python/ceval_gil.h, take_gil: the thread woke up after Py_Finalize()
 * began and must never touch the interpreter again).  glibc's pthread_exit
 * unwinds the thread's stack with libgcc_s.so.1, which it dlopen()s at that
 * moment; on a machine holding only glibc (a distroless or scratch image,
 * the tests' chroot) it is absent and glibc aborts the whole process:
 * "libgcc_s.so.1 must be installed for pthread_exit to work", exit status
 * 134, after the program's output -- any program still running a daemon
 * thread at exit.  python3.11 on its own machine has libgcc_s (gcc's
 * runtime is a dependency of Debian's package), so it exits 0.
 *
 * So the program links with --wrap=pthread_exit (freezer/cc.c) and libpython's
 * only call of it (thread_pthread.h) lands here: the thread blocks until
 * the process ends, which the finalizing thread is about to make happen.
 * CPython 3.14 made the same change upstream (PyThread_hang_thread, for the
 * same unwinding trouble).  Nothing is lost by not unwinding: the thread
 * holds no lock of the interpreter's here (take_gil dropped them), and
 * libpython registers no cleanup handler or thread-local destructor.
 * cryo's own code never calls pthread_exit. */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include "runtime.h"

void __wrap_pthread_exit(void *retval) __attribute__((noreturn));

void __wrap_pthread_exit(void *retval)
{
    (void)retval;
    /* Signals are the process's business, delivered to other threads. */
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, NULL);
    for (;;)
        pause();
}
