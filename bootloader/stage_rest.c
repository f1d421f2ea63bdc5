/* stage_rest.c — the first stage's second page (stage_first.c is the
 * first): run only once the first page has found the file whole.  It
 * checks the stage's own pages and the image's guard ranges, maps the image
 * and the dynamic loader as execve would have, and points the auxiliary
 * vector at the image. */
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "stage.h"

#define NO_LOADER "not an x86-64 ELF loader"
/* A mapping fails for want of memory (ulimit -v), as the kernel's own
 * loading would have. */
#define CANNOT_MAP "out of memory (ulimit -v?)"

static uint32_t sum_range(struct ctx *c, uint64_t off, uint64_t len, unsigned char *keep)
{
    unsigned char buf[CHUNK];
    uint32_t lane[3];
    bl_core_init(lane);
    int first = 1;
    for (;;) {
        size_t n = len < CHUNK ? (size_t)len : CHUNK;
        if (stage_pread_all(c->fd, buf, n, off) < 0)
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
            long r = stage_sc(SYS_mmap, (long)start, (long)(fend - start), prot,
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
                long r = stage_sc(SYS_mmap, (long)UP(fend), (long)(UP(mend) - UP(fend)), prot,
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

uintptr_t stage_rest(struct ctx *c, const struct bl_trailer *t, Elf64_auxv_t *auxv)
{
    c->hw = bl_core_cpu_has_crc32();
    bl_core_make_table(c->table);
    /* The stage's own pages (the file's first pages are what is mapped
     * and running): a flip that left them able to run is caught here. */
    if (sum_range(c, 0, BL_STAGE_SIZE, NULL) != t->stage_crc)
        refuse(c, BL_ERR_IMAGE_CRC);
    for (uint32_t i = 0; i < t->guard_count; i++)
        if (sum_range(c, t->image_offset + t->guard[i].offset, t->guard[i].size,
                      i == 0 ? c->head : NULL)
            != t->guard[i].crc)
            refuse(c, BL_ERR_IMAGE_CRC);

    /* The image: a non-PIE executable whose headers were just verified. */
    const Elf64_Ehdr *eh = (const Elf64_Ehdr *)c->head;
    if (!headers_ok(eh, ET_EXEC))
        refuse(c, BL_ERR_IMAGE);
    const Elf64_Phdr *ph = (const Elf64_Phdr *)(c->head + eh->e_phoff);
    const char *interp = NULL;
    uint64_t phdr_va = 0;
    for (int i = 0; i < eh->e_phnum; i++) {
        if (ph[i].p_type == PT_INTERP && ph[i].p_filesz > 1 && ph[i].p_offset < CHUNK
            && ph[i].p_filesz <= CHUNK - ph[i].p_offset
            && c->head[ph[i].p_offset + ph[i].p_filesz - 1] == '\0')
            interp = (const char *)c->head + ph[i].p_offset;
        if (ph[i].p_type == PT_PHDR)
            phdr_va = ph[i].p_vaddr;
        if (ph[i].p_type == PT_LOAD && ph[i].p_filesz
            && (ph[i].p_offset > t->image_size || ph[i].p_filesz > t->image_size - ph[i].p_offset
                || ((ph[i].p_offset ^ ph[i].p_vaddr) & (PAGE - 1))))
            refuse(c, BL_ERR_IMAGE);
    }
    if (!interp || !phdr_va)
        refuse(c, BL_ERR_IMAGE);
    if (map_segments(c->fd, t->image_offset, 0, ph, eh->e_phnum, MAP_FIXED_NOREPLACE) < 0)
        stage_die(c->me, c->path, CANNOT_MAP, 1);
    SC3(SYS_close, c->fd, 0, 0);

    /* The dynamic loader, loaded where the kernel would load it: anywhere. */
    int lfd = (int)SC3(SYS_open, interp, O_RDONLY | O_CLOEXEC, 0);
    unsigned char lhead[CHUNK];
    if (lfd < 0 || stage_pread_all(lfd, lhead, sizeof(Elf64_Ehdr), 0) < 0)
        stage_die(c->me, interp, NO_LOADER, 1);
    const Elf64_Ehdr *leh = (const Elf64_Ehdr *)lhead;
    if (!headers_ok(leh, ET_DYN)
        || stage_pread_all(lfd, lhead + leh->e_phoff, (size_t)leh->e_phnum * sizeof(Elf64_Phdr),
                     leh->e_phoff) < 0)
        stage_die(c->me, interp, NO_LOADER, 1);
    const Elf64_Phdr *lph = (const Elf64_Phdr *)(lhead + leh->e_phoff);
    uint64_t lo = ~0ull, hi = 0;
    for (int i = 0; i < leh->e_phnum; i++)
        if (lph[i].p_type == PT_LOAD) {
            if (DOWN(lph[i].p_vaddr) < lo)
                lo = DOWN(lph[i].p_vaddr);
            if (UP(lph[i].p_vaddr + lph[i].p_memsz) > hi)
                hi = UP(lph[i].p_vaddr + lph[i].p_memsz);
        }
    if (hi <= lo)
        stage_die(c->me, interp, NO_LOADER, 1);
    long res = stage_sc(SYS_mmap, 0, (long)(hi - lo), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
                        -1, 0);
    if (bad_map(res) || map_segments(lfd, 0, (uint64_t)res - lo, lph, leh->e_phnum, MAP_FIXED) < 0)
        stage_die(c->me, interp, CANNOT_MAP, 1);
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
    stage_default_handlers();
    return (uintptr_t)(lbias + leh->e_entry);
}
