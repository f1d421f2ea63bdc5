/* fuzz_elf.c — the freezer's reader of an extension module's or library's
 * dynamic section (freezer/elfdeps.c, libelf): the input is the file.  A
 * site directory holds whatever a user or a package put there. */
#include <stdio.h>

#include "../../freezer/fz.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = fuzz_memfile(data, size);
    if (fd < 0)
        return 0;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    struct fz_elf elf;
    char *why = NULL;
    if (fz_elf_read(path, &elf, &why) == 0) {
        for (size_t i = 0; i < elf.needed.n; i++)
            (void)fz_elf_is_glibc(elf.needed.v[i]);
        fz_elf_free(&elf);
    }
    free(why);
    close(fd);
    return 0;
}
