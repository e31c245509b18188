#!/bin/sh
# The safety checker refuses swaps that would break a binary (exit 3, file
# untouched, a reason and what to do instead), and the resolver picks the
# right loader by itself, also inside a cross sysroot.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures go-cgo-musl gcc-pie static musl
require_tools gcc musl-gcc readelf jq
interp_of() { readelf -lW "$1" | sed -n 's/.*interpreter: \(.*\)]$/\1/p'; }
# The host's loaders: what its gcc and musl-gcc write.
GLIBC_LD=$HOST_LD
MUSL_LD=$(interp_of "$(fixture musl)")
# The host's machine as interpfix names ELF machines (uname -m but i386).
case $HOST_MACHINE in i?86) HOST_ELF=i386 ;; *) HOST_ELF=$HOST_MACHINE ;; esac
plan 39

S=$(mktemp -d /tmp/ifxXXXXXX)
trap 'rm -rf "$S"; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT
untouched() { cmp -s "$1" "$2"; }

# 1. libc family swaps, both ways; --force shows why the rule exists.
cp "$(fixture go-cgo-musl)" "$T/gomusl"
ifx fix --to "$GLIBC_LD" "$T/gomusl"
check "musl Go binary to the glibc loader: refused with exit 3" [ "$RC" = 3 ]
check "... says why and advises CGO_ENABLED=0 first" \
	sh -c "grep -q 'musl binary to a glibc loader' '$T/err' && grep -q 'CGO_ENABLED=0' '$T/err'"
check "... and leaves the file untouched" untouched "$(fixture go-cgo-musl)" "$T/gomusl"
ifx fix --force --to "$GLIBC_LD" "$T/gomusl"
check "with --force it is written" [ "$RC:$(interp_of "$T/gomusl")" = "0:$GLIBC_LD" ]
"$T/gomusl" >/dev/null 2>&1
check "... and the forced binary fails to run, proving the rule" [ $? != 0 ]
cp "$(fixture gcc-pie)" "$T/glibc"
ifx fix --to "$MUSL_LD" "$T/glibc"
check "glibc binary to the musl loader: refused with exit 3, untouched" \
	sh -c "[ $RC = 3 ] && grep -q 'glibc binary to a musl loader' '$T/err'" 
check "... file untouched" untouched "$(fixture gcc-pie)" "$T/glibc"

# 2. The resolver: a glibc binary with a musl interpreter gets glibc's
# loader; a musl binary under another prefix gets musl's.
gcc -o "$T/liar" "$IFX_SRCDIR/samples/hello.c" -Wl,--dynamic-linker="$MUSL_LD"
ifx fix "$T/liar"
check "glibc binary naming musl's loader is fixed to glibc's loader" \
	sh -c "[ $RC = 0 ] && grep -qx 'fixed $T/liar: $MUSL_LD -> $GLIBC_LD' '$T/out'"
check "... and runs" sh -c "'$T/liar' | grep -q 'hello from interpfix'"
musl-gcc -o "$T/prefixed" "$IFX_SRCDIR/samples/hello.c" \
	-Wl,--dynamic-linker="/usr/local/musl$MUSL_LD"
ifx show --json "$T/prefixed"
check "show names the kind musl-prefix and what fix would choose" \
	sh -c "jq -e '.files[0].interp_kind == \"musl-prefix\" and .files[0].interp_exists == false and .files[0].fix_target == \"$MUSL_LD\"' '$T/out' >/dev/null"
ifx fix "$T/prefixed"
check "musl binary under another prefix is fixed to $MUSL_LD and runs" \
	sh -c "[ $RC = 0 ] && '$T/prefixed' | grep -q 'hello from interpfix'"

