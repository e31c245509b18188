#!/bin/sh
# show, fix, check and explain judge what a file really is: its OS ABI (a
# FreeBSD program from Go's own ELF testdata, not built here), whether it is
# a program at all (archives made by zip and tar, a library, separate debug
# info), how its Go code uses cgo, and whether its standard loader is
# already right for the machine it is for.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures gcc-pie aarch64 go-cgo-musl go-owncgo-musl go-tags shared-lib.so
require_tools go jq readelf objcopy tar gzip zip
FREEBSD="$(go env GOROOT)/src/debug/elf/testdata/gcc-386-freebsd-exec"
[ -f "$FREEBSD" ] || skip_all "Go's ELF testdata (gcc-386-freebsd-exec) is not installed"
plan 26
mkdir -p "$T/empty-root"

# 1. The OS ABI decides first.
cp "$FREEBSD" "$T/freebsd"
cp "$T/freebsd" "$T/freebsd.orig"
ifx show --json "$T/freebsd"
check "show: a FreeBSD program (EI_OSABI 9) is os freebsd, not glibc" \
	sh -c "[ $RC = 0 ] && [ \"\$(jq -r '.files[0].os' '$T/out')\" = freebsd ] && [ \"\$(jq -r '.files[0].libc' '$T/out')\" != glibc ]"
ifx fix --force "$T/freebsd"
check "fix refuses a non-Linux program with exit 3, even with --force" \
	sh -c "[ $RC = 3 ] && grep -q 'FreeBSD binary' '$T/err' && grep -q 'does not override' '$T/err'"
check "... and leaves it byte for byte" cmp -s "$T/freebsd" "$T/freebsd.orig"
ifx check "$T/freebsd"
check "check reports non-linux-binary instead of advising a Linux loader" \
	sh -c "[ $RC = 1 ] && grep -q ': non-linux-binary: ' '$T/out' && ! grep -q 'ld-linux' '$T/out'"
ifx explain "$T/freebsd"
check "explain: a FreeBSD program, not a Linux one" \
	sh -c "[ $RC = 1 ] && grep -q 'would fail: it is a FreeBSD program, not a Linux one' '$T/out'"
# A Linux binary whose ABI note says FreeBSD (EI_OSABI left 0): the note wins.
cp "$(fixture gcc-pie)" "$T/gnu-note"
# the note: namesz 4, descsz 16, type 1 (NT_GNU_ABI_TAG), "GNU\0", then OS
hdr=$(LC_ALL=C grep -obUaP '\x04\x00\x00\x00\x10\x00\x00\x00\x01\x00\x00\x00GNU\x00' "$T/gnu-note" | head -n 1 | cut -d: -f1)
off=${hdr:+$((hdr + 16))}
if [ -n "$off" ]; then
	printf '\003' | dd of="$T/gnu-note" bs=1 seek="$off" conv=notrunc 2>/dev/null
	ifx show --json "$T/gnu-note"
	check "an NT_GNU_ABI_TAG naming FreeBSD (OS 3) makes it a FreeBSD binary" \
		[ "$(jq -r '.files[0].os' "$T/out")" = freebsd ]
else
	not_ok "gcc-pie has an NT_GNU_ABI_TAG note to edit"
fi

