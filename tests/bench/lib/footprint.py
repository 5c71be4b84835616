#!/usr/bin/env python3
"""On-disk footprint of a client for tests/bench/peers.sh: prints "BYTES FILES".

    footprint.py files PATH...    the files and, for ELF files, their shared libraries (ldd)
    footprint.py debs PKG...      every regular file of the installed Debian packages PKG and
                                  of the python3/libpython3 packages they depend on
                                  (recursively: an approximation of a Python client's
                                  footprint), plus the shared libraries of their ELF files
Files are counted once (by resolved path); symlinks are followed to what they point at.
"""
import os
import re
import subprocess
import sys


def is_elf(path):
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"\x7fELF"
    except OSError:
        return False


def ldd(path):
    try:
        out = subprocess.run(["ldd", path], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    libs = []
    for line in out.splitlines():
        m = re.search(r"(?:=>\s*)?(/\S+)\s+\(0x", line)
        if m:
            libs.append(m.group(1))
    return libs


def dpkg_files(pkg):
    out = subprocess.run(["dpkg", "-L", pkg], capture_output=True, text=True).stdout
    return [p for p in out.splitlines() if os.path.isfile(p) and not os.path.islink(p)]


def depends(pkg):
    out = subprocess.run(["dpkg-query", "-W", "-f=${Depends},${Pre-Depends}", pkg],
                         capture_output=True, text=True).stdout
    names = []
    for alt in out.split(","):
        alt = alt.strip()
        if not alt:
            continue
        # first alternative that is installed
        for choice in alt.split("|"):
            name = choice.strip().split()[0].split(":")[0]
            st = subprocess.run(["dpkg-query", "-W", "-f=${Status}", name],
                                capture_output=True, text=True).stdout
            if "installed" in st and "not-installed" not in st:
                names.append(name)
                break
    return names


def main():
    mode, args = sys.argv[1], sys.argv[2:]
    files = set()
    if mode == "files":
        files.update(os.path.realpath(p) for p in args)
    elif mode == "debs":
        todo, seen = list(args), set()
        while todo:
            p = todo.pop()
            if p in seen:
                continue
            seen.add(p)
            files.update(os.path.realpath(f) for f in dpkg_files(p))
            todo.extend(d for d in depends(p) if re.match(r"^(lib)?python3", d))
    else:
        sys.exit("usage: footprint.py files|debs ARG...")
    for f in list(files):
        if is_elf(f):
            files.update(os.path.realpath(l) for l in ldd(f))
    total = sum(os.path.getsize(f) for f in files if os.path.isfile(f))
    print(total, len(files))


main()
