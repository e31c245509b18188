#!/bin/sh
# Quick start, step 2: run the whole test suite (unit and CLI tests on real
# binaries from gcc, clang/lld, gold, mold, musl-gcc, Go and cross compilers
# run under qemu-user): once built with ASan and UBSan, once under valgrind,
# once as an ordinary user (when run as root), then make distcheck, then
# each fuzz target briefly (make fuzz-smoke, with clang).
# The last line is "N passed, N failed, N skipped"; exit 0 only when nothing
# failed.
set -u
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh --with-tests || exit 1
autoreconf -fi >/dev/null 2>&1 || { echo "autoreconf failed" >&2; exit 1; }
# Every fixture and tool the suite names must be here: a missing one fails.
export IFX_REQUIRE_FIXTURES=1
status=0
jobs=$(nproc)
top=$(pwd)
dirs="build-test build-valgrind"

run_in() { # DIR CONFIGURE-FLAGS... : configure out of tree and make check
	dir=$1
	shift
	rm -rf "$dir" && mkdir -p "$dir" && cd "$dir" || return 1
	../configure -q "$@" && make -s -j"$jobs" && make -s -j"$jobs" check
	rc=$?
	cd "$top"
	return $rc
}

# The suite as an ordinary user, on a copy of the tree that user owns, with
# a HOME that does not exist (caches belong in the build tree). Root-only
# cases must say "SKIP: needs root", never FAIL and never pass silently.
run_as_user() { # USER GROUP
	copy=$(mktemp -d /tmp/interpfix-user.XXXXXX) || return 1
	# the source tree without its build directories (those with a config.status)
	excludes="--exclude=./.git"
	for d in */config.status; do
		[ -f "$d" ] && excludes="$excludes --exclude=./${d%/config.status}"
	done
	# shellcheck disable=SC2086
	tar -cf - $excludes . | tar -C "$copy" -xf - &&
		mkdir "$copy/build-user" && chown -R "$1:$2" "$copy" && chmod 755 "$copy" || return 1
	setpriv --reuid="$1" --regid="$2" --clear-groups \
		env HOME=/nonexistent TMPDIR=/tmp IFX_REQUIRE_FIXTURES=1 \
		sh -c "cd '$copy/build-user' && ../configure -q && make -s -j$jobs && make -s -j$jobs check"
	rc=$?
	# keep the results (.trs, .log) for the summary, not the build
	rm -rf build-user && mkdir build-user &&
		(cd "$copy/build-user" && find . -name '*.trs' -o -name '*.log' | tar -cf - -T -) |
		tar -C build-user -xf -
	rm -rf "$copy"
	return $rc
}

echo "== make check, ASan + UBSan, -Werror"
run_in build-test --enable-werror --enable-sanitizers || status=1
echo "== make check under valgrind"
run_in build-valgrind --enable-valgrind || status=1
if [ "$(id -u)" = 0 ]; then
	echo "== make check as nobody"
	run_as_user nobody nogroup || status=1
	dirs="$dirs build-user"
fi
echo "== make distcheck"
(cd build-test && make -s distcheck >distcheck.log 2>&1) || { status=1; tail -40 build-test/distcheck.log; }
echo "== make fuzz-smoke"
(cd build-test && FUZZ_SECONDS=${FUZZ_SECONDS:-30} make -s fuzz-smoke) || status=1
# The closing line CI reads: "N passed, N failed".
# shellcheck disable=SC2086
sh scripts/test-summary.sh $dirs || status=1
exit $status
