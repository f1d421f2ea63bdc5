/* checksum.c — the payload checksum (payload_format.h, BL_SUM_*).
 *
 * The bootloader checks the whole payload before the program starts, so
 * this runs at every start: zlib's CRC-32 took a quarter of hello world's
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

static uint32_t table[256];

static void make_table(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
        table[i] = c;
    }
}

static uint32_t sw_byte(uint32_t crc, unsigned char b)
{
    return (crc >> 8) ^ table[(crc ^ b) & 0xff];
}

static uint32_t sw_word(uint32_t crc, const unsigned char *p)
{
    for (int i = 0; i < 8; i++)
        crc = sw_byte(crc, p[i]);
    return crc;
}

static void groups_sw(uint32_t lane[3], const unsigned char *p, size_t groups)
{
    for (size_t g = 0; g < groups; g++, p += BL_SUM_GROUP) {
        lane[0] = sw_word(lane[0], p);
        lane[1] = sw_word(lane[1], p + 8);
        lane[2] = sw_word(lane[2], p + 16);
    }
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static void groups_hw(uint32_t lane[3], const unsigned char *p,
                                                        size_t groups)
{
    unsigned long long a = lane[0], b = lane[1], c = lane[2];
    for (size_t g = 0; g < groups; g++, p += BL_SUM_GROUP) {
        unsigned long long w0, w1, w2;
        memcpy(&w0, p, 8);
        memcpy(&w1, p + 8, 8);
        memcpy(&w2, p + 16, 8);
        a = __builtin_ia32_crc32di(a, w0);
        b = __builtin_ia32_crc32di(b, w1);
        c = __builtin_ia32_crc32di(c, w2);
    }
    lane[0] = (uint32_t)a;
    lane[1] = (uint32_t)b;
    lane[2] = (uint32_t)c;
}
#endif

/* -1 until decided; then 1 if the CPU has the instruction.  Tests may
 * force the fallback with bl_sum_force_software. */
static int use_hw = -1;

void bl_sum_force_software(int on)
{
    if (!table[1])
        make_table();
    use_hw = on ? 0 : -1;
}

void bl_sum_init(struct bl_sum *s)
{
    s->lane[0] = s->lane[1] = s->lane[2] = 0xffffffffu;
    if (use_hw < 0) {
#if defined(__x86_64__)
        use_hw = __builtin_cpu_supports("sse4.2") ? 1 : 0;
#else
        use_hw = 0;
#endif
    }
    if (!use_hw && !table[1])
        make_table();
}

void bl_sum_update(struct bl_sum *s, const void *data, size_t len)
{
#if defined(__x86_64__)
    if (use_hw)
        groups_hw(s->lane, data, len / BL_SUM_GROUP);
    else
#endif
        groups_sw(s->lane, data, len / BL_SUM_GROUP);
}

uint32_t bl_sum_final(struct bl_sum *s, const void *tail, size_t len)
{
    const unsigned char *p = tail;
    if (len && !table[1])
        make_table();
    for (size_t i = 0; i < len; i++)
        s->lane[0] = sw_byte(s->lane[0], p[i]);
    uint32_t a = s->lane[0] ^ 0xffffffffu, b = s->lane[1] ^ 0xffffffffu,
             c = s->lane[2] ^ 0xffffffffu;
    return a ^ ((b << 11) | (b >> 21)) ^ ((c << 22) | (c >> 10));
}

uint32_t bl_checksum(const void *data, size_t len)
{
    struct bl_sum s;
    size_t whole = len - len % BL_SUM_GROUP;
    bl_sum_init(&s);
    bl_sum_update(&s, data, whole);
    return bl_sum_final(&s, (const unsigned char *)data + whole, len - whole);
}
