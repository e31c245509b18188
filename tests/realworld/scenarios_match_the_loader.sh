#!/bin/sh
# The oracle is the real loader again, this time on small dependency trees
# built here with gcc, one per rule of glibc's search (elf/dl-load.c): for
# each, the objects `interpfix show --deps` says the loader maps (name =>
# path, or not found; "provided" ones aside) are exactly those the loader's
# trace of PROG lists, and where a library is missing the program we built
# really fails to start with "cannot open shared object file", and `check`
# names the library and the object that needs it. Where the trace is not
# what execve does ($ORIGIN of a program run through a symlink), the
# program's own run is the oracle.
. "$IFX_SRCDIR/tests/cli/lib.sh"
require_tools gcc jq readelf
require_host x86_64
[ -n "$HOST_LD" ] && [ -x "$HOST_LD" ] || skip_all "no host loader (HOST_LD) to compare with"
unset LD_LIBRARY_PATH LD_PRELOAD LD_AUDIT
plan 29

# Work below the real path of $T: the loader's lists carry the paths we
# give, and the kernel gives the loader real ones (/proc/self/exe).
T=$(cd "$T" && pwd -P)

# mklib OUT FN "DEPS" TAG GCC-ARGS...: a shared library whose FN() calls
# each function of DEPS, then prints "FN:TAG" (which copy was loaded).
mklib() {
	local out=$1 fn=$2 deps=$3 tag=$4 d
	shift 4
	{
		echo '#include <stdio.h>'
		for d in $deps; do echo "void $d(void);"; done
		echo "void $fn(void) {"
		for d in $deps; do echo "	$d();"; done
		echo "	puts(\"$fn:$tag\");"
		echo "}"
	} >"$out.c"
	gcc -shared -fPIC -o "$out" "$out.c" "$@" 2>"$T/cc.err" ||
		diag "could not build $out:" "$(cat "$T/cc.err")"
	rm -f "$out.c"
}

# mkprog OUT "FNS" GCC-ARGS...: a program calling each of FNS, then
# printing OK.
mkprog() {
	local out=$1 fns=$2 f
	shift 2
	{
		echo '#include <stdio.h>'
		for f in $fns; do echo "void $f(void);"; done
		echo "int main(void) {"
		for f in $fns; do echo "	$f();"; done
		echo '	puts("OK");'
		echo "	return 0;"
		echo "}"
	} >"$out.c"
	gcc -o "$out" "$out.c" "$@" 2>"$T/cc.err" ||
		diag "could not build $out:" "$(cat "$T/cc.err")"
	rm -f "$out.c"
}

. "$IFX_SRCDIR/tests/realworld/loader-trace.sh"
# loader_list PROG [ROOT]: the loader's own list, "name<TAB>path|not found",
# sorted; its exit status in $LRC, its stderr in $T/lerr. The loader traces
# as ldd has it do, LD_TRACE_LOADED_OBJECTS=1 set for the loader alone:
# glibc 2.36's `ld.so --list` stops at the first missing library (exit 127,
# nothing listed) where the trace says "=> not found" and goes on. With a
# ROOT, the loader runs chrooted there with --list (the root has no env).
loader_list() {
	if [ -n "${2:-}" ]; then
		timeout 10 chroot "$2" "$HOST_LD" --list "$1" >"$T/lout" 2>"$T/lerr"
	else
		timeout 10 env LD_TRACE_LOADED_OBJECTS=1 "$HOST_LD" "$1" >"$T/lout" 2>"$T/lerr"
	fi
	LRC=$?
	trace_list "$HOST_LD" <"$T/lout"
}

# our_list PROG [SHOW-OPTIONS...]: interpfix's list in the same form.
our_list() {
	local prog=$1
	shift
	ifx show "$@" --deps --json "$prog"
	jq -r '.files[0] | (.dependencies // [])[] | select(.state != "provided") |
		"\(.name)\t\(if .state == "found" then .path else "not found" end)"' \
		"$T/out" 2>/dev/null | sort -u
}

# agree NAME PROG [EXPECTED-LINE]: one TAP line: interpfix's list equals
# the loader's. With EXPECTED-LINE, the loader's list must hold it too
# (else the scenario did not build what it claims, and the test fails).
agree() {
	local name=$1 prog=$2 want=${3:-}
	loader_list "$prog" >"$T/theirs"
	our_list "$prog" >"$T/ours"
	report "$name" "$want"
}

