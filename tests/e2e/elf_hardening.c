/* elf_hardening.c — what an executable's ELF says of its hardening, read
 * with libelf (not from a tool's printed output), for
 * tests/e2e/test_hardening.py.
 *
 *     elf_hardening dynamic FILE   cryo itself, or a frozen program's image
 *     elf_hardening stage FILE     a frozen program as the kernel sees it
 *
 * One line per property, "<property>: yes|no (<why>)"; exit status 1 if any
 * is missing, 2 if FILE is not an ELF file.
 *   dynamic: NX (a non-executable PT_GNU_STACK, no segment both writable
 *   and executable), full RELRO (PT_GNU_RELRO and BIND_NOW), the stack
 *   protector (__stack_chk_fail imported), _FORTIFY_SOURCE (some __*_chk
 *   function imported);
 *   stage: NX as above, and nothing writable at all, no interpreter, no
 *   dynamic section (the first stage must need nothing). */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int missing;

static void say(const char *what, int ok, const char *why)
{
    printf("%s: %s (%s)\n", what, ok ? "yes" : "no", why);
    if (!ok)
        missing = 1;
}

int main(int argc, char **argv)
{
    if (argc != 3 || (strcmp(argv[1], "dynamic") != 0 && strcmp(argv[1], "stage") != 0)) {
        fprintf(stderr, "usage: elf_hardening dynamic|stage FILE\n");
        return 2;
    }
    int stage = strcmp(argv[1], "stage") == 0;
    int fd = open(argv[2], O_RDONLY);
    if (fd < 0 || elf_version(EV_CURRENT) == EV_NONE) {
        perror(argv[2]);
        return 2;
    }
    Elf *elf = elf_begin(fd, ELF_C_READ, NULL);
    size_t nph = 0;
    if (!elf || elf_kind(elf) != ELF_K_ELF || elf_getphdrnum(elf, &nph) != 0) {
        fprintf(stderr, "%s: not an ELF file\n", argv[2]);
        return 2;
    }
    int gnu_stack = 0, stack_exec = 0, wx = 0, writable = 0, relro = 0, interp = 0, dynamic = 0;
    for (size_t i = 0; i < nph; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph))
            continue;
        if (ph.p_type == PT_GNU_STACK) {
            gnu_stack = 1;
            stack_exec = (ph.p_flags & PF_X) != 0;
        }
        if (ph.p_type == PT_LOAD && (ph.p_flags & PF_W) && (ph.p_flags & PF_X))
            wx = 1;
        if (ph.p_type == PT_LOAD && (ph.p_flags & PF_W))
            writable = 1;
        relro |= ph.p_type == PT_GNU_RELRO;
        interp |= ph.p_type == PT_INTERP;
        dynamic |= ph.p_type == PT_DYNAMIC;
    }
    say("NX", gnu_stack && !stack_exec && !wx,
        !gnu_stack ? "no PT_GNU_STACK" : stack_exec ? "executable stack"
        : wx ? "a segment both writable and executable" : "stack and segments");
    if (stage) {
        say("nothing writable", !writable, "PT_LOAD flags");
        say("no interpreter, no dynamic section", !interp && !dynamic, "PT_INTERP, PT_DYNAMIC");
        elf_end(elf);
        close(fd);
        return missing;
    }

    int now = 0, ssp = 0, fortify = 0;
    char fortified[128] = "none";
    for (Elf_Scn *s = elf_nextscn(elf, NULL); s; s = elf_nextscn(elf, s)) {
        GElf_Shdr sh;
        if (!gelf_getshdr(s, &sh))
            continue;
        Elf_Data *d = elf_getdata(s, NULL);
        if (!d)
            continue;
        if (sh.sh_type == SHT_DYNAMIC) {
            for (size_t k = 0; k < sh.sh_size / sh.sh_entsize; k++) {
                GElf_Dyn dyn;
                if (!gelf_getdyn(d, (int)k, &dyn))
                    continue;
                now |= dyn.d_tag == DT_BIND_NOW
                       || (dyn.d_tag == DT_FLAGS && (dyn.d_un.d_val & DF_BIND_NOW))
                       || (dyn.d_tag == DT_FLAGS_1 && (dyn.d_un.d_val & DF_1_NOW));
            }
        }
        if (sh.sh_type == SHT_DYNSYM) {
            for (size_t k = 0; k < sh.sh_size / sh.sh_entsize; k++) {
                GElf_Sym sym;
                if (!gelf_getsym(d, (int)k, &sym) || sym.st_shndx != SHN_UNDEF)
                    continue;
                const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
                if (!name)
                    continue;
                size_t n = strlen(name);
                if (strcmp(name, "__stack_chk_fail") == 0)
                    ssp = 1;
                else if (n > 6 && strncmp(name, "__", 2) == 0 && strcmp(name + n - 4, "_chk") == 0
                         && !fortify) {
                    fortify = 1;
                    snprintf(fortified, sizeof fortified, "imports %s", name);
                }
            }
        }
    }
    say("full RELRO", relro && now, !relro ? "no PT_GNU_RELRO" : now ? "PT_GNU_RELRO, BIND_NOW"
                                                                     : "lazy binding");
    say("stack protector", ssp, ssp ? "imports __stack_chk_fail" : "no __stack_chk_fail");
    say("_FORTIFY_SOURCE", fortify, fortified);
    elf_end(elf);
    close(fd);
    return missing;
}
