/* payload.c — read one member out of a verified payload: pread its LZ4
 * block (a native file's zstd frame, a source chunk's raw LZMA2), decode
 * it into the caller's buffer, check its checksum.  The compressed bytes
 * are read into a transient buffer and freed at once, so module data is
 * never resident longer than its own unmarshalling. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zstd.h>
#include <lzma.h>

#include "bootloader.h"

/* Decoders: 1 when `in` (e->csize bytes) decodes to exactly e->usize
 * bytes in `out`, 0 for a damaged block or frame. */
typedef int (*member_decoder)(const unsigned char *in, const struct bl_entry *e,
                              unsigned char *out);

/* A length of an LZ4 sequence: `n` (a nibble of the token), and when it
 * is 15 the bytes that follow, each added, until one below 255.  0 when
 * the input ends first. */
static inline int lz4_length(const unsigned char **ip, const unsigned char *end, size_t *n)
{
    if (*n != 15)
        return 1;
    for (;;) {
        if (*ip >= end)
            return 0;
        unsigned char b = *(*ip)++;
        *n += b;
        if (b != 255)
            return 1;
    }
}

/* The LZ4 block format (the frame-less format of lz4's lz4_Block_format
 * document; the freezer writes it with liblz4's HC compressor): sequences
 * of a token (literal length, match length - 4), the literals, and a
 * 2-byte little-endian offset back into what is decoded; the last sequence
 * has literals only.  Our own decoder, bounds-checked at every step: a
 * frozen program then links no liblz4, whose one object holds the
 * compressors too (53 KB of every program).  Literals and matches are
 * copied 16 or 8 bytes at a time where the output has room past them.
 * Measured on hello world's 179 modules marshalled, in 20 KB blocks of LZ4
 * HC: 0.82-0.89 GB/s against liblz4's 1.3-1.7 GB/s; a member is decoded
 * once, when imported, so about 0.1 ms more at hello world's start, and
 * about 1 ms at that of a program importing 40 modules (stdlib40). */
static int decode_lz4(const unsigned char *in, const struct bl_entry *e, unsigned char *out)
{
    const unsigned char *ip = in, *iend = in + e->csize;
    unsigned char *op = out, *oend = out + e->usize;
    while (ip < iend) {
        unsigned token = *ip++;
        size_t lit = token >> 4;
        if (!lz4_length(&ip, iend, &lit) || lit > (size_t)(iend - ip)
            || lit > (size_t)(oend - op))
            return 0;
        if (lit <= 16 && iend - ip >= 16 && oend - op >= 16)
            memcpy(op, ip, 16); /* one fixed copy, past lit where there is room */
        else
            memcpy(op, ip, lit);
        op += lit;
        ip += lit;
        if (ip == iend)
            break; /* the last sequence: literals only */
        if (iend - ip < 2)
            return 0;
        size_t off = (size_t)ip[0] | (size_t)ip[1] << 8;
        ip += 2;
        size_t len = token & 15;
        if (!lz4_length(&ip, iend, &len))
            return 0;
        len += 4;
        if (off == 0 || off > (size_t)(op - out) || len > (size_t)(oend - op))
            return 0;
        const unsigned char *match = op - off;
        if (off >= 16 && (size_t)(oend - op) >= len + 16) {
            /* 16 at a time, the last copy running past len into room the
             * output has (overwritten by what follows) */
            unsigned char *end = op + len;
            do {
                memcpy(op, match, 16);
                op += 16;
                match += 16;
            } while (op < end);
            op = end;
        } else if (off >= 8 && (size_t)(oend - op) >= len + 8) {
            unsigned char *end = op + len; /* the same, 8 at a time */
            do {
                memcpy(op, match, 8);
                op += 8;
                match += 8;
            } while (op < end);
            op = end;
        } else if (off >= len) {
            memcpy(op, match, len);
            op += len;
        } else if (off >= 8) {
            /* overlapping, 8 bytes apart or more: 8 at a time */
            while (len >= 8) {
                memcpy(op, match, 8);
                op += 8;
                match += 8;
                len -= 8;
            }
            while (len--)
                *op++ = *match++;
        } else {
            while (len--)
                *op++ = *match++; /* a run repeating the last off bytes */
        }
    }
    return op == oend;
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
