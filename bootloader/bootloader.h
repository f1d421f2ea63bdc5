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
#include "trailer_codec.h"

const char *bl_strerror(enum bl_err err); /* bl_err_text, for callers outside */

/* Code that runs before the whole image has been verified (the verifier
 * itself, its fault handlers, the checksum) lives in one output section,
 * which the freezer makes a guard range: the first stage checks it before
 * any of it runs (payload_format.h). */
#define BL_GUARD __attribute__((section("cryo_guard")))
/* And the constants the refusal is written with, in a section of their own
 * that is a guard range too: a flip there would garble the one line that
 * says the file is damaged. */
#define BL_GUARD_RO __attribute__((section("cryo_guard_ro")))

/* An open, verified payload.  `fd` stays open for the life of the process
 * (the runtime reads modules from it lazily); owned by whoever opened it. */
struct bl_payload {
    int fd;
    uint64_t file_size;
    struct bl_trailer trailer;
};

/* Read the trailer of the file open on `fd` and check its checksum and the
 * sizes it promises; with BL_OPEN_CHECK_PAYLOAD also the whole payload's
 * checksum, with BL_OPEN_CHECK_IMAGE the whole image's.  On success fills
 * `p` and keeps `fd` in it; on failure `*errno_out` holds errno for
 * BL_ERR_IO. */
#define BL_OPEN_CHECK_PAYLOAD 1
#define BL_OPEN_CHECK_IMAGE 2
enum bl_err bl_payload_open_fd(int fd, struct bl_payload *p, int *errno_out, int checks);
/* The checks of bl_payload_open_fd on a payload already open (BL_ERR_IO:
 * errno says why). */
enum bl_err bl_payload_verify(const struct bl_payload *p, int checks);

/* guard.c: the start-up checks of a frozen program.  A constructor opens
 * the executable, checks its trailer and, unless a stamp says it was done
 * before, the whole image (CRYO_VERIFY chooses, see guard.c); a damaged
 * file never reaches main().  bl_guard_payload gives main() the open
 * payload. */
#define BL_EXIT_DAMAGED 127
const struct bl_payload *bl_guard_payload(void);
/* The path the executable was opened by (for messages and sys.executable):
 * /proc/self/exe's target, or AT_EXECFN where /proc is not mounted. */
const char *bl_exe_path(void);
/* Print the one-line refusal for `err` and exit with BL_EXIT_DAMAGED. */
__attribute__((noreturn)) void bl_refuse(enum bl_err err, int err_no);

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
/* The same for a native file's member (a zstd frame: payload_format.h,
 * BL_ENTRY_NATIVE_PREFIX). */
enum bl_err bl_payload_read_native(const struct bl_payload *p, const struct bl_entry *e,
                                   unsigned char *out);
/* The same for a chunk of module sources (raw LZMA2: payload_format.h,
 * BL_ENTRY_SOURCE_PREFIX). */
enum bl_err bl_payload_read_source(const struct bl_payload *p, const struct bl_entry *e,
                                   unsigned char *out);

/* Debug log: one line per start-up step on stderr when CRYO_DEBUG is set in
 * the environment (read once by bl_log_init).  Costs one branch when off. */
extern int bl_debug;
void bl_log_init(void);
void bl_log_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define bl_log(...) do { if (bl_debug) bl_log_(__VA_ARGS__); } while (0)

#endif
