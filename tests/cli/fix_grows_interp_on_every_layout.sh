#!/bin/sh
# A longer interpreter path on every linker's layout: the result runs via
# execve and via an explicit ld.so, as root and as nobody, natively or under
# qemu-user; readelf has no warning, eu-elflint nothing new, strip keeps it
# running; trailing data stays at the end; repeating never piles up.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures gcc-pie
require_tools readelf strip
FIXTURES="gcc-pie gcc-nopie gcc-noseparate gcc-maxpage64k gcc-maxpage2m gold lld lld-nopie
mold musl go-cgo-glibc go-extlink go-pie go-tags go-cgo-musl aarch64 s390x i386 noshdr"
n=0
for f in $FIXTURES; do [ -n "$(fixture "$f")" ] && n=$((n + 1)); done
plan $((n * 8 + 27))

# A long directory: every standard loader name under it is longer than
# the PT_INTERP bytes the linkers left.
S=$(mktemp -d /tmp/ifx-grow-XXXXXX)
LONG=$S/a/rather/long/directory/for/the/loader
mkdir -p "$LONG"
trap 'rm -rf "$S"; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
chmod -R 755 "$S"

elflint_complaints() {
	eu-elflint --gnu-ld "$1" 2>&1 | grep -v '^No errors' | sed "s|$1|FILE|g" | sort
}
# Complaints about NEW that ORIG did not have (fewer is fine).
new_complaints() {
	elflint_complaints "$2" >"$T/elflint.orig"
	elflint_complaints "$1" | comm -23 - "$T/elflint.orig"
}
strip_for() {
	case "$1" in
	aarch64) echo aarch64-linux-gnu-strip ;;
	s390x) echo s390x-linux-gnu-strip ;;
	*) echo strip ;;
	esac
}
AS_NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"

# check_grown NAME FILE ORIG EXPECT RUNNER LOADER: the seven checks.
check_grown() {
	name=$1 file=$2 orig=$3 expect=$4 how=$5 loader=$6
	# patchelf reads only files with section headers
	check "$name: readelf (and patchelf) name the long path, without warnings" \
		sh -c "LC_ALL=C readelf -lW '$file' 2>&1 | grep -q 'interpreter: $LONG/' &&
		       ! LC_ALL=C readelf -lW '$file' 2>&1 | grep -qi warning &&
		       { ! command -v patchelf >/dev/null || [ '$name' = noshdr ] ||
		         patchelf --print-interpreter '$file' 2>/dev/null | grep -q '^$LONG/'; }"
	if have_tool eu-elflint; then
		check "$name: eu-elflint finds nothing new" [ -z "$(new_complaints "$file" "$orig")" ]
	else
		ok "$name: eu-elflint finds nothing new # SKIP needs eu-elflint"
	fi
	check "$name: no PT_LOAD lost, none below the original lowest address" \
		sh -c "[ \$(readelf -lW '$file' | grep -c ' LOAD ') -ge \$(readelf -lW '$orig' | grep -c ' LOAD ') ] &&
		       [ \"\$(readelf -lW '$file' | awk '/ LOAD /{print \$3}' | sort | head -1)\" = \"\$(readelf -lW '$orig' | awk '/ LOAD /{print \$3}' | sort | head -1)\" ]"
	if [ "$how" = none ]; then
		for c in execve ld.so nobody strip; do ok "$name: $c # SKIP cannot run here"; done
	elif [ -n "$how" ] && ! have_tool "${how%% *}"; then
		for c in execve ld.so nobody strip; do ok "$name: $c # SKIP needs ${how%% *}"; done
	else
		check "$name: runs via execve" sh -c "$how '$file' 2>&1 | grep -q '$expect'"
		check "$name: runs via an explicit ld.so" \
			sh -c "$how '$loader' '$file' 2>&1 | grep -q '$expect'"
		if ! is_root; then
			skip_needs_root "$name: runs as nobody"
		elif ! have_tool setpriv; then
			ok "$name: runs as nobody # SKIP needs setpriv"
		else
			check "$name: runs as nobody" sh -c "$AS_NOBODY $how '$file' 2>&1 | grep -q '$expect'"
		fi
		strip=$(strip_for "$name")
		cp "$file" "$file.s"
		if [ "$name" = noshdr ]; then
			ok "$name: strip of the result still runs # SKIP strip needs section headers"
		elif ! have_tool "$strip"; then
			ok "$name: strip of the result still runs # SKIP needs $strip"
		elif ! "$strip" "$file.s" 2>"$T/strip.err"; then
			not_ok "$name: strip of the result still runs ($strip failed)"
			diag "$(cat "$T/strip.err")"
		else
			# objcopy and llvm-strip relay segments out their own ways
			# (llvm-objcopy nests segments by offset, BFD puts the
			# program headers first): each result must still run
			others=""
			case "$strip" in
			strip)
				objcopy "$file" "$file.o" 2>/dev/null && others="$file.o"
				if command -v llvm-strip >/dev/null && llvm-strip -o "$file.l" "$file" 2>/dev/null; then
					others="$others $file.l"
				fi
				;;
			esac
			check "$name: strip (and objcopy, llvm-strip) of the result still runs" \
				sh -c "for f in '$file.s' $others; do $how \"\$f\" 2>&1 | grep -q '$expect' || exit 1; done"
		fi
	fi
}

