#!/bin/sh
# --target-file adds an in-house target to check, fix, show and targets; a
# bad file (not JSON, the wrong shape, an unknown key, a duplicate or built-in
# name, too big, not a regular file, unreadable, a NUL in a string) is exit 2
# with one line naming the file (escaped: a newline in the name is \x0a) and
# at most one of advice, nothing on stdout, nothing written, no temp left.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_host x86_64
require_tools gcc readelf jq cmp timeout mkfifo
plan 31

export LC_ALL=C
STD=/lib64/ld-linux-x86-64.so.2
OWN_A64=/opt/acme/lib/ld-linux-aarch64.so.1
BREW=/home/linuxbrew/.linuxbrew/lib/ld.so
HELLO_OUT="hello from interpfix"

jqt() { jq -e "$@" >/dev/null; }
bail() { echo "Bail out! $*"; exit 1; }
show_failure() {
	diag "exit $RC; stdout:" "$(head -c 600 "$T/out")" "stderr:" "$(head -c 600 "$T/err")"
}
interp_of() { readelf -lW "$1" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p'; }
ver_gt() {
	[ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]
}

gcc -o "$T/hello" "$IFX_SRCDIR/samples/hello.c" || bail "gcc failed"
# The C hello's GLIBC_ nodes newer than glibc 2.31, per readelf.
want_nodes=$(for n in $(readelf -V -W "$T/hello" | sed -n 's/.*Name: GLIBC_\([0-9][0-9.]*\)  Flags.*/\1/p'); do
	ver_gt "$n" 2.31 && echo "GLIBC_$n"
done | sort -u)
[ -n "$want_nodes" ] || bail "readelf shows no GLIBC_ node above 2.31 in the C hello"

mkdir "$T/files"
F=$T/files/acme.json
cat >"$F" <<EOF
{
  "schema_version": 1,
  "comment": "the edge boxes' image",
  "targets": [
    {
      "name": "acme-edge-2",
      "arches": ["x86_64", "aarch64"],
      "libc": "glibc",
      "libc_version": "2.31",
      "glibcxx": "3.4.28",
      "loaders": {"aarch64": "$OWN_A64"},
      "note": "in-house edge image",
      "source": "acme image manifest"
    }
  ]
}
EOF

# A file's targets are names to choose: a file and no --target is a
# usage error for check and fix, not a silent run without them.
ifx check --target-file "$F" "$T/hello"
rc_check=$RC err_check=$(cat "$T/err")
ifx fix --target-file "$F" "$T/hello"
check "check and fix with --target-file but no --target: usage error (exit 2) saying so" \
	sh -c "[ $rc_check = 2 ] && [ $RC = 2 ] && echo \"\$0\" | grep -q 'name one with --target' &&
	       grep -q 'name one with --target' '$T/err'" "$err_check"

# A good file, in each command.
ifx targets --json
n_builtin=$(jq '.targets | length' "$T/out")
ifx targets --target-file "$F"
if [ "$RC" = 0 ] && grep -Eq '^acme-edge-2 +glibc 2\.31 +3\.4\.28 .*x86_64 aarch64$' "$T/out" &&
	grep -q "^$((n_builtin + 1)) targets" "$T/out"; then
	ok "targets --target-file: the table adds acme-edge-2 to the $n_builtin built-in targets"
else
	not_ok "targets --target-file: the table adds acme-edge-2 to the $n_builtin built-in targets"
	show_failure
fi
ifx targets --target-file "$F" acme-edge-2
if [ "$RC" = 0 ] && grep -q 'glibc 2\.31' "$T/out" && grep -q "^  aarch64 .*loader $OWN_A64" "$T/out" &&
	grep -q "^  x86_64 .*loader $STD" "$T/out"; then
	ok "targets --target-file F acme-edge-2: glibc 2.31, its own aarch64 loader, the standard x86_64 one"
else
	not_ok "targets --target-file F acme-edge-2: glibc 2.31, its own aarch64 loader, the standard x86_64 one"
	show_failure
fi
ifx targets --json --target-file "$F"
check "targets --json --target-file: acme-edge-2 with family acme, its versions and loaders" \
	jqt --arg own "$OWN_A64" --arg std "$STD" '[.targets[] | select(.name == "acme-edge-2")] | length == 1 and (.[0]
		| .family == "acme" and .libc == "glibc" and .libc_version == "2.31" and .glibcxx == "3.4.28"
		and .arches == ["x86_64", "aarch64"] and .per_arch.aarch64.loader == $own and .per_arch.x86_64.loader == $std)' "$T/out"

