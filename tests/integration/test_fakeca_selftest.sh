#!/usr/bin/env bash
# Self-test of the scripted ACME test CA (tests/integration/lib/fakeca.py), with a small
# python3 ACME client (ES256 JWS) as the counterpart: directory, nonces, a full order with
# both chains, ARI (certID, windows, Retry-After, replaces, 409 once), JWS checks (a bad
# signature is refused when python3-cryptography is there, else this says it is skipped),
# and a few hostile cases seen from the client side. Independent of the acme binary.
set -uo pipefail
ROOT=${ACME_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
. "$ROOT/tests/integration/lib/fakeca.sh"
trap fakeca_cleanup EXIT
trap 'exit 143' TERM INT

for c in openssl "$FAKECA_PYTHON"; do
    command -v "$c" >/dev/null || { echo "missing $c"; echo "0 passed, 1 failed"; exit 1; }
done
if ! "$FAKECA_PYTHON" -c 'import cryptography' 2>/dev/null; then
    echo "note: python3-cryptography missing: the server checks no JWS signatures and this"
    echo "      client cannot sign or make CSRs; only directory/nonce/account checks run"
    NOCRYPTO=1
fi

# HTTP-01 is validated against the client's responder on this port (loopback).
HTTP_PORT=$("$FAKECA_PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
fakeca_start --max-seconds 120 --validate-http "$HTTP_PORT" || { echo "0 passed, 1 failed"; exit 1; }

# The client prints "ok ..." / "FAIL ..." lines and the final count.
"$FAKECA_PYTHON" - "$FAKECA_DIR_URL" "$FAKECA_CA_FILE" "$FAKECA_CTL_URL" "$FAKECA_ROOT" \
    "$FAKECA_ROOT2" "$FAKECA_WORK" "${NOCRYPTO:-0}" "$HTTP_PORT" <<'PY'
import base64, hashlib, json, os, re, ssl, subprocess, sys, threading, time, urllib.error, urllib.request
from http.client import HTTPSConnection
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import urlsplit

DIR, CAFILE, CTL, ROOT1, ROOT2, WORK, NOCRYPTO, HTTP_PORT = sys.argv[1:9]
NOCRYPTO = NOCRYPTO == "1"
TOKENS = {}  # token -> key authorization served by our HTTP-01 responder

class Responder(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass
    def do_GET(self):
        tok = self.path.rsplit("/", 1)[-1]
        body = TOKENS.get(tok, "").encode()
        self.send_response(200 if body else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

responder = HTTPServer(("127.0.0.1", int(HTTP_PORT)), Responder)
threading.Thread(target=responder.serve_forever, daemon=True).start()
passed = failed = 0

def check(what, cond, extra=""):
    global passed, failed
    if cond:
        passed += 1
        print("ok   " + what)
    else:
        failed += 1
        print("FAIL %s %s" % (what, extra))

def b64u(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()

ctx = ssl.create_default_context(cafile=CAFILE)

def req(method, url, body=None, ctype=None, timeout=10):
    """(status, headers(dict of lists, lower-case), body bytes)"""
    u = urlsplit(url)
    c = HTTPSConnection(u.hostname, u.port, context=ctx, timeout=timeout)
    hdrs = {"Content-Type": ctype} if ctype else {}
    c.request(method, u.path, body=body, headers=hdrs)
    r = c.getresponse()
    data = r.read()
    h = {}
    for k, v in r.getheaders():
        h.setdefault(k.lower(), []).append(v)
    c.close()
    return r.status, h, data

def ctl(method, path, obj=None):
    data = json.dumps(obj).encode() if obj is not None else None
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback only
    r = opener.open(urllib.request.Request(CTL + path, data=data, method=method), timeout=10)
    return json.loads(r.read())

if not NOCRYPTO:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
    from cryptography import x509
    from cryptography.x509.oid import NameOID
    akey = ec.generate_private_key(ec.SECP256R1())
    nums = akey.public_key().public_numbers()
    JWK = {"crv": "P-256", "kty": "EC", "x": b64u(nums.x.to_bytes(32, "big")),
           "y": b64u(nums.y.to_bytes(32, "big"))}
else:
    JWK = {"crv": "P-256", "kty": "EC", "x": b64u(b"\1" * 32), "y": b64u(b"\2" * 32)}

THUMB = b64u(hashlib.sha256(json.dumps({k: JWK[k] for k in ("crv", "kty", "x", "y")},
                                        separators=(",", ":"), sort_keys=True).encode()).digest())

def sign(data):
    if NOCRYPTO:
        return b"\0" * 64
    r, s = decode_dss_signature(akey.sign(data, ec.ECDSA(hashes.SHA256())))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")

st, h, body = req("GET", DIR)
check("directory answers 200 JSON", st == 200 and h["content-type"][0] == "application/json")
d = json.loads(body)
for k in ("newNonce", "newAccount", "newOrder", "revokeCert", "keyChange", "renewalInfo"):
    check("directory has " + k, k in d)
check("directory meta.termsOfService", "termsOfService" in d.get("meta", {}))
check("Replay-Nonce on the directory", "replay-nonce" in h)
st, h, _ = req("HEAD", d["newNonce"])
check("HEAD newNonce 200 with Replay-Nonce", st == 200 and "replay-nonce" in h)
nonce = h["replay-nonce"][0]
KID = None

def post(url, payload, kid=True, tamper=False, use_nonce=None):
    """POST a JWS; payload None = POST-as-GET."""
    global nonce
    prot = {"alg": "ES256", "nonce": use_nonce or nonce, "url": url}
    if kid:
        prot["kid"] = KID
    else:
        prot["jwk"] = JWK
    p64 = b64u(json.dumps(prot).encode())
    pl64 = "" if payload is None else b64u(json.dumps(payload).encode())
    sig = sign((p64 + "." + pl64).encode())
    if tamper:
        sig = bytes([sig[0] ^ 1]) + sig[1:]
    body = json.dumps({"protected": p64, "payload": pl64, "signature": b64u(sig)}).encode()
    st, h, data = req("POST", url, body, "application/jose+json")
    if "replay-nonce" in h:
        nonce = h["replay-nonce"][0]
    return st, h, data

def problem(data):
    try:
        return json.loads(data).get("type", "")
    except ValueError:
        return ""

st, h, data = post(d["newAccount"], {"termsOfServiceAgreed": False}, kid=False)
check("newAccount without terms agreed is refused", st == 403, data)
st, h, data = post(d["newAccount"], {"contact": ["mailto:a@b.test"]}, kid=False, use_nonce="bogus")
check("an unknown nonce gets badNonce", st == 400 and problem(data).endswith("badNonce"), data)
if NOCRYPTO:
    print("skip JWS signature, order, chain and ARI checks (no python3-cryptography)")
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)
st, h, data = post(d["newAccount"], {"termsOfServiceAgreed": True}, kid=False, tamper=True)
check("a bad ES256 signature is refused", st == 400 and "signature" in data.decode(), data)
st, h, data = post(d["newAccount"], {"termsOfServiceAgreed": True, "contact": ["mailto:a@b.test"]}, kid=False)
check("newAccount 201 with Location", st == 201 and "location" in h, data)
KID = h["location"][0]
st, h, data = post(d["newAccount"], {"onlyReturnExisting": True}, kid=False)
check("onlyReturnExisting finds the account", st == 200 and h["location"][0] == KID)

def order(names, replaces=None):
    pl = {"identifiers": [{"type": "dns", "value": n} for n in names]}
    if replaces:
        pl["replaces"] = replaces
    return post(d["newOrder"], pl)

def issue(names, replaces=None, key=None, wrong_keyauth=False):
    st, h, data = order(names, replaces)
    if st != 201:
        return None, st, data
    ourl, o = h["location"][0], json.loads(data)
    for az in o["authorizations"]:
        st, h, data = post(az, None)
        a = json.loads(data)
        ch = [c for c in a["challenges"] if c["type"] == "http-01"][0]
        TOKENS[ch["token"]] = ch["token"] + "." + THUMB + ("x" if wrong_keyauth else "")
        post(ch["url"], {})
    st, h, data = post(ourl, None)
    o = json.loads(data)
    if o["status"] != "ready":
        return None, o["status"], data
    key = key or ec.generate_private_key(ec.SECP256R1())
    csr = (x509.CertificateSigningRequestBuilder()
           .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]))
           .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]), False)
           .sign(key, hashes.SHA256()))
    st, h, data = post(o["finalize"], {"csr": b64u(csr.public_bytes(serialization.Encoding.DER))})
    o = json.loads(data)
    for _ in range(10):
        if o["status"] == "valid":
            break
        time.sleep(1)
        o = json.loads(post(ourl, None)[2])
    if o["status"] != "valid":
        return None, o["status"], data
    st, h, data = post(o["certificate"], None)
    return (data, h, key), st, o

