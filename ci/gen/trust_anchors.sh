#!/usr/bin/env bash
# Writes the built-in trust anchors (used when ca_file does not exist) from the certificates of
# the PEM files listed in CONFIG_TRUST_ANCHORS_PEM (OUTDIR/.config):
#   OUTDIR/gen/trust_anchors.c          the whole certificates as DER arrays (acme_builtin_certs):
#                                       what the mbedTLS transport loads; with BearSSL only the
#                                       unit tests link it
#   OUTDIR/gen/trust_anchors_bearssl.c  BearSSL builds only: each certificate's subject Name, CA
#                                       flag and public key as a ready br_x509_trust_anchor
#                                       (acme_builtin_anchors), what bearssl/trust_store.c would
#                                       decode from the certificate at run time
# Without CONFIG_BUILTIN_TRUST_ANCHORS the tables are empty. These fail the build, naming the
# file: a listed file that is missing or holds no certificate, a certificate that is not DER,
# and with BearSSL a certificate BearSSL cannot use as an anchor (a key neither RSA nor EC on
# P-256/384/521, or too large) or more anchors than CONFIG_TRUST_ANCHORS_MAX and
# CONFIG_TRUST_STORE_SIZE allow. (A ca_file on the device skips such certificates at run time:
# the device owner may not control that bundle. The built-in list is chosen by whoever builds
# the firmware, and an anchor dropped silently would only show up in the field, on exactly
# the devices without a ca_file.)
# Usage: ci/gen/trust_anchors.sh OUTDIR (run by build.sh after Kconfig, before compiling).
set -euo pipefail
out=${1:?usage: trust_anchors.sh OUTDIR}
[ -f "$out/.config" ] || { echo "trust_anchors.sh: $out/.config not found (run Kconfig first)" >&2; exit 1; }
mkdir -p "$out/gen"
python3 - "$out/.config" "$out/gen" <<'PY'
import base64, binascii, os, re, shlex, sys

config, gendir = sys.argv[1], sys.argv[2]
enabled, bearssl, files, options = False, True, [], {}
for line in open(config):
    line = line.strip()
    if line == "CONFIG_BUILTIN_TRUST_ANCHORS=y":
        enabled = True
    if line == "CONFIG_TLS_MBEDTLS=y":
        bearssl = False
    m = re.match(r'CONFIG_TRUST_ANCHORS_PEM=(".*")$', line)
    if m:
        files = shlex.split(m.group(1))[0].split()
    m = re.match(r"CONFIG_(TRUST_ANCHORS_MAX|TRUST_STORE_SIZE)=([0-9]+)$", line)
    if m:
        options[m.group(1)] = int(m.group(2))


def fail(msg):
    sys.exit("trust_anchors.sh: " + msg)


certs = []  # (origin, line of its BEGIN, der)
if enabled:
    if not files:
        fail("CONFIG_BUILTIN_TRUST_ANCHORS=y but CONFIG_TRUST_ANCHORS_PEM lists no PEM file")
    for f in files:
        if not os.path.isfile(f):
            fail("CONFIG_TRUST_ANCHORS_PEM: %s does not exist "
                 "(install it, e.g. Debian's ca-certificates, or change the option)" % f)
        text = open(f, encoding="ascii", errors="replace").read()
        blocks = list(re.finditer(
            r"-----BEGIN CERTIFICATE-----\s*\n(.*?)-----END CERTIFICATE-----", text, re.S))
        if not blocks:
            fail("CONFIG_TRUST_ANCHORS_PEM: %s holds no PEM certificate" % f)
        for b in blocks:
            try:
                der = base64.b64decode("".join(b.group(1).split()), validate=True)
            except binascii.Error as e:
                fail("%s: bad base64 in a certificate: %s" % (f, e))
            if len(der) < 64 or der[0] != 0x30:
                fail("%s: a certificate is not DER" % f)
            certs.append((f, text.count("\n", 0, b.start()) + 1, der))

# ---------------------------------------------------------------------------------------------
# A small DER reader: just enough X.509 (RFC 5280) for the subject, the CA flag and the key.


class DerError(Exception):
    pass


SEQUENCE, SET, BOOLEAN, INTEGER, BIT_STRING, OCTET_STRING, OID = 0x30, 0x31, 1, 2, 3, 4, 6


