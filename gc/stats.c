/* stats.c — memory and collector statistics (gc_stats_*): the report
 * CRYO_STATS=1 prints on stderr at exit, and the dict _cryo.stats()
 * returns at run time.  Both show the same figures:
 *  - bytes in live blocks, now and at peak, by domain (mem, obj), small
 *    (arena) vs large (system), and by size class; pages in use, empty
 *    and kept, given back; arenas held, mapped and unmapped since start
 *    (gc_arena_python_stats: zero under --allocator=python);
 *  - collections by generation with total and longest pause, measured by
 *    cycle.c's hook around every collection CPython runs with callbacks;
 *  - the process's peak RSS (getrusage), for comparison with the above;
 *  - the program image's pages by segment kind: mapped, resident, written
 *    (image_pages.c).
 *
 * The exit report runs after Py_FinalizeEx, so it uses no Python API and
 * prints once, whichever exit path calls it first.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <sys/resource.h>

#include "gc_internal.h"

static const char *const policy_name[] = {"cryo", "python"};

static uint64_t peak_rss_bytes(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? (uint64_t)ru.ru_maxrss * 1024 : 0;
}

static double mib(uint64_t b)
{
    return (double)b / (1024.0 * 1024.0);
}

static double ms(uint64_t ns)
{
    return (double)ns / 1e6;
}

void gc_stats_at_exit(void)
{
    static int done;
    if (!gc_stats_enabled || done)
        return;
    done = 1;

    struct gc_arena_stats s;
    uint64_t cur[GC_NDOMAINS], peak[GC_NDOMAINS];
    gc_arena_python_stats(&s, cur, peak);
    FILE *f = stderr;
    fprintf(f, "cryo stats: allocator %s, gc %s (growth %g, pause target %g ms, "
               "mem release %ld KiB)%s\n",
            policy_name[gc_config_now.allocator & 1], policy_name[gc_config_now.policy & 1],
            gc_config_now.growth, gc_config_now.pause_ms, gc_config_now.mem_release_kib,
            gc_cycle_yielded ? ", thresholds set by the program" : "");
    fprintf(f, "  peak RSS %.1f MiB\n", mib(peak_rss_bytes()));
    struct gc_image_pages img;
    if (gc_image_pages(&img) == 0) {
        fprintf(f, "  image (KiB)     mapped   resident    written\n");
        for (int k = 0; k < GC_IMG_KINDS; k++)
            fprintf(f, "    %-8s %10.0f %10.0f %10.0f\n", gc_image_kind_names[k],
                    (double)img.bytes[k] / 1024, (double)img.resident[k] / 1024,
                    (double)img.written[k] / 1024);
    }
    if (gc_config_now.allocator == GC_ALLOCATOR_CRYO) {
        fprintf(f, "  memory (MiB)      current      peak\n");
        fprintf(f, "    mem domain   %10.2f %10.2f\n", mib(cur[GC_DOMAIN_MEM]),
                mib(peak[GC_DOMAIN_MEM]));
        fprintf(f, "    obj domain   %10.2f %10.2f\n", mib(cur[GC_DOMAIN_OBJ]),
                mib(peak[GC_DOMAIN_OBJ]));
        fprintf(f, "    small blocks %10.2f %10.2f\n", mib(s.small_current), mib(s.small_peak));
        fprintf(f, "    large (sys)  %10.2f %10.2f\n", mib(s.large_current), mib(s.large_peak));
        fprintf(f, "  size classes (bytes: current/peak KiB):");
        int col = 0;
        for (int c = 0; c < GC_NCLASSES; c++) {
            if (!s.class_peak[c])
                continue;
            fprintf(f, "%s %d:%.0f/%.0f", col++ % 6 ? "" : "\n   ", (c + 1) * GC_ALIGNMENT,
                    (double)s.class_current[c] / 1024, (double)s.class_peak[c] / 1024);
        }
        fprintf(f, "%s\n", col ? "" : " none");
        fprintf(f, "  pages: %llu in use, %llu empty kept, %llu given back now, "
                   "%llu give-backs (%llu system calls)\n",
                (unsigned long long)s.pages_in_use, (unsigned long long)s.pages_empty,
                (unsigned long long)s.pages_released, (unsigned long long)s.pages_released_total,
                (unsigned long long)s.release_calls);
        fprintf(f, "  arenas: %llu held, %llu mapped, %llu unmapped since start\n",
                (unsigned long long)s.arenas_current, (unsigned long long)s.arenas_mapped_total,
                (unsigned long long)s.arenas_unmapped_total);
    } else {
        fprintf(f, "  memory: CPython's pymalloc (per-domain figures need --allocator=cryo)\n");
    }
    fprintf(f, "  collections   count   total ms  longest ms\n");
    for (int g = 0; g < 3; g++) {
        const struct gc_gen_record *r = &gc_cycle_records[g];
        fprintf(f, "    gen %d   %9llu %10.1f %11.2f\n", g, (unsigned long long)r->collections,
                ms(r->total_ns), ms(r->longest_ns));
    }
    if (gc_cycle_full_requests)
        fprintf(f, "    (%llu full collections asked for by heap growth)\n",
                (unsigned long long)gc_cycle_full_requests);
    if (gc_cycle_tenured_bursts)
        fprintf(f, "    (%llu young collections sent their survivors past gen 1)\n",
                (unsigned long long)gc_cycle_tenured_bursts);
    if (gc_cycle_aging_passes || gc_cycle_aging_skipped)
        fprintf(f, "    (aging cohort: %llu rescanned by gen 1, %llu objects; "
                   "%llu promoted unscanned (over the cap, or backing off); %llu promoted dicts untracked)\n",
                (unsigned long long)gc_cycle_aging_passes,
                (unsigned long long)gc_cycle_aging_objects,
                (unsigned long long)gc_cycle_aging_skipped,
                (unsigned long long)gc_cycle_dicts_untracked);
}

/* ---- _cryo.stats() -------------------------------------------------- */

