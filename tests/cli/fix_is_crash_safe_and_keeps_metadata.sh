#!/bin/sh
# The default atomic replace works on a running program, keeps owner, mode
# (setuid included) and xattrs, leaves the original intact and no temp file
# when a write fails; --in-place keeps hard links in step.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures brew
require_tools readelf
brew=$(fixture brew)
STD=$HOST_LD
# A loader path this host lacks and no longer than its own (--in-place must
# not need to grow): --portable writes it all the same.
MISSING=/lib/$(basename "$STD")
if [ "$MISSING" = "$STD" ] || [ -e "$MISSING" ]; then MISSING=/x/$(basename "$STD"); fi
plan 36

no_temp_left() { ! ls -A "$1" | grep -q '\.interpfix-'; }
interp_of() { readelf -lW "$1" | sed -n 's/.*interpreter: \(.*\)]/\1/p'; }

# A running executable: atomic replace works, --in-place cannot.
mkdir "$T/run"
cp /bin/sleep "$T/run/sleep"
"$T/run/sleep" 30 &
pid=$!
sleep 0.2
ifx fix --in-place --portable --to "$MISSING" "$T/run/sleep"
check "in-place on a running program: exit 2" [ "$RC" = 2 ]
check "... says it is running and what to do instead" \
	sh -c "grep -q 'Text file busy' '$T/err' && grep -q 'without --in-place' '$T/err'"
check "... and leaves it unchanged" cmp -s /bin/sleep "$T/run/sleep"
ifx fix --portable --to "$MISSING" "$T/run/sleep"
check "atomic replace of a running program: exit 0" [ "$RC" = 0 ]
check "... the new file has the new interpreter" [ "$(interp_of "$T/run/sleep")" = "$MISSING" ]
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "... no temp file is left" no_temp_left "$T/run"

# A symlink operand: the target is fixed, the link stays a link.
mkdir "$T/link"
cp "$brew" "$T/link/prog"
ln -s prog "$T/link/alias"
ifx fix --to "$STD" "$T/link/alias"
check "symlink operand: the target is fixed" [ "$(interp_of "$T/link/prog")" = "$STD" ]
check "symlink operand: the link is still a link to it" [ "$(readlink "$T/link/alias")" = prog ]

# Hard links: atomic replaces one name and warns; --in-place fixes both.
mkdir "$T/hard"
cp "$brew" "$T/hard/a"
ln "$T/hard/a" "$T/hard/b"
ifx fix --to "$STD" "$T/hard/a"
check "hard link, atomic: exit 0 and a warning naming the link count" \
	sh -c "[ $RC = 0 ] && grep -q 'has 2 hard links' '$T/err' && grep -q -- '--in-place' '$T/err'"
check "hard link, atomic: the other name keeps the old file" cmp -s "$brew" "$T/hard/b"
rm "$T/hard/a"
ln "$T/hard/b" "$T/hard/a"
ifx fix --in-place --to "$STD" "$T/hard/a"
check "hard link, --in-place: both names are fixed" \
	[ "$(interp_of "$T/hard/b"):$(stat -c %h "$T/hard/b")" = "$STD:2" ]

# Mode, setuid, owner and xattrs survive the atomic replace.
mkdir "$T/meta"
cp "$brew" "$T/meta/suid"
chmod 4755 "$T/meta/suid"
ifx fix --to "$STD" "$T/meta/suid"
check "setuid file: fixed, mode 4755 kept" \
	[ "$RC:$(stat -c %a "$T/meta/suid"):$(interp_of "$T/meta/suid")" = "0:4755:$STD" ]
cp "$brew" "$T/meta/ro"
chmod 0444 "$T/meta/ro"
ifx fix --to "$STD" "$T/meta/ro"
check "read-only file: fixed with mode 0444 kept" \
	[ "$RC:$(stat -c %a "$T/meta/ro"):$(interp_of "$T/meta/ro")" = "0:444:$STD" ]
cp "$brew" "$T/meta/x"
if ! have_tool setfattr || ! have_tool getfattr; then
	ok "user.* xattr kept # SKIP needs setfattr and getfattr"
elif ! setfattr -n user.origin -v brew "$T/meta/x" 2>"$T/xattr.err"; then
	ok "user.* xattr kept # SKIP this filesystem takes no user xattrs: $(head -n 1 "$T/xattr.err")"
else
	ifx fix --to "$STD" "$T/meta/x"
	check "user.* xattr kept" \
		[ "$RC:$(interp_of "$T/meta/x"):$(getfattr --only-values -n user.origin "$T/meta/x" 2>/dev/null)" = "0:$STD:brew" ]
fi
cp "$brew" "$T/meta/cap"
if ! is_root; then
	skip_needs_root "security.capability kept"
elif ! have_tool setcap || ! have_tool getcap; then
	ok "security.capability kept # SKIP needs setcap and getcap"
elif ! setcap cap_net_raw+ep "$T/meta/cap" 2>"$T/setcap.err"; then
	ok "security.capability kept # SKIP setcap fails here: $(head -n 1 "$T/setcap.err")"
