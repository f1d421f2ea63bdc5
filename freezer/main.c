/* main.c — the `cryo` command line.  Parses arguments, checks what can be
 * checked before any work (the script, --path directories, module names)
 * and hands a struct fz_build_options to build.c. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../gc/gc_internal.h"
#include "../runtime/module_table.h"
#include "cryo_config.h"
#include "fz.h"

enum { EXIT_USAGE = 2 };

static const char usage_text[] =
    "usage: cryo build SCRIPT|DIR|-m NAME|--entry-point NAME [-o OUT] [--path DIR]...\n"
    "                  [--include-module NAME]... [--include-package NAME]...\n"
    "                  [--exclude-module NAME]... [--allow-python-env]\n"
    "                  [--keep-symbols] [--no-sources]\n"
    "                  [--no-deep-freeze | --deep-freeze-packages]\n"
    "                  [--native=auto|cache|memory]\n"
    "                  [--allow-missing-lib NAME]... [--include-data SRC=DEST]...\n"
    "                  [--exclude-data GLOB]... [--report FILE] [--sbom FILE]\n"
    "                  [--allocator=cryo|python] [--gc=cryo|python]\n"
    "                  [--gc-growth=R] [--gc-pause-ms=MS] [--mem-release=KIB]\n"
    "                  [-O | -OO | --optimize=0|1|2] [-q | -v]\n"
    "       cryo inspect APP [--json | --sbom | --image OUT]\n"
    "       cryo --help | --version\n";

static const char inspect_help[] =
    "usage: cryo inspect APP [--json | --sbom | --image OUT]\n"
    "\n"
    "Say what the executable APP holds, without running it: the cryo and\n"
    "Python versions and build options, and every module, extension module,\n"
    "library and data file with its size (--json: all of it as JSON, the\n"
    "format of `cryo build --report`; --sbom: the software bill of materials\n"
    "packed by `cryo build --sbom`; --image OUT: write the program's ELF\n"
    "image, without the first stage and payload, to OUT, for gdb, perf,\n"
    "readelf and ldd, which read an executable's own headers: APP's are its\n"
    "two-page first stage's).  Every byte is checked: a damaged APP is\n"
    "refused as the program itself would refuse to start.  Exit status: 0,\n"
    "1 unreadable or damaged or not built by cryo, 2 bad command line.\n";

static const char help_text[] =
    "cryo freezes a Python 3.11 program into one executable that runs where\n"
    "Python is absent: its modules, a static libpython and a small bootloader\n"
    "in a single file.\n"
    "\n"
    "Commands:\n"
    "  build SCRIPT        freeze SCRIPT and the modules it imports; DIR: a\n"
    "                      directory with __main__.py, as python3.11 DIR runs it;\n"
    "                      -m NAME: module or package NAME, as python3.11 -m NAME\n"
    "                      runs it (searched from the current directory);\n"
    "                      --entry-point NAME: the console script NAME an installed\n"
    "                      distribution declares (pygmentize)\n"
    "  inspect APP         say what an executable built by cryo holds\n"
    "\n"
    "Options of build:\n"
    "  -o, --output OUT          the executable to write (default: SCRIPT's name\n"
    "                            without .py, in the current directory)\n"
    "  --path DIR                also look for the program's modules in DIR\n"
    "                            (after SCRIPT's directory, before the standard\n"
    "                            library); may be repeated\n"
    "  --include-module NAME     pack module NAME even if no import names it\n"
    "                            (a package is packed whole); may be repeated\n"
    "  --include-package NAME    pack package NAME whole, every module below it\n"
    "                            and its data files; an error if NAME is not a\n"
    "                            package; may be repeated\n"
    "  --exclude-module NAME     never pack NAME or its submodules, and accept\n"
    "                            imports of it that cannot be found; may be repeated\n"
    "  --allow-python-env        let PYTHON* environment variables (PYTHONPATH,\n"
    "                            PYTHONIOENCODING, ...) act on the program, as they\n"
    "                            do on python3.11; by default they are ignored\n"
    "  --keep-symbols            keep symbols and debug information in the output,\n"
    "                            for debuggers and profilers (about 4x larger)\n"
    "  --no-sources              ship no module source: tracebacks then show no\n"
    "                            source lines, inspect.getsource() fails; saves\n"
    "                            about 0.5 MB (hello world), more for big programs\n"
    "  --no-deep-freeze          keep the start-up modules marshalled in the payload\n"
    "                            instead of as static C data in the image: starts\n"
    "                            slower (stdlib-heavy programs by about a fifth),\n"
    "                            uses less memory and makes a smaller file\n"
    "  --deep-freeze-packages    deep-freeze the start-up modules of third-party\n"
    "                            packages too, not only the standard library's and\n"
    "                            the program's: starts faster, a larger file (numpy:\n"
    "                            15% faster, 7 MB larger)\n"
    "  --native=auto|cache|memory  where the program puts the third-party\n"
    "                            extension modules and libraries it carries, to\n"
    "                            load them: a per-user cache directory, written\n"
    "                            once and shared by every run (cache), sealed\n"
    "                            memory files, shared with re-entering children\n"
    "                            (memory),\n"
    "                            or the cache when it can be used, else memory\n"
    "                            (auto, the default) [CRYO_NATIVE]\n"
    "  --allow-missing-lib NAME  build even though a shared library an extension\n"
    "                            module needs (DT_NEEDED NAME) is not on this\n"
    "                            machine; the target must have it; may be repeated\n"
    "  --include-data SRC=DEST   also pack the file or directory SRC, at DEST in\n"
    "                            the executable's tree (open(os.path.join(\n"
    "                            os.path.dirname(__file__), DEST)) in the script\n"
    "                            reads it); may be repeated\n"
    "  --exclude-data GLOB       do not pack data files whose path in the tree\n"
    "                            matches GLOB ('*.md', 'pkg/docs/*'); may be repeated\n"
    "  --sbom FILE               also write a software bill of materials\n"
    "                            (CycloneDX 1.5 JSON: CPython, each packed\n"
    "                            distribution, each native library packed or linked\n"
    "                            with its Debian package), and pack it into the\n"
    "                            executable for cryo inspect --sbom\n"
    "  --app-version VERSION     the program's version, for the report and the SBOM\n"
    "                            (default: [project] version of pyproject.toml)\n"
    "  --report FILE             also write what the executable holds, as JSON:\n"
    "                            every module, extension module, library and data\n"
    "                            file, where it came from, why it is in, its bytes\n"
    "  -O, -OO, --optimize=N     compile the modules as python3.11 -O (no asserts,\n"
    "                            __debug__ false) or -OO (no docstrings either);\n"
    "                            sys.flags.optimize says so (default 0, as python3.11)\n"
    "  -q, --quiet               no progress line and no summary: only warnings\n"
    "                            and errors\n"
    "  -v, --verbose             say what is packed and why, and every command run\n"
    "\n"
    "Memory and the collector (defaults for the program; the CRYO_* variable\n"
    "named in brackets overrides each at run time):\n";

/* After the memory options, which gc_options_help prints from their table. */
static const char help_tail[] =
    "CRYO_STATS=1 at run time prints memory and collector statistics on stderr\n"
    "at exit; `import _cryo; _cryo.stats()` returns them as a dict.\n"
    "\n"
    "With no SCRIPT, -m or --entry-point, the options come from the\n"
    "[tool.cryo] table of ./pyproject.toml (command-line options override).\n"
    "\n"
    "Modules are found as python3.11 finds them: SCRIPT's directory, then\n"
    "each --path, then " CRYO_STDLIB_DIR ", then the site directories\n"
    "($VIRTUAL_ENV's, /usr/local/lib/python3.11/dist-packages,\n"
    "/usr/lib/python3/dist-packages).  An import that cannot be\n"
    "found is an error in your own code unless it is inside\n"
    "`try: ... except ImportError:`; in the standard library it is a note (-v).\n"
    "\n"
    "The C compiler is $CC, or cc.  Temporary files go to $TMPDIR, or /tmp.\n"
    "Exit status: 0 built, 1 build failed, 2 bad command line.\n";

