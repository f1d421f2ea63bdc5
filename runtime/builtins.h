/* builtins.h — builtin modules the runtime adds to libpython's own.
 *
 * One list, read by the runtime (to register them) and by the freezer (to
 * know that importing them needs no file).  X(name, init function).
 */
#ifndef CRYO_RT_BUILTINS_H
#define CRYO_RT_BUILTINS_H

#ifdef CRYO_OWN_LIBPYTHON
/* cryo's libpython has _contextvars itself, linked in when imported. */
#define RT_EXTRA_BUILTINS(X)                      \
    X("_cryo", rt_init_cryo_module)
#else
#define RT_EXTRA_BUILTINS(X)                      \
    X("_cryo", rt_init_cryo_module)              \
    X("_contextvars", rt_init_contextvars)
#endif

#endif
