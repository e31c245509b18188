#!/bin/sh
# Deploy targets judge real binaries as their loaders would: check --target
# names every symbol@version a target lacks (the nodes and the symbols bound
# to them come from readelf here, never from interpfix), fix --target writes
# the target's loader or refuses, show says where a binary runs, and targets
# lists the table. Built here: a C hello, a C++ program needing GLIBCXX_3.4.30,
# the same with static libstdc++, musl, static, Go cgo, an aarch64 hello, and
# an app shipping its own library (bin/app, lib/libcv.so, $ORIGIN/../lib):
# the shipped library's needs are the app's findings, the system's libz's
# are not.
. "$IFX_SRCDIR/tests/cli/lib.sh"

require_host x86_64
require_tools gcc g++ musl-gcc readelf jq cmp
plan 48

export LC_ALL=C
STD=/lib64/ld-linux-x86-64.so.2
STD_A64=/lib/ld-linux-aarch64.so.1
BREW=/home/linuxbrew/.linuxbrew/lib/ld.so
HELLO_OUT="hello from interpfix"
# What the targets hold (their distributions' packages, not interpfix's
# table): amzn-2 glibc 2.26, libstdc++ GLIBCXX_3.4.24, CXXABI_1.3.11,
# libgcc_s GCC_7.0.0; rhel-9 glibc 2.34, GLIBCXX_3.4.29, CXXABI_1.3.13;
# debian-13 glibc 2.41 and ubuntu-24.04 glibc 2.39, both with GCC 14's
# libstdc++ (GLIBCXX_3.4.33, CXXABI_1.3.15) and libgcc_s (GCC_14.0.0).
AMZN2="2.26 3.4.24 1.3.11 7.0.0"
RHEL9="2.34 3.4.29 1.3.13 7.0.0"
DEBIAN13="2.41 3.4.33 1.3.15 14.0.0"
UBUNTU2404="2.39 3.4.33 1.3.15 14.0.0"

