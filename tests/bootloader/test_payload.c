/* test_payload.c — bootloader/payload.c: reading one member out of a
 * verified payload.
 *
 * Members are written the way the freezer writes them (fz_compress, and for
 * the round trip fz_pack_write, from freezer/pack.c), into files laid out
 * as a cryo executable is, and opened with bl_payload_open_fd, so that
 * what is tested is exactly what a frozen program reads at start-up. */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "bootloader.h"
#include "fz.h"

/* ---- helpers ---- */

static void fill_text(unsigned char *p, size_t n, uint32_t seed)
{
    /* Compressible but not trivial: words from a small vocabulary. */
    static const char *const words[] = {"import ", "def ", "return ", "self", ".", "(", ")",
                                        ":\n", "    ", "x", "y", "module", "cryo", " = "};
    uint32_t x = seed ? seed : 1;
    size_t i = 0;
    while (i < n) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        const char *w = words[x % (sizeof words / sizeof words[0])];
        for (size_t k = 0; w[k] && i < n; k++)
            p[i++] = (unsigned char)w[k];
    }
}

static void fill_noise(unsigned char *p, size_t n, uint32_t seed)
{
    uint32_t x = seed ? seed : 1;
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        p[i] = (unsigned char)(x >> 3);
    }
}

struct member {
    unsigned char *data; /* uncompressed */
    size_t len;
    unsigned char *z;    /* fz_compress of data */
    size_t zlen;
    struct bl_entry e;   /* where it is in the payload */
};

struct buf {
    unsigned char *p;
    size_t n, cap;
};

static void buf_add(struct buf *b, const void *p, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2 + 64;
        b->p = realloc(b->p, b->cap);
        cr_assert_not_null(b->p);
    }
    if (n)
        memcpy(b->p + b->n, p, n);
    b->n += n;
}

static int temp_fd(const char *tag)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/cryo-test-%s-XXXXXX", tag);
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0, "mkstemp: %s", strerror(errno));
    unlink(path);
    return fd;
}

static void write_all(int fd, const void *p, size_t n)
{
    const unsigned char *c = p;
    while (n > 0) {
        ssize_t w = write(fd, c, n);
        cr_assert_gt(w, 0, "write: %s", strerror(errno));
        c += w;
        n -= (size_t)w;
    }
}

#define ELF_LEN 777

/* Write [ELF-ish bytes][payload][trailer] to a temporary file and open it
 * as the bootloader does; the test fails unless it verifies. */
static void open_as_executable(const unsigned char *payload, size_t len, uint32_t entries,
                               struct bl_payload *p)
{
    unsigned char elf[ELF_LEN];
    fill_noise(elf, sizeof elf, 17);
    memcpy(elf, "\177ELF", 4);
    struct bl_trailer t = {
        .version = BL_FORMAT_VERSION,
        .payload_offset = ELF_LEN,
        .payload_size = len,
        .payload_crc = bl_checksum(payload, len),
        .entry_count = entries,
        .image_size = ELF_LEN,
        .image_crc = bl_checksum(elf, ELF_LEN),
    };
    unsigned char raw[BL_TRAILER_SIZE];
    bl_trailer_encode(&t, raw);
    int fd = temp_fd("payload");
    write_all(fd, elf, sizeof elf);
    write_all(fd, payload, len);
    write_all(fd, raw, sizeof raw);
    int e = 0;
    cr_assert_eq(bl_payload_open_fd(fd, p, &e, BL_OPEN_CHECK_IMAGE | BL_OPEN_CHECK_PAYLOAD), BL_OK, "the test file does not verify");
}

/* A payload of members (a few bytes of padding between them, as tar
 * headers would be), opened as an executable. */
struct fixture {
    struct member m[4];
    size_t n;
    struct bl_payload p;
};

static void make_fixture(struct fixture *f)
{
    static const size_t lens[] = {5000, 0, 1, 70000};
    struct buf b = {0};
    f->n = sizeof lens / sizeof lens[0];
    for (size_t i = 0; i < f->n; i++) {
        struct member *m = &f->m[i];
        m->len = lens[i];
        m->data = malloc(m->len ? m->len : 1);
        if (i == 3)
            fill_noise(m->data, m->len, (uint32_t)i + 1); /* incompressible */
        else
            fill_text(m->data, m->len, (uint32_t)i + 1);
        m->z = fz_compress(m->data, m->len, &m->zlen);
        buf_add(&b, "padding!", 3 + i);
        m->e.offset = b.n;
        m->e.csize = (uint32_t)m->zlen;
        m->e.usize = (uint32_t)m->len;
        m->e.crc = bl_checksum(m->data, m->len);
        buf_add(&b, m->z, m->zlen);
    }
    buf_add(&b, "end", 3);
    open_as_executable(b.p, b.n, (uint32_t)f->n, &f->p);
    free(b.p);
}

