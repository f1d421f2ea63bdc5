/* payload_format.h — the one definition of what cryo appends to an executable.
 *
 * Written by the freezer (freezer/pack.c), read by the bootloader
 * (bootloader/trailer.c, bootloader/payload.c).  Nothing else may know these
 * numbers.  See ../../shared/DESIGN.md, "The data flow".
 *
 * An executable built by cryo is laid out as
 *
 *     [ first stage ][ ELF image ][ payload ][ trailer ]
 *
 * first stage  BL_STAGE_SIZE bytes: a complete static ELF executable of two
 *            pages (bootloader/stage_first.c, stage_rest.c), which is what
 *            the kernel runs; the first page alone decides whether the file
 *            is whole, and catches faults of the stage's own code.  It
 *            checks the trailer and the file's size, checks the guard
 *            ranges of the image (everything the dynamic loader and the
 *            bootloader's first code touch), maps the image and the
 *            dynamic loader as the kernel would have, and jumps to the
 *            loader.  So a file cut or altered anywhere past its first page
 *            is refused with one message and status 127 before any of the
 *            rest is used: without it the kernel kills a process whose
 *            data segment lies past the end of the file with SIGSEGV
 *            (execve fails past its point of no return), and the loader
 *            faults on any missing page it reads.  A file built with
 *            CRYO_STAGE=0 (profilers and debuggers, which read the
 *            executable's own ELF headers) has no first stage:
 *            image_offset is then 0.
 * ELF image  the linked program (bootloader + runtime + gc + libpython +
 *            the generated module table), image_size bytes at
 *            image_offset.  bootloader/guard.c checksums all of it at every
 *            start, on a second thread, before the program's first line
 *            runs.
 * payload    a POSIX (pax) tar archive written with libarchive, so that
 *            `bsdtar -tvf app` style tools can list it once cut out.  Each
 *            member's data is one LZ4 block (see struct bl_entry).
 *            The tar structure is for people and tools; the program never
 *            walks it: the generated module table holds, for every member
 *            it needs, a struct bl_entry with the data's offset inside the
 *            payload, so a read is one pread + inflate, and the member's
 *            own checksum is checked at every read (CRYO_VERIFY=all also
 *            checks the whole payload at start).
 * trailer    BL_TRAILER_SIZE bytes at the very end of the file, encoded
 *            little-endian by bl_trailer_encode() and checked by
 *            bl_trailer_decode() (both in trailer_codec.h):
 *
 *     offset  size  field
 *       0      8    magic            BL_TRAILER_MAGIC
 *       8      4    version          BL_FORMAT_VERSION
 *      12      4    flags            0 (reserved; a reader refuses others)
 *      16      8    payload_offset   file offset of the payload
 *      24      8    payload_size     payload bytes; the trailer follows them
 *      32      4    payload_crc      checksum of the payload bytes (BL_SUM_*)
 *      36      4    entry_count      members in the payload
 *      40      8    image_offset     file offset of the ELF image
 *      48      8    image_size       its bytes; it ends where the payload starts
 *      56      4    image_crc        checksum of the image bytes
 *      60      4    guard_count      guard ranges used, at most BL_GUARD_MAX
 *      64    128    guards           BL_GUARD_MAX x {offset 8 (in the image),
 *                                    size 4, crc 4}; unused ones zero
 *     192      4    stage_crc        checksum of the first stage's page (0 without one)
 *     196      4    trailer_crc      checksum (BL_SUM_*) of bytes 0..195
 *
 * Invariants a reader checks before anything runs (bl_trailer_check_size):
 *   image_offset + image_size == payload_offset, and
 *   payload_offset + payload_size + BL_TRAILER_SIZE == file size
 *   (so a truncated file, or one with bytes appended, is refused);
 *   every guard lies inside the image; trailer_crc matches;
 *   payload_crc equals the one compiled into the ELF image's module table
 *   (so an ELF image and a payload from two different builds never mix).
 */
#ifndef CRYO_PAYLOAD_FORMAT_H
#define CRYO_PAYLOAD_FORMAT_H

#include <stdint.h>

#define BL_TRAILER_MAGIC "\177CRYOTRL"   /* 8 bytes, no terminator used */
#define BL_TRAILER_MAGIC_LEN 8
#define BL_TRAILER_SIZE 200
#define BL_FORMAT_VERSION 3
#define BL_GUARD_MAX 8

/* The first stage: two pages at the file's start, linked at BL_STAGE_VADDR
 * (bootloader/stage.ld says the same number; stage_first.c checks it), far above
 * any image (which is non-PIE at 0x200000) so that the heap the kernel
 * starts after it never meets the image. */
#define BL_STAGE_SIZE 8192
#define BL_STAGE_VADDR 0x40000000ull

/* Largest uncompressed member a reader accepts: a sanity bound so that a
 * damaged size field cannot ask for an absurd allocation. */
#define BL_ENTRY_MAX_SIZE (1u << 30)

/* Member names inside the payload archive.  A module's marshalled code
 * object is "code/<dotted.name>"; a data file (package data, distribution
 * metadata) is "data/<its path in the virtual tree>" (an LZ4 block, or a
 * zstd frame where the table says RT_APP_DATA_ZSTD).  The code of a module
 * that no start of the program imports (its table row has RT_MOD_COLD:
 * freezer/cold.c) is raw LZMA2 as sources are (BL_ENTRY_SOURCE_PREFIX),
 * not an LZ4 block; a third-party package's module that no start imports
 * as far as the freezer sees (RT_MOD_ZSTD) is one zstd frame at
 * BL_MODULE_ZSTD_LEVEL, as native files are. */
