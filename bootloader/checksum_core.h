/* checksum_core.h — the one definition of the payload checksum's arithmetic
 * (BL_SUM_*, defined in words in checksum.c), as static inline functions
 * that use no library and no global: bootloader/checksum.c wraps them for
 * the freezer, the bootloader and the tests; the first stage (stage_first.c, stage_rest.c),
 * which runs before any library exists, calls them directly.  Whoever calls
 * them owns the 256-entry table (bl_core_make_table) and the choice of the
 * instruction (bl_core_cpu_has_crc32). */
#ifndef CRYO_CHECKSUM_CORE_H
#define CRYO_CHECKSUM_CORE_H

#include <stddef.h>
#include <stdint.h>

#include "payload_format.h"

static inline void bl_core_make_table(uint32_t table[256])
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (0x82f63b78u & (0u - (c & 1)));
        table[i] = c;
    }
}

static inline uint32_t bl_core_byte(const uint32_t table[256], uint32_t crc, unsigned char b)
{
    return (crc >> 8) ^ table[(crc ^ b) & 0xff];
}

static inline uint32_t bl_core_word(const uint32_t table[256], uint32_t crc,
                                    const unsigned char *p)
{
    for (int i = 0; i < 8; i++)
        crc = bl_core_byte(table, crc, p[i]);
    return crc;
}

static inline void bl_core_groups_sw(const uint32_t table[256], uint32_t lane[3],
                                     const unsigned char *p, size_t groups)
{
    for (size_t g = 0; g < groups; g++, p += BL_SUM_GROUP) {
        lane[0] = bl_core_word(table, lane[0], p);
        lane[1] = bl_core_word(table, lane[1], p + 8);
        lane[2] = bl_core_word(table, lane[2], p + 16);
    }
}

#if defined(__x86_64__)
static inline uint64_t bl_core_load64(const unsigned char *p)
{
    uint64_t v;
    __builtin_memcpy(&v, p, 8);
    return v;
}

__attribute__((target("sse4.2"))) static inline void
bl_core_groups_hw(uint32_t lane[3], const unsigned char *p, size_t groups)
{
    unsigned long long a = lane[0], b = lane[1], c = lane[2];
    for (size_t g = 0; g < groups; g++, p += BL_SUM_GROUP) {
        a = __builtin_ia32_crc32di(a, bl_core_load64(p));
        b = __builtin_ia32_crc32di(b, bl_core_load64(p + 8));
        c = __builtin_ia32_crc32di(c, bl_core_load64(p + 16));
    }
    lane[0] = (uint32_t)a;
    lane[1] = (uint32_t)b;
    lane[2] = (uint32_t)c;
}

/* CPUID leaf 1, ECX bit 20: SSE4.2, which brings the crc32 instruction. */
static inline int bl_core_cpu_has_crc32(void)
{
    unsigned int a = 1, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (c >> 20) & 1;
}
#else
static inline int bl_core_cpu_has_crc32(void) { return 0; }
#endif

static inline void bl_core_init(uint32_t lane[3])
{
    lane[0] = lane[1] = lane[2] = 0xffffffffu;
}

/* The bytes after the last whole group go to lane 0; then the lanes are
 * combined into the checksum. */
static inline uint32_t bl_core_final(const uint32_t table[256], uint32_t lane[3],
                                     const unsigned char *tail, size_t len)
{
    for (size_t i = 0; i < len; i++)
        lane[0] = bl_core_byte(table, lane[0], tail[i]);
    uint32_t a = lane[0] ^ 0xffffffffu, b = lane[1] ^ 0xffffffffu, c = lane[2] ^ 0xffffffffu;
    return a ^ ((b << 11) | (b >> 21)) ^ ((c << 22) | (c >> 10));
}

#endif