# 3. Cross binaries: fixed inside their sysroot, refused without it, and
# never given a loader of another architecture.
# The standard loaders of those architectures (glibc's shlib-versions).
std_of() {
	case "$1" in
	aarch64) echo /lib/ld-linux-aarch64.so.1 ;;
	s390x) echo /lib/ld64.so.1 ;;
	esac
}
for arch in aarch64 s390x; do
	sysroot=/usr/$arch-linux-gnu
	if [ "$arch" = "$HOST_ELF" ]; then
		for i in 1 2 3 4 5; do ok "$arch # SKIP $arch is this host's own machine"; done
		continue
	fi
	if ! have_tool "$arch-linux-gnu-gcc"; then
		for i in 1 2 3 4 5; do ok "$arch # SKIP needs $arch-linux-gnu-gcc"; done
		continue
	fi
	"$arch-linux-gnu-gcc" -o "$T/$arch" "$IFX_SRCDIR/samples/hello.c" \
		-Wl,--dynamic-linker=/home/linuxbrew/.linuxbrew/lib/ld.so
	cp "$T/$arch" "$T/$arch.orig"
	ifx fix "$T/$arch"
	check "$arch: without --root the missing loader is refused (exit 3)" \
		sh -c "[ $RC = 3 ] && grep -q -- '--root' '$T/err'"
	ifx fix --to "$GLIBC_LD" --force "$T/$arch"
	check "$arch: an $HOST_ELF loader is refused even with --force" \
		sh -c "[ $RC = 3 ] && grep -q 'is a loader for $HOST_ELF' '$T/err'"
	check "$arch: refused files are untouched" untouched "$T/$arch.orig" "$T/$arch"
	ifx fix --root "$sysroot" "$T/$arch"
	std=$(std_of "$arch")
	check "$arch: with --root $sysroot it gets $std" \
		sh -c "[ $RC = 0 ] && [ \"\$(readelf -lW '$T/$arch' | sed -n 's/.*interpreter: \\(.*\\)]\$/\\1/p')\" = '$std' ]"
	if have_tool "qemu-$arch"; then
		check "$arch: and runs under qemu-user" \
			sh -c "qemu-$arch -L '$sysroot' '$T/$arch' | grep -q 'hello from interpfix'"
	else
		ok "$arch: and runs under qemu-user # SKIP needs qemu-$arch"
	fi
done

# 4. A NixOS-style stub (a static program) at the standard path is no loader.
mkdir -p "$T/nixroot$(dirname "$GLIBC_LD")"
cp "$(fixture static)" "$T/nixroot$GLIBC_LD"
gcc -o "$T/brew" "$IFX_SRCDIR/samples/hello.c" -Wl,--dynamic-linker=/home/linuxbrew/.linuxbrew/lib/ld.so
cp "$T/brew" "$T/brew.orig"
ifx fix --root "$T/nixroot" "$T/brew"
check "a static stub at the standard path in --root is not accepted" \
	sh -c "[ $RC = 3 ] && cmp -s '$T/brew.orig' '$T/brew'"
ifx fix --root "$T/nixroot" --force --to "$GLIBC_LD" "$T/brew"
check "... not even with --force: it is not a loader" \
	sh -c "[ $RC = 3 ] && grep -q 'static program, not a loader' '$T/err' && cmp -s '$T/brew.orig' '$T/brew'"

# 5. glibc versions: a symbol versioned GLIBC_2.99 that no glibc defines.
mkdir "$T/v"
printf 'int newfunc(void) { return 7; }\n' >"$T/v/new.c"
printf 'GLIBC_2.99 { global: newfunc; local: *; };\n' >"$T/v/v.map"
gcc -shared -fPIC -o "$T/v/libnew.so" "$T/v/new.c" -Wl,--version-script="$T/v/v.map" -Wl,-soname,libm.so.6
printf '#include <stdio.h>\nint newfunc(void);\nint main(void) { printf("%%d\\n", newfunc()); return 0; }\n' >"$T/v/main.c"
gcc -o "$T/v/prog" "$T/v/main.c" -L"$T/v" -lnew -Wl,--dynamic-linker=/home/linuxbrew/.linuxbrew/lib/ld.so
cp "$T/v/prog" "$T/v/prog.orig"
ifx fix "$T/v/prog"
check "a binary needing GLIBC_2.99 is refused (exit 3)" [ "$RC" = 3 ]
check "... naming the symbol, its version and the release needed" \
	sh -c "grep -q 'newfunc@GLIBC_2.99 (libm.so.6)' '$T/err' && grep -q 'glibc 2.99 or newer' '$T/err'"
check "... untouched" untouched "$T/v/prog.orig" "$T/v/prog"
ifx fix --force "$T/v/prog"
check "forced, it is written" [ "$RC:$(interp_of "$T/v/prog")" = "0:$GLIBC_LD" ]
"$T/v/prog" >"$T/run" 2>&1
check "... and the loader itself then says the version is not found" \
	grep -q "version \`GLIBC_2.99' not found" "$T/run"
ifx fix --portable --glibc 2.17 --to "$GLIBC_LD" "$T/brew"
check "--portable --glibc 2.17 refuses a binary needing GLIBC_2.34" \
	sh -c "[ $RC = 3 ] && grep -q '__libc_start_main@GLIBC_2.34' '$T/err'"

