/* build.c — `cryo build`: graph → payload → module table → compile → link
 * → append payload and trailer → put the output in place.
 *
 * Nothing half-written is ever left at the output path: the executable is
 * assembled in a temporary file beside it and renamed over it only when
 * complete.  Temporary files are removed on every path out, including
 * SIGINT/SIGTERM/SIGHUP during the build.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../bootloader/bootloader.h"
#include "../runtime/module_table.h"
#include "fz.h"

/* Paths to remove if the build is interrupted; written before use so the
 * signal handler only reads complete strings.  Everything the build and
 * the compiler it runs write (their TMPDIR is tmp_dir) is inside tmp_dir,
 * except the output being assembled, tmp_out. */
static char tmp_out[PATH_MAX], tmp_dir[PATH_MAX];

/* Remove tmp_out, and tmp_dir with the files in it: runs from a signal
 * handler too (fz_remove_flat_dir uses system calls only). */
static void remove_temporaries(void)
{
    if (tmp_out[0])
        unlink(tmp_out);
    if (tmp_dir[0])
        fz_remove_flat_dir(tmp_dir);
}

static void on_signal(int sig)
{
    fz_cc_stop_child();
    remove_temporaries();
    signal(sig, SIG_DFL);
    raise(sig);
}

static char *tmp_path(const char *name)
{
    return fz_printf("%s/%s", tmp_dir, name);
}

/* Copy `from` to the end of fd; errors name `out`. */
static int append_file(int fd, const char *from, const char *out)
{
    int in = open(from, O_RDONLY | O_CLOEXEC);
    if (in < 0) {
        fz_error("cannot read '%s': %s", from, strerror(errno));
        return -1;
    }
    char buf[1 << 16];
    ssize_t n;
    int rc = 0;
    while ((n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            fz_error("cannot read '%s': %s", from, strerror(errno));
            rc = -1;
            break;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(fd, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0) {
                fz_error("cannot write '%s': %s", out, strerror(errno));
                close(in);
                return -1;
            }
            off += w;
        }
    }
    close(in);
    return rc;
}

