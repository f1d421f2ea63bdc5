/* bootloader.h — the bootloader's interface: find and verify the payload of
 * the running executable, read members out of it.
 *
 * The bootloader knows the payload format (payload_format.h) and nothing of
 * Python.  It is also linked into the freezer, which uses the trailer codec
 * to write exactly what is read here, and into `cryo`'s tests.
 */
#ifndef CRYO_BOOTLOADER_H
#define CRYO_BOOTLOADER_H

#include <stddef.h>
#include <stdint.h>

#include "payload_format.h"

/* Every way reading a payload can fail.  bl_strerror() gives the sentence a
 * user sees; keep the two in step. */
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
};

const char *bl_strerror(enum bl_err err);

/* An open, verified payload.  `fd` stays open for the life of the process
 * (the runtime reads modules from it lazily); owned by whoever opened it. */
struct bl_payload {
    int fd;
    uint64_t file_size;
    struct bl_trailer trailer;
};

/* Trailer codec: the only code that turns struct bl_trailer into bytes and
 * back.  decode checks magic, version, flags and trailer_crc. */
void bl_trailer_encode(const struct bl_trailer *t, unsigned char out[BL_TRAILER_SIZE]);
enum bl_err bl_trailer_decode(const unsigned char in[BL_TRAILER_SIZE], struct bl_trailer *t);

/* Read the trailer of the file open on `fd` and check everything the
 * trailer promises (sizes, both checksums).  On success fills `p` and keeps
 * `fd` in it; on failure `*errno_out` holds errno for BL_ERR_IO. */
enum bl_err bl_payload_open_fd(int fd, struct bl_payload *p, int *errno_out);

/* The payload checksum (checksum.c), one-shot or streamed: update with a
 * multiple of BL_SUM_GROUP bytes each time, then final with the rest. */
struct bl_sum {
    uint32_t lane[3];
};
void bl_sum_init(struct bl_sum *s);
void bl_sum_update(struct bl_sum *s, const void *data, size_t len);
uint32_t bl_sum_final(struct bl_sum *s, const void *tail, size_t len);
uint32_t bl_checksum(const void *data, size_t len);
void bl_sum_force_software(int on); /* tests: use the table fallback */

/* Checksum of `len` bytes of `fd` starting at `offset`, read in chunks so
 * the payload never becomes resident memory of the process. */
enum bl_err bl_checksum_range(int fd, uint64_t offset, uint64_t len, uint32_t *sum_out);

/* Inflate member `e` into `out`, which has room for e->usize bytes, and
 * check its CRC. */
enum bl_err bl_payload_read(const struct bl_payload *p, const struct bl_entry *e,
                            unsigned char *out);

/* Debug log: one line per start-up step on stderr when CRYO_DEBUG is set in
 * the environment (read once by bl_log_init).  Costs one branch when off. */
extern int bl_debug;
void bl_log_init(void);
void bl_log_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define bl_log(...) do { if (bl_debug) bl_log_(__VA_ARGS__); } while (0)

#endif