static int valid_module_name(const char *s)
{
    if (!*s)
        return 0;
    for (const char *p = s; *p; p++) {
        int start = p == s || p[-1] == '.';
        unsigned char c = (unsigned char)*p;
        if (c == '.') {
            if (start || p[1] == '\0')
                return 0;
        } else if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80
                     || (!start && c >= '0' && c <= '9'))) {
            return 0;
        }
    }
    return 1;
}

/* --allocator, --gc, --gc-growth, --gc-pause-ms, --mem-release: checked
 * with the rules the program applies to the CRYO_* variables (gc/options.c).
 * 0, or -1 after reporting. */
static int set_gc_option(struct gc_config *gc, int i, const char *text)
{
    const struct gc_option *o = &gc_options[i];
    double v;
    char why[64], lo[32], hi[32];
    if (gc_option_parse(o, text, &v, why, sizeof why) < 0) {
        gc_option_format(o, o->min, lo, sizeof lo);
        gc_option_format(o, o->max, hi, sizeof hi);
        if (o->kind == GC_OPT_CHOICE)
            fz_error("--%s '%s': %s", o->flag, text, why);
        else
            fz_error("--%s '%s': %s (expected %s from %s to %s)", o->flag, text, why,
                     o->kind == GC_OPT_KIB ? "a whole number of KiB" : "a number", lo, hi);
        return -1;
    }
    switch (i) {
    case GC_OPTION_ALLOCATOR: gc->allocator = (int)v; break;
    case GC_OPTION_GC: gc->policy = (int)v; break;
    case GC_OPTION_GROWTH: gc->growth = v; break;
    case GC_OPTION_PAUSE_MS: gc->pause_ms = v; break;
    case GC_OPTION_MEM_RELEASE: gc->mem_release_kib = (long)v; break;
    }
    return 0;
}

