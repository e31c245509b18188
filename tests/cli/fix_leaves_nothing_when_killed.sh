#!/bin/sh
# A fix killed by any catchable signal at any moment leaves the file wholly
# old or wholly new and nothing else: the temporary has no name until the
# instant before its rename, and the signals are held for that instant.
# Checked on a 512 MiB binary, each signal sent at several moments.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures brew
plan 8
STD=$HOST_LD
mkdir "$T/k"
# a real binary with 512 MiB of data after it: the copy takes a while
{ cat "$(fixture brew)"; head -c 536870912 /dev/zero | tr '\0' 'x'; } >"$T/orig"
chmod 755 "$T/orig"
cp "$T/orig" "$T/want"
"$INTERPFIX" fix --to "$STD" "$T/want" >/dev/null

for sig in TERM INT HUP QUIT; do
	for delay in 0.05 0.3; do
		cp "$T/orig" "$T/k/prog"
		"$INTERPFIX" fix --to "$STD" "$T/k/prog" >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -"$sig" "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		check "SIG$sig after ${delay}s: the file is wholly old or wholly new, nothing else is there" \
			sh -c "{ cmp -s '$T/k/prog' '$T/orig' || cmp -s '$T/k/prog' '$T/want'; } && [ \"\$(ls -A '$T/k')\" = prog ]"
	done
done
done_testing
