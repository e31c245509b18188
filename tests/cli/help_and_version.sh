#!/bin/sh
# --help and -h list every command and the exit statuses on stdout with
# exit 0; --version is the version configure.ac declares; help COMMAND and
# COMMAND --help print the command's usage; usage errors exit 2 with one
# error line on stderr and nothing on stdout.
. "$IFX_SRCDIR/tests/cli/lib.sh"

COMMANDS="show fix check explain targets help"
ncmd=$(echo "$COMMANDS" | wc -w)
plan $((9 + ncmd * 2 - 1 + 11))

# The error lines on stderr: all but the hint pointing to help.
error_lines() { grep -v "^Try 'interpfix help" "$T/err"; }
usage_error() { # WORD: exit 2, nothing on stdout, one error line naming WORD
	[ "$RC" = 2 ] && [ ! -s "$T/out" ] && [ "$(error_lines | wc -l)" = 1 ] &&
		error_lines | grep -q -e "^interpfix: .*$1"
}
clean_exit() { # STATUS: exit STATUS, nothing on stderr
	[ "$RC" = "$1" ] && [ ! -s "$T/err" ]
}
lists_commands() {
	for _c in $COMMANDS; do
		grep -qE "^  interpfix $_c( |\$)" "$T/out" || return 1
	done
}
# Every status 0..3 on a line of its own, with its meaning.
lists_exit_statuses() {
	grep -q '^Exit status' "$T/out" || return 1
	for _s in 0 1 2 3; do
		grep -qE "^  $_s  [a-z]" "$T/out" || return 1
	done
}

ifx --help
cp "$T/out" "$T/help"
check "--help: exit 0, nothing on stderr" clean_exit 0
check "--help: the usage line first" sh -c "head -n 1 '$T/out' | grep -q '^Usage: interpfix COMMAND'"
check "--help lists every command: $COMMANDS" lists_commands
check "--help lists the exit statuses 0, 1, 2 and 3" lists_exit_statuses
ifx -h
check "-h is --help" sh -c "[ $RC = 0 ] && cmp -s '$T/out' '$T/help'"

version=$(sed -n 's/^AC_INIT(\[interpfix\], *\[\([^]]*\)\].*/\1/p' "$IFX_SRCDIR/configure.ac")
ifx --version
check "--version's first line is exactly 'interpfix $version', exit 0" \
	sh -c "[ -n '$version' ] && [ $RC = 0 ] && [ ! -s '$T/err' ] && [ \"\$(head -n 1 '$T/out')\" = 'interpfix $version' ]"
check "--version names the licence of LICENSE (MIT)" \
	sh -c "grep -q '^License: MIT' '$T/out' && head -n 1 '$IFX_SRCDIR/LICENSE' | grep -qx 'MIT License'"
cp "$T/out" "$T/version"
ifx -V
check "-V is --version" sh -c "[ $RC = 0 ] && cmp -s '$T/out' '$T/version'"
if [ -w /dev/full ]; then
	$IFX_VALGRIND "$INTERPFIX" show --json "$INTERPFIX" >/dev/full 2>"$T/err"
	RC=$?
	check "a failed write to stdout (/dev/full) is exit 2 with one line, never a silent 0" \
		sh -c "[ $RC = 2 ] && grep -q '^interpfix: cannot write the output: No space left on device' '$T/err'"
else
	ok "write errors are exit 2 # SKIP needs /dev/full"
fi

# Each command: help COMMAND prints its usage and the exit statuses;
# COMMAND --help prints the same.
for c in $COMMANDS; do
	ifx help "$c"
	cp "$T/out" "$T/help-$c"
	if clean_exit 0 && head -n 1 "$T/out" | grep -q "^Usage: interpfix $c" && lists_exit_statuses; then
		ok "help $c: exit 0, 'Usage: interpfix $c ...' and the exit statuses"
	else
		not_ok "help $c: exit 0, 'Usage: interpfix $c ...' and the exit statuses"
		diag "exit $RC" "$(head -n 3 "$T/out")" "$(cat "$T/err")"
	fi
	[ "$c" = help ] && continue
	ifx "$c" --help
	check "$c --help: exit 0, the same as help $c" \
		sh -c "[ $RC = 0 ] && [ ! -s '$T/err' ] && cmp -s '$T/out' '$T/help-$c'"
done
# help's own usage shows how to ask about one command.
check "help help names COMMAND" grep -q '^Usage: interpfix help \[COMMAND\]' "$T/help-help"

# Usage errors: exit 2, nothing on stdout, one error line.
ifx
check "no arguments: exit 2, nothing on stdout" sh -c "[ $RC = 2 ] && [ ! -s '$T/out' ]"
points_to_usage() {
	usage_error "" && grep -qE "Usage: interpfix|Try 'interpfix help'" "$T/err"
}
check "no arguments: one error line, and where to find the usage" points_to_usage
ifx frobnicate /bin/true
check "an unknown command: exit 2, nothing on stdout" sh -c "[ $RC = 2 ] && [ ! -s '$T/out' ]"
check "an unknown command: one error line naming it" usage_error "'frobnicate'"
ifx help frobnicate
check "help of an unknown command: exit 2, one error line naming it" usage_error frobnicate
for c in show fix check explain; do
	ifx "$c" --frobnicate "$T"
	check "$c --frobnicate: exit 2, nothing on stdout, one error line naming it" usage_error --frobnicate
done
ifx show
check "show without a file: exit 2, one error line" usage_error "show: "

done_testing
