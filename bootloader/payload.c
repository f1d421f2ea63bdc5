/* payload.c — read one member out of a verified payload: pread its LZ4
 * block (a native file's zstd frame, a source chunk's raw LZMA2), decode
 * it into the caller's buffer, check its checksum.  The compressed bytes
 * are read into a transient buffer and freed at once, so module data is
 * never resident longer than its own unmarshalling. */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <lz4.h>
#include <zstd.h>
#include <lzma.h>

#include "bootloader.h"

/* Decoders: 1 when `in` (e->csize bytes) decodes to exactly e->usize
 * bytes in `out`, 0 for a damaged block or frame. */
typedef int (*member_decoder)(const unsigned char *in, const struct bl_entry *e,
                              unsigned char *out);

static int decode_lz4(const unsigned char *in, const struct bl_entry *e, unsigned char *out)
{
    return e->csize <= (uint32_t)LZ4_MAX_INPUT_SIZE && e->usize <= (uint32_t)LZ4_MAX_INPUT_SIZE
           && LZ4_decompress_safe((const char *)in, (char *)out, (int)e->csize,
                                  (int)e->usize) == (int)e->usize;
}

static int decode_zstd(const unsigned char *in, const struct bl_entry *e, unsigned char *out)
{
    /* Exactly usize bytes, as the frame's header says too: a damaged size
     * field or frame is refused before and while decoding. */
    if (ZSTD_getFrameContentSize(in, e->csize) != (unsigned long long)e->usize)
        return 0;
    size_t n = ZSTD_decompress(out, e->usize, in, e->csize);
    return !ZSTD_isError(n) && n == e->usize;
}

static int decode_lzma2(const unsigned char *in, const struct bl_entry *e, unsigned char *out)
{
    /* The raw format has no header: the dictionary size is the writer's
     * constant.  The whole input must decode to exactly usize bytes. */
    lzma_options_lzma opt = {.dict_size = BL_SOURCE_DICT_SIZE};
    lzma_filter filters[] = {{LZMA_FILTER_LZMA2, &opt}, {LZMA_VLI_UNKNOWN, NULL}};
    size_t in_pos = 0, out_pos = 0;
    return lzma_raw_buffer_decode(filters, NULL, in, &in_pos, e->csize, out, &out_pos,
                                  e->usize) == LZMA_OK
           && in_pos == e->csize && out_pos == e->usize;
}

/* Read member `e`'s compressed bytes into a transient buffer, decode them
 * with `decode` into `out` and check the result's checksum. */
static enum bl_err read_member(const struct bl_payload *p, const struct bl_entry *e,
                               unsigned char *out, member_decoder decode)
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
    int ok = decode(in, e, out);
    free(in);
    if (!ok)
        return BL_ERR_ENTRY;
    return bl_checksum(out, e->usize) == e->crc ? BL_OK : BL_ERR_ENTRY_CRC;
}

enum bl_err bl_payload_read(const struct bl_payload *p, const struct bl_entry *e,
                            unsigned char *out)
{
    return read_member(p, e, out, decode_lz4);
}

enum bl_err bl_payload_read_native(const struct bl_payload *p, const struct bl_entry *e,
                                   unsigned char *out)
{
    return read_member(p, e, out, decode_zstd);
}

enum bl_err bl_payload_read_source(const struct bl_payload *p, const struct bl_entry *e,
                                   unsigned char *out)
{
    return read_member(p, e, out, decode_lzma2);
}
