/* payload_format.h — the one definition of what cryo appends to an executable.
 *
 * Written by the freezer (freezer/pack.c), read by the bootloader
 * (bootloader/trailer.c, bootloader/payload.c).  Nothing else may know these
 * numbers.  See ../../shared/DESIGN.md, "The data flow".
 *
 * An executable built by cryo is laid out as
 *
 *     [ ELF image ][ payload ][ trailer ]
 *
 * ELF image  the linked program (bootloader + runtime + gc + libpython +
 *            the generated module table).  Its size is payload_offset.
 * payload    a POSIX (pax) tar archive written with libarchive, so that
 *            `bsdtar -tvf app` style tools can list it once cut out.  Each
 *            member's data is one LZ4 block (see struct bl_entry).
 *            The tar structure is for people and tools; the program never
 *            walks it: the generated module table holds, for every member
 *            it needs, a struct bl_entry with the data's offset inside the
 *            payload, so a read is one pread + inflate.
 * trailer    BL_TRAILER_SIZE bytes at the very end of the file, encoded
 *            little-endian by bl_trailer_encode() and checked by
 *            bl_trailer_decode():
 *
 *     offset  size  field
 *       0      8    magic            BL_TRAILER_MAGIC
 *       8      4    version          BL_FORMAT_VERSION
 *      12      4    flags            0 (reserved; a reader refuses others)
 *      16      8    payload_offset   file offset of the payload = ELF size
 *      24      8    payload_size     payload bytes; the trailer follows them
 *      32      4    payload_crc      checksum of the payload bytes (BL_SUM_*)
 *      36      4    entry_count      members in the payload
 *      40     20    reserved         zero
 *      60      4    trailer_crc      CRC-32 of bytes 0..59
 *
 * Invariants a reader checks before anything runs:
 *   payload_offset + payload_size + BL_TRAILER_SIZE == file size
 *   (so a truncated file, or one with bytes appended, is refused);
 *   trailer_crc (CRC-32, zlib's) and payload_crc (checksum.c) match;
 *   payload_crc equals the one compiled into the ELF image's module table
 *   (so an ELF image and a payload from two different builds never mix).
 */
#ifndef CRYO_PAYLOAD_FORMAT_H
#define CRYO_PAYLOAD_FORMAT_H

#include <stdint.h>

#define BL_TRAILER_MAGIC "\177CRYOTRL"   /* 8 bytes, no terminator used */
#define BL_TRAILER_MAGIC_LEN 8
#define BL_TRAILER_SIZE 64
#define BL_FORMAT_VERSION 2

/* Largest uncompressed member a reader accepts: a sanity bound so that a
 * damaged size field cannot ask for an absurd allocation. */
#define BL_ENTRY_MAX_SIZE (1u << 30)

/* Member names inside the payload archive.  A module's marshalled code
 * object is "code/<dotted.name>"; a data file (package data, distribution
 * metadata) is "data/<its path in the virtual tree>". */
#define BL_ENTRY_CODE_PREFIX "code/"
#define BL_ENTRY_DATA_PREFIX "data/"
/* Native files: a third-party extension module is "native/<its path in
 * the virtual tree>", a shared library it needs "lib/<the name DT_NEEDED
 * asks for>"; compressed like every member (measured on numpy's closure:
 * 24 MB stored, about a third of that in LZ4; decoded once per cache entry,
 * in milliseconds). */
#define BL_ENTRY_NATIVE_PREFIX "native/"
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

struct bl_trailer {
    uint32_t version;
    uint32_t flags;
    uint64_t payload_offset;
    uint64_t payload_size;
    uint32_t payload_crc;
    uint32_t entry_count;
};

/* Where one member's data lies in the payload.  `offset` is relative to the
 * payload's first byte; `csize` bytes there are one LZ4 block (the raw block
 * format, no frame) that decodes to exactly `usize` bytes whose checksum
 * (bl_checksum, BL_SUM_*) is `crc`.
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
