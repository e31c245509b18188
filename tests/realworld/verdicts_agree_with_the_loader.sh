#!/bin/sh
# The oracle is the real loader: for every ELF file of this host's kind
# under /usr/bin, /usr/sbin and /usr/lib/<triplet>, the objects `interpfix
# show --deps` says the loader maps (name => path, or not found) are exactly
# those the loader's own trace lists (LD_TRACE_LOADED_OBJECTS=1, set by env
# for the loader alone, as ldd does; ld.so --list prints nothing once a
# library is missing, so it cannot be the oracle for "not found"), which maps
# the dependencies without running the program: glibc's rtld.c stops before
# relocation and never reaches main). Nothing here was built by us.
. "$IFX_SRCDIR/tests/cli/lib.sh"
require_tools jq readelf
[ -n "$HOST_LD" ] && [ -x "$HOST_LD" ] || skip_all "no host loader (HOST_LD) to compare with"
. "$IFX_SRCDIR/tests/realworld/loader-trace.sh"
# ldd_like FILE: the loader's own list (LD_TRACE_LOADED_OBJECTS=1 set by env
# for the loader alone: timeout would be traced instead)
ldd_like() {
	timeout 10 env LD_TRACE_LOADED_OBJECTS=1 "$HOST_LD" "$1" 2>/dev/null | trace_list "$2"
}
dirs="/usr/bin /usr/sbin"
[ -n "$HOST_TRIPLET" ] && [ -d "/usr/lib/$HOST_TRIPLET" ] && dirs="$dirs /usr/lib/$HOST_TRIPLET"
plan $(( $(echo "$dirs" | wc -w) * 2 ))
for dir in $dirs; do
	# One show --deps over the whole directory (a run's cache is shared),
	# then the files of this host's kind that the loader can trace.
	find "$dir" -type f -size +1k 2>/dev/null | sort >"$T/files"
	xargs -d '\n' "$INTERPFIX" show --deps --json <"$T/files" >"$T/show.json" 2>/dev/null
	jq -r --arg m "$HOST_MACHINE" --arg ld "$HOST_LD" '.files[] |
		select(.error == null and .machine == $m and
		       ((.linkage == "dynamic" and .interp == $ld) or .linkage == "shared-lib")) |
		.path as $p | (.dependencies // [])[] | select(.state != "provided") |
		"\($p)\t\(.name)\t\(if .state == "found" then .path else "not found" end)"' \
		"$T/show.json" | sort -u >"$T/ours"
	jq -r --arg m "$HOST_MACHINE" --arg ld "$HOST_LD" '.files[] |
		select(.error == null and .machine == $m and
		       ((.linkage == "dynamic" and .interp == $ld) or .linkage == "shared-lib")) |
		.path' "$T/show.json" >"$T/elf"
	: >"$T/loader"
	n=0
	while IFS= read -r f; do
		ldd_like "$f" "$HOST_LD" >"$T/one"
		# a file the loader refuses to trace (not a dynamic object) is not compared
		if [ ! -s "$T/one" ] && ! timeout 10 env LD_TRACE_LOADED_OBJECTS=1 "$HOST_LD" "$f" >/dev/null 2>&1; then
			grep -v -F "$f	" "$T/ours" >"$T/ours.new"; mv "$T/ours.new" "$T/ours"
			continue
		fi
		n=$((n + 1))
		awk -v f="$f" '{ print f "\t" $0 }' "$T/one" >>"$T/loader"
	done <"$T/elf"
	sort -u "$T/loader" -o "$T/loader"
	comm -3 "$T/loader" "$T/ours" >"$T/diff"
	missing=$(grep -c '	not found$' "$T/loader" || true)
	bad=$(cut -f1 "$T/diff" | sed 's/^\t//' | awk -F '\t' '{ print $1 }' | sort -u | grep -c . || true)
	check "$dir: more than 20 dynamic ELF files compared ($n, $missing libraries not found)" [ "$n" -gt 20 ]
	if [ ! -s "$T/diff" ]; then
		ok "$dir: all $n agree with the loader"
	else
		not_ok "$dir: $bad of $n disagree with the loader"
		sed 's/^\t/  interpfix: /; /^  interpfix/!s/^/  loader:    /' "$T/diff" | head -n 60 |
			while IFS= read -r line; do diag "$line"; done
	fi
done
done_testing