# report NAME [EXPECTED-LINE]: compares $T/theirs with $T/ours.
report() {
	local name=$1 want=${2:-}
	if [ -n "$want" ] && ! grep -qxF "$want" "$T/theirs"; then
		not_ok "$name (the loader does not list: $want)"
		diag "loader:" "$(cat "$T/lout" "$T/lerr")"
	elif cmp -s "$T/theirs" "$T/ours"; then
		ok "$name"
	else
		not_ok "$name"
		{
			echo "loader:"
			sed 's/^/  /; s/\t/ => /' "$T/theirs"
			echo "interpfix:"
			sed 's/^/  /; s/\t/ => /' "$T/ours"
		} | while IFS= read -r line; do diag "$line"; done
		[ -s "$T/err" ] && diag "interpfix stderr: $(cat "$T/err")"
	fi
}

# jq_true JQ-ARGS...: whether the jq filter yields true.
jq_true() { jq -e "$@" >/dev/null; }

# fails_to_start PROG LIB: PROG, run, fails because LIB cannot be opened.
fails_to_start() {
	"$1" >"$T/run" 2>&1 && return 1
	grep -qF "$2: cannot open shared object file" "$T/run" || {
		diag "$1: $(cat "$T/run")"
		return 1
	}
}

# runs_with PROG LINE...: PROG, run, prints each LINE (FN:TAG) and OK.
runs_with() {
	local prog=$1 line
	shift
	"$prog" >"$T/run" 2>&1 || { diag "$prog: $(cat "$T/run")"; return 1; }
	for line in "$@" OK; do
		grep -qxF "$line" "$T/run" || { diag "$prog printed: $(cat "$T/run")"; return 1; }
	done
}

# names_missing PROG LIB NEEDED-BY: check exits 1 with a missing-library
# finding for LIB that names the object needing it.
names_missing() {
	ifx check --json "$1"
	[ "$RC" = 1 ] || { diag "check exited $RC: $(cat "$T/out" "$T/err")"; return 1; }
	jq -e --arg m "$2 not found (needed by $3)" '[.findings[] |
		select(.rule == "missing-library" and (.message | startswith($m)))] | length == 1' \
		"$T/out" >/dev/null || { diag "check: $(cat "$T/out")"; return 1; }
}

# --- 1: a library needed by a library -------------------------------------
d=$T/s1
mkdir -p "$d/lib"
mklib "$d/lib/libb.so" b "" b
mklib "$d/lib/liba.so" a b a -L"$d/lib" -lb -Wl,-rpath,"\$ORIGIN"
mkprog "$d/prog" a -L"$d/lib" -la -Wl,-rpath,"$d/lib"
agree "01_transitive_dependencies_are_resolved_through_the_needing_object" \
	"$d/prog" "libb.so	$d/lib/libb.so"
rm "$d/lib/libb.so"
agree "01_a_missing_transitive_library_is_not_found" "$d/prog" "libb.so	not found"
check "01_the_program_really_fails_without_it" fails_to_start "$d/prog" libb.so
check "01_check_names_the_missing_library_and_the_object_that_needs_it" \
	names_missing "$d/prog" libb.so "$d/lib/liba.so"
ifx explain "$d/prog"
check "01_explain_says_it_would_fail_naming_both" \
	sh -c '[ "$1" = 1 ] && grep -qF libb.so "$2" && grep -qF "$3" "$2"' - "$RC" "$T/out" "$d/lib/liba.so"

# --- 2: the executable's DT_RPATH serves its libraries, DT_RUNPATH not -----
d=$T/s2
mkdir -p "$d/dir"
mklib "$d/dir/libb.so" b "" b
mklib "$d/dir/liba.so" a b a -L"$d/dir" -lb
mkprog "$d/prog_rpath" a -L"$d/dir" -la -Wl,--disable-new-dtags,-rpath,"$d/dir"
mkprog "$d/prog_runpath" a -L"$d/dir" -la -Wl,--enable-new-dtags,-rpath,"$d/dir"
agree "02_rpath_of_the_executable_is_inherited_by_its_libraries" \
	"$d/prog_rpath" "libb.so	$d/dir/libb.so"
