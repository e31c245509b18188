#!/bin/sh
# A fixed zip member is not recompressed whole: when the interpreter is not
# longer, the original deflate stream is reused after the change (a block
# boundary 32 KiB past it) behind a re-deflated prefix. Checked on a 6 MiB
# binary made by gcc: the member's compressed tail is the original's byte
# for byte, it inflates to exactly what fixing the file gives, and it runs.
# A longer interpreter (the file grows) is deflated whole and still right.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_tools gcc zip unzip python3 readelf
plan 7
STD=$HOST_LD
BREW=/home/linuxbrew/.linuxbrew/lib/ld.so

# 6 MiB of this host's own machine code, so it compresses like a program
find /usr/bin -type f -size +100k 2>/dev/null | sort | head -n 40 | xargs cat 2>/dev/null | head -c 6291456 >"$T/blob"
printf '.section .rodata\n.globl blob\nblob:\n.incbin "%s"\n.section .note.GNU-stack,"",@progbits\n' "$T/blob" >"$T/blob.S"
printf '#include <stdio.h>\nextern const char blob[];\nint main(void) { puts(blob[0] == 1 ? "one" : "hello from a big one"); return 0; }\n' >"$T/main.c"
mkdir -p "$T/pkg/bin"
gcc -o "$T/pkg/bin/big" "$T/main.c" "$T/blob.S" -Wl,--dynamic-linker=$BREW
echo notes >"$T/pkg/README"
(cd "$T/pkg" && zip -q -r -X "$T/a.zip" .)
cp "$T/a.zip" "$T/orig.zip"

# raw ZIP MEMBER: the member's compressed bytes, through its local header
cat >"$T/raw.py" <<'PY'
import struct, sys, zipfile
z = zipfile.ZipFile(sys.argv[1]); i = z.getinfo(sys.argv[2])
f = open(sys.argv[1], 'rb'); f.seek(i.header_offset); h = f.read(30)
n, m = struct.unpack('<HH', h[26:30]); f.seek(i.header_offset + 30 + n + m)
sys.stdout.buffer.write(f.read(i.compress_size))
PY

ifx fix --to "$STD" "$T/a.zip"
check "fix exits 0 and names the member" sh -c "[ $RC = 0 ] && grep -q 'a.zip!bin/big' '$T/out'"
python3 "$T/raw.py" "$T/orig.zip" bin/big >"$T/old.raw"
python3 "$T/raw.py" "$T/a.zip" bin/big >"$T/new.raw"
check "the member's compressed tail (the last MiB) is the original's byte for byte" \
	sh -c "[ \$(stat -c %s '$T/new.raw') -gt 1572864 ] &&
	       [ \"\$(tail -c 1048576 '$T/old.raw' | md5sum)\" = \"\$(tail -c 1048576 '$T/new.raw' | md5sum)\" ]"
check "... and the new stream is not the old one (the prefix is new)" sh -c "! cmp -s '$T/old.raw' '$T/new.raw'"
mkdir "$T/x" "$T/y"
(cd "$T/x" && unzip -q "$T/a.zip")
cp "$T/pkg/bin/big" "$T/y/big"
ifx fix --to "$STD" "$T/y/big"
check "unzip -t passes and the member is exactly the fixed file" \
	sh -c "unzip -tq '$T/a.zip' >/dev/null && cmp '$T/x/bin/big' '$T/y/big'"
check "... and it runs" sh -c "'$T/x/bin/big' | grep -q 'hello from a big one'"

# a longer interpreter: the file grows, nothing can be reused
LONG=$T/a/much/longer/path/to/the/loader/than/linuxbrew/has/ld-linux.so.2
mkdir -p "$(dirname "$LONG")"
ln -s "$STD" "$LONG"
cp "$T/orig.zip" "$T/b.zip"
ifx fix --to "$LONG" "$T/b.zip"
rm -rf "$T/x" && mkdir "$T/x" && (cd "$T/x" && unzip -q "$T/b.zip")
cp "$T/pkg/bin/big" "$T/y/big2"
ifx fix --to "$LONG" "$T/y/big2"
check "a longer path: deflated whole, exactly the fixed file" \
	sh -c "unzip -tq '$T/b.zip' >/dev/null && cmp '$T/x/bin/big' '$T/y/big2'"
check "... and it runs" sh -c "'$T/x/bin/big' | grep -q 'hello from a big one'"
done_testing
