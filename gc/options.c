/* options.c — the gc component's options: one table, read once.
 *
 * Each option has a built-in default, which `cryo build --FLAG` may change
 * for one program (written into the generated module table as a struct
 * gc_config, a negative field meaning "built-in"), which a CRYO_*
 * environment variable may change for one run.  They are cryo's own, so
 * they are read even though PYTHON* variables are ignored.  A bad value
 * (not a number, trailing junk, out of range) is never used: one warning
 * on stderr names the variable, the value and the default used instead.
 * An empty variable counts as unset.
 *
 * This file needs neither Python nor the rest of gc/: the freezer links it
 * to check `cryo build`'s flags with the same rules.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gc_internal.h"

static const char *const kinds[] = {"cryo", "python", NULL};

const struct gc_option gc_options[GC_NOPTIONS] = {
    [GC_OPTION_ALLOCATOR] = {"CRYO_ALLOCATOR", "allocator", GC_OPT_CHOICE, 0, 0, 1, kinds,
                             "small-object allocator: cryo (gc/arena.c) or python "
                             "(CPython's pymalloc)"},
    [GC_OPTION_GC] = {"CRYO_GC", "gc", GC_OPT_CHOICE, 0, 0, 1, kinds,
                      "collector policy: cryo (gc/cycle.c) or python (CPython's "
                      "thresholds, nothing frozen)"},
    [GC_OPTION_GROWTH] = {"CRYO_GC_GROWTH", "gc-growth", GC_OPT_RATIO, 0.5, 0.05, 100.0, NULL,
                          "full collection once the heap has grown by this ratio since "
                          "the last one (0.5: by half; 1.0: doubled)"},
    [GC_OPTION_PAUSE_MS] = {"CRYO_GC_PAUSE_MS", "gc-pause-ms", GC_OPT_MS, 10.0, 0.0, 60000.0,
                            NULL,
                            "target for one young collection, in ms: younger generations "
                            "are collected more often to keep under it (0: no target)"},
    /* 256 KiB: measured on the phased workload, 1024 left the end RSS at
     * 0.603x python3.11's against 0.599x, with no difference in time and
     * page give-backs within 2% (system calls +16%). */
    [GC_OPTION_MEM_RELEASE] = {"CRYO_MEM_RELEASE", "mem-release", GC_OPT_KIB, 256.0, 0.0,
                               16777216.0, NULL,
                               "KiB of empty pages kept for reuse before pages are given "
                               "back to the system (0: at once)"},
    [GC_OPTION_STATS] = {"CRYO_STATS", NULL, GC_OPT_BOOL, 0.0, 0.0, 1.0, NULL,
                         "1: print memory and collector statistics on stderr at exit"},
};

void gc_option_format(const struct gc_option *o, double v, char *buf, size_t n)
{
    switch (o->kind) {
    case GC_OPT_CHOICE:
        snprintf(buf, n, "%s", o->choices[(int)v]);
        break;
    case GC_OPT_KIB:
    case GC_OPT_BOOL:
        snprintf(buf, n, "%.0f", v);
        break;
    default:
        snprintf(buf, n, "%g", v);
        if (!strpbrk(buf, ".e") && strlen(buf) + 2 < n)
            strcat(buf, ".0");
        break;
    }
}

static void range_reason(const struct gc_option *o, char *why, size_t n)
{
    char lo[32], hi[32];
    gc_option_format(o, o->min, lo, sizeof lo);
    gc_option_format(o, o->max, hi, sizeof hi);
    snprintf(why, n, "out of range %s..%s", lo, hi);
}

int gc_option_parse(const struct gc_option *o, const char *text, double *out, char *why,
                    size_t whylen)
{
    if (o->kind == GC_OPT_CHOICE || o->kind == GC_OPT_BOOL) {
        static const char *const yes[] = {"1", "yes", "on", "true", NULL};
        static const char *const no[] = {"0", "no", "off", "false", NULL};
        if (o->kind == GC_OPT_CHOICE) {
            for (int i = 0; o->choices[i]; i++)
                if (strcmp(text, o->choices[i]) == 0) {
                    *out = i;
                    return 0;
                }
            snprintf(why, whylen, "not one of cryo, python");
            return -1;
        }
        for (int i = 0; yes[i]; i++) {
            if (strcasecmp(text, yes[i]) == 0) {
                *out = 1;
                return 0;
            }
            if (strcasecmp(text, no[i]) == 0) {
                *out = 0;
                return 0;
            }
        }
        snprintf(why, whylen, "not 0 or 1");
        return -1;
    }

    /* Numbers: plain decimal, nothing before or after; strtod alone would
     * accept leading blanks, "inf", "nan" and hexadecimal. */
    const char *p = text;
    if (*p == '+' || *p == '-')
        p++;
    if (!isdigit((unsigned char)*p) && !(*p == '.' && isdigit((unsigned char)p[1]))) {
        snprintf(why, whylen, "not a number");
        return -1;
    }
    for (const char *q = p; *q; q++)
        if (!isdigit((unsigned char)*q) && !strchr(".eE+-", *q)) {
            snprintf(why, whylen, "not a number");
            return -1;
        }
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || *end != '\0') {
        snprintf(why, whylen, "not a number");
        return -1;
    }
    if (o->kind == GC_OPT_KIB && strpbrk(text, ".eE")) {
        snprintf(why, whylen, "not a whole number of KiB");
        return -1;
    }
    if (errno == ERANGE || !isfinite(v) || v < o->min || v > o->max) {
        range_reason(o, why, whylen);
        return -1;
    }
    *out = v;
    return 0;
}

