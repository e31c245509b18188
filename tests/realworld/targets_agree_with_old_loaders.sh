#!/bin/sh
# The oracle is the real loader of an older and a newer Debian release:
# programs built here (Debian 12: glibc 2.36, GCC 12) with the host's gcc,
# g++ and go are traced (LD_TRACE_LOADED_OBJECTS: rtld.c checks every
# version, then stops before relocation and never reaches main) by the
# ld.so of a sysroot made of Debian 11's or 13's real libc6, libstdc++6 and
# libgcc-s1, and run through it. For each program and release, the versions
# that loader says are not found are exactly those `check --target
# debian-11` (or debian-13) names in its target-versions gaps; check exits
# 1 exactly when there are any, and each gap's symbol is bound to that
# version in the program and comes from the library the loader names; the
# program starts exactly when the trace found nothing missing. A program
# may ship libraries of its own (lib/ beside bin/, found through an $ORIGIN
# rpath): what the loader says they miss ("required by" the library, not
# the program) is exactly what check names in the findings whose needed_by
# is that library, object by object; its own gaps have needed_by null. On
# the host's own release, debian-12, the host's loader finds every version
# and check is clean. The releases' figures in `interpfix targets` are those of
# the real packages. The packages come from scripts/fetch-test-debs.sh,
# which lists each release's in DEBS/SUITE_amd64.sha256.
. "$IFX_SRCDIR/tests/cli/lib.sh"
require_tools gcc g++ jq readelf dpkg-deb timeout sha256sum
require_host x86_64
unset LD_LIBRARY_PATH LD_PRELOAD LD_AUDIT LD_BIND_NOW

DEBS=${IFX_TEST_DEBS:-/var/cache/interpfix/test-debs}
# TARGET:SUITE
RELEASES="debian-11:bullseye debian-13:trixie"
PKGS="libc6 libstdc++6 libgcc-s1"
TRIPLET=x86_64-linux-gnu

