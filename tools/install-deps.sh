#!/usr/bin/env bash
# Install everything cryo needs to build, run its tests and benchmarks, from
# Debian 12's own packages (run as root on a fresh machine; safe to re-run),
# then build cryo's own libpython once per machine (tools/libpython/build.py:
# about 5 to 8 minutes the first time, reused from its cache after that).
#
#   gcc, libc6-dev        the C compiler cryo drives to link frozen programs
#   meson, ninja-build,   the build
#   pkg-config
#   python3.11,           Debian's interpreter and its static libpython3.11.a:
#   libpython3.11-dev     what cryo compiles with (and, with -Dlibpython=debian,
#                         links into every program)
#   zlib1g-dev,           static libz.a and libexpat.a (libpython needs both;
#   libexpat1-dev         frozen programs carry them statically)
#   libarchive-dev        the payload writer
#   liblz4-dev            the freezer compresses payload members with it (frozen
#                         programs decode them with bootloader/payload.c, no liblz4)
#   libzstd-dev           native files' compression in the payload (static libzstd.a)
#   libcriterion-dev      unit tests
#   util-linux, binutils  end-to-end tests (setpriv, mount; objdump, readelf)
#   time                  /usr/bin/time, used by the benchmarks
#   valgrind              tests/gc: the arena allocator's unit tests run again
#                         under memcheck (test 'arena_valgrind'); and the
#                         start-up profile that orders frozen programs' text
#                         (tools/startup_order.py, run by the build)
#   libpython3.11-testsuite  CPython's own test suite (/usr/lib/python3.11/test/):
#                         tests/cpython freezes test_gc, test_weakref and
#                         test_finalization with cryo and compares with python3.11
#   make, dpkg-dev        cryo's libpython: CPython's build, apt-get source
#   libssl-dev libsqlite3-dev libffi-dev liblzma-dev libbz2-dev uuid-dev
#   libncurses-dev libcrypt-dev
#                         headers and static libraries of the standard
#                         library's extension modules (_ssl/_hashlib,
#                         _sqlite3, _ctypes, _lzma, _bz2, _uuid, _curses, _crypt)
#   libelf-dev            elfutils' libelf: the freezer reads which shared
#                         libraries an extension module needs (freezer/elfdeps.c)
#   lld                   LLVM's linker: links a frozen program in a third of
#                         GNU ld's time (freezer/cc.c)
#   python3-yaml          a Debian-built third-party extension module
#                         (_yaml), loaded by a frozen test program
#   python3-pygments python3-jinja2 python3-markupsafe python3-rich
#   python3-numpy python3-cryptography python3-requests python3-pandas
#   python3-pkg-resources
#                         third-party distributions the end-to-end tests
#                         freeze (tests/e2e/programs/tp_*.py)
#   clang-14 libclang-rt-14-dev
#                         libFuzzer and the sanitizers' runtimes: the fuzz
#                         harnesses (tests/fuzz)
#   python3-jsonschema    validates the SBOM against CycloneDX's schema
#                         (tests/e2e/test_cli_errors.py, tests/sbom_schema/)
set -euo pipefail
packages=(gcc libc6-dev meson ninja-build pkg-config python3.11 libpython3.11-dev
          zlib1g-dev libexpat1-dev libarchive-dev liblz4-dev libzstd-dev libcriterion-dev util-linux
          binutils time libpython3.11-testsuite valgrind make dpkg-dev
          libssl-dev libsqlite3-dev libffi-dev liblzma-dev libbz2-dev uuid-dev
          libncurses-dev libcrypt-dev lld libelf-dev python3-yaml
          python3-pygments python3-jinja2 python3-markupsafe python3-rich
          python3-numpy python3-cryptography python3-requests python3-pandas
          python3-pkg-resources
          python3-jsonschema clang-14
          libclang-rt-14-dev)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' \
        || missing+=("$p")
done
# CPython's source comes from Debian's source packages: apt-get source needs
# deb-src entries.
sources=/etc/apt/sources.list.d/debian.sources
need_update=0
if [ -f "$sources" ] && grep -q '^Types: deb$' "$sources"; then
    sed -i 's/^Types: deb$/Types: deb deb-src/' "$sources"
    need_update=1
fi
if ((${#missing[@]})) || ((need_update)); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
fi
if ((${#missing[@]})); then
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# With -Dlibpython=debian cryo needs none of it: CRYO_LIBPYTHON=debian skips it.
if [ "${CRYO_LIBPYTHON:-cryo}" != debian ]; then
    /usr/bin/python3.11 "$(dirname "$0")/libpython/build.py"
fi