else
	ifx fix --to "$STD" "$T/meta/cap"
	check "security.capability kept" \
		sh -c "[ $RC = 0 ] && [ \"\$(readelf -lW '$T/meta/cap' | sed -n 's/.*interpreter: \\(.*\\)]/\\1/p')\" = '$STD' ] &&
		       getcap '$T/meta/cap' | grep -q cap_net_raw"
fi
if is_root; then
	cp "$brew" "$T/meta/owned"
	chown 12345:23456 "$T/meta/owned"
	ifx fix --to "$STD" "$T/meta/owned"
	check "owner and group kept" \
		[ "$RC:$(interp_of "$T/meta/owned"):$(stat -c %u:%g "$T/meta/owned")" = "0:$STD:12345:23456" ]
else
	skip_needs_root "owner and group kept"
fi
check "no temp file left after the metadata cases" no_temp_left "$T/meta"

# A write that fails (file size limit: EFBIG) leaves the original intact.
mkdir "$T/fail"
cp "$brew" "$T/fail/prog"
head -c 300000 /dev/zero >>"$T/fail/prog"  # bigger than the limit below
cp "$T/fail/prog" "$T/fail/orig"
(ulimit -f 64; trap '' XFSZ; "$INTERPFIX" fix --to "$STD" "$T/fail/prog" >"$T/out" 2>"$T/err"; echo $? >"$T/rc")
check "a failing copy (EFBIG) exits 2" [ "$(cat "$T/rc")" = 2 ]
check "... with one line naming the file and the reason" \
	sh -c "[ \$(wc -l <'$T/err') = 1 ] && grep -q '^interpfix: $T/fail/prog: .*File too large' '$T/err'"
check "... the original is byte for byte intact" cmp -s "$T/fail/orig" "$T/fail/prog"
check "... and no temp file is left" no_temp_left "$T/fail"

# A temporary a killed run left (its name, owner and marker) is reported and
# not fixed; --remove-leftovers removes it. A real binary that only has such
# a name is a binary like any other: never hidden.
mkdir "$T/left"
cp "$brew" "$T/left/prog"
cp "$brew" "$T/left/.prog.interpfix-Ab12Cd"
cp "$brew" "$T/left/.tool.interpfix-Zz99Yy"
if have_tool setfattr && setfattr -n user.interpfix.temp -v 1 "$T/left/.prog.interpfix-Ab12Cd" 2>/dev/null; then
	ifx fix --to "$STD" "$T/left"
	check "a leftover (name, owner, marker) is reported, not fixed; a binary only named so is fixed" \
		sh -c "[ $RC = 0 ] && cmp -s '$brew' '$T/left/.prog.interpfix-Ab12Cd' && grep -q 'prog.interpfix-Ab12Cd: a leftover temporary' '$T/err' &&
		       ! cmp -s '$brew' '$T/left/.tool.interpfix-Zz99Yy' && grep -q 'tool.interpfix-Zz99Yy' '$T/out'"
	ifx check "$T/left"
	check "... check names it with the rule leftover-temporary" \
		grep -q "prog.interpfix-Ab12Cd: leftover-temporary:" "$T/out"
	ifx fix --dry-run --remove-leftovers --to "$STD" "$T/left"
	check "... --dry-run --remove-leftovers only says it would remove it" \
		sh -c "grep -q 'would remove leftover .*prog.interpfix-Ab12Cd' '$T/out' && [ -e '$T/left/.prog.interpfix-Ab12Cd' ]"
	ifx fix --remove-leftovers --to "$STD" "$T/left"
	check "... and --remove-leftovers removes it, and only it" \
		sh -c "[ $RC = 0 ] && [ ! -e '$T/left/.prog.interpfix-Ab12Cd' ] && [ -e '$T/left/.tool.interpfix-Zz99Yy' ] && grep -q 'removed leftover' '$T/out'"
else
	for c in "a leftover is reported, a binary named so is fixed" "check names it" "--dry-run" "--remove-leftovers"; do
		ok "$c # SKIP needs setfattr and user xattrs here"
	done
fi

# As an unprivileged user: fix in a directory they own, then run it.
if ! is_root; then
	for c in fix run owner "a group it is not in: refused" "... forced: done, the loss said" "locked dir"; do
		skip_needs_root "as nobody: $c"
	done
elif ! have_tool setpriv; then
	for c in fix run owner "a group it is not in: refused" "... forced: done, the loss said" "locked dir"; do
		ok "as nobody: $c # SKIP needs setpriv"
	done
