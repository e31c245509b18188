#!/bin/sh
# Run one cmocka test binary (under valgrind when configured) and mend its
# TAP: cmocka 1.1.5 reports a skipped test as "not ok N # SKIP name", which
# automake's TAP driver counts as a failure. A skip is "ok N - name # SKIP
# reason", the reason taken from the "# SKIP: reason" line th_skip() printed.
# Usage: tap-unit.sh [VALGRIND...] PROGRAM
out=$(mktemp "${TMPDIR:-/tmp}/ifx-tap.XXXXXX") || exit 99
"$@" >"$out"
rc=$?
awk '
/^# SKIP: / { reason = substr($0, 9); print; next }
/^not ok [0-9]+ # SKIP / {
	n = $3; name = $0; sub(/^not ok [0-9]+ # SKIP /, "", name)
	print "ok " n " - " name " # SKIP " (reason != "" ? reason : "skipped")
	reason = ""; next
}
{ print }' "$out"
rm -f "$out"
exit $rc
