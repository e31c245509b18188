#!/bin/sh
# Every kind of bad input gets exactly one line "interpfix: PATH: reason" on
# stderr, exit 2 and nothing on stdout; the file is never changed (bytes,
# mtime, inode), not even by fix; a FIFO never hangs; the other files on the
# command line are still reported, in text and in JSON. A directory is no
# bad input: show walks it.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures gcc-pie
require_tools jq
GOOD=$(fixture gcc-pie)
B=$T/bad
mkdir "$B"

# ELF64 LSB offsets (gABI): e_phoff 0x20 (8), e_phentsize 0x36 (2),
# e_phnum 0x38 (2); a program header is 56 bytes: p_type +0 (4),
# p_offset +8, p_filesz +32, p_memsz +40 (8 each).
u() { # FILE OFFSET BYTES: an unsigned little-endian integer
	od -An -tu"$3" -j "$2" -N "$3" "$1" | tr -d ' '
}
poke() { # FILE OFFSET BYTES VALUE: write VALUE little-endian
	_f=$1 _off=$2 _n=$3 _v=$4 _esc=""
	while [ "$_n" -gt 0 ]; do
		_esc="$_esc\\$(printf '%03o' $((_v & 255)))"
		_v=$((_v >> 8))
		_n=$((_n - 1))
	done
	# shellcheck disable=SC2059
	printf "$_esc" | dd of="$_f" bs=1 seek="$_off" conv=notrunc 2>/dev/null
}
fill() { # FILE OFFSET COUNT CHAR: overwrite COUNT bytes with CHAR
	head -c "$3" /dev/zero | tr '\0' "$4" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
phdr_of_type() { # TYPE: offset of the first program header of that type
	_i=0
	while [ "$_i" -lt "$phnum" ]; do
		if [ "$(u "$GOOD" $((phoff + _i * 56)) 4)" = "$1" ]; then
			echo $((phoff + _i * 56))
			return 0
		fi
		_i=$((_i + 1))
	done
	return 1
}

[ "$(u "$GOOD" 4 1) $(u "$GOOD" 5 1)" = "2 1" ] ||
	skip_all "gcc-pie is not ELF64 LSB here"
size=$(stat -c %s "$GOOD")
phoff=$(u "$GOOD" 32 8)
phnum=$(u "$GOOD" 56 2)
interp_ph=$(phdr_of_type 3) || skip_all "gcc-pie has no PT_INTERP"
note_ph=$(phdr_of_type 4) || skip_all "gcc-pie has no PT_NOTE"
interp_off=$(u "$GOOD" $((interp_ph + 8)) 8)
interp_size=$(u "$GOOD" $((interp_ph + 32)) 8)
note_off=$(u "$GOOD" $((note_ph + 8)) 8)
mk() { cp "$GOOD" "$B/$1"; }

# The malformed files, and a word (grep -E) the reason must contain.
: >"$B/empty"
printf 'just some text\n' >"$B/text"
printf '\177EL' >"$B/short-magic"
head -c 40 "$GOOD" >"$B/cut-header"
head -c $((phoff + 56 + 20)) "$GOOD" >"$B/cut-phdrs"
mk interp-past-eof
poke "$B/interp-past-eof" $((interp_ph + 8)) 8 $((size + 4096))
head -c $((interp_off + interp_size / 2)) "$GOOD" >"$B/cut-in-interp"
mk interp-straddles-eof
poke "$B/interp-straddles-eof" $((interp_ph + 8)) 8 $((size - 4))
# No NUL within p_filesz, the padding after it still NUL: a reader that
# looks past p_filesz (scanelf) would accept this one.
mk interp-no-nul
fill "$B/interp-no-nul" "$interp_off" "$interp_size" X
# ... and the padding up to the next 8-byte boundary gone too.
mk interp-no-nul-padded
pad_end=$(((interp_off + interp_size + 7) / 8 * 8))
fill "$B/interp-no-nul-padded" "$interp_off" $((pad_end - interp_off)) X
mk interp-size-0
poke "$B/interp-size-0" $((interp_ph + 32)) 8 0
poke "$B/interp-size-0" $((interp_ph + 40)) 8 0
mk interp-empty
poke "$B/interp-empty" "$interp_off" 1 0
mk two-interp
poke "$B/two-interp" "$note_ph" 4 3
poke "$B/two-interp" $((note_ph + 8)) 8 "$interp_off"
poke "$B/two-interp" $((note_ph + 32)) 8 "$interp_size"
poke "$B/two-interp" $((note_ph + 40)) 8 "$interp_size"
# A slot over the ELF header, over the program header table, and over
# bytes no segment loads (.comment): each would let a fix overwrite what
# must not move, or write where the loader never looks.
mk interp-over-ehdr
poke "$B/interp-over-ehdr" $((interp_ph + 8)) 8 1
mk interp-over-phdrs
poke "$B/interp-over-phdrs" $((interp_ph + 8)) 8 "$phoff"
# .comment: "GCC: (...) 12.2.0" and its NUL, in no segment
comment=$(readelf -SW "$GOOD" | sed -n 's/.*\] \.comment *[A-Z]* *[0-9a-f]* \([0-9a-f]*\) \([0-9a-f]*\) .*/\1 \2/p')
comment_off=$((0x${comment%% *}))
comment_size=$((0x${comment##* }))
mk interp-not-loaded
poke "$B/interp-not-loaded" $((interp_ph + 8)) 8 "${comment_off:-0}"
poke "$B/interp-not-loaded" $((interp_ph + 32)) 8 "$comment_size"
poke "$B/interp-not-loaded" $((interp_ph + 40)) 8 "$comment_size"
# PT_INTERP claiming more file than memory bytes (its padding would be
# written over .dynsym), and one laid over the notes
mk interp-filesz-over-memsz
poke "$B/interp-filesz-over-memsz" $((interp_ph + 32)) 8 $((interp_size + 200))
mk interp-over-note
poke "$B/interp-over-note" $((interp_ph + 8)) 8 $((note_off))
poke "$B/interp-not-loaded" $((interp_ph + 40)) 8 "$comment_size"
mk phnum-ffff
poke "$B/phnum-ffff" 56 2 65535
mk phnum-7fff
poke "$B/phnum-7fff" 56 2 32767
mk phentsize-7
poke "$B/phentsize-7" 54 2 7
mk phoff-huge
poke "$B/phoff-huge" 32 8 9223372036854775807
mk class-3
poke "$B/class-3" 4 1 3
mk data-0
poke "$B/data-0" 5 1 0
mk class-says-32
poke "$B/class-says-32" 4 1 1
mkdir "$B/dir"
mkfifo "$B/fifo"
ln -s "$B/nowhere" "$B/dangling"
mk unreadable
chmod 000 "$B/unreadable"

CASES="empty:empty
text:not.an.ELF
short-magic:not.an.ELF|truncated
cut-header:truncated|header
cut-phdrs:program.header
interp-past-eof:PT_INTERP
cut-in-interp:PT_INTERP
interp-straddles-eof:PT_INTERP
interp-no-nul:PT_INTERP.*NUL
interp-no-nul-padded:PT_INTERP.*NUL
interp-size-0:PT_INTERP
interp-empty:PT_INTERP.*empty
two-interp:PT_INTERP
interp-over-ehdr:PT_INTERP.*overlaps.the.ELF.header
interp-over-phdrs:PT_INTERP.*program.header.table
interp-not-loaded:PT_INTERP.*not.inside.any.loaded
interp-filesz-over-memsz:PT_INTERP.*more.file.bytes
interp-over-note:PT_INTERP.*overlaps.program.header
phnum-ffff:program.header|e_phnum|PN_XNUM
phnum-7fff:program.header|e_phnum
phentsize-7:e_phentsize|program.header
phoff-huge:program.header|e_phoff
class-3:class
data-0:data|byte.order|endian
class-says-32:class|e_ehsize
fifo:FIFO|not.a.regular
devnull:character.device|not.a.regular
dangling:No.such.file
unreadable:Permission.denied"

# Root reads a mode-000 file: check that case as nobody, when nobody can
# reach the CLI and the file; otherwise skip its five lines, saying why.
as_nobody=""
unreadable_skip=""
if is_root; then
	if ! have_tool setpriv; then
		unreadable_skip="needs setpriv (root reads a mode-000 file)"
	elif setpriv --reuid=nobody --regid=nogroup --clear-groups \
			sh -c "[ -x '$INTERPFIX' ] && [ -x '$B' ]" 2>/dev/null; then
		# valgrind needs a TMPDIR nobody can write.
		mkdir -m 1777 "$T/tmp-nobody"
		as_nobody="setpriv --reuid=nobody --regid=nogroup --clear-groups env TMPDIR=$T/tmp-nobody"
	else
		unreadable_skip="nobody cannot reach $INTERPFIX and $B (root reads a mode-000 file)"
	fi
fi

path_of() {
	case "$1" in
	devnull) echo /dev/null ;;
	*) echo "$B/$1" ;;
	esac
}
# What must not change: bytes (cmp with a saved copy), size, mode, mtime,
# inode; for /dev/null, whose mtime others move, mode and inode only.
st() {
	case "$1" in
	/dev/null) stat -c '%a %i %t %T' "$1" ;;
	*) stat -c '%s %a %y %i' "$1" ;;
	esac
}
save() {
	rm -f "$T/orig"
	case "$1" in
	*/unreadable) cp "$GOOD" "$T/orig" ;;
	*) if [ -f "$1" ] && [ ! -L "$1" ]; then cp "$1" "$T/orig"; fi ;;
	esac
	st "$1" >"$T/stat" 2>/dev/null
}
unchanged() {
	[ "$(st "$1" 2>/dev/null)" = "$(cat "$T/stat")" ] || return 1
	[ -f "$T/orig" ] || return 0
	case "$1" in
	*/unreadable)
		chmod 400 "$1"
		cmp -s "$T/orig" "$1"
		_rc=$?
		chmod 000 "$1"
		return $_rc
		;;
	esac
	cmp -s "$T/orig" "$1"
}
# run NAME ARGS...: the CLI on one case, with a timeout so a FIFO read
# fails the test instead of hanging it.
run() {
	_name=$1
	shift
	if [ "$_name" = unreadable ]; then
		# shellcheck disable=SC2086
		timeout 10 $as_nobody $IFX_VALGRIND "$INTERPFIX" "$@" >"$T/out" 2>"$T/err"
	else
		# shellcheck disable=SC2086
		timeout 10 $IFX_VALGRIND "$INTERPFIX" "$@" >"$T/out" 2>"$T/err"
	fi
	RC=$?
}
# one_line_error PATH WORDS: stderr is exactly one line, "interpfix: PATH: "
# and a reason matching WORDS.
one_line_error() {
	[ "$(wc -l <"$T/err")" = 1 ] || return 1
	_line=$(cat "$T/err")
	case "$_line" in
	"interpfix: $1: "?*) ;;
	*) return 1 ;;
	esac
	printf '%s\n' "${_line#"interpfix: $1: "}" | grep -Eq "$2"
}
jqt() { jq -e "$@" >/dev/null; }
show_failure() {
	diag "exit $RC; stdout:" "$(head -c 300 "$T/out")" "stderr:" "$(head -c 600 "$T/err")"
}

