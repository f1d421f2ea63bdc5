/* cc.c — find cryo's own libraries and drive the system C compiler.
 *
 * Where the runtime, gc and bootloader libraries are: next to an installed
 * cryo (<bindir>/../<libdir>/cryo, headers in <includedir>/cryo), or, for
 * the cryo in a build tree, in that build tree (paths fixed when cryo was
 * configured, see cryo_config.h).
 *
 * How a program is linked, and why:
 *   -no-pie          like Debian's python3.11: a PIE makes the loader
 *                    relocate every pointer in the static data at each
 *                    start (measured: +4.7 ms, +8.6 MB private memory);
 *   -z relro -z now, -z noexecstack, stack protector from the objects:
 *                    keep the hardening a PIE does not provide;
 *   --whole-archive  for cryo's libraries: runtime/pathconfig_py311.c must
 *                    win over libpython's getpath.o;
 *   static zlib, expat, zstd and liblzma, dynamic glibc only: the program needs nothing
 *                    but glibc on the machine it runs on;
 *   -s               no symbols or debug info: libpython's alone are ~20 MB;
 *   no .eh_frame     unless symbols are kept: nothing unwinds the
 *                    executable's C frames (0.5 MB of every program);
 *   --wrap=pthread_exit
 *                    a daemon thread left at exit blocks instead of unwinding
 *                    with libgcc_s, which a glibc-only machine lacks
 *                    (runtime/thread_exit.c);
 *   --export-dynamic-symbol=Py*,_Py*
 *                    the C API is exported, as /usr/bin/python3.11 exports it,
 *                    so an extension module built by Debian (or pip) loads
 *                    into the program unchanged; only the API, not cryo's or
 *                    libcrypto's symbols (measured: +177 KB on hello world).
 *
 * Which linker: LLVM's lld where it is installed (tools/install-deps.sh
 * installs it), else the compiler's default (GNU ld).  Measured on hello
 * world with cryo's libpython (one 32 MB core object, libcrypto.a): GNU ld
 * 0.50 s, gold 0.27 s, lld 0.19 s, and a warm rebuild must stay under
 * 0.3 s.  -z keep-text-section-prefix keeps the compiler's .text.hot,
 * .text.unlikely and .text.startup apart, as GNU ld does: the code a run
 * uses stays together instead of being spread over the whole text.
 * Within those, the functions a profile of short frozen programs ran come
 * first (tools/startup_order.py makes the list when cryo is built), so the
 * text pages a program touches to start are few and together.  GNU ld has
 * no such option; its programs just lose that.
 *
 * Which libpython: cryo's own (tools/libpython/build.py; the default,
 * -Dlibpython=cryo) is a core object and one object per extension module,
 * listed in a manifest (natives.c): the core and the modules the program
 * imports are linked, each followed by the static libraries it needs.
 * Debian's (-Dlibpython=debian) is libpython3.11.a, which has no extension
 * modules beyond its builtins.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cryo_config.h"
#include "fz.h"

extern char **environ;

/* The compiler or linker running now, for fz_cc_stop_child (signal
 * handler); 0 when none. */
static volatile pid_t running_child;

void fz_cc_stop_child(void)
{
    pid_t pid = running_child;
    if (pid > 0) {
        kill(pid, SIGTERM);
        waitpid(pid, NULL, 0);
    }
}

/* Whether `prog` is an executable file in a directory of $PATH. */
static int on_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/bin:/bin";
    while (*path) {
        size_t n = strcspn(path, ":");
        char *p = fz_printf("%.*s/%s", (int)n, path, prog);
        int ok = access(p, X_OK) == 0;
        free(p);
        if (ok)
            return 1;
        path += n;
        if (*path == ':')
            path++;
    }
    return 0;
}

static char *exe_dir(void)
{
    char buf[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash)
        *slash = '\0';
    return fz_xstrdup(buf);
}

