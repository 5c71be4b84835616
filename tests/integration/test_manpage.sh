#!/usr/bin/env bash
# acme.1: formats without a warning (groff -man -z -ww; mandoc -T lint when installed, Debian
# package mandoc), documents every config key of core/config.c's table with its default, every
# option and command that `acme --help` prints, and every exit status.
#
# Environment: ACME_BIN (default build/host/acme), ACME_ROOT.
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
BIN=${ACME_BIN:-$ROOT/build/host/acme}
MAN=$ROOT/acme.1
. "$ROOT/tests/integration/lib/check.sh"
W=$(mktemp -d /tmp/acme-manpage-test.XXXXXX)
trap 'rm -rf "$W"' EXIT

[ -f "$MAN" ] || { echo "no $MAN"; echo "0 passed, 1 failed"; exit 1; }
[ -x "$BIN" ] || { echo "no binary at $BIN"; echo "0 passed, 1 failed"; exit 1; }

if command -v groff >/dev/null; then
    if groff -man -z -ww "$MAN" > "$W/groff.log" 2>&1 && [ ! -s "$W/groff.log" ]; then
        ok "groff -man -z -ww: no warnings"
    else
        bad "groff -man -z -ww:"; sed 's/^/    /' "$W/groff.log"
    fi
else
    bad "groff is not installed (Debian package groff-base)"
fi
if command -v mandoc >/dev/null; then
    if mandoc -T lint "$MAN" > "$W/mandoc.log" 2>&1 && [ ! -s "$W/mandoc.log" ]; then
        ok "mandoc -T lint: clean"
    else
        bad "mandoc -T lint:"; sed 's/^/    /' "$W/mandoc.log"
    fi
else
    echo "skip mandoc -T lint (Debian package mandoc not installed)"
fi

"$BIN" --help > "$W/help.txt" 2>&1 || bad "acme --help exited non-zero"

# The checks, on the man source with escapes undone, section by section.
python3 - "$MAN" "$ROOT/core/config.c" "$W/help.txt" > "$W/checks.txt" <<'PY'
import re, sys
man_path, config_c, help_path = sys.argv[1:4]

def plain(s):
    s = re.sub(r"\\f[BIRP]|\\&|\\\(aq", "", s)
    return s.replace("\\-", "-").replace("\\e", "\\")

sections, cur, sub = {}, None, None
blocks = []  # (section, term line, body lines) of every .TP entry
for raw in open(man_path, encoding="utf-8"):
    line = plain(raw.rstrip("\n"))
    if line.startswith(".SH "):
        cur = line[4:].strip('"')
        sections[cur] = []
        continue
    if cur is None:
        continue
    sections[cur].append(line)

def tp_entries(sec):
    """(term, body) for each .TP in a section: the term is the line after .TP."""
    out, lines, i = [], sections.get(sec, []), 0
    while i < len(lines):
        if lines[i].startswith(".TP") and i + 1 < len(lines):
            term, body, j = lines[i + 1], [], i + 2
            while j < len(lines) and not lines[j].startswith((".TP", ".SS", ".SH", ".PP")):
                body.append(lines[j])
                j += 1
            out.append((term, "\n".join(body)))
            i = j
        else:
            i += 1
    return out

def words(term):
    # the words of a term line like '.BR link_cert ", " link_key' or '.B status [--cert FILE]'
    term = re.sub(r"^\.[A-Z]+\s*", "", term)
    return set(re.findall(r"[A-Za-z0-9_][A-Za-z0-9_.-]*|--?[A-Za-z][A-Za-z-]*", term.replace('"', " ")))

def report(ok, what):
    print(("ok   " if ok else "FAIL ") + what)

# 1. every config key, as a term of the CONFIGURATION section, with "Default" in its entry
keys = re.findall(r'^\s*X\(([a-z_0-9]+), (?:K_[A-Z_]+|IF_[A-Z0-9]+\(K_[A-Z_]+\))', open(config_c).read(), re.M)
report(len(keys) >= 20, "config.c key table parsed (%d keys)" % len(keys))
conf = tp_entries("CONFIGURATION")
missing, nodefault = [], []
for k in keys:
    ent = [body for term, body in conf if k in words(term)]
    if not ent:
        missing.append(k)
    elif not any("Default" in b for b in ent):
        nodefault.append(k)
