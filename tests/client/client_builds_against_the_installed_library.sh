#!/bin/sh
# A third-party program (tests/client/client.c, which includes only
# <interpfix.h>) builds against the installed library through pkg-config,
# shared and static, inspects a buffer, plans and applies a fix fd to fd
# and into a buffer, gets a musl->glibc-style refusal without asking for
# safety, and the binary it repaired runs.
. "$IFX_SRCDIR/tests/cli/lib.sh"
require_fixtures brew musl
require_tools pkg-config cc readelf
: "${IFX_BUILDDIR:?run through make check}"
plan 9

dest=$T/dest
make -s -C "$IFX_BUILDDIR" install DESTDIR="$dest" >"$T/install.log" 2>&1
check "make install DESTDIR= puts the library, header and .pc in place" \
	sh -c "[ -f \"\$(find '$dest' -name interpfix.h | head -n 1)\" ] && [ -n \"\$(find '$dest' -name interpfix.pc)\" ]"
pcdir=$(dirname "$(find "$dest" -name interpfix.pc | head -n 1)")
prefix=$(sed -n 's/^prefix=//p' "$pcdir/interpfix.pc")
pc() { PKG_CONFIG_PATH=$pcdir pkg-config --define-variable=prefix="$dest$prefix" "$@" interpfix; }
libdir=$(pc --variable=libdir)
musl_ld=$(readelf -lW "$(fixture musl)" | sed -n 's/.*interpreter: \(.*\)]$/\1/p')

# shared
# a sanitizer build of the library needs its runtime in the client too
san=${IFX_SAN_FLAGS:-}
cc -Wall -Wextra -Werror $san $(pc --cflags) -o "$T/client-shared" \
	"$IFX_SRCDIR/tests/client/client.c" $(pc --libs) 2>"$T/cc.err"
check "the client builds against the installed shared library" [ -x "$T/client-shared" ]
check "... and links libinterpfix.so dynamically" \
	sh -c "readelf -dW '$T/client-shared' | grep -q 'NEEDED.*libinterpfix.so'"
cp "$(fixture brew)" "$T/brew"
LD_LIBRARY_PATH=$libdir "$T/client-shared" "$T/brew" "$musl_ld" "$T/fixed-shared" >"$T/out" 2>&1
RC=$?
check "the shared client: every step as expected (exit 0)" sh -c "[ $RC = 0 ] || { cat '$T/out' >&2; false; }"
check "... the fd plan chose this host's loader and the buffer result is the same bytes" \
	sh -c "grep -q 'plan fd: /home/linuxbrew/.linuxbrew/lib/ld.so -> $HOST_LD' '$T/out' && grep -q 'same bytes as' '$T/out'"
check "... the libc swap was refused without asking for safety" grep -q "libc swap: refused: glibc binary to a musl loader" "$T/out"
check "the binary it repaired runs" sh -c "'$T/fixed-shared' | grep -q 'hello from interpfix'"

# static: the archive, and the libraries its .pc requires (shared: a static
# link of all of libarchive's own dependencies needs every one's -dev package)
deps=$(pkg-config --libs $(sed -n 's/^Requires.private://p' "$pcdir/interpfix.pc"))
cc -Wall -Wextra -Werror $san $(pc --cflags) -o "$T/client-static" "$IFX_SRCDIR/tests/client/client.c" \
	$(pc --libs-only-L) -Wl,-Bstatic -linterpfix -Wl,-Bdynamic $deps 2>"$T/cc-static.err"
check "the client builds against the installed static library (pkg-config --static)" \
	sh -c "[ -x '$T/client-static' ] && ! readelf -dW '$T/client-static' | grep -q 'NEEDED.*libinterpfix' || { cat '$T/cc-static.err' >&2; false; }"
"$T/client-static" "$T/brew" "$musl_ld" "$T/fixed-static" >"$T/out-static" 2>&1
RC=$?
check "the static client does the same, and its result is the shared one's" \
	sh -c "[ $RC = 0 ] && cmp -s '$T/fixed-shared' '$T/fixed-static'"
done_testing
