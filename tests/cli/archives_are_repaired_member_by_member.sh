#!/bin/bash
# shellcheck disable=SC2012,SC2016
# show, check and fix read zip and tar archives (bare or gzip, xz, zstd,
# bzip2; known by content, not name), naming members ARCHIVE!MEMBER; fix
# rewrites each ELF member that needs it and keeps every other byte, name,
# order, mode, mtime, link, directory, zip extra field and comment, copying
# unchanged zip members in compressed form, crash-safely or to -o OUT.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
# shellcheck source=tests/cli/lib.sh
. "${IFX_SRCDIR:-$(dirname "$0")/../..}/tests/cli/lib.sh"

require_fixtures brew gcc-pie musl
require_tools readelf jq tar
tar --version 2>/dev/null | grep -q 'GNU tar' || skip_all "needs GNU tar as tar"
BREW=$(fixture brew)
BREW_LD=/home/linuxbrew/.linuxbrew/lib/ld.so
PYTHON=""
command -v python3 >/dev/null 2>&1 && PYTHON=python3
export TZ=UTC
plan 136

PY=$T/ifx.py
cat >"$PY" <<'PYTHON'
import os, struct, sys, zipfile
cmd, a = sys.argv[1], sys.argv[2:]
def fail(*m): print(*m, file=sys.stderr); sys.exit(1)
def raw(path, i):  # the compressed bytes, found through the local header
    with open(path, 'rb') as f:
        f.seek(i.header_offset); h = f.read(30)
        if h[:4] != b'PK\3\4': fail(path, i.filename, 'no local header at', i.header_offset)
        n, e = struct.unpack('<HH', h[26:30])
        f.seek(i.header_offset + 30 + n + e); return f.read(i.compress_size)
if cmd == 'mk':  # OUT < lines METHOD<TAB>NAME<TAB>SOURCE[<TAB>COMMENT[<TAB>EXTRA-HEX]]
    with zipfile.ZipFile(a[0], 'w') as z:
        for line in sys.stdin.read().splitlines():
            m, name, src, com, ext = (line.split('\t') + [''] * 4)[:5]
            i = zipfile.ZipInfo(name, (2001, 2, 3, 4, 5, 6))
            i.comment, i.extra = com.encode(), bytes.fromhex(ext)
            i.compress_type = zipfile.ZIP_DEFLATED if m == 'deflated' else zipfile.ZIP_STORED
            if m == 'dir': i.external_attr, data = 0o40755 << 16 | 0x10, b''
            elif m == 'link': i.external_attr, data = 0o120777 << 16, src.encode()
            else: i.external_attr, data = (os.stat(src).st_mode & 0o177777) << 16, open(src, 'rb').read()
            z.writestr(i, data)
        z.comment = os.environ.get('ZIPCOMMENT', '').encode()
elif cmd == 'x':  # ARCHIVE MEMBER OUT
    with zipfile.ZipFile(a[0]) as z, open(a[2], 'wb') as o: o.write(z.read(a[1]))
elif cmd == 'sig':  # a tar on stdin: each header's typeflag and magic (posix, gnu, v7)
    t, off = sys.stdin.buffer.read(), 0
    while off + 512 <= len(t) and t[off:off + 512] != bytes(512):
        h = t[off:off + 512]; print(chr(h[156] or 48), {b'ustar\x0000': 'posix', b'ustar  \0': 'gnu'}.get(h[257:265], 'v7'))
        off += 512 + (int(h[124:136].strip(b'\0 ') or b'0', 8) + 511) // 512 * 512
else:  # meta|raw|kept|comment BEFORE AFTER [CHANGED]
    b, c, ch = zipfile.ZipFile(a[0]), zipfile.ZipFile(a[1]), a[2] if len(a) > 2 else None
    if b.namelist() != c.namelist(): fail('names or order differ:', b.namelist(), c.namelist())
    if cmd == 'comment' and b.comment != c.comment: fail('archive comment:', b.comment, c.comment)
    for x, y in zip(b.infolist(), c.infolist()):
        fields = {'meta': ('compress_type', 'CRC', 'compress_size', 'file_size', 'date_time',
                           'external_attr', 'extra', 'comment', 'create_system'),
                  'kept': ('compress_type', 'external_attr')}.get(cmd, ()) if (x.filename == ch) == (cmd == 'kept') else ()
        for f in fields:
            if getattr(x, f) != getattr(y, f): fail(x.filename, f, getattr(x, f), getattr(y, f))
        if cmd == 'raw' and x.filename != ch and raw(a[0], x) != raw(a[1], y): fail(x.filename, 'compressed bytes differ')
