# Shared by the real-world tests: the loader's own trace turned into one
# "name<TAB>path" or "name<TAB>not found" line per object, sorted, the form
# the tests compare `interpfix show --deps` with.
# trace_list INTERP < TRACE: the vdso and the loader's own line are left
# out (interpfix reports the loader as "provided"); a NEEDED path (a name
# with a slash) is printed by the loader without "=>".
trace_list() {
	awk -v interp="$1" '
	/=>/ {
		name = $1; sub(/^[ \t]+/, "", name)
		if ($0 ~ /=> not found/) { print name "\tnot found"; next }
		path = $3
		if (name ~ /^linux-vdso/ || path == "") next
		print name "\t" path; next
	}
	{
		tok = $1
		if (tok ~ /\// && tok != interp && tok !~ /\/ld-linux[^\/]*$/) print tok "\t" tok
	}' | sort -u
}