int fz_toolchain_find(struct fz_toolchain *tc)
{
    memset(tc, 0, sizeof *tc);
    const char *cc = getenv("CC");
    tc->cc = cc && *cc ? cc : "cc";
    tc->libpython = CRYO_LIBPYTHON_A[0] ? CRYO_LIBPYTHON_A : NULL;
    tc->lld = on_path("ld.lld");

    char *dir = exe_dir();
    char *inst = dir ? fz_printf("%s/../%s/cryo", dir, CRYO_INSTALL_LIBDIR) : NULL;
    char *probe = inst ? fz_printf("%s/libcryo_runtime.a", inst) : NULL;
    if (probe && fz_is_file(probe)) {
        tc->lib_dir_runtime = fz_xstrdup(inst);
        tc->lib_dir_bootloader = fz_xstrdup(inst);
        tc->lib_dir_gc = fz_xstrdup(inst);
        tc->include_dir = fz_printf("%s/../%s/cryo", dir, CRYO_INSTALL_INCLUDEDIR);
        tc->libpython_dir = fz_printf("%s/libpython", inst);
        tc->startup_order = fz_printf("%s/startup-order.txt", inst);
    } else {
        tc->lib_dir_runtime = fz_xstrdup(CRYO_BUILD_ROOT "/runtime");
        tc->lib_dir_bootloader = fz_xstrdup(CRYO_BUILD_ROOT "/bootloader");
        tc->lib_dir_gc = fz_xstrdup(CRYO_BUILD_ROOT "/gc");
        tc->include_dir = fz_xstrdup(CRYO_SOURCE_ROOT);
        tc->libpython_dir = fz_xstrdup(CRYO_LIBPYTHON_DIR);
        tc->startup_order = fz_xstrdup(CRYO_BUILD_ROOT "/freezer/startup-order.txt");
    }
    tc->stage = fz_printf("%s/cryo-stage", tc->lib_dir_bootloader);
    /* Made only with cryo's libpython, whose objects have function
     * sections; absent, programs link in the default order. */
    if (!fz_is_file(tc->startup_order)) {
        free(tc->startup_order);
        tc->startup_order = NULL;
    }
    free(probe);
    free(inst);
    free(dir);

    char *rt = fz_printf("%s/libcryo_runtime.a", tc->lib_dir_runtime);
    int ok = fz_is_file(rt);
    if (!ok)
        fz_error("cannot find cryo's runtime library '%s'; reinstall cryo (or rebuild it "
                 "with ninja)", rt);
    free(rt);
    if (ok && tc->libpython && !fz_is_file(tc->libpython)) {
        fz_error("cannot find '%s'; install it with: apt-get install libpython3.11-dev",
                 tc->libpython);
        ok = 0;
    }
    if (ok && !tc->libpython) {
        char *m = fz_printf("%s/manifest.txt", tc->libpython_dir);
        if (!fz_is_file(m)) {
            fz_error("cannot find cryo's libpython ('%s' is missing); build it with "
                     "tools/install-deps.sh, then reconfigure cryo", m);
            ok = 0;
        } else if (fz_natives_load(tc->libpython_dir, &tc->natives) < 0) {
            ok = 0;
        }
        free(m);
    }
    return ok ? 0 : -1;
}

void fz_toolchain_free(struct fz_toolchain *tc)
{
    free(tc->include_dir);
    free(tc->lib_dir_runtime);
    free(tc->lib_dir_bootloader);
    free(tc->lib_dir_gc);
    free(tc->libpython_dir);
    free(tc->startup_order);
    free(tc->stage);
    fz_natives_free(&tc->natives);
}

/* Run argv to do `what`; 0 if it exited 0.  Its output goes to our
 * stderr, so a compiler error is shown as the compiler printed it, followed
 * by our one line saying which step failed. */
/* Under -v, the command line about to run. */
static void say_command(char *const argv[])
{
    if (!fz_verbose)
        return;
    fputs("cryo:", stderr);
    for (size_t i = 0; argv[i]; i++)
        fprintf(stderr, " %s", argv[i]);
    fputc('\n', stderr);
}