PYTHON

interp_of() { readelf -lW "$1" 2>/dev/null | sed -n 's/.*interpreter: \(.*\)]$/\1/p'; }
skip_n() { local i; for ((i = 0; i < $1; i++)); do ok "$2 # SKIP $3"; done; }
# only DIR NAME...: DIR holds exactly these names (no temporary file left).
only() { local d=$1; shift; [ "$(ls -A "$d" | sort)" = "$(printf '%s\n' "$@" | sort)" ]; }
# same_alone ORIG FILE: FILE is byte-for-byte ORIG and alone in its directory.
same_alone() { cmp -s "$1" "$2" && only "$(dirname "$2")" "$(basename "$2")"; }
# rc N COMMAND...: the last ifx exited N and COMMAND succeeds.
rc() { [ "$RC" = "$1" ] && shift && "$@"; }
# one_error PATH: exit 2 and exactly one line on stderr, naming PATH.
one_error() { [ "$RC" = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && grep -qF -- "$1" "$T/err"; }
# says A [B]: stdout names A (and B).
says() { grep -qF -- "$1" "$T/out" && grep -qF -- "${2:-$1}" "$T/out"; }
both() { cat "$T/out" "$T/err"; }
jqt() { jq -e "$@" >/dev/null; }
runs() { chmod 755 "$1" && run_fixture gcc-pie "$1" && grep -qx 'hello from interpfix' "$T/run"; }
magic_of() {
	case $(od -An -tx1 -N6 "$1" 2>/dev/null | tr -d ' \n') in
	1f8b*) echo gzip ;; fd377a585a00) echo xz ;; 28b52ffd*) echo zstd ;; 425a68*) echo bzip2 ;; 504b0304*) echo zip ;;
	*) if [ "$(od -An -c -j257 -N5 "$1" 2>/dev/null | tr -d ' \n')" = ustar ]; then echo tar; else echo unknown; fi ;;
	esac
}
decomp() { case $(magic_of "$1") in gzip | xz | bzip2) "$(magic_of "$1")" -dc "$1" ;; zstd) zstd -qdc "$1" ;; *) cat "$1" ;; esac; }
# member KIND ARCHIVE NAME OUT: extract one member's bytes.
member() {
	rm -f "$4"
	if [ "$1" = zip ]; then python3 "$PY" x "$2" "$3" "$4"; else decomp "$2" | tar -xOf - "$3" >"$4"; fi 2>/dev/null
}
# members ARCHIVE NAME...: extract tar members NAME to $T/got/NAME.
members() { local a=$1 n; shift; rm -rf "$T/got"; for n; do mkdir -p "$T/got/$(dirname "$n")"; member tar "$a" "$n" "$T/got/$n"; done; }
pycheck() {
	local desc=$1; shift
	if python3 "$PY" "$@" 2>"$T/py.err"; then ok "$desc"; else not_ok "$desc"; diag "$(head -c 600 "$T/py.err")"; fi
}
# tar_meta ARCHIVE: tar -tv --full-time, names and numeric ids, in order;
# bin/hello (it changes) as "C position mode owner", the others as "O line".
tar_meta() {
	{ decomp "$1" | tar -tvf - --full-time; decomp "$1" | tar -tvf - --full-time --numeric-owner; } |
		awk '$6 == "bin/hello" { print "C", NR, $1, $2; next } { print "O", $0 }'
}
# same_others BEFORE AFTER DIR: every member but bin/hello extracts the same.
same_others() {
	rm -rf "$3/a" "$3/b"; mkdir -p "$3/a" "$3/b"
	decomp "$1" | tar -xf - -C "$3/a" && decomp "$2" | tar -xf - -C "$3/b" &&
		rm -f "$3/a/bin/hello" "$3/b/bin/hello" && diff -r --no-dereference "$3/a" "$3/b" >&2
}
# format_kept FORMAT BEFORE AFTER: the same header types and magic in order,
# with the format's own marks: pax extended headers, GNU's ././@LongLink.
format_kept() {
	cmp -s "$2" "$3" || return 1
	case $1 in pax) grep -q '^x posix$' "$2" ;; gnu) grep -q '^L gnu$' "$2" ;; *) ! grep -qv '^[025] posix$' "$2" ;; esac
}

