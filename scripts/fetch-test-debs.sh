#!/bin/sh
# Download the real Debian packages that the tests extract into sysroots to
# compare interpfix with the real loader, as root.
#
#   fetch-test-debs.sh [DIR]   default DIR: /var/cache/interpfix/test-debs
#
# Fetches, for arm64 and s390x each, Debian 12's zstd and its whole
# dependency tree (apt-cache depends --recurse zstd libzstd1), for
# tests/realworld/foreign_sysroots_match_the_loader.sh; and, for amd64, the
# C and C++ runtimes of Debian 11 (bullseye) and 13 (trixie): libc6,
# libstdc++6, libgcc-s1 and its gcc-N-base, from deb.debian.org (apt here
# knows only the host's release), for targets_agree_with_old_loaders.sh.
# Those are listed in DIR/SUITE_amd64.sha256 (sha256sum -c format): the
# test finds a release's packages there. Idempotent: a package already in
# DIR is not fetched again. Prints one line per package.
set -eu

DIR=${1:-/var/cache/interpfix/test-debs}
ARCHES="arm64 s390x"
# zstd's real dependency tree on Debian 12, libc6's own deps included:
# zstd -> libc6 libgcc-s1 liblz4-1 liblzma5 libstdc++6 zlib1g,
# libgcc-s1 -> gcc-12-base; libzstd1 -> libc6.
PACKAGES="libc6 libgcc-s1 gcc-12-base libstdc++6 zstd libzstd1 liblzma5 liblz4-1 zlib1g"

# Other releases, straight from the mirror: their Packages index is read
# from a Release file whose signature gpgv checks against Debian's archive
# keys, the index against its SHA256 there, each .deb against the SHA256
# of its entry. libgcc-s1's Depends adds its gcc-N-base.
MIRROR=${IFX_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITES="bullseye trixie"
SUITE_ARCH=amd64
SUITE_PACKAGES="libc6 libstdc++6 libgcc-s1"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg

die() {
	echo "fetch-test-debs: $*" >&2
	exit 1
}

case $DIR in
-h | --help)
	sed -n '2,15s/^# \{0,1\}//p' "$0"
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

