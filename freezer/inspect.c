/* inspect.c — `cryo inspect APP`: what an executable holds, without
 * running it.  The trailer and payload are read through the bootloader's
 * own format code (bootloader/trailer.c), so a damaged file is refused
 * as the bootloader refuses it; the build report the freezer packed
 * (BL_ENTRY_REPORT) is found by walking the payload's tar with libarchive
 * and printed by inspect_format.py, embedded in the freezer. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../bootloader/bootloader.h"
#include "fz.h"

struct region {
    int fd;
    uint64_t base, size, pos;
    unsigned char buf[1 << 16];
};

static la_ssize_t region_read(struct archive *a, void *data, const void **out)
{
    (void)a;
    struct region *r = data;
    size_t want = sizeof r->buf;
    if (r->size - r->pos < want)
        want = (size_t)(r->size - r->pos);
    if (want == 0)
        return 0;
    ssize_t n = pread(r->fd, r->buf, want, (off_t)(r->base + r->pos));
    if (n < 0)
        return -1;
    r->pos += (uint64_t)n;
    *out = r->buf;
    return n;
}

/* Member `name`'s bytes (malloc'd, NUL-terminated), or NULL. */
static char *find_member(const struct bl_payload *p, const char *name)
{
    struct region *r = calloc(1, sizeof *r);
    struct archive *a = archive_read_new();
    char *text = NULL;
    if (!r || !a)
        goto done;
    r->fd = p->fd;
    r->base = p->trailer.payload_offset;
    r->size = p->trailer.payload_size;
    archive_read_support_format_tar(a);
    if (archive_read_open(a, r, NULL, region_read, NULL) != ARCHIVE_OK)
        goto done;
    struct archive_entry *e;
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        if (strcmp(archive_entry_pathname(e), name) != 0)
            continue;
        la_int64_t n = archive_entry_size(e);
        if (n < 0 || n > (la_int64_t)BL_ENTRY_MAX_SIZE)
            break;
        text = malloc((size_t)n + 1);
        if (text && archive_read_data(a, text, (size_t)n) != (la_ssize_t)n) {
            free(text);
            text = NULL;
        }
        if (text)
            text[n] = '\0';
        break;
    }
done:
    if (a)
        archive_read_free(a);
    free(r);
    return text;
}

/* The ELF image of `p` (p->trailer.image_size bytes, malloc'd), or NULL
 * after reporting. */
static char *read_image(const struct bl_payload *p)
{
    uint64_t len = p->trailer.image_size, off = p->trailer.image_offset;
    char *bytes = malloc(len ? (size_t)len : 1);
    if (!bytes) {
        fz_error("out of memory");
        return NULL;
    }
    uint64_t got = 0;
    while (got < len) {
        ssize_t n = pread(p->fd, bytes + got, (size_t)(len - got), (off_t)(off + got));
        if (n <= 0) {
            fz_error("cannot read the image: %s", n < 0 ? strerror(errno) : "file cut short");
            free(bytes);
            return NULL;
        }
        got += (uint64_t)n;
    }
    return bytes;
}

/* The ELF image of `p` into `out`, written beside it and renamed: never a
 * partial file. */
static int write_image(const struct bl_payload *p, const char *out)
{
    uint64_t len = p->trailer.image_size;
    char *bytes = read_image(p);
    if (!bytes)
        return -1;
    int rc = fz_write_file_atomic(out, bytes, (size_t)len, "the image");
    free(bytes);
    if (rc == 0 && chmod(out, 0755) != 0) {
        fz_error("cannot make '%s' executable: %s", out, strerror(errno));
        rc = -1;
    }
    return rc;
}

int fz_inspect(const char *path, int as_json, const char *image_out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fz_error("cannot read '%s': %s", path, strerror(errno));
        return -1;
    }
    struct bl_payload p;
    int err_no = 0;
    enum bl_err err = bl_payload_open_fd(fd, &p, &err_no, BL_OPEN_CHECK_IMAGE | BL_OPEN_CHECK_PAYLOAD);
    if (err != BL_OK) {
        if (err == BL_ERR_IO)
            fz_error("cannot read '%s': %s", path, strerror(err_no));
        else if (err == BL_ERR_NO_TRAILER)
            fz_error("'%s' is not an executable built by cryo, or it is cut short", path);
        else
            fz_error("'%s' is damaged: %s; rebuild it with cryo or download it again", path,
                     bl_strerror(err));
        close(fd);
        return -1;
    }
    if (as_json == 3) {
        int rc = write_image(&p, image_out);
        close(fd);
        return rc;
    }
    if (as_json == 2) {
        char *sbom = find_member(&p, BL_ENTRY_SBOM);
        close(fd);
        if (!sbom) {
            fz_error("'%s' carries no software bill of materials: build it with --sbom FILE",
                     path);
            return -1;
        }
        fputs(sbom, stdout);
        free(sbom);
        return fflush(stdout) == 0 ? 0 : -1;
    }
    char *report = find_member(&p, BL_ENTRY_REPORT);
    if (!report) {
        fz_error("'%s' holds no build report (built by an older cryo?); its payload can "
                 "be listed with bsdtar", path);
        close(fd);
        return -1;
    }
    int rc = -1;
    /* Where the image's bytes go (its loaded segments by kind). */
    uint64_t seg[FZ_SEG_KINDS] = {0};
    char *img = read_image(&p);
    if (!img) {
        free(report);
        close(fd);
        return -1;
    }
    int have_seg = fz_image_segments(img, p.trailer.image_size, seg) == 0;
    free(img);
    if (fz_py_start() < 0) {
        free(report);
        close(fd);
        return -1;
    }
    uint64_t image = p.trailer.payload_offset, payload = p.trailer.payload_size;
    PyObject *segs = have_seg ? Py_BuildValue("{sKsKsKsKsK}", "first_stage",
                                              (unsigned long long)p.trailer.image_offset,
                                              "text", (unsigned long long)seg[FZ_SEG_TEXT],
                                              "rodata", (unsigned long long)seg[FZ_SEG_RODATA],
                                              "data", (unsigned long long)seg[FZ_SEG_DATA],
                                              "other", (unsigned long long)seg[FZ_SEG_OTHER])
                              : Py_NewRef(Py_None);
    PyObject *out = segs ? fz_py_call_source("inspect_format.py", "show",
                                             "(ssKKKiN)", report, path,
                                             (unsigned long long)p.file_size,
                                             (unsigned long long)image,
                                             (unsigned long long)payload, as_json, segs)
                         : NULL;
    const char *text = out ? PyUnicode_AsUTF8(out) : NULL;
    if (text) {
        fputs(text, stdout);
        rc = fflush(stdout) == 0 ? 0 : -1;
    } else {
        PyErr_Print();
        fz_error("'%s': its build report cannot be read", path);
    }
    Py_XDECREF(out);
    fz_py_stop();
    free(report);
    close(fd);
    return rc;
}
