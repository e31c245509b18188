#!/bin/sh
# --dry-run writes nothing, prints a diff of what would change, and exits 1
# when something would change, 0 when nothing would.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures brew gcc-pie
require_tools jq
STD=$HOST_LD
plan 8

mkdir "$T/d"
cp "$(fixture brew)" "$T/d/tool"
cp "$(fixture gcc-pie)" "$T/d/good"
touch -d '2001-01-01' "$T/d/tool" "$T/d/good"
cp -p "$T/d/tool" "$T/tool.orig"
cd "$T/d" || exit 1

ifx fix --dry-run --to "$STD" tool good
check "dry run that would change something exits 1" [ "$RC" = 1 ]
cat >"$T/expected" <<DIFF
--- a/tool
+++ b/tool
@@ PT_INTERP @@
-/home/linuxbrew/.linuxbrew/lib/ld.so
+$STD
2 scanned, 2 ELF, 1 would fix, 1 already correct, 0 skipped, 0 refused, 0 errors
DIFF
check "it prints exactly the diff and the summary" cmp -s "$T/expected" "$T/out"
check "no byte changed" cmp -s "$T/tool.orig" tool
check "no mtime changed" [ "$(stat -c %Y tool good)" = "$(printf '%s\n%s' "$(date -d 2001-01-01 +%s)" "$(date -d 2001-01-01 +%s)")" ]
check "no file was created" [ "$(ls -A | wc -l)" = 2 ]

ifx fix --dry-run --to "$STD" good
check "dry run with nothing to change exits 0, no diff, the summary says so" \
	sh -c "[ $RC = 0 ] && ! grep -q '^@@' '$T/out' &&
	       grep -qx '1 scanned, 1 ELF, 0 would fix, 1 already correct, 0 skipped, 0 refused, 0 errors' '$T/out'"

ifx fix --dry-run --json --to "$STD" tool
check "JSON dry run names the change and exits 1" \
	sh -c "[ $RC = 1 ] && jq -e '.dry_run and .files[0].result == \"would-fix\" and .files[0].new_interp == \"$STD\"' '$T/out' >/dev/null"
check "... still without writing" cmp -s "$T/tool.orig" tool

done_testing