# round NAME KIND FORMAT ARCHIVE: fix --portable a copy of ARCHIVE alone in
# its directory; 9 checks. KIND zip or tar; FORMAT ustar, pax, gnu or zip.
round() {
	local name=$1 kind=$2 fmt=$3 d=$T/r/$1 x=$T/x/$1 a
	mkdir -p "$d" "$x"
	a=$d/$(basename "$4")
	cp "$4" "$a" && cp "$4" "$x/orig"
	[ "$kind" = tar ] && tar_meta "$a" >"$x/meta.before"
	ifx fix --portable "$a"
	check "$name: fix exits 0 and says $a!bin/hello -> $HOST_LD" \
		eval '[ "$RC" = 0 ] && grep -F -- "$a!bin/hello" "$T/out" | grep -qF -- "$HOST_LD"'
	[ "$RC" = 0 ] || diag "exit $RC; stdout:" "$(head -c 400 "$T/out")" "stderr:" "$(head -c 400 "$T/err")"
	check "$name: nothing but the archive is left in its directory" only "$d" "$(basename "$a")"
	member "$kind" "$a" bin/hello "$x/hello"
	check "$name: the extracted bin/hello names $HOST_LD" [ "$(interp_of "$x/hello")" = "$HOST_LD" ]
	check "$name: ... and runs" runs "$x/hello"
	if [ "$kind" = zip ]; then
		pycheck "$name: other members keep name, order, method, CRC, sizes, date, attributes, extra, comment" \
			meta "$x/orig" "$a" bin/hello
		pycheck "$name: ... and their compressed bytes, unchanged" raw "$x/orig" "$a" bin/hello
		pycheck "$name: the fixed member keeps its place, compression method and external attributes" \
			kept "$x/orig" "$a" bin/hello
		pycheck "$name: the archive comment stays" comment "$x/orig" "$a"
		if have_tool unzip; then check "$name: unzip -t accepts the result" unzip -tqq "$a"
		else ok "$name: unzip -t accepts the result # SKIP needs unzip"; fi
		return
	fi
	tar_meta "$a" >"$x/meta.after"
	check "$name: other members keep name, order, mode, ids, owner names, mtime, type, link, size" \
		cmp -s <(grep '^O' "$x/meta.before") <(grep '^O' "$x/meta.after")
	check "$name: ... and their bytes" same_others "$x/orig" "$a" "$x"
	check "$name: the fixed member keeps its place, mode and owner" \
		cmp -s <(grep '^C' "$x/meta.before") <(grep '^C' "$x/meta.after")
	check "$name: the compression stays $(magic_of "$x/orig")" [ "$(magic_of "$x/orig")" = "$(magic_of "$a")" ]
	if [ -z "$PYTHON" ]; then ok "$name: the $fmt format stays # SKIP needs python3"; return; fi
	decomp "$x/orig" | python3 "$PY" sig >"$x/sig.before"
	decomp "$a" | python3 "$PY" sig >"$x/sig.after"
	check "$name: the $fmt format stays (the same header types and magic, in order)" \
		format_kept "$fmt" "$x/sig.before" "$x/sig.after"
}

