#!/usr/bin/env python3
"""fakeca.py: a scripted ACME CA (RFC 8555, ARI per RFC 9773) for the integration tests.

Enough of RFC 8555 for a real client to get a certificate, plus scenarios a real CA never
shows on purpose: the hostile cases of the hardening issue (malformed and oversized bodies,
5xx/429, endless badNonce, stalls, wrong certificates, ...) and the ARI answers of the
lifecycle issue. Standard library only; python3-cryptography (Debian) is used when present
to verify JWS signatures (ES256/ES384/RS256/EdDSA), else signatures are not checked.
Certificates are made with the openssl command line.

Loopback only. It exits by itself after --max-seconds.

    fakeca.py --work DIR --tls-cert F --tls-key F [--case NAME] [--step STEP] [--count N]
              [--ari MODE] [--validate-http PORT | --validate-webroot DIR] [--cert-days N]
              [--processing N] [--max-seconds S] [--host H]

On start it writes DIR/ports.json: {"acme": PORT, "ctl": PORT, "pid": PID} (atomically).
ACME directory: https://HOST:PORT/dir. Control (plain HTTP, 127.0.0.1:ctl):
    GET  /state        everything recorded (requests, certIDs, replaces, issued certs, ...)
    POST /set-case     {"case": NAME, "step": STEP|null, "count": N|null}  (count: times to
                       apply, null = always; case "none" = behave)
    POST /set-ari      {"mode": MODE, "retry_after": S, "explanation": URL}
    POST /reset        forget the request log, certIDs and replaces
    POST /quit         exit

Steps (where a case applies): directory nonce newAccount account newOrder authz challenge
order finalize certificate renewalInfo revokeCert keyChange. Cases: see CASES below (each
with its default step); --step/"step" moves a case to another step, --count/"count" limits
how many requests it hits (e.g. already-replaced with count 1 = "409 once").
Flag cases that concern the whole order (order-never-ready, processing-forever, leaf-*,
chain-not-pem) and stall-tls apply while set, whatever the step and count.

Issued certificates: leaf <- "fakeca intermediate E1" <- "fakeca root X1" (default chain);
the Link rel="alternate" chain has the intermediate cross-signed by "fakeca alt root X2".
/state "issued" lists serial, names and the RFC 9773 certID of every leaf.
"""

import argparse
import base64
import hashlib
import json
import os
import random
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

try:
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
    from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

    HAVE_CRYPTO = True
except ImportError:  # signatures are then not verified (said in /state and the log)
    HAVE_CRYPTO = False

STEPS = ("directory", "nonce", "newAccount", "account", "newOrder", "authz", "challenge",
         "order", "finalize", "certificate", "renewalInfo", "revokeCert", "keyChange")

# Hostile cases. "pre": answered instead of the real handler (no state change);
# "post": the real handler runs, then its answer is mangled on the way out;
# "flag": the handlers themselves misbehave. Each has a default step.
CASES = {
    "none": ("flag", None),
    "malformed-json": ("post", "newOrder"),
    "truncated-json": ("post", "newOrder"),
    "huge-body": ("post", "newOrder"),
    "endless-chunked": ("post", "newOrder"),
    "wrong-content-type": ("post", "newOrder"),
    "close-mid-body": ("post", "newOrder"),
    "stall": ("pre", "newOrder"),
    "stall-tls": ("flag", None),  # accepts TCP, never does the TLS handshake
    "http500": ("pre", "newOrder"),
    "http500-retry-after": ("pre", "newOrder"),
    "http503": ("pre", "newOrder"),
    "http503-retry-after": ("pre", "newOrder"),
    "rate-limited": ("pre", "newOrder"),
    "bad-nonce": ("pre", "newOrder"),
    "dir-missing": ("flag", "directory"),
    "location-other-host": ("flag", "newOrder"),
    "order-never-ready": ("flag", "order"),  # pending forever, Retry-After: 1
    "order-retry-after-huge": ("flag", "order"),  # pending, Retry-After: 86400
    "processing-forever": ("flag", "finalize"),
    "chain-not-pem": ("flag", "certificate"),
    "leaf-wrong-key": ("flag", "certificate"),
    "leaf-missing-name": ("flag", "certificate"),
    "validation-fails": ("flag", "challenge"),
    "already-replaced": ("flag", "newOrder"),  # 409 alreadyReplaced when "replaces" is sent
    "replaces-403": ("flag", "newOrder"),  # 403 unauthorized about the replaced cert
    "rejected-identifier": ("pre", "newOrder"),
}

ARI_MODES = ("none", "past", "future", "now", "retry-after", "explanation")

ERR = "urn:ietf:params:acme:error:"


