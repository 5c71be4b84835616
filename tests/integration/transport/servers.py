#!/usr/bin/env python3
"""Loopback servers for tests/integration/test_transport.sh, all in one process.

    servers.py PORTFILE SPEC...

Each SPEC is NAME:KIND[:CERTCHAIN:KEY]; every server listens on 127.0.0.1 (and, for the
"v6" server, ::1) at a port the kernel picks. When all listen, "NAME PORT" lines are written
to PORTFILE (atomically). Kinds:

  https   TLS 1.2 HTTP/1.1 keep-alive server. Paths: /len/N (Content-Length body of N bytes),
          /chunked/N (the same body in chunks), /close/N (Content-Length body, then the
          server closes the connection without saying so), anything else: "hello\n".
          Body bytes: "0123456789" repeated. Every accepted TLS connection and request is
          appended to the log (NAME.log next to PORTFILE).
  hang    accepts TCP connections and never answers.
  proxy   HTTP CONNECT proxy (loopback targets only); logs each CONNECT line. Targets on
          port 1 get "403 Forbidden".
"""
import os
import socket
import ssl
import sys
import threading

DIR = None


def log(name, line):
    with open(os.path.join(DIR, name + ".log"), "a") as f:
        f.write(line + "\n")


def body(n):
    return (b"0123456789" * (n // 10 + 1))[:n]


def read_head(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk:
            return None, b""
        data += chunk
        if len(data) > 65536:
            return None, b""
    head, rest = data.split(b"\r\n\r\n", 1)
    return head.decode("latin-1"), rest


def https_conn(name, conn):
    try:
        log(name, "connection")
        while True:
            head, _ = read_head(conn)
            if head is None:
                return
            target = head.split("\r\n")[0].split(" ")[1]
            log(name, "request " + target)
            parts = target.strip("/").split("/")
            kind = parts[0]
            n = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
            if kind == "chunked":
                out = b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n"
                data, pos = body(n), 0
                step = 1000
                while pos < len(data):
                    piece = data[pos:pos + step]
                    out += b"%x;ext=1\r\n" % len(piece) + piece + b"\r\n"
                    pos += step
                    step = step * 3 // 2
                out += b"0\r\n\r\n"
                conn.sendall(out)
            else:
                data = body(n) if kind in ("len", "close") else b"hello\n"
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n"
                             b"Content-Length: %d\r\n\r\n" % len(data) + data)
                if kind == "close":
                    return  # closes without Connection: close
    except (OSError, ssl.SSLError, ValueError, IndexError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def proxy_conn(name, conn):
    try:
        head, rest = read_head(conn)
        if head is None:
            return
        line = head.split("\r\n")[0]
        log(name, line)
        method, target = line.split(" ")[0:2]
        host, port = target.rsplit(":", 1)
        host = host.strip("[]")
        if method != "CONNECT" or host not in ("localhost", "127.0.0.1", "::1") or port == "1":
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        up = socket.create_connection((host, int(port)), timeout=10)
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        if rest:
            up.sendall(rest)

        def pump(a, b):
            try:
                while True:
                    d = a.recv(65536)
                    if not d:
                        break
                    b.sendall(d)
            except OSError:
                pass
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

        threading.Thread(target=pump, args=(up, conn), daemon=True).start()
        pump(conn, up)
    except (OSError, ValueError):
        pass


def serve(name, kind, lsock, ctx):
    held = []
    while True:
        conn, _ = lsock.accept()
        if kind == "hang":
            held.append(conn)  # never answered, never closed
            continue
        if kind == "proxy":
            threading.Thread(target=proxy_conn, args=(name, conn), daemon=True).start()
            continue

        def tls(conn=conn):
            try:
                conn.settimeout(20)
                s = ctx.wrap_socket(conn, server_side=True)
            except (OSError, ssl.SSLError) as e:
                log(name, "handshake failed: %s" % e)
                conn.close()
                return
            https_conn(name, s)

        threading.Thread(target=tls, daemon=True).start()


def main():
    global DIR
    portfile = sys.argv[1]
    DIR = os.path.dirname(os.path.abspath(portfile))
    lines = []
    for spec in sys.argv[2:]:
        f = spec.split(":")
        name, kind = f[0], f[1]
        ctx = None
        if kind == "https":
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.load_cert_chain(f[2], f[3])
        family = socket.AF_INET6 if name.endswith("v6") else socket.AF_INET
        addr = "::1" if family == socket.AF_INET6 else "127.0.0.1"
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((addr, 0))
        s.listen(16)
        lines.append("%s %d" % (name, s.getsockname()[1]))
        threading.Thread(target=serve, args=(name, kind, s, ctx), daemon=True).start()
    with open(portfile + ".tmp", "w") as fh:
        fh.write("\n".join(lines) + "\n")
    os.rename(portfile + ".tmp", portfile)
    threading.Event().wait()


if __name__ == "__main__":
    main()