agree "02_runpath_is_not_inherited" "$d/prog_runpath" "libb.so	not found"
check "02_the_runpath_program_really_fails" fails_to_start "$d/prog_runpath" libb.so
check "02_check_names_the_library_whose_lookup_lacks_the_runpath" \
	names_missing "$d/prog_runpath" libb.so "$d/dir/liba.so"

# --- 3: DT_RPATH is ignored when the same object has DT_RUNPATH ------------
# Today's linkers write one or the other (older GNU ld wrote both for
# --enable-new-dtags, and such binaries are still around), so ld writes
# DT_RPATH and a DT_AUDIT string here, and the DT_AUDIT entry is retagged
# DT_RUNPATH (0x1d). libi.so, needed by libr.so, is not found either: the
# ignored RPATH is not inherited.
d=$T/s3
mkdir -p "$d/rpath" "$d/runpath"
mklib "$d/rpath/liba.so" a "" a
mklib "$d/rpath/libi.so" i "" i
mklib "$d/runpath/libr.so" r i r -L"$d/rpath" -li
mkprog "$d/prog" "a r" -L"$d/rpath" -L"$d/runpath" -la -lr -Wl,-rpath-link,"$d/rpath" \
	-Wl,--disable-new-dtags,-rpath,"$d/rpath" -Wl,--audit,"$d/runpath"
off=$(readelf -W -S "$d/prog" | awk '$2 == ".dynamic" { print $5 }')
idx=$(readelf -d "$d/prog" | awk '/^ *0x/ { if ($2 == "(AUDIT)") { print n; exit } n++ }')
if [ -n "$off" ] && [ -n "$idx" ]; then
	printf '\035\000\000\000\000\000\000\000' |
		dd of="$d/prog" bs=1 seek=$((0x$off + 16 * idx)) conv=notrunc 2>/dev/null
fi
if readelf -d "$d/prog" | grep -q "(RPATH).*\[$d/rpath\]" &&
	readelf -d "$d/prog" | grep -q "(RUNPATH).*\[$d/runpath\]"; then
	agree "03_rpath_is_ignored_when_the_object_has_runpath" "$d/prog" "liba.so	not found"
else
	not_ok "03_rpath_is_ignored_when_the_object_has_runpath (could not build a file with both)"
fi
check "03_the_program_really_fails" fails_to_start "$d/prog" liba.so

# --- 4: $ORIGIN and symlinks -----------------------------------------------
# A program run through a symlink: $ORIGIN is the real file's directory
# (the loader reads /proc/self/exe). `ld.so --list LINK` would use the link's
# directory instead, so the program's run is the oracle, and the loader's
# list of the real path is what interpfix must say of the link.
d=$T/s4
mkdir -p "$d/real/bin" "$d/real/lib" "$d/other/bin" "$d/other/lib"
mklib "$d/real/lib/libx.so" x "" real
mklib "$d/other/lib/libx.so" x "" decoy
mkprog "$d/real/bin/prog" x -L"$d/real/lib" -lx -Wl,-rpath,"\$ORIGIN/../lib"
ln -s ../../real/bin/prog "$d/other/bin/prog"
check "04_a_program_run_through_a_symlink_loads_from_its_real_origin" \
	runs_with "$d/other/bin/prog" x:real
loader_list "$d/real/bin/prog" >"$T/theirs"
our_list "$d/other/bin/prog" >"$T/ours"
report "04_origin_of_a_program_is_its_real_directory_not_the_symlinks" \
	"libx.so	$d/real/bin/../lib/libx.so"
# A library found through a symlink: its $ORIGIN is the directory it was
# found in (glibc keeps the path as found, no realpath).
mkdir -p "$d/dir" "$d/real2"
mklib "$d/dir/liby.so" y "" link
mklib "$d/real2/liby.so" y "" decoy
mklib "$d/real2/libx.so.1" x y x -Wl,-soname,libx.so.1 -L"$d/dir" -ly -Wl,-rpath,"\$ORIGIN"
ln -s ../real2/libx.so.1 "$d/dir/libx.so.1"
mkprog "$d/prog2" x -L"$d/dir" -l:libx.so.1 -Wl,-rpath,"$d/dir"
check "04_the_program_loads_the_library_next_to_the_symlink" runs_with "$d/prog2" y:link x:x
agree "04_origin_of_a_library_is_where_it_was_found_not_its_realpath" \
	"$d/prog2" "liby.so	$d/dir/liby.so"

