/* test_trailer.c — bootloader/trailer.c: the trailer codec and the checks
 * bl_payload_open_fd makes before anything runs.
 *
 * Files are laid out as a cryo executable is ([ELF-ish bytes][payload]
 * [trailer], payload_format.h), with the payload checksum computed by
 * bl_checksum and the trailer written by bl_trailer_encode: the writer's
 * own pieces.  Each test then damages one thing and expects the one error
 * the format promises for it. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bootloader.h"

/* ---- helpers ---- */

static const struct bl_trailer sample = {
    .version = BL_FORMAT_VERSION,
    .flags = 0,
    .payload_offset = 0x0123456789abcdefull,
    .payload_size = 0xfedcba9876543210ull,
    .payload_crc = 0xdeadbeefu,
    .entry_count = 0x01020304u,
    .image_offset = 0x1122334455667788ull,
    .image_size = 0x8877665544332211ull,
    .image_crc = 0xcafef00du,
    .guard_count = 2,
    .guard = {{0x0102030405060708ull, 0x11223344u, 0x55667788u}, {9, 10, 11}},
};

static uint64_t get_le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

/* Deterministic filler (xorshift), so failures are reproducible. */
static void fill(unsigned char *p, size_t n, uint32_t seed)
{
    uint32_t x = seed ? seed : 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)x;
    }
}

#define ELF_LEN 1000
#define PAYLOAD_LEN 5003 /* not a multiple of the checksum group */

/* A whole cryo-style file in memory: image, payload and trailer. */
struct image {
    unsigned char *bytes;
    size_t len;
    struct bl_trailer t;
};

static struct image make_image(size_t elf_len, size_t payload_len)
{
    struct image im;
    im.len = elf_len + payload_len + BL_TRAILER_SIZE;
    im.bytes = malloc(im.len);
    cr_assert_not_null(im.bytes);
    fill(im.bytes, elf_len, 7);
    if (elf_len >= 4)
        memcpy(im.bytes, "\177ELF", 4);
    fill(im.bytes + elf_len, payload_len, 99);
    im.t = (struct bl_trailer){
        .version = BL_FORMAT_VERSION,
        .payload_offset = elf_len,
        .payload_size = payload_len,
        .payload_crc = bl_checksum(im.bytes + elf_len, payload_len),
        .entry_count = 3,
        .image_size = elf_len,
        .image_crc = bl_checksum(im.bytes, elf_len),
    };
    bl_trailer_encode(&im.t, im.bytes + elf_len + payload_len);
    return im;
}

/* Re-encode the trailer of `im` after the test changed im->t. */
static void reencode(struct image *im)
{
    bl_trailer_encode(&im->t, im->bytes + im->len - BL_TRAILER_SIZE);
}

/* Write `len` bytes to a fresh temporary file; returns an fd open on it. */
static int temp_file(const void *bytes, size_t len)
{
    char path[] = "/tmp/cryo-test-trailer-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
    unlink(path);
    const unsigned char *p = bytes;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        cr_assert_gt(n, 0, "write: %s", strerror(errno));
        done += (size_t)n;
    }
    return fd;
}

/* Open `len` bytes as a payload file; returns the error and closes the fd. */
static enum bl_err open_bytes(const void *bytes, size_t len, struct bl_payload *p)
{
    int fd = temp_file(bytes, len);
    int e = -1;
    enum bl_err err = bl_payload_open_fd(fd, p, &e, BL_OPEN_CHECK_IMAGE | BL_OPEN_CHECK_PAYLOAD);
    if (err != BL_ERR_IO)
        cr_expect_eq(e, 0, "errno_out should be 0 unless the error is BL_ERR_IO");
    close(fd);
    return err;
}

static enum bl_err open_image(const struct image *im)
{
    struct bl_payload p;
    return open_bytes(im->bytes, im->len, &p);
}

/* ---- the codec ---- */

