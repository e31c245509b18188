#!/bin/sh
# File names and interpreter bytes are data. Every byte 0x01-0xff (but /)
# goes through file names, and all of them through one interpreter path;
# through show, check, fix --dry-run and explain, in text and JSON:
#  - text: every line is valid UTF-8 with no control byte (so no name can
#    start a line, forge a GitHub "::error" command or move the cursor);
#  - JSON: valid UTF-8 that a strict parser reads, and lossless: each name
#    (from "path", or "path_bytes" when it was not UTF-8) is a file there;
#  - advice pasted into bash names exactly the file, and runs nothing else.
. "$IFX_SRCDIR/tests/cli/lib.sh"
require_fixtures gcc-pie
require_tools python3 bash
plan 13

D=$T/tree
mkdir -p "$D/q"
base=$(fixture gcc-pie)
brew=$T/brew
cp "$base" "$brew"
# a Linuxbrew interpreter, so check has findings with advice for every file
ifx fix --force --to /home/linuxbrew/.linuxbrew/lib/ld.so "$brew"
[ "$RC" = 0 ] || diag "setting up the brew binary failed: $(cat "$T/err")"
python3 - "$D" "$brew" <<'EOF'
import os, shutil, sys
d, src = sys.argv[1].encode(), sys.argv[2]
for b in range(1, 256):
    if b == 0x2f:
        continue
    shutil.copy(src, os.path.join(d, b"n-" + bytes([b]) + b"-x"))
for name in [b"evil\n::error file=README.md,line=1::pwned", b"q/$(touch PWNED)",
             b"q/my tool", b"esc\x1b[31mred\x1b]0;title\x07", b"bad\xff\xfe", b"c1\xc2\x9b2J",
             "caf\u00e9".encode()]:
    shutil.copy(src, os.path.join(d, name))
EOF
# one binary whose interpreter holds every byte 0x01-0xff
weird=$(python3 -c 'import sys; sys.stdout.buffer.write(b"/" + bytes(range(1, 256)))')
cp "$base" "$T/weird-interp"
ifx fix --force --to "$weird" "$T/weird-interp"
check "an interpreter of every byte 0x01-0xff can be written (exit 0)" [ "$RC" = 0 ]
cp "$T/weird-interp" "$D/weird-interp"

# text_clean FILE: valid UTF-8, and no control byte but newline
text_clean() {
	python3 - "$1" <<'EOF'
import sys
data = open(sys.argv[1], "rb").read()
try:
    text = data.decode("utf-8")
except UnicodeDecodeError as e:
    print("# not UTF-8:", e); sys.exit(1)
bad = [c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7f <= ord(c) < 0xa0]
if bad:
    print("# control characters:", repr(bad[:5])); sys.exit(1)
if any(line.startswith("::") for line in text.split("\n")):
    print("# a line starts a workflow command"); sys.exit(1)
EOF
}
# json_lossless FILE KEY...: strict UTF-8 JSON; every value of KEY (or its
# _bytes twin) anywhere in the document names a file in $D
json_lossless() {
	python3 - "$D" "$@" <<'EOF'
import json, os, sys
d, path, keys = sys.argv[1], sys.argv[2], sys.argv[3:]
data = open(path, "rb").read()
doc = json.loads(data.decode("utf-8"))
names = set()
def walk(v):
    if isinstance(v, dict):
        for k in keys:
            if k in v and v[k] is not None:
                raw = bytes.fromhex(v[k + "_bytes"]) if k + "_bytes" in v else v[k].encode()
                names.add(raw)
        for x in v.values():
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
walk(doc)
want = set()
for root, dirs, files in os.walk(d.encode()):
    for f in files:
        want.add(os.path.join(root, f))
missing = want - names
if missing:
    print("# not named in the JSON:", sorted(missing)[:5]); sys.exit(1)
extra = {n for n in names if not os.path.lexists(n)}
if extra:
    print("# named but not there:", sorted(extra)[:5]); sys.exit(1)
EOF
}

ifx show "$D"/*  "$D"/q/*
check "show: text output is clean" text_clean "$T/out"
check "show: error lines are clean" text_clean "$T/err"
ifx show --json "$D"/* "$D"/q/*
check "show --json: strict UTF-8 JSON naming every file losslessly" json_lossless "$T/out" path
ifx check "$D"
check "check: exit 1 (findings)" [ "$RC" = 1 ]
check "check: findings and advice lines are clean" text_clean "$T/out"
ifx check --json "$D"
check "check --json: strict UTF-8 JSON naming every file losslessly" json_lossless "$T/out" file
ifx fix --dry-run --portable "$D"
check "fix --dry-run: text output is clean" text_clean "$T/out"
ifx fix --dry-run --portable --json "$D"
check "fix --dry-run --json: strict UTF-8 JSON naming every file losslessly" json_lossless "$T/out" path
check "fix --dry-run --json: the interpreter of every byte comes back byte for byte" \
	python3 -c '
import json, sys
doc = json.loads(open(sys.argv[1], "rb").read().decode("utf-8"))
files = doc["files"]
want = b"/" + bytes(range(1, 256))
got = [bytes.fromhex(f["old_interp_bytes"]) for f in files if "old_interp_bytes" in f]
sys.exit(0 if want in got else 1)' "$T/out"
ifx explain "$D/esc$(printf '\033')[31mred$(printf '\033')]0;title$(printf '\007')"
check "explain: text output is clean" text_clean "$T/out"

# Advice pasted into bash: interpfix is a function that writes its last
# argument; it must be the file, and nothing else may run.
ifx check "$D"
cd "$T" || exit 1
check "every piece of advice pasted into bash names exactly its file" python3 -c '
import os, subprocess, sys
lines = [l[len(b"  fix: "):] for l in open(sys.argv[1], "rb").read().split(b"\n")
         if l.startswith(b"  fix: ")]
bad = 0
for line in sorted(set(lines)):
    r = subprocess.run(["bash", "-c", b"interpfix() { for a; do :; done; printf %s \"$a\"; }; " + line],
                       capture_output=True)
    if r.returncode != 0 or not os.path.lexists(r.stdout):
        bad += 1
        print("# pasted advice does not name a file:", line)
sys.exit(1 if bad or len(lines) < 250 else 0)' "$T/out"
check "... and runs nothing else (no PWNED file anywhere)" \
	sh -c "[ ! -e '$T/PWNED' ] && [ ! -e '$D/PWNED' ] && [ ! -e '$D/q/PWNED' ]"
done_testing