static int run(char *const argv[], const char *what)
{
    say_command(argv);
    pid_t pid;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, 2, 1); /* compiler chatter to stderr */
    int err = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (!err)
        running_child = pid;
    if (err) {
        if (err == ENOENT)
            fz_error("no C compiler: '%s' is not on PATH; install one "
                     "(apt-get install gcc) or name it with CC=...", argv[0]);
        else
            fz_error("cannot run '%s': %s", argv[0], strerror(err));
        return -1;
    }
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            running_child = 0;
            fz_error("waiting for '%s': %s", argv[0], strerror(errno));
            return -1;
        }
    running_child = 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        fz_error("no C compiler: '%s' could not be run; install one (apt-get install "
                 "gcc) or name it with CC=...", argv[0]);
    else
        fz_error("%s failed: '%s' %s %d (its message is above)", what, argv[0],
                 WIFEXITED(status) ? "exited with status" : "was killed by signal",
                 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
    return -1;
}

int fz_cc_compile(const struct fz_toolchain *tc, const char *src, const char *obj)
{
    char *inc = fz_printf("-I%s", tc->include_dir);
    char *argv[] = {(char *)tc->cc, "-c", "-pipe", "-O1", "-fno-pie", inc, "-o", (char *)obj,
                    (char *)src, NULL};
    int rc = run(argv, "compiling the module table");
    free(inc);
    return rc;
}

/* As run() does for one, for up to a child per core at a time. */
int fz_cc_compile_many(const struct fz_toolchain *tc, const struct fz_strv *srcs,
                       const struct fz_strv *objs)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t most = cpus > 1 ? (size_t)cpus : 1, next = 0, running = 0;
    pid_t *pids = fz_xmalloc(most * sizeof *pids);
    size_t *files = fz_xmalloc(most * sizeof *files);
    char *inc = fz_printf("-I%s", tc->include_dir);
    struct fz_strv flags = {0};
    char *words = fz_xstrdup(FZ_DFZ_CFLAGS), *save = NULL;
    for (char *w = strtok_r(words, " ", &save); w; w = strtok_r(NULL, " ", &save))
        fz_strv_push(&flags, w);
    free(words);
    int rc = 0;
    while (running || (rc == 0 && next < srcs->n)) {
        if (rc == 0 && next < srcs->n && running < most) {
            struct fz_strv a = {0};
            fz_strv_push(&a, tc->cc);
            for (size_t i = 0; i < flags.n; i++)
                fz_strv_push(&a, flags.v[i]);
            fz_strv_push(&a, inc);
            fz_strv_push(&a, "-o");
            fz_strv_push(&a, objs->v[next]);
            fz_strv_push(&a, srcs->v[next]);
            fz_strv_push(&a, "");
            free(a.v[a.n - 1]);
            a.v[a.n - 1] = NULL;
            say_command(a.v);
            pid_t pid;
            int err = posix_spawnp(&pid, a.v[0], NULL, NULL, a.v, environ);
            a.n--;
            fz_strv_free(&a);
            if (err) {
                fz_error("cannot run '%s': %s", tc->cc, strerror(err));
                rc = -1;
                continue;
            }
            pids[running] = pid;
            files[running++] = next++;
            continue;
        }
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            fz_error("waiting for the compiler: %s", strerror(errno));
            rc = -1;
            break;
        }
        for (size_t i = 0; i < running; i++) {
            if (pids[i] != pid)
                continue;
            if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) && rc == 0) {
                fz_error("compiling the deep-frozen module '%s' failed (its message is above)",
                         srcs->v[files[i]]);
                rc = -1;
            }
            pids[i] = pids[--running];
            files[i] = files[running];
            break;
        }
    }
    fz_strv_free(&flags);
    free(inc);
    free(pids);
    free(files);
    return rc;
}

/* Append each of `from` to `to`; one already in `to` moves to the end, so
 * that a static library two modules need is named once, after both (GNU
 * ld resolves an archive only against what precedes it: _hashlib then
 * _ssl must give libssl.a before libcrypto.a). */