static void free_fixture(struct fixture *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->m[i].data);
        free(f->m[i].z);
    }
    close(f->p.fd);
}

/* Read entry `e` with `reader` into a fresh buffer one byte larger than
 * e->usize with a guard byte, and check the guard survives. */
static enum bl_err read_with(enum bl_err (*reader)(const struct bl_payload *,
                                                   const struct bl_entry *, unsigned char *),
                             const struct bl_payload *p, const struct bl_entry *e,
                             unsigned char **out)
{
    size_t room = (e->usize <= BL_ENTRY_MAX_SIZE ? e->usize : 0) + 1;
    unsigned char *o = malloc(room);
    cr_assert_not_null(o);
    o[room - 1] = 0xa5;
    enum bl_err err = reader(p, e, o);
    cr_expect_eq(o[room - 1], 0xa5, "the reader wrote past usize bytes");
    if (out)
        *out = o;
    else
        free(o);
    return err;
}

static enum bl_err read_entry(const struct bl_payload *p, const struct bl_entry *e,
                              unsigned char **out)
{
    return read_with(bl_payload_read, p, e, out);
}

static enum bl_err read_native(const struct bl_payload *p, const struct bl_entry *e,
                               unsigned char **out)
{
    return read_with(bl_payload_read_native, p, e, out);
}

/* ---- reading members ---- */

Test(payload, inflates_members_written_by_the_freezer)
{
    struct fixture f;
    make_fixture(&f);
    for (size_t i = 0; i < f.n; i++) {
        unsigned char *out;
        cr_assert_eq(read_entry(&f.p, &f.m[i].e, &out), BL_OK, "member %zu", i);
        cr_expect_eq(memcmp(out, f.m[i].data, f.m[i].len), 0, "member %zu differs", i);
        free(out);
    }
    free_fixture(&f);
}

Test(payload, compresses_text_members)
{
    /* Sanity of the fixture: fz_compress really compresses. */
    struct fixture f;
    make_fixture(&f);
    cr_expect_lt(f.m[0].zlen, f.m[0].len / 2);
    free_fixture(&f);
}

Test(payload, rejects_a_member_starting_past_the_payload)
{
    struct fixture f;
    make_fixture(&f);
    const uint64_t size = f.p.trailer.payload_size;
    const uint64_t offsets[] = {size + 1, size + 1000, UINT64_MAX, UINT64_MAX - 5,
                                (uint64_t)1 << 63};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        struct bl_entry e = f.m[0].e;
        e.offset = offsets[i];
        cr_expect_eq(read_entry(&f.p, &e, NULL), BL_ERR_ENTRY, "offset %llu",
                     (unsigned long long)offsets[i]);
    }
    free_fixture(&f);
}

Test(payload, rejects_a_member_running_past_the_end_of_the_payload)
{
    struct fixture f;
    make_fixture(&f);
    const uint64_t size = f.p.trailer.payload_size;
    struct bl_entry e = f.m[3].e;
    /* Its bytes would run into the trailer. */
    e.csize = (uint32_t)(size - e.offset + 1);
    cr_expect_eq(read_entry(&f.p, &e, NULL), BL_ERR_ENTRY);
    /* Starting at the very end with any data at all. */
    e.offset = size;
    e.csize = 1;
    cr_expect_eq(read_entry(&f.p, &e, NULL), BL_ERR_ENTRY);
    e.csize = UINT32_MAX;
    e.offset = 1;
    cr_expect_eq(read_entry(&f.p, &e, NULL), BL_ERR_ENTRY);
    free_fixture(&f);
}

Test(payload, rejects_an_absurd_uncompressed_size)
{
    struct fixture f;
    make_fixture(&f);
    struct bl_entry e = f.m[0].e;
    e.usize = BL_ENTRY_MAX_SIZE + 1u;
    unsigned char out[1];
    cr_expect_eq(bl_payload_read(&f.p, &e, out), BL_ERR_ENTRY);
    free_fixture(&f);
}

