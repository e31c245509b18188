#!/bin/sh
# fix on a directory walks it without following symlinks, skips FIFOs,
# devices, non-ELF and non-dynamic files, and reports exact totals.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures brew static shared-lib.so gcc-pie
require_tools jq
STD=$HOST_LD
brew=$(fixture brew)
plan 12

mkdir -p "$T/tree/bin" "$T/tree/lib/deep/er" "$T/outside"
cp "$brew" "$T/tree/bin/tool"
cp "$brew" "$T/tree/lib/deep/er/helper"
cp "$(fixture static)" "$T/tree/bin/static"
cp "$(fixture shared-lib.so)" "$T/tree/lib/libdemo.so"
cp "$(fixture gcc-pie)" "$T/tree/bin/good"
printf '#!/bin/sh\necho hi\n' >"$T/tree/bin/script"
mkfifo "$T/tree/bin/fifo"
cp "$brew" "$T/outside/prog"
ln -s ../../outside/prog "$T/tree/bin/link-to-outside"
ln -s ../outside "$T/tree/dirlink"

timeout 20 "$INTERPFIX" fix -v --to "$STD" "$T/tree" >"$T/out" 2>"$T/err"
RC=$?
check "tree fix exits 0 (and does not hang on the FIFO)" [ "$RC" = 0 ]
check "both brew binaries are fixed, deep ones included" \
	sh -c "grep -qx 'fixed $T/tree/bin/tool: /home/linuxbrew/.linuxbrew/lib/ld.so -> $STD' '$T/out' &&
	       grep -qx 'fixed $T/tree/lib/deep/er/helper: /home/linuxbrew/.linuxbrew/lib/ld.so -> $STD' '$T/out'"
check "a file reached only through a symlink is not touched" cmp -s "$brew" "$T/outside/prog"
check "the symlinks are still symlinks" sh -c "[ -L '$T/tree/bin/link-to-outside' ] && [ -L '$T/tree/dirlink' ]"
check "the static binary is skipped with its reason (-v)" \
	grep -qx "skipped $T/tree/bin/static: static executable, no PT_INTERP" "$T/out"
check "the shared library without PT_INTERP is skipped" \
	grep -qx "skipped $T/tree/lib/libdemo.so: shared library without PT_INTERP" "$T/out"
check "the summary counts exactly: 9 scanned (2 links, 1 FIFO, 1 script), 5 ELF, 2 fixed, 1 already" \
	grep -qx "9 scanned, 5 ELF, 2 fixed, 1 already correct, 6 skipped, 0 refused, 0 errors" "$T/out"
check "nothing is printed on stderr" [ ! -s "$T/err" ]

ifx fix --dry-run --to "$STD" "$T/tree"
check "without -v a tree's skips are not listed, only the summary" \
	sh -c "[ $RC = 0 ] && [ \"\$(cat '$T/out')\" = '9 scanned, 5 ELF, 0 would fix, 3 already correct, 6 skipped, 0 refused, 0 errors' ]"

ifx fix --json --to "$STD" "$T/tree"
check "a second run finds everything already correct (JSON summary)" \
	sh -c "jq -e '.summary.fixed == 0 and .summary.already == 3 and .exit_status == 0' '$T/out' >/dev/null"
check "the JSON lists skipped files with their reason" \
	sh -c "jq -e '[.files[] | select(.result == \"skipped\") | select(.reason | type == \"string\" and length > 0)] | length == 2' '$T/out' >/dev/null"

chmod 000 "$T/tree/lib/deep"
ifx fix --to "$STD" "$T/tree"
chmod 755 "$T/tree/lib/deep"
if is_root; then
	check "an unreadable directory (readable to root) is walked" \
		sh -c "[ $RC = 0 ] && grep -qx '9 scanned, 5 ELF, 0 fixed, 3 already correct, 6 skipped, 0 refused, 0 errors' '$T/out'"
else
	check "an unreadable directory is an error, the rest still walked" \
		sh -c "[ $RC = 2 ] && grep -q 'deep: cannot read directory' '$T/err' &&
		       grep -qx '8 scanned, 4 ELF, 0 fixed, 2 already correct, 6 skipped, 0 refused, 1 errors' '$T/out'"
fi

done_testing
