#!/bin/sh
# Sum the TAP results of automake test runs into one closing line,
# "N passed, N failed, N skipped", and fail when any test failed.
set -eu
pass=0 fail=0 skip=0
for dir in "${@:-.}"; do
	for trs in $(find "$dir" -name '*.trs' -not -path '*/_build/*'); do
		p=$(grep -c '^:test-result: PASS' "$trs" || true)
		x=$(grep -c '^:test-result: XFAIL' "$trs" || true)
		f=$(grep -c '^:test-result: \(FAIL\|ERROR\|XPASS\)' "$trs" || true)
		s=$(grep -c '^:test-result: SKIP' "$trs" || true)
		pass=$((pass + p + x)) fail=$((fail + f)) skip=$((skip + s))
	done
done
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
