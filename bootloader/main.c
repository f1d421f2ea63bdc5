/* main.c — hand the verified executable to the runtime.  Everything that
 * decides whether the file may run has happened before main(): the first
 * stage (stage_first.c, stage_rest.c) and the guard's constructor (guard.c).  One process: no
 * fork, no child, nothing written to disk. */
#include "../runtime/module_table.h"
#include "bootloader.h"

int rt_main(int argc, char **argv, const struct bl_payload *payload);

int main(int argc, char **argv)
{
    const struct bl_payload *payload = bl_guard_payload();
    if (payload->trailer.payload_crc != cryo_app.payload_crc)
        bl_refuse(BL_ERR_MISMATCH, 0);
    bl_log("payload: %llu bytes at offset %llu, %u members",
           (unsigned long long)payload->trailer.payload_size,
           (unsigned long long)payload->trailer.payload_offset,
           payload->trailer.entry_count);
    return rt_main(argc, argv, payload);
}
