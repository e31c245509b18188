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

# require_tools TOOL...: skip the whole test, naming the tool, when one is
# not installed (a failure when CI requires everything). Call before plan.
require_tools() {
	local tool
	for tool in "$@"; do
		command -v "$tool" >/dev/null 2>&1 && continue
		if [ "${IFX_REQUIRE_FIXTURES:-0}" = 1 ]; then
			echo "Bail out! needs $tool, which is not installed"
			exit 1
		fi
		skip_all "needs $tool, which is not installed"
	done
}

# have_tool TOOL: whether TOOL is installed; when not, says so in one line,
# and under IFX_REQUIRE_FIXTURES=1 records a failure. Use it to skip single
# cases: have_tool qemu-aarch64 || { ok "... # SKIP needs qemu-aarch64"; }
have_tool() {
	command -v "$1" >/dev/null 2>&1 && return 0
	diag "needs $1, which is not installed (scripts/install-deps.sh --with-tests)"
	[ "${IFX_REQUIRE_FIXTURES:-0}" = 1 ] && not_ok "$1 is required (IFX_REQUIRE_FIXTURES=1)"
	return 1
}

# is_root: whether the test runs as root. Root-only cases say
# "ok N - what # SKIP needs root" otherwise, never FAIL, never a silent PASS.
is_root() { [ "$(id -u)" = 0 ]; }
skip_needs_root() { ok "$* # SKIP needs root"; }

# Facts of the test host, derived rather than assumed: the machine (uname
# -m), the multiarch triplet of the native toolchain (empty when the
# distribution has none), the loader the native toolchain writes, and the
# qemu-user binary that runs native programs (for layouts the kernel alone
# would not show).
HOST_MACHINE=$(uname -m)
HOST_TRIPLET=$(gcc -print-multiarch 2>/dev/null || true)
HOST_LD=""
if [ -s "$IFX_FIXTURES/HOST_LD" ]; then HOST_LD=$(cat "$IFX_FIXTURES/HOST_LD"); fi
HOST_QEMU=qemu-$HOST_MACHINE
[ "$HOST_MACHINE" = i686 ] && HOST_QEMU=qemu-i386

# require_host MACHINE: skip the whole test unless the host is MACHINE (the
# expected values are that machine's).
require_host() {
	[ "$HOST_MACHINE" = "$1" ] || skip_all "expects an $1 host (this is $HOST_MACHINE)"
}
