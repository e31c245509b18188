#!/bin/sh
# A longer interpreter path on binaries nobody here built: the host's own
# dynamically linked programs (/usr/bin, /usr/sbin, naming the host loader),
# copied and grown to a ~140-character path that really exists. Each grown
# copy has the long path and no readelf warning, nothing new from eu-elflint,
# at most 64 KiB more; the kernel still loads it (LD_TRACE_LOADED_OBJECTS=1
# set by env for the program alone: the kernel maps it, reads PT_INTERP and
# passes AT_PHDR, and glibc's rtld.c lists the objects and exits before
# relocation, so main never runs), with the objects the original copy maps;
# strip, objcopy and llvm-strip keep it loading, patchelf reads the path
# back; fixing again (another long path, the short original, the long one)
# never piles up. Nothing is run any other way. Root is not needed.
# A sample of about 60 binaries (every Nth of the sorted list, plus the
# big Haskell binary shellcheck); IFX_ALL=1 takes them all.
. "$IFX_SRCDIR/tests/cli/lib.sh"
require_tools readelf strip objcopy timeout
[ -n "$HOST_LD" ] && [ -x "$HOST_LD" ] || skip_all "no host loader (HOST_LD) to compare with"
plan 14

# Two paths of 140 characters, each a symlink to the host loader.
S=$(mktemp -d "${TMPDIR:-/tmp}/ifx-grown-XXXXXX")
trap 'rm -rf "$S"; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
LD_NAME=$(basename "$HOST_LD")
PAD=$(awk -v n=$((140 - ${#S} - ${#LD_NAME} - 6)) 'BEGIN {
	while (length(s) < n) s = s "a-long-directory-for-the-loader/"
	s = substr(s, 1, n < 1 ? 1 : n); sub(/\/$/, "x", s); print s }')
LONG1=$S/$PAD/one/$LD_NAME
LONG2=$S/$PAD/two/$LD_NAME
mkdir -p "${LONG1%/*}" "${LONG2%/*}"
ln -s "$HOST_LD" "$LONG1"
ln -s "$HOST_LD" "$LONG2"
chmod -R 755 "$S"

# The candidates: readable regular files whose class and machine are the
# host loader's and whose PT_INTERP names it. The loader is the first
# operand of every readelf run, so each prints "File:" headers.
kind_of() { LC_ALL=C readelf -hW "$1" 2>/dev/null | awk '/^  (Class|Machine):/ { sub(/^ +[A-Za-z]+: +/, ""); printf "%s;", $0 }'; }
HOST_KIND=$(kind_of "$HOST_LD")
find /usr/bin /usr/sbin -type f -size +1k 2>/dev/null | sort | while IFS= read -r f; do
	[ -r "$f" ] && printf '%s\n' "$f"
done >"$T/files"
xargs -d '\n' sh -c 'LC_ALL=C readelf -hlW "$@" 2>/dev/null' sh "$HOST_LD" <"$T/files" |
	awk -v kind="$HOST_KIND" -v ld="$HOST_LD" '
	function flush() { if (f != "" && k == kind && i == ld) print f; f = k = i = "" }
	/^File: / { flush(); f = substr($0, 7); next }
	/^  (Class|Machine):/ { v = $0; sub(/^ +[A-Za-z]+: +/, "", v); k = k v ";"; next }
	/\[Requesting program interpreter: / { i = $0; sub(/.*interpreter: /, "", i); sub(/\]$/, "", i) }
	END { flush() }' | sort -u >"$T/eligible"
total=$(grep -c . "$T/eligible" || true)
step=1
[ "${IFX_ALL:-0}" = 1 ] || [ "$total" -lt 120 ] || step=$((total / 60))
awk -v n="$step" '(NR - 1) % n == 0' "$T/eligible" >"$T/sample"
if grep -qx /usr/bin/shellcheck "$T/eligible" && ! grep -qx /usr/bin/shellcheck "$T/sample"; then
	echo /usr/bin/shellcheck >>"$T/sample"
fi
sampled=$(grep -c . "$T/sample" || true)
check "at least 20 of the host's dynamic binaries sampled ($sampled of $total, one in $step)" \
	[ "$sampled" -ge 20 ]

# Per check kind: n_KIND binaries checked, f_KIND failed, the failures'
# details in $T/fail.KIND.
tally() { eval "n_$1=\$((\${n_$1:-0} + 1))"; }
failed() { # KIND SUMMARY [FILE]: this binary fails KIND; FILE's first lines say how
	eval "f_$1=\$((\${f_$1:-0} + 1))"
	bad=1
	{
		printf '%s: %s\n' "$name" "$2"
		[ $# -lt 3 ] || sed -n '1,14s/^/    /p' "$3"
	} >>"$T/fail.$1"
}
report() { # KIND DESCRIPTION [SKIP-REASON [UNIT]]
	n=$(eval "echo \${n_$1:-0}") nf=$(eval "echo \${f_$1:-0}")
	unit=${4:-binaries}
	if [ -n "${3:-}" ]; then
		ok "$2 # SKIP $3"
	elif [ "$n" -eq 0 ]; then
		not_ok "$2: no binary got this far"
	elif [ "$nf" -eq 0 ]; then
		ok "$2: $n of $n $unit"
	else
		not_ok "$2: $((n - nf)) of $n $unit"
		head -n 120 "$T/fail.$1" | while IFS= read -r line; do diag "$line"; done
	fi
}

W=$T/w
interp_of() { LC_ALL=C readelf -lW "$1" 2>/dev/null | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]$/\1/p'; }
loads() { LC_ALL=C readelf -lW "$1" 2>/dev/null | grep -c '^ *LOAD '; }
size_of() { stat -c %s "$1"; }
# layout ORIG GROWN: how the string found room: a "new" PT_LOAD, the
# "last" PT_LOAD grown (over .bss), another grown into "slack", or "none"
layout() {
	LC_ALL=C readelf -lW "$1" "$2" 2>/dev/null | awk '
	/^File: / { file++ } / LOAD / { n[file]++; fs[file, n[file]] = $5 }
	END {
		if (n[2] > n[1]) { print "new"; exit }
		if (fs[1, n[1]] != fs[2, n[2]]) { print "last"; exit }
		for (i = 1; i < n[1]; i++) if (fs[1, i] != fs[2, i]) { print "slack"; exit }
		print "none" }'
}
# trace FILE INTERP: the objects the loader maps for FILE run by the
# kernel, without addresses, the loader's own line (PT_INTERP's string)
# as INTERP, FILE as FILE, and the exit status.
trace() {
	timeout 10 env LD_TRACE_LOADED_OBJECTS=1 "$1" >"$W/raw" 2>&1
	rc=$?
	awk -v file="$1" -v interp="$2" '{
		sub(/ \(0x[0-9a-f]+\)$/, "")
		i = index($0, file)
		if (i) $0 = substr($0, 1, i - 1) "FILE" substr($0, i + length(file))
		if ($0 == "\t" interp) $0 = "\tINTERP"
		print }' "$W/raw"
	echo "exit $rc"
}
# still_loads KIND FILE INTERP HOW: FILE maps what the original copy maps
still_loads() {
	tally "$1"
	trace "$2" "$3" >"$W/trace.got"
	cmp -s "$W/trace.orig" "$W/trace.got" && return 0
	diff "$W/trace.orig" "$W/trace.got" >"$W/trace.diff"
	failed "$1" "$4; timeout 10 env LD_TRACE_LOADED_OBJECTS=1 $2: differs from the original's (diff original this)" "$W/trace.diff"
	return 1
}
elflint_complaints() {
	eu-elflint --gnu-ld "$1" 2>&1 | grep -v '^No errors' | sed "s|$1|FILE|g" | sort
}
# a tool's copy of the grown file: TOOL succeeds and the copy still loads
tool_copy() { # KIND OUT COMMAND...
	kind=$1 out=$2
	shift 2
	if ! "$@" >"$W/tool.err" 2>&1; then
		tally "$kind"
		failed "$kind" "$* exits non-zero" "$W/tool.err"
		return
	fi
	chmod 755 "$out"
	still_loads "$kind" "$out" "$LONG1" "$*" || true
}
# refix PATH: fix again to PATH; exit 0 and PATH written, no PT_LOAD or
# byte more than after the first growth, and it still loads
refix() {
	ifx fix --to "$1" "$W/grown"
	tally refix
	got=$(interp_of "$W/grown")
	if [ "$RC" != 0 ] || [ "$got" != "$1" ]; then
		cp "$T/err" "$W/err"
		failed refix "interpfix fix --to $1 grown: exit $RC, interpreter now '$got'" "$W/err"
	fi
	tally resize
	if [ "$(loads "$W/grown")" -gt "$loads1" ] || [ "$(size_of "$W/grown")" -gt "$size1" ]; then
		failed resize "after interpfix fix --to $1: $(loads "$W/grown") PT_LOADs, $(size_of "$W/grown") bytes (first growth: $loads1, $size1)"
	fi
	still_loads reload "$W/grown" "$1" "after interpfix fix --to $1" || true
}

have_elflint=$(command -v eu-elflint || true)
have_llvm_strip=$(command -v llvm-strip || true)
have_patchelf=$(command -v patchelf || true)
shellcheck_seen="" shellcheck_bad=0 warned=0 untraceable=0
new_segment=0 over_bss=0 slack=0 other=0
while IFS= read -r f; do
	name=$f bad=0
	rm -rf "$W"
	mkdir "$W"
	if ! { cp "$f" "$W/orig" && chmod 755 "$W/orig" && cp "$W/orig" "$W/grown"; }; then
		diag "$name: cannot be copied; left out"
		continue
	fi
	trace "$W/orig" "$HOST_LD" >"$W/trace.orig"
	traceable=1
	grep -q '^	INTERP$' "$W/trace.orig" || { traceable=0; untraceable=$((untraceable + 1)); diag "$name: the original copy does not trace; load checks left out"; }
	tally fix
	ifx fix --to "$LONG1" "$W/grown"
	if [ "$RC" != 0 ]; then
		cp "$T/err" "$W/err"
		failed fix "interpfix fix --to LONG grown: exit $RC" "$W/err"
		[ "$f" = /usr/bin/shellcheck ] && shellcheck_seen=1 shellcheck_bad=1
		continue
	fi
	if grep -q warning "$T/err"; then
		warned=$((warned + 1))
		diag "$name: fix warns: $(grep warning "$T/err" | head -n 1)"
	fi
	loads1=$(loads "$W/grown")
	size0=$(size_of "$W/orig") size1=$(size_of "$W/grown")
	case $(layout "$W/orig" "$W/grown") in
	new) new_segment=$((new_segment + 1)) ;;
	last) over_bss=$((over_bss + 1)) ;;
	slack) slack=$((slack + 1)) ;;
	*) other=$((other + 1)) ;;
	esac

	tally readelf
	LC_ALL=C readelf -lW -SW "$W/grown" >"$W/readelf" 2>&1
	got=$(interp_of "$W/grown")
	if [ "$got" != "$LONG1" ] || grep -qiE '^readelf: (warning|error)' "$W/readelf"; then
		grep -iE '^readelf: (warning|error)|interpreter|^ *(LOAD|PHDR|INTERP) ' "$W/readelf" >"$W/why"
		failed readelf "readelf -lW -SW grown: interpreter '$got'" "$W/why"
	fi

	if [ -n "$have_elflint" ]; then
		tally elflint
		elflint_complaints "$W/orig" >"$W/elflint.orig"
		elflint_complaints "$W/grown" | comm -23 - "$W/elflint.orig" >"$W/elflint.new"
		[ -s "$W/elflint.new" ] && failed elflint "eu-elflint --gnu-ld grown: new complaints" "$W/elflint.new"
	fi

	tally size
	[ "$size1" -le $((size0 + 65536)) ] ||
		failed size "grew from $size0 to $size1 bytes ($((size1 - size0)) more)"

	if [ "$traceable" = 1 ]; then
		still_loads loads "$W/grown" "$LONG1" "grown" || true
		tool_copy strip "$W/stripped" strip -o "$W/stripped" "$W/grown"
		tool_copy objcopy "$W/copied" objcopy "$W/grown" "$W/copied"
		[ -z "$have_llvm_strip" ] || tool_copy llvmstrip "$W/llvm-stripped" llvm-strip -o "$W/llvm-stripped" "$W/grown"
	fi

	if [ -n "$have_patchelf" ]; then
		tally patchelf
		got=$(patchelf --print-interpreter "$W/grown" 2>"$W/patchelf.err")
		[ "$got" = "$LONG1" ] || failed patchelf "patchelf --print-interpreter grown: '$got'" "$W/patchelf.err"
	fi

	if [ "$traceable" = 1 ]; then
		for to in "$LONG2" "$HOST_LD" "$LONG1"; do refix "$to"; done
	fi
	[ "$f" = /usr/bin/shellcheck ] && shellcheck_seen=1 shellcheck_bad=$bad
