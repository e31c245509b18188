#!/bin/sh
# check in a CI job: GitHub workflow commands that no file name can forge,
# --fail-on and --ignore deciding the exit status, -q for the summary only;
# show walks a directory; check and fix count a tree alike; no progress
# line when stderr is not a terminal.
. "$IFX_SRCDIR/tests/cli/lib.sh"
require_fixtures brew gcc-pie static
require_tools python3
plan 22

D=$T/dist
mkdir -p "$D/bin"
cp "$(fixture brew)" "$D/bin/tool"
cp "$(fixture brew)" "$D/bin/$(printf 'evil\n::error file=README.md,line=1::pwned 100%% a,b')"
cp "$(fixture gcc-pie)" "$D/bin/good"
cp "$(fixture static)" "$D/bin/static"
printf 'notes\n' >"$D/README"
ln -s good "$D/bin/link"

# ---- --format github ----
ifx check --format github "$D"
check "github: exit 1 (findings), one workflow command per finding" \
	sh -c "[ $RC = 1 ] && [ \$(grep -c '^::' '$T/out') = 4 ]"
check "github: every command is well formed: no raw : or , in file= and title=" \
	python3 -c '
import re, sys
lines = open(sys.argv[1], "rb").read().decode("utf-8").split("\n")
cmds = [l for l in lines if l.startswith("::")]
ok = all(re.fullmatch(r"::(error|warning) file=[^:,\r\n]*,title=[^:,\r\n]*::[^\r\n]*", l) for l in cmds)
others = [l for l in lines if l and not l.startswith("::")]
sys.exit(0 if ok and len(cmds) == 4 and len(others) == 1 else 1)' "$T/out"
check "github: the hostile name comes back from file= (percent, then \\xNN decoding)" \
	python3 -c '
import os, re, sys, urllib.parse
d = sys.argv[2]
names = set()
for l in open(sys.argv[1], "rb").read().decode("utf-8").split("\n"):
    m = re.match(r"::\w+ file=([^,]*),", l)
    if m:
        shown = urllib.parse.unquote(m.group(1))
        raw = re.sub(r"\\x([0-9a-f]{2})", lambda x: chr(int(x.group(1), 16)), shown)
        names.add(raw.replace("\\\\", "\\"))
want = {os.path.join(d, "bin", "tool"), os.path.join(d, "bin", "evil\n::error file=README.md,line=1::pwned 100% a,b")}
sys.exit(0 if names == want else 1)' "$T/out" "$D"
check "github: the advice rides in the message, percent-encoded newline first" \
	grep -q '^::error file=[^,]*tool,title=nonstandard-interp::.*%0Afix: interpfix fix --portable ' "$T/out"

ifx fix --dry-run --portable --format github "$D"
check "fix --dry-run --format github: a warning per file that would change, forged names escaped" \
	python3 -c '
import re, sys
lines = open(sys.argv[1], "rb").read().decode("utf-8").split("\n")
cmds = [l for l in lines if l.startswith("::")]
ok = all(re.fullmatch(r"::warning file=[^:,\r\n]*,title=would-fix::/home/linuxbrew/\.linuxbrew/lib/ld\.so -> /\S+", l) for l in cmds)
sys.exit(0 if ok and len(cmds) == 2 else 1)' "$T/out"

ifx fix --dry-run --portable --format sarif "$D" /etc/passwd
check "fix --dry-run --format sarif: a would-fix result per change with its byte fix, errors as notifications" \
	python3 -c '
import json, os, sys
d = json.load(open(sys.argv[1]))
run = d["runs"][0]
ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
res = run["results"]
ok = (d["version"] == "2.1.0" and len(res) == 2 and
      all(r["ruleId"] == "would-fix" and ids[r["ruleIndex"]] == "would-fix" and r["fixes"] for r in res) and
      run["invocations"][0]["executionSuccessful"] is False and
      len(run["invocations"][0]["toolExecutionNotifications"]) == 1)
schema = os.environ.get("IFX_SARIF_SCHEMA")
if ok and schema:
    import jsonschema
    s = json.load(open(schema))
    jsonschema.validators.validator_for(s)(s).validate(d)
sys.exit(0 if ok else 1)' "$T/out"