# --- 5: glibc-hwcaps and legacy platform subdirectories --------------------
d=$T/s5
mkdir -p "$d/lib/glibc-hwcaps/x86-64-v2" "$d/legacy/x86_64"
"$HOST_LD" --help >"$T/ldhelp" 2>&1
if grep -q 'x86-64-v2 (supported' "$T/ldhelp"; then
	h=$d/lib/glibc-hwcaps/x86-64-v2
	mklib "$h/libh.so" h "" hwcaps
	mklib "$h/libd.so" d "" hwcaps
	mklib "$d/lib/libd.so" d "" plain
	mkprog "$d/prog" "h d" -L"$h" -lh -ld -Wl,-rpath,"$d/lib"
	check "05_the_program_takes_the_hwcaps_copy" runs_with "$d/prog" h:hwcaps d:hwcaps
	loader_list "$d/prog" >"$T/theirs"
	our_list "$d/prog" >"$T/ours"
	report "05_a_library_only_in_glibc_hwcaps_x86_64_v2_is_found_there" "libh.so	$h/libh.so"
	report "05_glibc_hwcaps_comes_before_the_directory_itself" "libd.so	$h/libd.so"
else
	ok "05_a_library_only_in_glibc_hwcaps_x86_64_v2_is_found_there # SKIP this CPU lacks x86-64-v2"
	ok "05_glibc_hwcaps_comes_before_the_directory_itself # SKIP this CPU lacks x86-64-v2"
	ok "05_the_program_takes_the_hwcaps_copy # SKIP this CPU lacks x86-64-v2"
fi
if grep -q 'x86_64 (supported, searched)' "$T/ldhelp"; then
	mklib "$d/legacy/x86_64/libp.so" p "" platform
	mkprog "$d/prog_legacy" p -L"$d/legacy/x86_64" -lp -Wl,-rpath,"$d/legacy"
	agree "05_the_legacy_platform_subdirectory_is_searched" \
		"$d/prog_legacy" "libp.so	$d/legacy/x86_64/libp.so"
else
	ok "05_the_legacy_platform_subdirectory_is_searched # SKIP this loader does not search x86_64/"
fi

# --- 6: ld.so.cache of a root ----------------------------------------------
# A root holding the host's libc and loader (the files the loader names),
# a library under /opt/x/lib listed in its /etc/ld.so.conf, and the cache
# its ldconfig -r builds: the library is found through that cache alone.
r=$T/root
mkdir -p "$r/usr/bin" "$r/opt/x/lib" "$r/etc" "$r/var/cache/ldconfig" "$r/build"
mklib "$r/build/libq.so.1" q "" cache -Wl,-soname,libq.so.1
mkprog "$r/usr/bin/prog" q -L"$r/build" -l:libq.so.1
mv "$r/build/libq.so.1" "$r/opt/x/lib/libq.so.1"
rmdir "$r/build"
for f in $(env LD_TRACE_LOADED_OBJECTS=1 "$HOST_LD" "$r/usr/bin/prog" 2>/dev/null |
	awk '/=> \// { print $3 } $1 ~ /^\// { print $1 }') "$HOST_LD"; do
	mkdir -p "$r$(dirname "$f")"
	cp -L "$f" "$r$f"
done
echo /opt/x/lib >"$r/etc/ld.so.conf"
if /sbin/ldconfig -r "$r" 2>"$T/ldconfig.err" && [ -s "$r/etc/ld.so.cache" ]; then
	our_list "$r/usr/bin/prog" --root "$r" >"$T/ours"
	check "06_a_library_listed_in_the_roots_ld_so_cache_is_found_there" \
		grep -qxF "libq.so.1	/opt/x/lib/libq.so.1" "$T/ours"
	if is_root; then
		loader_list /usr/bin/prog "$r" >"$T/theirs"
		report "06_the_roots_list_is_the_chrooted_loaders_list" "libq.so.1	/opt/x/lib/libq.so.1"
	else
		skip_needs_root "06_the_roots_list_is_the_chrooted_loaders_list"
	fi
else
	not_ok "06_a_library_listed_in_the_roots_ld_so_cache_is_found_there (ldconfig -r failed: $(cat "$T/ldconfig.err"))"
	not_ok "06_the_roots_list_is_the_chrooted_loaders_list"
