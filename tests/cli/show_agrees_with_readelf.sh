#!/bin/sh
# show --json agrees with readelf on every fixture: interpreter (string,
# offset, size), class, byte order, machine and type (readelf -hlW), NEEDED
# in order (readelf -dW), the versions needed per library (readelf -VW);
# linkage and libc are the truth of how each fixture was built; Go build
# info agrees with `go version -m`. Text mode, symlinks named on the command
# line and several files at once.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures gcc-pie static musl
require_tools jq readelf
MANIFEST=$IFX_FIXTURES/MANIFEST
nfix=$(grep -c '^[^	]' "$MANIFEST")
plan $((nfix * 5 + 6))

export LC_ALL=C
jqt() { jq -e "$@" >/dev/null; }
# same DESC OURS THEIRS: one TAP line, both sides shown when they differ.
same() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "interpfix: $2" "expected:  $3"
	fi
}

# How each fixture was built decides its linkage and libc.
truth() { # NAME FILE
	case "$1" in
	gcc-* | gold | lld | lld-nopie | mold | resolve | brew | noshdr) echo "dynamic glibc" ;;
	aarch64 | s390x | i386) echo "dynamic glibc" ;;
	go-cgo-glibc | go-extlink | go-pie | go-tags) echo "dynamic glibc" ;;
	go-extpie | go-extlink-lld | go-extlink-mold) echo "dynamic glibc" ;;
	musl | go-cgo-musl | go-owncgo-musl) echo "dynamic musl" ;;
	static | go-static) echo "static none" ;;
	go-s390x | go-386 | go-mips) echo "static none" ;;
	static-pie) echo "static-pie none" ;;
	lib-with-interp) echo "shared-lib glibc" ;;
	shared-lib.so)
		# gcc -shared links libc --as-needed: a library calling
		# nothing in libc needs no libc.
		if readelf -dW "$2" | grep -q '(NEEDED).*\[libc\.so\.6\]'; then
			echo "shared-lib glibc"
		else
			echo "shared-lib none"
		fi
		;;
	*) echo "unknown fixture: add $1 to truth()" ;;
	esac
}

# readelf's header facts, in the order of ours_header.
theirs_header() { # FILE
	readelf -hlW "$1" | awk '
		/^ *Class:/ { cls = ($2 == "ELF64") ? 64 : ($2 == "ELF32") ? 32 : "?" }
		/^ *Data:/ { data = /big endian/ ? "MSB" : /little endian/ ? "LSB" : "?" }
		/^ *Type:/ { type = $2 }
		/^ *Machine:/ { sub(/^ *Machine: */, ""); mach = $0 }
		/^ *INTERP / { off = $2; size = $5 }
		/Requesting program interpreter:/ {
			sub(/.*interpreter: /, ""); sub(/\]$/, ""); interp = $0
		}
		END {
			if (mach == "Advanced Micro Devices X86-64") m = (cls == 64) ? "x86_64" : "x32"
			else if (mach == "AArch64") m = "aarch64"
			else if (mach == "IBM S/390") m = (cls == 64) ? "s390x" : "s390"
			else if (mach == "Intel 80386") m = "i386"
			else if (mach == "MIPS R3000") m = ((cls == 64) ? "mips64" : "mips") ((data == "LSB") ? "el" : "")
			else m = "readelf machine " mach
			if (interp == "") { interp = "null"; off = "null"; size = "null" }
			print interp "|" off "|" size "|" cls "|" data "|" m "|" type
		}' | {
		# readelf prints the offset and size in hex, we in decimal.
		IFS='|' read -r interp off size rest
		[ "$off" = null ] || off=$((off))
		[ "$size" = null ] || size=$((size))
		echo "$interp|$off|$size|$rest"
	}
}
ours_header() {
	jq -r '.files[0] | "\(.interp)|\(.interp_offset)|\(.interp_size)|\(.class)|\(.data)|\(.machine)|\(.type)"' "$T/out"
}

theirs_needed() { # FILE: NEEDED in order, space-separated
	readelf -dW "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p' | tr '\n' ' '
}

# The versions needed as sorted "LIBRARY VERSION" lines.
theirs_versions() { # FILE
	if readelf -hW "$1" | grep -q 'Number of section headers: *0$'; then
		# readelf -V needs section headers. Linkers emit a Vernaux
		# only for versions that symbols reference, so the undefined
		# symbols' versions (readelf -D reads the dynamic segment) are
		# the same set; without a per-library map this works for one
		# NEEDED library only.
		set -- "$1" "$(readelf -dW "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p')"
		[ "$(echo "$2" | grep -c .)" -le 1 ] || { echo "several NEEDED and no section headers"; return; }
		readelf -DsW "$1" | awk -v lib="$2" '
			$7 == "UND" && $8 ~ /@/ { v = $8; sub(/.*@/, "", v); print lib " " v }'
	else
		readelf -VW "$1" | awk '
			/^Version needs section/ { inside = 1; next }
			/^Version .* section/ { inside = 0 }
			inside {
				for (i = 1; i < NF; i++) {
					if ($i == "File:") lib = $(i + 1)
					if ($i == "Name:") print lib " " $(i + 1)
				}
			}'
	fi | sort -u | tr '\n' ';'
}
ours_versions() {
	jq -r '.files[0].versions_needed | to_entries[] | .key as $lib | .value[] | "\($lib) \(.)"' "$T/out" |
		sort -u | tr '\n' ';'
}