# The package: an ELF to fix, one already right, text, data, a directory,
# an empty directory, a symlink and a path longer than 100 bytes.
TREE=$T/tree
LONG=deep/$(printf 'd%.0s' {1..60})/$(printf 'f%.0s' {1..60}).txt
mkdir -p "$TREE/bin" "$TREE/lib" "$TREE/share/empty" "$(dirname "$TREE/$LONG")" "$T/mk"
cp "$BREW" "$TREE/bin/hello" && cp "$(fixture gcc-pie)" "$TREE/bin/good"
chmod 755 "$TREE/bin/hello" "$TREE/bin/good"
printf 'read me\n' >"$TREE/README" && printf 'long name\n' >"$TREE/$LONG"
seq 1 20000 >"$TREE/data.bin" && chmod 600 "$TREE/data.bin"
ln -s ../bin/hello "$TREE/lib/link"
find "$TREE" -exec touch -h -d '2001-02-03 04:05:06' {} +
TOP="README bin data.bin deep lib share"
# mk_tar FORMAT OUT [COMPRESSOR...]: GNU tar of the package.
mk_tar() {
	local fmt=$1 out=$2; shift 2
	# shellcheck disable=SC2086
	tar --format="$fmt" --sort=name --owner=builder:1234 --group=staff:4321 -C "$TREE" -cf - $TOP |
		if [ $# -gt 0 ]; then "$@"; else cat; fi >"$out"
}
mk_tar ustar "$T/mk/pkg.tar"
[ -n "$PYTHON" ] && ZIPCOMMENT="python zipfile archive" python3 "$PY" mk "$T/mk/py.zip" <<LIST
dir	bin/	-
stored	bin/hello	$TREE/bin/hello
deflated	bin/good	$TREE/bin/good
deflated	README	$TREE/README	read me first
deflated	data.bin	$TREE/data.bin		feca0400494658ff
stored	$LONG	$TREE/$LONG
link	lib/link	../bin/hello
dir	share/empty/	-
LIST

# 1. Zip writers: Info-ZIP, Python's zipfile, Go's archive/zip, libarchive.
if ! have_tool python3; then
	skip_n 36 "zip rounds" "needs python3 to compare zip members"
else
	if have_tool zip; then
		# shellcheck disable=SC2086
		(cd "$TREE" && zip -q -r -y -9 -n .txt "$T/mk/infozip.zip" $TOP) &&
			echo "Info-ZIP archive comment" | zip -q -z "$T/mk/infozip.zip"
		round infozip zip zip "$T/mk/infozip.zip"
	else skip_n 9 "Info-ZIP round" "needs zip"; fi
	round python-zipfile zip zip "$T/mk/py.zip"
	if have_tool go; then
		mkdir -p "$T/go"
		cat >"$T/go/main.go" <<'GO'
package main
import ("archive/zip"; "os"; "path/filepath"; "time")
func must(err error) { if err != nil { panic(err) } }
func main() {
	out, err := os.Create(os.Args[1]); must(err)
	z := zip.NewWriter(out)
	add := func(name string, method uint16, mode os.FileMode, data []byte) {
		h := &zip.FileHeader{Name: name, Method: method, Comment: "go " + name, Modified: time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)}
		h.SetMode(mode); w, err := z.CreateHeader(h); must(err); _, err = w.Write(data); must(err)
	}
	read := func(p string) []byte { b, err := os.ReadFile(filepath.Join(os.Args[2], p)); must(err); return b }
	add("bin/", zip.Store, os.ModeDir|0755, nil); add("bin/hello", zip.Deflate, 0755, read("bin/hello"))
	add("bin/good", zip.Store, 0755, read("bin/good")); add("README", zip.Deflate, 0644, read("README"))
	add("lib/link", zip.Store, os.ModeSymlink|0777, []byte("../bin/hello"))
	must(z.SetComment("written by Go archive/zip")); must(z.Close())
}
GO
		if (cd "$T/go" && GOCACHE=$T/go/cache GOPATH=$T/go/path GO111MODULE=off GOFLAGS='' GOTOOLCHAIN=local \
			go run main.go "$T/mk/go.zip" "$TREE") 2>"$T/go/err"; then
			round go-archive-zip zip zip "$T/mk/go.zip"
		else skip_n 9 "Go archive/zip round" "go run failed: $(head -n 1 "$T/go/err")"; fi
	else skip_n 9 "Go archive/zip round" "needs go"; fi
	if have_tool bsdtar; then
		# shellcheck disable=SC2086
		bsdtar --format=zip -cf "$T/mk/bsdtar.zip" -C "$TREE" $TOP
		round bsdtar-zip zip zip "$T/mk/bsdtar.zip"
	else skip_n 9 "bsdtar zip round" "needs bsdtar"; fi
fi

# 2. Tar: GNU tar's three formats, each compressor, and libarchive's pax.
round ustar tar ustar "$T/mk/pkg.tar"
for spec in "pax gzip tar.gz" "gnu xz tar.xz" "ustar zstd tar.zst" "gnu bzip2 tar.bz2"; do
	# shellcheck disable=SC2086
	set -- $spec
	if have_tool "$2"; then
		mk_tar "$1" "$T/mk/pkg-$1.$3" "$2" -c
		round "$1.$3" tar "$1" "$T/mk/pkg-$1.$3"
	else skip_n 9 "$1.$3 round" "needs $2"; fi