def b64u(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64u_dec(s):
    if not isinstance(s, str) or not re.fullmatch(r"[A-Za-z0-9_-]*", s):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def jwk_thumbprint(jwk):
    kty = jwk.get("kty")
    if kty == "EC":
        req = ("crv", "kty", "x", "y")
    elif kty == "RSA":
        req = ("e", "kty", "n")
    elif kty == "OKP":
        req = ("crv", "kty", "x")
    else:
        raise ValueError("unsupported kty %r" % kty)
    canon = json.dumps({k: jwk[k] for k in req}, separators=(",", ":"), sort_keys=True)
    return b64u(hashlib.sha256(canon.encode()).digest())


def verify_jws_sig(jwk, alg, signing_input, sig):
    """True/False; None when signatures cannot be checked here."""
    if not HAVE_CRYPTO:
        return None
    try:
        kty = jwk.get("kty")
        if kty == "EC":
            curves = {"P-256": (ec.SECP256R1(), hashes.SHA256(), 32, "ES256"),
                      "P-384": (ec.SECP384R1(), hashes.SHA384(), 48, "ES384")}
            curve, h, n, want_alg = curves[jwk["crv"]]
            if alg != want_alg or len(sig) != 2 * n:
                return False
            pub = ec.EllipticCurvePublicNumbers(int.from_bytes(b64u_dec(jwk["x"]), "big"),
                                                int.from_bytes(b64u_dec(jwk["y"]), "big"),
                                                curve).public_key()
            der = encode_dss_signature(int.from_bytes(sig[:n], "big"),
                                       int.from_bytes(sig[n:], "big"))
            pub.verify(der, signing_input, ec.ECDSA(h))
        elif kty == "RSA":
            if alg != "RS256":
                return False
            pub = rsa.RSAPublicNumbers(int.from_bytes(b64u_dec(jwk["e"]), "big"),
                                       int.from_bytes(b64u_dec(jwk["n"]), "big")).public_key()
            pub.verify(sig, signing_input, padding.PKCS1v15(), hashes.SHA256())
        elif kty == "OKP" and jwk.get("crv") == "Ed25519":
            if alg != "EdDSA":
                return False
            ed25519.Ed25519PublicKey.from_public_bytes(b64u_dec(jwk["x"])).verify(
                sig, signing_input)
        else:
            return False
        return True
    except (InvalidSignature, KeyError, ValueError, TypeError):
        return False


class Problem(Exception):
    def __init__(self, status, typ, detail, headers=None, subproblems=None):
        super().__init__(detail)
        self.status, self.typ, self.detail = status, typ, detail
        self.headers = headers or {}
        self.subproblems = subproblems


class Reply:
    def __init__(self, status=200, body=b"", ctype="application/json", headers=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body, indent=2).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.status, self.body, self.ctype = status, body, ctype
        self.headers = list(headers or [])


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True, **kw)


