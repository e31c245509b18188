#!/bin/sh
# make fuzz-smoke: build each libFuzzer target in tests/fuzz/ with the whole
# library compiled in and instrumented (clang, ASan, UBSan), seed it with
# real binaries, archives and ld.so caches made here by real tools, and run
# it for FUZZ_SECONDS (default 30). A crash, leak, timeout, out-of-memory or
# broken invariant (abort) fails; every target runs, the input is kept.
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

# Seeds of plan and archive: a gcc program naming Linuxbrew's loader, the
# host's own /bin/true, and archives of it made by zip and GNU tar.
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

# build-fixtures.sh's real binaries, when they were built (make check)
FIX=$BUILD/tests/fixtures/out
# fixtures DIR NAME...: copy those of NAME the fixtures' MANIFEST lists to DIR
fixtures() {
	dest=$1
	shift
	[ -f "$FIX/MANIFEST" ] || return 0
	for n in "$@"; do
		if cut -f1 "$FIX/MANIFEST" | grep -qxF "$n" && [ -f "$FIX/$n" ]; then
			cp "$FIX/$n" "$dest/"
		fi
	done
}

# strip_shdrs FILE: zero e_shoff and e_shnum/e_shstrndx, as sstrip leaves a
# file (the offsets are the ELF class's; zeros need no byte order)
strip_shdrs() {
	case $(od -An -tu1 -j4 -N1 "$1" | tr -d ' ') in
	2) shoff=40 shoff_len=8 shnum=60 ;;
	*) shoff=32 shoff_len=4 shnum=48 ;;
	esac
	head -c "$shoff_len" /dev/zero | dd of="$1" bs=1 seek="$shoff" conv=notrunc 2>/dev/null
	head -c 4 /dev/zero | dd of="$1" bs=1 seek="$shnum" conv=notrunc 2>/dev/null
}

# Seeds of inspect: the plan's, a shared library with a SONAME and a
# RUNPATH, a #! script, and the small fixtures (other linkers, musl, other
# machines, no section headers).
mkdir -p "$W/seed-inspect"
cp "$W/seed-plan/"* "$W/seed-inspect/"
cc -shared -fPIC -Wl,-soname,libifxfuzz.so.1 -Wl,-rpath,/build/lib -o "$W/seed-inspect/lib.so" \
	"$SRC/samples/hello.c"
printf '#!/usr/bin/env sh\necho hello\n' >"$W/seed-inspect/script"
fixtures "$W/seed-inspect" gcc-pie gcc-nopie noshdr gold lld mold musl resolve shared-lib.so \
	aarch64 s390x i386

# Seeds of buildinfo: real Go binaries (the fixtures': cgo and static,
# their own C code, 32-bit, big-endian, lld's and bfd's PIE layouts, quoted
# -tags and -ldflags=-s), else built here by go when it is installed, one
# of them without section headers; and a C program, which has none.
mkdir -p "$W/seed-buildinfo"
cp "$W/seed-plan/brew" "$W/seed-buildinfo/"
fixtures "$W/seed-buildinfo" go-static go-cgo-musl go-owncgo-musl go-386 go-s390x go-extlink-lld \
	go-extpie go-tags
if [ ! -f "$W/seed-buildinfo/go-static" ] && command -v go >/dev/null 2>&1; then
	# Go writes caches: keep them here, never in $HOME
	if ! (export GOCACHE="$W/gocache" GOPATH="$W/gopath" GO111MODULE=off GOFLAGS='' \
		GOTOOLCHAIN=local &&
		CGO_ENABLED=0 go build -o "$W/seed-buildinfo/go-static" "$SRC/samples/netdemo/main.go" &&
		CGO_ENABLED=1 go build -o "$W/seed-buildinfo/go-cgo" "$SRC/samples/netdemo/main.go") \
		>"$W/go.log" 2>&1; then
		echo "fuzz-smoke: note: go build failed, fewer Go seeds: $(head -n 1 "$W/go.log")"
	fi
fi
if [ -f "$W/seed-buildinfo/go-static" ]; then
	cp "$W/seed-buildinfo/go-static" "$W/seed-buildinfo/go-noshdr"
	strip_shdrs "$W/seed-buildinfo/go-noshdr"
else
	echo "fuzz-smoke: note: no Go binary (no fixtures, no go): buildinfo has no Go seed"
fi