done
if have_tool bsdtar && have_tool gzip; then
	# shellcheck disable=SC2086
	bsdtar --format=pax -czf "$T/mk/bsdtar.tar.gz" --uid 1234 --gid 4321 --uname builder --gname staff -C "$TREE" $TOP
	round bsdtar.tar.gz tar pax "$T/mk/bsdtar.tar.gz"
else skip_n 9 "bsdtar tar.gz round" "needs bsdtar and gzip"; fi
A=$T/r/ustar/pkg.tar
cp "$A" "$T/fixed-once"
ifx fix --portable "$A"
check "a fixed archive fixed again: exit 0, not a byte changed, nothing left" rc 0 same_alone "$T/fixed-once" "$A"

# 3. Known by content, not by name.
mkdir "$T/blob" "$T/blob2"
if [ -n "$PYTHON" ]; then
	cp "$T/mk/py.zip" "$T/blob/blob"
	ifx show "$T/blob/blob"
	check "a zip named blob is read as a zip: $T/blob/blob!bin/hello and its interpreter" \
		says "$T/blob/blob!bin/hello" "$BREW_LD"
else skip_n 1 "a zip named blob is read as a zip" "needs python3"; fi
if have_tool gzip; then
	mk_tar pax "$T/blob2/data" gzip -c
	ifx fix --portable "$T/blob2/data"
	member tar "$T/blob2/data" bin/hello "$T/blob2.hello"
	check "a tar.gz named data is fixed: bin/hello names $HOST_LD" [ "$RC:$(interp_of "$T/blob2.hello")" = "0:$HOST_LD" ]
	check "... it is still gzip-compressed, alone in its directory" \
		[ "$(magic_of "$T/blob2/data"):$(ls -A "$T/blob2")" = gzip:data ]
else skip_n 2 "a tar.gz named data" "needs gzip"; fi

# 4. show, text and JSON; fix --json.
mkdir "$T/js"
A=$T/js/pkg.tar
cp "$T/mk/pkg.tar" "$A"
ifx show "$A"
check "show names $A!bin/hello and its interpreter" says "$A!bin/hello" "$BREW_LD"
ifx show --json "$A"
check "show --json: an entry in files with path (the archive), member and interp" \
	jqt --arg a "$A" --arg ld "$BREW_LD" 'any(.files[]; .path == $a and .member == "bin/hello" and .interp == $ld)' "$T/out"
ifx fix --json --dry-run --portable "$A"
check "fix --json --dry-run: the member would-fix, with path and member" \
	jqt --arg a "$A" 'any(.files[]; .path == $a and .member == "bin/hello" and .result == "would-fix")' "$T/out"

# 5. --member GLOB, repeatable.
mkdir -p "$T/two/bin" "$T/m"
cp "$BREW" "$T/two/bin/hello" && cp "$BREW" "$T/two/bin/other"
cp "$(fixture musl)" "$T/two/bin/musl" && printf 'text\n' >"$T/two/README"
tar -C "$T/two" -cf "$T/mk/two.tar" bin/hello bin/other
A=$T/m/two.tar
cp "$T/mk/two.tar" "$A"
ifx show --member 'bin/h*' "$A"
check "show --member 'bin/h*' names bin/hello, not bin/other" \
	eval 'says "$A!bin/hello" && ! says "$A!bin/other"'
ifx fix --portable --member 'bin/h*' "$A"
members "$A" bin/hello bin/other
check "fix --member 'bin/h*' fixes bin/hello" [ "$RC:$(interp_of "$T/got/bin/hello")" = "0:$HOST_LD" ]
check "... and leaves bin/other as it was, nothing left beside it" \
	eval 'cmp -s "$BREW" "$T/got/bin/other" && only "$T/m" two.tar'
cp "$T/mk/two.tar" "$A"
ifx fix --portable --member 'bin/h*' --member 'bin/o*' "$A"
members "$A" bin/hello bin/other
check "two --member globs: both members are fixed" \
	[ "$RC:$(interp_of "$T/got/bin/hello"):$(interp_of "$T/got/bin/other")" = "0:$HOST_LD:$HOST_LD" ]