/* The value of console script `name` ("module:attr") in the entry_points.txt
 * of a distribution in the current directory or a site directory (python's
 * order), malloc'd, or NULL.  *dist gets the metadata directory. */
/* [project.scripts] NAME of ./pyproject.toml (pyproject.py, script_of):
 * malloc'd, or NULL.  Leaves the embedded interpreter running (the build
 * reuses it). */
static char *local_console_script(const char *name)
{
    if (!fz_is_file("pyproject.toml") || fz_py_start() < 0)
        return NULL;
    PyObject *v = fz_py_call_source("pyproject.py", "script_of", "(ss)",
                                    "pyproject.toml", name);
    char *out = v && PyUnicode_Check(v) ? fz_xstrdup(PyUnicode_AsUTF8(v)) : NULL;
    if (!v)
        PyErr_Clear(); /* a broken pyproject.toml: look at the installed ones */
    Py_XDECREF(v);
    return out;
}

static char *find_console_script(const char *name, char **dist)
{
    char *local = local_console_script(name);
    if (local) {
        *dist = fz_xstrdup("pyproject.toml [project.scripts]");
        return local;
    }
    struct fz_strv roots = {0};
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd))
        fz_strv_push(&roots, cwd);
    fz_site_dirs(&roots);
    char *found = NULL;
    for (size_t r = 0; r < roots.n && !found; r++) {
        struct fz_strv names = {0};
        fz_list_dir(roots.v[r], &names);
        for (size_t i = 0; i < names.n && !found; i++) {
            if (!fz_is_metadata_dir_name(names.v[i]))
                continue;
            char *path = fz_printf("%s/%s/entry_points.txt", roots.v[r], names.v[i]);
            size_t n;
            char *text = fz_is_file(path) ? fz_read_file(path, &n) : NULL;
            int in_scripts = 0;
            for (char *line = text, *next; line && *line && !found; line = next) {
                next = strchr(line, '\n');
                if (next)
                    *next++ = '\0';
                line += strspn(line, " \t");
                char *end = line + strlen(line);
                while (end > line && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
                    *--end = '\0';
                if (*line == '[') {
                    in_scripts = strcmp(line, "[console_scripts]") == 0;
                    continue;
                }
                char *eq = strchr(line, '=');
                if (!in_scripts || !eq)
                    continue;
                char *key_end = eq;
                while (key_end > line && (key_end[-1] == ' ' || key_end[-1] == '\t'))
                    key_end--;
                if ((size_t)(key_end - line) == strlen(name) && strncmp(line, name, strlen(name)) == 0) {
                    char *v = eq + 1;
                    v += strspn(v, " \t");
                    v[strcspn(v, " \t[")] = '\0'; /* extras: [x] */
                    found = fz_xstrdup(v);
                    *dist = fz_printf("%s/%s", roots.v[r], names.v[i]);
                }
            }
            free(text);
            free(path);
        }
        fz_strv_free(&names);
    }
    fz_strv_free(&roots);
    return found;
}

