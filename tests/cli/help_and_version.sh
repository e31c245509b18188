#!/bin/sh
# --help, --version, help COMMAND and usage errors.
. "$IFX_SRCDIR/tests/cli/lib.sh"
plan 10

ifx --help
check "--help: exit 0, every command listed" \
	sh -c "[ $RC = 0 ] && grep -q 'interpfix show' '$T/out' && grep -q 'interpfix fix' '$T/out' && grep -q 'interpfix check' '$T/out' && grep -q 'interpfix explain' '$T/out'"
check "--help documents the exit statuses" \
	sh -c "grep -q '2 > 3 > 1 > 0' '$T/out' && grep -q 'refused by the safety checker' '$T/out'"
version=$(sed -n 's/^AC_INIT(\[interpfix\], \[\([^]]*\)\].*/\1/p' "$IFX_SRCDIR/configure.ac")
ifx --version
check "--version prints interpfix $version" sh -c "[ $RC = 0 ] && [ \"\$(cat '$T/out')\" = 'interpfix $version' ]"
for cmd in show fix check explain; do
	ifx help "$cmd"
	check "help $cmd prints its usage" sh -c "[ $RC = 0 ] && grep -q '^Usage: interpfix $cmd' '$T/out'"
done
ifx fix --help
check "fix --help is the same as help fix" sh -c "[ $RC = 0 ] && grep -q -- '--in-place' '$T/out'"
ifx
check "no arguments: exit 2, usage on stderr" sh -c "[ $RC = 2 ] && grep -q 'missing command' '$T/err' && [ ! -s '$T/out' ]"
ifx frobnicate
check "an unknown command: exit 2, named" sh -c "[ $RC = 2 ] && grep -q \"unknown command 'frobnicate'\" '$T/err'"
done_testing
