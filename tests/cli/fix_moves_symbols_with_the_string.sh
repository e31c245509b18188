#!/bin/sh
# Symbols that point into the moved interpreter string follow it. libcap is
# a shared library that runs as a program: its .interp holds the exported
# object __execable_dl_loader. After a growth the symbol (in .dynsym) names
# the new string's address and size, the library still loads (dlopen) and
# still runs, strip keeps it running, and eu-elflint finds nothing new.
# The library is the host's own: nobody here built it.
. "$IFX_SRCDIR/tests/cli/lib.sh"
require_tools readelf
[ -n "$HOST_TRIPLET" ] || skip_all "no multiarch triplet for this host"
CAP=$(ls /usr/lib/"$HOST_TRIPLET"/libcap.so.2.* /lib/"$HOST_TRIPLET"/libcap.so.2.* 2>/dev/null | head -n 1)
[ -n "$CAP" ] || skip_all "needs the host's libcap.so.2 (libcap2)"
readelf --dyn-syms -W "$CAP" | grep -q ' __execable_dl_loader$' ||
	skip_all "this libcap exports no __execable_dl_loader"
[ -n "$HOST_LD" ] || skip_all "no host loader"
plan 7

S=$(mktemp -d /tmp/ifx-sym-XXXXXX)
LONG=$S/a/long/directory/so/that/the/loader/path/no/longer/fits/the/old/bytes
mkdir -p "$LONG"
ln -s "$HOST_LD" "$LONG/ld.so"
chmod -R 755 "$S"
trap 'rm -rf "$S"; chmod -R u+rwx "$T" 2>/dev/null; rm -rf "$T"' EXIT

cp "$CAP" "$T/libcap.so.2"
chmod 755 "$T/libcap.so.2"
ifx fix --to "$LONG/ld.so" "$T/libcap.so.2"
check "libcap: grown to a longer path (exit 0)" [ "$RC" = 0 ]

# PT_INTERP's vaddr and size, and the symbol's, as decimal numbers
interp_vaddr=$(readelf -lW "$T/libcap.so.2" | awk '$1 == "INTERP" { print $3 }')
interp_size=$(readelf -lW "$T/libcap.so.2" | awk '$1 == "INTERP" { print $5 }')
sym=$(readelf --dyn-syms -W "$T/libcap.so.2" | awk '$8 == "__execable_dl_loader" { print $2, $3 }')
sym_value=$(echo "$sym" | cut -d' ' -f1)
sym_size=$(echo "$sym" | cut -d' ' -f2)
check "__execable_dl_loader names the new string's address" \
	[ "$((0x$sym_value))" = "$((interp_vaddr))" ]
check "... and its size (the new path and its NUL)" \
	[ "$sym_size:$((interp_size))" = "$((${#LONG} + 7)):$((${#LONG} + 7))" ]

if have_tool python3; then
	check "the library still loads (dlopen)" \
		python3 -c "import ctypes, sys; ctypes.CDLL(sys.argv[1])" "$T/libcap.so.2"
else
	ok "the library still loads (dlopen) # SKIP needs python3"
fi
check "it still runs as a program" sh -c "'$T/libcap.so.2' | grep -q 'shared library version'"
if have_tool strip; then
	strip -o "$T/stripped" "$T/libcap.so.2" 2>"$T/strip.err"
	check "strip keeps it running" sh -c "'$T/stripped' | grep -q 'shared library version'"
else
	ok "strip keeps it running # SKIP needs strip"
fi
if have_tool eu-elflint; then
	eu-elflint --gnu-ld "$CAP" 2>&1 | grep -v '^No errors' | sed "s|$CAP|FILE|g" | sort >"$T/lint.orig"
	eu-elflint --gnu-ld "$T/libcap.so.2" 2>&1 | grep -v '^No errors' |
		sed "s|$T/libcap.so.2|FILE|g" | sort | comm -23 - "$T/lint.orig" >"$T/lint.new"
	check "eu-elflint finds nothing new" [ ! -s "$T/lint.new" ]
	[ -s "$T/lint.new" ] && diag "$(cat "$T/lint.new")"
else
	ok "eu-elflint finds nothing new # SKIP needs eu-elflint"
fi
done_testing
