#!/bin/sh
# A fixed tar is not recompressed when the members keep their sizes: a bare
# tar is the old one with the members' changed bytes written over, and a
# tar.gz keeps the original deflate stream except for the stretches around
# each change. Checked on real GNU tar archives of a 6 MiB gcc binary and
# two small ones side by side: the gzip header and the compressed tail are
# the original's, the members are exactly what fixing the files gives and
# run, the listing is the same. A longer interpreter is rewritten instead.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures brew
require_tools gcc tar gzip cmp readelf
tar --version 2>/dev/null | grep -q 'GNU tar' || skip_all "needs GNU tar as tar"
plan 12
STD=$HOST_LD
BREW=/home/linuxbrew/.linuxbrew/lib/ld.so
export TZ=UTC

find /usr/bin -type f -size +100k 2>/dev/null | sort | head -n 40 | xargs cat 2>/dev/null | head -c 6291456 >"$T/blob"
printf '.section .rodata\n.globl blob\nblob:\n.incbin "%s"\n.section .note.GNU-stack,"",@progbits\n' "$T/blob" >"$T/blob.S"
printf '#include <stdio.h>\nextern const char blob[];\nint main(void) { puts(blob[0] == 1 ? "one" : "hello from a big one"); return 0; }\n' >"$T/main.c"
mkdir -p "$T/pkg/bin" "$T/pkg/share"
gcc -o "$T/pkg/bin/big" "$T/main.c" "$T/blob.S" -Wl,--dynamic-linker=$BREW
cp "$(fixture brew)" "$T/pkg/bin/small1"
cp "$(fixture brew)" "$T/pkg/bin/small2"
seq 1 20000 >"$T/pkg/share/numbers"
touch -d '2024-05-06 07:08:09' "$T/pkg" "$T/pkg/bin" "$T/pkg/share" "$T/pkg/bin/"* "$T/pkg/share/"*
# the small ones next to each other, before the big one
tar -C "$T/pkg" --owner=0 --group=0 -cf "$T/a.tar" ./bin/small1 ./bin/small2 ./share ./bin/big
gzip -6 -n -c "$T/a.tar" >"$T/a.tar.gz"
cp "$T/a.tar" "$T/orig.tar"
cp "$T/a.tar.gz" "$T/orig.tar.gz"

# the files fixed one by one: what every member must become
mkdir "$T/want"
for f in big small1 small2; do
	cp "$T/pkg/bin/$f" "$T/want/$f"
	"$INTERPFIX" fix --to "$STD" "$T/want/$f" >/dev/null
done
same_members() { # ARCHIVE: each fixed member is the file fixed on its own, and runs
	rm -rf "$T/x" && mkdir "$T/x" && tar -C "$T/x" -xf "$1" &&
		cmp -s "$T/x/bin/big" "$T/want/big" && cmp -s "$T/x/bin/small1" "$T/want/small1" &&
		cmp -s "$T/x/bin/small2" "$T/want/small2" && cmp -s "$T/x/share/numbers" "$T/pkg/share/numbers" &&
		"$T/x/bin/big" | grep -q 'hello from a big one' && "$T/x/bin/small1" | grep -q 'hello from interpfix'
}

ifx fix --to "$STD" "$T/a.tar.gz"
check "tar.gz: fix exits 0 and names all three members" \
	sh -c "[ $RC = 0 ] && [ \$(grep -c 'a.tar.gz!./bin/' '$T/out') = 3 ]"
check "tar.gz: gzip -t passes and the gzip header is the original's (no new timestamp)" \
	sh -c "gzip -t '$T/a.tar.gz' && cmp -s -n 10 '$T/a.tar.gz' '$T/orig.tar.gz'"
check "tar.gz: the compressed tail (the last MiB before the trailer) is the original's" \
	sh -c "[ \"\$(head -c -8 '$T/orig.tar.gz' | tail -c 1048576 | md5sum)\" = \"\$(head -c -8 '$T/a.tar.gz' | tail -c 1048576 | md5sum)\" ]"
check "tar.gz: every member is exactly the file fixed on its own, and runs" same_members "$T/a.tar.gz"
check "tar.gz: the listing (names, modes, owners, times, sizes, order) is the same" \
	sh -c "tar -tvf '$T/orig.tar.gz' --full-time --numeric-owner >'$T/l0' && tar -tvf '$T/a.tar.gz' --full-time --numeric-owner >'$T/l1' && cmp -s '$T/l0' '$T/l1'"

# zeros after the gzip trailer up to a 10240-byte block, as libarchive writes
# large archives: still spliced, the padding kept
cp "$T/orig.tar.gz" "$T/p.tar.gz"
pad=$((10240 - $(stat -c %s "$T/p.tar.gz") % 10240))
head -c "$pad" /dev/zero >>"$T/p.tar.gz"
cp "$T/p.tar.gz" "$T/p.orig"
ifx fix --to "$STD" "$T/p.tar.gz"
check "padded tar.gz: spliced (compressed tail the original's), padding kept, members right" \
	sh -c "[ $RC = 0 ] && [ \$(stat -c %s '$T/p.tar.gz') -ge \$(stat -c %s '$T/p.orig') ] &&
	       [ \"\$(head -c -$((pad + 8)) '$T/p.orig' | tail -c 1048576 | md5sum)\" = \"\$(head -c -$((pad + 8)) '$T/p.tar.gz' | tail -c 1048576 | md5sum)\" ] &&
	       [ \"\$(tail -c $pad '$T/p.tar.gz' | tr -d '\\000' | wc -c)\" = 0 ]" &&
	same_members "$T/p.tar.gz"

ifx fix --to "$STD" "$T/a.tar"
check "bare tar: fix exits 0" [ "$RC" = 0 ]
# only the interpreter strings differ: a few dozen bytes per member
check "bare tar: the same size, fewer than 200 bytes differ" \
	sh -c "[ \$(stat -c %s '$T/a.tar') = \$(stat -c %s '$T/orig.tar') ] && [ \$(cmp -l '$T/a.tar' '$T/orig.tar' | wc -l) -lt 200 ] && [ \$(cmp -l '$T/a.tar' '$T/orig.tar' | wc -l) -gt 0 ]"
check "bare tar: every member is exactly the file fixed on its own, and runs" same_members "$T/a.tar"

# a longer interpreter: sizes change, the archive is rewritten
LONG=$T/a/much/longer/path/to/the/loader/than/linuxbrew/has/ld-linux.so.2
mkdir -p "$(dirname "$LONG")"
ln -s "$STD" "$LONG"
for f in big small1 small2; do
	cp "$T/pkg/bin/$f" "$T/want/$f"
	"$INTERPFIX" fix --to "$LONG" "$T/want/$f" >/dev/null
done
cp "$T/orig.tar.gz" "$T/b.tar.gz"
ifx fix --to "$LONG" "$T/b.tar.gz"
check "longer path: fix exits 0 and the archive is still gzip" sh -c "[ $RC = 0 ] && gzip -t '$T/b.tar.gz'"
check "longer path: every member is exactly the file fixed on its own, and runs" same_members "$T/b.tar.gz"
check "nothing left beside the archives" sh -c "[ \$(ls -A '$T' | grep -c interpfix) = 0 ]"
done_testing
