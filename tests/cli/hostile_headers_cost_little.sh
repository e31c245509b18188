#!/bin/sh
# Headers that ask for much cost little: what the kernel refuses (a program
# header table over 64 KiB, fs/binfmt_elf.c load_elf_phdrs) and what only a
# file made to exhaust memory asks for (strings, version records and dynamic
# entries used over and over) get exit 2 and one line "interpfix: PATH:
# reason" from every command, the file untouched; a large but legal table,
# thousands of sections, notes and NEEDED entries are handled. Every command
# runs under a 256 MiB address-space limit (under ASan, whose shadow needs
# terabytes of it, its resident size must stay under 512 MiB). Hand-made bytes
# (x86-64 ELF64 LSB): no toolchain writes such files.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_tools python3 cmp

H=$T/h
mkdir "$H"
python3 - "$H" <<'PY' || { echo "Bail out! cannot generate the hostile files"; exit 1; }
import struct, sys

# gABI sizes: Ehdr 64, Phdr 56, Shdr 64, Dyn 16, Verneed/Vernaux 16, Sym 24
EHDR, PHDR, SHDR = 64, 56, 64
PT_LOAD, PT_DYNAMIC, PT_INTERP, PT_NOTE = 1, 2, 3, 4
PF_X, PF_W, PF_R = 1, 2, 4
BASE, SIZE = 0x400000, 1200 * 1024
INTERP = b"/opt/old/lib64/ld-linux-x86-64.so.2\0"


def ehdr(phnum, shoff=0, shnum=0, shstrndx=0):
    return (b"\x7fELF\x02\x01\x01" + bytes(9) +
            struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, BASE + 0x1000, EHDR, shoff, 0,
                        EHDR, PHDR, phnum, SHDR, shnum, shstrndx))


def phdr(ptype, flags, off, filesz, memsz=None, vaddr=None, align=0x1000):
    vaddr = BASE + off if vaddr is None else vaddr
    return struct.pack("<IIQQQQQQ", ptype, flags, off, vaddr, vaddr, filesz,
                       filesz if memsz is None else memsz, align)


def image(extra, dyn=None):
    """SIZE bytes: PT_INTERP, one R+X PT_LOAD over the whole file, then the
    headers in extra(data_off), then PT_DYNAMIC when dyn is (offset, size)."""
    n = len(extra(0)) + 2 + (dyn is not None)
    interp_off = EHDR + n * PHDR
    data_off = (interp_off + len(INTERP) + 4095) // 4096 * 4096
    ph = [phdr(PT_INTERP, PF_R, interp_off, len(INTERP), align=1),
          phdr(PT_LOAD, PF_R | PF_X, 0, SIZE)] + extra(data_off)
    if dyn is not None:
        ph.append(phdr(PT_DYNAMIC, PF_R, dyn[0], dyn[1], align=8))
    buf = bytearray(SIZE)
    buf[0:EHDR] = ehdr(n)
    buf[EHDR:interp_off] = b"".join(ph)
    buf[interp_off:interp_off + len(INTERP)] = INTERP
    return buf, data_off


def rw(count):
    """count RW PT_LOADs of 64 KiB at distinct offsets 16 bytes apart (libelf
    keeps one copy per offset read), 1 MiB apart in memory (none overlap)."""
    def extra(data):
        return [phdr(PT_LOAD, PF_R | PF_W, data + 16 * i, 65536, 0xff000,
                     0x10000000 + i * 0x100000 + (data + 16 * i) % 4096)
                for i in range(count)]
    return image(extra)[0]


def notes(count):
    """count PT_NOTEs of 1 MiB each, 4 bytes apart: zeros, empty notes."""
    return image(lambda data: [phdr(PT_NOTE, PF_R, data + 4 * i, 1 << 20, align=4)
                               for i in range(count)])[0]


def go_magic():
    """One RW segment whose every 16 bytes begin a Go build info header
    ("\xff Go buildinf:", 8-byte pointers, inline) that does not decode."""
    buf, data = image(lambda data: [phdr(PT_LOAD, PF_R | PF_W, data, SIZE - data,
                                         vaddr=0x10000000 + data % 4096)])
    for off in range(data, SIZE - 32, 16):
        buf[off:off + 16] = b"\xff Go buildinf:\x08\x02"
    return buf