Test(trailer, decodes_what_it_encodes)
{
    unsigned char raw[BL_TRAILER_SIZE];
    struct bl_trailer t;
    memset(&t, 0x55, sizeof t);
    bl_trailer_encode(&sample, raw);
    cr_assert_eq(bl_trailer_decode(raw, &t), BL_OK);
    cr_expect_eq(t.version, sample.version);
    cr_expect_eq(t.flags, sample.flags);
    cr_expect_eq(t.payload_offset, sample.payload_offset);
    cr_expect_eq(t.payload_size, sample.payload_size);
    cr_expect_eq(t.payload_crc, sample.payload_crc);
    cr_expect_eq(t.entry_count, sample.entry_count);
    cr_expect_eq(t.image_offset, sample.image_offset);
    cr_expect_eq(t.image_size, sample.image_size);
    cr_expect_eq(t.image_crc, sample.image_crc);
    cr_expect_eq(t.guard_count, sample.guard_count);
    for (int i = 0; i < BL_GUARD_MAX; i++) {
        cr_expect_eq(t.guard[i].offset, sample.guard[i].offset, "guard %d", i);
        cr_expect_eq(t.guard[i].size, sample.guard[i].size, "guard %d", i);
        cr_expect_eq(t.guard[i].crc, sample.guard[i].crc, "guard %d", i);
    }
}

Test(trailer, round_trips_zero_and_all_ones_fields)
{
    const struct bl_trailer cases[] = {
        {BL_FORMAT_VERSION, 0, 0, 0, 0, 0},
        {BL_FORMAT_VERSION, 0, UINT64_MAX, UINT64_MAX, UINT32_MAX, UINT32_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned char raw[BL_TRAILER_SIZE];
        struct bl_trailer t;
        bl_trailer_encode(&cases[i], raw);
        cr_assert_eq(bl_trailer_decode(raw, &t), BL_OK, "case %zu", i);
        cr_expect_eq(t.payload_offset, cases[i].payload_offset, "case %zu", i);
        cr_expect_eq(t.payload_size, cases[i].payload_size, "case %zu", i);
        cr_expect_eq(t.payload_crc, cases[i].payload_crc, "case %zu", i);
        cr_expect_eq(t.entry_count, cases[i].entry_count, "case %zu", i);
    }
}

Test(trailer, encodes_the_documented_little_endian_layout)
{
    unsigned char raw[BL_TRAILER_SIZE];
    memset(raw, 0xaa, sizeof raw);
    bl_trailer_encode(&sample, raw);
    cr_expect_eq(memcmp(raw, "\177CRYOTRL", 8), 0, "magic at offset 0");
    cr_expect_eq(get_le(raw + 8, 4), BL_FORMAT_VERSION);
    cr_expect_eq(get_le(raw + 12, 4), 0);
    cr_expect_eq(get_le(raw + 16, 8), 0x0123456789abcdefull);
    cr_expect_eq(raw[16], 0xef, "payload_offset is little-endian");
    cr_expect_eq(get_le(raw + 24, 8), 0xfedcba9876543210ull);
    cr_expect_eq(get_le(raw + 32, 4), 0xdeadbeefu);
    cr_expect_eq(get_le(raw + 36, 4), 0x01020304u);
    cr_expect_eq(get_le(raw + 40, 8), 0x1122334455667788ull);
    cr_expect_eq(get_le(raw + 48, 8), 0x8877665544332211ull);
    cr_expect_eq(get_le(raw + 56, 4), 0xcafef00du);
    cr_expect_eq(get_le(raw + 60, 4), 2);
    cr_expect_eq(get_le(raw + 64, 8), 0x0102030405060708ull, "guard 0 offset");
    cr_expect_eq(get_le(raw + 72, 4), 0x11223344u, "guard 0 size");
    cr_expect_eq(get_le(raw + 76, 4), 0x55667788u, "guard 0 crc");
    cr_expect_eq(get_le(raw + 80, 8), 9, "guard 1 offset");
    for (int i = 96; i < 196; i++)
        cr_expect_eq(raw[i], 0, "unused guard or reserved byte %d is zero", i);
    cr_expect_eq(get_le(raw + 196, 4), bl_checksum(raw, 196),
                 "trailer_crc is the payload checksum of bytes 0..195");
}

Test(trailer, rejects_wrong_magic)
{
    unsigned char raw[BL_TRAILER_SIZE];
    struct bl_trailer t;
    bl_trailer_encode(&sample, raw);
    memcpy(raw, "\177CRYOTRX", 8);
    /* Fix the CRC so only the magic is wrong. */
    uint32_t crc = bl_checksum(raw, 196);
    for (int i = 0; i < 4; i++)
        raw[196 + i] = (unsigned char)(crc >> (8 * i));
    cr_expect_eq(bl_trailer_decode(raw, &t), BL_ERR_NO_TRAILER);
}

Test(trailer, rejects_all_zero_bytes_as_no_trailer)
{
    unsigned char raw[BL_TRAILER_SIZE] = {0};
    struct bl_trailer t;
    cr_expect_eq(bl_trailer_decode(raw, &t), BL_ERR_NO_TRAILER);
}

Test(trailer, rejects_a_flipped_bit_in_any_of_its_bytes)
{
    unsigned char good[BL_TRAILER_SIZE];
    bl_trailer_encode(&sample, good);
    for (int i = 0; i < BL_TRAILER_SIZE; i++) {
        for (int bit = 0; bit < 8; bit++) {
            unsigned char raw[BL_TRAILER_SIZE];
            struct bl_trailer t;
            memcpy(raw, good, sizeof raw);
            raw[i] ^= (unsigned char)(1u << bit);
            enum bl_err want = i < BL_TRAILER_MAGIC_LEN ? BL_ERR_NO_TRAILER : BL_ERR_TRAILER_CRC;
            cr_expect_eq(bl_trailer_decode(raw, &t), want, "byte %d bit %d: got error %d", i,
                         bit, (int)bl_trailer_decode(raw, &t));
        }
    }
}

Test(trailer, rejects_other_format_versions)
{
    const uint32_t versions[] = {0, BL_FORMAT_VERSION + 1, 0x100 | BL_FORMAT_VERSION,
                                 UINT32_MAX};
    for (size_t i = 0; i < sizeof versions / sizeof versions[0]; i++) {
        struct bl_trailer in = sample, t;
        unsigned char raw[BL_TRAILER_SIZE];
        in.version = versions[i];
        bl_trailer_encode(&in, raw);
        cr_expect_eq(bl_trailer_decode(raw, &t), BL_ERR_VERSION, "version %u",
                     (unsigned)versions[i]);
    }
}

Test(trailer, rejects_nonzero_flags)
{
    const uint32_t flags[] = {1, 0x80000000u, UINT32_MAX};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        struct bl_trailer in = sample, t;
        unsigned char raw[BL_TRAILER_SIZE];
        in.flags = flags[i];
        bl_trailer_encode(&in, raw);
        cr_expect_eq(bl_trailer_decode(raw, &t), BL_ERR_VERSION, "flags %#x",
                     (unsigned)flags[i]);
    }
}