Test(payload, rejects_a_corrupted_lz4_block)
{
    /* 0xff bytes: literal and match lengths running past the block's end. */
    unsigned char payload[64];
    memset(payload, 0xff, sizeof payload);
    struct bl_payload p;
    open_as_executable(payload, sizeof payload, 1, &p);
    struct bl_entry e = {.offset = 8, .csize = 32, .usize = 100, .crc = 0};
    cr_expect_eq(read_entry(&p, &e, NULL), BL_ERR_ENTRY);
    close(p.fd);
}

/* Read `len` bytes compressed as `z` (zlen bytes) back through the
 * payload reader. */
static enum bl_err read_block(const unsigned char *z, size_t zlen, size_t len,
                              const unsigned char *want)
{
    struct bl_payload p;
    open_as_executable(z, zlen, 1, &p);
    struct bl_entry e = {.offset = 0, .csize = (uint32_t)zlen, .usize = (uint32_t)len,
                         .crc = want ? bl_checksum(want, len) : 0};
    unsigned char *out = NULL;
    enum bl_err err = read_entry(&p, &e, &out);
    if (err == BL_OK && want)
        cr_expect_eq(memcmp(out, want, len), 0, "decoded bytes differ");
    free(out);
    close(p.fd);
    return err;
}

Test(payload, decodes_every_shape_of_lz4_sequence)
{
    /* Runs repeating the last 1 to 16 bytes (overlapping matches), literal
     * and match lengths past 15 and past 270 (several length bytes), and
     * text, each compressed by liblz4's HC compressor (the freezer's) at
     * its fastest and highest levels. */
    size_t len = 300000;
    unsigned char *d = malloc(len);
    cr_assert_not_null(d);
    size_t n = 0;
    for (unsigned period = 1; period <= 16; period++) {
        fill_noise(d + n, period, period);
        for (size_t k = period; k < 997 * period && n + k < len / 2; k++)
            d[n + k] = d[n + k - period];
        n += 997 * period < len / 2 - n ? 997 * period : len / 2 - n;
    }
    fill_noise(d + n, 700, 99); /* a literal run of 700 */
    n += 700;
    fill_text(d + n, len - n, 7);
    for (int level = 1; level <= 12; level += 11) {
        size_t zlen;
        unsigned char *z = fz_compress_level(d, len, &zlen, level);
        cr_expect_eq(read_block(z, zlen, len, d), BL_OK, "level %d", level);
        free(z);
    }
    free(d);
}

Test(payload, refuses_lz4_matches_before_the_start_or_past_the_end)
{
    /* A literal 'a', then a match at offset 0; at offset 2 (before the
     * start); then a correct one (offset 1, 4 bytes) decoded to the wrong
     * size: each refused, and the correct block read. */
    const unsigned char zero[] = {0x10, 'a', 0x00, 0x00, 0x00};
    const unsigned char before[] = {0x10, 'a', 0x02, 0x00, 0x00};
    const unsigned char good[] = {0x10, 'a', 0x01, 0x00, 0x00};
    const unsigned char want[] = "aaaaa";
    cr_expect_eq(read_block(zero, sizeof zero, 5, NULL), BL_ERR_ENTRY);
    cr_expect_eq(read_block(before, sizeof before, 5, NULL), BL_ERR_ENTRY);
    cr_expect_eq(read_block(good, sizeof good, 5, want), BL_OK);
    cr_expect_eq(read_block(good, sizeof good, 4, NULL), BL_ERR_ENTRY, "output too small");
    cr_expect_eq(read_block(good, sizeof good, 6, NULL), BL_ERR_ENTRY, "output too large");
    cr_expect_eq(read_block(good, 3, 5, NULL), BL_ERR_ENTRY, "offset cut short");
}

Test(payload, rejects_a_member_read_at_the_wrong_offset)
{
    struct fixture f;
    make_fixture(&f);
    struct bl_entry e = f.m[0].e;
    e.offset += 1;
    enum bl_err err = read_entry(&f.p, &e, NULL);
    cr_expect(err == BL_ERR_ENTRY || err == BL_ERR_ENTRY_CRC, "got %d", (int)err);
    free_fixture(&f);
}

Test(payload, rejects_a_truncated_lz4_block)
{
    struct fixture f;
    make_fixture(&f);
    struct bl_entry e = f.m[0].e;
    e.csize -= 1;
    cr_expect_eq(read_entry(&f.p, &e, NULL), BL_ERR_ENTRY);
    e.csize = 0;
    cr_expect_eq(read_entry(&f.p, &e, NULL), BL_ERR_ENTRY);
    free_fixture(&f);
}

