/* image.c — what the freezer writes around the linked ELF image
 * (payload_format.h): the first stage's page in front of it, and the guard
 * ranges of the image that the first stage checks before anything in the
 * image is used. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../bootloader/bootloader.h"
#include "fz.h"

int fz_stage_page(const char *stage_path, unsigned char *page)
{
    size_t len;
    char *bytes = fz_read_file(stage_path, &len);
    if (!bytes)
        return -1;
    int ok = 0;
    Elf64_Ehdr eh;
    if (len >= sizeof eh) {
        memcpy(&eh, bytes, sizeof eh);
        ok = memcmp(eh.e_ident, ELFMAG, SELFMAG) == 0 && eh.e_ident[EI_CLASS] == ELFCLASS64
             && eh.e_type == ET_EXEC && eh.e_machine == EM_X86_64
             && eh.e_phentsize == sizeof(Elf64_Phdr)
             && eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) <= BL_STAGE_SIZE
             && eh.e_phoff + (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) <= len;
    }
    for (int i = 0; ok && i < eh.e_phnum; i++) {
        Elf64_Phdr ph;
        memcpy(&ph, bytes + eh.e_phoff + i * sizeof ph, sizeof ph);
        if (ph.p_type == PT_LOAD
            && (ph.p_offset + ph.p_filesz > BL_STAGE_SIZE || ph.p_offset + ph.p_filesz > len
                || ph.p_memsz != ph.p_filesz || (ph.p_flags & PF_W)
                || ph.p_vaddr != BL_STAGE_VADDR + ph.p_offset))
            ok = 0;
    }
    if (!ok) {
        fz_error("'%s' is not a first stage that fits in its %d bytes; "
                 "rebuild cryo",
                 stage_path, BL_STAGE_SIZE);
        free(bytes);
        return -1;
    }
    memset(page, 0, BL_STAGE_SIZE);
    memcpy(page, bytes, len < BL_STAGE_SIZE ? len : BL_STAGE_SIZE);
    /* Its section headers lie past the page and are not copied. */
    eh.e_shoff = 0;
    eh.e_shnum = 0;
    eh.e_shstrndx = 0;
    memcpy(page, &eh, sizeof eh);
    free(bytes);
    return 0;
}

struct range {
    uint64_t lo, hi;
};

static int by_lo(const void *a, const void *b)
{
    const struct range *x = a, *y = b;
    return x->lo < y->lo ? -1 : x->lo > y->lo;
}

/* The file offset of virtual address `va`, or -1. */
static int64_t offset_of(Elf *elf, size_t nph, uint64_t va)
{
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD && va >= ph.p_vaddr
            && va < ph.p_vaddr + ph.p_filesz)
            return (int64_t)(ph.p_offset + (va - ph.p_vaddr));
    }
    return -1;
}

/* Which ranges: everything the kernel, the dynamic loader and the C start
 * code read or run before guard.c's constructor has verified the rest —
 *   the ELF and program headers, .interp, the notes and the loader's tables
 *   (symbols, versions, hash, relocations), which lie at the image's start;
 *   the segment holding .dynamic (with -z relro and -z now: .init_array,
 *   .dynamic, .got, .got.plt);
 *   .got, .got.plt, .init_array, .preinit_array wherever they are;
 *   the PLT (every call into libc goes through it), .init, the 64 bytes at
 *   the entry point (_start), and the bootloader's "cryo_guard" section
 *   and "cryo_guard_ro", the constants of its refusal.
 * Neighbours closer than a page are merged. */
