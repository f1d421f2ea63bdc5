/* fuzz_member.c — reading one payload member (bootloader/payload.c): its
 * table entry and its LZ4 block (or, read as a native file's member, its
 * zstd frame; as a source chunk, its raw LZMA2) are both taken from the
 * input.  The first
 * 20 bytes are the entry (offset 8, csize 4, usize 4, crc 4, little-endian);
 * the rest is the payload, behind which the harness puts a valid trailer,
 * so the reader gets as far as it can. */
#include "../../bootloader/bootloader.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 20)
        return 0;
    struct bl_entry e = {
        .offset = bl_get64(data),
        .csize = bl_get32(data + 8),
        .usize = bl_get32(data + 12) % (1u << 22), /* a bound for the harness's buffer */
        .crc = bl_get32(data + 16),
    };
    const uint8_t *payload = data + 20;
    size_t plen = size - 20;
    unsigned char *file = malloc(plen + BL_TRAILER_SIZE);
    if (!file)
        return 0;
    for (size_t i = 0; i < plen; i++)
        file[i] = payload[i];
    struct bl_trailer t = {.version = BL_FORMAT_VERSION, .payload_size = plen,
                           .payload_crc = bl_checksum(payload, plen)};
    bl_trailer_encode(&t, file + plen);
    int fd = fuzz_memfile(file, plen + BL_TRAILER_SIZE);
    free(file);
    if (fd < 0)
        return 0;
    struct bl_payload p;
    int err_no = 0;
    if (bl_payload_open_fd(fd, &p, &err_no, BL_OPEN_CHECK_PAYLOAD) == BL_OK) {
        unsigned char *out = malloc(e.usize ? e.usize : 1);
        if (out) {
            (void)bl_payload_read(&p, &e, out);
            (void)bl_payload_read_native(&p, &e, out);
            (void)bl_payload_read_source(&p, &e, out);
            free(out);
        }
    }
    close(fd);
    return 0;
}