ifx check --target-file "$F" --target acme-edge-2 --format json "$T/hello"
got=$(jq -r '.findings[] | select(.rule == "target-versions" and .deploy_target == "acme-edge-2") | .gaps[].version' "$T/out" | sort -u)
if [ "$RC" = 1 ] && [ "$got" = "$want_nodes" ] && jqt '(.findings | length) == 1 and (.findings[0].message | test("needs glibc 2\\.34, the target has 2\\.31"))' "$T/out"; then
	ok "check --target acme-edge-2: glibc 2.34 > 2.31, the nodes readelf shows above 2.31"
else
	not_ok "check --target acme-edge-2: glibc 2.34 > 2.31, the nodes readelf shows above 2.31"
	diag "gaps: $got; readelf: $want_nodes"
	show_failure
fi
ifx check --target-file "$F" --target acme --format json "$T/hello"
check "check --target acme (the file's family): the same finding, on acme-edge-2 only" \
	sh -c "[ $RC = 1 ] && jq -e '[.findings[].deploy_target] == [\"acme-edge-2\"]' '$T/out' >/dev/null"
ifx show --target-file "$F" --json "$T/hello"
check "show --target-file --json: acme-edge-2 in not_on for its versions" \
	jqt '.files[0].deploy.not_on | index({"name": "acme-edge-2", "why": "versions"})' "$T/out"

cp "$T/hello" "$T/brewed"
ifx fix --to "$BREW" --force "$T/brewed"
[ "$RC" = 0 ] || bail "could not set up the Linuxbrew copy"
cp "$T/brewed" "$T/fx"
ifx fix --target-file "$F" --target acme-edge-2 "$T/fx"
if [ "$RC" = 3 ] && grep -q '__libc_start_main@GLIBC_2.34' "$T/err" && cmp -s "$T/fx" "$T/brewed"; then
	ok "fix --target acme-edge-2: refused (exit 3) for __libc_start_main@GLIBC_2.34, not a byte changed"
else
	not_ok "fix --target acme-edge-2: refused (exit 3) for __libc_start_main@GLIBC_2.34, not a byte changed"
	show_failure
fi
ifx fix --force --target-file "$F" --target acme-edge-2 "$T/fx"
if [ "$RC" = 0 ] && [ "$(interp_of "$T/fx")" = "$STD" ] && [ "$("$T/fx" 2>&1)" = "$HELLO_OUT" ]; then
	ok "fix --force --target acme-edge-2 on x86_64: writes $STD, and it runs"
else
	not_ok "fix --force --target acme-edge-2 on x86_64: writes $STD, and it runs"
	show_failure
fi
if have_tool aarch64-linux-gnu-gcc && aarch64-linux-gnu-gcc -o "$T/a64" "$IFX_SRCDIR/samples/hello.c"; then
	ifx fix --to "$BREW" --force "$T/a64"
	ifx fix --force --target-file "$F" --target acme-edge-2 "$T/a64"
	if [ "$RC" = 0 ] && [ "$(interp_of "$T/a64")" = "$OWN_A64" ]; then
		ok "fix --force --target acme-edge-2 on aarch64: writes the file's own loader $OWN_A64"
	else
		not_ok "fix --force --target acme-edge-2 on aarch64: writes the file's own loader $OWN_A64"
		show_failure
	fi
else
	ok "fix --target acme-edge-2 on aarch64: the file's own loader # SKIP needs aarch64-linux-gnu-gcc"
fi