# 2. What is not a program is said to be what it is.
printf 'hello\n' >"$T/hello.txt"
(cd "$T" && zip -q bundle.zip hello.txt && tar -czf bundle.tar.gz hello.txt && tar -cf bundle.tar hello.txt)
for a in bundle.zip:zip bundle.tar.gz:gzip bundle.tar:tar; do
	f=${a%%:*} kind=${a#*:}
	chmod 644 "$T/$f"
	ifx explain "$T/$f"
	check "explain $f: says it is a $kind archive, never chmod +x" \
		sh -c "[ $RC = 1 ] && grep -q 'would fail: it is a.* $kind' '$T/out' && ! grep -q 'chmod' '$T/out'"
done
cp "$(fixture shared-lib.so)" "$T/libdemo.so"
chmod 644 "$T/libdemo.so"
ifx explain "$T/libdemo.so"
check "explain a library: loaded by programs, not told to chmod +x" \
	sh -c "[ $RC = 0 ] && grep -q 'it is a shared library (SONAME libifxdemo.so.1)' '$T/out' && ! grep -q chmod '$T/out'"
objcopy --only-keep-debug "$(fixture gcc-pie)" "$T/prog.debug"
ifx fix --dry-run "$T/prog.debug"
check "separate debug info (objcopy --only-keep-debug) is skipped, and said so" \
	sh -c "[ $RC = 0 ] && grep -q 'skipped .*prog.debug: separate debug info, not a program' '$T/out'"
# An executable whose PT_INTERP holds no bytes: the kernel says ENOEXEC.
cp "$(fixture gcc-pie)" "$T/empty-interp"
phoff=$(od -An -t u8 -j 32 -N 8 "$T/empty-interp" | tr -d ' ')
phnum=$(od -An -t u2 -j 56 -N 2 "$T/empty-interp" | tr -d ' ')
i=0
while [ "$i" -lt "$phnum" ]; do
	at=$((phoff + i * 56))
	if [ "$(od -An -t u4 -j "$at" -N 4 "$T/empty-interp" | tr -d ' ')" = 3 ]; then
		printf '\000\000\000\000\000\000\000\000' | dd of="$T/empty-interp" bs=1 seek=$((at + 32)) conv=notrunc 2>/dev/null
	fi
	i=$((i + 1))
done
cp "$T/empty-interp" "$T/empty-interp.orig"
ifx fix "$T/empty-interp"
check "a program with an empty PT_INTERP is malformed: exit 2, one line naming the kernel's rule" \
	sh -c "[ $RC = 2 ] && [ \$(wc -l <'$T/err') = 1 ] && grep -q 'PT_INTERP has 0 bytes; the kernel needs 2 to PATH_MAX' '$T/err'"
check "... and it is left byte for byte" cmp -s "$T/empty-interp" "$T/empty-interp.orig"
ifx show "$T/empty-interp"
check "show says the same (exit 2), never static-pie" sh -c "[ $RC = 2 ] && ! grep -q static-pie '$T/out'"

# 3. A binary that already names its machine's standard loader is right.
cp "$(fixture aarch64)" "$T/a64"
cp "$T/a64" "$T/a64.orig"
ifx fix "$T/a64"
check "fix of an aarch64 binary naming /lib/ld-linux-aarch64.so.1 on this host: nothing to do, exit 0" \
	sh -c "[ $RC = 0 ] && grep -q '1 already correct' '$T/out' && cmp -s '$T/a64' '$T/a64.orig'"
check "... with a note that this host lacks that loader" grep -q "already names the standard loader" "$T/err"
ifx check "$T/a64"
check "check of it on another machine: no missing-interp, no missing-library" \
	sh -c "[ $RC = 0 ] && ! grep -q 'missing-' '$T/out'"
ifx check --root "$T/empty-root" "$T/a64"
check "check --root of an empty root: missing-interp there" \
	sh -c "[ $RC = 1 ] && grep -q ': missing-interp: interpreter /lib/ld-linux-aarch64.so.1 does not exist in the root' '$T/out'"

# 4. Go advice follows how the binary uses cgo (its symbol table says).
ifx explain --root "$T/empty-root" "$(fixture go-cgo-musl)"
check "Go using cgo only for net: CGO_ENABLED=0 is advised" \
	sh -c "[ $RC = 1 ] && grep -q 'CGO_ENABLED=0 go build (net and os/user' '$T/out'"
ifx explain --root "$T/empty-root" "$(fixture go-owncgo-musl)"
check "Go with its own C code: a static musl link or a glibc build, never CGO_ENABLED=0 alone" \
	sh -c "[ $RC = 1 ] && grep -q 'C code of its own, so CGO_ENABLED=0 cannot build it' '$T/out' && grep -q 'extldflags -static' '$T/out'"
ifx show --json "$(fixture go-owncgo-musl)" "$(fixture go-tags)"
check "show: own_cgo true and the package that calls C (main)" \
	[ "$(jq -c '.files[0].go | [.own_cgo, .cgo_packages]' "$T/out")" = '[true,["main"]]' ]
check "show: a stripped Go binary (-ldflags=-s) cannot tell: own_cgo null" \
	[ "$(jq -r '.files[1].go.own_cgo' "$T/out")" = null ]
ifx check --root "$T/empty-root" "$(fixture go-cgo-musl)"
check "check --root: a musl binary whose loader the root lacks is missing-interp" \
	sh -c "[ $RC = 1 ] && grep -q ': missing-interp: ' '$T/out' && grep -q 'install musl' '$T/out'"

# 5. explain --root judges inside the root.
ifx explain --root "$T/empty-root" "$(fixture gcc-pie)"
check "explain --root: the host's loader is not in an empty root" \
	sh -c "[ $RC = 1 ] && grep -q 'does not exist in the root' '$T/out'"
ifx explain --root "$T/nowhere" "$(fixture gcc-pie)"
check "explain --root of a missing directory is a usage error (exit 2)" \
	sh -c "[ $RC = 2 ] && grep -q 'is not a directory' '$T/err'"
ifx explain "$(fixture gcc-pie)"
check "explain without --root: the host's own program would run" \
	sh -c "[ $RC = 0 ] && grep -q 'would run' '$T/out'"
done_testing