# Seeds of ldcache: the host's cache, and caches ldconfig writes in the new,
# old and compat formats for a root holding two libraries, one of them also
# in glibc-hwcaps/x86-64-v3. -r chroots (as root, or in a user namespace),
# so nothing outside that root is written: not even the aux-cache, which
# -i alone still rewrites; -X leaves the libraries' links alone.
LR=$W/ldroot
mkdir -p "$W/seed-ldcache" "$LR/etc" "$LR/lib" "$LR/usr/lib/glibc-hwcaps/x86-64-v3"
[ -r /etc/ld.so.cache ] && cp /etc/ld.so.cache "$W/seed-ldcache/host"
cc -shared -fPIC -Wl,-soname,libifxfuzz.so.1 -o "$LR/usr/lib/libifxfuzz.so.1" "$SRC/samples/hello.c"
cp "$LR/usr/lib/libifxfuzz.so.1" "$LR/usr/lib/glibc-hwcaps/x86-64-v3/"
cc -shared -fPIC -Wl,-soname,libifxdemo.so.2 -o "$LR/lib/libifxdemo.so.2" "$SRC/samples/hello.c"
: >"$LR/etc/ld.so.conf"
LDCONFIG=$(command -v ldconfig || echo /sbin/ldconfig)
for f in new old compat; do
	set -- -i -X -c "$f" -r "$LR" -f /etc/ld.so.conf -C "/etc/cache-$f"
	"$LDCONFIG" "$@" >/dev/null 2>&1 || unshare -r "$LDCONFIG" "$@" >/dev/null 2>&1 || :
	if [ -s "$LR/etc/cache-$f" ]; then
		cp "$LR/etc/cache-$f" "$W/seed-ldcache/$f"
	else
		echo "fuzz-smoke: note: ldconfig wrote no $f-format cache"
	fi
done

# Seeds of targetfile: target files in the documented format (docs/targets.md),
# one using every key, and a few near misses.
mkdir -p "$W/seed-targetfile"
printf '%s\n' '{"targets": [{"name": "acme-edge-2", "family": "acme", "base": "",' \
	'"arches": ["x86_64", "aarch64"], "libc": "glibc", "libc_version": "2.31",' \
	'"glibcxx": "3.4.28", "cxxabi": "1.3.12", "gcc": {"x86_64": "7.0.0", "aarch64": "7.0.0"},' \
	'"loaders": {"aarch64": "/opt/acme/lib/ld-linux-aarch64.so.1"},' \
	'"note": "in-house", "source": "our image"}], "schema_version": 1}' \
	>"$W/seed-targetfile/full.json"
printf '%s\n' '{"targets": [{"name": "tiny", "arches": ["armhf"], "libc": "musl",' \
	'"libc_version": "1.2.4", "gcc": "none", "glibcxx": "none"}]}' >"$W/seed-targetfile/musl.json"
printf '%s\n' '{"targets": [{"name": "x", "arches": ["sparc64"], "libc": "glibc"}]}' \
	>"$W/seed-targetfile/bad-arch.json"
printf '%s\n' '{"targets": []}' >"$W/seed-targetfile/empty.json"

failed=""
for t in plan archive inspect buildinfo ldcache targetfile; do
	# shellcheck disable=SC2046,SC2086
	"$CC" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -w \
		-DIFX_BUILDING_LIBRARY -I"$BUILD" -I"$SRC/include" -I"$SRC/src/lib" ${FUZZ_CFLAGS:-} \
		$(find "$SRC/src/lib" -name '*.c' | sort) "$SRC/tests/fuzz/fuzz-$t.c" \
		${FUZZ_LIBS:-} -o "$OUT/fuzz-$t"
	mkdir -p "$OUT/corpus-$t"
	if ls "$W/seed-$t/"* >/dev/null 2>&1; then
		cp "$W/seed-$t/"* "$OUT/corpus-$t/"
	fi
	echo "fuzz-smoke: fuzz-$t for ${SECONDS_EACH}s"
	# TMPDIR: the targets' own roots go where the trap removes them
	if (cd "$OUT" && TMPDIR=$W ./"fuzz-$t" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 \
		-timeout=20 -print_final_stats=1 -artifact_prefix="fuzz-$t-" "corpus-$t" \
		>"fuzz-$t.log" 2>&1); then
		grep -E '^stat::(number_of_executed_units|average_exec_per_sec)' "$OUT/fuzz-$t.log" |
			sed "s/^/fuzz-smoke: fuzz-$t: /"
	else
		tail -n 40 "$OUT/fuzz-$t.log"
		echo "fuzz-smoke: fuzz-$t FAILED (the input is in $OUT: $(sed -n \
			's/.*Test unit written to \.*\/*//p' "$OUT/fuzz-$t.log" | head -n 1))"
		failed="$failed fuzz-$t"
	fi
done
if [ -n "$failed" ]; then
	echo "fuzz-smoke: FAILED:$failed"
	exit 1
fi
echo "fuzz-smoke: no crash, leak, timeout, out-of-memory or broken invariant"
