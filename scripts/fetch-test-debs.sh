#!/bin/sh
# Download real Debian 12 packages of other architectures for the tests
# that compare interpfix with the real loader on foreign sysroots
# (tests/realworld/foreign_sysroots_match_the_loader.sh), as root.
#
#   fetch-test-debs.sh [DIR]   default DIR: /var/cache/interpfix/test-debs
#
# Fetches, for arm64 and s390x each, zstd and its whole dependency tree
# (apt-cache depends --recurse zstd libzstd1). Idempotent: a package
# already in DIR is not fetched again. Prints one line per package.
set -eu

DIR=${1:-/var/cache/interpfix/test-debs}
ARCHES="arm64 s390x"
# zstd's real dependency tree on Debian 12, libc6's own deps included:
# zstd -> libc6 libgcc-s1 liblz4-1 liblzma5 libstdc++6 zlib1g,
# libgcc-s1 -> gcc-12-base; libzstd1 -> libc6.
PACKAGES="libc6 libgcc-s1 gcc-12-base libstdc++6 zstd libzstd1 liblzma5 liblz4-1 zlib1g"

die() {
	echo "fetch-test-debs: $*" >&2
	exit 1
}

case $DIR in
-h | --help)
	sed -n '2,10s/^# \{0,1\}//p' "$0"
	exit 0
	;;
-*) die "unknown option '$DIR' (see --help)" ;;
esac

mkdir -p "$DIR" 2>/dev/null || die "cannot create $DIR"
DIR=$(cd "$DIR" && pwd -P) || die "cannot enter $DIR"

# have PKG ARCH: the file name of a good .deb of PKG for ARCH in DIR, if any.
have() {
	for f in "$DIR/$1"_*_"$2".deb; do
		[ -f "$f" ] || continue
		if dpkg-deb -f "$f" Package >/dev/null 2>&1; then
			echo "${f##*/}"
			return 0
		fi
		rm -f "$f" # a truncated download: fetch it again
	done
	return 1
}

missing=""
for arch in $ARCHES; do
	for p in $PACKAGES; do
		if f=$(have "$p" "$arch"); then
			echo "have $arch $p ($f)"
		else
			missing="$missing $p:$arch"
		fi
	done
done
[ -z "$missing" ] && exit 0

[ "$(id -u)" = 0 ] || die "missing:$missing (run as root to fetch them)"
command -v apt-get >/dev/null 2>&1 || die "needs apt-get (Debian or Ubuntu)"

known=$(dpkg --print-foreign-architectures)
for arch in $ARCHES; do
	echo "$known" | grep -qx "$arch" && continue
	dpkg --add-architecture "$arch" || die "dpkg --add-architecture $arch failed"
done

export DEBIAN_FRONTEND=noninteractive
log=$(mktemp) || die "cannot create a temporary file"
trap 'rm -f "$log"' EXIT
# A mirror can fail for a moment: try again before giving up.
try=1
until apt-get update -qq >"$log" 2>&1; do
	[ "$try" -ge 3 ] && die "apt-get update failed 3 times: $(tail -n 1 "$log")"
	sleep $((try * 10))
	try=$((try + 1))
done

# apt-get download drops its privileges to _apt where it can write DIR.
chmod 755 "$DIR" 2>/dev/null || true
for spec in $missing; do
	p=${spec%:*} arch=${spec#*:}
	try=1
	until (cd "$DIR" && apt-get download -qq "$spec") >"$log" 2>&1 &&
		f=$(have "$p" "$arch"); do
		[ "$try" -ge 3 ] &&
			die "apt-get download $spec failed: $(grep -v '^$' "$log" | tail -n 1)"
		sleep $((try * 5))
		try=$((try + 1))
	done
	echo "fetched $arch $p ($f)"
done
