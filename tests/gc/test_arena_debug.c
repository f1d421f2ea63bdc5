/* test_arena_debug.c — gc/arena.c built as -Dgc_debug=true builds it
 * (GC_DEBUG): misuse that CPython's debug allocator catches is caught too,
 * with one message naming the address and the size class, then abort().
 *
 * Each misuse runs in a child process; the parent reads the child's stderr
 * and checks how it died. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gc.h"

struct outcome {
    int signal;        /* the signal that ended the child, or 0 */
    char stderr_text[1024];
};

/* Run misuse(h) in a child with a fresh heap; report how it ended. */
static void run_child(void (*misuse)(struct gc_heap *), struct outcome *o)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        close(fds[0]);
        dup2(fds[1], 2);
        struct gc_heap *h = gc_heap_new(0);
        misuse(h);
        _exit(0); /* not caught: the test sees no signal */
    }
    close(fds[1]);
    size_t got = 0;
    ssize_t n;
    while ((n = read(fds[0], o->stderr_text + got, sizeof o->stderr_text - 1 - got)) > 0)
        got += (size_t)n;
    o->stderr_text[got] = '\0';
    close(fds[0]);
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    o->signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
}

static char expected_addr[64];

static void double_free(struct gc_heap *h)
{
    void *keep = gc_heap_malloc(h, 48); /* so the page stays in use */
    void *p = gc_heap_malloc(h, 48);
    snprintf(expected_addr, sizeof expected_addr, "%p", p);
    fprintf(stderr, "addr=%p\n", p);
    gc_heap_free(h, p);
    gc_heap_free(h, p);
    (void)keep;
}

static void free_inside_a_block(struct gc_heap *h)
{
    char *p = gc_heap_malloc(h, 64);
    fprintf(stderr, "addr=%p\n", (void *)(p + 16));
    gc_heap_free(h, p + 16);
}

static void free_into_metadata(struct gc_heap *h)
{
    char *p = gc_heap_malloc(h, 32);
    /* The arena's first page holds its descriptors, never blocks. */
    char *meta = (char *)((uintptr_t)p & ~(uintptr_t)((1u << 20) - 1)) + 64;
    fprintf(stderr, "addr=%p\n", (void *)meta);
    gc_heap_free(h, meta);
}

/* The address the child printed first, as text. */
static const char *child_addr(const struct outcome *o, char *buf, size_t n)
{
    const char *a = strstr(o->stderr_text, "addr=");
    cr_assert_not_null(a, "the child printed no address: %s", o->stderr_text);
    size_t len = strcspn(a + 5, "\n");
    snprintf(buf, n, "%.*s", (int)len, a + 5);
    return buf;
}

Test(arena_debug, catches_a_double_free_naming_address_and_size_class)
{
    struct outcome o;
    char addr[64];
    run_child(double_free, &o);
    cr_assert_eq(o.signal, SIGABRT, "not aborted (signal %d): %s", o.signal, o.stderr_text);
    cr_assert(strstr(o.stderr_text, "double free"), "%s", o.stderr_text);
    cr_assert(strstr(o.stderr_text, "size class 48 bytes"), "%s", o.stderr_text);
    char want[96];
    snprintf(want, sizeof want, "bad free of %s", child_addr(&o, addr, sizeof addr));
    cr_assert(strstr(o.stderr_text, want), "no '%s' in: %s", want, o.stderr_text);
}

Test(arena_debug, catches_a_free_of_a_pointer_inside_a_block)
{
    struct outcome o;
    char addr[64];
    run_child(free_inside_a_block, &o);
    cr_assert_eq(o.signal, SIGABRT, "not aborted (signal %d): %s", o.signal, o.stderr_text);
    cr_assert(strstr(o.stderr_text, "not the start of a block"), "%s", o.stderr_text);
    cr_assert(strstr(o.stderr_text, "size class 64 bytes"), "%s", o.stderr_text);
    char want[96];
    snprintf(want, sizeof want, "bad free of %s", child_addr(&o, addr, sizeof addr));
    cr_assert(strstr(o.stderr_text, want), "no '%s' in: %s", want, o.stderr_text);
}

Test(arena_debug, catches_a_free_into_the_allocators_metadata)
{
    struct outcome o;
    run_child(free_into_metadata, &o);
    cr_assert_eq(o.signal, SIGABRT, "not aborted (signal %d): %s", o.signal, o.stderr_text);
    cr_assert(strstr(o.stderr_text, "metadata"), "%s", o.stderr_text);
}

Test(arena_debug, lets_correct_use_through)
{
    struct gc_heap *h = gc_heap_new(0);
    for (int i = 0; i < 1000; i++) {
        void *p = gc_heap_malloc(h, (size_t)(i % 512) + 1);
        cr_assert_not_null(p);
        gc_heap_free(h, p);
    }
    gc_heap_destroy(h);
}