static char *default_output(const char *script)
{
    const char *base = strrchr(script, '/');
    base = base ? base + 1 : script;
    size_t n = strlen(base);
    if (n > 3 && strcmp(base + n - 3, ".py") == 0)
        n -= 3;
    return fz_printf("./%.*s", (int)n, base);
}

static int cmd_build(int argc, char **argv);

/* `cryo build` with no SCRIPT in a directory with pyproject.toml: its
 * [tool.cryo] table (freezer/pyproject.py) becomes options put before the
 * ones given, which therefore override it. */
static int build_from_pyproject(int argc, char **argv)
{
    if (fz_py_start() < 0)
        return 1;
    PyObject *list = fz_py_call_source("pyproject.py", "to_args", "(s)",
                                       "pyproject.toml");
    int rc = 1;
    if (!list) {
        PyObject *type, *value, *tb;
        PyErr_Fetch(&type, &value, &tb);
        PyObject *msg = value ? PyObject_Str(value) : NULL;
        const char *m = msg ? PyUnicode_AsUTF8(msg) : NULL;
        if (type && PyErr_GivenExceptionMatches(type, PyExc_ValueError) && m)
            fz_error("%s", m);
        else if (type && PyErr_GivenExceptionMatches(type, PyExc_OSError) && m)
            fz_error("cannot read pyproject.toml: %s", m);
        else
            fz_error("cannot read pyproject.toml's [tool.cryo] (%s)", m ? m : "unknown error");
        Py_XDECREF(msg);
        Py_XDECREF(type);
        Py_XDECREF(value);
        Py_XDECREF(tb);
    } else {
        Py_ssize_t n = PyList_Size(list);
        char **nv = fz_xmalloc(((size_t)n + (size_t)argc + 2) * sizeof *nv);
        /* getopt permutes nv: the copies are freed from their own list. */
        struct fz_strv config = {0};
        int nc = 0;
        nv[nc++] = argv[0];
        nv[nc++] = "--cryo-from-pyproject";
        for (Py_ssize_t i = 0; i < n; i++)
            fz_strv_push(&config, PyUnicode_AsUTF8(PyList_GET_ITEM(list, i)));
        for (size_t i = 0; i < config.n; i++)
            nv[nc++] = config.v[i];
        for (int i = 1; i < argc; i++)
            nv[nc++] = argv[i];
        nv[nc] = NULL;
        /* Done with Python here: the build below stops the interpreter. */
        Py_DECREF(list);
        rc = cmd_build(nc, nv);
        fz_strv_free(&config);
        free(nv);
        if (Py_IsInitialized())
            fz_py_stop();
        return rc;
    }
    fz_py_stop();
    return rc;
}

