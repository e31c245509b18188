#!/bin/sh
# interpfix check over a large tree, against peers on the same tree in the
# same run, warm cache, median of 3 runs, as ratios:
#   - scanelf -qRi (pax-utils): prints each ELF file's interpreter, resolves
#     nothing (the goal: check at most 0.5x its wall time);
#   - a one-page-per-file read (find -type f | xargs head -c 4096): the least
#     any tool that looks at every file must do (the goal: within 1.3x).
# It also prints what check found, so that the speed is read beside the
# answers: on a healthy system, findings are real ones (foreign-architecture
# libraries, programs naming loaders this host lacks), never "missing"
# libraries the loader finds.
# Usage: check-bench.sh INTERPFIX [TREE]   (use a build without sanitizers)
set -eu
IFX=$1
TREE=${2:-/usr}
t=$(mktemp "${TMPDIR:-/tmp}/ifx-bench.XXXXXX")
trap 'rm -f "$t" "$t.out" "$t.json"' EXIT

# one timed run: "wall-seconds peak-RSS-KiB"
run() { /usr/bin/time -f '%e %M' -o "$t" "$@" >"$t.out" 2>/dev/null || true; tail -n 1 "$t"; }
# median wall time (and the RSS of that run) of three
median() {
	for i in 1 2 3; do run "$@"; done | sort -n | sed -n 2p
}

command -v scanelf >/dev/null || { echo "check-bench: needs scanelf (apt install pax-utils)" >&2; exit 2; }
# warm the page and dentry caches for everyone
scanelf -qRi "$TREE" >/dev/null 2>&1 || true
"$IFX" check "$TREE" >/dev/null 2>&1 || true

s=$(median scanelf -qRi "$TREE")
p=$(median sh -c "$(command -v find) '$TREE' -type f -print0 2>/dev/null | xargs -0 head -q -c 4096 >/dev/null 2>&1")
c=$(median "$IFX" check "$TREE")
"$IFX" check "$TREE" >"$t.out" 2>/dev/null || true
# the findings by rule, from the JSON (text groups missing libraries)
"$IFX" check --format json "$TREE" >"$t.json" 2>/dev/null || true

echo "tree: $TREE"
echo "scanelf -qRi:              ${s% *} s, ${s#* } KiB peak RSS"
echo "one page per file (head):  ${p% *} s, ${p#* } KiB"
echo "interpfix check:           ${c% *} s, ${c#* } KiB"
echo "check's answers: $(tail -n 1 "$t.out")"
for rule in missing-library missing-interp nonstandard-interp non-linux-binary; do
	printf '  %-20s %s\n' "$rule" "$(grep -o "\"rule\":\"$rule\"" "$t.json" | wc -l)"
done
awk -v s="${s% *}" -v p="${p% *}" -v c="${c% *}" 'BEGIN {
	printf "interpfix / scanelf:           %.2fx (goal <= 0.50)\n", c / s
	printf "interpfix / one page per file: %.2fx (goal <= 1.30)\n", c / p
}'
