/* checksum.c — the payload checksum (payload_format.h, BL_SUM_*); its
 * arithmetic is checksum_core.h, shared with the first stage.
 *
 * It runs at every start, over the executable's image and over each member
 * read: zlib's CRC-32 took a quarter of hello world's
 * start-up instructions on a 2 MB payload.  CRC-32C has a CPU instruction
 * on x86-64 (SSE4.2) with a throughput of one 8-byte word per cycle but a
 * latency of three, so the checksum is defined over three independent
 * lanes that the CPU computes in parallel:
 *
 *   the data is read as 24-byte groups; lane k (k = 0, 1, 2) is the
 *   CRC-32C (Castagnoli, reflected, initial and final value 0xffffffff)
 *   of the k-th little-endian 8-byte word of every group, in order; the
 *   bytes after the last whole group are appended to lane 0, byte by byte;
 *   the checksum is lane0 ^ rotl(lane1, 11) ^ rotl(lane2, 22).
 *
 * The table-driven fallback computes exactly the same value on machines
 * without the instruction.  Writer (freezer) and reader (bootloader) both
 * call these functions, never their own.
 */
#include <string.h>

#include "bootloader.h"
#include "checksum_core.h"

static uint32_t table[256];

static void make_table(void)
{
    bl_core_make_table(table);
}

/* -1 until decided; then 1 if the CPU has the instruction.  Tests may
 * force the fallback with bl_sum_force_software. */
static int use_hw = -1;

void bl_sum_force_software(int on)
{
    if (!table[1])
        make_table();
    use_hw = on ? 0 : -1;
}

BL_GUARD void bl_sum_init(struct bl_sum *s)
{
    bl_core_init(s->lane);
    if (use_hw < 0)
        use_hw = bl_core_cpu_has_crc32();
    if (!use_hw && !table[1])
        make_table();
}

BL_GUARD void bl_sum_update(struct bl_sum *s, const void *data, size_t len)
{
#if defined(__x86_64__)
    if (use_hw)
        bl_core_groups_hw(s->lane, data, len / BL_SUM_GROUP);
    else
#endif
        bl_core_groups_sw(table, s->lane, data, len / BL_SUM_GROUP);
}

BL_GUARD uint32_t bl_sum_final(struct bl_sum *s, const void *tail, size_t len)
{
    if (len && !table[1])
        make_table();
    return bl_core_final(table, s->lane, tail, len);
}

BL_GUARD uint32_t bl_checksum(const void *data, size_t len)
{
    struct bl_sum s;
    size_t whole = len - len % BL_SUM_GROUP;
    bl_sum_init(&s);
    bl_sum_update(&s, data, whole);
    return bl_sum_final(&s, (const unsigned char *)data + whole, len - whole);
}