static void push_new(struct fz_strv *to, const struct fz_strv *from)
{
    for (size_t i = 0; i < from->n; i++) {
        for (size_t k = 0; k < to->n; k++) {
            if (strcmp(to->v[k], from->v[i]) == 0) {
                free(to->v[k]);
                memmove(&to->v[k], &to->v[k + 1], (to->n - k - 1) * sizeof *to->v);
                to->n--;
                break;
            }
        }
        fz_strv_push(to, from->v[i]);
    }
}

/* What every program links statically after libpython (-Wl,-Bstatic):
 * libpython's own needs (Debian's libpython; cryo's names them per module).
 * The payload's LZ4 decoder is the bootloader's own (payload.c). */
#define STATIC_TAIL_LIBS "-lexpat", "-lz"
/* The decoders of zstd frames (native files) and raw LZMA2 members
 * (sources, cold modules, the table modules: payload_format.h): always on
 * the link line, since the bootloader's payload.c refers to them, and left
 * out by --gc-sections when the module table does not; so the bill of
 * materials names each only when the payload has such members. */
#define ZSTD_LIB "-lzstd"
#define LZMA_LIB "-llzma"

/* The link words of the linked natives and of the core, each once, after
 * all that need it (cryo's libpython only). */
static void native_libs(const struct fz_toolchain *tc, const struct fz_graph *g,
                        struct fz_strv *libs)
{
    for (size_t i = 0; i < g->natives.n; i++)
        push_new(libs, &fz_natives_find(&tc->natives, g->natives.v[i])->link);
    push_new(libs, &tc->natives.core_link);
}

void fz_cc_static_archives(const struct fz_toolchain *tc, const struct fz_graph *g,
                           struct fz_strv *out)
{
    struct fz_strv words = {0};
    if (tc->libpython)
        fz_strv_push(&words, tc->libpython);
    else
        native_libs(tc, g, &words);
    static const char *const tail[] = {STATIC_TAIL_LIBS};
    for (size_t i = 0; i < sizeof tail / sizeof *tail; i++)
        fz_strv_push(&words, tail[i]);
    if (fz_payload_has_zstd(g))
        fz_strv_push(&words, ZSTD_LIB);
    if (fz_payload_has_lzma(g))
        fz_strv_push(&words, LZMA_LIB);
    for (size_t i = 0; i < words.n; i++) {
        const char *w = words.v[i];
        size_t n = strlen(w);
        /* each once: a native module may need the same one (_lzma) */
        if (n > 2 && strcmp(w + n - 2, ".a") == 0) {
            if (!fz_strv_has(out, w))
                fz_strv_push(out, w);
        } else if (strncmp(w, "-l", 2) == 0 && !strchr(w, '/')) {
            /* -lz after -Bstatic: the archive the linker takes. */
            char *p = fz_printf("/usr/lib/x86_64-linux-gnu/lib%s.a", w + 2);
            if (fz_is_file(p) && strcmp(w, "-lm") != 0 && strcmp(w, "-ldl") != 0
                && !fz_strv_has(out, p))
                fz_strv_push(out, p);
            free(p);
        }
    }
    fz_strv_free(&words);
}