# ---- --fail-on and --ignore ----
W=$T/warn
mkdir -p "$W"
gcc -o "$W/rpathed" "$IFX_SRCDIR/samples/hello.c" -Wl,-rpath,/tmp/build-only
ifx check "$W"
check "a warning alone (rpath-build-prefix) exits 1 by default" \
	sh -c "[ $RC = 1 ] && grep -q 'rpath-build-prefix' '$T/out'"
ifx check --fail-on error "$W"
check "--fail-on error: a warning alone exits 0, and is still reported" \
	sh -c "[ $RC = 0 ] && grep -q 'rpath-build-prefix' '$T/out'"
ifx check --fail-on never "$D"
check "--fail-on never: errors in findings exit 0" [ "$RC" = 0 ]
ifx check --fail-on never "$D" /etc/passwd
check "--fail-on never: a file that cannot be read still exits 2" [ "$RC" = 2 ]
ifx check --ignore nonstandard-interp --ignore missing-interp "$D"
check "--ignore drops those rules' findings (exit 0, 0 findings)" \
	sh -c "[ $RC = 0 ] && ! grep -q 'nonstandard-interp\|missing-interp' '$T/out' &&
	       grep -q ' 0 with findings, 0 findings, 0 errors$' '$T/out'"
ifx check --ignore no-such-rule "$D"
check "--ignore with an unknown rule is a usage error naming it (exit 2)" \
	sh -c "[ $RC = 2 ] && grep -q 'no-such-rule' '$T/err'"
ifx check --fail-on sometimes "$D"
check "--fail-on with an unknown severity is a usage error naming it (exit 2)" \
	sh -c "[ $RC = 2 ] && grep -q \"not 'sometimes'\" '$T/err'"
ifx fix --dry-run --format yaml "$D"
check "fix --format with an unknown format is a usage error (exit 2), nothing written" \
	sh -c "[ $RC = 2 ] && grep -q \"not 'yaml'\" '$T/err' && [ ! -s '$T/out' ]"
ifx check --format yaml "$D"
check "--format with an unknown format is a usage error (exit 2)" \
	sh -c "[ $RC = 2 ] && grep -q \"not 'yaml'\" '$T/err'"

# ---- -q, counts, progress ----
ifx check -q "$D"
check "check -q: the summary line only" \
	sh -c "[ $RC = 1 ] && [ \$(wc -l <'$T/out') = 1 ] && grep -q '^[0-9]* files, ' '$T/out'"
ifx check -v "$D"
check "check -v: a tree's README and symlink are listed as skipped, with why" \
	sh -c "grep -qx 'skipped $D/README: not an ELF file' '$T/out' &&
	       grep -q '^skipped $D/bin/link: not a regular file' '$T/out'"
ifx check "$D"
check_files=$(sed -n 's/^\([0-9]*\) files, \([0-9]*\) ELF,.*/\1 \2/p' "$T/out")
ifx fix --dry-run --portable "$D"
fix_files=$(sed -n 's/^\([0-9]*\) scanned, \([0-9]*\) ELF,.*/\1 \2/p' "$T/out")
check "check and fix count the same tree alike (entries, ELF: $check_files)" \
	[ "${check_files:-none}" = "${fix_files:-also none}" ]
check "no progress line when stderr is not a terminal" \
	sh -c "! grep -q \"\$(printf '\\r')\" '$T/err'"

# ---- show DIR ----
ifx show "$D"
check "show DIR lists each ELF file of the tree (exit 0)" \
	sh -c "[ $RC = 0 ] && grep -q '^$D/bin/good:$' '$T/out' && grep -q '^$D/bin/static:$' '$T/out' &&
	       ! grep -q '$D/README' '$T/out' '$T/err'"
ifx show --json "$D"
check "show --json DIR: one entry per ELF file, the tree counted in the summary" \
	python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["command"] == "show" and len(d["files"]) == 4 and d["summary"]["elf"] == 4
         and d["summary"]["files"] == 6 and d["summary"]["errors"] == 0 else 1)' "$T/out"
check "show --json DIR: schema_version 1 and the tool's name first" \
	sh -c "head -c 60 '$T/out' | grep -q '^{\"schema_version\":1,\"tool\":{\"name\":\"interpfix\"'"
done_testing
