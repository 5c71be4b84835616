#!/usr/bin/env python3
"""Hostile clients of the built-in HTTP-01 responder (tests/integration/test_responder_abuse.sh).

usage: responder_abuse.py PORT IDLE ROUNDS SECONDS FLAG PID
       responder_abuse.py relay LISTEN_PORT RESPONDER_PORT FLAG

Phase 1: opens IDLE idle connections to 127.0.0.1:PORT, holds them, and runs ROUNDS rounds
of bad requests (over-long lines and heads, byte-at-a-time, pipelined garbage, traversal,
methods, absolute URIs, unknown tokens, binary junk); then creates the file FLAG (the caller
may measure). Phase 2: more rounds, still holding the idle connections, until SECONDS have
passed or the responder (process PID) is gone: the validation is over. A refused connection
while PID lives is a failure. Every response is
classified by its status code, or "drop" when the server closed without answering. Prints
one JSON object: counts per case and status, total connections and requests, and
"violations" (any 200, any status that is not 4xx). Loopback only.
"""
import concurrent.futures, json, os, socket, sys, threading, time


def relay(listen_port, target_port, flag):
    """Stands where the CA validates (listen_port): holds each connection until the file flag
    exists, then pipes it to the responder (target_port). So the validation provably happens
    while the attack's idle connections are held."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", listen_port))
    ls.listen(64)
    open(flag + ".ready", "w").close()

    def pipe(a, b):
        try:
            while True:
                d = a.recv(65536)
                if not d:
                    break
                b.sendall(d)
        except OSError:
            pass
        for x in (a, b):
            try:
                x.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def serve(c):
        while not os.path.exists(flag):
            time.sleep(0.05)
        try:
            t = socket.create_connection(("127.0.0.1", target_port), timeout=10)
            t.settimeout(None)
        except OSError:
            c.close()
            return
        threading.Thread(target=pipe, args=(t, c), daemon=True).start()
        pipe(c, t)

    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


if len(sys.argv) == 5 and sys.argv[1] == "relay":
    relay(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    sys.exit(0)

PORT, IDLE, ROUNDS, SECONDS = (int(a) for a in sys.argv[1:5])
FLAG, PID = sys.argv[5], sys.argv[6]
HOST = "127.0.0.1"
END = time.monotonic() + SECONDS
P = "/.well-known/acme-challenge/"
idle = []
stats = {"connections": 0, "requests": 0, "by_case": {}, "violations": []}


LOCK = threading.Lock()


def note(case, status):
    with LOCK:
        note_(case, status)


def note_(case, status):
    d = stats["by_case"].setdefault(case, {})
    d[status] = d.get(status, 0) + 1
    ok = status in ("drop", "held") or (status.isdigit() and 400 <= int(status) < 500)
    if not ok:
        stats["violations"].append("%s: %s" % (case, status))


def dial():
    s = socket.create_connection((HOST, PORT), timeout=15)
    with LOCK:
        stats["connections"] += 1
    return s


def read_status(s, timeout=15):
    s.settimeout(timeout)
    data = b""
    try:
        while True:
            r = s.recv(65536)
            if not r:
                break
            data += r
            if len(data) > 1 << 20:
                break
    except (ConnectionResetError, BrokenPipeError):
        pass
    except socket.timeout:
        return "timeout", data
    if not data:
        return "drop", data
    line = data.split(b"\r\n", 1)[0].decode("latin-1")
    parts = line.split(" ")
    if len(parts) >= 2 and parts[0].startswith("HTTP/") and parts[1].isdigit():
        return parts[1], data
    return "junk:" + line[:40], data


def one(case, payload, trickle=0.0, hold=False):
    """Sends payload (all at once, or one byte per `trickle` seconds), reads the answer."""
    t0 = time.monotonic()
    try:
        one_(case, payload, trickle)
    finally:
        dt = time.monotonic() - t0
        with LOCK:
            if dt > stats.setdefault("slowest", ["", 0.0])[1]:
                stats["slowest"] = [case, round(dt, 2)]


def one_(case, payload, trickle):
    with LOCK:
        stats["requests"] += 1
    try:
        s = dial()
    except OSError as e:
        if responder_gone():
            raise Gone()
        note(case, "connect-failed")
        stats.setdefault("connect_errors", []).append(str(e)) if len(stats.get("connect_errors", [])) < 5 else None
        return
    if case in HOLD:
        # no end of head ever comes: the responder can only drop it (time-out or eviction);
        # it is held with the idle ones, which must never receive a byte
        try:
            s.sendall(payload)
        except OSError:
            pass
        with LOCK:
            idle.append(s)
        note(case, "held")
        return
    try:
        if trickle:
            for i in range(len(payload)):
                s.sendall(payload[i:i + 1])
                time.sleep(trickle)
        else:
            s.sendall(payload)
    except (BrokenPipeError, ConnectionResetError):
        pass  # the server gave up on us: read what it said
    status, data = read_status(s)
    s.close()
    # a response that holds more than one status line would mean pipelining was served
    if data.count(b"HTTP/1.1 ") > 1:
        with LOCK:
            stats["violations"].append("%s: %d responses on one connection" % (case, data.count(b"HTTP/1.1 ")))
    note(case, status)


def responder_gone():
    """A refused connection is the responder's end when its process is gone half a second
    later (it closes its listener a moment before its parent reaps it)."""
    if not os.path.exists("/proc/" + PID):
        return True
    time.sleep(0.5)
    return not os.path.exists("/proc/" + PID)


class Gone(Exception):
    """Phase 2: the responder stopped (the validation is over)."""


def rnd_token():
    return os.urandom(32).hex()[:43]


HOLD = {"tls-clienthello"}
CASES = [
    ("long-request-line", lambda: b"GET /" + b"A" * 20000 + b" HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("long-target-token", lambda: ("GET " + P + "B" * 5000 + " HTTP/1.1\r\nHost: x\r\n\r\n").encode()),
    ("long-header-line", lambda: b"GET / HTTP/1.1\r\nHost: x\r\nX-A: " + b"h" * 50000 + b"\r\n\r\n"),
    ("many-headers", lambda: b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(2000)) + b"\r\n"),
    ("huge-head-1MB", lambda: b"GET / HTTP/1.1\r\n" + b"X: " + b"z" * (1 << 20)),
    ("pipelined-garbage", lambda: ("GET " + P + rnd_token() + " HTTP/1.1\r\nHost: x\r\n\r\n").encode() + b"\x00\xff GARBAGE\r\n\r\nGET /etc/passwd HTTP/1.1\r\n\r\n" * 50),
    ("garbage-binary", lambda: os.urandom(4096)),
    ("tls-clienthello", lambda: b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(64)),
    ("http2-preface", lambda: b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
    ("http09", lambda: b"GET /\r\n\r\n"),
    ("http2-version", lambda: ("GET " + P + rnd_token() + " HTTP/2.0\r\nHost: x\r\n\r\n").encode()),
    ("nul-in-target", lambda: ("GET " + P).encode() + b"a\x00b HTTP/1.1\r\nHost: x\r\n\r\n"),
    ("no-host", lambda: ("GET " + P + rnd_token() + " HTTP/1.1\r\n\r\n").encode()),
    ("chunked", lambda: ("GET " + P + rnd_token() + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").encode()),
]
for t in ["../../../../etc/passwd", "..%2f..%2f..%2fetc%2fpasswd", "%2e%2e/%2e%2e/etc/passwd",
          "%2E%2E%2F%2E%2E%2Fetc%2Fshadow", "..\\..\\etc\\passwd", "./../../etc/hostname",
          "%252e%252e/etc/passwd", "....//....//etc/passwd", "%00", "..;/etc/passwd"]:
    CASES.append(("traversal " + t, (lambda t=t: ("GET " + P + t + " HTTP/1.1\r\nHost: x\r\n\r\n").encode())))
for t in ["/etc/passwd", "//etc/passwd", "/proc/self/environ", "/", "/.well-known/", "/.well-known/acme-challenge",
          "/.well-known/acme-challenge/", "/.well-known/../.well-known/acme-challenge/x"]:
    CASES.append(("path " + t, (lambda t=t: ("GET " + t + " HTTP/1.1\r\nHost: x\r\n\r\n").encode())))
for m in ["POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "PROPFIND", "BREW", "get", "GETX", "G\tT"]:
    CASES.append(("method " + m, (lambda m=m: (m + " " + P + rnd_token() + " HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc").encode())))
for u in ["http://example.org" + P, "https://example.org" + P, "http://127.0.0.1" + P, "ftp://x" + P, "*"]:
    CASES.append(("absolute-uri " + u[:20], (lambda u=u: ("GET " + u + rnd_token() + " HTTP/1.1\r\nHost: x\r\n\r\n").encode())))
CASES.append(("unknown-token", lambda: ("GET " + P + rnd_token() + " HTTP/1.1\r\nHost: x\r\n\r\n").encode()))
CASES.append(("unknown-token-head", lambda: ("HEAD " + P + rnd_token() + " HTTP/1.1\r\nHost: x\r\n\r\n").encode()))

T_START = time.monotonic()
# idle connections: opened first, then held for the whole run
for i in range(IDLE):
    try:
        idle.append(dial())
    except OSError:
        stats["violations"].append("idle connection %d refused" % i)
        break

POOL = concurrent.futures.ThreadPoolExecutor(max_workers=8)


def round_():
    # eight clients at a time: a request the responder can only time out (a TLS hello has no
    # end of head) does not hold up the others
    futs = [POOL.submit(one, name, make()) for name, make in CASES]
    for f in futs:
        f.result()  # raises Gone
    # byte at a time: a valid-looking request for an unknown token, and a traversal
    one("byte-at-a-time", ("GET " + P + rnd_token() + " HTTP/1.1\r\nHost: x\r\n\r\n").encode(), trickle=0.002)
    one("byte-at-a-time traversal", ("GET " + P + "../x HTTP/1.1\r\nHost: x\r\n\r\n").encode(), trickle=0.002)
    # more idle connections on top (the responder closes the oldest at its cap)
    for i in range(10):
        try:
            idle.append(dial())
        except OSError:
            if responder_gone():
                raise Gone()
            stats["violations"].append("idle connection refused")


rounds = 0
stats["rounds_phase1"] = 0
try:
    # slowloris: a head that never ends must be dropped (timeout or eviction), never answered
    stats["requests"] += 1
    slow = dial()
    slow.sendall(b"GET " + P.encode() + b"x HTTP/1.1\r\nHost: x\r\n")
    stats["idle_seconds"] = round(time.monotonic() - T_START, 1)
    while rounds < ROUNDS and time.monotonic() < END:
        round_()
        rounds += 1
    stats["rounds_seconds"] = round(time.monotonic() - T_START, 1)
    stats["rounds_phase1"] = rounds
    stats["phase1_seconds"] = round(time.monotonic() - T_START, 1)
    open(FLAG, "w").close()
    while time.monotonic() < END:
        round_()
        rounds += 1
except Gone:
    pass
# the slowloris head, still unfinished: dropped (time-out or eviction) by now, or at the latest
# when the responder stops
st, _ = read_status(slow, timeout=30)
note("slowloris", st)
slow.close()
stats["rounds"] = rounds
open_idle = 0
for s in idle:
    s.setblocking(False)
    try:
        r = s.recv(4096)
        if r != b"":
            # a held connection may only ever have been refused (a TLS hello's random bytes
            # can end a "request line"): a 4xx
            st = r.split(b" ", 2)[1].decode("latin-1") if r.startswith(b"HTTP/1.1 ") else "junk"
            if not (st.isdigit() and 400 <= int(st) < 500):
                stats["violations"].append("a held connection got %r" % r[:40])
    except BlockingIOError:
        open_idle += 1
    except OSError:
        pass
stats["idle_open_at_end_of_phase2"] = open_idle

for s in idle:
    s.close()
stats["idle_total"] = len(idle)
print(json.dumps(stats, sort_keys=True))
