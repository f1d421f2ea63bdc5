/* fuzz_stamp.c — the native-file cache's verifier (runtime/cache_dir.c):
 * a cached file and its stamp, both taken from the input (split at its
 * first NUL), as another process or a damaged disk could have left them;
 * then the file's checksum, as native_files.c verifies a cache entry. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "../../bootloader/bootloader.h"
#include "../../runtime/cache_dir.h"
#include "fuzz_common.h"

static char dir[64];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/cryo-fuzz-stamp-%d", (int)getpid());
        mkdir(dir, 0700);
    }
    const uint8_t *nul = memchr(data, 0, size);
    size_t flen = nul ? (size_t)(nul - data) : size;
    char file[128], stamp[128];
    snprintf(file, sizeof file, "%s/lib.so", dir);
    snprintf(stamp, sizeof stamp, "%s/lib.so.stamp", dir);
    int fd = open(file, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
        return 0;
    if (write(fd, data, flen) != (ssize_t)flen) {
        close(fd);
        return 0;
    }
    close(fd);
    chmod(file, 0400);
    fd = open(stamp, O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0)
        return 0;
    if (nul && write(fd, nul + 1, size - flen - 1) < 0) {
        close(fd);
        return 0;
    }
    close(fd);
    (void)rt_stamp_matches(file, stamp, flen);
    fd = open(file, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        uint32_t crc;
        (void)bl_checksum_range(fd, 0, flen, &crc);
        close(fd);
    }
    if (rt_write_stamp(file, stamp) == 0)
        (void)rt_stamp_matches(file, stamp, flen);
    unlink(file);
    unlink(stamp);
    return 0;
}
