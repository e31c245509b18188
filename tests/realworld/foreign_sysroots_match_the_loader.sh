#!/bin/sh
# The oracle is the real loader of another architecture, run under
# qemu-user: for a sysroot made of real Debian 12 packages (zstd and its
# dependency tree, for arm64 and s390x), the objects `interpfix show --root
# --deps` says the loader maps (name => path, or not found; "provided" ones
# aside) are exactly those the root's own ld.so lists, needed by the same
# objects; `check --root` agrees with what running the program does; and a
# binary whose interpreter was moved to Linuxbrew's path is reported and
# repaired back to the arch's loader, after which it runs. Nothing here was
# built by us. The packages come from scripts/fetch-test-debs.sh.
. "$IFX_SRCDIR/tests/cli/lib.sh"
require_tools jq readelf dpkg-deb timeout qemu-aarch64 qemu-s390x
unset LD_LIBRARY_PATH LD_PRELOAD LD_AUDIT QEMU_LD_PREFIX

# What fetch-test-debs.sh downloads: zstd's whole tree (apt-cache depends
# --recurse zstd libzstd1), libc6 with its loader included.
DEBS=${IFX_TEST_DEBS:-/var/cache/interpfix/test-debs}
PKGS="libc6 libgcc-s1 gcc-12-base libstdc++6 zstd libzstd1 liblzma5 liblz4-1 zlib1g"
# ARCH QEMU LOADER MULTIARCH
ARCHES="arm64:qemu-aarch64:/lib/ld-linux-aarch64.so.1:aarch64-linux-gnu
s390x:qemu-s390x:/lib/ld64.so.1:s390x-linux-gnu"

