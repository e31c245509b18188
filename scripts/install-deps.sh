#!/bin/sh
# Install what interpfix needs to build and to run its whole test suite, on
# Debian 12 or Ubuntu 22.04+, as root. Installs only what is missing.
set -eu

BUILD="build-essential autoconf automake libtool pkg-config libelf-dev libcmocka-dev"
# The tests build real binaries with real toolchains, and run foreign ones
# under qemu-user.
TEST="clang lld binutils mold musl-tools golang-go
      gcc-aarch64-linux-gnu libc6-dev-arm64-cross
      gcc-s390x-linux-gnu libc6-dev-s390x-cross
      gcc-i686-linux-gnu libc6-dev-i386-cross
      qemu-user patchelf elfutils attr libcap2-bin jq valgrind util-linux"

missing=""
for p in $BUILD ${1:+$TEST}; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