# suite_deb SUITE PKG: the .deb of PKG that DEBS/SUITE_amd64.sha256 lists.
suite_deb() {
	local f
	f=$(awk -v p="$2" '{ n = $2; sub(/_.*/, "", n); if (n == p) { print $2; exit } }' \
		"$DEBS/$1_amd64.sha256" 2>/dev/null)
	[ -n "$f" ] && [ -f "$DEBS/$f" ] && echo "$DEBS/$f"
}
for r in $RELEASES; do
	s=${r#*:}
	for p in $PKGS; do
		suite_deb "$s" "$p" >/dev/null && continue
		if [ "${IFX_REQUIRE_FIXTURES:-0}" = 1 ]; then
			echo "Bail out! $s's $p:amd64 not in $DEBS (run scripts/fetch-test-debs.sh)"
			exit 1
		fi
		skip_all "$s's $p:amd64 not in $DEBS (run scripts/fetch-test-debs.sh as root)"
	done
	if ! (cd "$DEBS" && sha256sum --quiet --strict -c "${s}_amd64.sha256") >/dev/null 2>&1; then
		echo "Bail out! $DEBS/${s}_amd64.sha256 does not match its files (run scripts/fetch-test-debs.sh again)"
		exit 1
	fi
done

# The programs, each: NAME|what it is|how it is built|what its DT_VERNEED
# must hold for the case to be what it claims (+FILE:NODE needed, -NODE not
# needed anywhere, !FILE no version of FILE needed, @PATH@FILE:NODE needed
# by the library $T/PATH)|the release its own needs are built for ("" for
# none in particular)|pins: what running it through a release's loader
# must do, whatever the trace says (RELEASE:runs, or RELEASE:NODE@PATH: it
# fails, the loader saying NODE is not found, required by $T/PATH). The
# build line runs in $T/src with $B the output; oldstart.c is an entry
# point of the pre-2.34 kind (below); shipped libraries go to $T/lib, the
# programs' $ORIGIN/../lib.
CASES="c-start|a C program (crt1's __libc_start_main)|gcc -O2 -o \$B hello.c|+libc.so.6:GLIBC_2.34|
c-fstat-thread|a C program calling fstat and pthread_create|gcc -O2 -pthread -o \$B fstat_thread.c|+libc.so.6:GLIBC_2.33 +libc.so.6:GLIBC_2.34|
c-f16-shared-libgcc|a C program converting to _Float16, -shared-libgcc|gcc -O2 -shared-libgcc -o \$B f16.c|+libgcc_s.so.1:GCC_12.0.0|
c-f16-static-libgcc|the same, -static-libgcc|gcc -O2 -static-libgcc -o \$B f16.c|!libgcc_s.so.1|
cxx-cv|a C++ program waiting on a std::condition_variable|g++ -O2 -pthread -o \$B cv.cc|+libstdc++.so.6:GLIBCXX_3.4.30|
cxx-cv-static|the same, -static-libstdc++ -static-libgcc|g++ -O2 -pthread -static-libstdc++ -static-libgcc -o \$B cv.cc|!libstdc++.so.6 !libgcc_s.so.1|
cxx-old|a C++ program using std::string and iostream only|g++ -O2 -o \$B old.cc|+libstdc++.so.6:GLIBCXX_3.4|
c-old-start|a C program with a pre-2.34 entry point|gcc -O2 -nostartfiles -o \$B oldstart.c hello.c|-GLIBC_2.34|debian-11
cxx-old-start|the std::string and iostream one with a pre-2.34 entry point|gcc -O2 -c -o oldstart.o oldstart.c && g++ -O2 -nostartfiles -o \$B oldstart.o old.cc|-GLIBC_2.34 +libstdc++.so.6:GLIBCXX_3.4|debian-11
cxx-eptr-old-start|a C++ program copying a std::exception_ptr, with a pre-2.34 entry point|gcc -O2 -c -o oldstart.o oldstart.c && g++ -O2 -nostartfiles -o \$B oldstart.o eptr.cc|+libstdc++.so.6:CXXABI_1.3.13 -GLIBC_2.34|
c-relr-old-start|the C one with RELR relocations (-z pack-relative-relocs)|gcc -O2 -nostartfiles -Wl,-z,pack-relative-relocs -o \$B oldstart.c relr.c|+libc.so.6:GLIBC_ABI_DT_RELR -GLIBC_2.34|
go-cgo|a cgo Go program|go build -o \$B cgo.go|+libc.so.6:GLIBC_2.34|
c-ships-libs-old-start|a C program with a pre-2.34 entry point shipping libcv.so (C++ condition_variable) and libsize.so (fstat) in ../lib|g++ -O2 -shared -fPIC -pthread -o ../lib/libcv.so libcv.cc && gcc -O2 -shared -fPIC -o ../lib/libsize.so libsize.c && gcc -O2 -nostartfiles -o \$B oldstart.c ships.c -L../lib -lcv -lsize -Wl,-rpath,'\$ORIGIN/../lib'|-GLIBC_2.34 -GLIBC_2.33 !libstdc++.so.6 @lib/libcv.so@libstdc++.so.6:GLIBCXX_3.4.30 @lib/libsize.so@libc.so.6:GLIBC_2.33|debian-11|debian-11:GLIBCXX_3.4.30@bin/../lib/libcv.so debian-11:GLIBC_2.33@bin/../lib/libsize.so debian-13:runs"
NCASES=$(echo "$CASES" | wc -l)
NREL=$(echo "$RELEASES" | wc -w)
NPINS=$(echo "$CASES" | cut -d '|' -f 6 | wc -w)
# Per release: the sysroot's loader, its figures; per program: the host's
# verdict, and per release the four verdicts; each pin.
plan $((NREL * 2 + NCASES * (1 + NREL * 4) + NPINS))

# The loader's lines carry real paths: work below the real path of $T.
T=$(cd "$T" && pwd -P)
mkdir -p "$T/src" "$T/bin" "$T/lib"

cat >"$T/src/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { puts("ran: hello"); return 0; }
EOF
cat >"$T/src/fstat_thread.c" <<'EOF'
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
static void *size_of(void *arg) {
	struct stat st;
	return (void *)(long)(fstat(*(int *)arg, &st) == 0);
}
int main(void) {
	pthread_t t;
	void *ok = 0;
	int fd = 1;
	if (pthread_create(&t, 0, size_of, &fd) != 0 || pthread_join(t, &ok) != 0 || !ok)
		return 1;
	puts("ran: fstat in a thread");
	return 0;
}
EOF
cat >"$T/src/f16.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
	volatile float f = argc > 1 ? (float)atof(argv[1]) : 1.5f;
	volatile _Float16 h = f; /* __truncsfhf2, __extendhfsf2 */
	printf("ran: %g\n", (double)(float)h);
	return 0;
}
EOF
cat >"$T/src/cv.cc" <<'EOF'
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
int main() {
	std::mutex m;
	std::condition_variable cv;
	bool ready = false;
	std::thread t([&] { std::lock_guard<std::mutex> g(m); ready = true; cv.notify_one(); });
	std::unique_lock<std::mutex> l(m);
	while (!ready)
		cv.wait(l); // GCC 12: condition_variable::wait is GLIBCXX_3.4.30
	l.unlock();
	t.join();
	std::puts("ran: condition_variable");
}
EOF
cat >"$T/src/old.cc" <<'EOF'
#include <iostream>
#include <string>
int main(int argc, char **argv) {
	std::string s = "ran: std::string";
	if (argc > 1)
		s += argv[1];
	std::cout << s << " and iostream" << std::endl;
	return 0;
}
EOF
cat >"$T/src/eptr.cc" <<'EOF'
#include <cstdio>
#include <exception>
#include <stdexcept>
int main() {
	std::exception_ptr p;
	try {
		throw std::runtime_error("exception_ptr");
	} catch (...) {
		p = std::current_exception();
	}
	std::exception_ptr q = p; // GCC 12: exception_ptr::_M_addref is CXXABI_1.3.13
	try {
		std::rethrow_exception(q);
	} catch (const std::exception &e) {
		std::printf("ran: %s\n", e.what());
	}
}
EOF
cat >"$T/src/relr.c" <<'EOF'
#include <stdio.h>
/* Pointers to relocate: RELR packs their relative relocations. */
static const char *words[] = { "ran:", "relr", "packed", "relocations" };
const char **w = words;
int main(void) { printf("%s %s %s %s\n", w[0], w[1], w[2], w[3]); return 0; }
EOF
# Since glibc 2.34, Scrt1.o calls __libc_start_main@@GLIBC_2.34, so every
# program linked here needs 2.34 and none would start on Debian 11. Before,
# crt1.o called __libc_start_main@GLIBC_2.2.5 with the program's own
# __libc_csu_init; csu/libc-start.c keeps that version for old programs
# and calls their init (a pre-2.34 libc runs no .init_array of the program
# itself: init must). This is that _start (sysdeps/x86_64/start.S of 2.33),
# linked with -nostartfiles.
cat >"$T/src/oldstart.c" <<'EOF'
__asm__(".symver __libc_start_main,__libc_start_main@GLIBC_2.2.5");