def past_eof(e_phnum, xnum=None):
    """A 4 KiB file whose e_phnum (or PN_XNUM and section 0's sh_info)
    runs the table past its end."""
    buf = bytearray(4096)
    buf[0:EHDR] = ehdr(e_phnum, 4096 - SHDR if xnum else 0, 1 if xnum else 0)
    buf[EHDR:EHDR + PHDR] = phdr(PT_LOAD, PF_R | PF_X, 0, 4096)
    if xnum:
        buf[4096 - SHDR:] = struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, 0, 0, xnum, 0, 0)
    return buf


def sections(count):
    """e_shnum 0 and e_shstrndx SHN_XINDEX: section 0's sh_size (count) and
    sh_link say them (gABI); 1-byte sections, half of them SHT_GNU_verneed."""
    buf, data = image(lambda data: [])
    shoff = SIZE - count * SHDR
    buf[40:48] = struct.pack("<Q", shoff)
    buf[60:64] = struct.pack("<HH", 0, 0xffff)
    tab = [struct.pack("<IIQQQQIIQQ", 0, 0, 0, 0, 0, count, 1, 0, 0, 0)]
    tab += [struct.pack("<IIQQQQIIQQ", 1, 1 if i % 2 else 0x6ffffffe, 2,
                        BASE + data + i, data + i, 1, 0, 0, 1, 0) for i in range(1, count)]
    buf[shoff:] = b"".join(tab)
    return buf


def dynamic(kind):
    """A dynamic section whose entries name one 64 KiB string over and over,
    or hold more than any linker writes."""
    S, V, SYM = 0x10000, 0x40000, 0x70000
    big = b"A" * 65535
    libs = b"".join(b"libx%d.so\0" % i for i in range(4000))
    strtab = b"\0" + big + b"\0libc.so.6\0GLIBC_2.2.5\0" + libs
    LIBC = len(big) + 2
    GLIBC, LIBS = LIBC + 10, LIBC + 22
    D = (S + len(strtab) + 15) & ~15
    nsym = 20000
    VS = SYM + 24 * nsym
    HASH = (VS + 2 * nsym + 7) & ~7
    d = {"no-null": [(1, LIBC)] * 20000,
         "needed-long": [(1, 1)] * 4000,
         "needed-distinct": [(1, LIBS + libs.index(b"libx%d.so\0" % i)) for i in range(4000)],
         }.get(kind, [(1, LIBC)])
    d += [(5, BASE + S), (10, len(strtab))]
    if kind in ("verneed", "symbols"):
        d += [(0x6ffffffe, BASE + V), (0x6fffffff, 4096 if kind == "verneed" else 1)]
    if kind == "symbols":
        d += [(6, BASE + SYM), (11, 24), (0x6ffffff0, BASE + VS), (4, BASE + HASH)]
    if kind != "no-null":
        d += [(0, 0)]
    dyn = b"".join(struct.pack("<qQ", t, v) for t, v in d)
    buf, _ = image(lambda data: [], dyn=(D, len(dyn)))
    buf[S:S + len(strtab)] = strtab
    buf[D:D + len(dyn)] = dyn
    if kind == "verneed":
        # 4096 needs at V + 16 i, each with vn_cnt 4096, all sharing one
        # chain of versions at V + 64 KiB: 16 million from 128 KiB
        for i in range(4096):
            buf[V + 16 * i:V + 16 * i + 16] = struct.pack(
                "<HHIII", 1, 4096, LIBC, 0x10000 - 16 * i, 16 if i < 4095 else 0)
        for j in range(4096):
            buf[V + 0x10000 + 16 * j:V + 0x10000 + 16 * j + 16] = struct.pack(
                "<IHHII", 0, 0, 2, GLIBC, 16 if j < 4095 else 0)
    if kind == "symbols":
        # 20000 undefined symbols named by, and bound to a version named
        # by, the 64 KiB string
        buf[V:V + 16] = struct.pack("<HHIII", 1, 1, LIBC, 16, 0)
        buf[V + 16:V + 32] = struct.pack("<IHHII", 0, 0, 2, 1, 0)
        for i in range(1, nsym):
            buf[SYM + 24 * i:SYM + 24 * i + 24] = struct.pack("<IBBHQQ", 1, 0x12, 0, 0, 0, 0)
            buf[VS + 2 * i:VS + 2 * i + 2] = struct.pack("<H", 2)
        buf[HASH:HASH + 8] = struct.pack("<II", 1, nsym)
    return buf