for f in $FIXTURES; do
	src=$(fixture "$f")
	[ -n "$src" ] || continue
	how=$(runner "$f")
	[ "$how" = native ] && how=""
	[ -z "$(runner "$f")" ] && how=none
	old=$(readelf -lW "$src" | sed -n 's/.*interpreter: \(.*\)]/\1/p')
	prefix=$(echo "$how" | sed -n 's/.* -L \([^ ]*\).*/\1/p')
	real=$prefix$old
	ln -sf "$real" "$LONG/$(basename "$old")"
	expect=$($how "$src" 2>/dev/null | head -n 1)
	[ -n "$expect" ] || expect="hello from interpfix"
	cp "$src" "$T/$f"
	chmod 755 "$T/$f"
	ifx fix --to "$LONG/$(basename "$old")" "$T/$f"
	check "$f: fix to a longer path exits 0" [ "$RC" = 0 ]
	[ "$RC" = 0 ] || cat "$T/err" >&2
	check_grown "$f" "$T/$f" "$src" "$expect" "${how:-}" "$real"
done

# The host's own loader under the long directory.
HOST_LD_NAME=$(basename "$HOST_LD")
ln -sf "$HOST_LD" "$LONG/$HOST_LD_NAME"
loads() { readelf -lW "$1" | grep -c ' LOAD '; }

# Large .bss in a packed layout (lld): the last resort, a new segment.
# 16 MiB of .bss is more hole than a layout may add, so the segment goes
# right after the loaded image (Linux 5.18+ finds the headers there; older
# kernels and qemu-user do not, and the fix warns). 512 KiB is within the
# limit: the headers stay where every kernel and qemu look.
bss_program() { # SIZE NAME
	printf '#include <stdio.h>\nstatic char big[%s];\nint main(void) { big[5] = 1; puts("hello from interpfix"); return big[4]; }\n' "$1" >"$T/$2.c"
	clang -fuse-ld=lld -o "$T/$2" "$T/$2.c" 2>"$T/clang.err"
}
kernel_finds_moved_headers() { # Linux 5.18 or later
	[ "$(printf '5.18\n%s\n' "$(uname -r | cut -d- -f1)" | sort -V | head -n 1)" = 5.18 ]
}
blocks_bytes() { echo $(($(stat -c %b "$1") * $(stat -c %B "$1"))); }
bigbss_skip=""
for tool in clang ld.lld; do
	have_tool "$tool" || { bigbss_skip="needs $tool"; break; }
done
if [ -z "$bigbss_skip" ] && ! { bss_program '16 << 20' bigbss && bss_program '512 << 10' halfbss; }; then
	not_ok "bigbss: clang -fuse-ld=lld builds the .bss programs"
	diag "$(cat "$T/clang.err")"
	bigbss_skip="it could not be built"
	n_bigbss=12
else
	n_bigbss=13
fi
if [ -n "$bigbss_skip" ]; then
	i=0
	while [ $i -lt $n_bigbss ]; do ok "bigbss # SKIP $bigbss_skip"; i=$((i + 1)); done
else
	cp "$T/bigbss" "$T/bigbss.orig"
	ifx fix --to "$LONG/$HOST_LD_NAME" "$T/bigbss"
	check "lld with 16 MiB .bss: fixed with a new segment, and a warning naming Linux 5.18" \
		sh -c "[ '$RC:$(loads "$T/bigbss")' = '0:$(($(loads "$T/bigbss.orig") + 1))' ] &&
		       grep -q 'warning: .*Linux before 5.18' '$T/err'"
	check "... the file grows by the headers and the string, not by the .bss" \
		[ "$(stat -c %s "$T/bigbss")" -le $(($(stat -c %s "$T/bigbss.orig") + 4096)) ]
	how=""
	kernel_finds_moved_headers || how=none
	check_grown bigbss "$T/bigbss" "$T/bigbss.orig" "hello from interpfix" "$how" "$HOST_LD"
	size=$(stat -c %s "$T/bigbss")
	ln -sf "$HOST_LD" "$LONG/another-$HOST_LD_NAME"
	ifx fix --to "$LONG/another-$HOST_LD_NAME" "$T/bigbss"
	check "... fixed again to another long path: no second segment, no growth" \
		[ "$RC:$(loads "$T/bigbss"):$(stat -c %s "$T/bigbss")" = "0:$(($(loads "$T/bigbss.orig") + 1)):$size" ]

	ifx fix --to "$LONG/$HOST_LD_NAME" "$T/halfbss"
	check "lld with 512 KiB .bss: fixed, with no warning" \
		sh -c "[ $RC = 0 ] && ! grep -q warning '$T/err' && '$T/halfbss' | grep -q 'hello from interpfix'"
	if have_tool "$HOST_QEMU"; then
		check "... and runs under qemu-user, which computes AT_PHDR from e_phoff" \
			sh -c "$HOST_QEMU '$T/halfbss' | grep -q 'hello from interpfix'"
	else
		ok "... and runs under qemu-user, which computes AT_PHDR from e_phoff # SKIP needs $HOST_QEMU"
	fi
	# the hole the fix left is kept by the next one (copy_file_range alone
	# would write it out as zeros); only where the file system keeps holes
	if [ "$(blocks_bytes "$T/halfbss")" -ge $((256 << 10)) ]; then
		ok "... a second fix keeps its hole # SKIP this file system stores no holes"
	else
		ifx fix --to "$LONG/another-$HOST_LD_NAME" "$T/halfbss"
		used=$(blocks_bytes "$T/halfbss")
		check "... a second fix keeps its hole" \
			sh -c "[ $RC = 0 ] && [ $used -lt $((256 << 10)) ] && '$T/halfbss' | grep -q 'hello from interpfix'"
	fi