fi

# --- 7: an object already loaded answers to its SONAME ---------------------
# prog needs liba.so by path; liba.so's SONAME is libfoo.so.1, which libb.so
# needs by name and which no directory holds: the loader reuses liba.so.
# (ld writes a path into DT_NEEDED only for a library without a SONAME, so
# prog is linked against a first liba.so without one.)
d=$T/s7
mkdir -p "$d/lib" "$d/build"
mklib "$d/build/libfoo.so.1" foo "" build -Wl,-soname,libfoo.so.1
mklib "$d/lib/libb.so" b foo b -L"$d/build" -l:libfoo.so.1
mklib "$d/lib/liba.so" foo "" stub
mkprog "$d/prog" "foo b" "$d/lib/liba.so" -L"$d/lib" -lb -Wl,-rpath,"$d/lib" \
	-Wl,-rpath-link,"$d/build"
mklib "$d/lib/liba.so" foo "" soname -Wl,-soname,libfoo.so.1
rm -r "$d/build"
check "07_the_program_runs_with_the_library_loaded_by_path" runs_with "$d/prog" foo:soname b:b
agree "07_a_library_already_loaded_is_not_searched_again_by_its_soname" \
	"$d/prog" "$d/lib/liba.so	$d/lib/liba.so"

# --- 8: what the search skips and what stops it ----------------------------
d=$T/s8
mkdir -p "$d/d32" "$d/d64" "$d/dtxt"
mklib "$d/d64/libw.so" w "" d64
if have_tool i686-linux-gnu-gcc; then
	echo 'int w(void) { return 32; }' >"$d/w32.c"
	i686-linux-gnu-gcc -shared -fPIC -o "$d/d32/libw.so" "$d/w32.c" 2>"$T/cc.err" ||
		diag "could not build a 32-bit libw.so:" "$(cat "$T/cc.err")"
	mkprog "$d/prog32" w -L"$d/d64" -lw -Wl,-rpath,"$d/d32:$d/d64"
	if readelf -h "$d/d32/libw.so" 2>/dev/null | grep -q 'Class: *ELF32'; then
		check "08_the_program_skips_the_32_bit_library" runs_with "$d/prog32" w:d64
		agree "08_a_library_of_the_other_class_is_skipped" "$d/prog32" "libw.so	$d/d64/libw.so"
	else
		not_ok "08_the_program_skips_the_32_bit_library (no 32-bit libw.so)"
		not_ok "08_a_library_of_the_other_class_is_skipped (no 32-bit libw.so)"
	fi
else
	ok "08_the_program_skips_the_32_bit_library # SKIP needs i686-linux-gnu-gcc"
	ok "08_a_library_of_the_other_class_is_skipped # SKIP needs i686-linux-gnu-gcc"
fi
# A linker script where the library should be stops the search.
printf '%s\n' '/* GNU ld script' '   Use the shared library, but some functions are only in' \
	'   the static library.  */' 'GROUP ( libw.so.1 )' >"$d/dtxt/libw.so"
mkprog "$d/prog_txt" w -L"$d/d64" -lw -Wl,-rpath,"$d/dtxt:$d/d64"
loader_list "$d/prog_txt" >"$T/theirs"
check "08_the_loader_stops_at_a_file_that_is_not_elf" \
	sh -c '[ "$1" != 0 ] && grep -qE "libw.so: (invalid ELF header|file too short)" "$2"' \
	- "$LRC" "$T/lerr"
check "08_the_program_really_fails" sh -c '! "$1" >"$2" 2>&1 && grep -q "invalid ELF header" "$2"' \
	- "$d/prog_txt" "$T/run"
ifx show --deps --json "$d/prog_txt"
# broken, at the path the loader names, for the reason it gives
check "08_interpfix_reports_that_file_as_broken" jq_true --arg p "$d/dtxt/libw.so" \
	--arg err "$(cat "$T/lerr")" '[.files[0].dependencies[] | select(.name == "libw.so" and
		.state == "broken" and .path == $p and .problem != null and
		(.problem as $why | $err | contains($p + ": " + $why)))] | length == 1' "$T/out"
check "08_and_not_the_good_copy_behind_it" jq_true --arg p "$d/d64/libw.so" \
	'[.files[0].dependencies[] | select(.path == $p)] | length == 0' "$T/out"
done_testing
