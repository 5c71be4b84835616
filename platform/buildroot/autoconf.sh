#!/bin/sh
# Kconfig without kconfiglib, for firmware build systems (Buildroot, OpenWrt) whose hosts
# lack python3-kconfiglib: turns acme.c's Kconfig plus a defconfig into OUT/.config and
# OUT/autoconf.h, as ./build.sh does (the result is compared with kconfiglib's by
# tests/integration/test_autoconf_lite.sh).
#
#   platform/buildroot/autoconf.sh KCONFIG DEFCONFIG OUTDIR
#
# Understands what acme.c's Kconfig uses: config, bool/int/string types, defaults (also
# `default X if EXPR`), range, `depends on EXPR` (symbols, y/n, !, &&, ||, parentheses, =,
# !=), choice/endchoice with a default, menu/endmenu, help text. Anything else (select,
# if/endif, source, ...) is an error, so that a Kconfig change it cannot follow fails the
# build instead of building something else.
# Unknown symbols and out-of-range values in DEFCONFIG are errors, as with ./build.sh.
# POSIX sh and awk only (busybox works).
set -eu
[ $# -eq 3 ] || { echo "usage: $0 KCONFIG DEFCONFIG OUTDIR" >&2; exit 2; }
kconfig=$1 defconfig=$2 out=$3
[ -f "$kconfig" ] || { echo "autoconf.sh: $kconfig not found" >&2; exit 1; }
[ -f "$defconfig" ] || { echo "autoconf.sh: $defconfig not found" >&2; exit 1; }
mkdir -p "$out"

awk -v KC="$kconfig" -v DC="$defconfig" -v OUT="$out" '
function fail(msg) { print "autoconf.sh: " msg > "/dev/stderr"; failed = 1; exit 1 }
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
# The value of a Kconfig literal: "quoted string" (with \" and \\) or a bare word.
function literal(s,   r, i, c) {
    s = trim(s)
    if (substr(s, 1, 1) != "\"") return s
    r = ""
    for (i = 2; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\") { i++; r = r substr(s, i, 1); continue }
        if (c == "\"") break
        r = r c
    }
    return r
}
function cstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
# Kconfig expressions (depends on, default ... if): symbols, y/n, !, &&, ||, parentheses,
# = and !=. Evaluated to 1 (y) or 0 (n) with the values known so far (symbols are defined
# before they are used in the Kconfig of acme.c). ex_fail holds an error message.
function ex_eval(e,   n, i) {
    gsub(/&&/, " \001 ", e); gsub(/\|\|/, " \002 ", e); gsub(/!=/, " \003 ", e)
    gsub(/!/, " ! ", e); gsub(/=/, " = ", e); gsub(/\(/, " ( ", e); gsub(/\)/, " ) ", e)
    ex_n = split(trim(e), ex_t, /[ \t]+/); ex_i = 1; ex_fail = ""
    for (i = 1; i <= ex_n; i++) {
        if (ex_t[i] == "\001") ex_t[i] = "&&"
        else if (ex_t[i] == "\002") ex_t[i] = "||"
        else if (ex_t[i] == "\003") ex_t[i] = "!="
    }
    ex_t[ex_n + 1] = ""
    n = ex_or()
    if (ex_i <= ex_n && ex_fail == "") ex_fail = "unexpected \"" ex_t[ex_i] "\""
    return n
}
function ex_or(   v) { v = ex_and(); while (ex_t[ex_i] == "||") { ex_i++; v = ex_and() || v } return v }
function ex_and(   v) { v = ex_not(); while (ex_t[ex_i] == "&&") { ex_i++; v = ex_not() && v } return v }
function ex_not() { if (ex_t[ex_i] == "!") { ex_i++; return !ex_not() } return ex_cmp() }
function ex_cmp(   a, b, op) {
    if (ex_t[ex_i] == "(") {
        ex_i++; a = ex_or()
        if (ex_t[ex_i] != ")") ex_fail = "missing )"
        ex_i++; return a
    }
    a = ex_value(ex_t[ex_i++])
    if (ex_t[ex_i] == "=" || ex_t[ex_i] == "!=") {
        op = ex_t[ex_i++]; b = ex_value(ex_t[ex_i++])
        return op == "=" ? a == b : a != b
    }
    return a == "y"
}
function ex_value(w) {
    if (w == "y" || w == "n") return w
    if (w ~ /^".*"$/) return literal(w)
    if (w ~ /^-?[0-9]+$/) return w
    if (!(w in known)) { ex_fail = "unknown symbol " w; return "n" }
    return val[w]
}
BEGIN {
    n = 0; inhelp = 0; inchoice = 0; nchoice = 0
    while ((getline line < KC) > 0) {
        lineno++
        if (inhelp) {
            # help text: indented lines and blank lines, until a line starting in column 0
            if (line ~ /^[ \t]/ || line ~ /^$/) continue
            inhelp = 0
        }
        sub(/#.*$/, "", line)  # no "#" inside the strings acme.c uses
        if (line ~ /^[ \t]*$/) continue
        split(trim(line), w, /[ \t]+/)
        kw = w[1]
        rest = trim(substr(trim(line), length(kw) + 1))
        where = KC ":" lineno ": "
        if (kw == "mainmenu" || kw == "menu" || kw == "endmenu" || kw == "comment" || kw == "prompt") continue
        if (kw == "help" || kw == "---help---") { inhelp = 1; continue }
        if (kw == "choice") { inchoice = 1; nchoice++; cur = ""; continue }
        if (kw == "endchoice") { inchoice = 0; cur = ""; continue }
        if (kw == "config" || kw == "menuconfig") {
            cur = w[2]; order[++n] = cur; known[cur] = 1; choice[cur] = inchoice ? nchoice : 0
            continue
        }
        if (kw == "bool" || kw == "int" || kw == "string" || kw == "hex") {
            if (cur == "") fail(where "type outside a config entry")
            type[cur] = kw; continue
        }
        if (kw == "default") {
            cond = ""
            if (match(rest, /[ \t]if[ \t]/)) { cond = trim(substr(rest, RSTART + 3)); rest = trim(substr(rest, 1, RSTART - 1)) }
            if (inchoice && cur == "") {
                if (cond != "") fail(where "conditional choice default: not supported, use ./build.sh (kconfiglib)")
                choicedef[nchoice] = rest; continue
            }
            if (cur == "") fail(where "default outside a config entry")
            # defaults in order; the first whose condition holds applies
            nd[cur]++; defv[cur, nd[cur]] = literal(rest); defc[cur, nd[cur]] = cond
            continue
        }
        if (kw == "range") { rmin[cur] = w[2]; rmax[cur] = w[3]; continue }
        if (kw == "depends") {
            d = trim(substr(rest, 3))  # after "on"
            # (a temporary: busybox awk creates deps[cur] before evaluating the right side)
            if (cur in deps) d = "(" deps[cur] ") && (" d ")"
            deps[cur] = d
            continue
        }
        fail(where "\"" kw "\" is not supported here; use ./build.sh (kconfiglib)")
    }
    close(KC)

    # the defconfig: CONFIG_X=value or "# CONFIG_X is not set"
    while ((getline line < DC) > 0) {
        dl++
        if (line ~ /^# CONFIG_[A-Za-z0-9_]+ is not set/) {
            s = line; sub(/^# CONFIG_/, "", s); sub(/ .*/, "", s); v = "n"
        } else if (line ~ /^[ \t]*(#|$)/) {
            continue
        } else if (line ~ /^CONFIG_[A-Za-z0-9_]+=/) {
            s = line; sub(/^CONFIG_/, "", s); v = s; sub(/=.*/, "", s); sub(/^[^=]*=/, "", v)
            v = literal(v)
        } else fail(DC ":" dl ": not a CONFIG_ line")
        if (!(s in known)) fail(DC ":" dl ": unknown symbol CONFIG_" s)
        user[s] = v
        if (choice[s] && v == "y") chosen[choice[s]] = s
    }
    close(DC)

    for (i = 1; i <= n; i++) {
        s = order[i]; t = type[s]
        if (choice[s]) {
            c = choice[s]
            if (!(c in chosen)) chosen[c] = choicedef[c]
            val[s] = (chosen[c] == s) ? "y" : "n"
        } else if (s in user) val[s] = user[s]
        else {
            val[s] = (t == "bool") ? "n" : ""
            for (j = 1; j <= nd[s]; j++) {
                if (defc[s, j] != "") {
                    on = ex_eval(defc[s, j])
                    if (ex_fail != "") fail(KC ": " s ": default ... if " defc[s, j] ": " ex_fail)
                    if (!on) continue
                }
                val[s] = defv[s, j]
                break
            }
        }
        if (s in deps) {
            on = ex_eval(deps[s])
            if (ex_fail != "") fail(KC ": " s ": depends on " deps[s] ": " ex_fail)
            if (!on) { val[s] = (t == "bool") ? "n" : ""; off[s] = 1 }
        }
        if (t == "bool" && val[s] != "y" && val[s] != "n")
            fail(DC ": CONFIG_" s "=" val[s] ": not y or n")
        if (t == "int" && !off[s]) {
            if (val[s] !~ /^-?[0-9]+$/) fail(DC ": CONFIG_" s "=" val[s] ": not a number")
            if ((s in rmin) && (val[s] + 0 < rmin[s] + 0 || val[s] + 0 > rmax[s] + 0))
                fail(DC ": CONFIG_" s "=" val[s] ": out of range " rmin[s] ".." rmax[s])
        }
        if ((s in user) && user[s] != val[s])
            fail(DC ": CONFIG_" s "=" user[s] " is inconsistent with the other options (Kconfig made it " (val[s] == "" ? "unset" : val[s]) ")")
    }

    cfg = OUT "/.config.new"; hdr = OUT "/autoconf.h.new"
    printf "" > cfg
    print "/* generated by platform/buildroot/autoconf.sh from " DC " */" > hdr
    for (i = 1; i <= n; i++) {
        s = order[i]; t = type[s]; v = val[s]
        if (off[s] && t != "bool") continue
        if (t == "bool") {
            if (v == "y") { print "CONFIG_" s "=y" > cfg; print "#define CONFIG_" s " 1" > hdr }
            else print "# CONFIG_" s " is not set" > cfg
        } else if (t == "string") {
            print "CONFIG_" s "=" cstr(v) > cfg; print "#define CONFIG_" s " " cstr(v) > hdr
        } else {
            print "CONFIG_" s "=" v > cfg; print "#define CONFIG_" s " " v > hdr
        }
    }
    close(cfg); close(hdr)
}
END { if (failed) exit 1 }
' || exit 1

# rewritten only when it changes, so that make does not rebuild for nothing
for f in .config autoconf.h; do
    if cmp -s "$out/$f.new" "$out/$f"; then rm -f "$out/$f.new"; else mv "$out/$f.new" "$out/$f"; fi
done
