#!/bin/sh
# Build the samples that reproduce the real failures, with what this
# machine's toolchains allow: build-samples.sh SRCDIR OUTDIR.
set -u
SRC=$1/samples
OUT=$2
BREW_LD=/home/linuxbrew/.linuxbrew/lib/ld.so
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export GOCACHE="$OUT/.gocache" GOPATH="$OUT/.gopath" GO111MODULE=off GOFLAGS=
status=0

have() { command -v "$1" >/dev/null 2>&1; }
report() { if [ "$1" = 0 ]; then echo "built $2: $3"; else echo "FAILED $2"; status=1; fi; }

gcc -o "$OUT/brew-hello" -Wl,--dynamic-linker=$BREW_LD "$SRC/hello.c"
report $? brew-hello "C hello linked by Linuxbrew's toolchain (PT_INTERP $BREW_LD)"
gcc -o "$OUT/brew-resolve" -Wl,--dynamic-linker=$BREW_LD "$SRC/resolve.c"
report $? brew-resolve "getaddrinfo program, Linuxbrew-style"
if have musl-gcc; then
	musl-gcc -o "$OUT/musl-hello" "$SRC/hello.c"
	report $? musl-hello "C hello against musl (PT_INTERP /lib/ld-musl-x86_64.so.1)"
else
	echo "skipped musl-hello: musl-gcc not found (apt install musl-tools)"
fi
if have go; then
	CGO_ENABLED=1 go build -o "$OUT/go-net-glibc" "$SRC/netdemo/main.go"
	report $? go-net-glibc "Go importing net, cgo against glibc"
	CGO_ENABLED=0 go build -o "$OUT/go-net-static" "$SRC/netdemo/main.go"
	report $? go-net-static "the same with CGO_ENABLED=0: static, no loader needed"
	if have musl-gcc; then
		CGO_ENABLED=1 CC=musl-gcc go build -o "$OUT/go-net-musl" "$SRC/netdemo/main.go"
		report $? go-net-musl "Go importing net, cgo against musl: the Alpine case"
	else
		echo "skipped go-net-musl: musl-gcc not found"
	fi
else
	echo "skipped go-net-glibc, go-net-static, go-net-musl: go not found (apt install golang-go)"
fi
exit $status
