#!/bin/sh
# Run commands on the committed tree inside a brand-new minimal Debian 12
# root, as sbuild and pbuilder build packages: nothing installed by hand on
# this machine is there, so a missing install step fails here instead of
# hiding. CI (.ci/run) runs the README's commands this way.
#
# Usage (as root, from inside the checkout):
#   sh scripts/clean-room.sh 'sh scripts/demo.sh' 'sh scripts/test.sh'
# Each argument is one shell command, run in order in a fresh clone of HEAD
# (/src inside the root), as root; it stops at the first that fails.
#
# Environment:
#   IFX_CLEAN_ROOM_DIR     where roots are made (default /var/tmp/interpfix-clean-room)
#   IFX_CLEAN_ROOM_MIRROR  Debian mirror (default http://deb.debian.org/debian)
#   IFX_CLEAN_ROOM_CACHE   a tarball of a bootstrapped root to start from
#                          instead of bootstrapping (made if missing; off by
#                          default, so CI always bootstraps)
#   IFX_CLEAN_ROOM_TIMEOUT seconds each command may take (default 4500: CI
#                          stops at 90 minutes, and we would rather say why)
# Exit status: that of the first failing command, 3 when the root cannot be
# made here (not root, no debootstrap, the mirror unreachable after retries,
# mounts refused), or 0.
set -u

say() { echo "clean-room: $*"; }
die() { echo "clean-room: $*" >&2; exit 3; }

top=$(git rev-parse --show-toplevel 2>/dev/null) || top=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || die "must run as root (bootstrap, chroot and mounts need it)"
[ $# -gt 0 ] || die "usage: clean-room.sh COMMAND... (see the comment at the top)"

work=${IFX_CLEAN_ROOM_DIR:-/var/tmp/interpfix-clean-room}
mirror=${IFX_CLEAN_ROOM_MIRROR:-http://deb.debian.org/debian}
limit=${IFX_CLEAN_ROOM_TIMEOUT:-4500}
cache=${IFX_CLEAN_ROOM_CACHE:-}
mkdir -p "$work" || die "cannot create $work"

# debootstrap is what Debian's own builders use; mmdebstrap is faster when
# it is there. Install debootstrap when neither is.
bootstrapper() {
	if command -v mmdebstrap >/dev/null 2>&1; then
		echo mmdebstrap
		return
	fi
	if ! command -v debootstrap >/dev/null 2>&1; then
		say "installing debootstrap"
		DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
			DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null ||
			die "cannot install debootstrap"
	fi
	echo debootstrap
}

# bootstrap DIR: a minbase bookworm root in DIR, retried when the mirror
# fails for a moment.
bootstrap() {
	tool=$(bootstrapper) || exit 3
	log=$work/bootstrap.log
	for try in 1 2 3 4; do
		rm -rf "$1"
		case $tool in
		mmdebstrap) mmdebstrap --variant=minbase --mode=root bookworm "$1" "$mirror" >"$log" 2>&1 ;;
		*) debootstrap --variant=minbase bookworm "$1" "$mirror" >"$log" 2>&1 ;;
		esac && [ -x "$1/bin/sh" ] && return 0
		say "$tool failed (try $try of 4): $(tail -n 1 "$log")"
		sleep $((try * 15))
	done
	tail -n 20 "$log" >&2
	die "cannot bootstrap Debian 12 from $mirror (log: $log)"
}

root=$(mktemp -d "$work/root.XXXXXX") || die "cannot create a root under $work"
mounted=""
cleanup() {
	for m in $mounted; do
		umount -R "$root/$m" 2>/dev/null || umount -lR "$root/$m" 2>/dev/null
	done
	# never delete through a mount that is still there
	for m in proc sys dev; do
		mountpoint -q "$root/$m" && { say "left $root: $m is still mounted"; return; }
	done
	rm -rf "$root"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

start=$(date +%s)
if [ -n "$cache" ] && [ -s "$cache" ]; then
	tar -C "$root" -xf "$cache" || die "cannot unpack $cache"
else
	bootstrap "$root"
	[ -n "$cache" ] && tar -C "$root" -cf "$cache.part" . && mv "$cache.part" "$cache"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$root/etc/hosts"

# The committed tree only: a clone of HEAD (or, outside git, a copy).
if git -C "$top" rev-parse HEAD >/dev/null 2>&1; then
	git clone -q "$top" "$root/src" || die "cannot clone $top"
	what="clone of $(git -C "$top" rev-parse --short HEAD) (committed work only)"
else
	# without its build directories (those with a config.status)
	excludes=""
	for d in "$top"/*/config.status; do
		[ -f "$d" ] && excludes="$excludes --exclude=./$(basename "$(dirname "$d")")"
	done
	# shellcheck disable=SC2086
	mkdir "$root/src" && (cd "$top" && tar -cf - $excludes .) | tar -C "$root/src" -xf - ||
		die "cannot copy $top"
	what="copy of $top"
fi

for m in proc sys dev; do
	case $m in
	proc) mount -t proc proc "$root/proc" ;;
	sys) mount -t sysfs sys "$root/sys" ;;
	dev) mount --rbind /dev "$root/dev" && mount --make-rslave "$root/dev" ;;
	esac || die "cannot mount $m in $root"
	mounted="$m $mounted"
done
say "Debian 12 root ready in $(( $(date +%s) - start )) s; $what"

status=0
for cmd in "$@"; do
	say "\$ $cmd"
	t0=$(date +%s)
	timeout --kill-after=30 "$limit" chroot "$root" /usr/bin/env -i HOME=/root \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		LANG=C.UTF-8 CI=true /bin/sh -c "cd /src && $cmd"
	rc=$?
	[ $rc = 124 ] && say "timed out after $limit s"
	say "exit $rc after $(( $(date +%s) - t0 )) s: $cmd"
	if [ $rc != 0 ]; then
		status=$rc
		break
	fi
done
exit $status