/* ---- bl_payload_open_fd on whole files ---- */

Test(trailer, accepts_a_well_formed_file)
{
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    int fd = temp_file(im.bytes, im.len);
    struct bl_payload p;
    int e = -1;
    memset(&p, 0, sizeof p);
    cr_assert_eq(bl_payload_open_fd(fd, &p, &e, BL_OPEN_CHECK_IMAGE | BL_OPEN_CHECK_PAYLOAD), BL_OK);
    cr_expect_eq(e, 0);
    cr_expect_eq(p.fd, fd, "the payload keeps the descriptor it was opened on");
    cr_expect_eq(p.file_size, (uint64_t)im.len);
    cr_expect_eq(p.trailer.payload_offset, (uint64_t)ELF_LEN);
    cr_expect_eq(p.trailer.payload_size, (uint64_t)PAYLOAD_LEN);
    cr_expect_eq(p.trailer.payload_crc, im.t.payload_crc);
    cr_expect_eq(p.trailer.entry_count, 3);
    close(fd);
    free(im.bytes);
}

Test(trailer, accepts_payloads_of_many_lengths)
{
    /* Around the checksum group and the 64 KiB read chunk of
     * bl_checksum_range, whose last chunk is handled apart. */
    const size_t lens[] = {0, 1, 23, 24, 25, 47, 48, 65520, 65519, 65521, 65536,
                           2 * 65520, 2 * 65520 + 5, 200000};
    for (size_t i = 0; i < sizeof lens / sizeof lens[0]; i++) {
        struct image im = make_image(ELF_LEN, lens[i]);
        cr_expect_eq(open_image(&im), BL_OK, "payload of %zu bytes", lens[i]);
        free(im.bytes);
    }
}

Test(trailer, accepts_a_file_that_is_only_a_trailer_with_an_empty_payload)
{
    struct image im = make_image(0, 0);
    cr_assert_eq(im.len, BL_TRAILER_SIZE);
    cr_expect_eq(open_image(&im), BL_OK);
    free(im.bytes);
}

