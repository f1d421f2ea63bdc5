/* stage.h — what the two pages of the first stage share (stage_first.c,
 * payload_format.h).  stage_first.c is the first page: it must do all it
 * does before the file is known whole without touching the second, which a
 * file cut at 4096 bytes does not have; stage_rest.c is the second. */
#ifndef CRYO_STAGE_H
#define CRYO_STAGE_H

#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "trailer_codec.h"

#if !defined(__x86_64__)
#error "the first stage is written for x86-64 Linux"
#endif

#define CHUNK (BL_SUM_GROUP * 170) /* 4080 bytes, whole checksum groups */
#define STAGE_MAGIC 0x43525953u

struct ctx {
    uint32_t magic; /* STAGE_MAGIC: the fault handler checks it is reading a ctx */
    const char *me;
    const char *path;
    int fd;
    int hw;
    uint32_t table[256];
    unsigned char head[CHUNK]; /* the image's first bytes: ELF and program headers */
};

void *memcpy(void *d, const void *s, size_t n);
void *memset(void *d, int c, size_t n);
long stage_sc(long n, long a, long b, long c, long d, long e, long f);
#define SC3(n, a, b, c) stage_sc(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
__attribute__((noreturn)) void stage_die(const char *me, const char *path, const char *what,
                                         int io);
__attribute__((noreturn)) void stage_refuse(const char *me, const char *path, enum bl_err err);
#define refuse(c, err) stage_refuse((c)->me, (c)->path, (err))
int stage_pread_all(int fd, void *buf, size_t len, uint64_t off);
/* Put the default action back on the signals the first page caught. */
void stage_default_handlers(void);
/* The second page: guards, the image and the loader mapped, the auxiliary
 * vector rewritten; the loader's entry point. */
uintptr_t stage_rest(struct ctx *c, const struct bl_trailer *t, Elf64_auxv_t *auxv);

#endif
