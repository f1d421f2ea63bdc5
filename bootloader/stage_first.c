/* stage_first.c — the first page of the first stage, the code at the start
 * of every cryo executable that the kernel runs (payload_format.h has the
 * layout and says why; stage_rest.c is the second page).
 *
 * It runs before any library exists, so it is freestanding: raw system
 * calls, every variable on the stack, nothing writable in its pages.  This
 * page:
 *   1. catches SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP and SIGSYS: a fault
 *      here can only be damage to the stage's own code;
 *   2. opens the executable (/proc/self/exe, else AT_EXECFN);
 *   3. reads the trailer, checks its checksum and the file's size: a file
 *      cut anywhere past this page has no trailer where one must be.  Only
 *      then is the second page (stage_rest) used: a file cut at 4096 bytes
 *      does not have it.
 * Any failure: one line on stderr (the bootloader's wording,
 * trailer_codec.h) and status 127.  The whole stage costs one open, one
 * fstat, the trailer, its own 8 KB and about 150 KB of guard ranges
 * checksummed, and the mmaps the kernel would have made anyway.
 */
#define _GNU_SOURCE /* REG_R15, REG_RSP */
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>

#include "stage.h"

_Static_assert(BL_STAGE_VADDR == 0x40000000ull, "stage.ld links at another address");

#define CANNOT_OPEN "cannot open it (no /proc?)"

/* The kernel enters here with the stack holding argc, argv, envp, auxv.
 * stage_main returns the loader's entry point; the stack pointer is put
 * back to what the kernel gave, as the loader expects.  stage_restorer is
 * the sa_restorer the kernel demands of a handler (never used: the
 * handler does not return). */
__asm__(".section .text.entry,\"ax\",@progbits\n"
        ".globl _start\n"
        "_start:\n"
        "  mov %rsp, %rbx\n"
        "  mov %rsp, %rdi\n"
        "  and $-16, %rsp\n"
        "  call stage_main\n"
        "  mov %rbx, %rsp\n"
        "  xor %edx, %edx\n"
        "  jmp *%rax\n"
        "stage_restorer:\n"
        "  mov $15, %eax\n"
        "  syscall\n"
        ".previous\n");
void stage_restorer(void);

long stage_sc(long n, long a, long b, long c, long d, long e, long f)
{
    long r;
    register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return r;
}

/* The compiler may turn loops into calls to these. */
void *memset(void *d, int c, size_t n)
{
    unsigned char *p = d;
    while (n--)
        *p++ = (unsigned char)c;
    return d;
}

void *memcpy(void *d, const void *s, size_t n)
{
    unsigned char *p = d;
    const unsigned char *q = s;
    while (n--)
        *p++ = *q++;
    return d;
}

struct out {
    char buf[4096 + 512];
    size_t n;
};

static void put(struct out *o, const char *s)
{
    while (*s && o->n < sizeof o->buf)
        o->buf[o->n++] = *s++;
}

__attribute__((noreturn)) void stage_die(const char *me, const char *path, const char *what,
                                         int io)
{
    struct out o;
    o.n = 0;
    put(&o, me);
    if (io) {
        put(&o, ": cannot start: cannot load '");
        put(&o, path);
        put(&o, "': ");
        put(&o, what);
        put(&o, "\n");
    } else {
        put(&o, BL_MSG_DAMAGED_HEAD);
        put(&o, path);
        put(&o, BL_MSG_DAMAGED_MID);
        put(&o, what);
        put(&o, BL_MSG_DAMAGED_TAIL);
    }
    SC3(SYS_write, 2, o.buf, o.n);
    for (;;)
        SC3(SYS_exit_group, 127, 0, 0);
}

/* Only the reasons the stage can give, each as a constant, so that the
 * pages hold only their sentences. */
__attribute__((noreturn)) void stage_refuse(const char *me, const char *path, enum bl_err err)
{
    switch (err) {
    case BL_ERR_TRAILER_CRC: stage_die(me, path, bl_err_text(BL_ERR_TRAILER_CRC), 0);
    case BL_ERR_VERSION: stage_die(me, path, bl_err_text(BL_ERR_VERSION), 0);
    case BL_ERR_SIZE: stage_die(me, path, bl_err_text(BL_ERR_SIZE), 0);
    case BL_ERR_IMAGE: stage_die(me, path, bl_err_text(BL_ERR_IMAGE), 0);
    case BL_ERR_IMAGE_CRC: stage_die(me, path, bl_err_text(BL_ERR_IMAGE_CRC), 0);
    default: stage_die(me, path, bl_err_text(BL_ERR_NO_TRAILER), 0);
    }
}