Test(trailer, rejects_an_empty_file)
{
    struct bl_payload p;
    cr_expect_eq(open_bytes("", 0, &p), BL_ERR_NO_TRAILER);
}

Test(trailer, rejects_a_file_shorter_than_the_trailer)
{
    struct image im = make_image(0, 0);
    struct bl_payload p;
    /* The last 63 bytes of a real trailer, and its first 63. */
    cr_expect_eq(open_bytes(im.bytes + 1, BL_TRAILER_SIZE - 1, &p), BL_ERR_NO_TRAILER);
    cr_expect_eq(open_bytes(im.bytes, BL_TRAILER_SIZE - 1, &p), BL_ERR_NO_TRAILER);
    cr_expect_eq(open_bytes("x", 1, &p), BL_ERR_NO_TRAILER);
    free(im.bytes);
}

Test(trailer, rejects_a_file_not_built_by_cryo)
{
    unsigned char junk[4096];
    struct bl_payload p;
    fill(junk, sizeof junk, 3);
    memcpy(junk, "\177ELF", 4);
    cr_expect_eq(open_bytes(junk, sizeof junk, &p), BL_ERR_NO_TRAILER);
}

Test(trailer, rejects_truncated_file)
{
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    struct bl_payload p;
    /* Cut 1 byte, half the trailer, the whole trailer, into the payload,
     * down to the image alone. */
    const size_t cuts[] = {1, 2, BL_TRAILER_SIZE / 2, BL_TRAILER_SIZE - 1, BL_TRAILER_SIZE,
                           BL_TRAILER_SIZE + 1, BL_TRAILER_SIZE + 100,
                           BL_TRAILER_SIZE + PAYLOAD_LEN};
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++)
        cr_expect_eq(open_bytes(im.bytes, im.len - cuts[i], &p), BL_ERR_NO_TRAILER,
                     "file cut by %zu bytes", cuts[i]);
    free(im.bytes);
}

Test(trailer, rejects_a_file_with_payload_bytes_missing_before_the_trailer)
{
    /* The trailer is intact but the file is shorter than it says: bytes
     * were lost from the middle (or the front). */
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    struct bl_payload p;
    const size_t drops[] = {1, 24, 1000};
    for (size_t i = 0; i < sizeof drops / sizeof drops[0]; i++) {
        size_t keep_head = ELF_LEN + 10;
        unsigned char *cut = malloc(im.len);
        memcpy(cut, im.bytes, keep_head);
        memcpy(cut + keep_head, im.bytes + keep_head + drops[i], im.len - keep_head - drops[i]);
        cr_expect_eq(open_bytes(cut, im.len - drops[i], &p), BL_ERR_SIZE,
                     "%zu bytes missing from the payload", drops[i]);
        free(cut);
    }
    free(im.bytes);
}

Test(trailer, rejects_a_file_with_bytes_appended)
{
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    struct bl_payload p;
    const size_t adds[] = {1, 7, BL_TRAILER_SIZE - 1, 4096};
    for (size_t i = 0; i < sizeof adds / sizeof adds[0]; i++) {
        unsigned char *longer = calloc(1, im.len + adds[i]);
        memcpy(longer, im.bytes, im.len);
        enum bl_err err = open_bytes(longer, im.len + adds[i], &p);
        cr_expect(err == BL_ERR_NO_TRAILER || err == BL_ERR_SIZE,
                  "%zu bytes appended: got error %d", adds[i], (int)err);
        free(longer);
    }
    free(im.bytes);
}

Test(trailer, rejects_a_file_with_a_second_valid_trailer_appended)
{
    /* Appended bytes that happen to be a trailer: the sizes no longer add up. */
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    struct bl_payload p;
    unsigned char *longer = malloc(im.len + BL_TRAILER_SIZE);
    memcpy(longer, im.bytes, im.len);
    memcpy(longer + im.len, im.bytes + im.len - BL_TRAILER_SIZE, BL_TRAILER_SIZE);
    cr_expect_eq(open_bytes(longer, im.len + BL_TRAILER_SIZE, &p), BL_ERR_SIZE);
    free(longer);
    free(im.bytes);
}

