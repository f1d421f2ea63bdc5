/* trailer_codec.h — the trailer codec (format: payload_format.h) and the
 * sentences that name what is wrong with a damaged executable.
 *
 * Static inline and free of any library, because two programs of very
 * different kinds use it: the first stage (stage_first.c, no libc) and everything
 * linked with the bootloader library (the bootloader proper, the freezer,
 * cryo inspect, the tests).  The freezer writes with bl_trailer_encode
 * exactly what the readers decode here. */
#ifndef CRYO_TRAILER_CODEC_H
#define CRYO_TRAILER_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "checksum_core.h"
#include "payload_format.h"

/* Every way reading an executable can fail.  bl_err_text() gives the
 * sentence a user sees; keep the two in step. */
enum bl_err {
    BL_OK = 0,
    BL_ERR_IO,            /* open/read/stat failed: errno says why */
    BL_ERR_NO_TRAILER,    /* no trailer magic: not built by cryo, or truncated */
    BL_ERR_VERSION,       /* trailer from another format version */
    BL_ERR_TRAILER_CRC,   /* trailer bytes altered */
    BL_ERR_SIZE,          /* offsets do not add up to the file size */
    BL_ERR_PAYLOAD_CRC,   /* payload bytes altered */
    BL_ERR_MISMATCH,      /* payload belongs to another build of the program */
    BL_ERR_ENTRY,         /* a member lies outside the payload or fails to inflate */
    BL_ERR_ENTRY_CRC,     /* a member's bytes fail their checksum */
    BL_ERR_NOMEM,
    BL_ERR_IMAGE_CRC,     /* the ELF image (or one of its guard ranges) altered */
    BL_ERR_IMAGE,         /* the ELF image's headers are not what cryo writes */
};

/* The sentences, in one list that both bl_err_text and the guarded copy
 * of the bootloader (guard.c) are made from. */
#define BL_ERR_TEXTS(X)                                                                      \
    X(BL_OK, "no error")                                                                     \
    X(BL_ERR_IO, "cannot read the file")                                                     \
    X(BL_ERR_NO_TRAILER, "it has no cryo trailer (not built by cryo, or truncated)")         \
    X(BL_ERR_VERSION, "its format is another cryo version's")                               \
    X(BL_ERR_TRAILER_CRC, "its trailer is damaged (checksum mismatch)")                      \
    X(BL_ERR_SIZE, "its size does not match its trailer (truncated, or bytes were added)")   \
    X(BL_ERR_PAYLOAD_CRC, "its payload is damaged (checksum mismatch)")                      \
    X(BL_ERR_MISMATCH, "its payload belongs to a different build of the program")            \
    X(BL_ERR_ENTRY, "a payload member is damaged")                                           \
    X(BL_ERR_ENTRY_CRC, "a payload member is damaged (checksum mismatch)")                   \
    X(BL_ERR_NOMEM, "out of memory")                                                         \
    X(BL_ERR_IMAGE_CRC, "its program image is damaged (checksum mismatch)")                  \
    X(BL_ERR_IMAGE, "its program image is damaged (malformed ELF headers)")

static inline const char *bl_err_text(enum bl_err err)
{
    switch (err) {
#define BL_ERR_CASE(e, text)                                                                 \
    case e:                                                                                  \
        return text;
        BL_ERR_TEXTS(BL_ERR_CASE)
#undef BL_ERR_CASE
    }
    return "unknown error";
}

/* The one-line refusal, in two halves around the file's path:
 *   <argv0>: cannot start: '<path>' is damaged: <reason>; rebuild ...  */
#define BL_MSG_DAMAGED_HEAD ": cannot start: '"
#define BL_MSG_DAMAGED_MID "' is damaged: "
#define BL_MSG_DAMAGED_TAIL "; rebuild it with cryo or download it again\n"

