#!/usr/bin/env bash
# Install everything cryo needs to build, run its tests and benchmarks, from
# Debian 12's own packages (run as root on a fresh machine; safe to re-run).
#
#   gcc, libc6-dev        the C compiler cryo drives to link frozen programs
#   meson, ninja-build,   the build
#   pkg-config
#   python3.11,           Debian's interpreter and its static libpython3.11.a:
#   libpython3.11-dev     what cryo compiles with and links into every program
#   zlib1g-dev,           static libz.a and libexpat.a (libpython needs both;
#   libexpat1-dev         frozen programs carry them statically)
#   libarchive-dev        the payload writer
#   liblz4-dev            payload members' compression (static liblz4.a)
#   libcriterion-dev      unit tests
#   util-linux, binutils  end-to-end tests (setpriv, mount; objdump, readelf)
#   time                  /usr/bin/time, used by the benchmarks
#   valgrind              tests/gc: the arena allocator's unit tests run again
#                         under memcheck (test 'arena_valgrind')
#   libpython3.11-testsuite  CPython's own test suite (/usr/lib/python3.11/test/):
#                         tests/cpython freezes test_gc, test_weakref and
#                         test_finalization with cryo and compares with python3.11
set -euo pipefail
packages=(gcc libc6-dev meson ninja-build pkg-config python3.11 libpython3.11-dev
          zlib1g-dev libexpat1-dev libarchive-dev liblz4-dev libcriterion-dev util-linux
          binutils time libpython3.11-testsuite valgrind)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' \
        || missing+=("$p")
done
if ((${#missing[@]})); then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