names = ["a.fakeca.test", "b.fakeca.test"]
res, st, o = issue(names)
check("full order: certificate issued", res is not None, o)
pem, h, key = res
check("chain served as application/pem-certificate-chain",
      h["content-type"][0] == "application/pem-certificate-chain")
certs = x509.load_pem_x509_certificates(pem) if hasattr(x509, "load_pem_x509_certificates") else \
    [x509.load_pem_x509_certificate(b) for b in re.findall(
        rb"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n?", pem, re.S)]
leaf = certs[0]
check("chain is leaf + intermediate", len(certs) == 2)
san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
check("leaf covers the requested names", sorted(san.get_values_for_type(x509.DNSName)) == names)
check("leaf matches the CSR key", leaf.public_key().public_numbers() == key.public_key().public_numbers())
with open(os.path.join(WORK, "st-chain.pem"), "wb") as f:
    f.write(pem)
v = subprocess.run(["openssl", "verify", "-CAfile", ROOT1, "-untrusted",
                    os.path.join(WORK, "st-chain.pem"), os.path.join(WORK, "st-chain.pem")],
                   capture_output=True)
check("chain verifies against root X1", v.returncode == 0, v.stderr)
alt = [l for l in h.get("link", []) if 'rel="alternate"' in l]
check("Link rel=alternate present", len(alt) == 1)
alt_url = re.match(r"<([^>]+)>", alt[0]).group(1)
st, h2, pem2 = post(alt_url, None)
with open(os.path.join(WORK, "st-chain2.pem"), "wb") as f:
    f.write(pem2)