static int write_all(int fd, const void *buf, size_t n, const char *out)
{
    const unsigned char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0) {
            fz_error("cannot write '%s': %s", out, strerror(errno));
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The directory of `path` must exist and be writable: checked before any
 * work, so a typo costs nothing. */
static int check_output(const char *out, const char *script)
{
    char *dir = fz_xstrdup(out);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    int rc = 0;
    if (!fz_is_dir(dir)) {
        fz_error("cannot write '%s': directory '%s' does not exist", out, dir);
        rc = -1;
    } else if (access(dir, W_OK) != 0) {
        fz_error("cannot write '%s': directory '%s' is not writable (%s)", out, dir,
                 strerror(errno));
        rc = -1;
    } else if (fz_is_dir(out)) {
        fz_error("cannot write '%s': it is a directory; name the output file with -o", out);
        rc = -1;
    } else {
        char a[PATH_MAX], b[PATH_MAX];
        if (realpath(out, a) && realpath(script, b) && strcmp(a, b) == 0) {
            fz_error("the output '%s' would overwrite the script; name another with -o", out);
            rc = -1;
        }
    }
    free(dir);
    return rc;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int fz_build(const struct fz_build_options *opt)
{
    struct fz_graph g = {0};
    struct fz_strv dfz_objs = {0}; /* deep-frozen modules (emit_py311.c) */
    struct fz_toolchain tc;
    int rc = -1, fd = -1, lock = -1, py = 0, have_tc = 0;
    char *payload = NULL, *table_c = NULL, *table_o = NULL, *sbom = NULL;
    double t0 = now();

    if (check_output(opt->output, opt->graph.script) < 0)
        return -1;
    if (fz_toolchain_find(&tc) < 0)
        return -1;
    have_tc = 1;

    const char *tmp = getenv("TMPDIR");
    const char *tmp_base = tmp && *tmp ? tmp : "/tmp";
    /* What builds killed by SIGKILL left (no handler runs then): each
     * temporary names the process that made it, and goes once that process
     * is gone. */
    fz_sweep_stale(tmp_base, FZ_TMP_DIR_MARK);
    snprintf(tmp_dir, sizeof tmp_dir, "%s/" FZ_TMP_DIR_MARK "%ld-XXXXXX", tmp_base,
             (long)getpid());
    struct sigaction sa = {.sa_handler = on_signal};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    if (!mkdtemp(tmp_dir)) {
        fz_error("cannot create a temporary directory in '%s': %s (set TMPDIR)",
                 tmp && *tmp ? tmp : "/tmp", strerror(errno));
        tmp_dir[0] = '\0';
        goto done;
    }
    /* Held till this process and every compiler it runs are gone (the
     * descriptor is inherited on purpose): fz_sweep_stale waits for it. */
    char *lock_path = tmp_path(FZ_TMP_LOCK);
    lock = open(lock_path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    free(lock_path);
    if (lock < 0 || flock(lock, LOCK_EX) != 0) {
        fz_error("cannot create a lock in '%s': %s (set TMPDIR)", tmp_dir, strerror(errno));
        goto done;
    }
    /* The compiler's own temporary files go there too, so that nothing
     * of an interrupted build is left anywhere. */
    if (setenv("TMPDIR", tmp_dir, 1) != 0) {
        fz_error("cannot set TMPDIR for the compiler: %s", strerror(errno));
        goto done;
    }
    payload = tmp_path("payload.tar");
    table_c = tmp_path("modules.c");
    table_o = tmp_path("modules.o");

    if (fz_py_start() < 0)
        goto done;
    py = 1;
    struct fz_graph_options gopt = opt->graph;
    gopt.natives = tc.libpython ? NULL : &tc.natives;
    gopt.keep_sources = !opt->no_sources;
    gopt.site_dirs = (struct fz_strv){0};
    fz_site_dirs(&gopt.site_dirs);
    int graph_rc = fz_graph_build(&gopt, &g);
    fz_strv_free(&gopt.site_dirs);
    if (graph_rc < 0)
        goto done;
    fz_note("found and compiled %zu modules in %.2f s", g.n, now() - t0);

    static const char *const native_names[] = RT_NATIVE_MODE_NAMES;
    struct fz_report_options ro = {
        .output = opt->output, .version = opt->app_version, .own_libpython = tc.libpython == NULL,
        .allocator = opt->gc.allocator < 0 ? "default" : opt->gc.allocator == GC_ALLOCATOR_PYTHON
                                                             ? "python" : "cryo",
        .gc = opt->gc.policy < 0 ? "default" : opt->gc.policy == GC_POLICY_PYTHON ? "python"
                                                                                  : "cryo",
        .native = native_names[opt->native_mode],
        .allow_python_env = opt->allow_python_env,
        .optimize = opt->graph.optimize,
    };
    if (fz_natives_prepare(&g) < 0)
        goto done;
    double tc0 = now();
    if (fz_cold_prepare(&g) < 0 || fz_data_prepare(&g) < 0)
        goto done;
    fz_note("compressed the cold modules in %.2f s", now() - tc0);
    double td = now();
    if (!opt->no_deep_freeze && fz_dfz_prepare(&g, &tc, tmp_dir, opt->deep_freeze_packages, &dfz_objs) < 0)
        goto done;
    fz_note("deep-froze the start-up modules in %.2f s", now() - td);
    double ts = now();
    if (!opt->no_sources && fz_sources_prepare(&g) < 0)
        goto done;
    fz_note("laid out and compressed the sources in %.2f s", now() - ts);
    /* The report goes into the payload too, for cryo inspect. */
    char *report = NULL;
    size_t report_len = 0;
    FILE *rf = open_memstream(&report, &report_len);
    if (!rf) {
        fz_error("out of memory");
        goto done;
    }
    fz_report_json(rf, &g, &ro, 0, 0, 0);
    fclose(rf);
    struct fz_extra_member extra[2] = {{BL_ENTRY_REPORT, report, report_len}};
    size_t nextra = 1;
    if (opt->sbom) {
        /* --sbom: written beside the executable and packed into it, for
         * cryo inspect --sbom. */
        struct fz_strv archives = {0};
        fz_cc_static_archives(&tc, &g, &archives);
        const char *base = strrchr(opt->output, '/') ? strrchr(opt->output, '/') + 1
                                                     : opt->output;
        sbom = fz_sbom_make(report, &archives, base);
        fz_strv_free(&archives);
        if (!sbom) {
            free(report);
            goto done;
        }
        extra[nextra++] = (struct fz_extra_member){BL_ENTRY_SBOM, sbom, strlen(sbom)};
    }
    uint64_t payload_size;
    uint32_t payload_crc, entries;
    int pack_rc = fz_pack_write(&g, payload, extra, nextra, &payload_size, &payload_crc,
                                &entries);
    free(report);
    if (pack_rc < 0)
        goto done;
    uint32_t flags = (opt->allow_python_env ? RT_APP_ALLOW_PYTHON_ENV : 0)
                     | (g.file_hooks ? RT_APP_FILE_HOOKS : 0)
                     | (g.data_zstd ? RT_APP_DATA_ZSTD : 0)
                     | ((uint32_t)opt->graph.optimize << RT_APP_OPTIMIZE_SHIFT
                        & RT_APP_OPTIMIZE_MASK);
    if (fz_emit_table(&g, payload_crc, flags, &opt->gc, opt->native_mode, table_c) < 0)
        goto done;
    double t1 = now();
    if (fz_cc_compile(&tc, table_c, table_o) < 0)
        goto done;
    fz_note("compiled the module table in %.2f s", now() - t1);

    /* The output is assembled beside its final path, then renamed. */
    char *out_dir = fz_xstrdup(opt->output);
    char *slash = strrchr(out_dir, '/');
    if (slash)
        slash[slash == out_dir ? 1 : 0] = '\0';
    fz_sweep_stale(slash ? out_dir : ".", FZ_TMP_OUT_MARK);
    free(out_dir);
    snprintf(tmp_out, sizeof tmp_out, "%s" FZ_TMP_OUT_MARK "%ld-XXXXXX", opt->output,
             (long)getpid());
    fd = mkstemp(tmp_out);
    if (fd < 0) {
        fz_error("cannot write '%s': %s", tmp_out, strerror(errno));
        tmp_out[0] = '\0';
        goto done;
    }
    close(fd);
    fd = -1;
    t1 = now();
    char *image_path = tmp_path("image");
    int link_rc = fz_cc_link(&tc, table_o, &dfz_objs, &g, image_path, opt->output,
                             !opt->keep_symbols);
    fz_note("linked in %.2f s", now() - t1);
    struct bl_trailer t = {
        .version = BL_FORMAT_VERSION,
        .payload_size = payload_size,
        .payload_crc = payload_crc,
        .entry_count = entries,
    };
    /* The first stage leads the file unless CRYO_STAGE=0 asks for an
     * executable whose own ELF headers are the image's (profilers and
     * debuggers read those; a cut inside such a file is not caught). */
    const char *no_stage = getenv("CRYO_STAGE");
    int stage = !(no_stage && strcmp(no_stage, "0") == 0);
    unsigned char page[BL_STAGE_SIZE];
    if (link_rc < 0 || fz_image_guards(image_path, &t) < 0
        || (stage && fz_stage_page(tc.stage, page) < 0)) {
        free(image_path);
        goto done;
    }
    t.image_offset = stage ? BL_STAGE_SIZE : 0;
    t.stage_crc = stage ? bl_checksum(page, sizeof page) : 0;
    t.payload_offset = t.image_offset + t.image_size;

    fd = open(tmp_out, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        fz_error("cannot write '%s': %s", tmp_out, strerror(errno));
        free(image_path);
        goto done;
    }
    unsigned char raw[BL_TRAILER_SIZE];
    bl_trailer_encode(&t, raw);
    int wr = (stage ? write_all(fd, page, sizeof page, opt->output) : 0) < 0
             || append_file(fd, image_path, opt->output) < 0
             || append_file(fd, payload, opt->output) < 0
             || write_all(fd, raw, sizeof raw, opt->output) < 0;
    free(image_path);
    if (wr)
        goto done;
    mode_t mask = umask(0);
    umask(mask);
    if (fchmod(fd, 0777 & ~mask) != 0 || close(fd) != 0) {
        fd = -1;
        fz_error("cannot write '%s': %s", opt->output, strerror(errno));
        goto done;
    }
    fd = -1;
    if (rename(tmp_out, opt->output) != 0) {
        fz_error("cannot write '%s': %s", opt->output, strerror(errno));
        goto done;
    }
    tmp_out[0] = '\0';
    uint64_t image = t.payload_offset;
    struct stat st;
    if (!fz_quiet && stat(opt->output, &st) == 0) {
        fprintf(stderr, "cryo: built %s: %zu modules, %.1f MB, in %.1f s\n", opt->output, g.n,
                (double)st.st_size / 1e6, now() - t0);
        fz_report_summary(&g, image, payload_size);
    }
    if (opt->report && fz_report_write(&g, opt->report, &ro, image, payload_size) < 0)
        goto done;
    if (opt->sbom && fz_write_file_atomic(opt->sbom, sbom, strlen(sbom), "the SBOM") < 0)
        goto done;
    fz_cache_trim();
    rc = 0;

done:
    if (fd >= 0)
        close(fd);
    remove_temporaries();
    tmp_out[0] = tmp_dir[0] = '\0';
    if (lock >= 0)
        close(lock);
    free(payload);
    free(table_c);
    free(table_o);
    free(sbom);
    fz_graph_free(&g);
    fz_strv_free(&dfz_objs);
    if (py)
        fz_py_stop();
    if (have_tc)
        fz_toolchain_free(&tc);
    return rc;
}
