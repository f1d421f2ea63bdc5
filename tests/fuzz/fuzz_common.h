/* fuzz_common.h — what the harnesses share: the input as a file. */
#ifndef CRYO_FUZZ_COMMON_H
#define CRYO_FUZZ_COMMON_H


#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* A memory file holding `size` bytes of `data`, at offset 0; -1 if none
 * can be made (the harness then skips the input). */
static inline int fuzz_memfile(const uint8_t *data, size_t size)
{
    int fd = memfd_create("cryo-fuzz", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t n = write(fd, data + done, size - done);
        if (n <= 0) {
            close(fd);
            return -1;
        }
        done += (size_t)n;
    }
    return fd;
}

#endif
