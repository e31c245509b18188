#!/bin/sh
# fix rewrites PT_INTERP on every linker's layout; the result runs (natively
# or under qemu-user), passes readelf and eu-elflint, survives strip, reads
# back with patchelf, and fixing back restores the original byte for byte.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures gcc-pie brew
require_tools readelf strip

# A short directory so that "$S/l" fits in every standard loader's bytes.
S=$(mktemp -d /tmp/ifxXXXXXX)
trap 'rm -rf "$S"; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT

# Loader each fixture's interpreter really is on this machine.
real_loader() {
	case "$(runner "$1")" in
	native) echo "$2" ;;
	*" -L "*) echo "${3}$2" ;;
	esac
}

elflint_complaints() {
	eu-elflint --gnu-ld "$1" 2>&1 | grep -v '^No errors' | sed "s|$1|FILE|g" | sort
}

# An empty EXPECT (the original printed nothing) matches nothing.
run_prints_expected() {
	[ -n "$3" ] && run_fixture "$1" "$2" && grep -qF "$3" "$T/run"
}
strip_for() {
	case "$1" in
	aarch64) echo aarch64-linux-gnu-strip ;;
	s390x) echo s390x-linux-gnu-strip ;;
	*) echo strip ;;
	esac
}

FIXTURES="gcc-pie gcc-nopie gcc-noseparate gcc-maxpage64k gcc-maxpage2m gold lld lld-nopie mold
resolve go-cgo-glibc go-extlink go-pie go-tags musl go-cgo-musl aarch64 s390x i386 noshdr"
n=0
for f in $FIXTURES; do [ -n "$(fixture "$f")" ] && n=$((n + 1)); done
plan $((n * 9 + 5))

for f in $FIXTURES; do
	src=$(fixture "$f")
	[ -n "$src" ] || continue
	how=$(runner "$f")
	cp "$src" "$T/$f"
	if have_tool eu-elflint; then
		eu-elflint --gnu-ld "$src" 2>&1 | sed "s|$src|F|g" | sort >"$T/$f.elflint"
	fi
	old=$(readelf -lW "$src" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
	prefix=$(echo "$how" | sed -n 's/.* -L \([^ ]*\).*/\1/p')
	ln -sf "$(real_loader "$f" "$old" "$prefix")" "$S/l"
	expect=$(run_fixture "$f" "$src" && head -n 1 "$T/run")

	ifx fix --to "$S/l" "$T/$f"
	check "$f: fix to a shorter path exits 0" [ "$RC" = 0 ]
	check "$f: readelf names the new interpreter without warnings" \
		sh -c "LC_ALL=C readelf -lW '$T/$f' 2>&1 | grep -q 'interpreter: $S/l]' &&
			! LC_ALL=C readelf -lW '$T/$f' 2>&1 | grep -qi warning"
	if [ "$f" = noshdr ]; then
		ok "$f: patchelf reads it back # SKIP patchelf needs section headers"
	elif ! have_tool patchelf; then
		ok "$f: patchelf reads it back # SKIP needs patchelf"
	else
		check "$f: patchelf reads the new interpreter back" \
			[ "$(patchelf --print-interpreter "$T/$f" 2>/dev/null)" = "$S/l" ]
	fi
	if [ -f "$T/$f.elflint" ]; then
		check "$f: eu-elflint finds nothing new" \
			sh -c "[ -z \"\$(eu-elflint --gnu-ld '$T/$f' 2>&1 | sed 's|$T/$f|F|g' | sort | comm -23 - '$T/$f.elflint')\" ]"
	else
		ok "$f: eu-elflint finds nothing new # SKIP needs eu-elflint"
	fi
	check "$f: no stale byte of the old path remains" \
		sh -c "! grep -qF '$old' '$T/$f'"
	if [ "$how" = none ] || [ -z "$how" ]; then
		ok "$f: # SKIP cannot run here"
		ok "$f: strip # SKIP cannot run here"
	elif [ "$how" != native ] && ! have_tool "${how%% *}"; then
		ok "$f: the fixed binary runs # SKIP needs ${how%% *}"
		ok "$f: strip # SKIP needs ${how%% *}"
	else
		check "$f: the fixed binary runs and prints '$expect'" \
			run_prints_expected "$f" "$T/$f" "$expect"
		strip=$(strip_for "$f")
		cp "$T/$f" "$T/$f.stripped"
		if [ "$f" = noshdr ]; then
			ok "$f: strip # SKIP strip needs section headers"
		elif ! have_tool "$strip"; then
			ok "$f: strip # SKIP needs $strip"
		elif ! "$strip" "$T/$f.stripped" 2>"$T/strip.err"; then
			not_ok "$f: strip of the result still runs ($strip failed)"
			diag "$(cat "$T/strip.err")"
		else
			check "$f: strip of the result still runs" \
				run_prints_expected "$f" "$T/$f.stripped" "$expect"
		fi
	fi
	# A foreign binary's own loader exists only inside its sysroot.
	ifx fix --to "$old" ${prefix:+--root "$prefix"} "$T/$f"
	check "$f: fixing back exits 0 and names $old again" \
		[ "$RC:$(readelf -lW "$T/$f" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')" = "0:$old" ]
	if [ ${#S} -lt $((${#old} - 2)) ]; then
		check "$f: fixing back restores the original byte for byte" cmp -s "$src" "$T/$f"
	else
		ok "$f: byte-identical round trip # SKIP $S/l is longer than $old: it was relocated"
	fi
done

# The Linuxbrew case: the standard loader is shorter than brew's.
brew=$(fixture brew)
cp "$brew" "$T/brew"
ifx fix --to "$HOST_LD" "$T/brew"
check "brew: fix to the standard loader exits 0" [ "$RC" = 0 ]
check "brew: one line says what changed" \
	grep -qx "fixed $T/brew: /home/linuxbrew/.linuxbrew/lib/ld.so -> $HOST_LD" "$T/out"
check "brew: the repaired binary runs" sh -c "'$T/brew' | grep -q 'hello from interpfix'"
cp "$T/brew" "$T/brew.again"
touch -d '2001-01-01' "$T/brew"
ifx fix --to "$HOST_LD" "$T/brew"
check "brew: a second fix is a no-op that exits 0" [ "$RC" = 0 ]
check "brew: ... writes nothing (mtime kept, bytes identical)" \
	sh -c "[ \"\$(stat -c %Y '$T/brew')\" = \"\$(date -d 2001-01-01 +%s)\" ] && cmp -s '$T/brew' '$T/brew.again'"

done_testing
