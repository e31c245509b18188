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

# The upload: what reaches AWS Lambda is a zip, not a file. Packed before
# the files are repaired, so the archive holds the Linuxbrew-built program.
ZIPDIR=$(mktemp -d "${TMPDIR:-/tmp}/interpfix-demo.XXXXXX")
trap 'rm -rf "$ZIPDIR"' EXIT
if [ -x "$DIR/brew-hello" ] && command -v zip >/dev/null 2>&1 && command -v unzip >/dev/null 2>&1; then
	say "An upload: a Lambda-style zip holding the Linuxbrew-built program"
	mkdir "$ZIPDIR/pkg"
	cp "$DIR/brew-hello" "$ZIPDIR/pkg/bootstrap"
	echo "handler notes" >"$ZIPDIR/pkg/README"
	(cd "$ZIPDIR/pkg" && zip -q -X ../function.zip bootstrap README)
	run "$IFX" check "$ZIPDIR/function.zip"
	run "$IFX" fix --portable "$ZIPDIR/function.zip"
	unzip -q -o "$ZIPDIR/function.zip" bootstrap -d "$ZIPDIR/out"
	run "$ZIPDIR/out/bootstrap"
fi

say "What interpfix would change (dry run, nothing is written)"
run "$IFX" fix --dry-run "$DIR"

say "Repairing them"
run "$IFX" fix "$DIR"

say "Running them again"
for f in "$DIR"/*; do
	[ -f "$f" ] && [ -x "$f" ] || continue
	run "$f"
done 2>&1 | sed 's/^/  /'
