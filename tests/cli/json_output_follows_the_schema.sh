#!/bin/sh
# Every JSON document the CLI prints follows docs/interpfix-report.schema.json,
# and every SARIF log is SARIF 2.1.0. Real outputs of show, check, fix
# --dry-run, fix and targets on real binaries, trees, zip and tar archives,
# missing libraries, refusals, errors, names that are not UTF-8, and C and
# C++ binaries judged for deploy targets (built-in and from a target file);
# each one must be:
#  - one strict UTF-8 JSON object on one line, no key twice, valid against
#    the schema (its own validity checked first, and that it rejects what
#    breaks it);
#  - true to the run: exit_status is the exit status, each NAME_bytes twin
#    is the raw name and NAME shows it, the summary counts the entries, a
#    target's per_arch has its arches, a file's runs_on and not_on never
#    share a target, target-versions' symbols are its gaps;
#  - the situation it stands for (the error, member or refusal is there).
# SARIF: against the official schema when IFX_SARIF_SCHEMA names it, and
# always its structure: one run, rules with unique ids that each result
# points at, levels, URIs that name the file losslessly with no raw space
# or control character, executionSuccessful false exactly when errors were.
. "$IFX_SRCDIR/tests/cli/lib.sh"
require_fixtures gcc-pie brew static shared-lib.so
require_tools python3 gcc g++ zip tar
if ! python3 -c 'from jsonschema import Draft202012Validator' 2>/dev/null; then
	if [ "${IFX_REQUIRE_FIXTURES:-0}" = 1 ]; then
		echo "Bail out! needs python3-jsonschema (4.0 or later), which is not installed"
		exit 1
	fi
	skip_all "needs python3-jsonschema (4.0 or later), which is not installed"
fi
plan 67

SCHEMA=$IFX_SRCDIR/docs/interpfix-report.schema.json
SARIF_SCHEMA=${IFX_SARIF_SCHEMA:-}
MUSL_TO=/lib/ld-musl-x86_64.so.1
hello=$IFX_SRCDIR/samples/hello.c
pie=$(fixture gcc-pie)
brew=$(fixture brew)
static=$(fixture static)
solib=$(fixture shared-lib.so)

# ---- the validators ------------------------------------------------------

# validate.py SCHEMA OUT RC EXPECT: OUT is one document valid against SCHEMA,
# true to the run (exit status RC), and the python expression EXPECT holds
# of it (doc; ents: its files/findings list).
cat >"$T/validate.py" <<'EOF'
import codecs, json, sys
from jsonschema import Draft202012Validator

schema_path, out_path, rc, expect = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
bad = []
codecs.register_error("ifx_per_byte", lambda e: ("\ufffd", e.start + 1))

def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        bad.append("key twice in one object: %s" % sorted(dup))
    return dict(pairs)

raw = open(out_path, "rb").read()
try:
    text = raw.decode("utf-8")
    if not text.endswith("\n") or "\n" in text[:-1]:
        bad.append("not one line followed by a newline")
    doc = json.loads(text, object_pairs_hook=no_duplicates)
except ValueError as e:
    print("# not one strict UTF-8 JSON document: %s" % e)
    print("# output starts: %r" % raw[:300])
    sys.exit(1)

validator = Draft202012Validator(json.load(open(schema_path, encoding="utf-8")))
for e in sorted(validator.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])[:8]:
    bad.append("schema: at %s: %s" % ("/".join(str(p) for p in e.absolute_path),
                                      e.message[:300]))
if not isinstance(doc, dict):
    bad.append("not an object")
    doc = {}
if doc.get("exit_status") != rc:
    bad.append("exit_status %r, but the exit status was %d" % (doc.get("exit_status"), rc))

# each NAME_bytes: the raw bytes of a name that is not UTF-8; NAME shows them
def twins(v):
    if isinstance(v, dict):
        for k, x in v.items():
            if k.endswith("_bytes") and isinstance(x, str):
                try:
                    b = bytes.fromhex(x)
                except ValueError:
                    bad.append("%s is not hex: %r" % (k, x))
                    continue
                try:
                    b.decode("utf-8")
                    bad.append("%s is there, but %r is valid UTF-8" % (k, b))
                except UnicodeDecodeError:
                    pass
                if v.get(k[:-6]) != b.decode("utf-8", "ifx_per_byte"):
                    bad.append("%s=%r does not show %s=%r" % (k[:-6], v.get(k[:-6]), k, b))
            twins(x)
    elif isinstance(v, list):
        for x in v:
            twins(x)
twins(doc)

# the totals count the entries
cmd, s = doc.get("command"), doc.get("summary") or {}
def count(key, pred):
    return sum(1 for x in doc.get(key) or [] if isinstance(x, dict) and pred(x))
if cmd == "show":
    ents = doc.get("files") or []
    if s.get("elf") != count("files", lambda f: "error" not in f):
        bad.append("summary.elf is not the number of files shown")
    if s.get("errors") != count("files", lambda f: "error" in f):
        bad.append("summary.errors is not the number of error entries")
elif cmd == "check":
    ents = doc.get("findings") or []
    if s.get("findings") != len(ents) or s.get("errors") != len(doc.get("errors") or []):
        bad.append("summary.findings or summary.errors is not the length of its list")
    if (s.get("with_findings") or 0) > len(ents) or ((s.get("with_findings") or 0) == 0) != (not ents):
        bad.append("summary.with_findings does not fit the findings")
