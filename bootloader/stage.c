/* stage.c — the first stage: the page at the start of every cryo executable
 * that the kernel runs (payload_format.h has the layout and says why).
 *
 * It runs before any library exists, so it is freestanding: raw system
 * calls, every variable on the stack, nothing writable in its page.  In
 * order:
 *   1. open the executable (/proc/self/exe, else AT_EXECFN);
 *   2. read the trailer, check its checksum and the file's size: a file cut
 *      anywhere past this page has no trailer where one must be;
 *   3. check the guard ranges: the image's ELF and program headers and the
 *      dynamic loader's tables, the PLT, .init, _start and the bootloader's
 *      guard section — everything that runs or is read before guard.c's
 *      constructor verifies the rest;
 *   4. map the image's segments and the dynamic loader named by its
 *      PT_INTERP exactly as execve would have, point the auxiliary vector
 *      at the image, and jump to the loader with the stack the kernel
 *      built.
 * Any failure: one line on stderr (the bootloader's wording,
 * trailer_codec.h) and status 127.  Its cost: one open, one fstat, the
 * trailer, about 140 KB of guard ranges checksummed, and the mmaps the
 * kernel would have made anyway.
 */
#include <elf.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "trailer_codec.h"

#if !defined(__x86_64__)
#error "the first stage is written for x86-64 Linux"
#endif

_Static_assert(BL_STAGE_VADDR == 0x40000000ull, "stage.ld links at another address");

/* The kernel enters here with the stack holding argc, argv, envp, auxv.
 * stage_main returns the loader's entry point; the stack pointer is put
 * back to what the kernel gave, as the loader expects. */
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
        ".previous\n");

