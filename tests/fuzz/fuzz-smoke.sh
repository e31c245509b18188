#!/bin/sh
# make fuzz-smoke: build each libFuzzer target in tests/fuzz/ with the whole
# library compiled in and instrumented (clang, ASan, UBSan), seed it with
# real binaries and archives made here by real tools, and run it for
# FUZZ_SECONDS (default 30). A crash, leak, timeout or out-of-memory fails.
# Usage: fuzz-smoke.sh SRCDIR BUILDDIR   (FUZZ_CFLAGS, FUZZ_LIBS from make)
set -eu
SRC=$1
BUILD=$2
CC=${FUZZ_CC:-clang}
SECONDS_EACH=${FUZZ_SECONDS:-30}
OUT=$BUILD/tests/fuzz
if ! command -v "$CC" >/dev/null 2>&1 || ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
	"$CC" -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null; then
	echo "fuzz-smoke: SKIP: needs $CC with libFuzzer (-fsanitize=fuzzer)"
	exit 0
fi
mkdir -p "$OUT"
W=$(mktemp -d "${TMPDIR:-/tmp}/ifx-fuzz.XXXXXX")
trap 'rm -rf "$W"' EXIT

# Seeds: a gcc program naming Linuxbrew's loader, the host's own /bin/true,
# and archives of it made by zip and GNU tar.
mkdir -p "$W/seed-plan" "$W/seed-archive" "$W/pkg/bin"
cc -o "$W/seed-plan/brew" -Wl,--dynamic-linker=/home/linuxbrew/.linuxbrew/lib/ld.so "$SRC/samples/hello.c"
[ -f /usr/bin/true ] && cp /usr/bin/true "$W/seed-plan/true"
cp "$W/seed-plan/brew" "$W/pkg/bin/hello"
echo notes >"$W/pkg/README"
(cd "$W/pkg" && tar -cf "$W/seed-archive/a.tar" . && tar -czf "$W/seed-archive/a.tgz" . &&
	tar --format=pax -cJf "$W/seed-archive/a.txz" .)
if command -v zip >/dev/null 2>&1; then
	(cd "$W/pkg" && zip -q -r "$W/seed-archive/a.zip" .)
fi

for t in plan archive; do
	# shellcheck disable=SC2046,SC2086
	"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -w \
		-DIFX_BUILDING_LIBRARY -I"$BUILD" -I"$SRC/include" -I"$SRC/src/lib" ${FUZZ_CFLAGS:-} \
		$(find "$SRC/src/lib" -name '*.c' | sort) "$SRC/tests/fuzz/fuzz-$t.c" \
		${FUZZ_LIBS:-} -o "$OUT/fuzz-$t"
	mkdir -p "$OUT/corpus-$t"
	cp "$W/seed-$t/"* "$OUT/corpus-$t/"
	echo "fuzz-smoke: fuzz-$t for ${SECONDS_EACH}s"
	(cd "$OUT" && ./"fuzz-$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -timeout=20 \
		-print_final_stats=1 "corpus-$t" >"fuzz-$t.log" 2>&1) || {
		tail -n 40 "$OUT/fuzz-$t.log"
		echo "fuzz-smoke: fuzz-$t FAILED (the input is in $OUT)"
		exit 1
	}
	grep -E '^stat::number_of_executed_units' "$OUT/fuzz-$t.log" | sed "s/^/fuzz-smoke: fuzz-$t: /"
done
echo "fuzz-smoke: no crash, leak, timeout or out-of-memory"
