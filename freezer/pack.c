/* pack.c — write the payload: a pax tar archive (libarchive) whose members
 * are the modules' marshalled code and the data files, each one LZ4 block,
 * the chunks of module sources and the native files.  Format:
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
#include <lz4hc.h>
#include <zstd.h>

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

unsigned char *fz_compress_level(const unsigned char *data, size_t len, size_t *clen, int level)
{
    if (len > (size_t)LZ4_MAX_INPUT_SIZE) {
        fz_error("a member is too large to pack (%zu bytes)", len);
        abort();
    }
    int cap = LZ4_compressBound((int)len);
    unsigned char *out = fz_xmalloc((size_t)cap);
    int n = LZ4_compress_HC((const char *)data, (char *)out, (int)len, cap, level);
    if (n <= 0) {
        fz_error("LZ4 failed to compress a member");
        abort();
    }
    *clen = (size_t)n;
    return out;
}

unsigned char *fz_compress(const unsigned char *data, size_t len, size_t *clen)
{
    /* LZ4 HC at its highest level: built once per module (and cached),
     * decoded at every start, where only decode speed matters. */
    return fz_compress_level(data, len, clen, LZ4HC_CLEVEL_MAX);
}

/* Write the tar header of member `name` (`size` bytes follow), with fixed
 * metadata: the same inputs give a byte-identical payload.  0 or -1. */
static int member_header(struct archive *a, struct archive_entry *e, const char *name,
                         size_t size, int perm)
{
    archive_entry_clear(e);
    archive_entry_set_pathname(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, perm);
    archive_entry_set_size(e, (la_int64_t)size);
    archive_entry_set_mtime(e, 0, 0);
    archive_entry_set_uid(e, 0);
    archive_entry_set_gid(e, 0);
    return archive_write_header(a, e) == ARCHIVE_OK ? 0 : -1;
}

int fz_payload_has_lzma(const struct fz_graph *g)
{
    if (g->nchunks)
        return 1;
    for (size_t i = 0; i < g->n; i++)
        if (g->mods[i].cold)
            return 1;
    for (size_t i = 0; i < g->nexts; i++)
        if (g->exts[i].stdlib_table)
            return 1;
    return 0;
}

int fz_payload_has_zstd(const struct fz_graph *g)
{
    for (size_t i = 0; i < g->n; i++)
        if (g->mods[i].zstd)
            return 1;
    for (size_t i = 0; i < g->nexts; i++)
        if (!g->exts[i].stdlib_table)
            return 1;
    return g->nlibs > 0;
}

int fz_pack_write(struct fz_graph *g, const char *path, const struct fz_extra_member *extra,
                  size_t nextra, uint64_t *size, uint32_t *crc, uint32_t *entries)
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
    for (size_t i = 0; i < g->n + g->ndata; i++) {
        int is_mod = i < g->n;
        struct fz_module *m = is_mod ? &g->mods[i] : NULL;
        struct fz_data *d = is_mod ? NULL : &g->data[i - g->n];
        char *name = is_mod ? fz_printf("%s%s", BL_ENTRY_CODE_PREFIX, m->name)
                            : fz_printf("%s%s", BL_ENTRY_DATA_PREFIX, d->vpath);
        size_t zlen = is_mod ? m->zlen : d->zlen;
        int hr = member_header(a, e, name, zlen, 0644);
        free(name);
        if (hr < 0)
            goto fail;
        struct bl_entry *be = is_mod ? &m->entry : &d->entry;
        be->offset = s.written;
        be->csize = (uint32_t)zlen;
        be->usize = is_mod ? m->usize : d->usize;
        be->crc = is_mod ? m->crc : d->crc;
        const unsigned char *z = is_mod ? m->zdata : d->zdata;
        if (zlen && archive_write_data(a, z, zlen) != (la_ssize_t)zlen)
            goto fail;
        (*entries)++;
    }
    /* Module sources, compressed by fz_sources_prepare. */
    for (size_t i = 0; i < g->nchunks; i++) {
        struct fz_source_chunk *c = &g->chunks[i];
        char *name = fz_printf("%s%zu", BL_ENTRY_SOURCE_PREFIX, i);
        int hr = member_header(a, e, name, c->zlen, 0644);
        free(name);
        if (hr < 0)
            goto fail;
        c->entry = (struct bl_entry){.offset = s.written, .csize = (uint32_t)c->zlen,
                                     .usize = c->usize, .crc = c->crc};
        if (c->zlen && archive_write_data(a, c->zdata, c->zlen) != (la_ssize_t)c->zlen)
            goto fail;
        (*entries)++;
    }
    /* Native files, compressed by fz_natives_prepare (cold.c). */
    for (size_t k = 0; k < 2; k++) {
        struct fz_native_file *v = k ? g->libs : g->exts;
        size_t n = k ? g->nlibs : g->nexts;
        for (size_t i = 0; i < n; i++) {
            struct fz_native_file *f = &v[i];
            char *name = k ? fz_printf("%s%s", BL_ENTRY_LIB_PREFIX, f->name)
                           : fz_printf("%s%s", BL_ENTRY_NATIVE_PREFIX, f->vpath);
            int hr = member_header(a, e, name, f->zlen, 0755);
            free(name);
            if (hr < 0)
                goto fail;
            f->entry = (struct bl_entry){.offset = s.written, .csize = (uint32_t)f->zlen,
                                         .usize = f->size, .crc = f->crc};
            if (f->zlen && archive_write_data(a, f->zdata, f->zlen) != (la_ssize_t)f->zlen)
                goto fail;
            (*entries)++;
        }
    }
    for (size_t i = 0; i < nextra; i++) {
        if (member_header(a, e, extra[i].name, extra[i].len, 0644) < 0
            || archive_write_data(a, extra[i].data, extra[i].len) != (la_ssize_t)extra[i].len)
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
