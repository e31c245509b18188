#!/bin/sh
# Quick start, step 2: run the whole test suite (unit and CLI tests on real
# binaries from gcc, clang/lld, gold, mold, musl-gcc, Go and cross compilers),
# built with ASan and UBSan, then the distribution check.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh --with-tests
autoreconf -fi >/dev/null 2>&1
mkdir -p build-test
cd build-test
../configure -q --enable-werror --enable-sanitizers
export IFX_REQUIRE_FIXTURES=1
status=0
make -s -j"$(nproc)" check || status=$?
# The closing line CI reads: "N passed, N failed".
sh ../scripts/test-summary.sh . || status=1
exit $status
