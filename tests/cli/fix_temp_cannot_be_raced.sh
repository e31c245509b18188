#!/bin/sh
# Root fixes a file-capability binary that an ordinary user owns, in that
# user's directory, while the user races to write their own bytes into any
# temporary interpfix makes there (a C loop over the directory). The temporary has no name until it is
# complete with its owner, mode and capabilities, and a write to a named
# file drops its capabilities: so after every fix, a file that still has
# cap_setuid holds exactly interpfix's bytes. Bounded: 150 fixes or 60 s.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_fixtures brew
plan 3
if ! is_root; then
	skip_needs_root "a user's capability binary is never repaired with someone else's bytes"
	skip_needs_root "... and under the race interpfix still puts its privileged result in place"
	skip_needs_root "... and nothing is left in the user's directory"
	exit 0
fi
require_tools setcap getcap setpriv cc
A=/lib64/ld-linux-x86-64.so.2
B=/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2
[ -f "$A" ] && [ -f "$B" ] || skip_all "needs both $A and $B"

D=$T/home
mkdir "$D"
chown nobody:nogroup "$D"
# what interpfix writes, made round by round on a copy nobody races
cp "$(fixture brew)" "$T/ref"
cp "$T/ref" "$D/prog"
chown nobody:nogroup "$D/prog"
chmod 0755 "$D/prog"
setcap cap_setuid+ep "$D/prog"

# the owner, writing into every temporary-looking name as fast as it can
cat >"$T/racer.c" <<'C'
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	char path[4096];
	while (access(argv[2], F_OK) != 0) {
		DIR *d = opendir(argv[1]);
		struct dirent *e;
		while (d != NULL && (e = readdir(d)) != NULL) {
			if (strstr(e->d_name, ".interpfix-") == NULL)
				continue;
			snprintf(path, sizeof(path), "%s/%s", argv[1], e->d_name);
			int fd = open(path, O_WRONLY | O_APPEND);
			if (fd >= 0) {
				if (write(fd, "PWNED by the owner", 18) < 0) {}
				close(fd);
			}
		}
		if (d != NULL)
			closedir(d);
	}
	return 0;
}
C
cc -o "$T/racer" "$T/racer.c" || skip_all "cannot build the racer"
chmod 755 "$T/racer"
setpriv --reuid=nobody --regid=nogroup --clear-groups "$T/racer" "$D" "$T/stop" 2>/dev/null &
racer=$!
# the stop file is root's, in $T: the owner cannot create it early
rm -f "$T/stop"

bad=0 kept=0 silent=0 runs=0 start=$(date +%s)
while [ $runs -lt 150 ] && [ $(($(date +%s) - start)) -lt 60 ]; do
	runs=$((runs + 1))
	if [ $((runs % 2)) = 1 ]; then to=$B; else to=$A; fi
	"$INTERPFIX" fix --to "$to" "$T/ref" >/dev/null 2>&1
	"$INTERPFIX" fix --to "$to" "$D/prog" >/dev/null 2>&1
	rc=$?
	if getcap "$D/prog" | grep -q cap_setuid; then
		if cmp -s "$D/prog" "$T/ref"; then
			kept=$((kept + 1))
		else
			bad=$((bad + 1))
			cp "$D/prog" "$T/compromised.$runs"
		fi
	else
		# the owner wrote in the instant the new file had a name: their
		# file now, without privilege; that must not be exit 0
		[ "$rc" = 0 ] && silent=$((silent + 1))
		cp "$T/ref" "$D/prog" && chown nobody:nogroup "$D/prog" && setcap cap_setuid+ep "$D/prog"
	fi
done
touch "$T/stop"
wait "$racer" 2>/dev/null
diag "$runs fixes raced; $kept kept their capabilities with interpfix's bytes; $bad with other bytes; $silent lost them with exit 0"
check "a user's capability binary is never repaired with someone else's bytes" [ "$bad" = 0 ]
# The owner may write to their own file once it is in place (an fd opened
# in the instant it had a name stays theirs): that costs it its privileges,
# never more. Some rounds must still end with interpfix's privileged file.
check "... and under the race interpfix still puts its privileged result in place" [ "$kept" -gt 0 ]
check "... and nothing is left in the user's directory" sh -c "[ \$(ls -A '$D' | grep -vc '^prog\$') = 0 ]"
done_testing