n=$(echo "$CASES" | wc -l)
plan $((n * 3 + n + (n - 1) + 3 + 7))

for c in $CASES; do
	name=${c%%:*}
	words=${c#*:}
	p=$(path_of "$name")
	if [ "$name" = unreadable ] && [ -n "$unreadable_skip" ]; then
		for w in "show exits 2" "one line" "show leaves it unchanged" "fix --dry-run" "fix"; do
			ok "$name: $w # SKIP $unreadable_skip"
		done
		continue
	fi
	save "$p"
	run "$name" show "$p"
	if [ "$RC" = 2 ] && [ ! -s "$T/out" ]; then
		ok "$name: show exits 2, nothing on stdout"
	else
		not_ok "$name: show exits 2, nothing on stdout"
		show_failure
	fi
	if one_line_error "$p" "$words"; then
		diag "$(cat "$T/err")"
		ok "$name: one line 'interpfix: $p: reason' naming /$words/"
	else
		not_ok "$name: one line 'interpfix: $p: reason' naming /$words/"
		show_failure
	fi
	check "$name: show leaves it unchanged" unchanged "$p"
	run "$name" fix --to "$HOST_LD" --dry-run "$p"
	if [ "$RC" = 2 ] && unchanged "$p" && [ "$(grep -c . "$T/err")" = 1 ]; then
		ok "$name: fix --dry-run exits 2 with one error line, leaves it unchanged"
	else
		not_ok "$name: fix --dry-run exits 2 with one error line, leaves it unchanged"
		show_failure
	fi
	# Never risk a rename over /dev/null.
	[ "$name" = devnull ] && continue
	ls -A "$B" >"$T/ls-before"
	run "$name" fix --to "$HOST_LD" "$p"
	if [ "$RC" = 2 ] && unchanged "$p" && ls -A "$B" | cmp -s - "$T/ls-before"; then
		ok "$name: fix exits 2, leaves it unchanged and nothing behind"
	else
		not_ok "$name: fix exits 2, leaves it unchanged and nothing behind"
		show_failure
	fi
done

# A directory is no bad input: show walks it as check and fix do (an empty
# one shows nothing), and leaves it unchanged.
save "$B/dir"
run dir show "$B/dir"
check "dir: show walks it: exit 0, nothing on stdout or stderr" \
	sh -c "[ $RC = 0 ] && [ ! -s '$T/out' ] && [ ! -s '$T/err' ]"
run dir show --json "$B/dir"
check "dir: show --json walks it: exit 0, no error, no entry in files" \
	sh -c "[ $RC = 0 ] && [ ! -s '$T/err' ] && jq -e '.files == [] and .summary.errors == 0 and .exit_status == 0' '$T/out' >/dev/null"
check "dir: show leaves it unchanged" unchanged "$B/dir"

# All of them on one command line, the good file in the middle: it is still
# reported, each bad one gets exactly its line, the worst status wins.
bad_paths=""
for c in $CASES; do
	name=${c%%:*}
	# Root reads it: it is no bad file for this run.
	[ "$name" = unreadable ] && is_root && continue
	bad_paths="$bad_paths $(path_of "$name")"
done
nbad=$(echo $bad_paths | wc -w)
half=$((nbad / 2))
first=$(echo $bad_paths | cut -d' ' -f1-$half)
rest=$(echo $bad_paths | cut -d' ' -f$((half + 1))-)
# shellcheck disable=SC2086
run all show $first "$GOOD" $rest
check "all at once: exit 2" [ "$RC" = 2 ]
check "all at once: the good file is still reported on stdout" \
	sh -c "head -n 1 '$T/out' | grep -qx '$GOOD:' && grep -q 'interp  *' '$T/out'"
each_once() {
	[ "$(wc -l <"$T/err")" = "$nbad" ] || return 1
	for _p in $bad_paths; do
		[ "$(grep -c -F "interpfix: $_p: " "$T/err")" = 1 ] || return 1
	done
	! grep -q -F "interpfix: $GOOD:" "$T/err"
}
check "all at once: exactly one error line for each bad file" each_once

# shellcheck disable=SC2086
run all show --json $first "$GOOD" $rest
check "--json all at once: exit 2, one error line each on stderr" sh -c "[ $RC = 2 ] && [ \$(wc -l <'$T/err') = $nbad ]"
jq -n --arg good "$GOOD" --arg bad "$bad_paths" --argjson half "$half" '
	($bad | split(" ") | map(select(. != ""))) as $b
	| $b[0:$half] + [$good] + $b[$half:]' >"$T/order"
check "--json all at once: one valid document, its files in command-line order" \
	jqt --slurpfile order "$T/order" '.files | map(.path) == $order[0]' "$T/out"
check "--json all at once: the bad files have path and error, the good one its facts" \
	jqt --arg good "$GOOD" '
		.files | map(select(.path != $good) | has("path") and (.error | type == "string" and length > 0)) | all' "$T/out"
check "--json all at once: the good file has no error, and its interpreter" \
	jqt --arg good "$GOOD" --arg ld "$HOST_LD" '
		.files | map(select(.path == $good)) | length == 1 and (.[0] | has("error") | not) and .[0].interp == $ld' "$T/out"

done_testing