/* d[key] = PyLong(v); 0 or -1 with an exception set. */
static int put_u64(PyObject *d, const char *key, uint64_t v)
{
    PyObject *o = PyLong_FromUnsignedLongLong(v);
    int rc = o ? PyDict_SetItemString(d, key, o) : -1;
    Py_XDECREF(o);
    return rc;
}

static int put_obj(PyObject *d, const char *key, PyObject *o) /* steals o */
{
    int rc = o ? PyDict_SetItemString(d, key, o) : -1;
    Py_XDECREF(o);
    return rc;
}

static PyObject *cur_peak(uint64_t cur, uint64_t peak)
{
    return Py_BuildValue("{sKsK}", "current", (unsigned long long)cur, "peak",
                         (unsigned long long)peak);
}

struct _object *gc_stats_dict(void)
{
    struct gc_arena_stats s;
    uint64_t cur[GC_NDOMAINS], peak[GC_NDOMAINS];
    PyObject *d = PyDict_New(), *classes = NULL, *colls = NULL;
    if (!d)
        return NULL;
    gc_arena_python_stats(&s, cur, peak);

    if (put_obj(d, "allocator",
                PyUnicode_FromString(policy_name[gc_config_now.allocator & 1])) < 0
        || put_obj(d, "gc", PyUnicode_FromString(policy_name[gc_config_now.policy & 1])) < 0
        || put_obj(d, "config",
                   Py_BuildValue("{sdsdsl}", "gc_growth", gc_config_now.growth, "gc_pause_ms",
                                 gc_config_now.pause_ms, "mem_release_kib",
                                 gc_config_now.mem_release_kib)) < 0
        || put_obj(d, "thresholds_set_by_program", PyBool_FromLong(gc_cycle_yielded)) < 0
        || put_u64(d, "peak_rss", peak_rss_bytes()) < 0
        || put_u64(d, "heap", gc_arena_heap_bytes()) < 0
        || put_obj(d, "mem", cur_peak(cur[GC_DOMAIN_MEM], peak[GC_DOMAIN_MEM])) < 0
        || put_obj(d, "obj", cur_peak(cur[GC_DOMAIN_OBJ], peak[GC_DOMAIN_OBJ])) < 0
        || put_obj(d, "small", cur_peak(s.small_current, s.small_peak)) < 0
        || put_obj(d, "large", cur_peak(s.large_current, s.large_peak)) < 0
        || put_obj(d, "pages",
                   Py_BuildValue("{sKsKsKsKsK}", "in_use", (unsigned long long)s.pages_in_use,
                                 "empty", (unsigned long long)s.pages_empty, "released",
                                 (unsigned long long)s.pages_released, "released_total",
                                 (unsigned long long)s.pages_released_total, "release_calls",
                                 (unsigned long long)s.release_calls)) < 0
        || put_obj(d, "arenas",
                   Py_BuildValue("{sKsKsK}", "current", (unsigned long long)s.arenas_current,
                                 "mapped_total", (unsigned long long)s.arenas_mapped_total,
                                 "unmapped_total",
                                 (unsigned long long)s.arenas_unmapped_total)) < 0)
        goto error;