class Tlv:
    """One DER element of buf[start:limit]: its tag, the whole encoding buf[start:end] and
    the value buf[value:end]."""

    def __init__(self, buf, start, limit):
        if limit - start < 2:
            raise DerError("truncated")
        self.buf, self.start, self.tag = buf, start, buf[start]
        if self.tag & 0x1F == 0x1F:
            raise DerError("multi-byte tag")
        n, pos = buf[start + 1], start + 2
        if n == 0x80:
            raise DerError("indefinite length")
        if n > 0x80:  # long form: n & 0x7f length bytes, minimal as DER wants
            k = n & 0x7F
            if k > 4 or limit - pos < k or buf[pos] == 0 or (k == 1 and buf[pos] < 0x80):
                raise DerError("bad length")
            n, pos = int.from_bytes(buf[pos:pos + k], "big"), pos + k
        if n > limit - pos:
            raise DerError("truncated")
        self.value, self.end = pos, pos + n

    def raw(self):
        return bytes(self.buf[self.start:self.end])

    def contents(self):
        return bytes(self.buf[self.value:self.end])

    def children(self):
        """The elements inside a constructed element."""
        if not self.tag & 0x20:
            raise DerError("tag 0x%02x is not constructed" % self.tag)
        return elements(self.buf, self.value, self.end)


def elements(buf, start, end):
    """The DER elements filling buf[start:end] exactly."""
    out = []
    while start < end:
        out.append(Tlv(buf, start, end))
        start = out[-1].end
    return out


def expect(tlv, tag, what):
    if tlv.tag != tag:
        raise DerError("%s: tag 0x%02x, expected 0x%02x" % (what, tlv.tag, tag))
    return tlv


def fields(tlv, what, least, most=None, tag=SEQUENCE):
    """The elements of a SEQUENCE (or another constructed tag): at least least, at most most
    (None: as many as least)."""
    elems = expect(tlv, tag, what).children()
    if not least <= len(elems) <= (least if most is None else most):
        raise DerError("%s: %d elements" % (what, len(elems)))
    return elems


def only(tlv, what):
    """The one element inside tlv: the child of a constructed element ([3] extensions), or
    the DER element an OCTET STRING holds (an extension's value)."""
    if tlv.tag & 0x20:
        elems = tlv.children()
    else:
        elems = elements(tlv.contents(), 0, tlv.end - tlv.value)
    if len(elems) != 1:
        raise DerError("%s: %d elements, expected 1" % (what, len(elems)))
    return elems[0]


def unsigned(tlv, what):
    """An INTEGER's magnitude without leading zeros, as core/der.c der_read_uint() gives it
    (zero is empty)."""
    v = expect(tlv, INTEGER, what).contents()
    if not v or v[0] & 0x80:
        raise DerError("%s: empty or negative" % what)
    return v.lstrip(b"\0")


