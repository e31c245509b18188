#!/bin/sh
# Every kind of bad input gets exactly one line "interpfix: PATH: reason"
# on stderr and exit 2; the file is never changed; FIFOs never hang; the
# other files on the command line are still reported.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures gcc-pie
GOOD=$(fixture gcc-pie)
mkdir "$T/bad"
B=$T/bad

# Little-endian integers into a copy of the good ELF64 file.
poke() { # FILE OFFSET BYTES... (each as \ooo octal)
	f=$1 off=$2
	shift 2
	printf "$*" | dd of="$f" bs=1 seek="$off" conv=notrunc 2>/dev/null
}
le64() { # value -> octal escapes, little-endian 8 bytes
	v=$1 out=""
	for i in 1 2 3 4 5 6 7 8; do out="$out\\$(printf '%03o' $((v & 255)))"; v=$((v >> 8)); done
	echo "$out"
}
u64() { od -An -tu8 -j "$2" -N 8 "$1" | tr -d ' '; }
u16() { od -An -tu2 -j "$2" -N 2 "$1" | tr -d ' '; }
phoff=$(u64 "$GOOD" 32)
phnum=$(u16 "$GOOD" 56)
interp_ph=""
i=0
while [ $i -lt "$phnum" ]; do
	[ "$(od -An -tu4 -j $((phoff + i * 56)) -N 4 "$GOOD" | tr -d ' ')" = 3 ] && interp_ph=$((phoff + i * 56))
	i=$((i + 1))
done
interp_off=$(u64 "$GOOD" $((interp_ph + 8)))
interp_size=$(u64 "$GOOD" $((interp_ph + 32)))
note_ph=""
i=0
while [ $i -lt "$phnum" ]; do
	[ "$(od -An -tu4 -j $((phoff + i * 56)) -N 4 "$GOOD" | tr -d ' ')" = 4 ] && note_ph=$((phoff + i * 56))
	i=$((i + 1))
done
size=$(stat -c %s "$GOOD")
mk() { cp "$GOOD" "$B/$1"; }

: >"$B/empty"
printf 'just text\n' >"$B/text"
printf '\177EL' >"$B/short-magic"
head -c 40 "$GOOD" >"$B/cut-header"
head -c $((phoff + 100)) "$GOOD" >"$B/cut-phdrs"
mk interp-past-eof; poke "$B/interp-past-eof" $((interp_ph + 8)) "$(le64 $((size + 4096)))"
mk interp-straddles; poke "$B/interp-straddles" $((interp_ph + 8)) "$(le64 $((size - 4)))"
mk interp-no-nul; poke "$B/interp-no-nul" "$interp_off" "$(printf 'X%.0s' $(seq "$interp_size"))"
mk interp-size-0; poke "$B/interp-size-0" $((interp_ph + 32)) "$(le64 0)"; \
	poke "$B/interp-size-0" $((interp_ph + 40)) "$(le64 0)"
mk interp-empty; poke "$B/interp-empty" "$interp_off" '\000'
mk two-interp; poke "$B/two-interp" "$note_ph" '\003\000\000\000'; \
	poke "$B/two-interp" $((note_ph + 8)) "$(le64 "$interp_off")"; \
	poke "$B/two-interp" $((note_ph + 32)) "$(le64 "$interp_size")"
mk phnum-absurd; poke "$B/phnum-absurd" 56 '\377\177'
mk phentsize-absurd; poke "$B/phentsize-absurd" 54 '\007\000'
mk phoff-absurd; poke "$B/phoff-absurd" 32 '\377\377\377\377\377\377\377\177'
mk class-invalid; poke "$B/class-invalid" 4 '\003'
mk data-invalid; poke "$B/data-invalid" 5 '\000'
mk class-lies; poke "$B/class-lies" 4 '\001'
mkfifo "$B/fifo"
mkdir "$B/dir"
ln -s "$B/nowhere" "$B/dangling"

# name:word the reason must contain
CASES="empty:empty text:not.an.ELF short-magic:not.an.ELF cut-header:truncated
cut-phdrs:program.header interp-past-eof:PT_INTERP interp-straddles:PT_INTERP
interp-no-nul:NUL-terminated interp-size-0:PT_INTERP interp-empty:empty
two-interp:more.than.one.PT_INTERP phnum-absurd:program.header
phentsize-absurd:e_phentsize phoff-absurd:program.header class-invalid:class
data-invalid:data class-lies:e_ehsize fifo:FIFO dir:directory dangling:No.such"
n=$(echo $CASES | wc -w)
plan $((n * 3 + 6))

for c in $CASES; do
	name=${c%%:*}
	word=${c#*:}
	[ -f "$B/$name" ] && cp "$B/$name" "$T/orig" || : >"$T/orig"
	timeout 10 "$INTERPFIX" show "$B/$name" >"$T/out" 2>"$T/err"
	RC=$?
	check "$name: exit 2 and nothing on stdout" sh -c "[ $RC = 2 ] && [ ! -s '$T/out' ]"
	check "$name: one line 'interpfix: PATH: reason' mentioning $word" \
		sh -c "[ \$(wc -l <'$T/err') = 1 ] && grep -q '^interpfix: $B/$name: .*$word' '$T/err'"
	timeout 10 "$INTERPFIX" fix --portable --to /lib64/ld-linux-x86-64.so.2 "$B/$name" >/dev/null 2>&1
	RC=$?
	if [ -f "$B/$name" ] && [ ! -L "$B/$name" ]; then
		check "$name: fix exits 2 and leaves it byte for byte" sh -c "[ $RC = 2 ] && cmp -s '$T/orig' '$B/$name'"
	elif [ -d "$B/$name" ]; then
		check "$name: fix walks a directory instead (exit 0)" [ "$RC" = 0 ]
	else
		check "$name: fix exits 2" [ "$RC" = 2 ]
	fi
done

timeout 20 "$INTERPFIX" show "$GOOD" $(for c in $CASES; do echo "$B/${c%%:*}"; done) >"$T/out" 2>"$T/err"
RC=$?
check "all at once: exit 2" [ "$RC" = 2 ]
check "... the good file still reported" grep -q "^$GOOD:" "$T/out"
check "... one error line per bad file" [ "$(wc -l <"$T/err")" = "$n" ]
timeout 20 "$INTERPFIX" show --json "$GOOD" "$B/text" "$B/fifo" >"$T/out" 2>/dev/null
check "--json: valid array, errors as {path, error}" \
	sh -c "jq -e 'length == 3 and .[0].interp != null and (.[1].error | test(\"not an ELF\")) and .[2].path == \"$B/fifo\"' '$T/out' >/dev/null"
chmod 000 "$B/text"
if [ "$(id -u)" != 0 ]; then
	ifx show "$B/text"
	check "an unreadable file: exit 2, Permission denied" sh -c "[ $RC = 2 ] && grep -q 'Permission denied' '$T/err'"
else
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$INTERPFIX" show "$B/text" >"$T/out" 2>"$T/err"
	RC=$?
	check "an unreadable file (as nobody): exit 2, one line" \
		sh -c "[ $RC = 2 ] && [ \$(wc -l <'$T/err') = 1 ] && grep -q 'Permission denied' '$T/err'"
fi
chmod 644 "$B/text"
timeout 10 "$INTERPFIX" show /dev/null >"$T/out" 2>"$T/err"
RC=$?
check "a character device: exit 2, never read" sh -c "[ $RC = 2 ] && grep -q 'character device' '$T/err'"

done_testing