Test(trailer, rejects_a_flipped_byte_in_the_payload)
{
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    /* First byte, one per checksum lane, the tail after the last whole
     * group, and the last byte. */
    const size_t at[] = {0, 1, 8, 16, 23, 24, PAYLOAD_LEN - PAYLOAD_LEN % 24,
                         PAYLOAD_LEN - 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        im.bytes[ELF_LEN + at[i]] ^= 0x10;
        cr_expect_eq(open_image(&im), BL_ERR_PAYLOAD_CRC, "payload byte %zu flipped", at[i]);
        im.bytes[ELF_LEN + at[i]] ^= 0x10;
    }
    cr_expect_eq(open_image(&im), BL_OK, "the restored file is accepted again");
    free(im.bytes);
}

Test(trailer, rejects_a_trailer_with_the_wrong_payload_checksum)
{
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    im.t.payload_crc ^= 1;
    reencode(&im);
    cr_expect_eq(open_image(&im), BL_ERR_PAYLOAD_CRC);
    free(im.bytes);
}

Test(trailer, rejects_a_flipped_byte_in_the_trailer_of_a_file)
{
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    for (size_t i = 0; i < BL_TRAILER_SIZE; i++) {
        unsigned char *b = &im.bytes[im.len - BL_TRAILER_SIZE + i];
        *b ^= 0x01;
        enum bl_err want = i < BL_TRAILER_MAGIC_LEN ? BL_ERR_NO_TRAILER : BL_ERR_TRAILER_CRC;
        cr_expect_eq(open_image(&im), want, "trailer byte %zu flipped", i);
        *b ^= 0x01;
    }
    free(im.bytes);
}

Test(trailer, rejects_a_file_from_another_format_version)
{
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    im.t.version = BL_FORMAT_VERSION + 1;
    reencode(&im);
    cr_expect_eq(open_image(&im), BL_ERR_VERSION);
    free(im.bytes);
}

Test(trailer, rejects_a_trailer_whose_offsets_do_not_add_up)
{
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    const struct bl_trailer good = im.t;
    const struct {
        uint64_t off, size;
    } cases[] = {
        {ELF_LEN + 1, PAYLOAD_LEN},
        {ELF_LEN - 1, PAYLOAD_LEN},
        {ELF_LEN, PAYLOAD_LEN + 1},
        {ELF_LEN, PAYLOAD_LEN - 1},
        {ELF_LEN + 1, PAYLOAD_LEN + 1},
        {0, 0},
        {ELF_LEN + PAYLOAD_LEN + 1, 0},  /* starts inside the trailer */
        {UINT64_MAX, 0},
        {UINT64_MAX - BL_TRAILER_SIZE, PAYLOAD_LEN},
        /* offset + size wraps around 2^64 to the right total */
        {UINT64_MAX - 10, ELF_LEN + PAYLOAD_LEN + 11},
        {1, UINT64_MAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        im.t = good;
        im.t.payload_offset = cases[i].off;
        im.t.payload_size = cases[i].size;
        reencode(&im);
        cr_expect_eq(open_image(&im), BL_ERR_SIZE, "offset %llu size %llu",
                     (unsigned long long)cases[i].off, (unsigned long long)cases[i].size);
    }
    free(im.bytes);
}

Test(trailer, rejects_a_flipped_byte_in_the_image)
{
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    const size_t at[] = {0, 1, ELF_LEN / 2, ELF_LEN - 1};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        im.bytes[at[i]] ^= 0x04;
        cr_expect_eq(open_image(&im), BL_ERR_IMAGE_CRC, "image byte %zu flipped", at[i]);
        im.bytes[at[i]] ^= 0x04;
    }
    cr_expect_eq(open_image(&im), BL_OK);
    free(im.bytes);
}

Test(trailer, checks_checksums_only_when_asked)
{
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    im.bytes[3] ^= 1;
    im.bytes[ELF_LEN + 3] ^= 1;
    int fd = temp_file(im.bytes, im.len);
    struct bl_payload p;
    int e = 0;
    cr_expect_eq(bl_payload_open_fd(fd, &p, &e, 0), BL_OK, "sizes alone are fine");
    cr_expect_eq(bl_payload_open_fd(fd, &p, &e, BL_OPEN_CHECK_PAYLOAD), BL_ERR_PAYLOAD_CRC);
    cr_expect_eq(bl_payload_open_fd(fd, &p, &e, BL_OPEN_CHECK_IMAGE), BL_ERR_IMAGE_CRC);
    close(fd);
    free(im.bytes);
}