Test(payload, rejects_a_wrong_uncompressed_size)
{
    struct fixture f;
    make_fixture(&f);
    const int32_t deltas[] = {-1, +1, -100, +4096};
    for (size_t k = 0; k < 2; k++) {
        const struct member *m = &f.m[k == 0 ? 0 : 3];
        for (size_t i = 0; i < sizeof deltas / sizeof deltas[0]; i++) {
            struct bl_entry e = m->e;
            e.usize = (uint32_t)((int64_t)e.usize + deltas[i]);
            cr_expect_eq(read_entry(&f.p, &e, NULL), BL_ERR_ENTRY, "usize %+d",
                         (int)deltas[i]);
        }
    }
    /* The empty member said to hold one byte. */
    struct bl_entry e = f.m[1].e;
    e.usize = 1;
    cr_expect_eq(read_entry(&f.p, &e, NULL), BL_ERR_ENTRY);
    free_fixture(&f);
}

Test(payload, rejects_a_member_whose_crc_does_not_match)
{
    struct fixture f;
    make_fixture(&f);
    for (size_t i = 0; i < f.n; i++) {
        struct bl_entry e = f.m[i].e;
        e.crc ^= 0x00010000u;
        cr_expect_eq(read_entry(&f.p, &e, NULL), BL_ERR_ENTRY_CRC, "member %zu", i);
    }
    free_fixture(&f);
}

Test(payload, checks_the_crc_of_the_uncompressed_bytes)
{
    /* The checksum is of the decoded bytes, not of the stored ones. */
    struct fixture f;
    make_fixture(&f);
    struct bl_entry e = f.m[0].e;
    e.crc = bl_checksum(f.m[0].z, f.m[0].zlen);
    cr_expect_eq(read_entry(&f.p, &e, NULL), BL_ERR_ENTRY_CRC);
    free_fixture(&f);
}

/* ---- the freezer's payload archive, end to end ---- */

struct packed {
    struct fz_graph g;
    unsigned char *payload;
    size_t len;
    uint64_t size;
    uint32_t crc, entries;
};

static const char *const pack_names[] = {
    "__main__",
    "encodings",
    "encodings.utf_8",
    "pkg",
    "pkg.sub.mod",
    /* Longer than ustar's 100-byte name field: a pax header is added
     * before the member's own header. */
    "pkg.a_module_with_a_name_so_long_that_ustar_cannot_hold_it.and_then_some_more_of_it_"
    "to_be_sure",
    "zz_empty",
};

static unsigned char *read_whole(int fd, size_t *len)
{
    struct stat st;
    cr_assert_eq(fstat(fd, &st), 0);
    unsigned char *p = malloc((size_t)st.st_size + 1);
    cr_assert_not_null(p);
    cr_assert_eq(pread(fd, p, (size_t)st.st_size, 0), st.st_size);
    *len = (size_t)st.st_size;
    return p;
}

static void pack(struct packed *pk, const char *const *names, size_t n)
{
    memset(pk, 0, sizeof *pk);
    pk->g.n = pk->g.cap = n;
    pk->g.mods = calloc(n, sizeof *pk->g.mods);
    for (size_t i = 0; i < n; i++) {
        struct fz_module *m = &pk->g.mods[i];
        m->name = fz_xstrdup(names[i]);
        size_t len = strcmp(names[i], "zz_empty") == 0 ? 0 : 300 + 1000 * i;
        unsigned char *raw = malloc(len + 1);
        fill_text(raw, len, (uint32_t)(i + 10));
        m->usize = (uint32_t)len;
        m->crc = bl_checksum(raw, len);
        m->zdata = fz_compress(raw, len, &m->zlen);
        free(raw);
    }
    char path[] = "/tmp/cryo-test-pack-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    unlink(path); /* fz_pack_write creates it anew */
    int r = fz_pack_write(&pk->g, path, NULL, 0, &pk->size, &pk->crc, &pk->entries);
    close(fd);
    fd = open(path, O_RDONLY);
    unlink(path);
    cr_assert_eq(r, 0, "fz_pack_write failed");
    cr_assert_geq(fd, 0);
    pk->payload = read_whole(fd, &pk->len);
    close(fd);
}