elif cmd == "targets":
    ents = doc.get("targets") or []
    names = [t.get("name") for t in ents if isinstance(t, dict)]
    if len(set(names)) != len(names):
        bad.append("a target listed twice")
    for t in ents:
        if isinstance(t, dict) and sorted(t.get("per_arch") or {}) != sorted(t.get("arches") or []):
            bad.append("%s: per_arch is not its arches" % t.get("name"))
elif cmd == "fix":
    ents = doc.get("files") or []
    res = lambda *r: count("files", lambda f: f.get("result") in r)
    for key, n, exact in (("fixed", res("fixed", "would-fix"), True),
                          ("already", res("already"), True), ("refused", res("refused"), True),
                          ("skipped", res("skipped"), False), ("errors", res("error"), False)):
        if (s.get(key) != n) if exact else ((s.get(key) or 0) < n):
            bad.append("summary.%s is %r for %d such entries" % (key, s.get(key), n))
else:
    ents = []
# where each file runs: a target is in runs_on or not_on, never both
for f in ents if cmd == "show" else []:
    dep = f.get("deploy") if isinstance(f, dict) else None
    if isinstance(dep, dict):
        runs = set(dep.get("runs_on") or [])
        if runs & {n.get("name") for n in dep.get("not_on") or [] if isinstance(n, dict)}:
            bad.append("%s: a target both in runs_on and not_on" % f.get("path"))
# target-versions: symbols are "symbol@VERSION" of its gaps, in order (the
# version alone for one needed without a symbol)
def named(g):
    return "%s@%s" % (g.get("symbol"), g.get("version")) if g.get("symbol") else g.get("version")
for f in ents if cmd == "check" else []:
    if isinstance(f, dict) and f.get("rule") == "target-versions":
        if f.get("symbols") != [named(g) for g in f.get("gaps") or []]:
            bad.append("%s: symbols %r are not its gaps" % (f.get("file"), f.get("symbols")))

try:
    if not eval(expect, {"doc": doc, "ents": ents}):
        bad.append("expected: %s" % expect)
except Exception as e:
    bad.append("expected: %s (%s: %s)" % (expect, type(e).__name__, e))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
EOF

# sarif.py OUT RC (SCHEMA | -) EXPECT: with SCHEMA, OUT is valid against it;
# with -, OUT has the structure consumers rely on, and EXPECT holds (doc;
# results, notes: the run's results and tool execution notifications).
cat >"$T/sarif.py" <<'EOF'
import base64, json, re, sys, urllib.parse

out_path, rc, schema_path, expect = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
try:
    doc = json.loads(open(out_path, "rb").read().decode("utf-8"))
except ValueError as e:
    print("# not one strict UTF-8 JSON document: %s" % e)
    sys.exit(1)
