/* pack.c — write the payload: a pax tar archive (libarchive) whose members
 * are the modules' marshalled code, each one raw-deflate stream.  Format:
 * bootloader/payload_format.h.
 *
 * libarchive writes with no blocking (bytes_per_block 0), so every byte it
 * produces reaches our write callback at once; the running byte count after
 * archive_write_header() is therefore exactly where a member's data begins,
 * which is what the module table records.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../bootloader/bootloader.h"
#include "fz.h"

struct sink {
    FILE *f;
    const char *path;
    uint64_t written;
    int err;
};

static la_ssize_t sink_write(struct archive *a, void *data, const void *buf, size_t n)
{
    (void)a;
    struct sink *s = data;
    if (fwrite(buf, 1, n, s->f) != n) {
        s->err = errno ? errno : EIO;
        return -1;
    }
    s->written += n;
    return (la_ssize_t)n;
}

unsigned char *fz_deflate(const unsigned char *data, size_t len, size_t *zlen)
{
    z_stream zs = {0};
    /* Level 9: built once per module, read at every start; the bytes saved
     * also shorten the checksum pass at start-up. */
    if (deflateInit2(&zs, 9, Z_DEFLATED, -MAX_WBITS, 9, Z_DEFAULT_STRATEGY) != Z_OK) {
        fz_error("cannot start zlib");
        abort();
    }
    size_t cap = deflateBound(&zs, (uLong)len);
    unsigned char *out = fz_xmalloc(cap);
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    if (deflate(&zs, Z_FINISH) != Z_STREAM_END) {
        fz_error("zlib failed to compress a module");
        abort();
    }
    *zlen = zs.total_out;
    deflateEnd(&zs);
    return out;
}

int fz_pack_write(struct fz_graph *g, const char *path, uint64_t *size, uint32_t *crc,
                  uint32_t *entries)
{
    struct sink s = {.path = path};
    struct archive *a = NULL;
    struct archive_entry *e = NULL;
    int rc = -1;

    s.f = fopen(path, "w+b");
    if (!s.f) {
        fz_error("cannot write '%s': %s", path, strerror(errno));
        return -1;
    }
    /* Module names are UTF-8 and may be non-ASCII (PEP 3131).  libarchive
     * converts pathnames from the locale's charset, which in cryo is "C"
     * (ASCII), and refuses anything else: write under a UTF-8 LC_CTYPE,
     * for this thread only. */
    locale_t utf8 = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
    locale_t saved = utf8 ? uselocale(utf8) : (locale_t)0;
    a = archive_write_new();
    e = archive_entry_new();
    if (!a || !e
        || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK
        || archive_write_add_filter_none(a) != ARCHIVE_OK
        || archive_write_set_bytes_per_block(a, 0) != ARCHIVE_OK
        || archive_write_open(a, &s, NULL, sink_write, NULL) != ARCHIVE_OK)
        goto fail;

    *entries = 0;
    for (size_t i = 0; i < g->n; i++) {
        struct fz_module *m = &g->mods[i];
        char *name = fz_printf("%s%s", BL_ENTRY_CODE_PREFIX, m->name);
        archive_entry_clear(e);
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, (la_int64_t)m->zlen);
        /* Fixed metadata: the same inputs give a byte-identical payload. */
        archive_entry_set_mtime(e, 0, 0);
        archive_entry_set_uid(e, 0);
        archive_entry_set_gid(e, 0);
        free(name);
        if (archive_write_header(a, e) != ARCHIVE_OK)
            goto fail;
        m->entry.offset = s.written;
        m->entry.csize = (uint32_t)m->zlen;
        m->entry.usize = m->usize;
        m->entry.crc = m->crc;
        if (m->zlen && archive_write_data(a, m->zdata, m->zlen) != (la_ssize_t)m->zlen)
            goto fail;
        (*entries)++;
    }
    if (archive_write_close(a) != ARCHIVE_OK)
        goto fail;
    if (fflush(s.f) != 0 || ferror(s.f)) {
        s.err = errno;
        goto fail;
    }
    *size = s.written;
    /* The checksum is the bootloader's own function over what was written. */
    enum bl_err err = bl_checksum_range(fileno(s.f), 0, s.written, crc);
    if (err != BL_OK) {
        fz_error("cannot read back '%s': %s", path, bl_strerror(err));
        goto done;
    }
    rc = 0;
    goto done;

fail:
    if (s.err)
        fz_error("cannot write '%s': %s", path, strerror(s.err));
    else
        fz_error("cannot write the payload archive '%s': %s", path,
                 a ? archive_error_string(a) : "out of memory");
done:
    if (e)
        archive_entry_free(e);
    if (a)
        archive_write_free(a);
    if (fclose(s.f) != 0 && rc == 0) {
        fz_error("cannot write '%s': %s", path, strerror(errno));
        rc = -1;
    }
    if (utf8) {
        uselocale(saved);
        freelocale(utf8);
    }
    return rc;
}
