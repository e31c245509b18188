#!/bin/sh
# Quick start, step 1: build interpfix and run it on the bundled samples.
set -eu
cd "$(dirname "$0")/.."
sh scripts/install-deps.sh --with-samples
[ -x configure ] || autoreconf -fi >/dev/null
mkdir -p build
cd build
[ -f Makefile ] || ../configure -q
make -s -j"$(nproc)"
make -s demo