static long sc(long n, long a, long b, long c, long d, long e, long f)
{
    long r;
    register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
    __asm__ volatile("syscall"
                     : "=a"(r)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return r;
}

#define SC3(n, a, b, c) sc(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)


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

__attribute__((noreturn)) static void die(const char *me, const char *path, const char *what,
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
 * page holds only their sentences. */
__attribute__((noreturn)) static void refuse_as(const char *me, const char *path, enum bl_err err)
{
    switch (err) {
    case BL_ERR_TRAILER_CRC: die(me, path, bl_err_text(BL_ERR_TRAILER_CRC), 0);
    case BL_ERR_VERSION: die(me, path, bl_err_text(BL_ERR_VERSION), 0);
    case BL_ERR_SIZE: die(me, path, bl_err_text(BL_ERR_SIZE), 0);
    case BL_ERR_IMAGE: die(me, path, bl_err_text(BL_ERR_IMAGE), 0);
    case BL_ERR_IMAGE_CRC: die(me, path, bl_err_text(BL_ERR_IMAGE_CRC), 0);
    default: die(me, path, bl_err_text(BL_ERR_NO_TRAILER), 0);
    }
}
#define refuse(c, err) refuse_as((c)->me, (c)->path, (err))

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
    unsigned char *p = buf;
    while (len) {
        long n = sc(SYS_pread64, fd, (long)p, (long)len, (long)off, 0, 0);
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

#define CANNOT_OPEN "cannot open it (no /proc?)"
#define NO_LOADER "not an x86-64 ELF loader"
/* A mapping fails for want of memory (ulimit -v), as the kernel's own
 * loading would have. */
#define CANNOT_MAP "out of memory (ulimit -v?)"

#define CHUNK (BL_SUM_GROUP * 170) /* 4080 bytes, whole checksum groups */

struct ctx {
    const char *me;
    const char *path;
    int fd;
    int hw;
    uint32_t table[256];
    unsigned char head[CHUNK]; /* the image's first bytes: ELF and program headers */
};

static uint32_t sum_range(struct ctx *c, uint64_t off, uint64_t len, unsigned char *keep)
{
    unsigned char buf[CHUNK];
    uint32_t lane[3];
    bl_core_init(lane);
    int first = 1;
    for (;;) {
        size_t n = len < CHUNK ? (size_t)len : CHUNK;
        if (pread_all(c->fd, buf, n, off) < 0)
            refuse(c, BL_ERR_SIZE);
        if (first && keep)
            memcpy(keep, buf, n);
        first = 0;
        off += n;
        len -= n;
        if (c->hw)
            bl_core_groups_hw(lane, buf, n / BL_SUM_GROUP);
        else
            bl_core_groups_sw(c->table, lane, buf, n / BL_SUM_GROUP);
        if (!len)
            return bl_core_final(c->table, lane, buf + (n - n % BL_SUM_GROUP), n % BL_SUM_GROUP);
    }
}

static int prot_of(uint32_t flags)
{
    return ((flags & PF_R) ? PROT_READ : 0) | ((flags & PF_W) ? PROT_WRITE : 0)
           | ((flags & PF_X) ? PROT_EXEC : 0);
}

#define PAGE 4096ull
#define DOWN(x) ((x) & ~(PAGE - 1))
#define UP(x) (((x) + PAGE - 1) & ~(PAGE - 1))

static int bad_map(long r)
{
    return r < 0 && r > -4096;
}

/* Map the PT_LOAD segments of the ELF file open on `fd` (its bytes start at
 * `base_off`) at `bias` + their addresses, as execve does: file pages, the
 * rest of the last file page zeroed, anonymous pages for the remaining
 * bss.  0, or -1 if a mapping fails. */
static int map_segments(int fd, uint64_t base_off, uint64_t bias, const Elf64_Phdr *ph, int n,
                        int fixed_flags)
{
    for (int i = 0; i < n; i++) {
        if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
            continue;
        uint64_t va = bias + ph[i].p_vaddr;
        uint64_t start = DOWN(va), fend = va + ph[i].p_filesz, mend = va + ph[i].p_memsz;
        int prot = prot_of(ph[i].p_flags);
        if (ph[i].p_filesz) {
            long r = sc(SYS_mmap, (long)start, (long)(fend - start), prot,
                        MAP_PRIVATE | fixed_flags, fd, (long)(base_off + DOWN(ph[i].p_offset)));
            if (bad_map(r) || (uint64_t)r != start)
                return -1;
        }
        if (mend > fend) {
            if (fend & (PAGE - 1)) {
                if (!(prot & PROT_WRITE))
                    return -1;
                unsigned char *z = (unsigned char *)(uintptr_t)fend;
                for (uint64_t a = fend; a < UP(fend); a++)
                    *z++ = 0;
            }
            if (UP(mend) > UP(fend)) {
                long r = sc(SYS_mmap, (long)UP(fend), (long)(UP(mend) - UP(fend)), prot,
                            MAP_PRIVATE | MAP_ANONYMOUS | fixed_flags, -1, 0);
                if (bad_map(r))
                    return -1;
            }
        }
    }
    return 0;
}

static int headers_ok(const Elf64_Ehdr *eh, uint16_t type)
{
    const unsigned char *id = eh->e_ident;
    return id[0] == 0x7f && id[1] == 'E' && id[2] == 'L' && id[3] == 'F'
           && id[EI_CLASS] == ELFCLASS64 && id[EI_DATA] == ELFDATA2LSB
           && eh->e_type == type && eh->e_machine == EM_X86_64
           && eh->e_phentsize == sizeof(Elf64_Phdr) && eh->e_phnum > 0 && eh->e_phnum <= 32
           && eh->e_phoff <= CHUNK - (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr);
}

uintptr_t stage_main(uintptr_t *sp)
{
    struct ctx c;
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
        die(c.me, c.path, CANNOT_OPEN, 1);
    }

    struct stat st;
    if (SC3(SYS_fstat, c.fd, &st, 0) < 0)
        die(c.me, c.path, CANNOT_OPEN, 1);
    uint64_t size = (uint64_t)st.st_size;
    unsigned char raw[BL_TRAILER_SIZE];
    struct bl_trailer t;
    enum bl_err err = BL_ERR_NO_TRAILER;
    if (size >= BL_TRAILER_SIZE && pread_all(c.fd, raw, sizeof raw, size - BL_TRAILER_SIZE) == 0)
        err = bl_trailer_decode(raw, &t);
    if (err == BL_OK)
        err = bl_trailer_check_size(&t, size);
    if (err == BL_OK && (t.image_offset != BL_STAGE_SIZE || t.guard_count == 0
                         || t.guard[0].offset != 0 || t.guard[0].size < CHUNK))
        err = BL_ERR_IMAGE;
    if (err != BL_OK)
        refuse(&c, err);

    c.hw = bl_core_cpu_has_crc32();
    bl_core_make_table(c.table);
    /* This page itself (the file's first page is what is mapped and
     * running): a flip that left it able to run is caught here. */
    if (sum_range(&c, 0, BL_STAGE_SIZE, NULL) != t.stage_crc)
        refuse(&c, BL_ERR_IMAGE_CRC);
    for (uint32_t i = 0; i < t.guard_count; i++)
        if (sum_range(&c, t.image_offset + t.guard[i].offset, t.guard[i].size,
                      i == 0 ? c.head : NULL)
            != t.guard[i].crc)
            refuse(&c, BL_ERR_IMAGE_CRC);

    /* The image: a non-PIE executable whose headers were just verified. */
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)c.head;
    if (!headers_ok(eh, ET_EXEC))
        refuse(&c, BL_ERR_IMAGE);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(c.head + eh->e_phoff);
    const char *interp = NULL;
    uint64_t phdr_va = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_INTERP && ph[i].p_filesz > 1 && ph[i].p_offset < CHUNK
            && ph[i].p_filesz <= CHUNK - ph[i].p_offset
            && c.head[ph[i].p_offset + ph[i].p_filesz - 1] == '\0')
            interp = (const char *)c.head + ph[i].p_offset;
        if (ph[i].p_type == PT_PHDR)
            phdr_va = ph[i].p_vaddr;
        if (ph[i].p_type == PT_LOAD && ph[i].p_filesz
            && (ph[i].p_offset > t.image_size || ph[i].p_filesz > t.image_size - ph[i].p_offset
                || ((ph[i].p_offset ^ ph[i].p_vaddr) & (PAGE - 1))))
            refuse(&c, BL_ERR_IMAGE);
    }
    if (!interp || !phdr_va)
        refuse(&c, BL_ERR_IMAGE);
    if (map_segments(c.fd, t.image_offset, 0, ph, eh->e_phnum, MAP_FIXED_NOREPLACE) < 0)
        die(c.me, c.path, CANNOT_MAP, 1);
    SC3(SYS_close, c.fd, 0, 0);

    /* The dynamic loader, loaded where the kernel would load it: anywhere. */
    int lfd = (int)SC3(SYS_open, interp, O_RDONLY | O_CLOEXEC, 0);
    unsigned char lhead[CHUNK];
    if (lfd < 0 || pread_all(lfd, lhead, sizeof(Elf64_Ehdr), 0) < 0)
        die(c.me, interp, NO_LOADER, 1);
    const Elf64_Ehdr *leh = (const Elf64_Ehdr *)lhead;
    if (!headers_ok(leh, ET_DYN)
        || pread_all(lfd, lhead + leh->e_phoff, (size_t)leh->e_phnum * sizeof(Elf64_Phdr),
                     leh->e_phoff) < 0)
        die(c.me, interp, NO_LOADER, 1);
    const Elf64_Phdr *lph = (const Elf64_Phdr *)(lhead + leh->e_phoff);
    uint64_t lo = ~0ull, hi = 0;
    for (int i = 0; i < leh->e_phnum; i++)
        if (lph[i].p_type == PT_LOAD) {
            if (DOWN(lph[i].p_vaddr) < lo)
                lo = DOWN(lph[i].p_vaddr);
            if (UP(lph[i].p_vaddr + lph[i].p_memsz) > hi)
                hi = UP(lph[i].p_vaddr + lph[i].p_memsz);
        }
    long res = hi > lo ? sc(SYS_mmap, 0, (long)(hi - lo), PROT_NONE,
                            MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
                       : -1;
    if (hi <= lo)
        die(c.me, interp, NO_LOADER, 1);
    if (bad_map(res) || map_segments(lfd, 0, (uint64_t)res - lo, lph, leh->e_phnum, MAP_FIXED) < 0)
        die(c.me, interp, CANNOT_MAP, 1);
    SC3(SYS_close, lfd, 0, 0);
    uint64_t lbias = (uint64_t)res - lo;

    /* What the kernel says of the program now describes the image. */
    for (Elf64_auxv_t *a = auxv; a->a_type != AT_NULL; a++) {
        switch (a->a_type) {
        case AT_PHDR: a->a_un.a_val = phdr_va; break;
        case AT_PHENT: a->a_un.a_val = sizeof(Elf64_Phdr); break;
        case AT_PHNUM: a->a_un.a_val = eh->e_phnum; break;
        case AT_ENTRY: a->a_un.a_val = eh->e_entry; break;
        case AT_BASE: a->a_un.a_val = lbias; break;
        }
    }
    return (uintptr_t)(lbias + leh->e_entry);
}