jqt() { jq -e "$@" >/dev/null; }
bail() { echo "Bail out! $*"; exit 1; }
show_failure() {
	diag "exit $RC; stdout:" "$(head -c 600 "$T/out")" "stderr:" "$(head -c 600 "$T/err")"
}
# same DESC GOT WANT: one TAP line, both sides shown when they differ.
same() {
	if [ "$2" = "$3" ]; then
		ok "$1"
	else
		not_ok "$1"
		diag "interpfix:" "$2" "expected (readelf):" "$3"
	fi
}
interp_of() { readelf -lW "$1" | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p'; }

# ver_gt A B: whether version A is newer than B.
ver_gt() {
	[ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | tail -n 1)" = "$1" ]
}
# nodes FILE PREFIX: the numeric PREFIX_ nodes FILE's DT_VERNEED names.
nodes() {
	readelf -V -W "$1" | sed -n "s/.*Name: $2_\([0-9][0-9.]*\)  Flags.*/\1/p" | sort -uV
}
# bound FILE NODE: the dynamic symbols bound to version NODE.
bound() {
	readelf --dyn-syms -W "$1" | awk -v v="@$2" '
		{ for (i = 1; i <= NF; i++) if (index($i, "@") && substr($i, length($i) - length(v) + 1) == v && !index($i, "@@")) print substr($i, 1, length($i) - length(v)) }' |
		sort -u
}
# expect_gaps FILE "GLIBC GLIBCXX CXXABI GCC": one line "PREFIX NODE SYMBOL"
# (SYMBOL - when none is bound) for each node newer than the target has.
expect_gaps() {
	local f="$1" have p n s
	# shellcheck disable=SC2086 # the four figures, one word each
	set -- $2
	for p in GLIBC GLIBCXX CXXABI GCC; do
		have=$1
		shift
		for n in $(nodes "$f" "$p"); do
			ver_gt "$n" "$have" || continue
			s=$(bound "$f" "${p}_$n")
			[ -n "$s" ] || s=-
			for s in $s; do echo "$p ${p}_$n $s"; done
		done
	done | sort
}
# got_gaps TARGET: the same lines from the check --format json in $T/out.
got_gaps() {
	jq -r --arg t "$1" '.findings[] | select(.rule == "target-versions" and .deploy_target == $t)
		| .gaps[] | "\(.version | sub("_[0-9.]*$"; "")) \(.version) \(.symbol // "-")"' "$T/out" | sort
}
# one_per_runtime TARGET: each target-versions finding holds one runtime's
# nodes, none twice; its symbols are its gaps' symbol@version.
one_per_runtime() {
	jqt --arg t "$1" '[.findings[] | select(.rule == "target-versions" and .deploy_target == $t)]
		| (map([.gaps[].version | sub("_[0-9.]*$"; "")] | unique) | all(length == 1))
		and (map(.gaps[0].version | sub("_[0-9.]*$"; "")) | length == (unique | length))
		and all(.[]; (.symbols | sort) == ([.gaps[] | select(.symbol) | "\(.symbol)@\(.version)"] | sort))' "$T/out"
}
# gaps_match DESC FILE TARGET FIGURES: check --target TARGET --format json
# finds exactly readelf's gaps, grouped per runtime; exit 1 iff any.
gaps_match() {
	local want got want_rc=0
	want=$(expect_gaps "$2" "$4")
	[ -n "$want" ] && want_rc=1
	ifx check --target "$3" --format json "$2"
	got=$(got_gaps "$3")
	if [ "$RC" = "$want_rc" ] && [ "$got" = "$want" ] && one_per_runtime "$3"; then
		ok "$1"
	else
		not_ok "$1"
		diag "exit $RC (want $want_rc); interpfix gaps:" "$got" "readelf gaps:" "$want" "stderr: $(head -c 300 "$T/err")"
	fi
}

# The binaries, built here with the host's toolchains.
cat >"$T/cv.cc" <<'EOF'
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
static std::mutex m;
static std::condition_variable cv;
static bool ready;
int main()
{
	std::thread t([] { std::lock_guard<std::mutex> l(m); ready = true; cv.notify_one(); });
	std::unique_lock<std::mutex> l(m);
	while (!ready)
		cv.wait(l); // GLIBCXX_3.4.30 since GCC 12: wait(unique_lock<mutex>&)
	l.unlock();
	t.join();
	std::puts("hello from c++");
	return 0;
}
EOF
gcc -o "$T/hello" "$IFX_SRCDIR/samples/hello.c" || bail "gcc failed"
g++ -o "$T/cv" "$T/cv.cc" -pthread || bail "g++ failed"
g++ -o "$T/cv-static" "$T/cv.cc" -pthread -static-libstdc++ -static-libgcc || bail "g++ -static-libstdc++ failed"
musl-gcc -o "$T/musl" "$IFX_SRCDIR/samples/hello.c" || bail "musl-gcc failed"
gcc -static -o "$T/static" "$IFX_SRCDIR/samples/hello.c" || bail "gcc -static failed"

# the premise of the amzn-2 cases below.
if [ "$(nodes "$T/hello" GLIBC | tail -n 1)" = 2.34 ] && bound "$T/hello" GLIBC_2.34 | grep -qx __libc_start_main; then
	ok "readelf: the C hello's newest node is GLIBC_2.34, bound to __libc_start_main"
else
	not_ok "readelf: the C hello's newest node is GLIBC_2.34, bound to __libc_start_main"
	diag "nodes: $(nodes "$T/hello" GLIBC | tr '\n' ' ')"
fi

# the C hello on amzn-2.
ifx check --target amzn-2 --format json "$T/hello"
if [ "$RC" = 1 ] && jqt '[.findings[] | select(.rule == "target-versions")] | length == 1 and .[0].deploy_target == "amzn-2"' "$T/out"; then
	ok "check --target amzn-2: exit 1, one target-versions finding on amzn-2"
else
	not_ok "check --target amzn-2: exit 1, one target-versions finding on amzn-2"
	show_failure
fi
gaps_match "its gaps are readelf's GLIBC_ nodes above 2.26 with the symbols bound to them" "$T/hello" amzn-2 "$AMZN2"
ifx check --target amzn-2 --format json "$T/hello"
check "each gap: library libc.so.6, since the glibc release of its node (glibc 2.34)" \
	jqt '[.findings[] | select(.deploy_target == "amzn-2") | .gaps[]] as $g
		| ($g | length) > 0
		and all($g[]; .library == "libc.so.6" and .since == "glibc " + (.version | ltrimstr("GLIBC_")))
		and any($g[]; .symbol == "__libc_start_main" and .since == "glibc 2.34")' "$T/out"
ifx check --target amzn-2 "$T/hello"
if [ "$RC" = 1 ] && grep -q "^$T/hello: target-versions: on amzn-2: needs glibc 2.34, the target has 2.26: .*__libc_start_main@GLIBC_2.34 (libc.so.6, since glibc 2.34)" "$T/out"; then
	ok "text: names __libc_start_main@GLIBC_2.34 (libc.so.6, since glibc 2.34)"
else
	not_ok "text: names __libc_start_main@GLIBC_2.34 (libc.so.6, since glibc 2.34)"
	show_failure
fi

# the C++ program.
gaps_match "C++ on amzn-2: glibc and GLIBCXX_ gaps as readelf has them, one finding per runtime" "$T/cv" amzn-2 "$AMZN2"
check "C++ on amzn-2: the GLIBCXX_ finding names wait(unique_lock<mutex>&)@GLIBCXX_3.4.30, since GCC 12.1.0" \
	jqt '[.findings[] | select(.deploy_target == "amzn-2" and any(.gaps[]; .version | startswith("GLIBCXX_")))] | length == 1
		and (.[0].symbols | index("_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE@GLIBCXX_3.4.30"))
		and any(.[0].gaps[]; .version == "GLIBCXX_3.4.30" and .since == "GCC 12.1.0" and .library == "libstdc++.so.6")' "$T/out"
gaps_match "C++ on rhel-9: only the GLIBCXX_ gap (3.4.29 < 3.4.30), glibc 2.34 is enough" "$T/cv" rhel-9 "$RHEL9"
ifx check --target rhel-9 --format json "$T/cv"
check "... and no glibc finding on rhel-9" \
	jqt '(.findings | length) == 1 and all(.findings[].gaps[]; .version | startswith("GLIBCXX_"))' "$T/out"
want=$(expect_gaps "$T/cv" "$DEBIAN13")$(expect_gaps "$T/cv" "$UBUNTU2404")
ifx check --target debian-13 --target ubuntu-24.04 --format json "$T/cv"
if [ -z "$want" ] && [ "$RC" = 0 ] && jqt '.findings == [] and .exit_status == 0' "$T/out"; then
	ok "C++ on debian-13 and ubuntu-24.04: clean, exit 0"
else
	not_ok "C++ on debian-13 and ubuntu-24.04: clean, exit 0"
	diag "readelf gaps: $want"
	show_failure
fi

# An app shipping its library: bin/app (C, needs glibc 2.34 only) finds
# lib/libcv.so (C++, GLIBCXX_3.4.30) through its RUNPATH $ORIGIN/../lib,
# and libz.so.1 in the system's directories. The loader checks libcv.so's
# versions too, and names it as it opens it: $ORIGIN expanded, unresolved.
cat >"$T/libcv.cc" <<'EOF'
#include <condition_variable>
#include <mutex>
#include <thread>
extern "C" int cv_handshake(void)
{
	std::mutex m;
	std::condition_variable cv;
	bool ready = false;
	std::thread t([&] { std::lock_guard<std::mutex> g(m); ready = true; cv.notify_one(); });
	std::unique_lock<std::mutex> l(m);
	while (!ready)
		cv.wait(l); // GLIBCXX_3.4.30
	l.unlock();
	t.join();
	return 42;
}
EOF
cat >"$T/ships.c" <<'EOF'
#include <stdio.h>
#include <zlib.h>
int cv_handshake(void);
int main(void)
{
	printf("shipped %d, zlib %s\n", cv_handshake(), zlibVersion());
	return 0;
}
EOF
APP=$T/ship/bin/app
SHIPPED=$T/ship/bin/../lib/libcv.so
mkdir -p "$T/ship/bin" "$T/ship/lib"
g++ -O2 -shared -fPIC -pthread -o "$T/ship/lib/libcv.so" "$T/libcv.cc" || bail "g++ -shared failed"
# shellcheck disable=SC2016 # $ORIGIN is the loader's, not the shell's
gcc -O2 -o "$APP" "$T/ships.c" -L"$T/ship/lib" -lcv -lz -Wl,-rpath,'$ORIGIN/../lib' ||
	bail "gcc with -lcv -lz failed"
# the libz this host's loader gives the app (a system directory's)
ZLIB=$(LD_TRACE_LOADED_OBJECTS=1 "$APP" 2>/dev/null | awk '$1 == "libz.so.1" { print $3 }')
ZLIB=$(readlink -f "$ZLIB")
# gaps_of NEEDED_BY TARGET: got_gaps's lines for the findings of that
# needed_by ("" for the file's own).
gaps_of() {
	jq -r --arg n "$1" --arg t "$2" '.findings[] | select(.rule == "target-versions"
		and .deploy_target == $t and (.needed_by // "") == $n)
		| .gaps[] | "\(.version | sub("_[0-9.]*$"; "")) \(.version) \(.symbol // "-")"' "$T/out" | sort
}
want_lib=$(expect_gaps "$T/ship/lib/libcv.so" "$RHEL9")
want_app=$(expect_gaps "$APP" "$RHEL9")
if [ "$want_lib" = "GLIBCXX GLIBCXX_3.4.30 _ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE" ] &&
	[ -z "$want_app" ] && [ "$(nodes "$APP" GLIBC | tail -n 1)" = 2.34 ] &&
	readelf -dW "$APP" | grep -qF '(RUNPATH)            Library runpath: [$ORIGIN/../lib]' &&
	readelf -dW "$APP" | grep -qF 'Shared library: [libz.so.1]' &&
	[ -f "$ZLIB" ] && case $ZLIB in "$T"/*) false ;; esac &&
	"$APP" 2>&1 | grep -qx 'shipped 42, zlib [0-9.]*'; then
	ok "readelf: the app needs glibc 2.34 and no more (RUNPATH \$ORIGIN/../lib, libz.so.1); its libcv.so GLIBCXX_3.4.30 (wait); it runs here"
else
	not_ok "readelf: the app needs glibc 2.34 and no more (RUNPATH \$ORIGIN/../lib, libz.so.1); its libcv.so GLIBCXX_3.4.30 (wait); it runs here"
	diag "libcv.so beyond rhel-9: $want_lib" "app beyond rhel-9: $want_app" "libz: $ZLIB" \
		"$(readelf -dW "$APP" | grep -E 'NEEDED|PATH')" "ran: $("$APP" 2>&1)"
fi
ifx check --target rhel-9 --format json "$APP"
got_lib=$(gaps_of "$SHIPPED" rhel-9)
got_app=$(gaps_of "" rhel-9)
if [ "$RC" = 1 ] && [ "$got_lib" = "$want_lib" ] && [ -z "$got_app" ] &&
	jqt --arg n "$SHIPPED" '(.findings | length) == 1 and .findings[0].rule == "target-versions"
		and .findings[0].needed_by == $n and .findings[0].library == null
		and .findings[0].symbols == ["_ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE@GLIBCXX_3.4.30"]
		and .findings[0].gaps[0].library == "libstdc++.so.6"' "$T/out"; then
	ok "shipped on rhel-9: one target-versions finding, GLIBCXX_3.4.30 of ../lib/libcv.so (needed_by), none of the app's own"
else
	not_ok "shipped on rhel-9: one target-versions finding, GLIBCXX_3.4.30 of ../lib/libcv.so (needed_by), none of the app's own"
	diag "readelf, libcv.so: $want_lib" "interpfix, needed_by $SHIPPED: $got_lib" "interpfix, the app's own: $got_app"
	show_failure
fi
ifx check --target rhel-9 "$APP"
if [ "$RC" = 1 ] && grep -qF "$APP: target-versions: on rhel-9: $SHIPPED (loaded through its RPATH/RUNPATH) needs libstdc++ GLIBCXX_3.4.30 (GCC 12.1.0), the target has GLIBCXX_3.4.29: _ZNSt18condition_variable4waitERSt11unique_lockISt5mutexE@GLIBCXX_3.4.30 (libstdc++.so.6, since GCC 12.1.0)" "$T/out" &&
	[ "$(grep -c ': target-versions: ' "$T/out")" = 1 ]; then
	ok "shipped, text: names $SHIPPED (loaded through its RPATH/RUNPATH) and wait@GLIBCXX_3.4.30"
else
	not_ok "shipped, text: names $SHIPPED (loaded through its RPATH/RUNPATH) and wait@GLIBCXX_3.4.30"
	show_failure
fi
# show counts the shipped library in: the app alone needs only glibc 2.34,
# which rhel-9 has; libcv.so's GLIBCXX_3.4.30 is what keeps it off rhel-9
ifx show --json "$APP"
check "shipped, show: needs the library's GLIBCXX_3.4.30 (1 shipped library), not on rhel-9 (versions)" \
	jqt '.files[0].deploy | .shipped_libraries == 1 and .needs.glibcxx == "3.4.30"
		and any(.not_on[]; . == {"name": "rhel-9", "why": "versions"})
		and (.runs_on | index("rhel-9") | not)' "$T/out"
want=$(expect_gaps "$APP" "$DEBIAN13")$(expect_gaps "$T/ship/lib/libcv.so" "$DEBIAN13")
ifx check --target debian-13 --format json "$APP"
if [ -z "$want" ] && [ "$RC" = 0 ] && jqt '.findings == [] and .exit_status == 0' "$T/out"; then
	ok "shipped on debian-13: clean, exit 0 (readelf: nothing beyond it, app or libcv.so)"
else
	not_ok "shipped on debian-13: clean, exit 0 (readelf: nothing beyond it, app or libcv.so)"
	diag "readelf gaps: $want"
	show_failure
fi
# libz comes from the system's directories: the target's own libz there,
# not judged. No built-in target is older than libz's newest node here
# (GLIBC_2.14 on Debian 12), so a target file of glibc 2.12 is; the same
# libz shipped in lib/ is judged on it (the control).
znew=$(nodes "$ZLIB" GLIBC | tail -n 1)
printf '{"targets": [{"name": "glibc212-1", "arches": ["x86_64"], "libc": "glibc", "libc_version": "2.12"}]}\n' >"$T/glibc212.json"
ifx check --target-file "$T/glibc212.json" --target glibc212-1 --format json "$APP"
if [ -n "$znew" ] && ver_gt "$znew" 2.12 && [ "$RC" = 1 ] &&
	jqt 'all(.findings[]; .needed_by // "" | contains("libz") | not)' "$T/out"; then
	ok "system libz (needs GLIBC_$znew) on a glibc 2.12 target: no finding needed_by libz"
else
	not_ok "system libz (needs GLIBC_${znew:-?}) on a glibc 2.12 target: no finding needed_by libz"
	show_failure
fi
mkdir -p "$T/shipz/bin" "$T/shipz/lib"
cp "$APP" "$T/shipz/bin/app"
cp "$T/ship/lib/libcv.so" "$ZLIB" "$T/shipz/lib/"
mv "$T/shipz/lib/$(basename "$ZLIB")" "$T/shipz/lib/libz.so.1"
ifx check --target-file "$T/glibc212.json" --target glibc212-1 --format json "$T/shipz/bin/app"
want=$(expect_gaps "$ZLIB" "2.12 3.4.29 1.3.13 7.0.0") # libz needs glibc's nodes alone
got=$(gaps_of "$T/shipz/bin/../lib/libz.so.1" glibc212-1)
if [ "$RC" = 1 ] && [ -n "$want" ] && [ "$got" = "$want" ]; then
	ok "the same libz shipped in lib/: judged, its gaps readelf's GLIBC_ nodes above 2.12 (needed_by .../lib/libz.so.1)"
else
	not_ok "the same libz shipped in lib/: judged, its gaps readelf's GLIBC_ nodes above 2.12 (needed_by .../lib/libz.so.1)"
	diag "readelf: $want" "interpfix: $got"
	show_failure
fi

# libstdc++ linked in: no GLIBCXX_ node left, only glibc's.
if [ -z "$(nodes "$T/cv-static" GLIBCXX)" ]; then
	ok "readelf: -static-libstdc++ leaves no GLIBCXX_ node"
else
	not_ok "readelf: -static-libstdc++ leaves no GLIBCXX_ node"
fi
gaps_match "static libstdc++ on amzn-2: the glibc gaps readelf shows, no GLIBCXX_ one" "$T/cv-static" amzn-2 "$AMZN2"

# musl and static.
ifx check --target debian-12 --format json "$T/musl"
check "musl on debian-12: target-libc, exit 1" \
	sh -c "[ $RC = 1 ] && jq -e '[.findings[] | select(.rule == \"target-libc\" and .deploy_target == \"debian-12\")] | length == 1' '$T/out' >/dev/null"
ifx check --target alpine-3.20 "$T/musl"
check "musl on alpine-3.20: clean, exit 0" [ "$RC" = 0 ]
ifx check --target lambda --target alpine --format json "$T/static"
if [ -z "$(interp_of "$T/static")" ] && [ "$RC" = 0 ] && jqt '.findings == []' "$T/out"; then
	ok "static (no PT_INTERP per readelf) on every Lambda and Alpine target: clean, exit 0"
else
	not_ok "static (no PT_INTERP per readelf) on every Lambda and Alpine target: clean, exit 0"
	show_failure
fi

# a family: findings for exactly the Lambda runtimes on amzn-2.
ifx targets --json
cp "$T/out" "$T/targets.json"
on_al2=$(jq -r '.targets[] | select(.family == "lambda" and .base == "amzn-2") | .name' "$T/targets.json" | sort)
on_al2023=$(jq -r '.targets[] | select(.family == "lambda" and .base == "amzn-2023") | .name' "$T/targets.json" | sort)
ifx check --target lambda --format json "$T/hello"
got=$(jq -r '.findings[].deploy_target' "$T/out" | sort)
if [ "$RC" = 1 ] && [ -n "$on_al2" ] && [ "$got" = "$on_al2" ]; then
	ok "--target lambda: a finding for each Lambda runtime on amzn-2, and only those"
else
	not_ok "--target lambda: a finding for each Lambda runtime on amzn-2, and only those"
	diag "got:" "$got" "want:" "$on_al2"
fi
bad=$(jq -r --arg l "$on_al2023" '.findings[].deploy_target | select(. as $n | $l | split("\n") | index($n))' "$T/out")
check "... none for the amzn-2023 ones (the hello needs only GLIBC_2.34)" \
	sh -c "[ -n '$on_al2023' ] && [ -z '$bad' ]"

# an unknown target.
ifx check --target nosuch "$T/hello"
if [ "$RC" = 2 ] && [ ! -s "$T/out" ] && [ "$(wc -l <"$T/err")" = 2 ] &&
	head -n 1 "$T/err" | grep -q "^interpfix: check: .*'nosuch'" &&
	sed -n 2p "$T/err" | grep -q '^interpfix: check: .*interpfix targets'; then
	ok "--target nosuch: exit 2, one line naming it and one of advice"
else
	not_ok "--target nosuch: exit 2, one line naming it and one of advice"
	show_failure
fi

# Go with cgo.
if have_tool go; then
	mkdir -p "$T/go/src" "$T/go/home" "$T/go/tmp"
	cat >"$T/go/src/main.go" <<'EOF'
package main

import (
	"fmt"
	"os/user"
)

func main() {
	_, err := user.Current()
	fmt.Println("hello from go", err == nil)
}
EOF
	if (cd "$T/go/src" && env HOME="$T/go/home" GOCACHE="$T/go/cache" GOPATH="$T/go/path" \
		GOTMPDIR="$T/go/tmp" GO111MODULE=off GOFLAGS= CGO_ENABLED=1 CC=gcc \
		go build -o "$T/gocgo" main.go) >"$T/go/log" 2>&1; then
		gaps_match "Go cgo on amzn-2: readelf's GLIBC_ gaps" "$T/gocgo" amzn-2 "$AMZN2"
		# only os/user calls C: a static build needs no glibc at all
		check "Go cgo on amzn-2: the glibc advice is CGO_ENABLED=0 first" \
			jqt '[.findings[] | select(.rule == "target-versions")] | length > 0 and
				all(.[]; .advice | startswith("rebuild it static with CGO_ENABLED=0"))' "$T/out"
	else
		not_ok "Go cgo on amzn-2: readelf's GLIBC_ gaps (go build failed)"
		diag "$(head -c 600 "$T/go/log")"
		not_ok "Go cgo on amzn-2: the glibc advice (go build failed)"
	fi
else
	ok "Go cgo on amzn-2: readelf's GLIBC_ gaps # SKIP needs go"
	ok "Go cgo on amzn-2: the glibc advice # SKIP needs go"
fi

# fix --target.
cp "$T/hello" "$T/brewed"
ifx fix --to "$BREW" --force "$T/brewed"
if [ "$RC" != 0 ] || [ "$(interp_of "$T/brewed")" != "$BREW" ]; then bail "could not set up the Linuxbrew copy"; fi
cp "$T/brewed" "$T/fx"
ifx fix --target amzn-2 "$T/fx"
if [ "$RC" = 3 ] && grep -q '__libc_start_main@GLIBC_2.34' "$T/err" && cmp -s "$T/fx" "$T/brewed"; then
	ok "fix --target amzn-2: refused (exit 3) naming __libc_start_main@GLIBC_2.34, not a byte changed"
else
	not_ok "fix --target amzn-2: refused (exit 3) naming __libc_start_main@GLIBC_2.34, not a byte changed"
	show_failure
fi
ifx fix --force --target amzn-2 "$T/fx"
if [ "$RC" = 0 ] && [ "$(interp_of "$T/fx")" = "$STD" ] && [ "$("$T/fx" 2>&1)" = "$HELLO_OUT" ]; then
	ok "fix --force --target amzn-2: writes $STD"
else
	not_ok "fix --force --target amzn-2: writes $STD"
	show_failure
fi
cp "$T/brewed" "$T/fx"
ifx fix --target debian-12 "$T/fx"
if [ "$RC" = 0 ] && [ "$(interp_of "$T/fx")" = "$STD" ] && [ "$("$T/fx" 2>&1)" = "$HELLO_OUT" ]; then
	ok "fix --target debian-12 from $BREW: writes $STD and the binary runs"
else
	not_ok "fix --target debian-12 from $BREW: writes $STD and the binary runs"
	show_failure
	diag "interp now: $(interp_of "$T/fx")"
fi
cp "$T/brewed" "$T/fx"
ifx fix --target debian-12 --to /x "$T/fx"
check "fix --target with --to: a usage error (exit 2), nothing written" \
	sh -c "[ $RC = 2 ] && cmp -s '$T/fx' '$T/brewed'"
ifx fix --target alpine-3.20 "$T/fx"
check "fix --target alpine-3.20 on a glibc binary: refused (exit 3), nothing written" \
	sh -c "[ $RC = 3 ] && cmp -s '$T/fx' '$T/brewed'"
# a glibc and a musl target name different loaders: there is no one path to write
ifx fix --target debian-12 --target alpine-3.20 "$T/fx"
check "fix --target debian-12 --target alpine-3.20: the loaders differ, a usage error (exit 2) naming both, nothing written" \
	sh -c "[ $RC = 2 ] && cmp -s '$T/fx' '$T/brewed' &&
	       grep -q 'different loaders for this binary: $STD for debian-12, /lib/ld-musl-x86_64.so.1 for alpine-3.20' '$T/err'"

# aarch64: the target's loader for the binary's arch, or a refusal.
if have_tool aarch64-linux-gnu-gcc && aarch64-linux-gnu-gcc -o "$T/a64" "$IFX_SRCDIR/samples/hello.c"; then
	ifx fix --to "$BREW" --force "$T/a64"
	cp "$T/a64" "$T/a64.brew"
	ifx fix --dry-run --force --target amzn-2 "$T/a64"
	if [ "$RC" = 1 ] && grep -qx "+$STD_A64" "$T/out" && cmp -s "$T/a64" "$T/a64.brew"; then
		ok "aarch64: fix --dry-run --target amzn-2 would write $STD_A64"
	else
		not_ok "aarch64: fix --dry-run --target amzn-2 would write $STD_A64"
		show_failure
	fi
	ifx fix --force --target amzn-2 "$T/a64"
	ran=yes
	if have_tool qemu-aarch64 && [ -d /usr/aarch64-linux-gnu ]; then
		[ "$(qemu-aarch64 -L /usr/aarch64-linux-gnu "$T/a64" 2>&1)" = "$HELLO_OUT" ] || ran=no
	fi
	if [ "$RC" = 0 ] && [ "$(interp_of "$T/a64")" = "$STD_A64" ] && [ "$ran" = yes ]; then
		ok "aarch64: fix --force --target amzn-2 writes $STD_A64 (and it runs under qemu when present)"
	else
		not_ok "aarch64: fix --force --target amzn-2 writes $STD_A64 (and it runs under qemu when present)"
		show_failure
	fi
	printf '{"targets": [{"name": "x86only-1", "arches": ["x86_64"], "libc": "glibc", "libc_version": "2.40"}]}\n' >"$T/x86only.json"
	cp "$T/a64.brew" "$T/a64"
	ifx fix --force --target-file "$T/x86only.json" --target x86only-1 "$T/a64"
	if [ "$RC" = 3 ] && grep -q aarch64 "$T/err" && cmp -s "$T/a64" "$T/a64.brew"; then
		ok "aarch64 on an x86_64-only target: refused (exit 3) even with --force"
	else
		not_ok "aarch64 on an x86_64-only target: refused (exit 3) even with --force"
		show_failure
	fi
else
	for w in "dry-run writes $STD_A64" "--force writes $STD_A64" "x86_64-only target refuses"; do
		ok "aarch64: $w # SKIP needs aarch64-linux-gnu-gcc"
	done
fi

# show.
# listed LINE NAME: whether NAME is one of a "runs on"/"not on" list's words
# (ubuntu-22.04+ counts: it means that release and later).
listed() { printf '%s\n' "$1" | grep -Eq "(^|[ ,])$2(\+|,| |\$)"; }
ifx show "$T/hello"
needs=$(grep '^  needs ' "$T/out")
runs=$(grep '^  runs on ' "$T/out")
if printf '%s\n' "$needs" | grep -q 'glibc 2.34' && listed "$runs" debian-12 && ! listed "$runs" amzn-2; then
	ok "show: needs glibc 2.34; runs on debian-12, not on amzn-2"
else
	not_ok "show: needs glibc 2.34; runs on debian-12, not on amzn-2"
	show_failure
fi
ifx show "$T/cv"
check "show C++: needs GLIBCXX_3.4.30 (GCC 12.1.0)" grep -q '^  needs .*GLIBCXX_3.4.30 (GCC 12.1.0)' "$T/out"
ifx show --json "$T/hello"
check "show --json: deploy.runs_on has debian-13, not_on has amzn-2 for its versions" \
	jqt '.files[0].deploy | (.runs_on | index("debian-13")) and (.not_on | index({"name": "amzn-2", "why": "versions"}))
		and (.runs_on | index("amzn-2") | not)' "$T/out"
ifx show --json "$T/musl"
check "show --json musl: not_on has debian-12 for its libc" \
	jqt '.files[0].deploy.not_on | index({"name": "debian-12", "why": "libc"})' "$T/out"

# targets.
ifx targets
cp "$T/out" "$T/targets.txt"
names=$(jq -r '.targets[].name' "$T/targets.json")
n=$(printf '%s\n' "$names" | wc -l)
rows=$(grep -Ec '^[a-z0-9][a-z0-9._-]* +(glibc|musl) ' "$T/targets.txt")
missing=""
for name in $names; do
	grep -q "^$name " "$T/targets.txt" || missing="$missing $name"
done
if [ -z "$missing" ] && [ "$rows" = "$n" ] && grep -q "^$n targets" "$T/targets.txt"; then
	ok "targets: the table lists every one of the $n targets --json lists"
else
	not_ok "targets: the table lists every one of the $n targets --json lists"
	diag "missing:$missing; rows $rows"
fi
check "targets --json: aliases rocky-9 -> rhel-9, manylinux2014 -> manylinux_2_17" \
	jqt '.aliases["rocky-9"] == "rhel-9" and .aliases["manylinux2014"] == "manylinux_2_17"' "$T/targets.json"
ifx targets lambda-provided.al2
if [ "$RC" = 0 ] && grep -q 'glibc 2\.26' "$T/out" && grep -q "^  x86_64 .*loader $STD" "$T/out" &&
	grep -q "^  aarch64 .*loader $STD_A64" "$T/out"; then
	ok "targets lambda-provided.al2: glibc 2.26 and the loader of each arch"
else
	not_ok "targets lambda-provided.al2: glibc 2.26 and the loader of each arch"
	show_failure
fi
# text says once what is the same for many targets; JSON keeps one finding each
lambdas=$(jq -r '[.targets[] | select(.family == "lambda") | .name] | join(", ")' "$T/targets.json")
nlambda=$(jq '[.targets[] | select(.family == "lambda")] | length' "$T/targets.json")
ifx check --target lambda "$T/brewed"
if [ "$RC" = 1 ] && [ "$(grep -c ': target-interp: ' "$T/out")" = 1 ] &&
	grep -qF "$T/brewed: target-interp: on $lambdas: interpreter $BREW is not the target's loader $STD" "$T/out"; then
	ok "check --target lambda, text: one target-interp line naming all $nlambda runtimes"
else
	not_ok "check --target lambda, text: one target-interp line naming all $nlambda runtimes"
	show_failure
fi
ifx check --target lambda --format json "$T/brewed"
check "check --target lambda, JSON: a target-interp finding per runtime ($nlambda)" \
	jqt --argjson n "$nlambda" '[.findings[] | select(.rule == "target-interp")] | length == $n
		and (map(.deploy_target) | unique | length) == $n' "$T/out"

# A Lambda upload: the zip is repaired member by member for the target
if have_tool zip; then
	mkdir -p "$T/zip/bin" && cp "$T/brewed" "$T/zip/bin/bootstrap"
	(cd "$T/zip" && zip -q -r "$T/fn.zip" bin)
	ifx check --target lambda-provided.al2023 "$T/fn.zip"
	check "check --target on a zip: target-interp for the member, advice naming it" \
		sh -c "[ $RC = 1 ] && grep -qF '$T/fn.zip!bin/bootstrap: target-interp: on lambda-provided.al2023:' '$T/out' &&
		       grep -qF 'fix: interpfix fix --target lambda-provided.al2023 --member bin/bootstrap' '$T/out'"
	ifx fix --target lambda-provided.al2023 "$T/fn.zip"
	rc_fix=$RC
	rm -rf "$T/unz" && mkdir "$T/unz" && (cd "$T/unz" && unzip -q "$T/fn.zip")
	ifx check --target lambda-provided.al2023 "$T/fn.zip"
	check "fix --target on a zip writes the target's loader into the member; check is then clean" \
		sh -c "[ $rc_fix = 0 ] && [ $RC = 0 ] && [ \"\$(readelf -l '$T/unz/bin/bootstrap' | sed -n 's/.*interpreter: \\(.*\\)]/\\1/p')\" = '$STD' ]"
else
	ok "check --target on a zip # SKIP needs zip"
	ok "fix --target on a zip # SKIP needs zip"
fi

ifx targets nosuch
check "targets nosuch: exit 2, nothing on stdout, the name on stderr" \
	sh -c "[ $RC = 2 ] && [ ! -s '$T/out' ] && grep -q \"^interpfix: targets: .*'nosuch'\" '$T/err'"

done_testing
