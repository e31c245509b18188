// netdemo imports net, so with CGO_ENABLED=1 (the default where a C
// compiler exists) go build links it against the C library: on Alpine that
// is musl, and the binary names /lib/ld-musl-x86_64.so.1 as its loader.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	if _, err := net.LookupHost("localhost"); err != nil {
		fmt.Fprintln(os.Stderr, "netdemo:", err)
		os.Exit(1)
	}
	fmt.Println("netdemo ok")
}