cp "$T/mk/two.tar" "$A"
ifx fix --portable --member 'nomatch/*' "$A"
check "a --member matching nothing writes nothing, leaves nothing" same_alone "$T/mk/two.tar" "$A"

# 6. --dry-run and -o OUT.
mkdir -p "$T/dry" "$T/o/src" "$T/o/dst"
A=$T/dry/pkg.tar
cp "$T/mk/pkg.tar" "$A"
ifx fix --dry-run --portable "$A"
check "fix --dry-run: exit 1 (it would change), the member named" rc 1 says "$A!bin/hello"
check "... not a byte of the archive changed, nothing created beside it" same_alone "$T/mk/pkg.tar" "$A"
A=$T/o/src/pkg.tar
cp "$T/mk/pkg.tar" "$A"
ifx fix --portable -o "$T/o/dst/new.tar" "$A"
check "fix -o OUT: exit 0, the original byte-for-byte unchanged, alone" rc 0 same_alone "$T/mk/pkg.tar" "$A"
member tar "$T/o/dst/new.tar" bin/hello "$T/o.hello"
check "... OUT has the fixed bin/hello" [ "$(interp_of "$T/o.hello")" = "$HOST_LD" ]
check "... OUT is a bare tar, alone in its directory" \
	[ "$(magic_of "$T/o/dst/new.tar"):$(ls -A "$T/o/dst")" = tar:new.tar ]

# 7. A member that may not be repaired: musl given glibc's loader.
mkdir "$T/ref"
tar -C "$T/two" -cf "$T/mk/ref.tar" README bin/hello bin/musl
A=$T/ref/ref.tar
cp "$T/mk/ref.tar" "$A"
ifx fix --to "$HOST_LD" "$A"
check "a refused member fails the archive: nonzero exit" [ "$RC" != 0 ]
check "... stderr names $A!bin/musl" grep -qF -- "$A!bin/musl" "$T/err"
check "... the archive is byte-for-byte unchanged, nothing left beside it" same_alone "$T/mk/ref.tar" "$A"
ifx fix --keep-going --to "$HOST_LD" "$A"
both >"$T/ref.said"
members "$A" bin/hello bin/musl README
check "--keep-going: the other ELF member is fixed" [ "$(interp_of "$T/got/bin/hello")" = "$HOST_LD" ]
check "... the refused one is left as it was, README too" \
	eval 'cmp -s "$(fixture musl)" "$T/got/bin/musl" && cmp -s "$T/two/README" "$T/got/README"' 
check "... the output says $A!bin/musl was left" grep -qF -- "$A!bin/musl" "$T/ref.said"
check "... nothing left beside it" only "$T/ref" ref.tar

# 8. check.
mkdir "$T/chk"
A=$T/chk/pkg.tar
cp "$T/mk/pkg.tar" "$A"
ifx check "$A"
check "check on an archive with a Linuxbrew member: exit 1" [ "$RC" = 1 ]
check "... nonstandard-interp for $A!bin/hello" grep -qF -- "$A!bin/hello: nonstandard-interp" "$T/out"
ifx check --json "$A"
check "check --json: a nonstandard-interp finding with member bin/hello and the archive" \
	jqt --arg a "$A" 'any(.findings[]; .member == "bin/hello" and .rule == "nonstandard-interp" and (.path == $a or .file == $a))' "$T/out"
check "check writes nothing" cmp -s "$T/mk/pkg.tar" "$A"

# 9. An archive inside an archive is reported, not entered.
if [ -n "$PYTHON" ]; then
	mkdir -p "$T/nest/in/bin" "$T/nest/d"
	cp "$BREW" "$T/nest/in/bin/hello" && cp "$T/mk/py.zip" "$T/nest/in/inner.zip"
	A=$T/nest/d/outer.tar
	tar -C "$T/nest/in" -cf "$A" bin/hello inner.zip
	ifx fix --portable "$A"
	members "$A" inner.zip bin/hello
	check "a zip inside a tar is reported: $A!inner.zip" eval 'both | grep -qF -- "$A!inner.zip"'
	check "... but not entered: none of its members is named" eval '! both | grep -qF "inner.zip!"'
	check "... its bytes are kept" cmp -s "$T/mk/py.zip" "$T/got/inner.zip"
	check "... and the outer bin/hello is fixed, nothing left" \
		[ "$(interp_of "$T/got/bin/hello"):$(ls -A "$T/nest/d")" = "$HOST_LD:outer.tar" ]