# Go build info as `go version -m` reads it, as JSON like ours.
theirs_go() { # FILE
	go version -m "$1" | awk -F '\t' '
		NR == 1 { sub(/^.*: /, ""); v = $0 }
		$2 == "path" { p = $3 }
		$2 == "build" && $3 ~ /^-tags=/ { t = substr($3, 7) }
		$2 == "build" && $3 ~ /^-ldflags=/ { l = substr($3, 10); gsub(/^"|"$/, "", l) }
		$2 == "build" && $3 ~ /^CGO_ENABLED=/ { c = substr($3, 13) }
		END { print v; print p; print t; print l; print c }' >"$T/go"
	{
		read -r v; read -r p; read -r t; read -r l; read -r c
	} <"$T/go"
	jq -cn --arg v "$v" --arg p "$p" --arg t "$t" --arg l "$l" --arg c "$c" '{
		version: $v,
		cgo_enabled: (if $c == "1" then true elif $c == "0" then false else null end),
		tags: (if $t == "" then null else $t end),
		ldflags: (if $l == "" then null else $l end),
		path: $p }'
}

while IFS='	' read -r name _ desc <&3; do
	[ -n "$name" ] || continue
	f=$IFX_FIXTURES/$name
	ifx show --json "$f"
	if [ "$RC" != 0 ] || [ -s "$T/err" ] || ! jqt '.files | length == 1' "$T/out"; then
		for _ in 1 2 3 4 5; do not_ok "$name: show --json: exit 0, one entry in files, no error"; done
		diag "exit $RC" "$(head -c 500 "$T/err")"
		continue
	fi
	same "$name: interp, its offset and size, class, data, machine, type agree with readelf -hlW" \
		"$(ours_header)" "$(theirs_header "$f")"
	same "$name: NEEDED agrees with readelf -dW, in order" \
		"$(jq -r '.files[0].needed[]' "$T/out" | tr '\n' ' ')" "$(theirs_needed "$f")"
	same "$name: versions needed per library agree with readelf -VW" \
		"$(ours_versions)" "$(theirs_versions "$f")"
	same "$name: linkage and libc ($desc)" \
		"$(jq -r '.files[0] | "\(.linkage) \(.libc)"' "$T/out")" "$(truth "$name" "$f")"
	case "$name" in
	go-*)
		case "$name" in
		go-static | go-s390x | go-386 | go-mips) cgo=false ;;
		*) cgo=true ;;
		esac
		if ! have_tool go; then
			ok "$name: Go build info agrees with go version -m # SKIP needs go"
			continue
		fi
		want=$(theirs_go "$f")
		# The fields go version -m reports; ours may have more.
		if jqt --argjson want "$want" --argjson cgo "$cgo" \
			'(.files[0].go | {version, cgo_enabled, tags, ldflags, path}) == $want and
			 .files[0].go.cgo_enabled == $cgo' "$T/out"; then
			ok "$name: Go build info agrees with go version -m, CGO_ENABLED=$cgo"
		else
			not_ok "$name: Go build info agrees with go version -m, CGO_ENABLED=$cgo"
			diag "interpfix: $(jq -c '.files[0].go' "$T/out")" "expected:  $want"
		fi
		;;
	*) check "$name: not Go, go is null" jqt '.files[0].go == null' "$T/out" ;;
	esac
done 3<"$MANIFEST"

# Text mode: the file named, then the interpreter with readelf's offset and
# size.
text_interp_line() { # FILE LINE
	[ "$RC" = 0 ] && [ "$(head -n 1 "$T/out")" = "$1:" ] &&
		grep -E '^ +interp ' "$T/out" | sed 's/^ *interp  *//' | grep -qxF "$2"
}
gcc_pie=$(fixture gcc-pie)
ifx show "$gcc_pie"
want=$(theirs_header "$gcc_pie" | awk -F '|' '{ printf "%s (offset 0x%x, %d bytes)", $1, $2, $3 }')
check "text mode: the file named, then 'interp $want'" text_interp_line "$gcc_pie" "$want"
ifx show "$(fixture static)"
check "text mode: no interpreter is shown as 'interp -'" text_interp_line "$(fixture static)" -

# A symlink named on the command line is followed and reported under the
# name given.
musl=$(fixture musl)
ifx show --json "$musl"
jq '.files[0] | del(.path)' "$T/out" >"$T/target.json"
ln -s "$musl" "$T/link-to-musl"
ifx show --json "$T/link-to-musl"
same_facts() {
	[ "$RC" = 0 ] && jq '.files[0] | del(.path)' "$T/out" | cmp -s - "$T/target.json" &&
		jqt '.files[0].libc == "musl"' "$T/out"
}
check "a symlink named is followed: exit 0, the target's facts" same_facts
check "a symlink named is reported under its own name" \
	jqt --arg p "$T/link-to-musl" '.files[0].path == $p' "$T/out"

# Several files at once: one JSON document whose files array is in
# command-line order, each entry what show says of that file alone.
set -- "$gcc_pie" "$(fixture static)" "$musl" "$T/link-to-musl" "$gcc_pie"
: >"$T/alone"
for f; do
	ifx show --json "$f"
	jq -c '.files[0]' "$T/out" >>"$T/alone"
done
ifx show --json "$@"
one_document() {
	[ "$RC" = 0 ] && jqt --argjson n "$1" 'type == "object" and (.files | type == "array" and length == $n)' "$T/out" &&
		[ "$(jq -s length "$T/out")" = 1 ]
}
check "several files: exit 0, one valid JSON document, $# entries in files" one_document $#
check "several files: in order, each as when shown alone" \
	sh -c "jq -c '.files[]' '$T/out' | cmp -s - '$T/alone'"

done_testing
