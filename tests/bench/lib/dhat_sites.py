#!/usr/bin/env python3
"""Summarises a valgrind DHAT profile (dhat.out JSON) of acme for tests/bench/memory.sh.

Every allocation site (program point) is attributed by its stack: "acme" when the frame that
called the allocator is acme's own code (a source file of this repository), "libc" when it is
a library (getaddrinfo, stdio, ...), named by the library function acme called and the acme
function that called it. Prints the totals, the peak heap (bytes live at the global maximum)
and one line per site group.

    dhat_sites.py DHAT_JSON REPO_ROOT
"""
import json
import os
import re
import sys


def repo_sources(root):
    names = set()
    for top in ("core", "platform", "bearssl", "mbedtls"):
        for dirpath, _dirs, files in os.walk(os.path.join(root, top)):
            names.update(f for f in files if f.endswith((".c", ".h")))
    names.add("acme.c")
    return names


FRAME = re.compile(r"^0x[0-9A-Fa-f]+: (?P<fn>.+?) \((?P<loc>.*)\)$")


def parse(frame):
    m = FRAME.match(frame)
    if not m:
        return frame, ""
    return m.group("fn"), m.group("loc")


def main():
    prof = json.load(open(sys.argv[1]))
    ours = repo_sources(sys.argv[2])
    ftbl = prof["ftbl"]

    def is_acme(loc):
        if loc.startswith("in "):
            return "/acme" in loc and ".so" not in loc
        return loc.split(":")[0] in ours

    def is_allocator(loc):
        return "vgpreload" in loc

    groups = {}
    tot = {"acme": [0, 0], "libc": [0, 0]}
    peak = 0
    for pp in prof["pps"]:
        frames = [parse(ftbl[i]) for i in pp["fs"]]
        while frames and is_allocator(frames[0][1]):
            frames.pop(0)
        peak += pp.get("gb", 0)
        if frames and is_acme(frames[0][1]):
            kind, key = "acme", "%s (%s)" % frames[0]
        else:
            # the outermost library frame just below the first acme frame
            entry, caller = "?", "(startup, no acme frame)"
            for i, (fn, loc) in enumerate(frames):
                if is_acme(loc):
                    caller = fn
                    entry = frames[i - 1][0] if i > 0 else "?"
                    break
            else:
                entry = frames[-1][0] if frames else "?"
            kind, key = "libc", "%s called from %s" % (entry, caller)
        g = groups.setdefault((kind, key), [0, 0])
        g[0] += pp["tbk"]
        g[1] += pp["tb"]
        tot[kind][0] += pp["tbk"]
        tot[kind][1] += pp["tb"]
    print("dhat_acme_calls=%d dhat_acme_bytes=%d" % tuple(tot["acme"]))
    print("dhat_libc_calls=%d dhat_libc_bytes=%d" % tuple(tot["libc"]))
    print("dhat_peak_bytes=%d" % peak)
    for (kind, key), (n, b) in sorted(groups.items(), key=lambda kv: -kv[1][0]):
        print("site %-4s %5d calls %8d bytes  %s" % (kind, n, b, key))


main()
