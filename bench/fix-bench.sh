#!/bin/sh
# Benchmark interpfix fix on a 256 MiB binary against patchelf and cp, run
# side by side in one session: wall time and peak RSS, reported as ratios.
# Usage: fix-bench.sh INTERPFIX [SIZE_MIB]   (needs gcc, patchelf, GNU time)
# Not a test: nothing here asserts a time.
set -eu
IFX=$1
MIB=${2:-256}
W=$(mktemp -d "${TMPDIR:-/tmp}/ifx-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT
BREW=/home/linuxbrew/.linuxbrew/lib/ld.so
STD=/lib64/ld-linux-x86-64.so.2
LONG=$W/a/loader/path/longer/than/the/linuxbrew/one/ld-linux-x86-64.so.2
mkdir -p "$(dirname "$LONG")"
ln -s "$STD" "$LONG"

# A real binary with MIB MiB of read-only data, linked with brew's loader.
head -c $((MIB * 1024 * 1024)) /dev/urandom >"$W/blob"
printf '.section .rodata\n.globl blob\nblob:\n.incbin "%s"\n' "$W/blob" >"$W/blob.S"
printf '#include <stdio.h>\nextern const char blob[];\nint main(void) { printf("%%d\\n", blob[0] != 0 || 1); return 0; }\n' >"$W/main.c"
gcc -o "$W/big" "$W/main.c" "$W/blob.S" -Wl,--dynamic-linker=$BREW
rm "$W/blob"
echo "binary: $(stat -c %s "$W/big") bytes"

# measure NAME CMD...: median wall seconds and max RSS KiB of 5 runs on a
# fresh copy each time (the copy is not timed).
measure() {
	name=$1
	shift
	: >"$W/times"
	for i in 1 2 3 4 5; do
		cp "$W/big" "$W/work"
		sync
		start=$(date +%s%N)
		/usr/bin/time -f '%M' -o "$W/t" "$@" >/dev/null 2>&1 || { echo "$name failed"; return 1; }
		end=$(date +%s%N)
		echo "$(awk -v n=$((end - start)) 'BEGIN { printf "%.4f", n / 1e9 }') $(cat "$W/t")" >>"$W/times"
	done
	sort -n "$W/times" | sed -n 3p >"$W/$name.result"
	echo "$name: $(cat "$W/$name.result") (median wall s, peak RSS KiB)"
}

measure baseline true
measure cp cp "$W/big" "$W/copy"
# interpfix fsyncs before renaming (crash safety); cp does not, so also
# compare with a copy that is synced the same way.
measure cp-sync sh -c "cp '$W/big' '$W/copy' && sync '$W/copy'"
measure ifx-atomic "$IFX" fix --to $STD "$W/work"
measure ifx-inplace "$IFX" fix --in-place --to $STD "$W/work"
measure patchelf patchelf --set-interpreter $STD "$W/work"
measure ifx-grow "$IFX" fix --to "$LONG" "$W/work"
measure patchelf-grow patchelf --set-interpreter "$LONG" "$W/work"

ratio() { awk -v a="$(cut -d' ' -f"$3" "$W/$1.result")" -v b="$(cut -d' ' -f"$3" "$W/$2.result")" \
	'BEGIN { if (a == 0) a = 0.005; printf "%.2f", b / a }'; }
echo
echo "ratios (how many times the peer's time or memory):"
echo "  patchelf / interpfix --in-place: time $(ratio ifx-inplace patchelf 1)x, RSS $(ratio ifx-inplace patchelf 2)x"
base=$(cut -d' ' -f1 "$W/baseline.result")
awk -v b="$base" -v i="$(cut -d' ' -f1 "$W/ifx-inplace.result")" -v p="$(cut -d' ' -f1 "$W/patchelf.result")" \
	'BEGIN { d = i - b; if (d < 0.001) d = 0.001; printf "    (less the harness cost of running true, %.4f s: %.0fx or more)\n", b, (p - b) / d }'
echo "  interpfix atomic / cp:           time $(ratio cp ifx-atomic 1)x (synced cp: $(ratio cp-sync ifx-atomic 1)x)"
echo "  interpfix grow / cp:             time $(ratio cp ifx-grow 1)x (synced cp: $(ratio cp-sync ifx-grow 1)x)"
echo "  patchelf grow / interpfix grow:  time $(ratio ifx-grow patchelf-grow 1)x, RSS $(ratio ifx-grow patchelf-grow 2)x"
