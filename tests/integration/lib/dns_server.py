#!/usr/bin/env python3
"""A tiny DNS server over UDP for tests/integration/test_resolver.sh (python3 stdlib only).

    dns_server.py ADDR PORT ZONEFILE LOGFILE

Answers A and AAAA queries from ZONEFILE, one record or behaviour per line:

    NAME A 127.0.0.1          an address (several lines: several records)
    NAME AAAA ::1
    NAME CNAME TARGET         the chain is followed and sent in the answer section
    NAME SILENT               never answers
    NAME SERVFAIL | REFUSED   that RCODE
    NAME TRUNC                an empty answer with TC set
    NAME WRONGID              first a reply with a wrong ID (and a bogus address), then the
                              real answer
    NAME WRONGQ               first a reply to another question, then the real answer

Names not in the file get NXDOMAIN; names with records of another type get an empty answer
(NODATA). Owner names are compressed (pointers to the question and to earlier names). Each
query is logged as "PORT ID TYPE NAME" to LOGFILE; "ready" goes to LOGFILE.ready once bound.
"""
import ipaddress
import socket
import struct
import sys

TYPES = {1: "A", 28: "AAAA", 5: "CNAME"}


def load(path):
    zone = {}
    for line in open(path):
        f = line.split()
        if not f or f[0].startswith("#"):
            continue
        zone.setdefault(f[0].lower().rstrip("."), []).append((f[1].upper(), f[2] if len(f) > 2 else None))
    return zone


def parse_query(m):
    qid, flags, qd = struct.unpack(">HHH", m[:6])
    i, labels = 12, []
    while m[i]:
        labels.append(m[i + 1:i + 1 + m[i]].decode("ascii", "replace"))
        i += 1 + m[i]
    qtype, qclass = struct.unpack(">HH", m[i + 1:i + 5])
    return qid, flags, ".".join(labels), qtype, m[12:i + 5]


class Writer:
    """Names with compression: every suffix written once is pointed at afterwards."""

    def __init__(self):
        self.buf = b""
        self.seen = {}

    def name(self, n):
        labels = [l for l in n.split(".") if l]
        for k in range(len(labels)):
            suffix = ".".join(labels[k:]).lower()
            if suffix in self.seen:
                self.buf += struct.pack(">H", 0xC000 | self.seen[suffix])
                return
            if len(self.buf) < 0x3FFF:
                self.seen[suffix] = len(self.buf)
            self.buf += bytes([len(labels[k])]) + labels[k].encode()
        self.buf += b"\0"


def answer(zone, qid, qname, qtype, question, flags_in):
    rd = flags_in & 0x0100
    w = Writer()
    w.buf = struct.pack(">HHHHHH", qid, 0x8080 | rd, 1, 0, 0, 0)
    w.name(qname)
    w.buf += question[-4:]
    recs = zone.get(qname.lower())
    if recs is None:
        return w.buf[:2] + struct.pack(">H", 0x8083 | rd) + w.buf[4:]
    kinds = {k for k, _ in recs}
    if "SERVFAIL" in kinds:
        return w.buf[:2] + struct.pack(">H", 0x8082 | rd) + w.buf[4:]
    if "REFUSED" in kinds:
        return w.buf[:2] + struct.pack(">H", 0x8085 | rd) + w.buf[4:]
    if "TRUNC" in kinds:
        return w.buf[:2] + struct.pack(">H", 0x8280 | rd) + w.buf[4:]
    an, name, hops = 0, qname.lower(), 0
    while hops < 16:
        recs = zone.get(name, [])
        cname = [v for k, v in recs if k == "CNAME"]
        if cname:
            w.name(name)
            rdata = Writer()
            rdata.buf, rdata.seen = w.buf + b"\0" * 10, w.seen  # offsets continue after the header
            rdata.name(cname[0])
            data = rdata.buf[len(w.buf) + 10:]
            w.buf += struct.pack(">HHIH", 5, 1, 60, len(data)) + data
            an += 1
            name, hops = cname[0].lower().rstrip("."), hops + 1
            continue
        for k, v in recs:
            if (k == "A" and qtype == 1) or (k == "AAAA" and qtype == 28):
                w.name(name)
                data = ipaddress.ip_address(v).packed
                w.buf += struct.pack(">HHIH", qtype, 1, 60, len(data)) + data
                an += 1
        break
    return w.buf[:6] + struct.pack(">H", an) + w.buf[8:]


def main():
    addr, port, zonefile, logfile = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    zone = load(zonefile)
    s = socket.socket(socket.AF_INET6 if ":" in addr else socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, port))
    with open(logfile + ".ready", "w") as f:
        f.write("ready\n")
    log = open(logfile, "a", buffering=1)
    while True:
        m, peer = s.recvfrom(4096)
        try:
            qid, flags, qname, qtype, question = parse_query(m)
        except (IndexError, struct.error):
            continue
        log.write("%d %d %s %s\n" % (peer[1], qid, TYPES.get(qtype, str(qtype)), qname))
        kinds = {k for k, _ in zone.get(qname.lower(), [])}
        if "SILENT" in kinds:
            continue
        reply = answer(zone, qid, qname, qtype, question, flags)
        if "WRONGID" in kinds:
            bogus = answer({qname.lower(): [("A", "192.0.2.66"), ("AAAA", "2001:db8::66")]},
                           (qid + 1) & 0xFFFF, qname, qtype, question, flags)
            s.sendto(bogus, peer)
        if "WRONGQ" in kinds:
            other = "x" + qname
            q2 = b"".join(bytes([len(l)]) + l.encode() for l in other.split(".")) + b"\0" + question[-4:]
            s.sendto(answer({other: [("A", "192.0.2.67"), ("AAAA", "2001:db8::67")]},
                            qid, other, qtype, q2, flags), peer)
        s.sendto(reply, peer)


if __name__ == "__main__":
    main()