# have_suite SUITE: DIR/SUITE_amd64.sha256 lists every package of
# SUITE_PACKAGES, and every file it lists is in DIR, intact.
have_suite() {
	list="$DIR/$1_$SUITE_ARCH.sha256"
	[ -f "$list" ] || return 1
	for p in $SUITE_PACKAGES; do
		awk -v p="$p" '{ n = $2; sub(/_.*/, "", n); if (n == p) found = 1 }
			END { exit !found }' "$list" || return 1
	done
	(cd "$DIR" && sha256sum --quiet --strict -c "$list") >/dev/null 2>&1
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
suites="" shown=""
for s in $SUITES; do
	if have_suite "$s"; then
		while read -r _ f; do
			echo "have $s/$SUITE_ARCH ${f%%_*} ($f)"
		done <"$DIR/${s}_$SUITE_ARCH.sha256"
	else
		suites="$suites $s" shown="$shown $s/$SUITE_ARCH"
	fi
done
[ -z "$missing$suites" ] && exit 0

[ "$(id -u)" = 0 ] || die "missing:$missing$shown (run as root to fetch them)"

work=$(mktemp -d) || die "cannot create a temporary directory"
part=""
trap 'rm -rf "$work"; [ -z "$part" ] || rm -f "$part"' EXIT
log=$work/log

# get URL FILE: download URL to FILE, trying again when the mirror fails
# for a moment.
get() {
	try=1
	while :; do
		if command -v curl >/dev/null 2>&1; then
			curl -fsSL --connect-timeout 30 --max-time 900 -o "$2" "$1" >"$log" 2>&1 && return 0
		else
			wget -q -T 30 -O "$2" "$1" >"$log" 2>&1 && return 0
		fi
		[ "$try" -ge 3 ] && die "cannot download $1: $(grep -v '^$' "$log" | tail -n 1)"
		sleep $((try * 5))
		try=$((try + 1))
	done
}

# sha256_is FILE HEX: whether FILE's SHA256 is HEX.
sha256_is() {
	[ "$(sha256sum <"$1" | cut -d ' ' -f 1)" = "$2" ]
}

# entry PKG: "Filename<TAB>SHA256<TAB>Depends" of PKG in $work/Packages.
entry() {
	awk -v p="$1" 'BEGIN { RS = ""; FS = "\n" }
	{
		name = fn = sha = dep = ""
		for (i = 1; i <= NF; i++) {
			if ($i ~ /^Package: /) name = substr($i, 10)
			else if ($i ~ /^Filename: /) fn = substr($i, 11)
			else if ($i ~ /^SHA256: /) sha = substr($i, 9)
			else if ($i ~ /^Depends: /) dep = substr($i, 10)
		}
		if (name == p) { print fn "\t" sha "\t" dep; exit }
	}' "$work/Packages"
}

# fetch_suite SUITE: SUITE's packages into DIR, then its list.
fetch_suite() {
	s=$1
	get "$MIRROR/dists/$s/InRelease" "$work/InRelease"
	gpgv --keyring "$KEYRING" --output "$work/Release" "$work/InRelease" >"$log" 2>&1 ||
		die "$s: the signature of $MIRROR/dists/$s/InRelease does not verify: $(tail -n 1 "$log")"
	index=main/binary-$SUITE_ARCH/Packages.xz
	want=$(awk -v f="$index" '/^SHA256:/ { on = 1; next } /^[^ ]/ { on = 0 }
		on && $3 == f { print $1; exit }' "$work/Release")
	[ -n "$want" ] || die "$s: the Release file lists no $index"
	try=1
	until get "$MIRROR/dists/$s/$index" "$work/Packages.xz" && sha256_is "$work/Packages.xz" "$want"; do
		[ "$try" -ge 3 ] && die "$s: $index does not match the SHA256 of its Release file"
		sleep $((try * 5))
		try=$((try + 1))
	done
	xz -dc "$work/Packages.xz" >"$work/Packages" || die "$s: cannot decompress $index"

	pkgs=$SUITE_PACKAGES
	: >"$work/list"
	while [ -n "$pkgs" ]; do
		p=${pkgs%% *}
		[ "$p" = "$pkgs" ] && pkgs="" || pkgs=${pkgs#* }
		e=$(entry "$p")
		[ -n "$e" ] || die "$s: no package $p in $index"
		fn=$(echo "$e" | cut -f 1) sha=$(echo "$e" | cut -f 2) dep=$(echo "$e" | cut -f 3)
		f=${fn##*/}
		# Names as the tests glob them, and nothing a path could hide in.
		case $fn in
		pool/*/"${p}"_*_"$SUITE_ARCH".deb) ;;
		*) die "$s: unexpected Filename '$fn' for $p" ;;
		esac
		case $f in
		*/* | .* | *[!A-Za-z0-9+.~%_-]*) die "$s: unexpected Filename '$fn' for $p" ;;
		esac
		echo "$sha" | grep -Eqx '[0-9a-f]{64}' || die "$s: no SHA256 for $p in $index"
		if [ "$p" = libgcc-s1 ]; then
			for b in $(echo "$dep" | tr ',' '\n' | sed 's/^ *//; s/[ (].*//' |
				grep -Ex 'gcc-[0-9]+-base'); do
				pkgs="$pkgs${pkgs:+ }$b"
			done
		fi
		if [ -f "$DIR/$f" ] && sha256_is "$DIR/$f" "$sha"; then
			echo "have $s/$SUITE_ARCH $p ($f)"
		else
			part="$DIR/.$f.part"
			try=1
			until get "$MIRROR/$fn" "$part" && sha256_is "$part" "$sha" &&
				[ "$(dpkg-deb -f "$part" Package 2>/dev/null)" = "$p" ]; do
				[ "$try" -ge 3 ] && die "$s: $MIRROR/$fn does not match the SHA256 of its Packages entry"
				sleep $((try * 5))
				try=$((try + 1))
			done
			chmod 644 "$part"
			mv -f "$part" "$DIR/$f"
			part=""
			echo "fetched $s/$SUITE_ARCH $p ($f)"
		fi
		printf '%s  %s\n' "$sha" "$f" >>"$work/list"
	done
	chmod 644 "$work/list"
	mv -f "$work/list" "$DIR/${s}_$SUITE_ARCH.sha256"
}

if [ -n "$suites" ]; then
	for tool in gpgv xz sha256sum; do
		command -v "$tool" >/dev/null 2>&1 || die "needs $tool to fetch$suites"
	done
	command -v curl >/dev/null 2>&1 || command -v wget >/dev/null 2>&1 ||
		die "needs curl or wget to fetch$suites"
	[ -f "$KEYRING" ] ||
		die "needs $KEYRING to check the mirror's signature (apt-get install debian-archive-keyring)"
fi

if [ -n "$missing" ]; then
	command -v apt-get >/dev/null 2>&1 || die "needs apt-get (Debian or Ubuntu)"

	known=$(dpkg --print-foreign-architectures)
	for arch in $ARCHES; do
		echo "$known" | grep -qx "$arch" && continue
		dpkg --add-architecture "$arch" || die "dpkg --add-architecture $arch failed"
	done

	export DEBIAN_FRONTEND=noninteractive
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
fi

for s in $suites; do
	fetch_suite "$s"
done
