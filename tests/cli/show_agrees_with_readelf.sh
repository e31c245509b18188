#!/bin/sh
# show --json agrees with readelf on interpreter, class, byte order, machine,
# type and NEEDED, and gives the right linkage and libc, for every fixture.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures gcc-pie static musl go-tags
n=$(wc -l <"$IFX_FIXTURES/MANIFEST")
plan $((n * 3 + 4))

# The truth for linkage and libc, per fixture.
truth() {
	case "$1" in
	static|go-static) echo "static none" ;;
	static-pie) echo "static-pie none" ;;
	shared-lib.so) echo "shared-lib none" ;;
	lib-with-interp) echo "shared-lib glibc" ;;
	musl|go-cgo-musl) echo "dynamic musl" ;;
	*) echo "dynamic glibc" ;;
	esac
}

readelf_machine() {
	case "$1" in
	*X86-64*) echo x86_64 ;;
	*AArch64*) echo aarch64 ;;
	*S/390*) echo s390x ;;
	*80386*) echo i386 ;;
	*) echo "?" ;;
	esac
}

while IFS='	' read -r name how desc; do
	f=$IFX_FIXTURES/$name
	ifx show --json "$f"
	json=$(cat "$T/out")
	hdr=$(LC_ALL=C readelf -hW "$f")
	interp=$(LC_ALL=C readelf -lW "$f" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	[ -n "$interp" ] || interp=null
	cls=$(echo "$hdr" | sed -n 's/.*Class: *ELF\([0-9]*\)/\1/p')
	data=$(echo "$hdr" | grep -q 'big endian' && echo MSB || echo LSB)
	mach=$(readelf_machine "$(echo "$hdr" | grep 'Machine:')")
	type=$(echo "$hdr" | sed -n 's/.*Type: *\([A-Z]*\).*/\1/p')
	needed=$(LC_ALL=C readelf -dW "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
	ours=$(echo "$json" | jq -r '.[0] | "\(.interp // "null")|\(.class)|\(.data)|\(.machine)|\(.type)"')
	check "$name: interp, class, data, machine, type agree with readelf" \
		[ "$ours" = "$interp|$cls|$data|$mach|$type" ]
	check "$name: NEEDED agrees with readelf, in order" \
		[ "$(echo "$json" | jq -r '.[0].needed[]' | tr '\n' ' ')" = "$needed" ]
	check "$name: linkage and libc are $(truth "$name")" \
		[ "$(echo "$json" | jq -r '.[0] | "\(.linkage) \(.libc)"')" = "$(truth "$name")" ]
done <"$IFX_FIXTURES/MANIFEST"

ln -s "$IFX_FIXTURES/musl" "$T/link"
ifx show --json "$T/link"
check "a symlink named is followed, reported under its own name" \
	sh -c "jq -e '.[0].path == \"$T/link\" and .[0].libc == \"musl\"' '$T/out' >/dev/null"
ifx show --json "$IFX_FIXTURES/gcc-pie" "$IFX_FIXTURES/static" "$IFX_FIXTURES/musl"
check "several files: one JSON array, in order" \
	sh -c "jq -e '[.[].libc] == [\"glibc\", \"none\", \"musl\"]' '$T/out' >/dev/null"
ifx show "$IFX_FIXTURES/gcc-pie"
check "text mode names the interpreter" grep -q "interp  *\/lib64\/ld-linux-x86-64.so.2 (offset" "$T/out"
ifx show --json "$IFX_FIXTURES/go-tags"
check "Go build info: version, CGO_ENABLED, tags, ldflags" \
	sh -c "jq -e '.[0].go | .version == \"$(go version "$IFX_FIXTURES/go-tags" | awk '{print $2}')\" and .cgo_enabled and .tags == \"netcgo,osusergo\" and .ldflags == \"-s -X main.v=1\"' '$T/out' >/dev/null"

done_testing
