#!/bin/sh
# explain says, without running the file, why executing it would fail and
# what to do; the interpfix fix it advises really makes the binary run.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures brew go-cgo-musl gcc-pie aarch64
require_tools gcc readelf
interp_of() { readelf -lW "$1" | sed -n 's/.*interpreter: \(.*\)]$/\1/p'; }
# The host's musl loader (what the musl Go fixture names) and the host's
# machine as interpfix names ELF machines (uname -m, but i386).
MUSL_LD=$(interp_of "$(fixture go-cgo-musl)")
case $HOST_MACHINE in i?86) HOST_ELF=i386 ;; *) HOST_ELF=$HOST_MACHINE ;; esac
plan 23

# The Linuxbrew case: the advised command repairs it.
cp "$(fixture brew)" "$T/tool"
ifx explain "$T/tool"
check "brew binary: exit 1, the missing interpreter named" \
	sh -c "[ $RC = 1 ] && grep -q 'would fail: its program interpreter /home/linuxbrew/.linuxbrew/lib/ld.so does not exist here' '$T/out'"
check "... says who produced it (Linuxbrew)" grep -q "Homebrew's (Linuxbrew) loader" "$T/out"
cmd=$(sed -n 's/.*repair it: \(interpfix fix [^ ]*\) .*/\1/p' "$T/out")
check "... advises an exact interpfix fix command" [ "$cmd" = "interpfix fix $T/tool" ]
$INTERPFIX ${cmd#interpfix } >/dev/null 2>&1
check "... which, when run, makes the binary run" sh -c "'$T/tool' | grep -q 'hello from interpfix'"
ifx explain "$T/tool"
check "after the fix: would run, exit 0" sh -c "[ $RC = 0 ] && grep -q 'would run' '$T/out'"

# The Alpine Go case (musl missing here is simulated by a musl binary whose
# loader path does not exist: a musl Go binary from another prefix).
cp "$(fixture go-cgo-musl)" "$T/alpine"
"$INTERPFIX" fix --portable --force --to "/opt/alpine-root$MUSL_LD" "$T/alpine" >/dev/null 2>&1
ifx explain "$T/alpine"
check "Go musl binary with a missing loader: exit 1, the loader named" \
	sh -c "[ '$(interp_of "$T/alpine")' = '/opt/alpine-root$MUSL_LD' ] && [ $RC = 1 ] &&
	       grep -q 'interpreter /opt/alpine-root$MUSL_LD does not exist' '$T/out'"
check "... names the Go version and CGO_ENABLED=1 from the build info" \
	grep -q "built by Go go1\.[0-9.]* with CGO_ENABLED=1" "$T/out"
check "... says it links musl" grep -q "linked against musl" "$T/out"
check "... advises CGO_ENABLED=0 first, then installing musl" \
	sh -c "grep -n 'CGO_ENABLED=0' '$T/out' | grep -q '^[0-9]*:  1\\.' && grep -q 'apt install musl' '$T/out'"

# Another architecture.
ifx explain "$(fixture aarch64)"
if [ "$HOST_ELF" = aarch64 ]; then
	ok "aarch64 on this machine # SKIP this host is aarch64"
	ok "aarch64 advice # SKIP this host is aarch64"
elif [ -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
	ok "aarch64 on this machine # SKIP binfmt_misc runs aarch64 here"
	ok "aarch64 advice # SKIP binfmt_misc runs aarch64 here"
else
	check "an aarch64 binary: Exec format error explained, exit 1" \
		sh -c "[ $RC = 1 ] && grep -q 'built for aarch64; this machine is $HOST_MACHINE' '$T/out' && grep -q 'Exec format error' '$T/out'"
	check "... with qemu-user advised" grep -q "qemu-aarch64" "$T/out"
fi

# A NEEDED library that cannot be found, with the paths considered.
printf 'int f(void) { return 0; }\n' >"$T/f.c"
mkdir "$T/build" "$T/app"
gcc -shared -fPIC -o "$T/build/libgone.so" "$T/f.c"
printf 'int f(void);\nint main(void) { return f(); }\n' >"$T/m.c"
gcc -o "$T/app/needs" "$T/m.c" -L"$T/build" -lgone -Wl,-rpath,'$ORIGIN/../lib'
ifx explain "$T/app/needs"
check "missing NEEDED: exit 1, the library named" \
	sh -c "[ $RC = 1 ] && grep -q 'the library libgone.so cannot be found' '$T/out'"
check "... the paths considered in order, \$ORIGIN expanded, with why each failed" \
	sh -c "grep -q '$T/app/../lib/libgone.so \\[DT_RUNPATH\\]: does not exist' '$T/out' && grep -q 'libgone.so \\[ld.so.cache\\]: no entry' '$T/out'"

# glibc versions this host lacks.
mkdir "$T/v"
printf 'int newfunc(void) { return 0; }\n' >"$T/v/new.c"
printf 'GLIBC_2.99 { global: newfunc; local: *; };\n' >"$T/v/v.map"
gcc -shared -fPIC -o "$T/v/libnew.so" "$T/v/new.c" -Wl,--version-script="$T/v/v.map" -Wl,-soname,libm.so.6
printf 'int newfunc(void);\nint main(void) { return newfunc(); }\n' >"$T/v/main.c"
gcc -o "$T/v/prog" "$T/v/main.c" -L"$T/v" -lnew
ifx explain "$T/v/prog"
check "too-new glibc: exit 1, the symbol and release named" \
	sh -c "[ $RC = 1 ] && grep -q 'needs glibc 2.99 or newer' '$T/out' && grep -q 'newfunc@GLIBC_2.99 (libm.so.6)' '$T/out'"

# Scripts: CRLF, a missing interpreter, a missing env target.
printf '#!/bin/sh\r\necho hi\r\n' >"$T/crlf.sh"
chmod +x "$T/crlf.sh"
ifx explain "$T/crlf.sh"
check "CRLF #! line: exit 1, carriage return explained, sed advised" \
	sh -c "[ $RC = 1 ] && grep -q 'carriage return' '$T/out' && grep -q \"sed -i 's/\\\\\\\\r\\\$//'\" '$T/out'"
printf '#!/opt/nowhere/bash\necho hi\n' >"$T/nobash"
chmod +x "$T/nobash"
ifx explain "$T/nobash"
check "a missing #! interpreter: exit 1, named" \
	sh -c "[ $RC = 1 ] && grep -q 'script interpreter /opt/nowhere/bash does not exist' '$T/out'"
printf '#!/usr/bin/env no-such-tool-xyz\n' >"$T/envx"
chmod +x "$T/envx"
ifx explain "$T/envx"
check "a missing env target: exit 1, named" \
	sh -c "[ $RC = 1 ] && grep -q 'env cannot find no-such-tool-xyz in PATH' '$T/out'"

# An interpreter that exists but is another libc's, or another machine's.
if [ -e "$MUSL_LD" ]; then
	gcc -o "$T/liar" "$IFX_SRCDIR/samples/hello.c" -Wl,--dynamic-linker="$MUSL_LD"
	ifx explain "$T/liar"
	check "glibc binary naming musl's (existing) loader: exit 1, explained, fix advised" \
		sh -c "[ $RC = 1 ] && grep -q \"its interpreter is musl's loader, but it links glibc\" '$T/out' && grep -q 'interpfix fix $T/liar' '$T/out'"
else
	ok "glibc binary naming musl's (existing) loader # SKIP musl's loader $MUSL_LD is not installed"
fi
if [ "$HOST_ELF" = aarch64 ]; then
	ok "foreign loader # SKIP this host is aarch64"
elif [ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ]; then
	gcc -o "$T/xa" "$IFX_SRCDIR/samples/hello.c" \
		-Wl,--dynamic-linker=/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1
	ifx explain "$T/xa"
	check "an $HOST_ELF binary naming an aarch64 loader: exit 1, explained" \
		sh -c "[ $RC = 1 ] && grep -q 'is a loader for aarch64 (ELF64 LSB), the binary is $HOST_ELF' '$T/out'"
else
	ok "foreign loader # SKIP no aarch64 sysroot"
fi
mkdir "$T/mnt"
if ! is_root; then
	skip_needs_root "noexec mount"
elif ! have_tool mount || ! have_tool umount; then
	ok "noexec mount # SKIP needs mount and umount"
elif ! mount -t tmpfs -o noexec tmpfs "$T/mnt" 2>"$T/mount.err"; then
	ok "noexec mount # SKIP cannot mount tmpfs here: $(head -n 1 "$T/mount.err")"
else
	cp "$(fixture gcc-pie)" "$T/mnt/prog"
	ifx explain "$T/mnt/prog"
	umount "$T/mnt"
	check "on a noexec mount: exit 1, the mount named as the cause" \
		sh -c "[ $RC = 1 ] && grep -q 'mounted noexec' '$T/out'"
fi

# Mode and dangling links; an unreadable path.
cp "$(fixture gcc-pie)" "$T/noexec"
chmod 644 "$T/noexec"
ifx explain "$T/noexec"
check "not executable: exit 1, chmod +x advised" \
	sh -c "[ $RC = 1 ] && grep -q 'not executable (mode 0644)' '$T/out' && grep -q 'chmod +x' '$T/out'"
ln -s "$T/gone" "$T/dangling"
ifx explain "$T/dangling"
check "a dangling symlink: exit 1, target named" \
	sh -c "[ $RC = 1 ] && grep -q 'dangling symbolic link' '$T/out' && grep -q '$T/gone' '$T/out'"
ifx explain "$T"
check "a directory cannot be explained: exit 2, one error line" \
	sh -c "[ $RC = 2 ] && [ \$(wc -l <'$T/err') = 1 ]"

done_testing