static inline void bl_put32(unsigned char *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline void bl_put64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static inline uint32_t bl_get32(const unsigned char *p)
{
    uint32_t v = 0;
    for (int i = 3; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static inline uint64_t bl_get64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

#define BL_TRAILER_CRC_AT (BL_TRAILER_SIZE - 4)

/* The trailer's own checksum: the payload checksum's definition over its
 * first BL_TRAILER_CRC_AT bytes, computed with the table (the trailer is
 * small; the first stage has no reason to probe the CPU for it). */
static inline uint32_t bl_trailer_sum(const unsigned char *raw)
{
    uint32_t table[256], lane[3];
    size_t whole = BL_TRAILER_CRC_AT - BL_TRAILER_CRC_AT % BL_SUM_GROUP;
    bl_core_make_table(table);
    bl_core_init(lane);
    bl_core_groups_sw(table, lane, raw, whole / BL_SUM_GROUP);
    return bl_core_final(table, lane, raw + whole, BL_TRAILER_CRC_AT - whole);
}

static inline void bl_trailer_encode(const struct bl_trailer *t,
                                     unsigned char out[BL_TRAILER_SIZE])
{
    for (size_t i = 0; i < BL_TRAILER_SIZE; i++)
        out[i] = 0;
    for (size_t i = 0; i < BL_TRAILER_MAGIC_LEN; i++)
        out[i] = (unsigned char)BL_TRAILER_MAGIC[i];
    bl_put32(out + 8, t->version);
    bl_put32(out + 12, t->flags);
    bl_put64(out + 16, t->payload_offset);
    bl_put64(out + 24, t->payload_size);
    bl_put32(out + 32, t->payload_crc);
    bl_put32(out + 36, t->entry_count);
    bl_put64(out + 40, t->image_offset);
    bl_put64(out + 48, t->image_size);
    bl_put32(out + 56, t->image_crc);
    bl_put32(out + 60, t->guard_count);
    for (uint32_t i = 0; i < t->guard_count && i < BL_GUARD_MAX; i++) {
        unsigned char *g = out + 64 + 16 * i;
        bl_put64(g, t->guard[i].offset);
        bl_put32(g + 8, t->guard[i].size);
        bl_put32(g + 12, t->guard[i].crc);
    }
    bl_put32(out + 192, t->stage_crc);
    bl_put32(out + BL_TRAILER_CRC_AT, bl_trailer_sum(out));
}

/* Checks magic, trailer_crc, version, flags and the guard count. */
static inline enum bl_err bl_trailer_decode(const unsigned char in[BL_TRAILER_SIZE],
                                            struct bl_trailer *t)
{
    for (size_t i = 0; i < BL_TRAILER_MAGIC_LEN; i++)
        if (in[i] != (unsigned char)BL_TRAILER_MAGIC[i])
            return BL_ERR_NO_TRAILER;
    if (bl_get32(in + BL_TRAILER_CRC_AT) != bl_trailer_sum(in))
        return BL_ERR_TRAILER_CRC;
    t->version = bl_get32(in + 8);
    t->flags = bl_get32(in + 12);
    if (t->version != BL_FORMAT_VERSION || t->flags != 0)
        return BL_ERR_VERSION;
    t->payload_offset = bl_get64(in + 16);
    t->payload_size = bl_get64(in + 24);
    t->payload_crc = bl_get32(in + 32);
    t->entry_count = bl_get32(in + 36);
    t->image_offset = bl_get64(in + 40);
    t->image_size = bl_get64(in + 48);
    t->image_crc = bl_get32(in + 56);
    t->guard_count = bl_get32(in + 60);
    if (t->guard_count > BL_GUARD_MAX)
        return BL_ERR_VERSION;
    for (uint32_t i = 0; i < BL_GUARD_MAX; i++) {
        const unsigned char *g = in + 64 + 16 * i;
        t->guard[i].offset = bl_get64(g);
        t->guard[i].size = bl_get32(g + 8);
        t->guard[i].crc = bl_get32(g + 12);
    }
    t->stage_crc = bl_get32(in + 192);
    return BL_OK;
}

/* The invariants of payload_format.h for a file of `size` bytes; written
 * so that no sum can overflow (each term is checked against what is left). */
static inline enum bl_err bl_trailer_check_size(const struct bl_trailer *t, uint64_t size)
{
    if (size < BL_TRAILER_SIZE || t->payload_offset > size - BL_TRAILER_SIZE
        || t->payload_size != size - BL_TRAILER_SIZE - t->payload_offset
        || t->image_offset > t->payload_offset
        || t->image_size != t->payload_offset - t->image_offset)
        return BL_ERR_SIZE;
    for (uint32_t i = 0; i < t->guard_count; i++)
        if (t->guard[i].offset > t->image_size
            || t->guard[i].size > t->image_size - t->guard[i].offset)
            return BL_ERR_SIZE;
    return BL_OK;
}

#endif