top = subprocess.run(["openssl", "crl2pkcs7", "-nocrl", "-certfile", os.path.join(WORK, "st-chain2.pem")],
                     capture_output=True).stdout
info = subprocess.run(["openssl", "pkcs7", "-print_certs", "-noout"], input=top, capture_output=True).stdout.decode()
check("alternate chain's top issuer is 'fakeca alt root X2'", info.strip().endswith("issuer=CN = fakeca alt root X2"), info)
v = subprocess.run(["openssl", "verify", "-CAfile", ROOT2, "-untrusted",
                    os.path.join(WORK, "st-chain2.pem"), os.path.join(WORK, "st-chain2.pem")],
                   capture_output=True)
check("alternate chain verifies against root X2", v.returncode == 0, v.stderr)

# ARI: the certID per RFC 9773 from the leaf
aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
sn = leaf.serial_number
certid = b64u(aki) + "." + b64u(sn.to_bytes((sn.bit_length() + 8) // 8, "big"))
state = ctl("GET", "/state")
check("state records the issued certID", state["issued"][-1]["certid"] == certid)
st, h, data = req("GET", d["renewalInfo"] + "/" + certid)
w = json.loads(data).get("suggestedWindow", {})
check("renewalInfo: future window by default", st == 200 and w.get("start", "") > time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
check("renewalInfo: certID recorded", ctl("GET", "/state")["certids"][-1] == certid)
ctl("POST", "/set-ari", {"mode": "past"})
w = json.loads(req("GET", d["renewalInfo"] + "/" + certid)[2])["suggestedWindow"]
check("renewalInfo: past window", w["end"] < time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
ctl("POST", "/set-ari", {"mode": "retry-after", "retry_after": 7200})
st, h, data = req("GET", d["renewalInfo"] + "/" + certid)
check("renewalInfo: Retry-After", h.get("retry-after") == ["7200"])
ctl("POST", "/set-ari", {"mode": "explanation"})
check("renewalInfo: explanationURL", "explanationURL" in json.loads(req("GET", d["renewalInfo"] + "/" + certid)[2]))
st, h, data = req("GET", d["renewalInfo"] + "/AAAA.BBBB")
check("renewalInfo: unknown certID 404", st == 404)

ctl("POST", "/set-case", {"case": "already-replaced", "count": 1})
st, h, data = order(names, replaces=certid)
check("newOrder with replaces: 409 alreadyReplaced once", st == 409 and problem(data).endswith("alreadyReplaced"), data)
st, h, data = order(names, replaces=certid)
check("second newOrder with replaces accepted", st == 201 and json.loads(data).get("replaces") == certid, data)
check("replaces recorded", ctl("GET", "/state")["replaces"] == [certid, certid])
ctl("POST", "/set-case", {"case": "none"})

# hostile cases as a client sees them
ctl("POST", "/set-case", {"case": "rate-limited", "count": 1})
st, h, data = order(names)
check("rate-limited: 429 rateLimited + Retry-After", st == 429 and problem(data).endswith("rateLimited") and "retry-after" in h)
ctl("POST", "/set-case", {"case": "bad-nonce", "count": 2})
st1 = order(names)[0]; st2 = order(names)[0]; st3 = order(names)[0]
check("bad-nonce count 2: two badNonce then success", (st1, st2, st3) == (400, 400, 201))
ctl("POST", "/set-case", {"case": "truncated-json", "step": "directory", "count": 1})
st, h, data = req("GET", DIR)
try:
    json.loads(data); ok = False
except ValueError:
    ok = True
check("truncated-json at directory", st == 200 and ok)
ctl("POST", "/set-case", {"case": "huge-body", "step": "directory", "count": 1})
check("huge-body at directory: 10 MB", len(req("GET", DIR)[2]) > 10 * 1024 * 1024)
ctl("POST", "/set-case", {"case": "dir-missing", "count": 1})
check("dir-missing drops newOrder", "newOrder" not in json.loads(req("GET", DIR)[2]))
ctl("POST", "/set-case", {"case": "stall", "step": "directory", "count": 1})
t0 = time.time()
try:
    req("GET", DIR, timeout=2); stalled = False
except Exception:
    stalled = True
check("stall at directory: client times out", stalled and 1.5 < time.time() - t0 < 5)
ctl("POST", "/set-case", {"case": "close-mid-body", "step": "directory", "count": 1})
try:
    req("GET", DIR); cut = False
except Exception:
    cut = True
check("close-mid-body at directory: incomplete read", cut)
ctl("POST", "/set-case", {"case": "leaf-missing-name"})
res, st, o = issue(names)
l2 = x509.load_pem_x509_certificate(res[0])
check("leaf-missing-name: one name only", len(l2.extensions.get_extension_for_class(x509.SubjectAlternativeName).value) == 1)
ctl("POST", "/set-case", {"case": "leaf-wrong-key"})
res, st, o = issue(names)
l3 = x509.load_pem_x509_certificate(res[0])
check("leaf-wrong-key: key differs", l3.public_key().public_numbers() != res[2].public_key().public_numbers())
ctl("POST", "/set-case", {"case": "validation-fails"})
res, st, o = issue(names)
check("validation-fails: order invalid", res is None and st == "invalid", st)
ctl("POST", "/set-case", {"case": "none"})
res, st, o = issue(names, wrong_keyauth=True)
err = json.dumps(json.loads(o) if isinstance(o, bytes) else o)
check("--validate-http: a wrong key authorization makes the order invalid", res is None and st == "invalid", st)
st, h, data = post(d["revokeCert"], {"certificate": b64u(leaf.public_bytes(serialization.Encoding.DER)), "reason": 4})
check("revokeCert 200, recorded", st == 200 and ctl("GET", "/state")["revoked"][0]["reason"] == 4, data)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
PY
rc=$?
if [ $rc -ne 0 ]; then echo "--- fakeca log"; tail -n 30 "$FAKECA_LOG"; fi
exit $rc
