// A Go program with C code of its own: CGO_ENABLED=0 cannot build it, so
// the cure for a missing musl loader is a static link or a glibc build.
package main

/*
#include <stdio.h>
static void hello(void) { puts("owncgo ok"); fflush(stdout); }
*/
import "C"

func main() { C.hello() }
