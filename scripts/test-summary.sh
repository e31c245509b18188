#!/bin/sh
# Sum the TAP results of an automake test run into one closing line,
# "N passed, N failed, N skipped", and fail when any test failed.
set -eu
dir=${1:-.}
pass=0 fail=0 skip=0
for trs in $(find "$dir" -name '*.trs'); do
	p=$(grep -c '^:test-result: PASS' "$trs" || true)
	x=$(grep -c '^:test-result: XFAIL' "$trs" || true)
	f=$(grep -c '^:test-result: \(FAIL\|ERROR\|XPASS\)' "$trs" || true)
	s=$(grep -c '^:test-result: SKIP' "$trs" || true)
	pass=$((pass + p + x)) fail=$((fail + f)) skip=$((skip + s))
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