report(not missing, "every config key is documented" + (": missing " + " ".join(missing) if missing else " (%d)" % len(keys)))
report(not nodefault, "every config key has its default" + (": none for " + " ".join(nodefault) if nodefault else ""))
# and nothing documented as a key that config.c does not know
documented = set()
for term, _ in conf:
    documented |= {w for w in words(term) if re.fullmatch(r"[a-z][a-z0-9_]*", w) and "_" in w or w in keys}
extra = sorted(w for w in documented if w not in keys and re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", w))
report(not extra, "no documented key unknown to config.c" + (": " + " ".join(extra) if extra else ""))

# 2. every option and command of acme --help
help_text = open(help_path).read()
opts, cmds, mode = set(), set(), None
for line in help_text.splitlines():
    if line.startswith("options:"):
        mode = "o"; continue
    if line.startswith("commands:"):
        mode = "c"; continue
    if line and not line.startswith(" "):
        mode = None
    if mode == "o":
        m = re.match(r"\s{2}(-[^\s,]+)(?:,\s*(-[^\s,]+))?", line)
        if m:
            opts |= {x for x in m.groups() if x}
    elif mode == "c":
        m = re.match(r"\s{2}([a-z][a-z-]*)\b(.*)", line)
        if m:
            cmds.add(m.group(1))
            opts |= set(re.findall(r"--[a-z][a-z-]*", m.group(2)))
opts |= set(re.findall(r"(?<![\w-])--[a-z][a-z-]+", help_text))
report(len(opts) >= 6 and "run" in cmds, "acme --help parsed (%d options, %d commands)" % (len(opts), len(cmds)))
man_terms = " ".join(t for sec in ("OPTIONS", "COMMANDS") for t, _ in tp_entries(sec))
man_opts = set(re.findall(r"(?<![\w-])--?[A-Za-z][A-Za-z-]*", man_terms))
nodoc = sorted(o for o in opts if o not in man_opts)
report(not nodoc, "every option of --help is an OPTIONS/COMMANDS term" + (": missing " + " ".join(nodoc) if nodoc else ""))
cmd_terms = set()
for t, _ in tp_entries("COMMANDS"):
    cmd_terms |= words(t)
nocmd = sorted(c for c in cmds if c not in cmd_terms)
report(not nocmd, "every command of --help is a COMMANDS term" + (": missing " + " ".join(nocmd) if nocmd else " (" + " ".join(sorted(cmds)) + ")"))
# the other way round: --help names every command and option the man page has, one line each,
# stays short and sends the reader to the man page for the rest
man_cmds = {w for w in cmd_terms if re.fullmatch(r"[a-z]+", w) and w not in ("none", "or", "update", "deactivate", "rollover")}
report(not (man_cmds - cmds), "--help lists every command of COMMANDS" + (": missing " + " ".join(sorted(man_cmds - cmds)) if man_cmds - cmds else ""))
report(not (man_opts - opts), "--help lists every option of OPTIONS/COMMANDS" + (": missing " + " ".join(sorted(man_opts - opts)) if man_opts - opts else ""))
nlines = len(help_text.splitlines())
report(nlines <= 40 and max(len(l) for l in help_text.splitlines()) <= 80, "--help is short (%d lines of at most 80 columns)" % nlines)
report("acme(1)" in help_text, "--help points to acme(1)")
for st in range(8):
    report(re.search(r"^\s+%d\s+\S" % st, help_text, re.M) is not None, "--help: exit status %d has a line" % st)

# 3. exit statuses 0..7
codes = {t.split()[-1] for t, _ in tp_entries("EXIT STATUS")}
report(all(str(i) in codes for i in range(8)), "exit statuses 0..7 are documented")

# 4. sections a man page needs, and the examples the issue asks for
for s in ("NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "COMMANDS", "CONFIGURATION",
          "EXIT STATUS", "FILES", "EXAMPLES"):
    report(s in sections, "section " + s)
ex = "\n".join(sections.get("EXAMPLES", []))
report(re.search(r"^\d+ [\d,]+ \* \* \* /usr/sbin/acme", ex, re.M) is not None, "EXAMPLES: a crontab line")
report("OpenWrt" in ex and "uci set acme." in ex, "EXAMPLES: OpenWrt")
report("First boot" in ex and "selfsign" in ex, "EXAMPLES: first boot")
PY
while read -r st rest; do
    if [ "$st" = ok ]; then ok "$rest"; else bad "$rest"; fi
done < "$W/checks.txt"
[ -s "$W/checks.txt" ] || bad "the checks did not run"

finish
