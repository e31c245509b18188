#!/bin/sh
# Benchmark interpfix check over a large tree against scanelf -qRi (pax-utils)
# on the same tree, warm cache, as a ratio. Usage: check-bench.sh INTERPFIX [TREE]
set -eu
IFX=$1
TREE=${2:-/usr}
run() { /usr/bin/time -f '%e %M' -o /tmp/ifx-bench.t "$@" >/dev/null 2>&1 || true; tail -n 1 /tmp/ifx-bench.t; }
scanelf -qRi "$TREE" >/dev/null 2>&1 || true
"$IFX" check "$TREE" >/dev/null 2>&1 || true
s=$(run scanelf -qRi "$TREE")
c=$(run "$IFX" check "$TREE")
echo "scanelf -qRi $TREE: $s (wall s, peak RSS KiB)"
echo "interpfix check $TREE: $c"
awk -v a="${s%% *}" -v b="${c%% *}" 'BEGIN { printf "interpfix / scanelf wall time: %.2fx\n", b / a }'
rm -f /tmp/ifx-bench.t