#define BL_ENTRY_CODE_PREFIX "code/"
#define BL_ENTRY_DATA_PREFIX "data/"
/* Native files: a third-party extension module is "native/<its path in
 * the virtual tree>", a shared library it needs "lib/<the name DT_NEEDED
 * asks for>".  Their data is one zstd frame, not an LZ4 block (struct
 * bl_entry otherwise as for every member); cryo's libpython's table modules
 * (unicodedata, the CJK codecs: RT_EXT_LZMA) are raw LZMA2 as sources are
 * (freezer/cold.c, fz_natives_prepare).  They are decoded once per cache
 * entry (or once per process tree in memory), never on the start-up path,
 * and they are most of a program that has them.  Measured on numpy's
 * closure (32 files, 23 MB, one frame each): LZ4 HC 9.0 MB; zstd 9 7.67 MB
 * in 1.6 s of one core, 15 7.54 MB in 6 s, 17 7.03 MB in 8.4 s, 19 6.73 MB
 * in 10.8 s, 22 (--ultra) no smaller; xz -9e 6.13 MB but decoded ten times
 * slower (a memory file is filled at every start of a process tree).
 * Decoding costs the same at every level (about 1 GB/s), and the freezer
 * compresses each file once, on every core, and caches it (freezer/cold.c,
 * fz_natives_prepare): the highest level that needs no --ultra. */
#define BL_NATIVE_ZSTD_LEVEL 19
/* Modules' zstd frames (RT_MOD_ZSTD): compressed once per module and
 * cached (freezer/cold.c), so the same highest level.  Measured on the 508 modules of rich, pygments, markdown_it,
 * attr, chardet and mdurl (6.29 MB marshalled), one frame each: LZ4 HC 12
 * 3.22 MB decoded in 2.2 ms, zstd 19 2.42 MB in 8.9 ms (13 ms with a new
 * decoder context per frame, as ZSTD_decompress makes), zstd 12 2.63 MB. */
#define BL_MODULE_ZSTD_LEVEL 19
/* Data files' zstd frames (RT_APP_DATA_ZSTD: only in a payload that has
 * zstd frames already; freezer/cold.c, fz_data_prepare), the same. */
#define BL_DATA_ZSTD_LEVEL 19
#define BL_ENTRY_NATIVE_PREFIX "native/"
/* Module sources, for tracebacks, linecache and inspect (runtime/DESIGN.md,
 * "Sources for tracebacks"): "src/<n>", the n-th chunk of sources laid
 * end to end (freezer/sources.c says which modules and in what order; the
 * module table gives each module's chunk, offset and size).  Its data is
 * raw LZMA2 (liblzma's raw format: no header, so the dictionary size is
 * this constant, the same for writer and reader), not an LZ4 block:
 * sources are read only when a traceback or inspect asks, and LZMA2 in
 * chunks of about 256 KiB makes them 40% smaller than zlib per module
 * (hello world's 3 MB: 444 KB against 729 KB).  The dictionary holds a
 * whole chunk (at most 512 KiB, freezer/sources.c, unless one module is larger)
 * and is what a reader allocates while decoding. */
#define BL_ENTRY_SOURCE_PREFIX "src/"
#define BL_SOURCE_DICT_SIZE (1u << 20)
#define BL_SOURCE_LZMA_PRESET 6
/* The build report (freezer/report.c's JSON, without the file's sizes),
 * the last member, stored as it is (not LZ4: csize == usize, for `cryo
 * inspect` and for bsdtar to read). */
#define BL_ENTRY_REPORT "info/report.json"
/* The software bill of materials (CycloneDX JSON, freezer/sbom.py), stored
 * as it is, after the report: only in programs built with --sbom. */
#define BL_ENTRY_SBOM "info/sbom.json"
#define BL_ENTRY_LIB_PREFIX "lib/"

/* Payload checksum: three lanes of CRC-32C over 24-byte groups; the exact
 * definition is in bootloader/checksum.c.  Streaming updates must pass
 * whole groups (a multiple of BL_SUM_GROUP bytes) until the last. */
#define BL_SUM_GROUP 24

/* A range of the image checked by the first stage before the image is
 * used: offset relative to the image's first byte. */
struct bl_guard {
    uint64_t offset;
    uint32_t size;
    uint32_t crc;
};

struct bl_trailer {
    uint32_t version;
    uint32_t flags;
    uint64_t payload_offset;
    uint64_t payload_size;
    uint32_t payload_crc;
    uint32_t entry_count;
    uint64_t image_offset;
    uint64_t image_size;
    uint32_t image_crc;
    uint32_t guard_count;
    struct bl_guard guard[BL_GUARD_MAX];
    uint32_t stage_crc;
};

/* Where one member's data lies in the payload.  `offset` is relative to the
 * payload's first byte; `csize` bytes there are one LZ4 block (the raw block
 * format, no frame) that decodes to exactly `usize` bytes whose checksum
 * (bl_checksum, BL_SUM_*) is `crc`.
 *
 * (Native files' data is a zstd frame instead: BL_ENTRY_NATIVE_PREFIX;
 * sources' raw LZMA2: BL_ENTRY_SOURCE_PREFIX.)
 *
 * Why LZ4 and not deflate: members are decoded at every start, on the path
 * of every import.  Measured on a program importing 320 modules, zlib's
 * inflate was 18% of all instructions; LZ4 decodes about ten times faster
 * with a decoder of a few KiB (touched code is resident memory), for files
 * 19% larger than deflate -9 on the same members (LZ4 HC level 12). */
struct bl_entry {
    uint64_t offset;
    uint32_t csize;
    uint32_t usize;
    uint32_t crc;
};

#endif