# Bad files.
T1='"arches": ["x86_64"], "libc": "glibc", "libc_version": "2.31"'
bad() { # NAME CONTENT
	printf '%s\n' "$2" >"$T/files/$1"
}
bad notjson 'this is not JSON'
head -c 60 "$F" >"$T/files/truncated"
bad array "[{\"name\": \"acme-x\", $T1}]"
bad unknown-key "{\"targets\": [{\"name\": \"acme-x\", $T1, \"colour\": \"red\"}]}"
bad no-libc '{"targets": [{"name": "acme-x", "arches": ["x86_64"], "libc_version": "2.31"}]}'
bad bad-arch '{"targets": [{"name": "acme-x", "arches": ["vax"], "libc": "glibc", "libc_version": "2.31"}]}'
bad dup-name "{\"targets\": [{\"name\": \"acme-x\", $T1}, {\"name\": \"acme-x\", $T1}]}"
bad dup-key "{\"targets\": [{\"name\": \"acme-x\", \"name\": \"acme-y\", $T1}]}"
bad builtin "{\"targets\": [{\"name\": \"debian-12\", $T1}]}"
bad alias "{\"targets\": [{\"name\": \"rocky-9\", $T1}]}"
bad nul "{\"targets\": [{\"name\": \"acme-x\\u0000y\", $T1}]}"
{
	printf '{"comment": "'
	head -c 2097152 /dev/zero | tr '\0' a
	printf "\", \"targets\": [{\"name\": \"acme-x\", %s}]}\n" "$T1"
} >"$T/files/big"
mkfifo "$T/files/fifo"
mkdir "$T/files/dir"
bad "with space" 'not JSON either'
NL=$(printf 'new\nline')
bad "$NL" 'not JSON either'
bad unreadable "{\"targets\": [{\"name\": \"acme-x\", $T1}]}"
chmod 000 "$T/files/unreadable"

# The cases: NAME, then how the path must appear on stderr.
CASES="notjson truncated array unknown-key no-libc bad-arch dup-name dup-key builtin alias nul big fifo dir nosuch with_space newline unreadable"
path_of() {
	case "$1" in
	with_space) echo "$T/files/with space" ;;
	newline) echo "$T/files/$NL" ;;
	nosuch) echo "$T/files/nosuch.json" ;;
	*) echo "$T/files/$1" ;;
	esac
}
shown_as() {
	case "$1" in
	newline) printf '%s' "$T/files/new\\x0aline" ;;
	*) path_of "$1" ;;
	esac
}

ifx targets
listing=$(find "$T" | sort)
# refused CMD PATH SHOWN: the last run of CMD on PATH was exit 2, one error
# line naming SHOWN plus at most one advice line, and left $T as it was.
refused() {
	local lines first
	lines=$(wc -l <"$T/err")
	first=$(head -n 1 "$T/err")
	[ "$RC" = 2 ] || return 1
	[ "$lines" -ge 1 ] && [ "$lines" -le 2 ] || return 1
	[ "$(grep -vc '^interpfix: ' "$T/err")" = 0 ] || return 1
	case "$first" in
	"interpfix: $1: "*) ;;
	*) return 1 ;;
	esac
	printf '%s\n' "$first" | grep -qF -- "$2" || return 1
	[ "$(find "$T" | sort)" = "$listing" ]
}
run() { # ARGS...: as ifx, but never waits more than 10 s
	# shellcheck disable=SC2086
	timeout 10 $IFX_VALGRIND "$INTERPFIX" "$@" >"$T/out" 2>"$T/err"
	RC=$?
}
for c in $CASES; do
	if [ "$c" = unreadable ] && is_root; then
		ok "unreadable: check exits 2, one line naming it # SKIP needs non-root"
		continue
	fi
	p=$(path_of "$c")
	run check --target debian-12 --target-file "$p" "$T/hello"
	if refused check "$(shown_as "$c")" && [ ! -s "$T/out" ]; then
		ok "$c: check exits 2, one line naming it, nothing on stdout, no temp left"
	else
		not_ok "$c: check exits 2, one line naming it, nothing on stdout, no temp left"
		show_failure
	fi
done
# The same in fix (which writes nothing), show and targets.
cp "$T/brewed" "$T/fx"
listing=$(find "$T" | sort)
for cmd in fix show targets; do
	failed=""
	for c in $CASES; do
		[ "$c" = unreadable ] && is_root && continue
		p=$(path_of "$c")
		case $cmd in
		fix) run fix --target debian-12 --target-file "$p" "$T/fx" ;;
		show) run show --target-file "$p" "$T/hello" ;;
		targets) run targets --target-file "$p" ;;
		esac
		refused "$cmd" "$(shown_as "$c")" && [ ! -s "$T/out" ] && cmp -s "$T/fx" "$T/brewed" ||
			failed="$failed $c($RC: $(head -n 1 "$T/err"))"
	done
	if [ -z "$failed" ]; then
		ok "$cmd --target-file refuses every bad file the same way"
	else
		not_ok "$cmd --target-file refuses every bad file the same way"
		diag "failed:$failed"
	fi
done

done_testing
