#!/bin/sh
# The main job on the bundled samples: show why they fail, repair them, run
# them. Usage: demo.sh INTERPFIX SAMPLE_DIR (made by build-samples.sh).
set -u
IFX=$1
DIR=$2

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; printf '(exit %s)\n' "$?"; }

say "Running the samples: a missing loader looks like a missing program"
for f in "$DIR"/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	run "$f"
done 2>&1 | sed 's/^/  /'

say "interpfix explain: why each one fails, without running it"
for f in "$DIR"/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	"$IFX" explain "$f"
	echo
done

say "What interpfix would change (dry run, nothing is written)"
run "$IFX" fix --dry-run "$DIR"

say "Repairing them"
run "$IFX" fix "$DIR"

say "Running them again"
for f in "$DIR"/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	run "$f"
done 2>&1 | sed 's/^/  /'