files = {
    "rw-16384": lambda: rw(16384),
    "phnum-65535": lambda: past_eof(65535),
    "phnum-65534": lambda: past_eof(65534),
    "xnum-huge": lambda: past_eof(0xffff, xnum=0x7fffffff),
    "phnum-1171": lambda: rw(1169),
    "dynamic-no-null": lambda: dynamic("no-null"),
    "needed-long": lambda: dynamic("needed-long"),
    "verneed-shared": lambda: dynamic("verneed"),
    "symbols-long": lambda: dynamic("symbols"),
    "legal-1000": lambda: rw(998),
    "full-1170": lambda: rw(1168),
    "sections-18000": lambda: sections(18000),
    "notes-1168": lambda: notes(1168),
    "go-magic": go_magic,
    "needed-4000": lambda: dynamic("needed-distinct"),
}
for name, make in files.items():
    with open(f"{sys.argv[1]}/{name}", "wb") as f:
        f.write(make())
PY
chmod 755 "$H"/*

# Refused: the file and a word (grep -E) the reason must contain.
REFUSED="rw-16384:16386.program.headers.*64.KiB
phnum-65535:PN_XNUM.*64.KiB
phnum-65534:65534.program.headers.*64.KiB
xnum-huge:PN_XNUM.*64.KiB
phnum-1171:1171.program.headers.*64.KiB
dynamic-no-null:PT_DYNAMIC.*DT_NULL
needed-long:DT_NEEDED.*string.bytes
verneed-shared:DT_VERNEED.*4096.version.records
symbols-long:undefined.dynamic.symbols.*string.bytes"
LEGAL="legal-1000 full-1170 sections-18000 notes-1168 go-magic needed-4000"
# A full table (1170 entries) has no room for the header a new segment
# needs: the fix must be refused, not write a 1171st entry.

# The loader, and a path of 140 bytes to it (a longer PT_INTERP: the file
# grows); elsewhere than on x86-64, --portable names them unchecked.
LD=/lib64/ld-linux-x86-64.so.2
PORTABLE=""
[ "$HOST_MACHINE" = x86_64 ] && [ -e "$LD" ] || PORTABLE=--portable
pad=$((140 - ${#T} - 3 - 21))
[ "$pad" -ge 1 ] || pad=1
LONGDIR=$T/l/$(printf '%*s' "$pad" '' | tr ' ' d)
mkdir -p "$LONGDIR"
LONG=$LONGDIR/ld-linux-x86-64.so.2
[ -z "$PORTABLE" ] && ln -s "$LD" "$LONG"
diag "the longer path has ${#LONG} bytes"

# How memory is bounded: an address-space limit, or under ASan the peak
# resident size (GNU time), which ASan's shadow and quarantine inflate;
# nothing under valgrind, whose own memory is all that would be measured.
LIMIT_KIB=262144
RSS_MAX_KIB=524288
BOUND="ulimit"
case "${IFX_SAN_FLAGS:-}" in
*address*)
	BOUND=rss
	# and no old quadratic path may take the machine's memory
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}hard_rss_limit_mb=1024"
	export ASAN_OPTIONS
	[ -x /usr/bin/time ] || BOUND=none
	;;
esac
[ -n "$IFX_VALGRIND" ] && BOUND=none

# bounded ARGS...: the CLI under the bound; stdout, stderr in $T/out,
# $T/err, exit status in $RC, $WHY says what broke the bound. The timeout
# only keeps a quadratic path from hanging the suite.
bounded() {
	WHY=""
	case "$BOUND" in
	ulimit)
		# dash, bash and busybox sh all have ulimit -v
		# shellcheck disable=SC3045
		(ulimit -v "$LIMIT_KIB" && exec timeout 120 "$INTERPFIX" "$@") >"$T/out" 2>"$T/err"
		RC=$?
		;;
	rss)
		timeout 120 /usr/bin/time -f %M -o "$T/rss" "$INTERPFIX" "$@" >"$T/out" 2>"$T/err"
		RC=$?
		_rss=$(tail -n 1 "$T/rss")
		case "$_rss" in
		''|*[!0-9]*) WHY="no resident size measured: $(cat "$T/rss")" ;;
		*) [ "$_rss" -le "$RSS_MAX_KIB" ] || WHY="resident size $_rss KiB over $RSS_MAX_KIB KiB" ;;
		esac
		;;
	*)
		# shellcheck disable=SC2086
		timeout 120 $IFX_VALGRIND "$INTERPFIX" "$@" >"$T/out" 2>"$T/err"
		RC=$?
		;;
	esac
}
one_line_error() { # PATH WORDS
	[ "$(wc -l <"$T/err")" = 1 ] || return 1
	_line=$(cat "$T/err")
	case "$_line" in
	"interpfix: $1: "?*) ;;
	*) return 1 ;;
	esac
	printf '%s\n' "${_line#"interpfix: $1: "}" | grep -Eq "$2"
}
show_failure() {
	diag "exit $RC${WHY:+; $WHY}; stdout:" "$(head -c 300 "$T/out")" "stderr:" "$(head -c 600 "$T/err")"
}
verdict() { # DESCRIPTION CONDITION-STATUS [TODO-REASON]
	if [ "$2" = 0 ] && [ -z "$WHY" ]; then
		ok "$1${3:+ # TODO $3}"
	elif [ -n "${3:-}" ]; then
		# a known failure: reported, not counted (TAP's TODO)
		TAP_N=$((TAP_N + 1))
		echo "not ok $TAP_N - $1 # TODO $3"
		show_failure
	else
		not_ok "$1"
		show_failure
	fi
}
label() { # COMMAND: without its paths
	case "$1" in
	"fix --dry-run"*) echo "fix --dry-run" ;;
	fix*) echo "fix --to a 140-byte path" ;;
	*) echo "$1" ;;
	esac
}

nref=$(echo "$REFUSED" | wc -l)
nlegal=$(echo "$LEGAL" | wc -w)
plan $((1 + nref * 6 + nlegal * 6))

case "$BOUND" in
ulimit) ok "every command below runs with ulimit -v $LIMIT_KIB (KiB)" ;;
rss) ok "every command below stays under $RSS_MAX_KIB KiB resident (ASan build)" ;;
*) ok "memory bound # SKIP under valgrind or without /usr/bin/time (ASan build)" ;;
esac

W=$T/w
for c in $REFUSED; do
	name=${c%%:*}
	words=${c#*:}
	for cmd in "show" "show --json" "check" "explain" \
		   "fix --dry-run $PORTABLE --to $LD" "fix $PORTABLE --to $LONG"; do
		rm -rf "$W"
		mkdir "$W"
		cp -p "$H/$name" "$W/$name"
		# shellcheck disable=SC2086
		bounded $cmd "$W/$name"
		[ "$RC" = 2 ] && one_line_error "$W/$name" "$words" && cmp -s "$H/$name" "$W/$name" &&
			[ "$(ls -A "$W")" = "$name" ]
		verdict "$name: $(label "$cmd"): exit 2, one line naming /$words/, file untouched" $?
	done
done

for name in $LEGAL; do
	for cmd in "show" "show --json" "check" "explain" "fix --dry-run $PORTABLE --to $LD"; do
		rm -rf "$W"
		mkdir "$W"
		cp -p "$H/$name" "$W/$name"
		# shellcheck disable=SC2086
		bounded $cmd "$W/$name"
		case "$cmd:$RC" in
		show*:0 | check:[01] | explain:[01] | fix*:[01]) cmp -s "$H/$name" "$W/$name" ;;
		*) false ;;
		esac
		verdict "$name: $(label "$cmd"): handled (exit $RC), file untouched" $?
	done
	# A longer path: refused with the file untouched, or written so that
	# the result is one the kernel takes, naming the new path.
	rm -rf "$W"
	mkdir "$W"
	cp -p "$H/$name" "$W/$name"
	# shellcheck disable=SC2086
	bounded fix $PORTABLE --to "$LONG" "$W/$name"
	if [ "$RC" = 0 ]; then
		fixed=$WHY
		bounded show "$W/$name"
		[ "$RC" = 0 ] && awk -v p="$LONG" '$1 == "interp" && $2 == p { f = 1 } END { exit !f }' "$T/out"
		st=$?
		WHY=$fixed${WHY:+ $WHY}
	else
		[ "$RC" = 2 ] && [ "$(wc -l <"$T/err")" = 1 ] && cmp -s "$H/$name" "$W/$name"
		st=$?
	fi
	verdict "$name: fix --to a 140-byte path: a result show accepts, or exit 2 untouched" $st ""
done

done_testing
