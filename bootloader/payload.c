/* payload.c — read one member out of a verified payload: pread its LZ4
 * block, decode it into the caller's buffer, check its checksum.  The
 * compressed bytes are read into a transient buffer and freed at once, so
 * module data is never resident longer than its own unmarshalling. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <lz4.h>

#include "bootloader.h"

enum bl_err bl_payload_read(const struct bl_payload *p, const struct bl_entry *e,
                            unsigned char *out)
{
    const struct bl_trailer *t = &p->trailer;
    if (e->offset > t->payload_size || e->csize > t->payload_size - e->offset
        || e->usize > BL_ENTRY_MAX_SIZE)
        return BL_ERR_ENTRY;

    unsigned char *in = malloc(e->csize ? e->csize : 1);
    if (!in)
        return BL_ERR_NOMEM;
    size_t got = 0;
    while (got < e->csize) {
        ssize_t n = pread(p->fd, in + got, e->csize - got,
                          (off_t)(t->payload_offset + e->offset + got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            free(in);
            return n < 0 ? BL_ERR_IO : BL_ERR_ENTRY;
        }
        got += (size_t)n;
    }

    enum bl_err err = BL_OK;
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