typedef void init_fn(int, char **, char **);
extern init_fn *__init_array_start[] __attribute__((visibility("hidden")));
extern init_fn *__init_array_end[] __attribute__((visibility("hidden")));
/* crtbeginS.o's, for __cxa_atexit; crt1.o's (libio checks it). */
void *__dso_handle __attribute__((visibility("hidden"))) = &__dso_handle;
const int _IO_stdin_used = 0x20001;

__attribute__((used)) static void run_init_array(int argc, char **argv, char **envp) {
	for (init_fn **f = __init_array_start; f < __init_array_end; f++)
		(*f)(argc, argv, envp);
}

__asm__(".text\n"
	".globl _start\n"
	".type _start, @function\n"
	"_start:\n"
	"	xorl %ebp, %ebp\n"
	"	movq %rdx, %r9\n"		/* rtld_fini */
	"	popq %rsi\n"			/* argc */
	"	movq %rsp, %rdx\n"		/* argv */
	"	andq $-16, %rsp\n"
	"	pushq %rax\n"
	"	pushq %rsp\n"			/* stack_end */
	"	xorl %r8d, %r8d\n"		/* fini */
	"	leaq run_init_array(%rip), %rcx\n"
	"	movq main@GOTPCREL(%rip), %rdi\n"
	"	call *__libc_start_main@GOTPCREL(%rip)\n"
	"	hlt\n");
EOF
# A program shipping its libraries: its own needs are old (oldstart.c),
# theirs are this host's: libcv.so needs GLIBCXX_3.4.30 (GCC 12) from
# libstdc++, libsize.so GLIBC_2.33 (fstat, no longer __fxstat) from libc.
cat >"$T/src/libcv.cc" <<'EOF'
#include <condition_variable>
#include <mutex>
#include <thread>
extern "C" int cv_handshake(void) {
	std::mutex m;
	std::condition_variable cv;
	bool ready = false;
	std::thread t([&] { std::lock_guard<std::mutex> g(m); ready = true; cv.notify_one(); });
	std::unique_lock<std::mutex> l(m);
	while (!ready)
		cv.wait(l); // GCC 12: condition_variable::wait is GLIBCXX_3.4.30
	l.unlock();
	t.join();
	return 42;
}
EOF
cat >"$T/src/libsize.c" <<'EOF'
#include <sys/stat.h>
long size_of(int fd) {
	struct stat st;
	return fstat(fd, &st) == 0 ? (long)st.st_size : -1; /* glibc 2.33: fstat@GLIBC_2.33 */
}
EOF
cat >"$T/src/ships.c" <<'EOF'
#include <stdio.h>
int cv_handshake(void);
long size_of(int fd);
int main(void) {
	printf("ran: shipped libraries, %d %s\n", cv_handshake(), size_of(1) >= -1 ? "ok" : "?");
	return 0;
}
EOF
cat >"$T/src/cgo.go" <<'EOF'
package main

