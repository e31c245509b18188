#!/bin/sh
# Quick start, step 2: run the whole test suite (unit and CLI tests on real
# binaries from gcc, clang/lld, gold, mold, musl-gcc, Go and cross compilers
# run under qemu-user): once built with ASan and UBSan, once under valgrind,
# then make distcheck.
set -u
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh --with-tests || exit 1
autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed" >&2; exit 1; }
export IFX_REQUIRE_FIXTURES=1
status=0
jobs=$(nproc)

run_in() { # DIR CONFIGURE-FLAGS... : configure out of tree and make check
	dir=$1
	shift
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || return 1
	../configure -q "$@" && make -s -j"$jobs" && make -s -j"$jobs" check
	rc=$?
	cd ..
	return $rc
}

echo "== make check, ASan + UBSan, -Werror"
run_in build-test --enable-werror --enable-sanitizers || status=1
echo "== make check under valgrind"
run_in build-valgrind --enable-valgrind || status=1
echo "== make distcheck"
(cd build-test && make -s distcheck >distcheck.log 2>&1) || { status=1; tail -40 build-test/distcheck.log; }
# The closing line CI reads: "N passed, N failed".
sh scripts/test-summary.sh build-test build-valgrind || status=1
exit $status
