#!/bin/sh
# Install what interpfix needs, on Debian 12 or Ubuntu 22.04+, as root.
# Installs only what is missing.
#
#   install-deps.sh                  to build: compiler, autotools, libelf, libzip, libarchive, zlib, jansson, cmocka
#   install-deps.sh --with-samples   ... and what the demo's samples are built with
#   install-deps.sh --with-tests     ... and everything the whole test suite uses,
#                                    and the arm64/s390x .debs it extracts into sysroots
#   install-deps.sh --list [--with-samples|--with-tests]   print the packages, install nothing
set -eu

BUILD="build-essential autoconf automake libtool pkg-config libelf-dev libzip-dev libarchive-dev zlib1g-dev libjansson-dev libcmocka-dev"

# The samples reproduce the two real failures: a Go program linked against
# musl (the Alpine case) and binaries naming Linuxbrew's loader.
SAMPLES="musl-tools golang-go zip unzip"

# The tests build real binaries with every linker (bfd, gold, lld, mold),
# musl-gcc, Go and a cross gcc with its glibc for each psABI loader row, run
# foreign binaries under qemu-user, compare with readelf/eu-elflint/patchelf/
# scanelf, and check metadata with getfattr/setcap/setpriv.
CROSS="gcc-aarch64-linux-gnu libc6-dev-arm64-cross
       gcc-s390x-linux-gnu libc6-dev-s390x-cross
       gcc-i686-linux-gnu libc6-dev-i386-cross
       gcc-x86-64-linux-gnux32 libc6-dev-x32-cross
       gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
       gcc-arm-linux-gnueabi libc6-dev-armel-cross
       gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
       gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross
       gcc-powerpc64-linux-gnu libc6-dev-ppc64-cross
       gcc-mips64el-linux-gnuabi64 libc6-dev-mips64el-cross
       gcc-mipsel-linux-gnu libc6-dev-mipsel-cross"
TEST="$SAMPLES $CROSS clang lld binutils mold qemu-user patchelf pax-utils
      elfutils attr libcap2-bin jq valgrind util-linux zip unzip
      libarchive-tools python3 python3-jsonschema xz-utils zstd bzip2 file
      llvm libclang-rt-14-dev debian-archive-keyring gpgv curl"

list=no want=$BUILD debs=no
for arg in "$@"; do
	case $arg in
	--with-samples) want="$BUILD $SAMPLES" ;;
	--with-tests) want="$BUILD $TEST" debs=yes ;;
	--list) list=yes ;;
	-h | --help)
		sed -n '2,10s/^# \{0,1\}//p' "$0"
		exit 0
		;;
	*)
		echo "install-deps: unknown argument '$arg' (see --help)" >&2
		exit 2
		;;
	esac
done

if [ "$list" = yes ]; then
	# shellcheck disable=SC2086
	printf '%s\n' $want
	exit 0
fi

# The tests also judge real Debian packages of other architectures (arm64,
# s390x) extracted into sysroots: scripts/fetch-test-debs.sh downloads them.
fetch_debs() {
	[ "$debs" = yes ] || return 0
	sh "$(dirname "$0")/fetch-test-debs.sh" >/dev/null
}

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	fetch_debs
	exit
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# A mirror can fail for a moment: try again before giving up.
for try in 1 2 3; do
	if apt-get update -qq &&
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
		fetch_debs
		exit
	fi
	echo "install-deps: apt-get failed (try $try of 3)" >&2
	sleep $((try * 10))
done
echo "install-deps: could not install:$missing" >&2
exit 1
