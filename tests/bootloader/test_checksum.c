/* test_checksum.c — bootloader/checksum.c: the payload checksum.
 *
 * The expected values come from a reference written here from the
 * definition in checksum.c's header comment, with a plain bitwise CRC-32C
 * (no table, no CPU instruction):
 *
 *   24-byte groups; lane k is the CRC-32C of the k-th 8-byte word of every
 *   group, in order; the bytes after the last whole group go to lane 0; the
 *   result is lane0 ^ rotl(lane1, 11) ^ rotl(lane2, 22).
 *
 * The reference itself is anchored to the published CRC-32C check value of
 * "123456789" (0xE3069283, RFC 3720 / iSCSI).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bootloader.h"

/* ---- reference ---- */

static uint32_t ref_crc32c_update(uint32_t crc, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc & 1) ? (crc >> 1) ^ 0x82f63b78u : crc >> 1;
    }
    return crc;
}

static uint32_t ref_crc32c(const void *p, size_t n)
{
    return ref_crc32c_update(0xffffffffu, p, n) ^ 0xffffffffu;
}

static uint32_t rotl(uint32_t v, int r)
{
    return (v << r) | (v >> (32 - r));
}

static uint32_t ref_checksum(const unsigned char *p, size_t n)
{
    uint32_t lane[3] = {0xffffffffu, 0xffffffffu, 0xffffffffu};
    size_t groups = n / 24;
    for (size_t g = 0; g < groups; g++)
        for (int k = 0; k < 3; k++)
            lane[k] = ref_crc32c_update(lane[k], p + 24 * g + 8 * k, 8);
    lane[0] = ref_crc32c_update(lane[0], p + 24 * groups, n - 24 * groups);
    for (int k = 0; k < 3; k++)
        lane[k] ^= 0xffffffffu;
    return lane[0] ^ rotl(lane[1], 11) ^ rotl(lane[2], 22);
}

/* ---- data ---- */

static void fill(unsigned char *p, size_t n, uint32_t seed)
{
    uint32_t x = seed ? seed : 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)(x >> 7);
    }
}

static unsigned char *random_bytes(size_t n, uint32_t seed)
{
    unsigned char *p = malloc(n ? n : 1);
    cr_assert_not_null(p);
    fill(p, n, seed);
    return p;
}

static void use_hardware_if_any(void)
{
    bl_sum_force_software(0);
}

static void use_software(void)
{
    bl_sum_force_software(1);
}

/* ---- the reference is CRC-32C ---- */

Test(checksum, reference_matches_the_published_crc32c_check_value)
{
    cr_assert_eq(ref_crc32c("123456789", 9), 0xe3069283u);
    /* 32 zero bytes: RFC 3720, B.4 */
    unsigned char zeros[32] = {0};
    cr_assert_eq(ref_crc32c(zeros, sizeof zeros), 0x8a9136aau);
}

/* ---- known values ---- */

Test(checksum, is_plain_crc32c_for_data_shorter_than_a_group)
{
    /* Lanes 1 and 2 see no data, so they contribute 0. */
    cr_expect_eq(bl_checksum("123456789", 9), 0xe3069283u);
    cr_expect_eq(bl_checksum("", 0), 0u);
}

Test(checksum, matches_the_definition_for_lengths_around_the_group, .init = use_hardware_if_any)
{
    const size_t lens[] = {0, 1, 7, 8, 9, 16, 23, 24, 25, 47, 48, 49, 1000, 65536 + 7};
    unsigned char *data = random_bytes(65536 + 7, 12345);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        cr_expect_eq(bl_checksum(data, lens[i]), ref_checksum(data, lens[i]),
                     "length %zu: got %#x, want %#x", lens[i], bl_checksum(data, lens[i]),
                     ref_checksum(data, lens[i]));
    free(data);
}

Test(checksum, software_fallback_matches_the_definition, .init = use_software)
{
    const size_t lens[] = {0, 1, 23, 24, 25, 1000, 65536 + 7};
    unsigned char *data = random_bytes(65536 + 7, 777);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++)
        cr_expect_eq(bl_checksum(data, lens[i]), ref_checksum(data, lens[i]), "length %zu",
                     lens[i]);
    free(data);
}

Test(checksum, lanes_are_not_interchangeable)
{
    /* The same 8-byte word in lane 0, 1 or 2 of a group gives three
     * different checksums: the lanes are rotated apart. */
    unsigned char g[3][24];
    memset(g, 0, sizeof g);
    for (int k = 0; k < 3; k++)
        memcpy(&g[k][8 * k], "cryo!!!!", 8);
    uint32_t s0 = bl_checksum(g[0], 24), s1 = bl_checksum(g[1], 24), s2 = bl_checksum(g[2], 24);
    cr_expect_neq(s0, s1);
    cr_expect_neq(s1, s2);
    cr_expect_neq(s0, s2);
    cr_expect_eq(s1, ref_checksum(g[1], 24));
}

/* ---- hardware and software agree ---- */

