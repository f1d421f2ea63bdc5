/* image_pages.c — where the executable's own pages go: for each kind of
 * segment of the program image (code, read-only data, data, bss, and the
 * deep-frozen modules' objects apart from the data), how
 * many bytes are mapped, how many pages are resident, and how many were
 * written.  CRYO_STATS=1 and _cryo.stats()["image"] report it (stats.c).
 *
 * Why: static data is shared between processes and costs a container
 * nothing until touched, but a page the program writes (a reference count,
 * an interned string's state, a code object's warm-up counter) is copied
 * into private memory.  Static code objects (issue 11, deep-frozen
 * modules) are only a gain if few of their pages are written; this is the
 * instrument that tells.
 *
 * How: dl_iterate_phdr gives the main program's PT_LOAD segments (the
 * first stage maps them as the kernel would, so the loader has their
 * program headers); /proc/self/pagemap gives, per page, "present" (bit 63)
 * and "file page or shared anonymous" (bit 61).  A page of a private file
 * mapping that was written is anonymous, so written = present and not a
 * file page; in the bss, the shared zero page of an untouched-but-read
 * page counts as a file page, so the same rule holds.  Pages are 4 KiB
 * here (x86-64); sysconf says so at run time.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <link.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "gc_internal.h"

const char *const gc_image_kind_names[GC_IMG_KINDS] = {"text",    "rodata",  "data",
                                                       "bss",     "modules", "modbytes",
                                                       "modonce"};

/* The deep-frozen modules' ranges, gathered by the link (freezer/cc.c);
 * absent (NULL) in a program without them. */
extern char __start_cryo_dfz[] __attribute__((weak)), __stop_cryo_dfz[] __attribute__((weak));
extern char __start_cryo_dfz_bytes[] __attribute__((weak));
extern char __stop_cryo_dfz_bytes[] __attribute__((weak));
extern char __start_cryo_dfz_once[] __attribute__((weak));
extern char __stop_cryo_dfz_once[] __attribute__((weak));

#define PM_PRESENT (1ull << 63)
#define PM_FILE (1ull << 61)

struct walk {
    int fd;
    uint64_t page;
    struct gc_image_pages *out;
    int failed, seen;
};

/* Count the pages of [start, end) (page-aligned) into kind k. */
static void count(struct walk *w, uintptr_t start, uintptr_t end, int k)
{
    uint64_t buf[512];
    w->out->bytes[k] += end - start;
    for (uintptr_t a = start; a < end;) {
        size_t n = (end - a) / w->page;
        if (n > sizeof buf / sizeof *buf)
            n = sizeof buf / sizeof *buf;
        ssize_t got = pread(w->fd, buf, n * sizeof *buf, (off_t)(a / w->page * sizeof *buf));
        if (got <= 0) {
            w->failed = 1;
            return;
        }
        n = (size_t)got / sizeof *buf;
        for (size_t i = 0; i < n; i++)
            if (buf[i] & PM_PRESENT) {
                w->out->resident[k] += w->page;
                if (!(buf[i] & PM_FILE))
                    w->out->written[k] += w->page;
            }
        a += n * w->page;
    }
}

static int segment(struct dl_phdr_info *info, size_t size, void *data)
{
    (void)size;
    struct walk *w = data;
    if (w->seen++)
        return 1; /* the first object is the program itself */
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD)
            continue;
        uintptr_t lo = (info->dlpi_addr + ph->p_vaddr) & ~(uintptr_t)(w->page - 1);
        uintptr_t file_end = (info->dlpi_addr + ph->p_vaddr + ph->p_filesz + w->page - 1)
                             & ~(uintptr_t)(w->page - 1);
        uintptr_t mem_end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz + w->page - 1)
                            & ~(uintptr_t)(w->page - 1);
        if (ph->p_flags & PF_X) {
            count(w, lo, mem_end, GC_IMG_TEXT);
        } else if (!(ph->p_flags & PF_W)) {
            count(w, lo, mem_end, GC_IMG_RODATA);
        } else {
            count(w, lo, file_end, GC_IMG_DATA);
            if (mem_end > file_end)
                count(w, file_end, mem_end, GC_IMG_BSS);
        }
    }
    return 1;
}

int gc_image_pages(struct gc_image_pages *out)
{
    memset(out, 0, sizeof *out);
    long page = sysconf(_SC_PAGESIZE);
    struct walk w = {.fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC),
                     .page = page > 0 ? (uint64_t)page : 4096, .out = out};
    if (w.fd < 0)
        return -1;
    dl_iterate_phdr(segment, &w);
    /* Inside the data segment: counted again as their own kinds, then
     * taken out of the data's counts.  Whole pages inside each range (a
     * page shared with the data around stays the data's). */
    const char *r[][2] = {{__start_cryo_dfz, __stop_cryo_dfz},
                          {__start_cryo_dfz_bytes, __stop_cryo_dfz_bytes},
                          {__start_cryo_dfz_once, __stop_cryo_dfz_once}};
    const int kind[] = {GC_IMG_MODULES, GC_IMG_MODBYTES, GC_IMG_MODONCE};
    for (int i = 0; i < 3 && !w.failed; i++) {
        uintptr_t lo = ((uintptr_t)r[i][0] + w.page - 1) & ~(uintptr_t)(w.page - 1);
        uintptr_t hi = (uintptr_t)r[i][1] & ~(uintptr_t)(w.page - 1);
        if (!r[i][0] || hi <= lo)
            continue;
        int k = kind[i];
        count(&w, lo, hi, k);
        out->bytes[GC_IMG_DATA] -= out->bytes[k];
        out->resident[GC_IMG_DATA] -= out->resident[k];
        out->written[GC_IMG_DATA] -= out->written[k];
    }
    close(w.fd);
    return w.failed || !w.seen ? -1 : 0;
}