# 6. Privileged binaries (setuid, setgid, file capabilities): the kernel's
# whole walk to the loader must be in trusted hands, every directory and
# every symlink on the way, not only the file.
mkdir "$T/suid"
cp "$T/brew.orig" "$T/suid/prog"
chmod 4755 "$T/suid/prog"
cp "$(readlink -f "$GLIBC_LD")" "$S/ld"
chmod 777 "$S"
ifx fix --force --to "$S/ld" "$T/suid/prog"
named=$(sed -n 's/.*capabilities): \(.*\) is writable by group or others.*/\1/p' "$T/err" | head -n 1)
check "setuid binary, loader below world-writable directories: refused even with --force, naming the first one on the walk ($named)" \
	sh -c "[ $RC = 3 ] && [ -n '$named' ] && case '$S/ld' in '$named'*) true ;; *) false ;; esac && cmp -s '$T/brew.orig' '$T/suid/prog'"
chmod 755 "$S"
# The other cases need a root-only tree (/tmp is sticky but world-writable)
# and a second user's symlinks.
if ! is_root; then
	for c in "fixed with a root-owned loader path" "a symlink owned by another user is refused" \
		 "a directory symlink owned by another user is refused" \
		 "a file-capability binary gets the same check"; do
		skip_needs_root "privileged binary: $c"
	done
elif [ "$(stat -c %u:%a /run)" != 0:755 ] || ! R=$(mktemp -d /run/ifx-suid.XXXXXX); then
	for c in 1 2 3 4; do ok "privileged binary case $c # SKIP needs a root-only /run"; done
else
	chmod 755 "$R"
	mkdir "$R/real"
	cp "$(readlink -f "$GLIBC_LD")" "$R/real/ld"
	ifx fix --to "$R/real/ld" "$T/suid/prog"
	check "privileged binary: fixed with a root-owned loader path" \
		[ "$RC:$(interp_of "$T/suid/prog")" = "0:$R/real/ld" ]
	cp "$T/brew.orig" "$T/suid/prog2"
	chmod 4755 "$T/suid/prog2"
	ln -s real/ld "$R/ld-link"
	chown -h nobody "$R/ld-link"
	ifx fix --to "$R/ld-link" "$T/suid/prog2"
	check "privileged binary: a symlink owned by another user is refused (it could be retargeted)" \
		sh -c "[ $RC = 3 ] && grep -q '$R/ld-link (a symlink) is not owned by root' '$T/err' && cmp -s '$T/brew.orig' '$T/suid/prog2'"
	ln -s real "$R/dir-link"
	chown -h nobody "$R/dir-link"
	ifx fix --to "$R/dir-link/ld" "$T/suid/prog2"
	check "privileged binary: a directory symlink owned by another user is refused" \
		sh -c "[ $RC = 3 ] && grep -q '$R/dir-link (a symlink) is not owned by root' '$T/err'"
	if have_tool setcap; then
		cp "$T/brew.orig" "$T/caps"
		setcap cap_net_raw+ep "$T/caps"
		mkdir -m 777 "$R/open"
		cp "$(readlink -f "$GLIBC_LD")" "$R/open/ld"
		ifx fix --force --to "$R/open/ld" "$T/caps"
		check "privileged binary: a file-capability binary gets the same check (loader in a 0777 directory refused)" \
			sh -c "[ $RC = 3 ] && grep -q '$R/open is writable by group or others' '$T/err' && cmp -s '$T/brew.orig' '$T/caps'"
	else
		ok "privileged binary: a file-capability binary gets the same check # SKIP needs setcap"
	fi
	rm -rf "$R"
fi

# 7. Target path sanity and missing loaders.
ifx fix --to lib/ld.so "$T/brew"
check "a relative target is a usage error (exit 2)" sh -c "[ $RC = 2 ] && grep -q 'not absolute' '$T/err'"
ifx fix --to "" "$T/brew"
check "an empty target is a usage error (exit 2)" \
	sh -c "[ $RC = 2 ] && [ ! -s '$T/out' ] && grep -q '^interpfix: fix: .*empty' '$T/err'"
ifx fix --to /nonexistent/ld.so "$T/brew"
check "a missing loader is refused (exit 3) with --portable advised" \
	sh -c "[ $RC = 3 ] && grep -q -- '--portable' '$T/err'"
check "every refusal left the file untouched" untouched "$T/brew.orig" "$T/brew"

# 8. --portable writes the standard path the host lacks (pre-upload case):
# a foreign binary from 3., whose standard loader is not on this host.
portable=""
for arch in aarch64 s390x; do
	[ -f "$T/$arch.orig" ] && [ ! -e "$(std_of "$arch")" ] && { portable=$arch; break; }
done
if [ -n "$portable" ]; then
	cp "$T/$portable.orig" "$T/portable"
	ifx fix --portable "$T/portable"
	check "--portable writes the standard path even where it is missing ($portable: $(std_of "$portable"))" \
		[ "$RC:$(interp_of "$T/portable")" = "0:$(std_of "$portable")" ]
else
	ok "--portable writes the standard path even where it is missing # SKIP no foreign binary from 3. whose loader this host lacks"
fi

done_testing