fi

# Trailing data (a signature, an archive) stays byte for byte at the end.
base=$(fixture gcc-pie)
cp "$base" "$T/payload"
head -c 70000 /dev/urandom >"$T/tail"
cat "$T/tail" >>"$T/payload"
ifx fix --to "$LONG/$HOST_LD_NAME" "$T/payload"
check "trailing data: fixed, and the payload is still the file's last 70000 bytes" \
	sh -c "[ $RC = 0 ] && tail -c 70000 '$T/payload' | cmp -s - '$T/tail'"
check_grown payload "$T/payload" "$base" "hello from interpfix" "" "$HOST_LD"

# Repeating never piles up: grow, grow again, shrink back, grow again.
# Every fix must have written (exit 0, the path asked for): a refused fix
# changes nothing and would pass the size checks.
interp_of() { readelf -lW "$1" | sed -n 's/.*interpreter: \(.*\)]$/\1/p'; }
fixed_to() { # PATH: the last ifx fix exited 0 and $T/again now names PATH
	[ "$RC" = 0 ] && [ "$(interp_of "$T/again")" = "$1" ]
}
cp "$base" "$T/again"
ifx fix --to "$LONG/$HOST_LD_NAME" "$T/again"
fixes_ok=0
fixed_to "$LONG/$HOST_LD_NAME" && fixes_ok=$((fixes_ok + 1))
size1=$(stat -c %s "$T/again")
loads1=$(loads "$T/again")
ln -sf "$HOST_LD" "$LONG/even-longer-name-$HOST_LD_NAME"
for i in 1 2 3 4 5; do
	ifx fix --to "$LONG/$HOST_LD_NAME" "$T/again"
	fixed_to "$LONG/$HOST_LD_NAME" && fixes_ok=$((fixes_ok + 1))
	ifx fix --to "$LONG/even-longer-name-$HOST_LD_NAME" "$T/again"
	fixed_to "$LONG/even-longer-name-$HOST_LD_NAME" && fixes_ok=$((fixes_ok + 1))
done
check "ten alternating fixes (after a first growth) all succeed and add no segment" \
	[ "$fixes_ok:$(loads "$T/again")" = "11:$loads1" ]
check "... and no size" [ "$(stat -c %s "$T/again")" = "$size1" ]
ifx fix --to "$HOST_LD" "$T/again"
check "shrinking back to the standard path works and runs" \
	sh -c "[ $RC = 0 ] && [ \"\$(readelf -lW '$T/again' | sed -n 's/.*interpreter: \\(.*\\)]\$/\\1/p')\" = '$HOST_LD' ] && '$T/again' | grep -q 'hello from interpfix'"
ifx fix --to "$LONG/$HOST_LD_NAME" "$T/again"
check "growing again after all that: still no new segment or size" \
	sh -c "[ $RC = 0 ] && [ \"\$(stat -c %s '$T/again'):\$(readelf -lW '$T/again' | grep -c ' LOAD ')\" = '$size1:$loads1' ] &&
	       readelf -lW '$T/again' | grep -q 'interpreter: $LONG/$HOST_LD_NAME]'"

# --dry-run shows the layout change and writes nothing.
cp "$base" "$T/dry"
ifx fix --dry-run --to "$LONG/$HOST_LD_NAME" "$T/dry"
check "dry run of a growth: exit 1, layout lines shown, nothing written" \
	sh -c "[ $RC = 1 ] && grep -q '^@@ layout @@' '$T/out' && grep -q '^~INTERP offset' '$T/out' && cmp -s '$base' '$T/dry'"

# --in-place cannot grow a file.
cp "$base" "$T/inplace"
ifx fix --in-place --to "$LONG/$HOST_LD_NAME" "$T/inplace"
check "--in-place refuses a longer path with exit 2, file untouched" \
	sh -c "[ $RC = 2 ] && grep -q 'drop --in-place' '$T/err' && cmp -s '$base' '$T/inplace'"

done_testing
