/* fuzz_trailer.c — the reader of an executable's trailer and sizes
 * (bootloader/trailer_codec.h, trailer.c): the input is a whole file, as
 * the bootloader, the first stage and cryo inspect open it. */
#include "../../bootloader/bootloader.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size >= BL_TRAILER_SIZE) {
        struct bl_trailer t;
        if (bl_trailer_decode(data + size - BL_TRAILER_SIZE, &t) == BL_OK)
            (void)bl_trailer_check_size(&t, size);
    }
    int fd = fuzz_memfile(data, size);
    if (fd < 0)
        return 0;
    struct bl_payload p;
    int e = 0;
    (void)bl_payload_open_fd(fd, &p, &e, BL_OPEN_CHECK_IMAGE | BL_OPEN_CHECK_PAYLOAD);
    close(fd);
    return 0;
}
