/* payload.c — read one member out of a verified payload: pread its LZ4
 * block (a native file's zstd frame), decode it into the caller's buffer,
 * check its checksum.  The
 * compressed bytes are read into a transient buffer and freed at once, so
 * module data is never resident longer than its own unmarshalling. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <lz4.h>
#include <zstd.h>

#include "bootloader.h"

/* The compressed bytes of `e`, malloc'd, or NULL with *err set. */
static unsigned char *read_member(const struct bl_payload *p, const struct bl_entry *e,
                                  enum bl_err *err)
{
    const struct bl_trailer *t = &p->trailer;
    if (e->offset > t->payload_size || e->csize > t->payload_size - e->offset
        || e->usize > BL_ENTRY_MAX_SIZE) {
        *err = BL_ERR_ENTRY;
        return NULL;
    }
    unsigned char *in = malloc(e->csize ? e->csize : 1);
    if (!in) {
        *err = BL_ERR_NOMEM;
        return NULL;
    }
    size_t got = 0;
    while (got < e->csize) {
        ssize_t n = pread(p->fd, in + got, e->csize - got,
                          (off_t)(t->payload_offset + e->offset + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(in);
            *err = n < 0 ? BL_ERR_IO : BL_ERR_ENTRY;
            return NULL;
        }
        got += (size_t)n;
    }
    return in;
}

enum bl_err bl_payload_read(const struct bl_payload *p, const struct bl_entry *e,
                            unsigned char *out)
{
    enum bl_err err = BL_OK;
    unsigned char *in = read_member(p, e, &err);
    if (!in)
        return err;
    if (e->csize > (uint32_t)LZ4_MAX_INPUT_SIZE || e->usize > (uint32_t)LZ4_MAX_INPUT_SIZE)
        err = BL_ERR_ENTRY;
    else if (LZ4_decompress_safe((const char *)in, (char *)out, (int)e->csize, (int)e->usize)
             != (int)e->usize)
        err = BL_ERR_ENTRY; /* damaged, or not exactly usize bytes */
    free(in);
    if (err == BL_OK && bl_checksum(out, e->usize) != e->crc)
        err = BL_ERR_ENTRY_CRC;
    return err;
}

enum bl_err bl_payload_read_native(const struct bl_payload *p, const struct bl_entry *e,
                                   unsigned char *out)
{
    enum bl_err err = BL_OK;
    unsigned char *in = read_member(p, e, &err);
    if (!in)
        return err;
    /* Exactly usize bytes, as the frame's header says too: a damaged size
     * field or frame is refused before and while decoding. */
    if (ZSTD_getFrameContentSize(in, e->csize) != (unsigned long long)e->usize)
        err = BL_ERR_ENTRY;
    else {
        size_t n = ZSTD_decompress(out, e->usize, in, e->csize);
        if (ZSTD_isError(n) || n != e->usize)
            err = BL_ERR_ENTRY;
    }
    free(in);
    if (err == BL_OK && bl_checksum(out, e->usize) != e->crc)
        err = BL_ERR_ENTRY_CRC;
    return err;
}