Test(trailer, rejects_an_image_that_does_not_end_where_the_payload_starts)
{
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    const struct bl_trailer good = im.t;
    const struct {
        uint64_t off, size;
    } cases[] = {
        {0, ELF_LEN - 1}, {0, ELF_LEN + 1}, {1, ELF_LEN}, {ELF_LEN + 1, 0}, {UINT64_MAX, 1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        im.t = good;
        im.t.image_offset = cases[i].off;
        im.t.image_size = cases[i].size;
        reencode(&im);
        cr_expect_eq(open_image(&im), BL_ERR_SIZE, "image at %llu, %llu bytes",
                     (unsigned long long)cases[i].off, (unsigned long long)cases[i].size);
    }
    im.t = good;
    im.t.image_offset = 100;
    im.t.image_size = ELF_LEN - 100;
    im.t.image_crc = bl_checksum(im.bytes + 100, ELF_LEN - 100);
    reencode(&im);
    cr_expect_eq(open_image(&im), BL_OK, "an image after a first stage is fine");
    free(im.bytes);
}

Test(trailer, rejects_guard_ranges_outside_the_image)
{
    struct image im = make_image(ELF_LEN, PAYLOAD_LEN);
    const struct bl_trailer good = im.t;
    const struct bl_guard bad[] = {
        {0, ELF_LEN + 1, 0}, {ELF_LEN, 1, 0}, {ELF_LEN + 1, 0, 0}, {UINT64_MAX, 2, 0},
        {1, UINT32_MAX, 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        im.t = good;
        im.t.guard_count = 2;
        im.t.guard[0] = (struct bl_guard){0, 10, 0};
        im.t.guard[1] = bad[i];
        reencode(&im);
        cr_expect_eq(open_image(&im), BL_ERR_SIZE, "guard %zu", i);
    }
    im.t = good;
    im.t.guard_count = 1;
    im.t.guard[0] = (struct bl_guard){0, ELF_LEN, 0};
    reencode(&im);
    cr_expect_eq(open_image(&im), BL_OK, "a guard of the whole image is fine");
    free(im.bytes);
}

Test(trailer, rejects_more_guard_ranges_than_the_format_has)
{
    unsigned char raw[BL_TRAILER_SIZE];
    struct bl_trailer t = sample;
    bl_trailer_encode(&t, raw);
    raw[60] = BL_GUARD_MAX + 1;
    uint32_t crc = bl_checksum(raw, 196);
    for (int i = 0; i < 4; i++)
        raw[196 + i] = (unsigned char)(crc >> (8 * i));
    cr_expect_eq(bl_trailer_decode(raw, &t), BL_ERR_VERSION);
}

Test(trailer, reports_io_errors_with_errno)
{
    struct bl_payload p;
    int e = 0;
    cr_expect_eq(bl_payload_open_fd(-1, &p, &e, 0), BL_ERR_IO);
    cr_expect_eq(e, EBADF);
}

Test(trailer, reports_a_directory_as_an_io_error_with_errno)
{
    int fd = open("/tmp", O_RDONLY | O_DIRECTORY);
    cr_assert_geq(fd, 0);
    struct bl_payload p;
    int e = 0;
    enum bl_err err = bl_payload_open_fd(fd, &p, &e, 0);
    /* A directory's st_size may be under 64 (tmpfs): then it has no trailer. */
    if (err == BL_ERR_IO)
        cr_expect_eq(e, EISDIR);
    else
        cr_expect_eq(err, BL_ERR_NO_TRAILER);
    close(fd);
}

/* ---- messages ---- */

Test(trailer, gives_a_distinct_message_for_every_error)
{
    const char *seen[BL_ERR_IMAGE + 1];
    for (int i = BL_OK; i <= BL_ERR_IMAGE; i++) {
        const char *m = bl_strerror((enum bl_err)i);
        cr_assert_not_null(m, "error %d", i);
        cr_expect_gt(strlen(m), 0, "error %d has an empty message", i);
        cr_expect_str_neq(m, "unknown error", "error %d has no message of its own", i);
        for (int j = BL_OK; j < i; j++)
            cr_expect_str_neq(m, seen[j], "errors %d and %d share a message", j, i);
        seen[i] = m;
    }
}

Test(trailer, names_an_unknown_error_as_unknown)
{
    const char *m = bl_strerror((enum bl_err)(BL_ERR_IMAGE + 1));
    cr_assert_not_null(m);
    cr_expect_gt(strlen(m), 0);
}
