# Shared helpers for the CLI tests: TAP output, a private temp dir, fixtures.
# Each test sources this file, calls `plan N`, then `ok`/`not_ok`/`check`.
set -u

: "${INTERPFIX:?run the CLI tests through make check}"
: "${IFX_FIXTURES:?run the CLI tests through make check}"
IFX_VALGRIND=${IFX_VALGRIND:-}

TAP_N=0
TAP_FAILED=0
T=$(mktemp -d "${TMPDIR:-/tmp}/interpfix-test.XXXXXX")
chmod 755 "$T"
trap 'chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT

plan() { echo "1..$1"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }
ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1)); echo "not ok $TAP_N - $*"; }
diag() { printf '# %s\n' "$@"; }

# check DESCRIPTION COMMAND...: one TAP line from a command's success.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}

# ifx ARGS...: run the CLI (under valgrind when configured); stdout to
# $T/out, stderr to $T/err, exit status in $RC.
ifx() {
	# shellcheck disable=SC2086
	$IFX_VALGRIND "$INTERPFIX" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}

# fixture NAME: path of a built fixture, or empty when it was not built.
fixture() {
	if grep -q "^$1	" "$IFX_FIXTURES/MANIFEST" 2>/dev/null; then
		echo "$IFX_FIXTURES/$1"
	fi
}

# runner NAME: how to run a fixture (native, qemu-..., none).
runner() {
	awk -F '\t' -v n="$1" '$1 == n { print $2 }' "$IFX_FIXTURES/MANIFEST"
}

# run_fixture NAME FILE: run FILE the way fixture NAME runs; output in $T/run.
run_fixture() {
	local how
	how=$(runner "$1")
	case "$how" in
	native) "$2" >"$T/run" 2>&1 ;;
	none|"") return 125 ;;
	*) $how "$2" >"$T/run" 2>&1 ;;
	esac
}

# require_fixtures NAME...: skip the whole test when a fixture was not built
# here (a failure when CI requires every fixture). Call it before plan.
require_fixtures() {
	local name
	for name in "$@"; do
		[ -n "$(fixture "$name")" ] && continue
		if [ "${IFX_REQUIRE_FIXTURES:-0}" = 1 ]; then
			echo "Bail out! fixture $name missing"
			exit 1
		fi
		skip_all "fixture $name not built here"
	done
}

done_testing() {
	[ "$TAP_FAILED" -eq 0 ]
}