deb() { # PKG ARCH: the .deb of PKG for ARCH in $DEBS, if there
	for f in "$DEBS/$1"_*_"$2".deb; do
		[ -f "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}
for a in $ARCHES; do
	for p in $PKGS; do
		deb "$p" "${a%%:*}" >/dev/null && continue
		if [ "${IFX_REQUIRE_FIXTURES:-0}" = 1 ]; then
			echo "Bail out! $p:${a%%:*} not in $DEBS (run scripts/fetch-test-debs.sh)"
			exit 1
		fi
		skip_all "$p:${a%%:*} not in $DEBS (run scripts/fetch-test-debs.sh as root)"
	done
done
plan $(( $(echo "$ARCHES" | wc -l) * 12 ))

# The loader's lists carry real paths: work below the real path of $T.
T=$(cd "$T" && pwd -P)

# mkroot ARCH ROOT LOADER: the packages extracted into ROOT, then merged-/usr
# as Debian 12 has it: the packages still ship /lib/..., the system has
# /lib -> usr/lib, /bin -> usr/bin, /sbin -> usr/sbin (and /lib64 ->
# usr/lib64 where there is one), so the loader /lib/ld-...so.1 resolves
# through /lib -> usr/lib to the multiarch one.
mkroot() {
	local arch=$1 root=$2 ld=$3 p d
	mkdir -p "$root/usr"
	for p in $PKGS; do
		dpkg-deb -x "$(deb "$p" "$arch")" "$root" || return 1
	done
	for d in bin sbin lib lib64; do
		if [ -d "$root/$d" ] && [ ! -L "$root/$d" ]; then
			mkdir -p "$root/usr/$d"
			cp -a "$root/$d/." "$root/usr/$d/" && rm -rf "${root:?}/$d" || return 1
		elif [ "$d" = lib64 ] && [ "${ld#/lib64/}" = "$ld" ]; then
			continue
		fi
		mkdir -p "$root/usr/$d"
		[ -L "$root/$d" ] || ln -s "usr/$d" "$root/$d"
	done
	[ -e "$root$ld" ] || { diag "$arch: $ld does not resolve in the merged root"; return 1; }
}

# loader_list QEMU ROOT LOADER PROG [trace]: the root's loader's own list for
# PROG (a path inside ROOT), "name<TAB>path|not found", paths inside ROOT,
# sorted, the interpreter itself aside (interpfix says "provided"). Its
# output in $T/lout, stderr in $T/lerr, exit status in $LRC. With "trace",
# LD_TRACE_LOADED_OBJECTS=1 for the guest (qemu -E; qemu-user itself is a
# dynamic host program) as ldd has it: glibc 2.36's `ld.so --list` stops at
# the first missing library (exit 127, nothing listed) where the trace says
# "=> not found" and goes on. LD_DEBUG=files says who needed each object.
# qemu -L looks a path up in ROOT first, then on the host: the host has no
# foreign libraries (the cases below check the loader's verdict first).
loader_list() {
	local qemu=$1 root=$2 ld=$3 prog=$4
	if [ "${5:-}" = trace ]; then
		timeout 20 "$qemu" -L "$root" -E LD_TRACE_LOADED_OBJECTS=1 -E LD_DEBUG=files \
			"$root$ld" "$prog" </dev/null >"$T/lout" 2>"$T/lerr"
	else
		timeout 20 "$qemu" -L "$root" "$root$ld" --list "$prog" </dev/null >"$T/lout" 2>"$T/lerr"
	fi
	LRC=$?
	awk -v root="$root" -v interp="$ld" '
	function inside(p) { if (index(p, root "/") == 1) p = substr(p, length(root) + 1); return p }
	/=>/ {
		name = $1
		if ($0 ~ /=> not found/) { print name "\tnot found"; next }
		path = inside($3)
		if (name == interp || name ~ /^linux-vdso/ || path == "" || path ~ /^\(/) next
		print name "\t" path; next
	}
	{
		tok = inside($1)
		if (tok ~ /^\// && tok != interp) print tok "\t" tok
	}' "$T/lout" | sort -u
}

# loader_needers: from the last trace's LD_DEBUG=files, "name<TAB>needed by"
# for each object the loader looked for, sorted.
loader_needers() {
	sed -n 's/^ *[0-9]*:[ 	]*file=\([^ ]*\) \[[0-9]*\]; *needed by \([^ ]*\) \[[0-9]*\]$/\1	\2/p' \
		"$T/lerr" | sort -u
}

# our_list ROOT PROG: interpfix's list in the same form (PROG a host path).
our_list() {
	ifx show --root "$1" --deps --json "$2"
	jq -r '.files[0] | (.dependencies // [])[] | select(.state != "provided") |
		"\(.name)\t\(if .state == "found" then .path else "not found" end)"' \
		"$T/out" 2>/dev/null | sort -u
}

# our_needers: from the last show, "name<TAB>needed_by", sorted.
our_needers() {
	jq -r '.files[0] | (.dependencies // [])[] | select(.state != "provided") |
		"\(.name)\t\(.needed_by)"' "$T/out" 2>/dev/null | sort -u
}

# same DESC THEIRS OURS [EXPECTED-LINE]: one TAP line: the two lists are
# equal; with EXPECTED-LINE the loader's must hold it (else the case did not
# set up what it claims, and the test fails). $SEP joins a line's two
# fields in the report.
SEP=" => "
same() {
	local desc=$1 theirs=$2 ours=$3 want=${4:-}
	if [ -n "$want" ] && ! grep -qxF "$want" "$theirs"; then
		not_ok "$desc (the loader does not say: $(echo "$want" | tr '\t' ' '))"
		diag "loader (exit $LRC):" "$(cat "$T/lout" "$T/lerr" | head -n 20)"
	elif [ -s "$theirs" ] && cmp -s "$theirs" "$ours"; then
		ok "$desc"
	else
		not_ok "$desc"
		diag "loader:" $(sed "s/\t/$SEP/" "$theirs" | tr ' ' '~') \
			"interpfix:" $(sed "s/\t/$SEP/" "$ours" | tr ' ' '~')
		[ -s "$T/err" ] && diag "interpfix stderr: $(cat "$T/err")"
	fi
}

# finds ROOT FILE RULE MESSAGE-PREFIX: check --root exits 1 with exactly one
# RULE finding whose message starts with MESSAGE-PREFIX.
finds() {
	ifx check --json --root "$1" "$2"
	[ "$RC" = 1 ] || { diag "check --root exited $RC: $(cat "$T/out" "$T/err")"; return 1; }
	jq -e --arg r "$3" --arg m "$4" '[.findings[] |
		select(.rule == $r and (.message | startswith($m)))] | length == 1' \
		"$T/out" >/dev/null || { diag "check --root said: $(cat "$T/out")"; return 1; }
}

# clean ROOT FILE...: check --root exits 0 with no finding.
clean() {
	local root=$1
	shift
	ifx check --json --root "$root" "$@"
	if [ "$RC" != 0 ] || ! jq -e '.findings == []' "$T/out" >/dev/null; then
		diag "check --root exited $RC: $(cat "$T/out" "$T/err")"
		return 1
	fi
}

# runs QEMU ROOT PROG: ROOT's PROG runs under qemu-user and prints zstd's
# banner.
runs() {
	if ! timeout 20 "$1" -L "$2" "$3" --version </dev/null >"$T/run" 2>&1 ||
		! grep -q '^\*\*\* Zstandard CLI' "$T/run"; then
		diag "$3: $(cat "$T/run")"
		return 1
	fi
}

# fails_to_start QEMU ROOT PROG WHAT: PROG does not start, saying WHAT.
fails_to_start() {
	timeout 20 "$1" -L "$2" "$3" --version </dev/null >"$T/run" 2>&1 && return 1
	grep -qF "$4" "$T/run" || { diag "$3: $(cat "$T/run")"; return 1; }
}

for a in $ARCHES; do
	arch=${a%%:*} rest=${a#*:}
	qemu=${rest%%:*} rest=${rest#*:}
	ld=${rest%%:*} triplet=${rest#*:}
	R=$T/root-$arch
	lib=/lib/$triplet
	if ! mkroot "$arch" "$R" "$ld"; then
		echo "Bail out! could not build the $arch root from $DEBS"
		exit 1
	fi

	# The complete root: everything resolves, as the loader maps it.
	loader_list "$qemu" "$R" "$ld" /usr/bin/zstd >"$T/theirs"
	our_list "$R" "$R/usr/bin/zstd" >"$T/ours"
	same "$arch: zstd's dependencies resolve in the root as its ld.so --list maps them" \
		"$T/theirs" "$T/ours" "liblz4.so.1	$lib/liblz4.so.1"
	loader_list "$qemu" "$R" "$ld" /usr/bin/pzstd >"$T/theirs"
	our_list "$R" "$R/usr/bin/pzstd" >"$T/ours"
	same "$arch: pzstd's transitive dependencies (libstdc++ -> libm) resolve as ld.so --list maps them" \
		"$T/theirs" "$T/ours" "libm.so.6	$lib/libm.so.6"
	loader_list "$qemu" "$R" "$ld" /usr/bin/pzstd trace >/dev/null
	loader_needers >"$T/theirs"
	our_needers >"$T/ours"
	SEP=" needed by "
	same "$arch: each dependency is needed by the object the loader loaded it for (LD_DEBUG=files)" \
		"$T/theirs" "$T/ours" "libm.so.6	$lib/libstdc++.so.6"
	SEP=" => "
	check "$arch: check --root is clean where the loader maps everything" \
		clean "$R" "$R/usr/bin/zstd" "$R/usr/bin/pzstd"
	check "$arch: zstd from the root runs under $qemu" runs "$qemu" "$R" "$R/usr/bin/zstd"

	# A copy whose interpreter names Linuxbrew's loader, absent from the root.
	brew=$R/usr/bin/zstd-brew
	cp -p "$R/usr/bin/zstd" "$brew"
	ifx fix --portable --to /home/linuxbrew/.linuxbrew/lib/ld.so "$brew"
	if [ "$RC" = 0 ] && fails_to_start "$qemu" "$R" "$brew" /home/linuxbrew/.linuxbrew/lib/ld.so &&
		finds "$R" "$brew" missing-interp \
			"interpreter /home/linuxbrew/.linuxbrew/lib/ld.so does not exist in the root"; then
		ok "$arch: an interpreter at a Linuxbrew path absent from the root is missing-interp"
	else
		not_ok "$arch: an interpreter at a Linuxbrew path absent from the root is missing-interp"
		[ "$RC" = 0 ] || diag "fix --portable --to exited $RC: $(cat "$T/out" "$T/err")"
	fi
	ifx fix --root "$R" "$brew"
	interp=$(readelf -lW "$brew" 2>/dev/null |
		sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
	if [ "$RC" = 0 ] && [ "$interp" = "$ld" ] && clean "$R" "$brew"; then
		ok "$arch: fix --root writes the arch's standard loader $ld"
	else
		not_ok "$arch: fix --root writes the arch's standard loader $ld"
		diag "fix --root exited $RC, PT_INTERP now '$interp': $(cat "$T/out" "$T/err")"
	fi
	check "$arch: the repaired copy runs under $qemu" runs "$qemu" "$R" "$brew"

	# A library removed from the root: the loader and interpfix both miss it,
	# and check --root names it and the object that needs it.
	rm -f "$R/usr/lib/$triplet"/liblz4.so.1*
	loader_list "$qemu" "$R" "$ld" /usr/bin/zstd trace >"$T/theirs"
	our_list "$R" "$R/usr/bin/zstd" >"$T/ours"
	if fails_to_start "$qemu" "$R" "$R/usr/bin/zstd" \
		"liblz4.so.1: cannot open shared object file"; then
		same "$arch: a needed library removed from the root is not found, as the loader says" \
			"$T/theirs" "$T/ours" "liblz4.so.1	not found"
	else
		not_ok "$arch: a needed library removed from the root is not found, as the loader says (zstd still starts)"
	fi
	loader_needers | grep '^liblz4\.so\.1	' >"$T/theirs"
	our_needers | grep '^liblz4\.so\.1	' >"$T/ours"
	if [ "$(cut -f2 "$T/theirs")" = /usr/bin/zstd ] && cmp -s "$T/theirs" "$T/ours" &&
		finds "$R" "$R/usr/bin/zstd" missing-library "liblz4.so.1 not found"; then
		ok "$arch: check --root reports missing-library for it, needed by /usr/bin/zstd"
	else
		not_ok "$arch: check --root reports missing-library for it, needed by /usr/bin/zstd"
		diag "loader: $(cat "$T/theirs")" "interpfix: $(cat "$T/ours")"
	fi

	rm -f "$R/usr/lib/$triplet/libm.so.6"
	loader_list "$qemu" "$R" "$ld" /usr/bin/pzstd trace >"$T/theirs"
	our_list "$R" "$R/usr/bin/pzstd" >"$T/ours"
	same "$arch: a transitively needed library removed from the root is not found, as the loader says" \
		"$T/theirs" "$T/ours" "libm.so.6	not found"
	loader_needers >"$T/theirs"
	our_needers >"$T/ours"
	if grep -qxF "libm.so.6	$lib/libstdc++.so.6" "$T/theirs" && cmp -s "$T/theirs" "$T/ours" &&
		finds "$R" "$R/usr/bin/pzstd" missing-library \
			"libm.so.6 not found (needed by $lib/libstdc++.so.6)"; then
		ok "$arch: check --root names the library that needs the missing one (libstdc++.so.6 needs libm.so.6)"
	else
		not_ok "$arch: check --root names the library that needs the missing one (libstdc++.so.6 needs libm.so.6)"
		diag "loader:" $(sed 's/\t/ needed by /' "$T/theirs" | tr ' ' '~') \
			"interpfix:" $(sed 's/\t/ needed by /' "$T/ours" | tr ' ' '~')
	fi
done
done_testing