static void free_packed(struct packed *pk)
{
    for (size_t i = 0; i < pk->g.n; i++) {
        free(pk->g.mods[i].name);
        free(pk->g.mods[i].zdata);
    }
    free(pk->g.mods);
    free(pk->payload);
}

#define NPACK (sizeof pack_names / sizeof pack_names[0])

Test(payload, pack_reports_the_size_checksum_and_count_of_what_it_wrote)
{
    struct packed pk;
    pack(&pk, pack_names, NPACK);
    cr_expect_eq(pk.size, (uint64_t)pk.len, "size is the file's size");
    cr_expect_eq(pk.crc, bl_checksum(pk.payload, pk.len), "crc is the payload checksum");
    cr_expect_eq(pk.entries, NPACK);
    free_packed(&pk);
}

Test(payload, pack_records_where_each_member_s_data_begins)
{
    struct packed pk;
    pack(&pk, pack_names, NPACK);
    for (size_t i = 0; i < pk.g.n; i++) {
        const struct fz_module *m = &pk.g.mods[i];
        cr_expect_eq(m->entry.csize, m->zlen, "%s", m->name);
        cr_expect_eq(m->entry.usize, m->usize, "%s", m->name);
        cr_expect_eq(m->entry.crc, m->crc, "%s", m->name);
        cr_assert_leq(m->entry.offset + m->entry.csize, pk.len, "%s lies outside", m->name);
        cr_expect_eq(memcmp(pk.payload + m->entry.offset, m->zdata, m->zlen), 0,
                     "%s: the recorded offset does not point at its data", m->name);
        /* tar puts data on 512-byte block boundaries */
        cr_expect_eq(m->entry.offset % 512, 0, "%s: offset %llu", m->name,
                     (unsigned long long)m->entry.offset);
    }
    free_packed(&pk);
}

Test(payload, pack_writes_a_tar_that_libarchive_lists_as_code_members)
{
    struct packed pk;
    pack(&pk, pack_names, NPACK);
    struct archive *a = archive_read_new();
    archive_read_support_format_tar(a);
    cr_assert_eq(archive_read_open_memory(a, pk.payload, pk.len), ARCHIVE_OK, "%s",
                 archive_error_string(a));
    struct archive_entry *e;
    size_t i = 0;
    int r;
    while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
        cr_assert_lt(i, NPACK, "more members than modules");
        const struct fz_module *m = &pk.g.mods[i];
        char want[512];
        snprintf(want, sizeof want, "code/%s", m->name);
        cr_expect_str_eq(archive_entry_pathname(e), want);
        cr_expect_eq(archive_entry_filetype(e), AE_IFREG);
        cr_expect_eq(archive_entry_size(e), (la_int64_t)m->zlen, "%s", m->name);
        unsigned char *data = malloc(m->zlen + 1);
        cr_expect_eq(archive_read_data(a, data, m->zlen + 1), (la_ssize_t)m->zlen, "%s",
                     m->name);
        cr_expect_eq(memcmp(data, m->zdata, m->zlen), 0, "%s: member data differs", m->name);
        free(data);
        i++;
    }
    cr_expect_eq(r, ARCHIVE_EOF, "%s", archive_error_string(a));
    cr_expect_eq(i, NPACK, "every module is a member");
    archive_read_free(a);
    free_packed(&pk);
}

Test(payload, pack_writes_the_same_bytes_for_the_same_graph)
{
    struct packed a, b;
    pack(&a, pack_names, NPACK);
    pack(&b, pack_names, NPACK);
    cr_assert_eq(a.len, b.len);
    cr_expect_eq(memcmp(a.payload, b.payload, a.len), 0, "the payload is not reproducible");
    free_packed(&a);
    free_packed(&b);
}

Test(payload, reads_back_every_member_the_freezer_packed)
{
    struct packed pk;
    pack(&pk, pack_names, NPACK);
    struct bl_payload p;
    open_as_executable(pk.payload, pk.len, pk.entries, &p);
    cr_expect_eq(p.trailer.payload_crc, pk.crc);
    for (size_t i = 0; i < pk.g.n; i++) {
        const struct fz_module *m = &pk.g.mods[i];
        unsigned char *out;
        cr_assert_eq(read_entry(&p, &m->entry, &out), BL_OK, "%s", m->name);
        /* Regenerate what was compressed and compare. */
        unsigned char *want = malloc(m->usize + 1);
        fill_text(want, m->usize, (uint32_t)(i + 10));
        cr_expect_eq(memcmp(out, want, m->usize), 0, "%s reads back different bytes", m->name);
        free(want);
        free(out);
    }
    close(p.fd);
    free_packed(&pk);
}

