/* trailer.c — encode, decode and verify the trailer at the end of a cryo
 * executable (format: payload_format.h).  The freezer writes with
 * bl_trailer_encode; the bootloader checks with bl_payload_open_fd before
 * the runtime starts, so a damaged file is refused before any Python runs. */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "bootloader.h"

static void put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

void bl_trailer_encode(const struct bl_trailer *t, unsigned char out[BL_TRAILER_SIZE])
{
    memset(out, 0, BL_TRAILER_SIZE);
    memcpy(out, BL_TRAILER_MAGIC, BL_TRAILER_MAGIC_LEN);
    put32(out + 8, t->version);
    put32(out + 12, t->flags);
    put64(out + 16, t->payload_offset);
    put64(out + 24, t->payload_size);
    put32(out + 32, t->payload_crc);
    put32(out + 36, t->entry_count);
    put32(out + 60, (uint32_t)crc32(0, out, 60));
}

enum bl_err bl_trailer_decode(const unsigned char in[BL_TRAILER_SIZE], struct bl_trailer *t)
{
    if (memcmp(in, BL_TRAILER_MAGIC, BL_TRAILER_MAGIC_LEN) != 0)
        return BL_ERR_NO_TRAILER;
    if (get32(in + 60) != (uint32_t)crc32(0, in, 60))
        return BL_ERR_TRAILER_CRC;
    t->version = get32(in + 8);
    t->flags = get32(in + 12);
    if (t->version != BL_FORMAT_VERSION || t->flags != 0)
        return BL_ERR_VERSION;
    t->payload_offset = get64(in + 16);
    t->payload_size = get64(in + 24);
    t->payload_crc = get32(in + 32);
    t->entry_count = get32(in + 36);
    return BL_OK;
}

/* pread all of `len` bytes or fail; a short file reads as BL_ERR_SIZE. */
static enum bl_err pread_full(int fd, void *buf, size_t len, uint64_t off)
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

enum bl_err bl_checksum_range(int fd, uint64_t offset, uint64_t len, uint32_t *sum_out)
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

enum bl_err bl_payload_open_fd(int fd, struct bl_payload *p, int *errno_out)
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
    /* Written to avoid overflow: each term is checked against what is left. */
    if (t->payload_offset > size - BL_TRAILER_SIZE
        || t->payload_size != size - BL_TRAILER_SIZE - t->payload_offset)
        return BL_ERR_SIZE;

    uint32_t crc;
    err = bl_checksum_range(fd, t->payload_offset, t->payload_size, &crc);
    if (err != BL_OK)
        goto fail;
    if (crc != t->payload_crc)
        return BL_ERR_PAYLOAD_CRC;

    p->fd = fd;
    p->file_size = size;
    return BL_OK;

fail:
    if (err == BL_ERR_IO)
        *errno_out = errno;
    return err;
}

const char *bl_strerror(enum bl_err err)
{
    switch (err) {
    case BL_OK: return "no error";
    case BL_ERR_IO: return "cannot read the file";
    case BL_ERR_NO_TRAILER:
        return "it has no cryo trailer (not built by cryo, or truncated)";
    case BL_ERR_VERSION:
        return "its payload format is not one this program reads (built by another cryo version?)";
    case BL_ERR_TRAILER_CRC: return "its trailer is damaged (checksum mismatch)";
    case BL_ERR_SIZE:
        return "its size does not match its trailer (truncated, or bytes were added)";
    case BL_ERR_PAYLOAD_CRC: return "its payload is damaged (checksum mismatch)";
    case BL_ERR_MISMATCH:
        return "its payload belongs to a different build of the program";
    case BL_ERR_ENTRY: return "a payload member is damaged";
    case BL_ERR_ENTRY_CRC: return "a payload member is damaged (checksum mismatch)";
    case BL_ERR_NOMEM: return "out of memory";
    }
    return "unknown error";
}