else
	mkdir "$T/user"
	cp "$brew" "$T/user/prog"
	chown -R nobody:nogroup "$T/user"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$INTERPFIX" fix --to "$STD" "$T/user/prog" >"$T/out" 2>"$T/err"
	rc=$?
	check "as nobody: fix exits 0" [ "$rc:$(interp_of "$T/user/prog")" = "0:$STD" ]
	check "as nobody: the fixed binary runs" \
		sh -c "setpriv --reuid=nobody --regid=nogroup --clear-groups '$T/user/prog' | grep -q 'hello from interpfix'"
	check "as nobody: the file still belongs to nobody" [ "$(stat -c %U "$T/user/prog")" = nobody ]
	# nobody's file in group root, nobody not in it: the group cannot be kept
	cp "$brew" "$T/user/grp"
	chown nobody:root "$T/user/grp"
	chmod 2755 "$T/user/grp"
	cp "$T/user/grp" "$T/grp.orig"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$INTERPFIX" fix --to "$STD" "$T/user/grp" >"$T/out" 2>"$T/err"
	rc=$?
	check "as nobody: a group it is not in: refused (exit 3) with the reason, file intact" \
		sh -c "[ $rc = 3 ] && grep -q 'could not be kept' '$T/err' && grep -q -- '--force' '$T/err' && cmp -s '$T/user/grp' '$T/grp.orig' && [ \"\$(stat -c %G:%a '$T/user/grp')\" = root:2755 ]"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$INTERPFIX" fix --force --to "$STD" "$T/user/grp" >"$T/out" 2>"$T/err"
	rc=$?
	check "as nobody: ... forced: done, the loss said" \
		sh -c "[ $rc = 0 ] && grep -q 'warning: .*could not be kept' '$T/err' && [ \"\$(stat -c %a '$T/user/grp')\" = 755 ]"
	chown root "$T/user"
	chmod 755 "$T/user"
	cp "$brew" "$T/user/locked"
	chmod 644 "$T/user/locked"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$INTERPFIX" fix --to "$STD" "$T/user/locked" >"$T/out" 2>"$T/err"
	rc=$?
	check "as nobody in a directory it cannot write: exit 2, file intact" \
		sh -c "[ $rc = 2 ] && cmp -s '$brew' '$T/user/locked' && grep -q 'Permission denied' '$T/err'"
fi

# --in-place: what the kernel clears on write is given back, or refused
# before anything is written.
if ! is_root || ! have_tool setcap || ! have_tool setpriv; then
	for c in "as root, file capabilities kept" "as the owner, setuid kept" \
		 "as the owner, capabilities it cannot set again: refused, intact"; do
		skip_needs_root "--in-place: $c (and setcap, setpriv)"
	done
else
	mkdir -p "$T/inplace"
	cp "$brew" "$T/inplace/caps"
	setcap cap_net_raw+ep "$T/inplace/caps"
	ifx fix --in-place --to "$STD" "$T/inplace/caps"
	got=$(interp_of "$T/inplace/caps")
	check "--in-place as root: file capabilities kept" \
		sh -c "[ $RC = 0 ] && getcap '$T/inplace/caps' | grep -q cap_net_raw && [ '$got' = '$STD' ]"
	cp "$brew" "$T/inplace/suid"
	chown nobody:nogroup "$T/inplace/suid" "$T/inplace"
	chmod 4755 "$T/inplace/suid"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$INTERPFIX" fix --in-place --to "$STD" "$T/inplace/suid" >"$T/out" 2>"$T/err"
	rc=$?
	check "--in-place as the owner: setuid kept (the kernel cleared it on write)" \
		sh -c "[ $rc = 0 ] && [ \"\$(stat -c %a '$T/inplace/suid')\" = 4755 ]"
	cp "$brew" "$T/inplace/ucaps"
	chown nobody:nogroup "$T/inplace/ucaps"
	setcap cap_net_raw+ep "$T/inplace/ucaps"
	cp "$T/inplace/ucaps" "$T/ucaps.orig"
	setpriv --reuid=nobody --regid=nogroup --clear-groups "$INTERPFIX" fix --in-place --to "$STD" "$T/inplace/ucaps" >"$T/out" 2>"$T/err"
	rc=$?
	check "--in-place as the owner, capabilities it cannot set again: refused (exit 3), intact" \
		sh -c "[ $rc = 3 ] && cmp -s '$T/inplace/ucaps' '$T/ucaps.orig' && getcap '$T/inplace/ucaps' | grep -q cap_net_raw && grep -q 'capabilities' '$T/err'"
fi

# A file-size limit (ulimit -f) below the binary's size: the temporary
# cannot be written whole. SIGXFSZ would kill us half way; the write fails
# with EFBIG instead: exit 2, the original whole, no temporary left.
mkdir "$T/fsize"
dd if=/dev/zero bs=1024 count=2048 2>/dev/null | cat "$brew" - >"$T/fsize/big"
chmod 755 "$T/fsize/big"
cp "$T/fsize/big" "$T/fsize.orig"
(ulimit -f 1024; $IFX_VALGRIND "$INTERPFIX" fix --to "$STD" "$T/fsize/big" >"$T/out" 2>"$T/err"; echo $? >"$T/rc")
check "past ulimit -f: exit 2 with the reason (File too large), not killed by SIGXFSZ" \
	sh -c "[ \"\$(cat '$T/rc')\" = 2 ] && grep -q 'File too large' '$T/err'"
check "... the original is byte for byte and no temporary is left" \
	sh -c "cmp -s '$T/fsize/big' '$T/fsize.orig' && ! ls -A '$T/fsize' | grep -q interpfix-"
done_testing