Test(payload, pack_accepts_non_ascii_module_names)
{
    /* Python identifiers may be non-ASCII (PEP 3131): `import café`. */
    static const char *const names[] = {"__main__", "caf\xc3\xa9", "\xce\xb1\xce\xb2"};
    struct packed pk;
    pack(&pk, names, 3);
    cr_expect_eq(pk.entries, 3);
    for (size_t i = 0; i < pk.g.n; i++) {
        const struct fz_module *m = &pk.g.mods[i];
        cr_expect_eq(memcmp(pk.payload + m->entry.offset, m->zdata, m->zlen), 0, "%s",
                     m->name);
    }
    free_packed(&pk);
}

Test(payload, pack_refuses_an_unwritable_path)
{
    struct fz_graph g = {0};
    uint64_t size;
    uint32_t crc, entries;
    cr_expect_eq(fz_pack_write(&g, "/nonexistent-dir-for-cryo-tests/payload.tar", NULL, 0, &size, &crc,
                               &entries),
                 -1);
}

/* ---- native files' members: zstd frames (payload_format.h) ---- */

/* A native member compressed as the freezer compresses a native file that
 * is not a table module (fz_natives_prepare: one zstd frame at
 * BL_NATIVE_ZSTD_LEVEL), alone in a payload opened as an executable; *e
 * says where it is. */
static void native_fixture(struct bl_payload *p, struct fz_native_file *nf, size_t len,
                           unsigned char **data, struct bl_entry *e)
{
    *data = malloc(len);
    cr_assert_not_null(*data);
    fill_text(*data, len, 7);
    memset(nf, 0, sizeof *nf);
    nf->disk_path = "libtest.so";
    size_t cap = ZSTD_compressBound(len);
    nf->zdata = malloc(cap);
    cr_assert_not_null(nf->zdata);
    nf->zlen = ZSTD_compress(nf->zdata, cap, *data, len, BL_NATIVE_ZSTD_LEVEL);
    cr_assert_not(ZSTD_isError(nf->zlen));
    nf->size = (uint32_t)len;
    nf->crc = bl_checksum(*data, len);
    cr_expect_lt(nf->zlen, len, "zstd did not compress text");
    struct buf b = {0};
    buf_add(&b, "pad", 3);
    buf_add(&b, nf->zdata, nf->zlen);
    open_as_executable(b.p, b.n, 1, p);
    free(b.p);
    *e = (struct bl_entry){.offset = 3, .csize = (uint32_t)nf->zlen, .usize = nf->size,
                           .crc = nf->crc};
}

Test(payload, reads_a_native_files_zstd_frame)
{
    struct bl_payload p;
    struct fz_native_file nf;
    unsigned char *data;
    struct bl_entry e;
    native_fixture(&p, &nf, 200000, &data, &e);
    unsigned char *out = NULL;
    cr_assert_eq(read_native(&p, &e, &out), BL_OK);
    cr_expect_eq(memcmp(out, data, 200000), 0);
    free(out);
    /* Read as an LZ4 block, it is not one. */
    cr_expect_neq(read_entry(&p, &e, NULL), BL_OK);
    free(data);
    free(nf.zdata);
    close(p.fd);
}

Test(payload, refuses_a_damaged_or_mis_sized_zstd_frame)
{
    struct bl_payload p;
    struct fz_native_file nf;
    unsigned char *data;
    struct bl_entry e;
    native_fixture(&p, &nf, 50000, &data, &e);
    struct bl_entry x = e;
    x.usize = e.usize - 1; /* the frame says otherwise */
    cr_expect_eq(read_native(&p, &x, NULL), BL_ERR_ENTRY);
    x = e;
    x.csize = e.csize - 5; /* cut */
    cr_expect_eq(read_native(&p, &x, NULL), BL_ERR_ENTRY);
    x = e;
    x.crc ^= 1; /* decodes, but not to what the table says */
    cr_expect_eq(read_native(&p, &x, NULL), BL_ERR_ENTRY_CRC);
    x = e;
    x.offset = 4; /* not the frame's first byte */
    cr_expect_eq(read_native(&p, &x, NULL), BL_ERR_ENTRY);
    free(data);
    free(nf.zdata);
    close(p.fd);
}