static int cmd_build(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"path", required_argument, NULL, 'p'},
        {"include-module", required_argument, NULL, 'i'},
        {"include-package", required_argument, NULL, 'I'},
        {"exclude-module", required_argument, NULL, 'x'},
        {"allow-python-env", no_argument, NULL, 'E'},
        {"keep-symbols", no_argument, NULL, 'g'},
        {"no-sources", no_argument, NULL, 0x202},
        {"no-deep-freeze", no_argument, NULL, 0x203},
        {"deep-freeze-packages", no_argument, NULL, 0x204},
        {"native", required_argument, NULL, 'n'},
        {"allow-missing-lib", required_argument, NULL, 'L'},
        {"report", required_argument, NULL, 'R'},
        {"app-version", required_argument, NULL, 'A'},
        {"entry-point", required_argument, NULL, 'P'},
        {"cryo-from-pyproject", no_argument, NULL, 0x200},
        {"optimize", required_argument, NULL, 0x201},
        {"quiet", no_argument, NULL, 'q'},
        {"sbom", required_argument, NULL, 'S'},
        {"include-data", required_argument, NULL, 'D'},
        {"exclude-data", required_argument, NULL, 'X'},
        {"allocator", required_argument, NULL, 0x100 + GC_OPTION_ALLOCATOR},
        {"gc", required_argument, NULL, 0x100 + GC_OPTION_GC},
        {"gc-growth", required_argument, NULL, 0x100 + GC_OPTION_GROWTH},
        {"gc-pause-ms", required_argument, NULL, 0x100 + GC_OPTION_PAUSE_MS},
        {"mem-release", required_argument, NULL, 0x100 + GC_OPTION_MEM_RELEASE},
        {"verbose", no_argument, NULL, 'v'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct fz_build_options opt = {0};
    char *output = NULL, *m_script = NULL;
    int explicit_output = 0, from_pyproject = 0;
    const char *run_module = NULL, *entry_point = NULL;
    char *entry_module = NULL, *entry_attr = NULL;
    char m_dir[PATH_MAX] = "";
    int c, rc = EXIT_USAGE;

    opt.graph.stdlib_dir = CRYO_STDLIB_DIR;
    opt.gc = (struct gc_config){-1, -1, -1, -1, -1};
    optind = 1;
    opterr = 0; /* report bad options ourselves, as "cryo: error:" */
    while ((c = getopt_long(argc, argv, ":o:m:vqhO", longopts, NULL)) != -1) {
        switch (c) {
        case 'P':
            entry_point = optarg;
            break;
        case 0x200: /* internal: the options before the given ones come from pyproject.toml */
            from_pyproject = 1;
            break;
        case 'm':
            if (!valid_module_name(optarg)) {
                fz_error("-m '%s': not a module name (like pkg or pkg.tool)", optarg);
                goto out;
            }
            run_module = optarg;
            break;
        case 'o':
            free(output);
            output = fz_xstrdup(optarg);
            explicit_output = 1;
            break;
        case 'p':
            if (!fz_is_dir(optarg)) {
                fz_error("--path '%s': %s", optarg,
                         access(optarg, F_OK) == 0 ? "not a directory" : strerror(errno));
                goto out;
            }
            fz_strv_push(&opt.graph.paths, optarg);
            break;
        case 'i':
        case 'x':
        case 'I':
            if (!valid_module_name(optarg)) {
                fz_error("--%s '%s': not a module name (like pkg.mod)",
                         c == 'i' ? "include-module" : c == 'I' ? "include-package"
                                                                : "exclude-module", optarg);
                goto out;
            }
            fz_strv_push(c == 'i' ? &opt.graph.includes
                         : c == 'I' ? &opt.graph.include_packages : &opt.graph.excludes, optarg);
            break;
        case 'E':
            opt.allow_python_env = 1;
            break;
        case 'g':
            opt.keep_symbols = 1;
            break;
        case 0x202:
            opt.no_sources = 1;
            break;
        case 0x203:
            opt.no_deep_freeze = 1;
            break;
        case 0x204:
            opt.deep_freeze_packages = 1;
            break;
        case 'n': {
            static const char *const modes[] = RT_NATIVE_MODE_NAMES;
            size_t k = 0;
            while (k < sizeof modes / sizeof *modes && strcmp(modes[k], optarg) != 0)
                k++;
            if (k == sizeof modes / sizeof *modes) {
                fz_error("--native '%s': expected auto, cache or memory", optarg);
                goto out;
            }
            opt.native_mode = (uint32_t)k;
            break;
        }
        case 'R':
            opt.report = optarg;
            break;
        case 'A':
            opt.app_version = optarg;
            break;
        case 'S':
            opt.sbom = optarg;
            break;
        case 'D': {
            const char *eq = strchr(optarg, '=');
            const char *dest = eq ? eq + 1 : NULL;
            if (!eq || eq == optarg || !*dest || dest[0] == '/' || strstr(dest, "..")
                || dest[strlen(dest) - 1] == '/') {
                fz_error("--include-data '%s': expected SRC=DEST, DEST a relative path in "
                         "the executable (like assets/logo.png or assets)", optarg);
                goto out;
            }
            char *src = fz_printf("%.*s", (int)(eq - optarg), optarg);
            int ok = access(src, R_OK) == 0;
            if (!ok)
                fz_error("--include-data '%s': cannot read '%s': %s", optarg, src,
                         strerror(errno));
            free(src);
            if (!ok)
                goto out;
            fz_strv_push(&opt.graph.include_data, optarg);
            break;
        }
        case 'X':
            if (!*optarg) {
                fz_error("--exclude-data needs a pattern (like '*.md' or 'pkg/docs/*')");
                goto out;
            }
            fz_strv_push(&opt.graph.exclude_data, optarg);
            break;
        case 'L':
            if (!*optarg || strchr(optarg, '/')) {
                fz_error("--allow-missing-lib '%s': expected a library's name, like "
                         "libfoo.so.1", optarg);
                goto out;
            }
            fz_strv_push(&opt.graph.allow_missing_libs, optarg);
            break;
        case 'v':
            fz_verbose = 1;
            break;
        case 'q':
            fz_quiet = 1;
            break;
        case 'O':
            /* -O, -OO (two of them), as python3.11 counts them. */
            if (opt.graph.optimize < 2)
                opt.graph.optimize++;
            break;
        case 0x201: /* --optimize=N: pyproject.toml's optimize key */
            if (strcmp(optarg, "0") != 0 && strcmp(optarg, "1") != 0
                && strcmp(optarg, "2") != 0) {
                fz_error("optimize '%s': must be 0, 1 or 2 (as -O and -OO)", optarg);
                goto out;
            }
            opt.graph.optimize = optarg[0] - '0';
            break;
        case 0x100 + GC_OPTION_ALLOCATOR:
        case 0x100 + GC_OPTION_GC:
        case 0x100 + GC_OPTION_GROWTH:
        case 0x100 + GC_OPTION_PAUSE_MS:
        case 0x100 + GC_OPTION_MEM_RELEASE:
            if (set_gc_option(&opt.gc, c - 0x100, optarg) < 0)
                goto out;
            break;
        case 'h':
            fputs(usage_text, stdout);
            fputs("\n", stdout);
            fputs(help_text, stdout);
            gc_options_help(stdout);
            fputs(help_tail, stdout);
            rc = 0;
            goto out;
        case ':':
            fz_error("build: option '%s' needs a value", argv[optind - 1]);
            fputs(usage_text, stderr);
            goto out;
        default:
            if (optopt)
                fz_error("build: unknown option '-%c'", optopt);
            else
                fz_error("build: unknown option '%s'", argv[optind - 1]);
            fputs(usage_text, stderr);
            goto out;
        }
    }
    if (entry_point && (run_module || optind != argc)) {
        fz_error("build: --entry-point %s and %s: give one of them", entry_point,
                 run_module ? "-m" : "a SCRIPT");
        fputs(usage_text, stderr);
        goto out;
    }
    char *ep_main = NULL;
    if (entry_point) {
        /* --entry-point NAME: the console script's module:attr, run as the
         * script pip or Debian writes for it runs it. */
        char *dist = NULL;
        char *value = find_console_script(entry_point, &dist);
        char *colon = value ? strchr(value, ':') : NULL;
        if (!value || !colon || colon == value || !colon[1]) {
            fz_error(value ? "--entry-point %s: '%s' is not module:attr (in %s)"
                           : "--entry-point %s: no installed distribution declares this "
                             "console script (searched the current directory and the site "
                             "directories)", entry_point, value ? value : "", dist ? dist : "");
            free(value);
            free(dist);
            rc = 1;
            goto out;
        }
        *colon = '\0';
        if (!valid_module_name(value) || !valid_module_name(colon + 1)) {
            fz_error("--entry-point %s: '%s:%s' in %s is not module:attr", entry_point, value,
                     colon + 1, dist);
            free(value);
            free(dist);
            rc = 1;
            goto out;
        }
        char *attr_head = fz_xstrdup(colon + 1);
        attr_head[strcspn(attr_head, ".")] = '\0';
        entry_module = fz_xstrdup(value);
        entry_attr = fz_xstrdup(attr_head);
        opt.graph.entry_module = entry_module;
        opt.graph.entry_attr = entry_attr;
        const char *attr_rest = strchr(colon + 1, '.') ? strchr(colon + 1, '.') : "";
        ep_main = fz_printf("# cryo build --entry-point %s (%s): run as its console script.\n"
                            "import sys\nfrom %s import %s as _entry\n"
                            "sys.exit(_entry%s())\n", entry_point, dist, value, attr_head,
                            attr_rest);
        free(attr_head);
        free(value);
        free(dist);
        run_module = entry_point; /* the same temporary main, below */
    }
    if (opt.no_deep_freeze && opt.deep_freeze_packages) {
        fz_error("build: --no-deep-freeze and --deep-freeze-packages contradict each other: "
                 "give one of them");
        fputs(usage_text, stderr);
        goto out;
    }
    if (run_module && optind != argc) {
        fz_error("build: -m %s and a SCRIPT ('%s'): give one of them", run_module, argv[optind]);
        fputs(usage_text, stderr);
        goto out;
    }
    if (!run_module && optind == argc && !from_pyproject && fz_is_file("pyproject.toml")) {
        fz_strv_free(&opt.graph.paths);
        fz_strv_free(&opt.graph.includes);
        fz_strv_free(&opt.graph.include_packages);
        fz_strv_free(&opt.graph.excludes);
        fz_strv_free(&opt.graph.allow_missing_libs);
        fz_strv_free(&opt.graph.include_data);
        fz_strv_free(&opt.graph.exclude_data);
        free(output);
        return build_from_pyproject(argc, argv);
    }
    if (!run_module && optind != argc - 1) {
        fz_error(optind == argc ? (from_pyproject ? "build: pyproject.toml's [tool.cryo] names no "
                                                    "script, module or entry-point"
                                                  : "build: no SCRIPT given (and no "
                                                    "pyproject.toml here)")
                                : "build: more than one SCRIPT given");
        fputs(usage_text, stderr);
        goto out;
    }
    const char *script = run_module ? NULL : argv[optind];
    if (run_module) {
        /* -m NAME: a small main that does what `python3.11 -m NAME` does
         * (runpy's _run_module_as_main: NAME's __main__ runs as __main__,
         * with its __spec__, sys.argv[0] its path), NAME packed whole, and
         * the current directory searched first, as python -m does. */
        const char *tmp = getenv("TMPDIR");
        snprintf(m_dir, sizeof m_dir, "%s/cryo-m-XXXXXX", tmp && *tmp ? tmp : "/tmp");
        if (!mkdtemp(m_dir)) {
            fz_error("cannot create a temporary directory in '%s': %s (set TMPDIR)",
                     tmp && *tmp ? tmp : "/tmp", strerror(errno));
            m_dir[0] = '\0';
            rc = 1;
            goto out;
        }
        /* Named so that no module of the program can be it. */
        m_script = fz_printf("%s/__cryo_main__.py", m_dir);
        char *src = ep_main ? ep_main
                            : fz_printf("# cryo build -m %s: run it as python3.11 -m would.\n"
                                        "import runpy\nrunpy._run_module_as_main(%s%s%s)\n",
                                        run_module, "'", run_module, "'");
        ep_main = NULL;
        FILE *f = fopen(m_script, "w");
        int ok = f && fputs(src, f) >= 0;
        ok = (f && fclose(f) == 0) && ok;
        free(src);
        if (!ok) {
            fz_error("cannot write '%s': %s", m_script, strerror(errno));
            rc = 1;
            goto out;
        }
        char cwd[PATH_MAX];
        if (!getcwd(cwd, sizeof cwd)) {
            fz_error("cannot read the current directory: %s", strerror(errno));
            rc = 1;
            goto out;
        }
        struct fz_strv paths = {0};
        fz_strv_push(&paths, cwd);
        for (size_t i = 0; i < opt.graph.paths.n; i++)
            fz_strv_push(&paths, opt.graph.paths.v[i]);
        fz_strv_free(&opt.graph.paths);
        opt.graph.paths = paths;
        if (!entry_point) {
            fz_strv_push(&opt.graph.includes, run_module);
            opt.graph.run_module = run_module;
        }
        script = m_script;
        if (!output) {
            const char *last = strrchr(run_module, '.');
            output = fz_printf("./%s", last ? last + 1 : run_module);
        }
    } else {
        if (access(script, F_OK) != 0) {
            fz_error("cannot read '%s': %s", script, strerror(errno));
            rc = 1;
            goto out;
        }
        if (fz_is_dir(script)) {
            /* A directory with __main__.py runs as `python3.11 DIR` runs it. */
            char *main_py = fz_printf("%s/__main__.py", script);
            if (!fz_is_file(main_py)) {
                fz_error("cannot freeze '%s': it is a directory without __main__.py; name the "
                         "script to run", script);
                free(main_py);
                rc = 1;
                goto out;
            }
            if (!output) {
                char *d = fz_xstrdup(script);
                size_t n = strlen(d);
                while (n > 1 && d[n - 1] == '/')
                    d[--n] = '\0';
                const char *base = strrchr(d, '/') ? strrchr(d, '/') + 1 : d;
                output = fz_printf("./%s", base);
                free(d);
            }
            m_script = main_py;
            script = m_script;
        }
        if (access(script, R_OK) != 0) {
            fz_error("cannot read '%s': %s", script, strerror(errno));
            rc = 1;
            goto out;
        }
    }
    opt.graph.script = script;
    if (!output)
        output = default_output(script);
    if (fz_is_dir(output) && (run_module || m_script) && !explicit_output) {
        /* -m pkg or DIR, built where the package or directory of that name
         * is: the executable cannot take its name. */
        char *alt = fz_printf("%s.bin", output);
        free(output);
        output = alt;
    }
    opt.output = output;
    rc = fz_build(&opt) == 0 ? 0 : 1;

out:
    free(output);
    fz_strv_free(&opt.graph.paths);
    fz_strv_free(&opt.graph.includes);
    fz_strv_free(&opt.graph.include_packages);
    fz_strv_free(&opt.graph.excludes);
    if (m_dir[0]) {
        if (m_script)
            unlink(m_script);
        rmdir(m_dir);
    }
    if (entry_point && !from_pyproject && Py_IsInitialized())
        fz_py_stop(); /* started to read pyproject.toml, not stopped by a build */
    free(m_script);
    free(entry_module);
    free(entry_attr);
    fz_strv_free(&opt.graph.allow_missing_libs);
    fz_strv_free(&opt.graph.include_data);
    fz_strv_free(&opt.graph.exclude_data);
    return rc;
}