done <"$T/sample"
rm -rf "$W"

diag "LONG is $LONG1 (${#LONG1} characters)"
diag "of $((${n_fix:-0} - ${f_fix:-0})) grown: $new_segment by a new PT_LOAD, $over_bss by the last PT_LOAD (over .bss), $slack by another into slack, $other by none"
diag "$warned with a warning from fix; $untraceable untraceable originals"
report fix "interpfix fix --to LONG exits 0"
report readelf "readelf -lW names LONG; readelf -lW -SW print no warning"
report elflint "eu-elflint --gnu-ld finds nothing the original did not have" \
	"$([ -n "$have_elflint" ] || echo needs eu-elflint)"
report size "the file grows by at most 64 KiB"
report loads "the kernel and loader map what the original copy maps (LD_TRACE_LOADED_OBJECTS=1)"
report strip "strip -o of the grown file succeeds and still loads"
report objcopy "objcopy of the grown file succeeds and still loads"
report llvmstrip "llvm-strip -o of the grown file succeeds and still loads" \
	"$([ -n "$have_llvm_strip" ] || echo needs llvm-strip)"
report patchelf "patchelf --print-interpreter reads LONG back" \
	"$([ -n "$have_patchelf" ] || echo needs patchelf)"
report refix "fixing again (another LONG, the original, LONG) exits 0 and writes the path" "" fixes
report resize "... with no PT_LOAD and no byte more than after the first growth" "" fixes
report reload "... and it still loads after each" "" fixes
if [ -z "$shellcheck_seen" ]; then
	ok "shellcheck (a big Haskell binary) passes every check # SKIP no dynamic /usr/bin/shellcheck here"
else
	check "shellcheck (a big Haskell binary) passes every check" [ "$shellcheck_bad" = 0 ]
fi
done_testing