def oid_text(der_oid):
    """Dotted text of an OID's contents, for messages."""
    arcs, n = [], 0
    for b in der_oid:
        n = n << 7 | b & 0x7F
        if not b & 0x80:
            arcs.append(n)
            n = 0
    if not arcs:
        return "?"
    first = min(arcs[0] // 40, 2)
    return ".".join(str(a) for a in [first, arcs[0] - 40 * first] + arcs[1:])


OID_RSA = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1 rsaEncryption
OID_EC = bytes.fromhex("2a8648ce3d0201")  # 1.2.840.10045.2.1 id-ecPublicKey
CURVES = {  # named curve OID: BearSSL's curve id
    bytes.fromhex("2a8648ce3d030107"): "BR_EC_secp256r1",  # 1.2.840.10045.3.1.7
    bytes.fromhex("2b81040022"): "BR_EC_secp384r1",  # 1.3.132.0.34
    bytes.fromhex("2b81040023"): "BR_EC_secp521r1",  # 1.3.132.0.35
}
OID_BASIC_CONSTRAINTS = bytes.fromhex("551d13")  # 2.5.29.19
OID_CN = bytes.fromhex("550403")  # 2.5.4.3
BR_X509_BUFSIZE_KEY = 520  # bearssl_x509.h: the largest key (n + e, or q) BearSSL decodes


class Unusable(Exception):
    """A well-formed certificate whose key BearSSL cannot use as a trust anchor."""


def public_key(spki):
    """('rsa', n, e) or ('ec', curve, q) of a SubjectPublicKeyInfo, as core/x509.c
    x509_spki_key() reads it."""
    alg, bits = fields(spki, "subjectPublicKeyInfo", 2)
    key = expect(bits, BIT_STRING, "subjectPublicKey").contents()
    if len(key) < 2 or key[0] != 0:
        raise DerError("subjectPublicKey: unused bits")
    params = fields(alg, "public key algorithm", 1, 2)
    oid = expect(params[0], OID, "public key algorithm").contents()
    if oid == OID_EC:  # named curves only: the parameters are the curve's OID
        curve = params[1].contents() if len(params) == 2 and params[1].tag == OID else None
        if curve not in CURVES:
            raise Unusable("its key is EC on curve %s, not P-256/384/521"
                           % ("(not named)" if curve is None else oid_text(curve)))
        return ("ec", CURVES[curve], key[1:])
    if oid != OID_RSA:
        raise Unusable("its key (algorithm %s) is neither RSA nor EC" % oid_text(oid))
    rsa = elements(key, 1, len(key))  # RSAPublicKey ::= SEQUENCE { modulus, publicExponent }
    if len(rsa) != 1:
        raise DerError("RSA public key: data after it")
    n, e = fields(rsa[0], "RSA public key", 2)
    return ("rsa", unsigned(n, "RSA modulus"), unsigned(e, "RSA exponent"))


def key_bytes(key):
    """What BearSSL keeps of a key: n and e, or the point q."""
    return len(key[1]) + len(key[2]) if key[0] == "rsa" else len(key[2])


def is_ca(extensions):
    """The cA flag of basicConstraints (False when absent), as BearSSL and core/x509.c read
    it."""
    for ext in expect(only(extensions, "extensions"), SEQUENCE, "extensions").children():
        # Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue }
        ext = fields(ext, "extension", 2, 3)
        if expect(ext[0], OID, "extension").contents() != OID_BASIC_CONSTRAINTS:
            continue
        value = expect(ext[-1], OCTET_STRING, "basicConstraints")
        # BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint }
        bc = fields(only(value, "basicConstraints"), "basicConstraints", 0, 2)
        if bc and bc[0].tag == BOOLEAN:
            v = bc[0].contents()
            if len(v) != 1:
                raise DerError("basicConstraints cA: %d bytes" % len(v))
            return v[0] != 0
        return False
    return False


def common_name(name):
    """The subject's CN as text for messages, or ''."""
    for rdn in name.children():
        for atv in expect(rdn, SET, "Name").children():
            oid, value = fields(atv, "Name", 2)
            if oid.tag == OID and oid.contents() == OID_CN:
                text = value.contents().decode("utf-8", "replace")
                return "".join(c if " " <= c <= "~" else "?" for c in text)
    return ""


def anchor(der):
    """(subject Name TLV, is CA, key, CN) of one certificate: Certificate ::= SEQUENCE {
    tbsCertificate, signatureAlgorithm, signatureValue }."""
    cert = elements(der, 0, len(der))
    if len(cert) != 1:
        raise DerError("data after the certificate")
    parts = fields(cert[0], "certificate", 3)
    expect(parts[1], SEQUENCE, "signatureAlgorithm")
    expect(parts[2], BIT_STRING, "signatureValue")
    # tbsCertificate ::= SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer,
    #     validity, subject, subjectPublicKeyInfo, [1] [2] unique IDs OPTIONAL, [3] extensions }
    tbs = fields(parts[0], "tbsCertificate", 6, 10)
    if tbs[0].tag == 0xA0:  # the version
        tbs = tbs[1:]
    if len(tbs) < 6:
        raise DerError("tbsCertificate: %d elements" % len(tbs))
    for tlv, tag, what in zip(tbs, (INTEGER, SEQUENCE, SEQUENCE, SEQUENCE, SEQUENCE, SEQUENCE),
                              ("serialNumber", "signature", "issuer", "validity", "subject",
                               "subjectPublicKeyInfo")):
        expect(tlv, tag, what)
    subject = tbs[4]
    cn = common_name(subject)
    ca = False
    for extra in tbs[6:]:
        if extra.tag == 0xA3:
            ca = is_ca(extra)
        elif extra.tag not in (0x81, 0xA1, 0x82, 0xA2):
            raise DerError("tbsCertificate: unexpected tag 0x%02x" % extra.tag)
    key = public_key(tbs[5])
    if key_bytes(key) > BR_X509_BUFSIZE_KEY:
        raise Unusable("its key is too large (%d bytes, BearSSL decodes at most %d)"
                       % (key_bytes(key), BR_X509_BUFSIZE_KEY))
    return subject.raw(), ca, key, cn


# ---------------------------------------------------------------------------------------------
# Output


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def c_array(name, data):
    o = ["static const unsigned char %s[%d] = {" % (name, len(data))]
    for k in range(0, len(data), 16):
        o.append("    " + ", ".join("0x%02x" % x for x in data[k:k + 16]) + ",")
    o.append("};")
    return o


def write(path, lines):
    text = "\n".join(lines) + "\n"
    old = open(path).read() if os.path.exists(path) else None
    if old != text:  # rewritten only when it changes
        with open(path + ".new", "w") as fh:
            fh.write(text)
        os.replace(path + ".new", path)


# gen/trust_anchors.c: the whole certificates.
o = ["/* generated by ci/gen/trust_anchors.sh from CONFIG_TRUST_ANCHORS_PEM: the whole",
     " * certificates (the BearSSL transport uses gen/trust_anchors_bearssl.c instead) */",
     '#include "../platform/tls_common.h"', ""]
for i, (f, line, der) in enumerate(certs):
    o += c_array("ta%d" % i, der)
o.append("")
o.append("const struct builtin_cert acme_builtin_certs[%d] = {" % max(len(certs), 1))
for i, (f, line, der) in enumerate(certs):
    o.append("    {ta%d, sizeof ta%d, %s}," % (i, i, c_string(f)))
if not certs:
    o.append("    {0, 0, 0},")
o.append("};")
o.append("const size_t acme_builtin_cert_count = %d;" % len(certs))
write(os.path.join(gendir, "trust_anchors.c"), o)

bearssl_file = os.path.join(gendir, "trust_anchors_bearssl.c")
if not bearssl:  # the mbedTLS transport loads the whole certificates
    if os.path.exists(bearssl_file):
        os.remove(bearssl_file)
    sys.exit(0)

# gen/trust_anchors_bearssl.c: names and keys.
anchors = []  # (origin, CN, subject Name, is CA, key)
for f, line, der in certs:
    where = "CONFIG_TRUST_ANCHORS_PEM: %s: the certificate at line %d" % (f, line)
    try:
        dn, ca, key, cn = anchor(der)
    except DerError as e:
        fail("%s is malformed (%s)" % (where, e))
    except Unusable as e:
        fail("%s cannot be a BearSSL trust anchor: %s; remove it from the option"
             % (where, e))
    anchors.append((f, cn, dn, ca, key))
limit = options.get("TRUST_ANCHORS_MAX")
if limit is not None and len(anchors) > limit:
    fail("CONFIG_TRUST_ANCHORS_PEM holds %d certificates: more than %d trust anchors "
         "(CONFIG_TRUST_ANCHORS_MAX); list fewer or raise the option" % (len(anchors), limit))
limit = options.get("TRUST_STORE_SIZE")
used = sum(len(dn) + key_bytes(key) for f, cn, dn, ca, key in anchors)  # as the pool counts
if limit is not None and used > limit:
    fail("CONFIG_TRUST_ANCHORS_PEM needs %d bytes: more than %d bytes of trust anchors "
         "(CONFIG_TRUST_STORE_SIZE); list fewer or raise the option" % (used, limit))

o = ["/* generated by ci/gen/trust_anchors.sh from CONFIG_TRUST_ANCHORS_PEM: the subject Name,",
     " * CA flag and public key of each certificate, as bearssl/trust_store.c decodes them */",
     '#include "../bearssl/trust_store.h"', ""]
entries = []
for i, (f, cn, dn, ca, key) in enumerate(anchors):
    o.append("/* %s, from %s */" % (cn.replace("*/", "* /") or "(no CN)", f.replace("*/", "* /")))
    o += c_array("ta%d_dn" % i, dn)
    flags = "BR_X509_TA_CA" if ca else "0"
    dn_ref = "{(unsigned char *)ta%d_dn, sizeof ta%d_dn}" % (i, i)
    if key[0] == "rsa":
        o += c_array("ta%d_n" % i, key[1])
        o += c_array("ta%d_e" % i, key[2])
        key_init = ("{BR_KEYTYPE_RSA,\n      {.rsa = {(unsigned char *)ta%d_n, sizeof ta%d_n, "
                    "(unsigned char *)ta%d_e, sizeof ta%d_e}}}" % (i, i, i, i))
    else:
        o += c_array("ta%d_q" % i, key[2])
        key_init = ("{BR_KEYTYPE_EC, {.ec = {%s, (unsigned char *)ta%d_q, sizeof ta%d_q}}}"
                    % (key[1], i, i))
    entries.append("    {%s,\n     %s,\n     %s}," % (dn_ref, flags, key_init))
    o.append("")
o.append("const br_x509_trust_anchor acme_builtin_anchors[%d] = {" % max(len(anchors), 1))
o += entries or ["    {{0, 0}, 0, {0, {.rsa = {0, 0, 0, 0}}}},"]
o.append("};")
o.append("const size_t acme_builtin_anchor_count = %d;" % len(anchors))
o.append("const size_t acme_builtin_anchor_bytes = %d; /* names and keys */" % used)
write(bearssl_file, o)
PY
