#!/bin/sh
# check audits files and trees without writing: each finding names the file,
# the rule and the fix; exit 0 clean, 1 with findings, 2 on errors.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures gcc-pie brew go-cgo-musl static musl
require_tools gcc readelf jq
# The host's musl loader: what its musl-gcc writes.
MUSL_LD=$(readelf -lW "$(fixture musl)" | sed -n 's/.*interpreter: \(.*\)]$/\1/p')
plan 17

mkdir -p "$T/dist/bin" "$T/dist/lib"
cp "$(fixture gcc-pie)" "$T/dist/bin/good"
cp "$(fixture static)" "$T/dist/bin/static"
printf 'not elf\n' >"$T/dist/README"
ifx check "$T/dist"
check "a clean tree: exit 0" [ "$RC" = 0 ]
check "... and a summary line" grep -qx "3 files, 2 ELF, 0 with findings, 0 findings, 0 errors" "$T/out"

cp "$(fixture brew)" "$T/dist/bin/brewed"
cp "$(fixture go-cgo-musl)" "$T/dist/bin/alpine-go"
gcc -o "$T/dist/bin/liar" "$IFX_SRCDIR/samples/hello.c" -Wl,--dynamic-linker="$MUSL_LD"
mkdir -p "$T/build"
printf 'int f(void) { return 1; }\n' >"$T/build/f.c"
gcc -shared -fPIC -o "$T/build/libf.so" "$T/build/f.c"
printf 'int f(void);\nint main(void) { return f() - 1; }\n' >"$T/build/m.c"
gcc -o "$T/dist/bin/rpathed" "$T/build/m.c" -L"$T/build" -lf -Wl,-rpath,/home/linuxbrew/.linuxbrew/lib
gcc -o "$T/dist/bin/needs-gone" "$T/build/m.c" -L"$T/build" -lf
find "$T/dist" -type f -exec cksum {} + | sort >"$T/before"

ifx check "$T/dist"
check "findings: exit 1" [ "$RC" = 1 ]
check "Linuxbrew interpreter: nonstandard-interp with the fix command" \
	sh -c "grep -q '^$T/dist/bin/brewed: nonstandard-interp: interpreter /home/linuxbrew/.linuxbrew/lib/ld.so is linuxbrew' '$T/out' &&
	       grep -q 'fix: interpfix fix --portable $T/dist/bin/brewed' '$T/out'"
check "glibc binary naming musl's loader: interp-libc-mismatch" \
	grep -q "^$T/dist/bin/liar: interp-libc-mismatch: links glibc but names musl's loader" "$T/out"
check "RPATH into Linuxbrew: rpath-build-prefix" \
	grep -q "^$T/dist/bin/rpathed: rpath-build-prefix: DT_RUNPATH entry /home/linuxbrew/.linuxbrew/lib" "$T/out"
check "a NEEDED library nowhere on the search path: missing-library, with where it looked, grouped by library" \
	sh -c "grep -qx 'missing-library: libf.so is missing for 2 files:' '$T/out' &&
	       grep -q '^  $T/dist/bin/needs-gone: libf.so not found; looked in: libf.so (ld.so.cache) .*/usr/lib/libf.so (default)' '$T/out'"
check "check never writes" sh -c "find '$T/dist' -type f -exec cksum {} + | sort | cmp -s - '$T/before'"

ifx check --libc glibc "$T/dist/bin/alpine-go" "$T/dist/bin/good"
check "--libc glibc flags the musl Go binary, advising CGO_ENABLED=0" \
	sh -c "[ $RC = 1 ] && grep -q 'alpine-go: unexpected-libc: links musl, the product is glibc' '$T/out' && grep -q 'CGO_ENABLED=0' '$T/out' && ! grep -q 'good:' '$T/out'"

ifx check --glibc 2.17 "$T/dist/bin/good"
check "--glibc 2.17 names each symbol@version beyond it" \
	sh -c "[ $RC = 1 ] && grep -q 'good: glibc-too-new: needs more than glibc 2.17: __libc_start_main@GLIBC_2.34' '$T/out'"
ifx check --glibc 2.34 "$T/dist/bin/good"
check "--glibc 2.34 passes the same binary" \
	sh -c "[ $RC = 0 ] && grep -qx '1 files, 1 ELF, 0 with findings, 0 findings, 0 errors' '$T/out'"

# DT_RELR: the linker adds GLIBC_ABI_DT_RELR, needed with no symbol bound to
# it; a glibc before 2.36 lacks it (Debian 11's loader refuses the file)
printf 'int main(void) { return 0; }\n' >"$T/relr.c"
if cc -Wl,-z,pack-relative-relocs -o "$T/relr" "$T/relr.c" 2>/dev/null &&
	readelf -V -W "$T/relr" | grep -q GLIBC_ABI_DT_RELR; then
	ifx check --glibc 2.35 "$T/relr"
	check "--glibc 2.35 names GLIBC_ABI_DT_RELR, a version with no symbol (glibc 2.36)" \
		sh -c "[ $RC = 1 ] && grep -q 'glibc-too-new: needs more than glibc 2.35: version GLIBC_ABI_DT_RELR' '$T/out'"
else
	ok "--glibc and GLIBC_ABI_DT_RELR # SKIP the linker cannot -z pack-relative-relocs"
fi

ifx check --json "$T/dist"
check "--json: one document with findings and a summary" \
	sh -c "jq -e '(.findings | length) == .summary.findings and .summary.with_findings == 4 and .exit_status == 1' '$T/out' >/dev/null"
check "--json findings carry file, rule, severity, message and advice" \
	sh -c "jq -e 'all(.findings[]; .file and .rule and .severity and .message and (.advice != null))' '$T/out' >/dev/null"

printf '\177ELF\002' >"$T/bad"
ifx check "$T/bad" "$T/dist/bin/good"
check "an unreadable ELF operand: exit 2, one error line, others still checked" \
	sh -c "[ $RC = 2 ] && [ \$(wc -l <'$T/err') = 1 ] && grep -q '1 ELF' '$T/out'"
ifx check --libc uclibc "$T/dist"
check "a bad --libc is a usage error: exit 2, nothing checked, the value named" \
	sh -c "[ $RC = 2 ] && [ ! -s '$T/out' ] && grep -q \"^interpfix: check: .*'uclibc'\" '$T/err'"
mkdir "$T/emptyroot"
ifx check --root "$T/emptyroot" "$T/dist/bin/good"
check "NEEDED searched inside --root: missing there" \
	sh -c "[ $RC = 1 ] && grep -q 'missing-library: libc.so.6 not found' '$T/out'"

done_testing