/*
#include <stdio.h>
static int twice(int x) { return 2 * x; }
*/
import "C"

import "fmt"

func main() { fmt.Printf("ran: cgo %d\n", int(C.twice(21))) }
EOF

# verneed FILE: "LIBRARY<TAB>NODE" for each version FILE's DT_VERNEED needs.
verneed() {
	readelf -V -W "$1" 2>/dev/null | awk '
	/^Version needs section/ { on = 1; next }
	/^Version (symbols|definition) section/ { on = 0 }
	on { for (i = 1; i < NF; i++) {
		if ($i == "File:") f = $(i + 1)
		if ($i == "Name:") print f "\t" $(i + 1)
	} }' | sort -u
}

# premise NAME WORDS: whether NAME's DT_VERNEED is what the case claims.
premise() {
	local b=$T/bin/$1 w
	verneed "$b" >"$T/vn.$1"
	for w in $2; do
		case $w in
		+*) grep -qxF "$(echo "${w#+}" | tr ':' '\t')" "$T/vn.$1" ;;
		-*) ! cut -f2 "$T/vn.$1" | grep -qxF "${w#-}" ;;
		!*) ! cut -f1 "$T/vn.$1" | grep -qxF "${w#!}" ;;
		@*) p=${w#@} && p=${p%%@*} && verneed "$T/$p" |
			grep -qxF "$(echo "${w#@*@}" | tr ':' '\t')" ;;
		esac || { diag "$1: DT_VERNEED does not hold $w:" $(tr '\t' ':' <"$T/vn.$1"); return 1; }
	done
}

# build NAME LINE: NAME built in $T/src by LINE; 0 when it is what it
# claims, 1 when not built or not, 2 when the toolchain is absent.
build() {
	local tool=${2%% *}
	command -v "$tool" >/dev/null 2>&1 || return 2
	(cd "$T/src" && export B="$T/bin/$1" GOCACHE="$T/go-cache" GOPATH="$T/go" GOENV=off \
		GOFLAGS="" GOTOOLCHAIN=local GOPROXY=off CGO_ENABLED=1 HOME="$T" && eval "$2") \
		>"$T/build.$1" 2>&1 </dev/null || {
		diag "$1 did not build: $2" "$(cat "$T/build.$1")"
		return 1
	}
}

# trace LD LIBPATH FILE: what LD (with LIBPATH; "" for the host's own
# search) says is not found for FILE, traced: "LIBRARY<TAB>NODE" for each
# version FILE needs that is missing, sorted; in $T/theirs.by,
# "OBJECT<TAB>LIBRARY<TAB>NODE" for each version a library shipped with
# FILE (in $T/lib) needs that is missing, OBJECT named as the loader
# opened it ($ORIGIN expanded: $T/bin/../lib/libcv.so). Everything else
# that is not found is not what these cases set up: a library, or a
# version an object of the sysroot needs (a broken sysroot), a "weak
# version" (VER_FLG_WEAK, not fatal; binutils 2.40 never sets it here). It
# goes to $T/odd. The loader's words are in $T/trace.
# LD_TRACE_LOADED_OBJECTS is set by env for the loader alone (timeout would
# be traced instead).
trace() {
	local ld=$1 lp=$2 f=$3
	if [ -n "$lp" ]; then
		timeout 20 env LD_TRACE_LOADED_OBJECTS=1 "$ld" --inhibit-cache --library-path "$lp" \
			"$f" </dev/null >"$T/trace" 2>&1
	else
		timeout 20 env LD_TRACE_LOADED_OBJECTS=1 "$ld" "$f" </dev/null >"$T/trace" 2>&1
	fi
	TRC=$?
	# FILE: LIBPATH: version `NODE' not found (required by OBJECT)
	awk -v f="$f" -v by="$T/trace.by" -v q="'" -v bq='`' '
	BEGIN { printf "" > by }
	/not found/ {
		i = index($0, ": version " bq)
		j = index($0, q " not found (required by ")
		if (i > 0 && j > i && substr($0, length($0)) == ")") {
			lib = substr($0, 1, i - 1)
			sub(/.*\//, "", lib)
			ver = substr($0, i + length(": version ") + 1, j - i - length(": version ") - 1)
			obj = substr($0, j + length(q " not found (required by "))
			obj = substr(obj, 1, length(obj) - 1)
			if (obj == f)
				print lib "\t" ver
			else
				print obj "\t" lib "\t" ver > by
			next
		}
		print > "/dev/stderr"
	}' "$T/trace" 2>"$T/odd" | sort -u
	[ "$TRC" = 0 ] || echo "exit $TRC" >>"$T/odd"
	local obj lib ver
	while IFS='	' read -r obj lib ver; do
		case $(realpath -m "$obj") in
		"$T"/lib/*) printf '%s\t%s\t%s\n' "$obj" "$lib" "$ver" ;;
		*) echo "$lib: version $ver not found (required by $obj, not a library shipped in $T/lib)" >>"$T/odd" ;;
		esac
	done <"$T/trace.by" | sort -u >"$T/theirs.by"
}

# verdict TARGET FILE: check --target TARGET --format json on FILE; the
# versions of FILE's own target-versions gaps for TARGET (needed_by null)
# in $T/ours (sorted); those of the libraries it ships, per library,
# "NEEDED_BY<TAB>LIBRARY<TAB>NODE" in $T/ours.by (sorted); every gap
# "SYMBOL<TAB>NODE<TAB>LIBRARY<TAB>NEEDED_BY" in $T/gaps ("-": no symbol,
# or FILE itself; a tab is IFS white space, so an empty field would vanish
# in read).
verdict() {
	ifx check --format json --target "$1" "$2"
	jq -r --arg t "$1" '[.findings[] | select(.rule == "target-versions" and
		.deploy_target == $t and .needed_by == null) | (.gaps // [])[] | .version] |
		unique | .[]' "$T/out" >"$T/ours" 2>/dev/null || : >"$T/ours"
	jq -r --arg t "$1" '.findings[] | select(.rule == "target-versions" and
		.deploy_target == $t and .needed_by != null) | .needed_by as $o |
		(.gaps // [])[] | [$o, (.library // ""), (.version // "")] | @tsv' \
		"$T/out" 2>/dev/null | sort -u >"$T/ours.by"
	jq -r --arg t "$1" '.findings[] | select(.rule == "target-versions" and
		.deploy_target == $t) | (.needed_by // "-") as $o | (.gaps // [])[] |
		[(.symbol // "-"), (.version // ""), (.library // ""), $o] | @tsv' \
		"$T/out" >"$T/gaps" 2>/dev/null || : >"$T/gaps"
}

# gaps_are_real NAME: each gap's symbol is bound to its node in the .dynsym
# of the object that needs it (readelf: SYMBOL@NODE): NAME, or the shipped
# library its needed_by names; for a gap with no symbol, that object's
# DT_VERNEED needs the node; and the loader said the node is missing from
# that library for that object ($T/theirs, $T/theirs.by).
gaps_are_real() {
	local sym ver lib by o bad=0
	while IFS='	' read -r sym ver lib by; do
		[ "$sym" = - ] && sym=""
		o=$by
		[ "$by" = - ] && o=$T/bin/$1
		readelf --dyn-syms -W "$o" 2>/dev/null | awk '$7 == "UND" { print $8 }' >"$T/syms"
		verneed "$o" >"$T/vn.gap"
		if [ -n "$sym" ] && ! grep -qxF "$sym@$ver" "$T/syms"; then
			diag "gap $sym@$ver: readelf --dyn-syms $o has no $sym@$ver"
			bad=1
		elif [ -z "$sym" ] && ! grep -qxF "$lib	$ver" "$T/vn.gap"; then
			diag "gap (no symbol) $ver: DT_VERNEED of $o has no $lib:$ver"
			bad=1
		fi
		if [ "$by" = - ] && ! grep -qxF "$lib	$ver" "$T/theirs"; then
			diag "gap ${sym:-(no symbol)}@$ver is in $lib, where the loader did not miss it"
			bad=1
		elif [ "$by" != - ] && ! grep -qxF "$by	$lib	$ver" "$T/theirs.by"; then
			diag "gap ${sym:-(no symbol)}@$ver of $by is in $lib, where the loader did not miss it for $by"
			bad=1
		fi
	done <"$T/gaps"
	return $bad
}

# run LD LIBPATH FILE: FILE run through LD (with LIBPATH; "" to run it
# directly); its words in $T/run, its exit status in $RUN_RC.
run() {
	if [ -n "$2" ]; then
		timeout 20 "$1" --inhibit-cache --library-path "$2" "$3" </dev/null >"$T/run" 2>&1
	else
		timeout 20 "$3" </dev/null >"$T/run" 2>&1
	fi
	RUN_RC=$?
}

# starts LD LIBPATH FILE: FILE run through LD starts exactly when the trace
# found nothing missing ($T/theirs and $T/theirs.by empty): then it prints
# its "ran:" line and exits 0; else it fails saying a version the trace
# missed is not found, required by the object that needs it.
starts() {
	local f=$3 obj v said=""
	run "$@"
	if [ ! -s "$T/theirs" ] && [ ! -s "$T/theirs.by" ]; then
		[ "$RUN_RC" = 0 ] && grep -q '^ran: ' "$T/run" && return 0
		diag "it does not start (exit $RUN_RC): $(head -n 5 "$T/run")"
		return 1
	fi
	{ awk -F '\t' -v f="$f" '{ print f "\t" $2 }' "$T/theirs"; cut -f1,3 "$T/theirs.by"; } >"$T/missed"
	while IFS='	' read -r obj v; do
		grep -qF "version \`$v' not found (required by $obj)" "$T/run" && said=$v
	done <"$T/missed"
	[ "$RUN_RC" != 0 ] && [ -n "$said" ] && ! grep -q '^ran: ' "$T/run" && return 0
	diag "it should fail on a missing version; exit $RUN_RC: $(head -n 5 "$T/run")"
	return 1
}

# pinned LD LIBPATH FILE PIN: what running FILE through LD does is PIN:
# "runs" (exit 0, its "ran:" line), or NODE@PATH (it fails, the loader
# saying NODE is not found, required by $T/PATH).
pinned() {
	local pin=$4 node obj
	run "$1" "$2" "$3"
	if [ "$pin" = runs ]; then
		[ "$RUN_RC" = 0 ] && grep -q '^ran: ' "$T/run" && return 0
	else
		node=${pin%%@*} obj=$T/${pin#*@}
		[ "$RUN_RC" != 0 ] && ! grep -q '^ran: ' "$T/run" &&
			grep -qF "version \`$node' not found (required by $obj)" "$T/run" && return 0
	fi
	diag "exit $RUN_RC: $(head -n 5 "$T/run")"
	return 1
}

# newest FILE PREFIX: the newest PREFIXN.N node FILE defines, "N.N".
newest() {
	readelf -V -W "$1" 2>/dev/null | awk -v p="$2" '
	/^Version definition section/ { on = 1; next }
	/^Version needs section/ { on = 0 }
	on { for (i = 1; i < NF; i++) if ($i == "Name:" && index($(i + 1), p) == 1)
		print substr($(i + 1), length(p) + 1) }' | grep -E '^[0-9]+(\.[0-9]+)*$' |
		sort -V | tail -n 1
}

# show_both: the loader's and interpfix's words, for a failed assertion.
show_both() {
	diag "loader missed:" $(tr '\t' ':' <"$T/theirs") $(tr '\t' ':' <"$T/theirs.by") \
		"loader said: $(grep 'not found' "$T/trace" | head -n 8)" \
		"interpfix (exit $RC): $(cat "$T/out" "$T/err")"
}

# The sysroots. Debian 11 is not merged-/usr (ld.so in /lib/TRIPLET, its
# /lib64 link is absolute, so it would name the host's file); Debian 13 is
# (in /usr/lib/TRIPLET, /usr/lib64's link is relative): the loader is the
# first candidate whose real path is inside the root.
for r in $RELEASES; do
	tgt=${r%%:*} s=${r#*:}
	root=$T/root-$tgt
	mkdir -p "$root"
	for p in $PKGS; do
		dpkg-deb -x "$(suite_deb "$s" "$p")" "$root" ||
			{ echo "Bail out! cannot extract $s's $p"; exit 1; }
	done
	ld=""
	for c in lib64 usr/lib64 lib/$TRIPLET usr/lib/$TRIPLET; do
		real=$(readlink -f "$root/$c/ld-linux-x86-64.so.2" 2>/dev/null) || continue
		case $real in "$root"/*) [ -f "$real" ] && { ld=$real; break; } ;; esac
	done
	eval "LD_$(echo "$tgt" | tr -c 'a-z0-9\n' _)=\$ld"
	# The loader runs the root's own libc.so.6, which prints its release
	# (ld.so --version is 2.33's).
	want=$(dpkg-deb -f "$(suite_deb "$s" libc6)" Version)
	lp=$root/lib/$TRIPLET:$root/usr/lib/$TRIPLET
	libc=$(readlink -f "$root/lib/$TRIPLET/libc.so.6" 2>/dev/null)
	[ -f "$libc" ] || libc=$(readlink -f "$root/usr/lib/$TRIPLET/libc.so.6" 2>/dev/null)
	said=$([ -n "$ld" ] && timeout 20 "$ld" --inhibit-cache --library-path "$lp" "$libc" 2>&1 |
		head -n 1)
	good=no
	case $said in
	*" GLIBC $want) stable release version ${want%%-*}."*) [ -n "$ld" ] && good=yes ;;
	esac
	if [ "$good" = yes ]; then
		ok "$tgt: the sysroot's loader runs its libc.so.6: $said"
	else
		not_ok "$tgt: the sysroot's loader runs its libc.so.6, $s's glibc $want"
		diag "loader '${ld:-none}' with $libc says: $said"
	fi

	# What the real files define: the newest numbered node of each runtime.
	lib=$root/usr/lib/$TRIPLET
	gcc_s=$root/lib/$TRIPLET/libgcc_s.so.1
	[ -f "$gcc_s" ] || gcc_s=$lib/libgcc_s.so.1
	real="${want%%-*} $(newest "$lib/libstdc++.so.6" GLIBCXX_) $(newest "$lib/libstdc++.so.6" CXXABI_) $(newest "$gcc_s" GCC_)"
	"$INTERPFIX" targets --json "$tgt" 2>/dev/null >"$T/targets"
	ours=$(jq -r '.targets[0] | "\(.libc_version) \(.glibcxx) \(.cxxabi) \(.per_arch.x86_64.gcc)"' \
		"$T/targets" 2>/dev/null)
	if [ "$ours" = "$real" ]; then
		ok "$tgt: interpfix's figures (glibc, GLIBCXX, CXXABI, x86_64 GCC) are $s's packages': $real"
	else
		not_ok "$tgt: interpfix's figures (glibc, GLIBCXX, CXXABI, x86_64 GCC) are $s's packages'"
		diag "packages: $real" "interpfix targets: $ours"
	fi
done

host_is_12=no
if [ -r /etc/os-release ] && (. /etc/os-release && [ "$ID" = debian ] && [ "$VERSION_ID" = 12 ]); then
	host_is_12=yes
fi
HOST_LOADER=${HOST_LD:-/lib64/ld-linux-x86-64.so.2}

while IFS='|' read -r name what line claims runs_on pins <&3; do
	build "$name" "$line"
	built=$?
	case $built in
	2)
		diag "needs ${line%% *}, which is not installed (scripts/install-deps.sh --with-tests)"
		set -- "debian-12: $what ($name) finds every version on the host, check is clean"
		for r in $RELEASES; do
			set -- "$@" "${r%%:*}: the versions missing for $what ($name)" \
				"${r%%:*}: check's exit and gaps for $what ($name)" \
				"${r%%:*}: $what ($name) starts as the trace says" \
				"${r%%:*}: $what ($name): the versions its shipped libraries miss"
		done
		for p in $pins; do
			set -- "$@" "${p%%:*}: $what ($name) through its loader: ${p#*:}"
		done
		for d in "$@"; do
			if [ "${IFX_REQUIRE_FIXTURES:-0}" = 1 ]; then
				not_ok "$d (needs ${line%% *}: IFX_REQUIRE_FIXTURES=1)"
			else
				ok "$d # SKIP needs ${line%% *}"
			fi
		done
		continue
		;;
	esac
	b=$T/bin/$name
	if [ "$built" = 0 ] && ! premise "$name" "$claims"; then built=1; fi

	# The host's own release: its loader finds every version.
	d="debian-12: $what ($name) finds every version on the host, check is clean"
	if [ "$host_is_12" = no ]; then
		ok "$d # SKIP the host is not Debian 12"
	elif [ "$built" != 0 ]; then
		not_ok "$d (the case did not build what it claims)"
	else
		trace "$HOST_LOADER" "" "$b" >"$T/theirs"
		verdict debian-12 "$b"
		if [ ! -s "$T/theirs" ] && [ ! -s "$T/theirs.by" ] && [ ! -s "$T/odd" ] && [ "$RC" = 0 ] &&
			jq -e '.findings == []' "$T/out" >/dev/null 2>&1 && starts "" "" "$b"; then
			ok "$d"
		else
			not_ok "$d"
			show_both
			[ -s "$T/odd" ] && diag "host loader: $(cat "$T/odd")"
		fi
	fi

	for r in $RELEASES; do
		tgt=${r%%:*}
		eval "ld=\$LD_$(echo "$tgt" | tr -c 'a-z0-9\n' _)"
		root=$T/root-$tgt
		lp=$root/lib/$TRIPLET:$root/usr/lib/$TRIPLET
		if [ "$built" != 0 ] || [ -z "$ld" ]; then
			why="the case did not build what it claims"
			[ -n "$ld" ] || why="no loader in the $tgt root"
			not_ok "$tgt: the versions missing for $what ($name) ($why)"
			not_ok "$tgt: check's exit and gaps for $what ($name) ($why)"
			not_ok "$tgt: $what ($name) starts as the trace says ($why)"
			not_ok "$tgt: $what ($name): the versions its shipped libraries miss ($why)"
			for p in $pins; do
				case $p in "$tgt":*) not_ok "$tgt: $what ($name) through its loader: ${p#*:} ($why)" ;; esac
			done
			continue
		fi
		trace "$ld" "$lp" "$b" >"$T/theirs"
		cut -f2 "$T/theirs" | sort -u >"$T/theirs.versions"
		verdict "$tgt" "$b"
		missed=$(tr '\n' ' ' <"$T/theirs.versions")
		missed=${missed% }
		# the libraries' misses, "libcv.so:GLIBCXX_3.4.30" (their file names)
		missed_by=$(awk -F '\t' '{ n = $1; sub(/.*\//, "", n); printf "%s%s:%s", sep, n, $3; sep = " " }' \
			"$T/theirs.by")
		echo "$tgt $name ${missed:-nothing}${missed_by:+; shipped: $missed_by}" >>"$T/figures"

		# (a) The same versions.
		d="$tgt: the versions missing for $what ($name) are the loader's: ${missed:-none}"
		if [ -s "$T/odd" ]; then
			not_ok "$d (the sysroot is broken)"
			diag "loader: $(cat "$T/odd")"
		elif cmp -s "$T/theirs.versions" "$T/ours"; then
			ok "$d"
		else
			not_ok "$d"
			diag "interpfix's gaps:" $(cat "$T/ours")
			show_both
		fi

		# (b) The exit status, and gaps that are real.
		d="$tgt: check's exit and gaps for $what ($name)"
		if [ ! -s "$T/theirs" ] && [ ! -s "$T/theirs.by" ]; then
			if [ "$RC" = 0 ] && jq -e '.findings == []' "$T/out" >/dev/null 2>&1; then
				ok "$d: exit 0, no finding, as the loader finds every version"
			else
				not_ok "$d: exit 0, no finding, as the loader finds every version"
				show_both
			fi
		elif [ "$RC" = 1 ] && [ -s "$T/gaps" ] && gaps_are_real "$name"; then
			ok "$d: exit 1, each gap bound to its version in .dynsym"
		else
			not_ok "$d: exit 1, each gap bound to its version in .dynsym"
			show_both
		fi

		# (c) Running it: what the trace says happens.
		d="$tgt: $what ($name) starts as the trace says"
		if [ "$runs_on" = "$tgt" ] && [ -s "$T/theirs" ]; then
			not_ok "$d (built to run on $tgt, it does not: the case is not what it claims)"
			show_both
		elif starts "$ld" "$lp" "$b"; then
			if [ -s "$T/theirs" ] || [ -s "$T/theirs.by" ]; then
				ok "$d: it does not ($(grep -o "version \`[^']*' not found (required by [^)]*)" "$T/run" | head -n 1))"
			else
				ok "$d: it does ($(grep '^ran: ' "$T/run" | head -n 1))"
			fi
		else
			not_ok "$d"
		fi

		# (d) The libraries it ships, object by object. The loader names a
		# library as it opened it, $ORIGIN expanded to the directory of the
		# path it was given and not resolved ($T/bin/../lib/libcv.so), and so
		# does check's needed_by: compared as they are, no realpath, so that
		# the form is asserted too.
		d="$tgt: $what ($name): the versions its shipped libraries miss are the loader's, per library: ${missed_by:-none}"
		if [ -s "$T/odd" ]; then
			not_ok "$d (the sysroot is broken)"
			diag "loader: $(cat "$T/odd")"
		elif cmp -s "$T/theirs.by" "$T/ours.by"; then
			ok "$d"
		else
			not_ok "$d"
			diag "interpfix's, per needed_by:" "$(cat "$T/ours.by")"
			show_both
		fi

		# (e) The pins: what running it must do, whatever the trace says.
		for p in $pins; do
			case $p in "$tgt":*) ;; *) continue ;; esac
			p=${p#*:}
			if [ "$p" = runs ]; then
				d="$tgt: $what ($name) runs through its loader, exit 0"
			else
				d="$tgt: $what ($name) fails through its loader: version \`${p%%@*}' not found (required by $T/${p#*@})"
			fi
			if pinned "$ld" "$lp" "$b" "$p"; then ok "$d"; else not_ok "$d"; fi
		done
	done
done 3<<EOF
$CASES
EOF
# The figures, for the log: what each loader said was missing.
if [ -f "$T/figures" ]; then
	diag "versions each loader did not find:"
	sed 's/^/#   /' "$T/figures"
fi
done_testing