int fz_image_guards(const char *image_path, struct bl_trailer *t)
{
    struct range r[64];
    size_t nr = 0, nph = 0, shstr = 0;
    int rc = -1, have_guard = 0;
    if (elf_version(EV_CURRENT) == EV_NONE) {
        fz_error("libelf is unusable");
        return -1;
    }
    int fd = open(image_path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fz_error("cannot read the linked program '%s': %s", image_path, strerror(errno));
        return -1;
    }
    struct stat st;
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    GElf_Ehdr eh;
    if (fstat(fd, &st) != 0 || !elf || !gelf_getehdr(elf, &eh) || elf_getphdrnum(elf, &nph) != 0
        || elf_getshdrstrndx(elf, &shstr) != 0) {
        fz_error("the linked program '%s' is not an ELF file cryo can read", image_path);
        goto done;
    }
    uint64_t head = eh.e_phoff + (uint64_t)nph * eh.e_phentsize;
    for (Elf_Scn *s = elf_nextscn(elf, NULL); s; s = elf_nextscn(elf, s)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(s, &sh) || !(sh.sh_flags & SHF_ALLOC) || sh.sh_type == SHT_NOBITS)
            continue;
        const char *name = elf_strptr(elf, shstr, sh.sh_name);
        name = name ? name : "";
        int table = sh.sh_type == SHT_DYNSYM || sh.sh_type == SHT_STRTAB
                    || sh.sh_type == SHT_GNU_HASH || sh.sh_type == SHT_HASH
                    || sh.sh_type == SHT_GNU_versym || sh.sh_type == SHT_GNU_verneed
                    || sh.sh_type == SHT_GNU_verdef || sh.sh_type == SHT_RELA
                    || sh.sh_type == SHT_REL || sh.sh_type == SHT_NOTE
                    || strcmp(name, ".interp") == 0;
        if (table && sh.sh_offset + sh.sh_size > head)
            head = sh.sh_offset + sh.sh_size;
        if (strcmp(name, "cryo_guard") == 0)
            have_guard = 1;
        if (strcmp(name, "cryo_guard") == 0 || strcmp(name, "cryo_guard_ro") == 0
            || strcmp(name, ".plt") == 0
            || strcmp(name, ".plt.got") == 0 || strcmp(name, ".plt.sec") == 0
            || strcmp(name, ".init") == 0 || strcmp(name, ".got") == 0
            || strcmp(name, ".got.plt") == 0 || strcmp(name, ".init_array") == 0
            || strcmp(name, ".preinit_array") == 0)
            r[nr++] = (struct range){sh.sh_offset, sh.sh_offset + sh.sh_size};
    }
    /* The stage keeps the first CHUNK bytes as the headers it parses. */
    if (head < BL_SUM_GROUP * 170)
        head = BL_SUM_GROUP * 170;
    r[nr++] = (struct range){0, head};
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_DYNAMIC) {
            for (size_t k = 0; k < nph; k++) {
                GElf_Phdr l;
                if (gelf_getphdr(elf, (int)k, &l) && l.p_type == PT_LOAD
                    && ph.p_offset >= l.p_offset && ph.p_offset < l.p_offset + l.p_filesz)
                    r[nr++] = (struct range){l.p_offset, l.p_offset + l.p_filesz};
            }
        }
    }
    int64_t entry = offset_of(elf, nph, eh.e_entry);
    if (entry < 0 || !have_guard) {
        fz_error("the linked program '%s' lacks %s", image_path,
                 entry < 0 ? "an entry point in its file" : "the bootloader's guard section");
        goto done;
    }
    r[nr++] = (struct range){(uint64_t)entry, (uint64_t)entry + 64};

    qsort(r, nr, sizeof r[0], by_lo);
    size_t m = 0;
    for (size_t i = 0; i < nr; i++) {
        if (r[i].hi > (uint64_t)st.st_size)
            r[i].hi = (uint64_t)st.st_size;
        if (m && r[i].lo <= r[m - 1].hi + 4096) {
            if (r[i].hi > r[m - 1].hi)
                r[m - 1].hi = r[i].hi;
        } else
            r[m++] = r[i];
    }
    if (m > BL_GUARD_MAX) {
        fz_error("the linked program '%s' needs %zu guard ranges, more than %d", image_path, m,
                 BL_GUARD_MAX);
        goto done;
    }
    t->guard_count = (uint32_t)m;
    for (size_t i = 0; i < m; i++) {
        t->guard[i].offset = r[i].lo;
        t->guard[i].size = (uint32_t)(r[i].hi - r[i].lo);
        if (bl_checksum_range(fd, r[i].lo, r[i].hi - r[i].lo, &t->guard[i].crc) != BL_OK)
            goto io;
    }
    t->image_size = (uint64_t)st.st_size;
    if (bl_checksum_range(fd, 0, t->image_size, &t->image_crc) != BL_OK)
        goto io;
    rc = 0;
    goto done;
io:
    fz_error("cannot read the linked program '%s': %s", image_path, strerror(errno));
done:
    if (elf)
        elf_end(elf);
    close(fd);
    return rc;
}

int fz_image_segments(const void *img, size_t len, uint64_t seg[FZ_SEG_KINDS])
{
    memset(seg, 0, FZ_SEG_KINDS * sizeof *seg);
    if (elf_version(EV_CURRENT) == EV_NONE)
        return -1;
    Elf *elf = elf_memory((char *)img, len);
    size_t n;
    int rc = -1;
    if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &n) != 0)
        goto done;
    uint64_t loaded = 0;
    for (size_t i = 0; i < n; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph))
            goto done;
        if (ph.p_type != PT_LOAD)
            continue;
        int k = (ph.p_flags & PF_X) ? FZ_SEG_TEXT : (ph.p_flags & PF_W) ? FZ_SEG_DATA
                                                                        : FZ_SEG_RODATA;
        seg[k] += ph.p_filesz;
        loaded += ph.p_filesz;
    }
    seg[FZ_SEG_OTHER] = loaded < len ? len - loaded : 0;
    rc = 0;
done:
    if (elf)
        elf_end(elf);
    return rc;
}
