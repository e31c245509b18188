#!/bin/sh
# Benchmark interpfix fix on the archives people upload, side by side with
# the manual pipeline it replaces, in one session: a Lambda-style zip (a
# MIB MiB binary naming Linuxbrew's loader plus 300 small files) and a
# bottle-like tar.gz of the same. Wall time and peak RSS, as ratios; the
# answers (the fixed member's interpreter, the other members' bytes) are
# checked before any figure is printed.
# Usage: archive-bench.sh INTERPFIX [MIB]  (needs gcc, zip, unzip, GNU tar, GNU time)
# Not a test: nothing here asserts a time.
set -eu
IFX=$1
MIB=${2:-100}
W=$(mktemp -d "${TMPDIR:-/tmp}/ifx-abench.XXXXXX")
trap 'rm -rf "$W"' EXIT
BREW=/home/linuxbrew/.linuxbrew/lib/ld.so
STD=/lib64/ld-linux-x86-64.so.2

# The package: a real binary carrying MIB MiB of machine code and data taken
# from this host's own programs (it compresses as a Go binary does, about
# 2.5:1), and 300 small text files.
mkdir -p "$W/pkg/bin" "$W/pkg/lib/site"
find /usr/bin /usr/lib/go-* -type f -size +1M 2>/dev/null | sort | xargs cat 2>/dev/null |
	head -c $((MIB * 1024 * 1024)) >"$W/blob"
printf '.section .rodata\n.globl blob\nblob:\n.incbin "%s"\n.section .note.GNU-stack,"",@progbits\n' "$W/blob" >"$W/blob.S"
printf '#include <stdio.h>\nextern const char blob[];\nint main(void) { puts(blob[0] == 7 ? "seven" : "hello"); return 0; }\n' >"$W/main.c"
gcc -o "$W/pkg/bin/bootstrap" "$W/main.c" "$W/blob.S" -Wl,--dynamic-linker=$BREW
rm "$W/blob" "$W/blob.S"
i=0
while [ $i -lt 300 ]; do
	seq $((i * 40)) $((i * 40 + 400)) >"$W/pkg/lib/site/mod$i.py"
	i=$((i + 1))
done
touch -d '2024-01-02 03:04:05' "$W/pkg" "$W/pkg/bin" "$W/pkg/lib" "$W/pkg/lib/site" "$W/pkg/lib/site/"* "$W/pkg/bin/"*
(cd "$W/pkg" && zip -q -r -X -y "$W/function.zip" .)
tar -C "$W/pkg" -czf "$W/bottle.tar.gz" .
echo "binary: $(stat -c %s "$W/pkg/bin/bootstrap") bytes; zip $(stat -c %s "$W/function.zip"), tar.gz $(stat -c %s "$W/bottle.tar.gz")"

# measure NAME CMD: median wall seconds and max RSS KiB of 3 runs, each on
# fresh copies of the archives (the copy is not timed). CMD is sh code run
# in $W/run; its peak RSS is the largest of its steps (GNU time per step).
measure() {
	name=$1
	cmd=$2
	: >"$W/times"
	for i in 1 2 3; do
		rm -rf "$W/run"
		mkdir "$W/run"
		cp "$W/function.zip" "$W/bottle.tar.gz" "$W/run/"
		sync
		: >"$W/rss"
		start=$(date +%s%N)
		(cd "$W/run" && T="/usr/bin/time -a -o $W/rss -f %M" && eval "$cmd") >/dev/null 2>&1 ||
			{ echo "$name failed"; return 1; }
		end=$(date +%s%N)
		echo "$(awk -v n=$((end - start)) 'BEGIN { printf "%.3f", n / 1e9 }') $(sort -n "$W/rss" | tail -1)" >>"$W/times"
	done
	sort -n "$W/times" | sed -n 2p >"$W/$name.result"
	echo "$name: $(cat "$W/$name.result") (median wall s, peak RSS KiB)"
}

# check_zip / check_tar: the answer. The binary names the standard loader,
# and every other member's bytes are the originals'.
check_zip() {
	rm -rf "$W/x" && mkdir "$W/x" && (cd "$W/x" && unzip -q -X "$W/run/function.zip")
	readelf -lW "$W/x/bin/bootstrap" | grep -q "interpreter: $STD" || { echo "zip: wrong interpreter"; exit 1; }
	diff -r --exclude=bootstrap "$W/pkg" "$W/x" >/dev/null || { echo "zip: other members differ"; exit 1; }
}
check_tar() {
	rm -rf "$W/x" && mkdir "$W/x" && tar -C "$W/x" -xzf "$W/run/bottle.tar.gz"
	readelf -lW "$W/x/bin/bootstrap" | grep -q "interpreter: $STD" || { echo "tar: wrong interpreter"; exit 1; }
	diff -r --exclude=bootstrap "$W/pkg" "$W/x" >/dev/null || { echo "tar: other members differ"; exit 1; }
}

measure copy '$T cp function.zip f2.zip && $T cp bottle.tar.gz b2.tar.gz'
# The manual pipeline: unpack keeping metadata, fix, repack the same way.
measure zip-pipeline 'mkdir u && cd u && $T unzip -q -X ../function.zip && $T "'"$IFX"'" fix --to '$STD' bin/bootstrap && rm ../function.zip && $T zip -q -r -X -y ../function.zip .'
check_zip
measure zip-interpfix '$T "'"$IFX"'" fix --to '$STD' function.zip'
check_zip
measure tar-pipeline 'mkdir u && $T tar -C u -xzf bottle.tar.gz && $T "'"$IFX"'" fix --to '$STD' u/bin/bootstrap && $T tar -C u -czf bottle.tar.gz .'
check_tar
measure tar-interpfix '$T "'"$IFX"'" fix --to '$STD' bottle.tar.gz'
check_tar

ratio() { awk -v a="$(cut -d' ' -f"$3" "$W/$1.result")" -v b="$(cut -d' ' -f"$3" "$W/$2.result")" \
	'BEGIN { printf "%.2f", b / a }'; }
echo
echo "ratios (interpfix / the manual pipeline; below 1 is better):"
echo "  zip:    time $(ratio zip-pipeline zip-interpfix 1)x, peak RSS $(ratio zip-pipeline zip-interpfix 2)x"
echo "  tar.gz: time $(ratio tar-pipeline tar-interpfix 1)x, peak RSS $(ratio tar-pipeline tar-interpfix 2)x"
echo "  (goals: zip at most 0.3x, tar.gz at most 0.8x the pipeline's time)"