if schema_path != "-":
    import jsonschema
    schema = json.load(open(schema_path, encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    errs = list(cls(schema, format_checker=jsonschema.FormatChecker()).iter_errors(doc))
    for e in errs[:8]:
        print("# at %s: %s" % ("/".join(str(p) for p in e.absolute_path), e.message[:300]))
    sys.exit(1 if errs else 0)

bad = []
LEVELS = {"error", "warning", "note", "none"}
URI = re.compile(r"^(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})+$")

def uri_ok(where, uri, raw=None):
    if not isinstance(uri, str) or not URI.match(uri):
        bad.append("%s: uri %r is not a URI reference (raw space, control or other byte)"
                   % (where, uri))
        return
    path = urllib.parse.unquote_to_bytes(uri[len("file://"):] if uri.startswith("file://") else uri)
    if raw is not None and path != raw:
        bad.append("%s: uri %r names %r, not %r" % (where, uri, path, raw))

def raw_name(props, key):
    if not isinstance(props, dict) or not isinstance(props.get(key), str):
        return None
    if key + "_bytes" in props:
        return bytes.fromhex(props[key + "_bytes"])
    return props[key].encode()

def locations(where, locs, raw=None):
    if not isinstance(locs, list) or not locs:
        bad.append("%s: no locations" % where)
        return
    for loc in locs:
        uri_ok(where, ((loc.get("physicalLocation") or {}).get("artifactLocation") or {}).get("uri"), raw)

results, notes = [], []
if doc.get("version") != "2.1.0":
    bad.append("version is %r" % doc.get("version"))
runs = doc.get("runs")
if not isinstance(runs, list) or len(runs) != 1:
    bad.append("not exactly one run")
    runs = [{}]
run = runs[0]
driver = (run.get("tool") or {}).get("driver") or {}
if driver.get("name") != "interpfix":
    bad.append("tool.driver.name is %r" % driver.get("name"))
rules = driver.get("rules") or []
ids = [r.get("id") for r in rules]
if not rules or len(set(ids)) != len(ids) or not all(isinstance(i, str) for i in ids):
    bad.append("rules are missing or their ids not unique: %r" % ids)
for r in rules:
    if (r.get("defaultConfiguration") or {}).get("level") not in LEVELS:
        bad.append("rule %r: default level %r" % (r.get("id"), r.get("defaultConfiguration")))
results = run.get("results") or []
for n, res in enumerate(results):
    where = "result %d" % n
    i = res.get("ruleIndex")
    if res.get("ruleId") not in ids:
        bad.append("%s: ruleId %r is not a rule" % (where, res.get("ruleId")))
    elif not isinstance(i, int) or not 0 <= i < len(rules) or ids[i] != res.get("ruleId"):
        bad.append("%s: ruleIndex %r does not point at %r" % (where, i, res.get("ruleId")))
    if res.get("level") not in LEVELS:
        bad.append("%s: level %r" % (where, res.get("level")))
    if not isinstance((res.get("message") or {}).get("text"), str):
        bad.append("%s: no message text" % where)
    locations(where, res.get("locations"), raw_name(res.get("properties"), "path"))
    for fx in res.get("fixes") or []:
        for ch in fx.get("artifactChanges") or []:
            uri_ok(where + " fix", (ch.get("artifactLocation") or {}).get("uri"),
                   raw_name(res.get("properties"), "path"))
            for rp in ch.get("replacements") or []:
                length = (rp.get("deletedRegion") or {}).get("byteLength")
                content = (rp.get("insertedContent") or {}).get("binary", "")
                if len(base64.b64decode(content, validate=True)) != length:
                    bad.append("%s fix: inserted bytes are not the region's %r" % (where, length))
inv = run.get("invocations") or [{}]
notes = inv[0].get("toolExecutionNotifications") or []
for n, note in enumerate(notes):
    if note.get("level") not in LEVELS:
        bad.append("notification %d: level %r" % (n, note.get("level")))
    locations("notification %d" % n, note.get("locations"))
ok = inv[0].get("executionSuccessful")
if not isinstance(ok, bool) or ok != (not notes) or ok != (rc not in (2, 3)):
    bad.append("executionSuccessful %r with %d notifications and exit status %d"
               % (ok, len(notes), rc))
if inv[0].get("exitCode") != rc:
    bad.append("exitCode %r, but the exit status was %d" % (inv[0].get("exitCode"), rc))
try:
    if not eval(expect, {"doc": doc, "results": results, "notes": notes}):
        bad.append("expected: %s" % expect)
except Exception as e:
    bad.append("expected: %s (%s: %s)" % (expect, type(e).__name__, e))
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
EOF

# json_case DESCRIPTION EXPECT ARGS...: interpfix ARGS; one TAP line.
json_case() {
	local desc="$1" expect="$2"
	shift 2
	ifx "$@"
	check "$desc" python3 "$T/validate.py" "$SCHEMA" "$T/out" "$RC" "$expect"
}

# sarif_case DESCRIPTION EXPECT ARGS...: interpfix check --format sarif ARGS;
# two TAP lines (the official schema, the structure).
sarif_case() {
	local desc="$1" expect="$2"
	shift 2
	ifx check --format sarif "$@"
	if [ -n "$SARIF_SCHEMA" ]; then
		check "check --format sarif: $desc: valid SARIF 2.1.0 (official schema)" \
			python3 "$T/sarif.py" "$T/out" "$RC" "$SARIF_SCHEMA" True
	else
		ok "check --format sarif: $desc: valid SARIF 2.1.0 # SKIP set IFX_SARIF_SCHEMA to the official SARIF 2.1.0 schema"
	fi
	check "check --format sarif: $desc: rules, results, levels, URIs, invocation" \
		python3 "$T/sarif.py" "$T/out" "$RC" - "$expect"
}

# ---- what the outputs are made from --------------------------------------

# a tree: ELF files and others
mkdir -p "$T/tree/sub"
cp "$pie" "$T/tree/pie"
cp "$brew" "$T/tree/sub/brew"
cp "$static" "$T/tree/sub/static"
echo "not a program" >"$T/tree/README"

# archives with members, one of them named with a byte that is not UTF-8
mkdir -p "$T/a/bin"
cp "$brew" "$T/a/bin/tool"
cp "$pie" "$T/a/bin/$(printf 'b\377d')"
cp "$static" "$T/a/bin/st"
echo hi >"$T/a/README"
(cd "$T/a" && zip -q -r "$T/app.zip" bin README && tar czf "$T/app.tar.gz" bin README) ||
	diag "making the archives failed"

# files that cannot be read, or not as ELF
head -c 200 "$pie" >"$T/truncated"
bad_files="/etc/passwd $T/no-such-file $T/truncated"

# libraries that are not there: needs-foo needs libfoo.so; needs-bar needs
# libbar.so (found by $ORIGIN), which needs libfoo.so; needs-odd needs a
# library whose name is not UTF-8
mkdir "$T/lib"
odd=$(printf 'lib\377q.so')
# shellcheck disable=SC2016 # '$ORIGIN' is for the loader to expand
(
	cd "$T/lib" || exit 1
	echo 'int foo(void) { return 1; }' >foo.c
	echo 'int foo(void); int bar(void) { return foo(); }' >bar.c
	gcc -shared -fPIC -o libfoo.so foo.c &&
		gcc -shared -fPIC -o libbar.so bar.c -Wl,--no-as-needed -L. -lfoo &&
		gcc -shared -fPIC -o "$odd" foo.c -Wl,-soname,"$odd" &&
		gcc -o needs-foo "$hello" -Wl,--no-as-needed -L. -lfoo &&
		gcc -o needs-bar "$hello" -Wl,--no-as-needed -L. -lbar -Wl,-rpath,'$ORIGIN' &&
		gcc -o needs-odd "$hello" -Wl,--no-as-needed -L. -l:"$odd" &&
		rm libfoo.so "$odd" foo.c bar.c
) || diag "building the binaries with missing libraries failed"

# binaries check has findings on: an RPATH into /tmp, a RUNPATH into the
# Nix store, a glibc binary naming musl's loader, a FreeBSD program
mkdir "$T/built"
if ! { gcc -o "$T/built/rpath" "$hello" -Wl,--disable-new-dtags -Wl,-rpath,/tmp/build/lib &&
	gcc -o "$T/built/runpath" "$hello" -Wl,--enable-new-dtags \
		-Wl,-rpath,/nix/store/00000000000000000000000000000000-foo/lib &&
	gcc -o "$T/built/liar" "$hello" -Wl,--dynamic-linker="$MUSL_TO"; }; then
	diag "building the binaries for check failed"
fi
cp "$pie" "$T/built/freebsd"
python3 -c 'import sys; f = open(sys.argv[1], "r+b"); f.seek(7); f.write(b"\x09")' \
	"$T/built/freebsd" # EI_OSABI = ELFOSABI_FREEBSD

# names that are not UTF-8 (invalid, truncated, a surrogate), controls, a
# space, a directory so named, and an interpreter that is not UTF-8
mkdir "$T/names"
python3 - "$T/names" "$brew" "$pie" "$static" <<'EOF'
import os, shutil, sys
d, brew, pie, static = [a.encode() for a in sys.argv[1:]]
os.mkdir(os.path.join(d, b"sub\xff"))
for name, src in [(b"bad\xff\xfe name", brew), (b"trunc\xe2\x82", pie), (b"sur\xed\xa0\x80", static),
                  (b"ctl\x01\x1b[31m", brew), ("caf\u00e9".encode(), brew), (b"sub\xff/x", brew)]:
    shutil.copy(src, os.path.join(d, name))
EOF
cp "$pie" "$T/names/odd-interp"
ifx fix --force --to "$(printf '/lib/\377\376ld.so')" "$T/names/odd-interp"
[ "$RC" = 0 ] || diag "writing an interpreter that is not UTF-8 failed: $(cat "$T/err")"

# binaries for deploy targets, built against this host's glibc and
# libstdc++ (a supported host's are newer than amzn-2's 2.26 and 3.4.24):
# C, C++ (GLIBCXX_ and CXXABI_ nodes), C with packed relative relocations
# where the toolchain makes them (GLIBC_ABI_DT_RELR: a version needed with
# no symbol bound to it), and a target file of two targets
mkdir "$T/deploy"
printf '%s\n' '#include <iostream>' '#include <string>' '#include <vector>' \
	'int main(int argc, char **argv) {' \
	'	std::vector<std::string> v(argv, argv + argc);' \
	'	std::cout << v[0] << " " << v.size() << std::endl;' \
	'	return 0;' '}' >"$T/deploy/app.cc"
if ! { gcc -o "$T/deploy/c" "$hello" &&
	g++ -D_GLIBCXX_ASSERTIONS -o "$T/deploy/cxx" "$T/deploy/app.cc"; }; then
	diag "building the binaries for deploy targets failed"
fi
gcc -o "$T/deploy/relr" "$hello" -Wl,-z,pack-relative-relocs 2>/dev/null ||
	rm -f "$T/deploy/relr"
# an app shipping its C++ library beside it (lib/, an $ORIGIN runpath)
mkdir -p "$T/ship/bin" "$T/ship/lib"
printf '%s\n' '#include <condition_variable>' '#include <mutex>' \
	'std::mutex m; std::condition_variable cv;' \
	'extern "C" int wait_some(int n) { std::unique_lock<std::mutex> l(m); if (n > 9) cv.wait(l); return n; }' \
	>"$T/ship/cv.cc"
printf '%s\n' 'int wait_some(int);' 'int main(int c, char **v) { (void)v; return wait_some(c) - c; }' \
	>"$T/ship/main.c"
if ! { g++ -shared -fPIC -o "$T/ship/lib/libcv.so" "$T/ship/cv.cc" &&
	gcc -o "$T/ship/bin/app" "$T/ship/main.c" -L"$T/ship/lib" -lcv -Wl,-rpath,'$ORIGIN/../lib'; }; then
	diag "building the app with a shipped library failed"
fi
cat >"$T/deploy/targets.json" <<'EOF'
{
  "schema_version": 1,
  "comment": "in-house platforms",
  "targets": [
    {"name": "acme-edge-2", "base": "debian-11", "arches": ["x86_64", "aarch64"],
     "libc": "glibc", "libc_version": "2.31", "glibcxx": "3.4.28", "cxxabi": "1.3.12",
     "gcc": {"x86_64": "7.0.0"}, "loaders": {"aarch64": "/opt/acme/lib/ld-linux-aarch64.so.1"},
     "note": "the edge image", "source": "readelf -V of the edge image"},
    {"name": "acme-tiny", "arches": ["x86_64"], "libc": "musl", "libc_version": "1.2.4",
     "glibcxx": "none", "cxxabi": "none", "gcc": "none"}
  ]
}
EOF

# a temporary an interrupted fix left behind (its name, owner and marker)
mkdir "$T/left"
cp "$brew" "$T/left/prog"
cp "$brew" "$T/left/.prog.interpfix-Ab12Cd"
have_xattr=no
python3 -c 'import os, sys; os.setxattr(sys.argv[1], "user.interpfix.temp", b"1")' \
	"$T/left/.prog.interpfix-Ab12Cd" 2>/dev/null && have_xattr=yes

# ---- the schema itself -----------------------------------------------------

check "the schema is a valid JSON Schema (draft 2020-12)" python3 -c '
import json, sys
from jsonschema import Draft202012Validator
Draft202012Validator.check_schema(json.load(open(sys.argv[1], encoding="utf-8")))' "$SCHEMA"

ifx show --json "$pie"
cp "$T/out" "$T/show.json"
ifx check --json "$brew"
cp "$T/out" "$T/check.json"
ifx fix --dry-run --json "$brew"
cp "$T/out" "$T/fix.json"
ifx targets --json --target-file "$T/deploy/targets.json"
cp "$T/out" "$T/targets.json"
ifx check --json --target amzn-2 --target alpine-3.20 "$T/deploy/c"
cp "$T/out" "$T/check-targets.json"
check "the schema rejects documents that break it (a key unknown or missing, a bad twin, an enum, a cross-field rule)" python3 - "$SCHEMA" "$T/show.json" "$T/check.json" "$T/fix.json" "$T/targets.json" "$T/check-targets.json" <<'EOF'
import copy, json, sys
from jsonschema import Draft202012Validator
v = Draft202012Validator(json.load(open(sys.argv[1], encoding="utf-8")))
show, chk, fix, tgt, chkt = [json.load(open(p)) for p in sys.argv[2:]]
def f0(d): return d["files"][0] if "files" in d else d["findings"][0]
def rule(d, r): return next(f for f in d["findings"] if f["rule"] == r)
def dep(d): return f0(d)["deploy"]
cases = {
    "an unknown key": (show, lambda d: f0(d).update(zz=1)),
    "interp missing": (show, lambda d: f0(d).pop("interp")),
    "a twin beside a UTF-8 name": (show, lambda d: f0(d).update(path_bytes="2f")),
    "a twin that is not lowercase hex": (show, lambda d: f0(d).update(path="\ufffd", path_bytes="FF")),
    "a libc it does not know": (show, lambda d: f0(d).update(libc="uclibc")),
    "interp offset without an interp": (show, lambda d: f0(d).update(interp=None, interp_kind="none")),
    "a show body under command check": (show, lambda d: d.update(command="check")),
    "schema_version 2": (show, lambda d: d.update(schema_version=2)),
    "missing-library without a library": (chk, lambda d: f0(d).update(rule="missing-library")),
    "a rule's other severity": (chk, lambda d: f0(d).update(severity="warning")),
    "findings but exit 2 without errors": (chk, lambda d: d.update(exit_status=2)),
    "already with layout facts": (fix, lambda d: f0(d).update(result="already")),
    "would-fix in a real run": (fix, lambda d: d.update(dry_run=False)),
    "would-fix without its layout": (fix, lambda d: f0(d).pop("new_size")),
    "show without deploy": (show, lambda d: f0(d).pop("deploy")),
    "not_on with why x": (show, lambda d: dep(d)["not_on"][0].update(why="x")),
    "runs_on holding an object": (show, lambda d: dep(d)["runs_on"].append({"name": "x"})),
    "needs a glibc that is not a number": (show, lambda d: dep(d)["needs"].update(glibc="2.x")),
    "glibcxx_since without glibcxx": (show, lambda d: dep(d)["needs"].update(glibcxx=None, glibcxx_since="GCC 12.1.0")),
    "an arch no target names": (show, lambda d: dep(d).update(arch="sparc64")),
    "a gap without its version": (chkt, lambda d: rule(d, "target-versions")["gaps"][0].pop("version")),
    "a gap with a key it does not know": (chkt, lambda d: rule(d, "target-versions")["gaps"][0].update(node="x")),
    "target-versions without gaps": (chkt, lambda d: rule(d, "target-versions").update(gaps=None)),
    "target-versions without symbols": (chkt, lambda d: rule(d, "target-versions").update(symbols=None)),
    "a target rule without its target": (chkt, lambda d: rule(d, "target-libc").update(deploy_target=None)),
    "a finding without deploy_target": (chkt, lambda d: rule(d, "target-libc").pop("deploy_target")),
    "a host rule naming a target": (chk, lambda d: f0(d).update(deploy_target="amzn-2")),
    "a host rule with gaps": (chk, lambda d: f0(d).update(gaps=[{"symbol": None, "version": "GLIBC_2.34", "library": "libc.so.6", "since": None}])),
    "a target rule it does not know": (chkt, lambda d: f0(d).update(rule="target-kernel")),
    "a target with an arch it does not know": (tgt, lambda d: d["targets"][0]["arches"].append("sparc64")),
    "a target without libc_version": (tgt, lambda d: d["targets"][0].pop("libc_version")),
    "a target with libc uclibc": (tgt, lambda d: d["targets"][0].update(libc="uclibc")),
    "a target's glibcxx not a version": (tgt, lambda d: d["targets"][0].update(glibcxx="3.4.x")),
    "a relative loader": (tgt, lambda d: d["targets"][0]["per_arch"][d["targets"][0]["arches"][0]].update(loader="lib/ld.so")),
    "targets without aliases": (tgt, lambda d: d.pop("aliases")),
    "targets exiting 2": (tgt, lambda d: d.update(exit_status=2)),
    "a targets body under command show": (tgt, lambda d: d.update(command="show")),
}
bad = 0
for name, (doc, change) in cases.items():
    d = copy.deepcopy(doc)
    if not v.is_valid(d):
        print("# the unchanged document is not valid:", name); bad += 1; continue
    change(d)
    if v.is_valid(d):
        print("# accepted:", name); bad += 1
sys.exit(1 if bad else 0)
EOF

# ---- targets --json --------------------------------------------------------

json_case "targets --json: the built-in table (every target, aliases)" \
	'len(ents) >= 40 and {"amzn-2", "lambda-provided.al2", "alpine-3.20", "musllinux_1_2"} <= {t["name"] for t in ents} and doc["aliases"]["manylinux2014"] == "manylinux_2_17"' \
	targets --json
json_case "targets --json --target-file FILE NAME: a family from a file (own loader, gcc per arch, none)" \
	'[t["name"] for t in ents] == ["acme-edge-2", "acme-tiny"] and ents[0]["per_arch"]["aarch64"]["loader"].startswith("/opt/acme/") and ents[0]["per_arch"]["aarch64"]["gcc"] is None and ents[1]["glibcxx"] == "none" and ents[1]["source"] == "target file"' \
	targets --json --target-file "$T/deploy/targets.json" acme

# ---- show --json -----------------------------------------------------------

# a program needing a library whose name is not UTF-8
mkdir "$T/nb"
printf 'int f(void) { return 0; }\n' >"$T/nb/f.c"
printf 'int f(void);\nint main(void) { return f(); }\n' >"$T/nb/m.c"
nb_name=$(printf 'lib\377q.so')
(cd "$T/nb" && gcc -shared -fPIC -o "$nb_name" -Wl,-soname,"$nb_name" f.c && gcc -o m m.c "./$nb_name")
json_case "show --json: a NEEDED name that is not UTF-8 comes back in needed_bytes" \
	'bytes.fromhex(ents[0]["needed_bytes"][0]) == b"lib\xffq.so" and ents[0]["needed_bytes"][1] is None' \
	show --json "$T/nb/m"
json_case "show --json: a glibc PIE" \
	'ents[0]["interp_kind"] == "standard" and ents[0]["fix_target"] and ents[0]["dependencies"] is None' \
	show --json "$pie"
all_fixtures=$(awk -F '\t' -v d="$IFX_FIXTURES" '{ print d "/" $1 }' "$IFX_FIXTURES/MANIFEST")
# shellcheck disable=SC2086
json_case "show --json: every fixture built here (static, musl, Go, libraries, other machines)" \
	"len(ents) == $(echo "$all_fixtures" | wc -l) and any(f['linkage'] == 'static' for f in ents)" \
	show --json $all_fixtures
json_case "show --json: /etc/passwd (an error entry)" \
	'ents == [{"path": "/etc/passwd", "member": None, "error": ents[0]["error"], "status": "not-elf"}]' \
	show --json /etc/passwd
# shellcheck disable=SC2086
json_case "show --json: /etc/passwd, a missing file, a truncated ELF file (not-elf, io, malformed)" \
	'[f["status"] for f in ents] == ["not-elf", "io", "malformed"]' \
	show --json $bad_files
json_case "show --json: a directory (its ELF files; the rest counted)" \
	'len(ents) == 3 and doc["summary"]["files"] == 4' \
	show --json "$T/tree"
json_case "show --json: a zip archive (its ELF members, one named with a byte that is not UTF-8)" \
	'len(ents) == 3 and all(f["member"] for f in ents) and any("member_bytes" in f for f in ents)' \
	show --json "$T/app.zip"
json_case "show --json: a tar.gz archive (its ELF members)" \
	'len(ents) == 3 and all(f["member"] and f["path"].endswith("app.tar.gz") for f in ents)' \
	show --json "$T/app.tar.gz"
json_case "show --json --deps: dependency trees (found, provided)" \
	'{d["state"] for d in ents[0]["dependencies"]} == {"found", "provided"}' \
	show --json --deps "$pie"
json_case "show --json --deps: libraries that are not there (missing, needed by a library, named in bytes)" \
	'sum(d["state"] == "missing" for f in ents for d in f["dependencies"] or []) == 3 and any(d.get("name_bytes") for f in ents for d in f["dependencies"] or [])' \
	show --json --deps "$T/lib/needs-foo" "$T/lib/needs-bar" "$T/lib/needs-odd" "$static"
mkdir "$T/empty-root"
json_case "show --json --root DIR: interpreters not there (nothing to change; a refusal)" \
	'[(f["interp_exists"], f["fix_target"] == f["interp"], bool(f["fix_refusal"])) for f in ents] == [(False, True, False), (False, False, True)]' \
	show --json --root "$T/empty-root" "$pie" "$brew"
json_case "show --json: RPATH, RUNPATH, another libc's loader, a FreeBSD program" \
	'{f["os"] for f in ents} == {"linux", "freebsd"} and any(f["rpath"] for f in ents) and any(f["runpath"] for f in ents)' \
	show --json "$T/built"
json_case "show --json: names that are not UTF-8 (paths, an interpreter)" \
	'sum("path_bytes" in f for f in ents) == 4 and any("interp_bytes" in f for f in ents)' \
	show --json "$T/names"
json_case "show --json --target-file FILE: where a C and a C++ binary run (needs, runs_on, not_on)" \
	'ents[0]["deploy"]["needs"]["glibc"] and ents[1]["deploy"]["needs"]["glibcxx"] and all({"name": "alpine-3.20", "why": "libc"} in f["deploy"]["not_on"] and {"name": "amzn-2", "why": "versions"} in f["deploy"]["not_on"] and {"name": "acme-tiny", "why": "libc"} in f["deploy"]["not_on"] for f in ents)' \
	show --json --target-file "$T/deploy/targets.json" "$T/deploy/c" "$T/deploy/cxx"

# ---- check --json ----------------------------------------------------------

json_case "check --json: a clean binary (no findings)" \
	'doc["findings"] == [] and doc["errors"] == []' \
	check --json "$pie"
json_case "check --json: Linuxbrew's loader (nonstandard-interp, missing-interp)" \
	'{f["rule"] for f in ents} == {"nonstandard-interp", "missing-interp"} and all(f["advice"] for f in ents)' \
	check --json "$brew"
json_case "check --json: rpath-build-prefix, interp-libc-mismatch, non-linux-binary" \
	'{"rpath-build-prefix", "interp-libc-mismatch", "non-linux-binary"} <= {f["rule"] for f in ents}' \
	check --json "$T/built"
json_case "check --json --libc musl --glibc 2.17: unexpected-libc, glibc-too-new" \
	'{f["rule"] for f in ents} == {"unexpected-libc", "glibc-too-new"}' \
	check --json --libc musl --glibc 2.17 "$pie"
json_case "check --json: missing libraries (library, needed_by, a name in bytes)" \
	'len(ents) == 4 and all(f["rule"] == "missing-library" and f["searched"] for f in ents) and any(f["needed_by"] for f in ents) and any("library_bytes" in f for f in ents)' \
	check --json "$T/lib"
# shellcheck disable=SC2086
json_case "check --json: /etc/passwd, a missing file, a truncated ELF file (errors)" \
	'[e["status"] for e in doc["errors"]] == ["not-elf", "io", "malformed"]' \
	check --json $bad_files
json_case "check --json: a zip archive (findings on a member)" \
	'ents and all(f["member"] == "bin/tool" for f in ents)' \
	check --json "$T/app.zip"
json_case "check --json: a tar.gz archive and a directory" \
	'any(f["member"] for f in ents) and any(not f["member"] for f in ents)' \
	check --json "$T/app.tar.gz" "$T/tree"
json_case "check --json: names that are not UTF-8 (file, library)" \
	'sum("file_bytes" in f for f in ents) >= 2' \
	check --json "$T/names" "$T/lib/needs-odd"
json_case "check --json --target amzn-2 --target alpine-3.20: C and C++ binaries (target-versions with gaps, target-libc)" \
	'{(f["file"].rsplit("/", 1)[1], f["rule"], f["deploy_target"]) for f in ents} >= {("c", "target-versions", "amzn-2"), ("c", "target-libc", "alpine-3.20"), ("cxx", "target-libc", "alpine-3.20")} and any(g["library"] == "libstdc++.so.6" and g["since"] for f in ents for g in f["gaps"] or []) and not any(f["rule"] == "missing-interp" for f in ents)' \
	check --json --target amzn-2 --target alpine-3.20 "$T/deploy"
json_case "check --json --target rhel-9: a library shipped with the app (target-versions with needed_by)" \
	'any(f["rule"] == "target-versions" and (f["needed_by"] or "").endswith("/lib/libcv.so") for f in ents)' \
	check --json --target rhel-9 "$T/ship/bin/app"
if [ "$have_xattr" = yes ]; then
	json_case "check --json: a leftover temporary (leftover-temporary)" \
		'any(f["rule"] == "leftover-temporary" for f in ents)' \
		check --json "$T/left"
else
	ok "check --json: a leftover temporary # SKIP needs user xattrs in $T"
fi

# ---- fix --dry-run --json --------------------------------------------------

json_case "fix --dry-run --json: Linuxbrew's loader (would-fix)" \
	'ents[0]["result"] == "would-fix" and doc["dry_run"] is True' \
	fix --dry-run --json "$brew"
# shellcheck disable=SC2086
json_case "fix --dry-run --json: already, skipped, errors" \
	'[f["result"] for f in ents] == ["already", "skipped", "skipped", "error", "error", "error"]' \
	fix --dry-run --json "$pie" "$static" "$solib" $bad_files
json_case "fix --dry-run --json --to musl's loader: a glibc binary (refused)" \
	'ents[0]["result"] == "refused" and ents[0]["reason"] and ents[0]["advice"]' \
	fix --dry-run --json --to "$MUSL_TO" "$pie"
json_case "fix --dry-run --json --target amzn-2: a binary that needs a newer glibc (refused, the symbols named)" \
	'ents[0]["result"] == "refused" and "@GLIBC_2." in ents[0]["reason"] and doc["exit_status"] == 3' \
	fix --dry-run --json --target amzn-2 "$T/deploy/c"
json_case "fix --dry-run --json: a directory" \
	'{f["result"] for f in ents} == {"would-fix", "already", "skipped"}' \
	fix --dry-run --json "$T/tree"
json_case "fix --dry-run --json: a zip archive (members)" \
	'{f["result"] for f in ents} == {"would-fix", "already", "skipped"} and all(f["member"] for f in ents)' \
	fix --dry-run --json "$T/app.zip"
json_case "fix --dry-run --json: a tar.gz archive (members)" \
	'{f["result"] for f in ents} == {"would-fix", "already", "skipped"} and all(f["member"] for f in ents)' \
	fix --dry-run --json "$T/app.tar.gz"
json_case "fix --dry-run --json --to musl's loader: a zip archive (a member refused)" \
	'any(f["result"] == "refused" and f["member"] for f in ents)' \
	fix --dry-run --json --to "$MUSL_TO" "$T/app.zip"
json_case "fix --dry-run --json --force: a longer interpreter (layout changed)" \
	'ents[0]["layout_changed"] is True and ents[0]["layout_changes"]' \
	fix --dry-run --json --force --to /opt/a/much/longer/prefix/than/the/slot/has/room/for/ld.so "$pie"
json_case "fix --dry-run --json: names that are not UTF-8 (paths, an old interpreter)" \
	'sum("path_bytes" in f for f in ents) == 4 and any("old_interp_bytes" in f for f in ents)' \
	fix --dry-run --json "$T/names"
if [ "$have_xattr" = yes ]; then
	json_case "fix --dry-run --json --remove-leftovers: a tree with a leftover temporary" \
		'sorted(f["result"] for f in ents) == ["would-fix", "would-remove"]' \
		fix --dry-run --json --remove-leftovers "$T/left"
else
	ok "fix --dry-run --json --remove-leftovers: a leftover # SKIP needs user xattrs in $T"
fi

# ---- fix --json: written (on copies) ---------------------------------------

mkdir "$T/w"
cp "$brew" "$T/w/brew"
cp "$pie" "$T/w/pie"
cp "$pie" "$T/w/glibc"
cp "$pie" "$T/w/grow"
cp -R "$T/tree" "$T/w/tree"
cp -R "$T/names" "$T/w/names"
cp "$T/app.zip" "$T/w/app.zip"
cp "$T/app.zip" "$T/w/keep.zip"
cp "$T/app.tar.gz" "$T/w/app.tar.gz"
json_case "fix --json: Linuxbrew's loader (fixed)" \
	'ents[0]["result"] == "fixed" and doc["dry_run"] is False' \
	fix --json "$T/w/brew"
json_case "fix --json --to musl's loader: a glibc binary (refused, exit 3)" \
	'ents[0]["result"] == "refused" and doc["exit_status"] == 3' \
	fix --json --to "$MUSL_TO" "$T/w/glibc"
# shellcheck disable=SC2086
json_case "fix --json: already, skipped, errors" \
	'[f["result"] for f in ents] == ["already", "skipped", "error", "error", "error"]' \
	fix --json "$T/w/pie" "$static" $bad_files
json_case "fix --json: a directory" \
	'{f["result"] for f in ents} == {"fixed", "already", "skipped"}' \
	fix --json "$T/w/tree"
json_case "fix --json: a zip archive (members fixed)" \
	'any(f["result"] == "fixed" and f["member"] == "bin/tool" for f in ents)' \
	fix --json "$T/w/app.zip"
json_case "fix --json: a tar.gz archive (members fixed)" \
	'any(f["result"] == "fixed" and f["member"] == "bin/tool" for f in ents)' \
	fix --json "$T/w/app.tar.gz"
json_case "fix --json -o: a new archive" \
	'any(f["result"] == "fixed" for f in ents)' \
	fix --json -o "$T/w/new.zip" "$T/app.zip"
json_case "fix --json -o: a file that is not an archive (error)" \
	'ents[0]["result"] == "error" and ents[0]["error"]' \
	fix --json -o "$T/w/new2.zip" /etc/passwd
json_case "fix --json --keep-going --to musl's loader: a zip archive (members refused, kept)" \
	'sum(f["result"] == "refused" for f in ents) == 2' \
	fix --json --keep-going --to "$MUSL_TO" "$T/w/keep.zip"
json_case "fix --json --force: a longer interpreter (layout changed)" \
	'ents[0]["result"] == "fixed" and ents[0]["new_size"] > ents[0]["old_size"]' \
	fix --json --force --to /opt/a/much/longer/prefix/than/the/slot/has/room/for/ld.so "$T/w/grow"
json_case "fix --json: names that are not UTF-8" \
	'sum("path_bytes" in f for f in ents) == 4' \
	fix --json "$T/w/names"
if [ "$have_xattr" = yes ]; then
	json_case "fix --json --remove-leftovers: a tree with a leftover temporary" \
		'sorted(f["result"] for f in ents) == ["fixed", "removed"]' \
		fix --json --remove-leftovers "$T/left"
else
	ok "fix --json --remove-leftovers: a leftover # SKIP needs user xattrs in $T"
fi

# ---- check --format sarif --------------------------------------------------

sarif_case "Linuxbrew's loader (results with fixes)" \
	'len(results) == 2 and any(r.get("fixes") for r in results)' \
	"$brew"
sarif_case "a clean binary" 'results == [] and notes == []' "$pie"
sarif_case "a zip archive (a member as a logical location)" \
	'results and all(r["locations"][0]["logicalLocations"][0]["name"] == "bin/tool" for r in results)' \
	"$T/app.zip"
sarif_case "missing libraries" 'len(results) == 4' "$T/lib"
sarif_case "--target amzn-2: a C and a C++ binary (target-versions, its target and gaps in properties)" \
	'results and all(r["ruleId"] == "target-versions" and r["properties"]["deploy_target"] == "amzn-2" and r["properties"]["gaps"] for r in results)' \
	--target amzn-2 "$T/deploy/c" "$T/deploy/cxx"
# shellcheck disable=SC2086
sarif_case "files that cannot be read (notifications)" 'len(notes) == 3' $bad_files
cd "$T" || exit 1
sarif_case "relative names that are not UTF-8, with spaces and controls" \
	'sum("path_bytes" in r["properties"] for r in results) >= 2' \
	names built
done_testing