class CA:
    """The CA's issuing side: roots, intermediate (and a cross-signed copy), leaves."""

    def __init__(self, work, days):
        self.dir = os.path.join(work, "ca")
        os.makedirs(self.dir, exist_ok=True)
        self.days = days
        self.lock = threading.Lock()
        d = self.dir
        p = lambda n: os.path.join(d, n)
        if not os.path.exists(p("chain-alt.pem")):
            ecp = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
            for name, cn in (("root", "fakeca root X1"), ("root2", "fakeca alt root X2")):
                run(["openssl", "req", "-x509", "-new"] + ecp +
                    ["-keyout", p(name + ".key"), "-out", p(name + ".pem"), "-days", "30",
                     "-subj", "/CN=" + cn,
                     "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign,cRLSign"])
            run(["openssl", "req", "-new"] + ecp +
                ["-keyout", p("inter.key"), "-out", p("inter.csr"),
                 "-subj", "/CN=fakeca intermediate E1"])
            with open(p("inter.ext"), "w") as f:
                f.write("basicConstraints=critical,CA:TRUE,pathlen:0\n"
                        "keyUsage=critical,keyCertSign,cRLSign,digitalSignature\n"
                        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n")
            for root, out in (("root", "inter.pem"), ("root2", "inter-alt.pem")):
                run(["openssl", "x509", "-req", "-in", p("inter.csr"), "-CA", p(root + ".pem"),
                     "-CAkey", p(root + ".key"), "-set_serial", "0x%x" % random.getrandbits(64),
                     "-days", "30", "-extfile", p("inter.ext"), "-out", p(out)])
            # the alternate chain ends in a cross-signed intermediate: top issuer CN differs
            with open(p("chain-alt.pem"), "w") as f:
                f.write(open(p("inter-alt.pem")).read())
        self.inter_pem = open(p("inter.pem")).read()
        self.inter_alt_pem = open(p("inter-alt.pem")).read()
        self.p = p

    def issue(self, csr_der, names, case, tag):
        """Leaf PEM for the CSR's key (or, per case, a wrong key / fewer names)."""
        with self.lock, tempfile.TemporaryDirectory(dir=self.dir) as t:
            csr = os.path.join(t, "csr.pem")
            with open(os.path.join(t, "csr.der"), "wb") as f:
                f.write(csr_der)
            run(["openssl", "req", "-inform", "DER", "-in", os.path.join(t, "csr.der"),
                 "-out", csr])
            if case == "leaf-wrong-key":
                run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt",
                     "ec_paramgen_curve:P-256", "-nodes", "-keyout", os.path.join(t, "o.key"),
                     "-out", csr, "-subj", "/CN=" + names[0]])
            if case == "leaf-missing-name" and len(names) > 1:
                names = names[:1]
            elif case == "leaf-missing-name":
                names = ["other-" + names[0]]
            sans = ",".join(("IP:" if is_ip(n) else "DNS:") + n for n in names)
            with open(os.path.join(t, "leaf.ext"), "w") as f:
                f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,"
                        "keyEncipherment\nextendedKeyUsage=serverAuth\n"
                        "subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
                        "subjectAltName=" + sans + "\n")
            serial = random.getrandbits(63) | (1 << 62)
            out = os.path.join(t, "leaf.pem")
            run(["openssl", "x509", "-req", "-in", csr, "-CA", self.p("inter.pem"),
                 "-CAkey", self.p("inter.key"), "-set_serial", "0x%x" % serial,
                 "-days", str(self.days), "-extfile", os.path.join(t, "leaf.ext"),
                 "-out", out])
            leaf = open(out).read()
            txt = run(["openssl", "x509", "-in", out, "-noout", "-text"]).stdout.decode()
            m = re.search(r"Authority Key Identifier:\s*\n\s*(?:keyid:)?([0-9A-Fa-f:]+)", txt)
            aki = bytes.fromhex(m.group(1).replace(":", "")) if m else b""
            serial_bytes = serial.to_bytes((serial.bit_length() + 8) // 8, "big")
            info = {"serial": "%x" % serial, "names": names, "case": tag,
                    "certid": b64u(aki) + "." + b64u(serial_bytes)}
            return leaf, info


def is_ip(name):
    return bool(re.fullmatch(r"[0-9.]+", name)) or ":" in name


def csr_names(csr_der):
    """(CN or None, [SAN names]) from `openssl req -text` of a DER CSR; raises on a bad CSR."""
    p = subprocess.run(["openssl", "req", "-inform", "DER", "-noout", "-text", "-verify"],
                       input=csr_der, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if p.returncode != 0:
        raise ValueError(p.stderr.decode(errors="replace").strip()[:200])
    txt = p.stdout.decode()
    cn = re.search(r"Subject:.*?CN\s*=\s*([^,\n]+)", txt)
    sans = []
    m = re.search(r"X509v3 Subject Alternative Name:.*?\n\s*(.*)\n", txt)
    if m:
        for part in m.group(1).split(","):
            part = part.strip()
            if part.startswith("DNS:"):
                sans.append(part[4:].lower())
            elif part.startswith("IP Address:"):
                sans.append(part[11:].lower())
    return (cn.group(1).strip() if cn else None), sans


class State:
    def __init__(self, args):
        self.lock = threading.RLock()
        self.args = args
        self.case, self.step, self.count = args.case, args.step, args.count
        self.ari = {"mode": args.ari, "retry_after": args.ari_retry_after,
                    "explanation": args.ari_explanation}
        self.nonces = set()
        self.accounts = {}  # id -> {"jwk", "thumb", "contact", "status"}
        self.by_thumb = {}
        self.orders, self.authzs, self.chals, self.certs = {}, {}, {}, {}
        self.requests, self.certids, self.replaces, self.issued = [], [], [], []
        self.revoked, self.notes = [], []
        self.seq = 0

    def next_id(self):
        self.seq += 1
        return "%d%04d" % (self.seq, random.randrange(10000))

    def new_nonce(self):
        n = b64u(os.urandom(16))
        with self.lock:
            if len(self.nonces) > 10000:
                self.nonces.clear()
            self.nonces.add(n)
        return n

    def take_nonce(self, n):
        with self.lock:
            if n in self.nonces:
                self.nonces.discard(n)
                return True
            return False

    def active_case(self, step):
        """The hostile case that applies to this request at `step`, consuming one count."""
        with self.lock:
            if self.case in (None, "none"):
                return None
            kind, default_step = CASES[self.case]
            want = self.step or default_step
            if want is not None and want != step:
                return None
            if self.count is not None:
                if self.count <= 0:
                    return None
                self.count -= 1
            return self.case

    def snapshot(self):
        with self.lock:
            return {"case": self.case, "step": self.step, "count": self.count, "ari": self.ari,
                    "jws_signatures_checked": HAVE_CRYPTO, "requests": self.requests,
                    "certids": self.certids, "replaces": self.replaces, "issued": self.issued,
                    "revoked": self.revoked, "notes": self.notes,
                    "accounts": {k: {"contact": v["contact"], "status": v["status"]}
                                 for k, v in self.accounts.items()}}


def log(msg):
    sys.stderr.write("fakeca: %s %s\n" % (time.strftime("%H:%M:%S"), msg))
    sys.stderr.flush()


class AcmeHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakeca/1"

    def log_message(self, fmt, *a):
        if self.server.st.args.verbose:
            log("%s %s" % (self.address_string(), fmt % a))

    @property
    def st(self):
        return self.server.st

    @property
    def base(self):
        return self.server.base

    # ---- output ----
    def send_reply(self, r, step, case=None):
        nonce = self.st.new_nonce()
        body = r.body
        ctype = r.ctype
        if case == "malformed-json":
            body = b'{"status": "valid", "oops" [[[ \x00\xff not json'
        elif case == "truncated-json":
            body = body[: max(1, len(body) // 2)]
        elif case == "wrong-content-type":
            ctype = "text/html"
            body = b"<html><body><h1>Login required</h1>captive portal</body></html>\n"
        elif case == "huge-body":
            body = b'{"x": "' + b"A" * (10 * 1024 * 1024) + b'"}'
        self.send_response(r.status)
        self.send_header("Replay-Nonce", nonce)
        self.send_header("Cache-Control", "no-store")
        if ctype:
            self.send_header("Content-Type", ctype)
        for k, v in r.headers:
            self.send_header(k, v)
        self.send_header("Link", '<%s/dir>;rel="index"' % self.base)
        if case == "endless-chunked":
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.endless_chunks()
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "HEAD":
            return
        if case == "close-mid-body":
            self.wfile.write(body[: max(1, len(body) // 2)])
            self.wfile.flush()
            self.close_now()
            return
        self.wfile.write(body)

    def endless_chunks(self):
        chunk = b'{"a": "' + b"x" * 16000 + b'",\n'
        frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
        deadline = time.time() + self.st.args.max_seconds
        sent = 0
        try:
            while time.time() < deadline and sent < (4 << 30):
                self.wfile.write(frame)
                sent += len(frame)
        except (OSError, ValueError):
            pass
        self.st.notes.append("endless-chunked: client stopped reading after %d bytes" % sent)
        self.close_now()

    def close_now(self):
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def stall(self):
        """Holds the connection open and silent until the client gives up or time runs out."""
        deadline = time.time() + self.st.args.max_seconds
        self.connection.settimeout(1.0)
        t0 = time.time()
        while time.time() < deadline:
            try:
                if self.connection.recv(1) == b"":
                    break
            except socket.timeout:
                continue
            except (OSError, ssl.SSLError):
                break
        self.st.notes.append("stall: client hung up after %.1fs" % (time.time() - t0))
        self.close_connection = True

    def problem_reply(self, p):
        doc = {"type": p.typ, "detail": p.detail, "status": p.status}
        if p.subproblems:
            doc["subproblems"] = p.subproblems
        return Reply(p.status, doc, "application/problem+json", list(p.headers.items()))

    # ---- dispatch ----
    def do_HEAD(self):
        self.handle_req("HEAD")

    def do_GET(self):
        self.handle_req("GET")

    def do_POST(self):
        self.handle_req("POST")

    def classify(self, path):
        routes = [("/dir", "directory"), ("/nonce", "nonce"), ("/new-acct", "newAccount"),
                  ("/acct/", "account"), ("/new-order", "newOrder"), ("/authz/", "authz"),
                  ("/chal/", "challenge"), ("/order/", "order"), ("/finalize/", "finalize"),
                  ("/cert/", "certificate"), ("/renewal-info/", "renewalInfo"),
                  ("/revoke", "revokeCert"), ("/key-change", "keyChange"), ("/terms", "terms")]
        for prefix, step in routes:
            if path == prefix or (prefix.endswith("/") and path.startswith(prefix)):
                return step
        return None

    def handle_req(self, method):
        path = self.path.split("?", 1)[0]
        step = self.classify(path)
        body = b""
        if method == "POST":
            try:
                n = int(self.headers.get("Content-Length", "0"))
            except ValueError:
                n = -1
            if n < 0 or n > 1 << 20:
                self.send_reply(self.problem_reply(Problem(400, ERR + "malformed",
                                                           "bad Content-Length")), step)
                self.close_connection = True
                return
            body = self.rfile.read(n)
        with self.st.lock:
            self.st.requests.append({"t": round(time.time(), 3), "method": method, "path": path,
                                     "step": step})
        case = self.st.active_case(step) if step else None
        if case:
            log("case %s at %s (%s %s)" % (case, step, method, path))
        kind = CASES[case][0] if case else None
        if kind == "pre":
            self.pre_case(case, step)
            return
        try:
            r = self.route(method, step, path, body, case)
        except Problem as p:
            r = self.problem_reply(p)
        except Exception as e:  # a bug here must not look like a hostile case
            log("internal error: %r" % e)
            r = self.problem_reply(Problem(500, ERR + "serverInternal", "fakeca bug: %r" % e))
        self.send_reply(r, step, case if kind == "post" else None)

    def pre_case(self, case, step):
        if case == "stall":
            self.stall()
            return
        table = {
            "http500": (500, ERR + "serverInternal", "internal error (scripted)", None),
            "http500-retry-after": (500, ERR + "serverInternal", "internal error (scripted)", "1"),
            "http503": (503, ERR + "serverInternal", "service unavailable (scripted)", None),
            "http503-retry-after": (503, ERR + "serverInternal", "service unavailable (scripted)",
                                    "2"),
            "rate-limited": (429, ERR + "rateLimited",
                             "too many certificates already issued (scripted)", "3600"),
            "bad-nonce": (400, ERR + "badNonce", "JWS has an invalid anti-replay nonce (scripted)",
                          None),
            "rejected-identifier": (400, ERR + "rejectedIdentifier",
                                    "policy forbids issuing for this name (scripted)", None),
        }
        status, typ, detail, ra = table[case]
        hdr = {"Retry-After": ra} if ra else {}
        self.send_reply(self.problem_reply(Problem(status, typ, detail, hdr)), step)

    def route(self, method, step, path, body, case):
        if step == "directory" and method in ("GET", "HEAD"):
            return self.directory(case)
        if step == "nonce" and method in ("GET", "HEAD"):
            return Reply(200 if method == "HEAD" else 204, b"", None)
        if step == "terms" and method == "GET":
            return Reply(200, "fakeca terms of service: tests only\n", "text/plain")
        if step == "renewalInfo" and method == "GET":
            return self.renewal_info(path[len("/renewal-info/"):])
        if method != "POST" or step is None:
            raise Problem(404 if step is None else 405, ERR + "malformed",
                          "no such resource: %s %s" % (method, path))
        if self.headers.get("Content-Type", "").split(";")[0].strip() != "application/jose+json":
            raise Problem(415, ERR + "malformed", "Content-Type must be application/jose+json")
        jws, payload, acct = self.parse_jws(body, path, step)
        h = getattr(self, "h_" + step)
        return h(jws, payload, acct, path, case)

    def directory(self, case):
        b = self.base
        d = {"newNonce": b + "/nonce", "newAccount": b + "/new-acct", "newOrder": b + "/new-order",
             "revokeCert": b + "/revoke", "keyChange": b + "/key-change",
             "meta": {"termsOfService": b + "/terms", "website": "https://fakeca.invalid/",
                      "caaIdentities": ["fakeca.invalid"]}}
        if self.st.ari["mode"] != "none":
            d["renewalInfo"] = b + "/renewal-info"
        if case == "dir-missing":
            del d["newOrder"], d["newAccount"]
        return Reply(200, d)

    # ---- JWS ----
    def parse_jws(self, body, path, step):
        try:
            jws = json.loads(body)
            prot = json.loads(b64u_dec(jws["protected"]))
            payload_raw = b64u_dec(jws["payload"])
            sig = b64u_dec(jws["signature"])
        except (ValueError, KeyError, TypeError) as e:
            raise Problem(400, ERR + "malformed", "JWS could not be parsed: %s" % e)
        payload = None
        if payload_raw != b"":
            try:
                payload = json.loads(payload_raw)
            except ValueError:
                raise Problem(400, ERR + "malformed", "payload is not JSON")
        for k in ("alg", "nonce", "url"):
            if k not in prot:
                raise Problem(400, ERR + "malformed", "protected header lacks %r" % k)
        if ("jwk" in prot) == ("kid" in prot):
            raise Problem(400, ERR + "malformed", "exactly one of jwk and kid is required")
        if prot["url"] != self.base + path:
            raise Problem(400, ERR + "unauthorized",
                          "url %r does not match %r" % (prot["url"], self.base + path))
        if not self.st.take_nonce(prot["nonce"]):
            raise Problem(400, ERR + "badNonce", "unknown or used nonce %r" % prot["nonce"])
        acct = None
        if "kid" in prot:
            m = re.fullmatch(re.escape(self.base) + r"/acct/(\w+)", prot["kid"])
            acct = self.st.accounts.get(m.group(1)) if m else None
            if acct is None:
                raise Problem(400, ERR + "accountDoesNotExist", "no account %r" % prot["kid"])
            if acct["status"] != "active":
                raise Problem(401, ERR + "unauthorized", "account is %s" % acct["status"])
            jwk = acct["jwk"]
        else:
            jwk = prot["jwk"]
            if step not in ("newAccount", "revokeCert"):
                raise Problem(400, ERR + "malformed", "%s must use kid, not jwk" % step)
        ok = verify_jws_sig(jwk, prot["alg"],
                            (jws["protected"] + "." + jws["payload"]).encode(), sig)
        if ok is False:
            raise Problem(400, ERR + "malformed", "JWS signature does not verify (%s)" % prot["alg"])
        return {"prot": prot, "jwk": jwk, "raw": jws}, payload, acct

    # ---- ACME resources ----
    def h_newAccount(self, jws, payload, acct, path, case):
        payload = payload or {}
        thumb = jwk_thumbprint(jws["jwk"])
        st = self.st
        with st.lock:
            aid = st.by_thumb.get(thumb)
            if aid is not None:
                a = st.accounts[aid]
                return Reply(200, self.acct_obj(a), headers=[("Location", self.acct_url(aid))])
            if payload.get("onlyReturnExisting"):
                raise Problem(400, ERR + "accountDoesNotExist", "no account for this key")
            if payload.get("termsOfServiceAgreed") is not True:
                raise Problem(403, ERR + "userActionRequired",
                              "terms of service must be agreed",
                              {"Link": '<%s/terms>;rel="terms-of-service"' % self.base})
            aid = st.next_id()
            st.accounts[aid] = {"jwk": jws["jwk"], "thumb": thumb,
                                "contact": payload.get("contact", []), "status": "active",
                                "id": aid}
            st.by_thumb[thumb] = aid
            return Reply(201, self.acct_obj(st.accounts[aid]),
                         headers=[("Location", self.acct_url(aid))])

    def acct_url(self, aid):
        return "%s/acct/%s" % (self.base, aid)

    def acct_obj(self, a):
        return {"status": a["status"], "contact": a["contact"], "termsOfServiceAgreed": True,
                "orders": "%s/acct/%s/orders" % (self.base, a["id"])}

    def h_account(self, jws, payload, acct, path, case):
        if path != "/acct/" + acct["id"]:
            raise Problem(403, ERR + "unauthorized", "not your account")
        if payload:
            if "contact" in payload:
                acct["contact"] = payload["contact"]
            if payload.get("status") == "deactivated":
                acct["status"] = "deactivated"
        return Reply(200, self.acct_obj(acct), headers=[("Location", self.acct_url(acct["id"]))])

    def h_newOrder(self, jws, payload, acct, path, case):
        if not isinstance(payload, dict) or not payload.get("identifiers"):
            raise Problem(400, ERR + "malformed", "identifiers required")
        st = self.st
        rep = payload.get("replaces")
        if rep is not None:
            with st.lock:
                st.replaces.append(rep)
            log("newOrder replaces %s" % rep)
            if case == "already-replaced":
                raise Problem(409, ERR + "alreadyReplaced",
                              "certificate %s was already replaced (scripted)" % rep)
            if case == "replaces-403":
                raise Problem(403, ERR + "unauthorized",
                              "the certificate to be replaced was not issued to this account "
                              "(scripted)")
        names = []
        for ident in payload["identifiers"]:
            if ident.get("type") not in ("dns", "ip") or not ident.get("value"):
                raise Problem(400, ERR + "unsupportedIdentifier", "bad identifier %r" % ident)
            names.append(ident["value"].lower())
        with st.lock:
            oid = st.next_id()
            az = []
            for ident in payload["identifiers"]:
                aid = st.next_id()
                wild = ident["value"].startswith("*.")
                value = ident["value"][2:] if wild else ident["value"]
                chs = []
                types = ["dns-01"] if wild else (["http-01"] if ident["type"] == "ip"
                                                 else ["http-01", "dns-01"])
                for t in types:
                    cid = st.next_id()
                    st.chals[cid] = {"type": t, "token": b64u(os.urandom(24)), "status": "pending",
                                     "authz": aid, "id": cid}
                    chs.append(cid)
                st.authzs[aid] = {"identifier": {"type": ident["type"], "value": value},
                                  "wildcard": wild, "status": "pending", "chals": chs,
                                  "order": oid, "acct": acct["id"]}
                az.append(aid)
            st.orders[oid] = {"status": "pending", "authzs": az, "names": names,
                              "identifiers": payload["identifiers"], "acct": acct["id"],
                              "cert": None, "replaces": rep, "polls": 0, "id": oid,
                              "profile": payload.get("profile")}
            o = st.orders[oid]
        loc = self.order_url(oid)
        if case == "location-other-host":
            # another host (an unused loopback address): the client must not follow it blindly
            loc = "https://127.0.0.2:%d/order/%s" % (self.server.server_address[1], oid)
        return Reply(201, self.order_obj(o), headers=[("Location", loc)])

    def order_url(self, oid):
        return "%s/order/%s" % (self.base, oid)

    def order_obj(self, o):
        d = {"status": o["status"], "expires": rfc3339(time.time() + 86400),
             "identifiers": o["identifiers"],
             "authorizations": ["%s/authz/%s" % (self.base, a) for a in o["authzs"]],
             "finalize": "%s/finalize/%s" % (self.base, o["id"])}
        if o["replaces"]:
            d["replaces"] = o["replaces"]
        if o["cert"] and o["status"] == "valid":
            d["certificate"] = "%s/cert/%s" % (self.base, o["cert"])
        if o["status"] == "invalid" and o.get("error"):
            d["error"] = o["error"]
        return d

    def own(self, table, key, acct, what):
        with self.st.lock:
            obj = table.get(key)
        if obj is None:
            raise Problem(404, ERR + "malformed", "no such %s %s" % (what, key))
        if obj.get("acct", acct["id"]) != acct["id"]:
            raise Problem(403, ERR + "unauthorized", "%s belongs to another account" % what)
        return obj

    def update_order(self, o):
        if o["status"] != "pending":
            return
        sts = [self.st.authzs[a]["status"] for a in o["authzs"]]
        if any(s == "invalid" for s in sts):
            o["status"] = "invalid"
            o["error"] = {"type": ERR + "incorrectResponse", "detail": "an authorization failed"}
        elif all(s == "valid" for s in sts):
            if self.st.case not in ("order-never-ready", "order-retry-after-huge"):
                o["status"] = "ready"

    def h_order(self, jws, payload, acct, path, case):
        o = self.own(self.st.orders, path[len("/order/"):], acct, "order")
        with self.st.lock:
            o["polls"] += 1
            if o["status"] == "processing" and self.st.case != "processing-forever":
                if o["polls"] >= o.get("ready_at_poll", 0):
                    o["status"] = "valid"
            self.update_order(o)
            r = Reply(200, self.order_obj(o), headers=[("Location", self.order_url(o["id"]))])
            if o["status"] in ("pending", "processing"):
                huge = self.st.case == "order-retry-after-huge"
                r.headers.append(("Retry-After", "86400" if huge else "1"))
            return r

    def authz_obj(self, a, aid):
        d = {"identifier": a["identifier"], "status": a["status"],
             "expires": rfc3339(time.time() + 86400),
             "challenges": [self.chal_obj(self.st.chals[c]) for c in a["chals"]]}
        if a["wildcard"]:
            d["wildcard"] = True
        return d

    def chal_obj(self, c):
        d = {"type": c["type"], "url": "%s/chal/%s" % (self.base, c["id"]),
             "status": c["status"], "token": c["token"]}
        if c["status"] == "valid":
            d["validated"] = rfc3339(time.time())
        if c.get("error"):
            d["error"] = c["error"]
        return d

    def h_authz(self, jws, payload, acct, path, case):
        aid = path[len("/authz/"):]
        a = self.own(self.st.authzs, aid, acct, "authorization")
        if payload and payload.get("status") == "deactivated":
            a["status"] = "deactivated"
        r = Reply(200, self.authz_obj(a, aid))
        if a["status"] == "pending":
            r.headers.append(("Retry-After", "1"))
        return r

    def h_challenge(self, jws, payload, acct, path, case):
        cid = path[len("/chal/"):]
        with self.st.lock:
            c = self.st.chals.get(cid)
        if c is None:
            raise Problem(404, ERR + "malformed", "no such challenge")
        a = self.own(self.st.authzs, c["authz"], acct, "challenge")
        if payload is not None and c["status"] == "pending" and a["status"] == "pending":
            keyauth = c["token"] + "." + jwk_thumbprint(acct["jwk"])
            self.validate(c, a, keyauth, case)
        return Reply(200, self.chal_obj(c),
                     headers=[("Link", '<%s/authz/%s>;rel="up"' % (self.base, c["authz"]))])

    def validate(self, c, a, keyauth, case):
        args = self.st.args
        err = None
        if case == "validation-fails":
            err = "Invalid response from http://%s/.well-known/acme-challenge/%s: 404 " \
                  "(scripted)" % (a["identifier"]["value"], c["token"])
        elif c["type"] == "http-01" and args.validate_webroot:
            f = os.path.join(args.validate_webroot, ".well-known", "acme-challenge", c["token"])
            try:
                got = open(f, "rb").read().decode(errors="replace").strip()
            except OSError as e:
                got = None
                err = "webroot file %s: %s" % (f, e.strerror)
            if got is not None and got != keyauth:
                err = "webroot file %s has the wrong key authorization" % f
        elif c["type"] == "http-01" and args.validate_http:
            url = "http://127.0.0.1:%d/.well-known/acme-challenge/%s" % (args.validate_http,
                                                                         c["token"])
            try:
                req = urllib.request.Request(url, headers={"Host": a["identifier"]["value"]})
                # no proxy from the environment: loopback only
                opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
                with opener.open(req, timeout=5) as resp:
                    got = resp.read(4096).decode(errors="replace").strip()
                if got != keyauth:
                    err = "Invalid response from %s: wrong key authorization" % url
            except Exception as e:
                err = "Invalid response from %s: %s" % (url, e)
        with self.st.lock:
            if err:
                c["status"] = a["status"] = "invalid"
                c["error"] = {"type": ERR + "unauthorized", "detail": err, "status": 403}
                log("challenge %s invalid: %s" % (c["id"], err))
            else:
                c["status"] = a["status"] = "valid"
            self.update_order(self.st.orders[a["order"]])

    def h_finalize(self, jws, payload, acct, path, case):
        o = self.own(self.st.orders, path[len("/finalize/"):], acct, "order")
        with self.st.lock:
            self.update_order(o)
            if o["status"] != "ready":
                raise Problem(403, ERR + "orderNotReady", "order is %s, not ready" % o["status"])
            o["status"] = "processing"
        try:
            csr = b64u_dec((payload or {}).get("csr", ""))
            cn, sans = csr_names(csr)
        except ValueError as e:
            o["status"] = "ready"
            raise Problem(400, ERR + "badCSR", "CSR does not parse or verify: %s" % e)
        want = sorted(set(n.lower() for n in o["names"]))
        if sorted(set(sans)) != want or (cn and cn.lower() not in want):
            o["status"] = "ready"
            raise Problem(400, ERR + "badCSR",
                          "CSR names %s (CN %s) do not match the order %s" % (sans, cn, want))
        cert_case = self.st.case if self.st.case in ("leaf-wrong-key", "leaf-missing-name",
                                                     "chain-not-pem") else None
        leaf, info = self.server.ca.issue(csr, o["names"], cert_case, cert_case)
        with self.st.lock:
            cid = self.st.next_id()
            self.st.certs[cid] = {"leaf": leaf, "acct": acct["id"], "info": info,
                                  "case": cert_case}
            self.st.issued.append(info)
            o["cert"] = cid
            o["ready_at_poll"] = o["polls"] + self.st.args.processing
            if self.st.args.processing == 0 and case != "processing-forever":
                o["status"] = "valid"
        log("issued %s for %s (certID %s)" % (info["serial"], info["names"], info["certid"]))
        r = Reply(200, self.order_obj(o), headers=[("Location", self.order_url(o["id"]))])
        if o["status"] == "processing":
            r.headers.append(("Retry-After", "1"))
        return r

    def h_certificate(self, jws, payload, acct, path, case):
        rest = path[len("/cert/"):]
        cid, _, alt = rest.partition("/")
        c = self.own(self.st.certs, cid, acct, "certificate")
        if c["case"] == "chain-not-pem":
            return Reply(200, b"\x30\x82\x01\x00 this is not PEM at all\n" + os.urandom(64),
                         "application/pem-certificate-chain")
        ca = self.server.ca
        url = "%s/cert/%s" % (self.base, cid)
        if alt == "1":
            chain = c["leaf"] + ca.inter_alt_pem
            link = '<%s>;rel="alternate"' % url
        else:
            chain = c["leaf"] + ca.inter_pem
            link = '<%s/1>;rel="alternate"' % url
        return Reply(200, chain, "application/pem-certificate-chain", headers=[("Link", link)])

    def h_revokeCert(self, jws, payload, acct, path, case):
        try:
            der = b64u_dec((payload or {}).get("certificate", ""))
        except ValueError:
            raise Problem(400, ERR + "malformed", "certificate is not base64url")
        with self.st.lock:
            for cid, c in self.st.certs.items():
                pem_der = base64.b64decode("".join(
                    l for l in c["leaf"].splitlines() if not l.startswith("-----")))
                if pem_der == der:
                    if any(r["serial"] == c["info"]["serial"] for r in self.st.revoked):
                        raise Problem(400, ERR + "alreadyRevoked", "already revoked")
                    if acct is not None and c["acct"] != acct["id"]:
                        raise Problem(403, ERR + "unauthorized", "not your certificate")
                    self.st.revoked.append({"serial": c["info"]["serial"],
                                            "reason": payload.get("reason", 0),
                                            "by": "account" if acct else "certificate key"})
                    return Reply(200, b"", None)
        raise Problem(404, ERR + "malformed", "unknown certificate")

    def h_keyChange(self, jws, payload, acct, path, case):
        try:
            inner = payload
            iprot = json.loads(b64u_dec(inner["protected"]))
            ipay = json.loads(b64u_dec(inner["payload"]))
            isig = b64u_dec(inner["signature"])
        except (ValueError, KeyError, TypeError):
            raise Problem(400, ERR + "malformed", "inner JWS does not parse")
        if iprot.get("url") != self.base + path or "jwk" not in iprot:
            raise Problem(400, ERR + "malformed", "inner JWS needs jwk and the same url")
        if ipay.get("account") != self.acct_url(acct["id"]):
            raise Problem(400, ERR + "malformed", "inner payload account mismatch")
        if jwk_thumbprint(ipay.get("oldKey", {})) != acct["thumb"]:
            raise Problem(400, ERR + "malformed", "oldKey is not the account key")
        ok = verify_jws_sig(iprot["jwk"], iprot.get("alg"),
                            (inner["protected"] + "." + inner["payload"]).encode(), isig)
        if ok is False:
            raise Problem(400, ERR + "malformed", "inner JWS signature does not verify")
        thumb = jwk_thumbprint(iprot["jwk"])
        with self.st.lock:
            if thumb in self.st.by_thumb:
                raise Problem(409, ERR + "conflict", "new key already in use",
                              {"Location": self.acct_url(self.st.by_thumb[thumb])})
            del self.st.by_thumb[acct["thumb"]]
            acct["jwk"], acct["thumb"] = iprot["jwk"], thumb
            self.st.by_thumb[thumb] = acct["id"]
        return Reply(200, self.acct_obj(acct))

    def renewal_info(self, certid):
        st = self.st
        with st.lock:
            st.certids.append(certid)
            ari = dict(st.ari)
        log("renewalInfo for certID %s (mode %s)" % (certid, ari["mode"]))
        if not re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", certid):
            raise Problem(400, ERR + "malformed", "certID %r is not base64url.base64url" % certid)
        known = [i for i in st.issued if i["certid"] == certid]
        if st.issued and not known:
            raise Problem(404, ERR + "malformed", "no certificate with certID %s" % certid)
        now = time.time()
        if ari["mode"] == "past":
            win = (now - 2 * 86400, now - 86400)
        elif ari["mode"] == "now":
            win = (now - 60, now + 60)
        else:
            win = (now + 30 * 86400, now + 31 * 86400)
        doc = {"suggestedWindow": {"start": rfc3339(win[0]), "end": rfc3339(win[1])}}
        hdrs = []
        if ari["mode"] == "explanation" or ari.get("explanation"):
            doc["explanationURL"] = ari.get("explanation") or "https://fakeca.invalid/incident/42"
        if ari["mode"] == "retry-after" or ari.get("retry_after"):
            hdrs.append(("Retry-After", str(ari.get("retry_after") or 21600)))
        return Reply(200, doc, headers=hdrs)


class AcmeServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, addr, ctx, st, ca, host):
        super().__init__(addr, AcmeHandler)
        self.ctx, self.st, self.ca = ctx, st, ca
        self.base = "https://%s:%d" % (host, self.server_address[1])

    def finish_request(self, sock, addr):
        # TLS per connection, in the connection's own thread (a silent client must not
        # block accept()); stall-tls never answers the ClientHello.
        if self.st.case == "stall-tls":
            self.st.notes.append("stall-tls: connection held without handshake")
            sock.settimeout(1.0)
            deadline = time.time() + self.st.args.max_seconds
            while time.time() < deadline:
                try:
                    if sock.recv(4096) == b"":
                        break
                except socket.timeout:
                    continue
                except OSError:
                    break
            return
        sock.settimeout(30)
        try:
            tls = self.ctx.wrap_socket(sock, server_side=True)
        except (ssl.SSLError, OSError) as e:
            if self.st.args.verbose:
                log("TLS handshake failed: %s" % e)
            return
        tls.settimeout(60)
        try:
            self.RequestHandlerClass(tls, addr, self)
        finally:
            try:
                tls.close()
            except OSError:
                pass

    def handle_error(self, request, client_address):
        if self.st.args.verbose:
            log("connection error from %s: %r" % (client_address, sys.exc_info()[1]))


class CtlHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *a):
        pass

    def reply(self, code, obj):
        body = json.dumps(obj, indent=2).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        if self.path == "/state":
            self.reply(200, self.server.st.snapshot())
        else:
            self.reply(404, {"error": "GET /state"})

    def do_POST(self):
        st = self.server.st
        n = int(self.headers.get("Content-Length", "0") or 0)
        try:
            req = json.loads(self.rfile.read(n) or b"{}")
        except ValueError:
            return self.reply(400, {"error": "JSON body expected"})
        if self.path == "/set-case":
            case, step = req.get("case", "none"), req.get("step")
            if case not in CASES or (step is not None and step not in STEPS):
                return self.reply(400, {"error": "unknown case or step", "cases": list(CASES),
                                        "steps": list(STEPS)})
            with st.lock:
                st.case, st.step, st.count = case, step, req.get("count")
            log("case set to %s at %s (count %s)" % (case, step, req.get("count")))
            return self.reply(200, {"case": case, "step": step})
        if self.path == "/set-ari":
            if req.get("mode", "future") not in ARI_MODES:
                return self.reply(400, {"error": "modes: %s" % ", ".join(ARI_MODES)})
            with st.lock:
                st.ari = {"mode": req.get("mode", "future"),
                          "retry_after": req.get("retry_after"),
                          "explanation": req.get("explanation")}
            return self.reply(200, st.ari)
        if self.path == "/reset":
            with st.lock:
                st.requests, st.certids, st.replaces, st.notes = [], [], [], []
            return self.reply(200, {})
        if self.path == "/quit":
            self.reply(200, {})
            threading.Thread(target=lambda: (time.sleep(0.1), os._exit(0))).start()
            return
        self.reply(404, {"error": "unknown control path"})


def main():
    ap = argparse.ArgumentParser(description="scripted ACME test CA (loopback only)")
    ap.add_argument("--work", required=True, help="work directory (CA files, ports.json)")
    ap.add_argument("--tls-cert", required=True)
    ap.add_argument("--tls-key", required=True)
    ap.add_argument("--host", default=None, help="host in URLs (default: the bind address)")
    ap.add_argument("--bind", default="127.0.0.1", choices=("127.0.0.1", "::1"))
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--ctl-port", type=int, default=0)
    ap.add_argument("--case", default="none", choices=sorted(CASES))
    ap.add_argument("--step", default=None, choices=STEPS)
    ap.add_argument("--count", type=int, default=None, help="apply the case N times only")
    ap.add_argument("--ari", default="future", choices=ARI_MODES)
    ap.add_argument("--ari-retry-after", type=int, default=None)
    ap.add_argument("--ari-explanation", default=None)
    ap.add_argument("--validate-http", type=int, default=None, metavar="PORT")
    ap.add_argument("--validate-webroot", default=None, metavar="DIR")
    ap.add_argument("--cert-days", type=int, default=7)
    ap.add_argument("--processing", type=int, default=0,
                    help="order polls in 'processing' after finalize")
    ap.add_argument("--max-seconds", type=float, default=600)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    timer = threading.Timer(args.max_seconds, lambda: (log("--max-seconds reached, exiting"),
                                                       os._exit(0)))
    timer.daemon = True
    timer.start()
    if args.host is None:
        args.host = "[::1]" if args.bind == "::1" else "127.0.0.1"
    st = State(args)
    ca = CA(args.work, args.cert_days)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.tls_cert, args.tls_key)
    fam = socket.AF_INET6 if ":" in args.bind else socket.AF_INET
    AcmeServer.address_family = fam
    srv = AcmeServer((args.bind, args.port), ctx, st, ca, args.host)
    ctl = ThreadingHTTPServer(("127.0.0.1", args.ctl_port), CtlHandler)
    ctl.daemon_threads = True
    ctl.st = st
    threading.Thread(target=ctl.serve_forever, daemon=True).start()
    ports = {"acme": srv.server_address[1], "ctl": ctl.server_address[1], "pid": os.getpid(),
             "directory": srv.base + "/dir", "root": os.path.join(ca.dir, "root.pem"),
             "root2": os.path.join(ca.dir, "root2.pem"),
             "intermediate": os.path.join(ca.dir, "inter.pem"),
             "jws_signatures_checked": HAVE_CRYPTO}
    tmp = os.path.join(args.work, "ports.json.tmp")
    with open(tmp, "w") as f:
        json.dump(ports, f)
    os.rename(tmp, os.path.join(args.work, "ports.json"))
    log("listening on %s (ctl 127.0.0.1:%d), case %s%s, ari %s, JWS signatures %s" % (
        srv.base, ctl.server_address[1], args.case, " at " + args.step if args.step else "",
        args.ari, "checked" if HAVE_CRYPTO else "NOT checked (no python3-cryptography)"))
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