Test(checksum, hardware_and_software_paths_agree)
{
    enum { MAX = 5000 };
    unsigned char *data = random_bytes(MAX + 64, 4242);
    for (size_t len = 0; len <= MAX; len += (len < 200 ? 1 : 97)) {
        /* Also at odd alignments: the hardware path loads unaligned words. */
        for (size_t align = 0; align < 3; align++) {
            use_hardware_if_any();
            uint32_t hw = bl_checksum(data + align, len);
            use_software();
            uint32_t sw = bl_checksum(data + align, len);
            cr_assert_eq(hw, sw, "length %zu alignment %zu: hardware %#x software %#x", len,
                         align, hw, sw);
        }
    }
    use_hardware_if_any();
    free(data);
}

/* ---- streaming ---- */

static uint32_t streamed(const unsigned char *p, size_t len, const size_t *chunks, size_t nchunks)
{
    struct bl_sum s;
    size_t at = 0;
    bl_sum_init(&s);
    for (size_t i = 0; i < nchunks && at + chunks[i] <= len; i++) {
        cr_assert_eq(chunks[i] % BL_SUM_GROUP, 0, "test bug: chunk not whole groups");
        bl_sum_update(&s, p + at, chunks[i]);
        at += chunks[i];
    }
    size_t whole = (len - at) - (len - at) % BL_SUM_GROUP;
    bl_sum_update(&s, p + at, whole);
    at += whole;
    return bl_sum_final(&s, p + at, len - at);
}

static void check_streaming(void)
{
    const size_t lens[] = {0, 23, 24, 25, 1000, 4807, 65536 + 7};
    const size_t chunks[] = {24, 0, 480, 24 * 7, 2400, 24 * 1001};
    unsigned char *data = random_bytes(65536 + 7, 99);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        uint32_t want = bl_checksum(data, lens[i]);
        cr_expect_eq(want, ref_checksum(data, lens[i]), "length %zu", lens[i]);
        cr_expect_eq(streamed(data, lens[i], chunks, sizeof chunks / sizeof chunks[0]), want,
                     "length %zu streamed in chunks", lens[i]);
        /* One group at a time. */
        struct bl_sum s;
        size_t at = 0;
        bl_sum_init(&s);
        for (; at + BL_SUM_GROUP <= lens[i]; at += BL_SUM_GROUP)
            bl_sum_update(&s, data + at, BL_SUM_GROUP);
        cr_expect_eq(bl_sum_final(&s, data + at, lens[i] - at), want,
                     "length %zu streamed group by group", lens[i]);
    }
    free(data);
}

Test(checksum, streaming_in_whole_groups_equals_one_shot, .init = use_hardware_if_any)
{
    check_streaming();
}

Test(checksum, streaming_in_whole_groups_equals_one_shot_in_software, .init = use_software)
{
    check_streaming();
}

Test(checksum, init_starts_a_fresh_sum)
{
    unsigned char *data = random_bytes(100, 5);
    struct bl_sum s;
    bl_sum_init(&s);
    bl_sum_update(&s, data, 96);
    (void)bl_sum_final(&s, data + 96, 4);
    bl_sum_init(&s);
    bl_sum_update(&s, data, 96);
    cr_expect_eq(bl_sum_final(&s, data + 96, 4), bl_checksum(data, 100));
    free(data);
}

/* ---- sensitivity ---- */

static void check_bit_flips(void)
{
    const size_t lens[] = {1, 23, 24, 25, 100, 1000};
    unsigned char *data = random_bytes(1000, 31337);
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        size_t len = lens[i];
        uint32_t good = bl_checksum(data, len);
        for (size_t byte = 0; byte < len; byte++)
            for (int bit = 0; bit < 8; bit++) {
                data[byte] ^= (unsigned char)(1u << bit);
                uint32_t bad = bl_checksum(data, len);
                data[byte] ^= (unsigned char)(1u << bit);
                cr_assert_neq(bad, good, "length %zu: flipping byte %zu bit %d goes unnoticed",
                              len, byte, bit);
            }
    }
    free(data);
}

Test(checksum, detects_every_single_bit_flip, .init = use_hardware_if_any)
{
    check_bit_flips();
}

Test(checksum, detects_every_single_bit_flip_in_software, .init = use_software)
{
    check_bit_flips();
}

Test(checksum, detects_swapped_groups)
{
    /* A plain sum of lanes would miss groups in another order. */
    unsigned char data[48];
    fill(data, sizeof data, 8);
    uint32_t a = bl_checksum(data, 48);
    unsigned char swapped[48];
    memcpy(swapped, data + 24, 24);
    memcpy(swapped + 24, data, 24);
    cr_expect_neq(bl_checksum(swapped, 48), a);
}

Test(checksum, depends_on_trailing_zero_bytes)
{
    unsigned char zeros[49] = {0};
    cr_expect_neq(bl_checksum(zeros, 24), bl_checksum(zeros, 25));
    cr_expect_neq(bl_checksum(zeros, 24), bl_checksum(zeros, 48));
    cr_expect_neq(bl_checksum(zeros, 0), bl_checksum(zeros, 1));
}
