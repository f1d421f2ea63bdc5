/* log.c — the bootloader's debug log (see bl_log in bootloader.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "bootloader.h"

int bl_debug;

void bl_log_init(void)
{
    const char *v = getenv("CRYO_DEBUG");
    bl_debug = v && *v && *v != '0';
}

void bl_log_(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("cryo[debug]: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}