/* The build's value of option i, or -1 for "built-in default". */
static double build_value(const struct gc_config *b, int i)
{
    switch (i) {
    case GC_OPTION_ALLOCATOR: return b->allocator;
    case GC_OPTION_GC: return b->policy;
    case GC_OPTION_GROWTH: return b->growth;
    case GC_OPTION_PAUSE_MS: return b->pause_ms;
    case GC_OPTION_MEM_RELEASE: return (double)b->mem_release_kib;
    default: return -1;
    }
}

int gc_options_read(const struct gc_config *build, struct gc_config *out, int *stats,
                    FILE *warn)
{
    double v[GC_NOPTIONS];
    int warnings = 0;

    for (int i = 0; i < GC_NOPTIONS; i++) {
        const struct gc_option *o = &gc_options[i];
        double b = build ? build_value(build, i) : -1;
        /* A build value outside the range cannot come from `cryo build`,
         * which checks it; treat it as "built-in" rather than trust it. */
        v[i] = b >= o->min && b <= o->max ? b : o->def;
        const char *text = getenv(o->env);
        if (!text || !*text)
            continue;
        double parsed;
        char why[64], def[32];
        if (gc_option_parse(o, text, &parsed, why, sizeof why) == 0) {
            v[i] = parsed;
            continue;
        }
        gc_option_format(o, v[i], def, sizeof def);
        if (warn)
            fprintf(warn, "cryo: warning: %s='%.40s%s' is %s; using the default, %s\n", o->env, text,
                    strlen(text) > 40 ? "..." : "", why, def);
        warnings++;
    }
    out->allocator = (int)v[GC_OPTION_ALLOCATOR];
    out->policy = (int)v[GC_OPTION_GC];
    out->growth = v[GC_OPTION_GROWTH];
    out->pause_ms = v[GC_OPTION_PAUSE_MS];
    out->mem_release_kib = (long)v[GC_OPTION_MEM_RELEASE];
    *stats = (int)v[GC_OPTION_STATS];
    return warnings;
}

/* `cryo build --help`'s lines for the options that have a flag, from the
 * table, so that the defaults and ranges printed are the ones in force. */
void gc_options_help(FILE *f)
{
    for (int i = 0; i < GC_NOPTIONS; i++) {
        const struct gc_option *o = &gc_options[i];
        char head[64], def[32], lo[32], hi[32];
        if (!o->flag)
            continue;
        if (o->kind == GC_OPT_CHOICE) {
            size_t n = (size_t)snprintf(head, sizeof head, "--%s=", o->flag);
            for (int k = 0; o->choices[k] && n < sizeof head; k++)
                n += (size_t)snprintf(head + n, sizeof head - n, "%s%s", k ? "|" : "",
                                      o->choices[k]);
        } else {
            snprintf(head, sizeof head, "--%s=%s", o->flag,
                     o->kind == GC_OPT_KIB ? "KIB" : o->kind == GC_OPT_MS ? "MS" : "R");
        }
        gc_option_format(o, o->def, def, sizeof def);
        gc_option_format(o, o->min, lo, sizeof lo);
        gc_option_format(o, o->max, hi, sizeof hi);
        char text[512];
        if (o->kind == GC_OPT_CHOICE)
            snprintf(text, sizeof text, "%s (default %s) [%s]", o->doc, def, o->env);
        else
            snprintf(text, sizeof text, "%s (%s..%s, default %s) [%s]", o->doc, lo, hi, def,
                     o->env);
        /* As the other options of --help: text from column 28, wrapped
         * at 78. */
        size_t col = (size_t)fprintf(f, "  %-26s", head);
        if (col > 28) {
            fprintf(f, "\n%28s", "");
            col = 28;
        }
        int first = 1;
        for (const char *w = text; *w;) {
            size_t len = strcspn(w, " ");
            if (!first && col + 1 + len > 78) {
                fprintf(f, "\n%28s", "");
                col = 28;
            } else if (!first) {
                fputc(' ', f);
                col++;
            }
            fprintf(f, "%.*s", (int)len, w);
            col += len;
            first = 0;
            w += len;
            while (*w == ' ')
                w++;
        }
        fputc('\n', f);
    }
}
