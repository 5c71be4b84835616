#!/usr/bin/env python3
"""sstrip.py FILE: drops what a stripped static ELF executable still carries after the last
loadable segment -- the section header table, the section name table and .comment -- as
OpenWrt's sstrip does to every binary of a firmware image (CONFIG_USE_SSTRIP). The kernel and
qemu-user load a program from its program headers only; `readelf -l` still reads it, objdump
and gdb need the unstripped copy (build/<target>/acme.unstripped). Rewrites FILE in place
(temp file + rename); refuses anything that is not an ELF executable whose program headers
sit inside the part that is kept."""
import os
import struct
import sys


def fail(msg):
    sys.exit("sstrip.py: %s: %s" % (path, msg))


path = sys.argv[1] if len(sys.argv) == 2 else sys.exit("usage: sstrip.py FILE")
data = open(path, "rb").read()
if len(data) < 52 or data[:4] != b"\x7fELF" or data[4] not in (1, 2) or data[5] not in (1, 2):
    fail("not a 32- or 64-bit ELF file")
wide = data[4] == 2
end = "<" if data[5] == 1 else ">"
# e_type .. e_shstrndx after the 16-byte ident
hdr_fmt = end + ("HHIQQQIHHHHHH" if wide else "HHIIIIIHHHHHH")
(e_type, _, _, _, e_phoff, e_shoff, _, e_ehsize, e_phentsize, e_phnum, _, _,
 _) = struct.unpack_from(hdr_fmt, data, 16)
if e_type != 2:
    fail("not an executable (ET_EXEC)")
ph_fmt = end + ("IIQQQQQQ" if wide else "IIIIIIII")
keep = e_phoff + e_phnum * e_phentsize
for i in range(e_phnum):
    f = struct.unpack_from(ph_fmt, data, e_phoff + i * e_phentsize)
    p_type, p_offset, p_filesz = (f[0], f[2], f[5]) if wide else (f[0], f[1], f[4])
    if p_type != 0:  # PT_NULL
        keep = max(keep, p_offset + p_filesz)
if keep > len(data):
    fail("a segment ends beyond the end of the file")
out = bytearray(data[:keep])
# no section header table any more: e_shoff, e_shentsize, e_shnum, e_shstrndx = 0
if wide:
    struct.pack_into(end + "Q", out, 0x28, 0)
    struct.pack_into(end + "HHH", out, 0x3A, 0, 0, 0)
else:
    struct.pack_into(end + "I", out, 0x20, 0)
    struct.pack_into(end + "HHH", out, 0x2E, 0, 0, 0)
tmp = path + ".sstrip.tmp"
with open(tmp, "wb") as f:
    f.write(out)
os.chmod(tmp, os.stat(path).st_mode & 0o7777)
os.replace(tmp, path)