    classes = PyDict_New();
    if (!classes)
        goto error;
    for (int c = 0; c < GC_NCLASSES; c++) {
        if (!s.class_peak[c])
            continue;
        PyObject *k = PyLong_FromLong((c + 1) * GC_ALIGNMENT);
        PyObject *v = cur_peak(s.class_current[c], s.class_peak[c]);
        int rc = k && v ? PyDict_SetItem(classes, k, v) : -1;
        Py_XDECREF(k);
        Py_XDECREF(v);
        if (rc < 0)
            goto error;
    }
    if (PyDict_SetItemString(d, "size_classes", classes) < 0)
        goto error;

    colls = PyList_New(0);
    if (!colls)
        goto error;
    for (int g = 0; g < 3; g++) {
        const struct gc_gen_record *r = &gc_cycle_records[g];
        PyObject *e = gc_cycle_hooked
            ? Py_BuildValue("{sKsdsd}", "collections", (unsigned long long)r->collections,
                            "total_ms", ms(r->total_ns), "longest_ms", ms(r->longest_ns))
            : Py_BuildValue("{sOsOsO}", "collections", Py_None, "total_ms", Py_None,
                            "longest_ms", Py_None);
        int rc = e ? PyList_Append(colls, e) : -1;
        Py_XDECREF(e);
        if (rc < 0)
            goto error;
    }
    struct gc_image_pages img;
    if (gc_image_pages(&img) == 0) {
        PyObject *im = PyDict_New();
        if (!im || PyDict_SetItemString(d, "image", im) < 0) {
            Py_XDECREF(im);
            goto error;
        }
        Py_DECREF(im); /* d holds it */
        for (int k = 0; k < GC_IMG_KINDS; k++)
            if (put_obj(im, gc_image_kind_names[k],
                        Py_BuildValue("{sKsKsK}", "bytes", (unsigned long long)img.bytes[k],
                                      "resident", (unsigned long long)img.resident[k],
                                      "written", (unsigned long long)img.written[k])) < 0)
                goto error;
    }
    if (PyDict_SetItemString(d, "collections", colls) < 0
        || put_u64(d, "full_collections_for_growth", gc_cycle_full_requests) < 0
        || put_u64(d, "young_bursts_tenured", gc_cycle_tenured_bursts) < 0
        || put_obj(d, "aging_cohort",
                   Py_BuildValue("{sKsKsKsK}", "rescans",
                                 (unsigned long long)gc_cycle_aging_passes, "objects",
                                 (unsigned long long)gc_cycle_aging_objects,
                                 "promoted_unscanned",
                                 (unsigned long long)gc_cycle_aging_skipped, "dicts_untracked",
                                 (unsigned long long)gc_cycle_dicts_untracked)) < 0)
        goto error;
    Py_DECREF(classes);
    Py_DECREF(colls);
    return d;

error:
    Py_XDECREF(classes);
    Py_XDECREF(colls);
    Py_DECREF(d);
    return NULL;
}
