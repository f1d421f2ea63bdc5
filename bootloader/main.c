/* main.c — the first code of a frozen program: find the payload through
 * /proc/self/exe, verify it, and hand it to the runtime.  One process: no
 * fork, no child, nothing written to disk.  A damaged executable is refused
 * here, before any Python runs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "../runtime/module_table.h"
#include "bootloader.h"

int rt_main(int argc, char **argv, const struct bl_payload *payload);

/* Exit status when the executable itself is unusable: distinct from the
 * program's own 1 (uncaught exception) and 2 (usage errors by convention). */
#define BL_EXIT_DAMAGED 127

int main(int argc, char **argv)
{
    struct bl_payload payload;
    int err_no = 0;
    enum bl_err err;
    const char *me = argc > 0 ? argv[0] : "cryo-app";
    char path[PATH_MAX];

    bl_log_init();
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 1);
    if (n > 0)
        path[n] = '\0';
    else
        snprintf(path, sizeof path, "/proc/self/exe");

    int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        err = BL_ERR_IO;
        err_no = errno;
    } else {
        bl_log("verifying payload of %s", path);
        err = bl_payload_open_fd(fd, &payload, &err_no);
        if (err == BL_OK && payload.trailer.payload_crc != cryo_app.payload_crc)
            err = BL_ERR_MISMATCH;
    }
    if (err != BL_OK) {
        if (err == BL_ERR_IO)
            fprintf(stderr, "%s: cannot start: cannot read '%s': %s\n", me, path,
                    strerror(err_no));
        else
            fprintf(stderr, "%s: cannot start: '%s' is damaged: %s; "
                            "rebuild it with cryo or download it again\n",
                    me, path, bl_strerror(err));
        return BL_EXIT_DAMAGED;
    }
    bl_log("payload ok: %llu bytes at offset %llu, %u members",
           (unsigned long long)payload.trailer.payload_size,
           (unsigned long long)payload.trailer.payload_offset,
           payload.trailer.entry_count);
    return rt_main(argc, argv, &payload);
}