int stage_pread_all(int fd, void *buf, size_t len, uint64_t off)
{
    unsigned char *p = buf;
    while (len) {
        long n = stage_sc(SYS_pread64, fd, (long)p, (long)len, (long)off, 0, 0);
        if (n == -4) /* EINTR */
            continue;
        if (n <= 0)
            return -1;
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return 0;
}

/* A fault in the stage itself: its code is damaged (the rest is checked
 * before it is used).  The running ctx is found through r15, which the
 * stage's code never uses otherwise (-ffixed-r15) and stage_main sets. */
#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000 /* the kernel's; glibc hides it */
#endif
#define CAUGHT ((1u << SIGILL) | (1u << SIGTRAP) | (1u << SIGBUS) | (1u << SIGFPE) \
                | (1u << SIGSEGV) | (1u << SIGSYS))

static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)si;
    const mcontext_t *m = &((const ucontext_t *)uc)->uc_mcontext;
    const struct ctx *c = (const struct ctx *)m->gregs[REG_R15];
    uintptr_t sp = (uintptr_t)m->gregs[REG_RSP];
    if ((uintptr_t)c > sp && (uintptr_t)c - sp < (1u << 20) && c->magic == STAGE_MAGIC)
        stage_die(c->me, c->path, "its first stage is damaged (it faulted)", 0);
    stage_die("cryo-app", "this executable", "its first stage is damaged (it faulted)", 0);
}

static void handlers(void *h)
{
    struct {
        void *handler;
        unsigned long flags;
        void (*restorer)(void);
        unsigned long mask;
    } sa = {h, SA_SIGINFO | SA_RESTORER | SA_NODEFER, stage_restorer, 0};
    for (int s = 1; s < 32; s++)
        if (CAUGHT & (1u << s))
            stage_sc(SYS_rt_sigaction, s, (long)&sa, 0, 8, 0, 0);
}

void stage_default_handlers(void)
{
    handlers(SIG_DFL);
}

uintptr_t stage_main(uintptr_t *sp)
{
    struct ctx c;
    c.magic = STAGE_MAGIC;
    __asm__ volatile("mov %0, %%r15" : : "r"(&c) : "memory");
    handlers((void *)on_fault);
    long argc = (long)sp[0];
    char **argv = (char **)(sp + 1);
    char **envp = argv + argc + 1;
    while (*envp)
        envp++;
    Elf64_auxv_t *auxv = (Elf64_auxv_t *)(envp + 1);
    const char *execfn = NULL;
    for (Elf64_auxv_t *a = auxv; a->a_type != AT_NULL; a++)
        if (a->a_type == AT_EXECFN)
            execfn = (const char *)a->a_un.a_val;

    char path[4096];
    c.me = argc > 0 && argv[0] ? argv[0] : "cryo-app";
    long n = SC3(SYS_readlink, "/proc/self/exe", path, sizeof path - 1);
    c.fd = -1;
    if (n > 0) {
        path[n] = '\0';
        c.path = path;
        c.fd = (int)SC3(SYS_open, "/proc/self/exe", O_RDONLY | O_CLOEXEC, 0);
    }
    if (c.fd < 0 && execfn) {
        /* No /proc: the name it was started by, relative to the working
         * directory, which nothing has changed yet. */
        c.path = execfn;
        c.fd = (int)SC3(SYS_open, execfn, O_RDONLY | O_CLOEXEC, 0);
    }
    if (c.fd < 0) {
        if (!execfn)
            c.path = "/proc/self/exe";
        stage_die(c.me, c.path, CANNOT_OPEN, 1);
    }

    struct stat st;
    if (SC3(SYS_fstat, c.fd, &st, 0) < 0)
        stage_die(c.me, c.path, CANNOT_OPEN, 1);
    uint64_t size = (uint64_t)st.st_size;
    unsigned char raw[BL_TRAILER_SIZE];
    struct bl_trailer t;
    enum bl_err err = BL_ERR_NO_TRAILER;
    if (size >= BL_TRAILER_SIZE && stage_pread_all(c.fd, raw, sizeof raw, size - BL_TRAILER_SIZE) == 0)
        err = bl_trailer_decode(raw, &t);
    if (err == BL_OK)
        err = bl_trailer_check_size(&t, size);
    if (err == BL_OK && (t.image_offset != BL_STAGE_SIZE || t.guard_count == 0
                         || t.guard[0].offset != 0 || t.guard[0].size < CHUNK))
        err = BL_ERR_IMAGE;
    if (err != BL_OK)
        refuse(&c, err);

    /* The file is whole: the second page exists. */
    return stage_rest(&c, &t, auxv);
}