static int cmd_inspect(int argc, char **argv)
{
    int as_json = 0;
    const char *path = NULL, *image = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--image") == 0) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                fz_error("inspect: --image needs an output file");
                fputs(usage_text, stderr);
                return EXIT_USAGE;
            }
            image = argv[++i];
            as_json = 3;
        } else if (strcmp(argv[i], "--json") == 0) {
            as_json = 1;
        } else if (strcmp(argv[i], "--sbom") == 0) {
            as_json = 2;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            fputs(inspect_help, stdout);
            return 0;
        } else if (argv[i][0] == '-' || path) {
            fz_error(argv[i][0] == '-' ? "inspect: unknown option '%s'"
                                       : "inspect: more than one APP given ('%s')", argv[i]);
            fputs(usage_text, stderr);
            return EXIT_USAGE;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        fz_error("inspect: no APP given");
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    return fz_inspect(path, as_json, image) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return EXIT_USAGE;
    }
    if (strcmp(argv[1], "help") == 0 && argc > 2 && strcmp(argv[2], "inspect") == 0) {
        fputs(inspect_help, stdout);
        return 0;
    }
    if (strcmp(argv[1], "help") == 0 && argc > 2 && strcmp(argv[2], "build") == 0) {
        char *h[] = {"build", "--help", NULL};
        return cmd_build(2, h);
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0
        || strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        fputs("\n", stdout);
        fputs(help_text, stdout);
        gc_options_help(stdout);
        fputs(help_tail, stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        /* The libpython programs are linked with: its kind is the word
         * after "libpython:" (tests read it). */
        if (CRYO_LIBPYTHON_A[0])
            printf("cryo %s (Python %s, libpython: debian, %s)\n", CRYO_VERSION_STRING,
                   CRYO_PYTHON_VERSION, CRYO_LIBPYTHON_A);
        else
            printf("cryo %s (Python %s, libpython: cryo, PGO+LTO, %s)\n", CRYO_VERSION_STRING,
                   CRYO_PYTHON_VERSION, CRYO_LIBPYTHON_DIR);
        return 0;
    }
    if (strcmp(argv[1], "build") == 0)
        return cmd_build(argc - 1, argv + 1);
    if (strcmp(argv[1], "inspect") == 0)
        return cmd_inspect(argc - 1, argv + 1);
    fz_error("unknown command '%s'", argv[1]);
    fputs(usage_text, stderr);
    return EXIT_USAGE;
}