int fz_cc_link(const struct fz_toolchain *tc, const char *obj, const struct fz_strv *objs,
               const struct fz_graph *g, const char *out, const char *final_name, int strip)
{
    struct fz_strv a = {0};
    char *rt = fz_printf("%s/libcryo_runtime.a", tc->lib_dir_runtime);
    char *bl = fz_printf("%s/libcryo_bootloader.a", tc->lib_dir_bootloader);
    char *gc = fz_printf("%s/libcryo_gc.a", tc->lib_dir_gc);
    const char *head[] = {tc->cc, "-no-pie", strip ? "-s" : "-g", "-o", out, obj,
                          "-Wl,--whole-archive", rt, bl, gc, "-Wl,--no-whole-archive"};
    for (size_t i = 0; i < sizeof head / sizeof *head; i++)
        fz_strv_push(&a, head[i]);
    char *script = NULL;
    int dfz = objs && objs->n;
    /* (sanitizers print stacks with the unwinder) */
    int unwind = !strip || strcmp(CRYO_SANITIZE, "none") != 0;
    if (dfz || !unwind) {
        /* runtime/frozen_py311.h: the deep-frozen modules' sections,
         * gathered after the data.  Unwind tables only with symbols:
         * nothing in a frozen program unwinds its C frames (no C++ frame
         * of the executable; pthread_exit, glibc's one unwinder, is
         * runtime/thread_exit.c's), and they are 0.5 MB of every program;
         * --keep-symbols keeps them for debuggers and profilers. */
        script = fz_printf("%s.ld", out);
        char *text = fz_printf("SECTIONS\n{\n%s%s}\nINSERT AFTER .data;\n",
                               dfz ? "  cryo_dfz : { *(cryo_dfz) *(cryo_dfz_s.*) }\n"
                                     "  cryo_dfz_once ALIGN(4096) : { *(cryo_dfz_once) . = ALIGN(4096); }\n"
                                     "  cryo_dfz_bytes : { *(cryo_dfz_bytes) }\n"
                                   : "",
                               unwind ? "" : "  /DISCARD/ : { *(.eh_frame) }\n");
        int bad = fz_write_file_atomic(script, text, strlen(text), "a linker script") < 0;
        free(text);
        if (bad) {
            free(script);
            fz_strv_free(&a);
            free(rt);
            free(bl);
            free(gc);
            return -1;
        }
        char *t = fz_printf("-Wl,-T,%s", script);
        fz_strv_push(&a, t);
        free(t);
        for (size_t i = 0; dfz && i < objs->n; i++)
            fz_strv_push(&a, objs->v[i]);
    }
    if (strcmp(CRYO_SANITIZE, "none") != 0) {
        char *o = fz_printf("-fsanitize=%s", CRYO_SANITIZE);
        fz_strv_push(&a, o);
        free(o);
    }
    if (tc->lld) {
        fz_strv_push(&a, "-fuse-ld=lld");
        fz_strv_push(&a, "-Wl,-z,keep-text-section-prefix");
        if (tc->startup_order) {
            char *o = fz_printf("-Wl,--symbol-ordering-file=%s", tc->startup_order);
            fz_strv_push(&a, o);
            free(o);
            /* The order names every function a profile ran; a program
             * links only some of them. */
            fz_strv_push(&a, "-Wl,--no-warn-symbol-ordering");
        }
    }
    if (tc->libpython) {
        fz_strv_push(&a, tc->libpython);
    } else {
        /* The modules' objects, then the core they call into, then the
         * static libraries of both. */
        struct fz_strv libs = {0};
        for (size_t i = 0; i < g->natives.n; i++) {
            const struct fz_native *m = fz_natives_find(&tc->natives, g->natives.v[i]);
            fz_strv_push(&a, m->object);
        }
        fz_strv_push(&a, tc->natives.core);
        native_libs(tc, g, &libs);
        for (size_t i = 0; i < libs.n; i++)
            fz_strv_push(&a, libs.v[i]);
        fz_strv_free(&libs);
    }
    const char *tail[] = {"-Wl,-Bstatic", STATIC_TAIL_LIBS, ZSTD_LIB, LZMA_LIB, "-Wl,-Bdynamic",
                          "-lm", "-ldl", "-lpthread", "-lutil",
                          "-Wl,-z,relro", "-Wl,-z,now", "-Wl,-z,noexecstack",
                          "-Wl,--gc-sections",
                          /* runtime/thread_exit.c: daemon threads at exit */
                          "-Wl,--wrap=pthread_exit",
                          "-Wl,--export-dynamic-symbol=Py*", "-Wl,--export-dynamic-symbol=_Py*"};
    for (size_t i = 0; i < sizeof tail / sizeof *tail; i++)
        fz_strv_push(&a, tail[i]);
    fz_strv_push(&a, ""); /* room for argv's NULL terminator */
    free(a.v[a.n - 1]);
    a.v[a.n - 1] = NULL;
    char *what = fz_printf("linking '%s'", final_name);
    int rc = run(a.v, what);
    free(what);
    a.n--; /* the NULL terminator is not a string to free */
    fz_strv_free(&a);
    if (script)
        unlink(script);
    free(script);
    free(rt);
    free(bl);
    free(gc);
    return rc;
}
