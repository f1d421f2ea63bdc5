/* trailer.c — open a cryo executable by its trailer (format:
 * payload_format.h, codec: trailer_codec.h) and check what the trailer
 * promises: sizes always, the payload's and the image's checksums on
 * request (cryo inspect, CRYO_VERIFY=all). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bootloader.h"

/* pread all of `len` bytes or fail; a short file reads as BL_ERR_SIZE. */
BL_GUARD static enum bl_err pread_full(int fd, void *buf, size_t len, uint64_t off)
{
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = pread(fd, p, len, (off_t)off);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return BL_ERR_IO;
        }
        if (n == 0)
            return BL_ERR_SIZE;
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return BL_OK;
}

BL_GUARD enum bl_err bl_checksum_range(int fd, uint64_t offset, uint64_t len, uint32_t *sum_out)
{
    /* A 64 KiB buffer (a whole number of checksum groups): large enough for
     * full-speed reads.  It is mapped for this pass and unmapped after, so
     * its pages are given back before Python starts and never count in the
     * program's peak memory (on the stack they would stay resident); the
     * payload itself is only in the page cache, never the process's. */
    const size_t cap = BL_SUM_GROUP * 2730;
    unsigned char *buf = mmap(NULL, cap, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (buf == MAP_FAILED)
        return BL_ERR_NOMEM;
    enum bl_err err = BL_OK;
    struct bl_sum s;
    bl_sum_init(&s);
    if (len == 0)
        *sum_out = bl_sum_final(&s, NULL, 0);
    while (len > 0) {
        size_t n = len < cap ? (size_t)len : cap;
        err = pread_full(fd, buf, n, offset);
        if (err != BL_OK)
            break;
        offset += n;
        len -= n;
        if (len == 0) {
            size_t whole = n - n % BL_SUM_GROUP;
            bl_sum_update(&s, buf, whole);
            *sum_out = bl_sum_final(&s, buf + whole, n - whole);
            break;
        }
        bl_sum_update(&s, buf, n);
    }
    munmap(buf, cap);
    return err;
}

/* `len` bytes of `fd` at `offset` sum to `want`: BL_OK, `mismatch`, or the
 * read's error. */
BL_GUARD static enum bl_err check_range(int fd, uint64_t offset, uint64_t len, uint32_t want,
                                        enum bl_err mismatch)
{
    uint32_t crc;
    enum bl_err err = bl_checksum_range(fd, offset, len, &crc);
    return err != BL_OK ? err : crc != want ? mismatch : BL_OK;
}

BL_GUARD enum bl_err bl_payload_verify(const struct bl_payload *p, int checks)
{
    const struct bl_trailer *t = &p->trailer;
    enum bl_err err = BL_OK;
    if (checks & BL_OPEN_CHECK_IMAGE)
        err = check_range(p->fd, t->image_offset, t->image_size, t->image_crc,
                          BL_ERR_IMAGE_CRC);
    if (err == BL_OK && (checks & BL_OPEN_CHECK_PAYLOAD))
        err = check_range(p->fd, t->payload_offset, t->payload_size, t->payload_crc,
                          BL_ERR_PAYLOAD_CRC);
    return err;
}

enum bl_err bl_payload_open_fd(int fd, struct bl_payload *p, int *errno_out, int checks)
{
    struct stat st;
    unsigned char raw[BL_TRAILER_SIZE];
    enum bl_err err;

    *errno_out = 0;
    if (fstat(fd, &st) != 0) {
        *errno_out = errno;
        return BL_ERR_IO;
    }
    uint64_t size = (uint64_t)st.st_size;
    if (size < BL_TRAILER_SIZE)
        return BL_ERR_NO_TRAILER;
    err = pread_full(fd, raw, sizeof raw, size - BL_TRAILER_SIZE);
    if (err != BL_OK)
        goto fail;
    err = bl_trailer_decode(raw, &p->trailer);
    if (err != BL_OK)
        return err;
    const struct bl_trailer *t = &p->trailer;
    err = bl_trailer_check_size(t, size);
    if (err != BL_OK)
        return err;

    p->fd = fd;
    p->file_size = size;
    err = bl_payload_verify(p, checks);
    if (err != BL_OK)
        goto fail;
    return BL_OK;

fail:
    if (err == BL_ERR_IO)
        *errno_out = errno;
    return err;
}

const char *bl_strerror(enum bl_err err)
{
    return bl_err_text(err);
}