else skip_n 4 "a zip inside a tar" "needs python3"; fi

# 10. Bad archives: one error line naming the file, exit 2, untouched.
# bad NAME FILE: show and fix; 3 checks.
bad() {
	cp "$2" "$T/bad.orig"
	ifx show "$2"
	check "$1: show exits 2 with one line on stderr naming it" one_error "$2"
	ifx fix --portable "$2"
	check "$1: fix exits 2 with one line on stderr naming it" one_error "$2"
	check "$1: byte-for-byte unchanged, nothing left" same_alone "$T/bad.orig" "$2"
}
mkdir -p "$T/bad1" "$T/bad2" "$T/esc/d"
if [ -n "$PYTHON" ]; then
	head -c $(($(stat -c %s "$T/mk/py.zip") / 2)) "$T/mk/py.zip" >"$T/bad1/cut.zip"
	bad "truncated zip" "$T/bad1/cut.zip"
	printf 'stored\t../escape\t%s\nstored\tbin/hello\t%s\n' "$BREW" "$BREW" | python3 "$PY" mk "$T/esc/d/evil.zip"
	cp "$T/esc/d/evil.zip" "$T/bad.orig"
	ifx fix --portable "$T/esc/d/evil.zip"
	check "a zip member named ../escape: fix fails, naming the archive" \
		eval '[ "$RC" != 0 ] && grep -qF -- "$T/esc/d/evil.zip" "$T/err"'
	check "... the archive is byte-for-byte unchanged" same_alone "$T/bad.orig" "$T/esc/d/evil.zip"
	check "... nothing was written above it (no $T/esc/escape)" only "$T/esc" d
else skip_n 6 "truncated zip, ../escape zip" "needs python3"; fi
if have_tool gzip; then
	mk_tar ustar "$T/bad.tgz" gzip -c
	head -c $(($(stat -c %s "$T/bad.tgz") / 2)) "$T/bad.tgz" >"$T/bad2/cut.tar.gz"
	bad "truncated tar.gz" "$T/bad2/cut.tar.gz"
else skip_n 3 "truncated tar.gz" "needs gzip"; fi

# 11. Member names with a newline or an ESC byte never reach the terminal raw.
mkdir -p "$T/names/bin"
NL=$'bin/nl\nINJECTED: fixed'
ESC=$'bin/esc\033[2Jred'
cp "$BREW" "$T/names/$NL" && cp "$BREW" "$T/names/$ESC"
tar -C "$T/names" -cf "$T/mk/names.tar" "$NL" "$ESC"
raw_free() { says bin/nl bin/esc && ! both | grep -q '^INJECTED' && ! both | grep -q $'\033'; }
ifx show "$T/mk/names.tar"
check "show: both odd members listed, no raw newline or ESC from their names" raw_free
ifx fix --dry-run --portable "$T/mk/names.tar"
check "fix --dry-run: the same" raw_free
ifx show --json "$T/mk/names.tar"
check "show --json carries the exact names as members" \
	jqt --arg nl "$NL" --arg esc "$ESC" 'any(.files[]; .member == $nl) and any(.files[]; .member == $esc)' "$T/out"

# -o writes a new archive: a file that is not one, or two operands, is a
# usage error, and nothing is written
cp "$BREW" "$T/plain"
cp "$BREW" "$T/plain.orig"
ifx fix --portable -o "$T/o-out" "$T/plain"
check "-o with a file that is not an archive: exit 2, the file intact, no output" \
	sh -c "[ $RC = 2 ] && grep -q 'not a zip or tar archive' '$T/err' && cmp -s '$T/plain' '$T/plain.orig' && [ ! -e '$T/o-out' ]"
ifx fix --portable -o "$T/o-out" "$T/mk/names.tar" "$T/plain"
check "-o with two operands: a usage error (exit 2), nothing written" \
	sh -c "[ $RC = 2 ] && grep -q -- '-o takes one archive operand' '$T/err' && [ ! -e '$T/o-out' ] && cmp -s '$T/plain' '$T/plain.orig'"

done_testing
