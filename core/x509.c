/* X.509 certificate reader (RFC 5280 section 4.1): walks the DER once and records the fields of
 * struct x509_info. Signatures are not checked here. */
#include "x509.h"

#include <string.h>

#include "crypto.h"
#include "der.h"
#include "err.h"
#include "ipaddr.h"
#include "x509_chain.h"

/* Contents octets of the OIDs we look at. */
static const uint8_t OID_CN[] = {0x55, 0x04, 0x03}; /* 2.5.4.3 commonName */
static const uint8_t OID_RSA[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01};
static const uint8_t OID_EC[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01};
static const uint8_t OID_P256[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
static const uint8_t OID_SECP[] = {0x2b, 0x81, 0x04, 0x00}; /* then 34 (P-384), 35 (P-521) */

#define DER_T61STRING 0x14
#define DER_UNIVERSALSTRING 0x1c
#define DER_BMPSTRING 0x1e

static int bad(const char *what)
{
    return err_set(ACME_ETEMP, "X.509: malformed %s", what);
}

/* DER errors get the field as context. */
static int ctx(const char *what)
{
    return err_prefix("X.509 %s", what);
}

/* der_expect() naming the field in its error. */
static int expect(struct der_reader *r, uint8_t tag, struct der_tlv *t, const char *what)
{
    return der_expect(r, tag, t) != 0 ? ctx(what) : 0;
}

/* A reader over the contents of the next TLV of r, which must have this tag. */
static int enter(struct der_reader *r, uint8_t tag, struct der_reader *in, const char *what)
{
    struct der_tlv t;

    if (expect(r, tag, &t, what) != 0) return -1;
    der_enter(&t, in);
    return 0;
}

/* 0 when r is at its end, else the error for data after the fields of what. */
static int end(const struct der_reader *r, const char *what)
{
    return der_at_end(r) ? 0 : err_set(ACME_ETEMP, "X.509: malformed %s (trailing data)", what);
}

/* Appends code point cp as UTF-8 to out[*n..cap); -1 when it does not fit. */
static int put_utf8(char *out, size_t cap, size_t *n, uint32_t cp)
{
    unsigned k = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4, i;

    if (k >= cap - *n) /* keep room for the NUL */
        return -1;
    /* The lead byte: k - 1 ones before a zero (none for ASCII), then the top bits. */
    out[*n] = (char)((k == 1 ? 0 : (uint8_t)(0xff00 >> k)) | cp >> 6 * (k - 1));
    for (i = 1; i < k; i++)
        out[*n + i] = (char)(0x80 | (cp >> 6 * (k - 1 - i) & 0x3f));
    *n += k;
    return 0;
}

/* A directory string as UTF-8 in out (NUL-terminated). Types we do not know give "". */
static int dir_string(const struct der_tlv *t, char *out, size_t cap, const char *what)
{
    size_t n = 0, i, j, w = 1;
    uint32_t cp;
    int raw = 0; /* bytes copied as they are: ASCII or UTF-8 */

    out[0] = '\0';
    switch (t->tag) {
    case DER_UTF8STRING:
    case DER_PRINTABLESTRING:
    case DER_IA5STRING:
        raw = 1;
        break;
    case DER_T61STRING: /* in practice Latin-1 */
        break;
    case DER_BMPSTRING:
        w = 2;
        break;
    case DER_UNIVERSALSTRING:
        w = 4;
        break;
    default:
        return 0;
    }
    if (t->len % w != 0) return err_set(ACME_ETEMP, "X.509: malformed %s CN (length)", what);
    for (i = 0; i < t->len; i += w) {
        cp = 0;
        for (j = 0; j < w; j++)
            cp = cp << 8 | t->val[i + j];
        if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return err_set(ACME_ETEMP, "X.509: invalid character in %s CN", what);
        if (raw && n + 1 < cap)
            out[n++] = (char)cp;
        else if (raw || put_utf8(out, cap, &n, cp) != 0)
            goto toolong;
    }
    out[n] = '\0';
    return 0;
toolong:
    out[0] = '\0';
    return err_set(ACME_ETEMP, "X.509: %s CN longer than %d bytes (X509_CN_MAX)", what,
                   X509_CN_MAX - 1);
}

/* The next TLV of r, a Name ::= SEQUENCE OF SET OF AttributeTypeAndValue: its whole TLV in
 * *raw, the first commonName in cn[X509_CN_MAX]. */
static int read_name(struct der_reader *r, const uint8_t **raw, size_t *rawlen, char *cn,
                     const char *what)
{
    struct der_reader rdns, set, atv;
    struct der_tlv name, oid, val;
    int have = 0;

    cn[0] = '\0';
    if (expect(r, DER_SEQUENCE, &name, what) != 0) return -1;
    *raw = name.raw;
    *rawlen = name.rawlen;
    der_enter(&name, &rdns);
    while (!der_at_end(&rdns)) {
        if (enter(&rdns, DER_SET, &set, what) != 0) return -1;
        if (der_at_end(&set)) return err_set(ACME_ETEMP, "X.509: empty RDN in %s", what);
        while (!der_at_end(&set)) {
            if (enter(&set, DER_SEQUENCE, &atv, what) != 0) return -1;
            if (der_expect(&atv, DER_OID, &oid) != 0 || der_next(&atv, &val) != 0) return ctx(what);
            if (end(&atv, what) != 0) return -1;
            if (!have && der_oid_eq(&oid, OID_CN, sizeof OID_CN)) {
                if (dir_string(&val, cn, X509_CN_MAX, what) != 0) return -1;
                have = 1;
            }
        }
    }
    return 0;
}

static int parse_keyid(const struct der_tlv *t, uint8_t *out, size_t *len, const char *what)
{
    if (t->len > X509_KEYID_MAX)
        return err_set(ACME_ETEMP, "X.509: %s of %zu bytes exceeds %s (%d)", what, t->len,
                       "X509_KEYID_MAX", X509_KEYID_MAX);
    if (t->len == 0) return bad(what);
    memcpy(out, t->val, t->len);
    *len = t->len;
    return 0;
}

/* GeneralNames contents: checks that every GeneralName is a well-formed TLV. */
static int check_general_names(const uint8_t *p, size_t n)
{
    struct der_reader r;
    struct der_tlv t;

    der_init(&r, p, n);
    while (!der_at_end(&r))
        if (der_next(&r, &t) != 0) return ctx("subjectAltName");
    return 0;
}

/* The extensions read here, all under 2.5.29 (id-ce): the last OID byte and the name. */
static const struct {
    uint8_t id;
    char name[23];
} EXTS[] = {{0x11, "subjectAltName"},
            {0x23, "authorityKeyIdentifier"},
            {0x0e, "subjectKeyIdentifier"},
            {0x13, "basicConstraints"}};
enum { EXT_SAN, EXT_AKI, EXT_SKI, EXT_BC, EXT_COUNT };

/* keyUsage (2.5.29.15) as x509_info.key_usage: the first byte of the BIT STRING, its unused
 * bits cleared when it is the only one (as BearSSL reads it); 0 when malformed, which refuses
 * the certificate for any use rather than failing x509_parse(). */
static int key_usage_byte(struct der_reader *v)
{
    struct der_tlv t;

    if (der_next(v, &t) != 0) {
        err_clear();
        return 0;
    }
    if (t.tag != DER_BIT_STRING || t.len < 2 || t.val[0] > 7 || !der_at_end(v) ||
        (t.len == 2 && (t.val[1] & ((1u << t.val[0]) - 1)) != 0))
        return 0;
    return t.val[1];
}

/* pathLenConstraint contents as x509_info.path_len; X509_PATHLEN_BAD when negative or beyond
 * 24 bits (BearSSL refuses those). */
static int path_len(const struct der_tlv *t)
{
    size_t i;
    int v = 0;

    if (t->len == 0 || t->len > 4 || (t->val[0] & 0x80) || (t->len == 4 && t->val[0] != 0))
        return X509_PATHLEN_BAD;
    for (i = 0; i < t->len; i++)
        v = v << 8 | t->val[i];
    return v;
}

static int parse_extension(const struct der_tlv *ext, struct x509_info *out, unsigned *seen)
{
    struct der_reader r, v;
    struct der_tlv oid, crit, val, t;
    const char *name;
    unsigned i;
    int rc, critical;

    der_enter(ext, &r);
    if (expect(&r, DER_OID, &oid, "extension") != 0) return -1;
    rc = der_optional(&r, DER_BOOLEAN, &crit);
    if (rc < 0) return ctx("extension");
    if (rc == 1 && crit.len != 1) return bad("extension critical flag");
    critical = rc == 1 && crit.val[0] != 0;
    if (expect(&r, DER_OCTET_STRING, &val, "extension") != 0 || end(&r, "extension") != 0)
        return -1;
    der_enter(&val, &v);

    i = EXT_COUNT;
    if (oid.len == 3 && oid.val[0] == 0x55 && oid.val[1] == 0x1d) {
        if (oid.val[2] == 0x0f) { /* keyUsage; a second one leaves no usage */
            out->key_usage = out->key_usage < 0 ? key_usage_byte(&v) : 0;
            return 0;
        }
        for (i = 0; i < EXT_COUNT && EXTS[i].id != oid.val[2]; i++)
            ;
    }
    if (i == EXT_COUNT) {
        out->unknown_critical |= critical;
        return 0;
    }
    name = EXTS[i].name;
    if (*seen & (1u << i))
        return err_set(ACME_ETEMP, "X.509: malformed certificate (two %s extensions)", name);
    *seen |= 1u << i;
    /* SKI is an OCTET STRING, the others a SEQUENCE. */
    if (expect(&v, i == EXT_SKI ? DER_OCTET_STRING : DER_SEQUENCE, &t, name) != 0) return -1;
    if (i == EXT_SAN) {
        if (check_general_names(t.val, t.len) != 0) return -1;
        out->san = t.val;
        out->san_len = t.len;
    } else if (i == EXT_BC) {
        /* cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER OPTIONAL */
        der_enter(&t, &r);
        rc = der_optional(&r, DER_BOOLEAN, &t);
        if (rc < 0) return ctx(name);
        if (rc == 1 && t.len != 1) return bad("basicConstraints cA");
        out->is_ca = rc == 1 && t.val[0] != 0;
        rc = der_optional(&r, DER_INTEGER, &t);
        if (rc < 0) return ctx(name);
        if (rc == 1) out->path_len = path_len(&t);
        if (end(&r, name) != 0) return -1;
    } else {
        /* SKI: the OCTET STRING; AKI: its keyIdentifier [0] (the issuer name and serial are
         * not needed) */
        rc = 1;
        if (i == EXT_AKI) {
            der_enter(&t, &r);
            rc = der_optional(&r, DER_CTX(0), &t);
            if (rc < 0) return ctx(name);
        }
        if (rc == 1 && parse_keyid(&t, i == EXT_AKI ? out->aki : out->ski,
                                   i == EXT_AKI ? &out->aki_len : &out->ski_len, name) != 0)
            return -1;
    }
    return end(&v, "extension value");
}

int x509_parse(const uint8_t *der, size_t n, struct x509_info *out)
{
    struct der_reader r, cert, tbs, seq;
    struct der_tlv t, tbst, ext;
    const uint8_t *serial;
    size_t serial_len;
    unsigned seen = 0;
    int rc;

    memset(out, 0, sizeof *out);
    out->key_usage = out->path_len = -1;
    der_init(&r, der, n);
    if (enter(&r, DER_SEQUENCE, &cert, "certificate") != 0) return -1;
    if (!der_at_end(&r)) return bad("certificate (data after it)");
    if (expect(&cert, DER_SEQUENCE, &tbst, "tbsCertificate") != 0) return -1;
    der_enter(&tbst, &tbs);
    out->tbs = tbst.raw;
    out->tbs_len = tbst.rawlen;

    /* version [0] EXPLICIT INTEGER DEFAULT v1 */
    rc = der_optional(&tbs, DER_CTX_CONS(0), &t);
    if (rc < 0) return ctx("version");
    if (rc == 1) {
        der_enter(&t, &seq);
        if (expect(&seq, DER_INTEGER, &t, "version") != 0) return -1;
        if (t.len != 1 || t.val[0] > 2 || !der_at_end(&seq)) return bad("version");
    }
    if (der_expect(&tbs, DER_INTEGER, &t) != 0 || der_uint(&t, &serial, &serial_len) != 0)
        return ctx("serialNumber");
    if (serial_len > X509_SERIAL_MAX)
        return err_set(ACME_ETEMP, "X.509: %s of %zu bytes exceeds %s (%d)", "serial", serial_len,
                       "X509_SERIAL_MAX", X509_SERIAL_MAX);
    memcpy(out->serial, serial, serial_len);
    out->serial_len = serial_len;
    if (expect(&tbs, DER_SEQUENCE, &t, "signature") != 0) return -1;

    if (read_name(&tbs, &out->issuer_name, &out->issuer_name_len, out->issuer_cn, "issuer") != 0)
        return -1;

    if (enter(&tbs, DER_SEQUENCE, &seq, "validity") != 0) return -1;
    if (der_next(&seq, &t) != 0 || der_time(&t, &out->not_before) != 0) return ctx("notBefore");
    if (der_next(&seq, &t) != 0 || der_time(&t, &out->not_after) != 0) return ctx("notAfter");
    if (end(&seq, "validity") != 0) return -1;

    if (read_name(&tbs, &out->subject_name, &out->subject_name_len, out->subject_cn, "subject") !=
        0)
        return -1;

    if (expect(&tbs, DER_SEQUENCE, &t, "subjectPublicKeyInfo") != 0) return -1;
    out->spki = t.raw;
    out->spki_len = t.rawlen;

    /* issuerUniqueID [1], subjectUniqueID [2] (v2/v3, IMPLICIT BIT STRING) */
    if (der_optional(&tbs, DER_CTX(1), &t) < 0 || der_optional(&tbs, DER_CTX(2), &t) < 0)
        return ctx("unique identifier");

    rc = der_optional(&tbs, DER_CTX_CONS(3), &t);
    if (rc < 0) return ctx("extensions");
    if (rc == 1) {
        der_enter(&t, &seq);
        if (expect(&seq, DER_SEQUENCE, &t, "extensions") != 0 || end(&seq, "extensions") != 0)
            return -1;
        der_enter(&t, &seq);
        while (!der_at_end(&seq)) {
            if (expect(&seq, DER_SEQUENCE, &ext, "extension") != 0 ||
                parse_extension(&ext, out, &seen) != 0)
                return -1;
        }
    }
    if (end(&tbs, "tbsCertificate") != 0) return -1;

    /* AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } */
    if (enter(&cert, DER_SEQUENCE, &seq, "signatureAlgorithm") != 0 ||
        expect(&seq, DER_OID, &t, "signatureAlgorithm") != 0)
        return -1;
    out->sig_alg = t.val;
    out->sig_alg_len = t.len;
    if (expect(&cert, DER_BIT_STRING, &t, "signatureValue") != 0) return -1;
    if (t.len == 0 || t.val[0] != 0) return bad("signatureValue"); /* whole bytes */
    out->sig = t.val + 1;
    out->sig_len = t.len - 1;
    return end(&cert, "certificate");
}

/* ------------------------------------------------------------------------------------------ */
/* Subject alternative names */

int x509_san_next(const struct x509_info *c, size_t *pos, int *kind, char *out, size_t cap)
{
    struct der_reader r;
    struct der_tlv t;
    char ip[IPADDR_TEXT_MAX];
    const void *text;
    size_t n;

    if (*pos > c->san_len) return err_set(ACME_ETEMP, "X.509: SAN position out of range");
    if (c->san_len == 0) return 0; /* san may be NULL */
    der_init(&r, c->san + *pos, c->san_len - *pos);
    while (!der_at_end(&r)) {
        if (der_next(&r, &t) != 0) return ctx("subjectAltName");
        *pos = c->san_len - r.len;
        if (t.tag == DER_CTX(X509_SAN_DNS)) {
            if (t.len == 0 || memchr(t.val, 0, t.len) != NULL) return bad("subjectAltName dNSName");
            text = t.val;
            n = t.len;
        } else if (t.tag == DER_CTX(X509_SAN_IP)) {
            if (t.len != 4 && t.len != 16) return bad("subjectAltName iPAddress length");
            text = ip;
            n = ipaddr_format(t.val, t.len, ip);
        } else {
            continue;
        }
        if (n >= cap)
            return err_set(ACME_ETEMP, "X.509: SAN name of %zu bytes longer than %zu", n,
                           cap - (cap > 0));
        memcpy(out, text, n);
        out[n] = '\0';
        *kind = t.tag & 0x1f;
        return 1;
    }
    *pos = c->san_len;
    return 0;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Equal ignoring ASCII case; with printable, s must be printable ASCII too (as BearSSL). */
static int same_text(const uint8_t *s, const char *name, size_t n, int printable)
{
    size_t i;

    for (i = 0; i < n; i++)
        if ((printable && (s[i] <= ' ' || s[i] > '~')) ||
            lower(s[i]) != lower((unsigned char)name[i]))
            return 0;
    return 1;
}

/* x509_has_name() (tls 0: DNS names as they are, IP addresses) and x509_dns_name_matches()
 * (tls 1: DNS names only, printable, "*." wildcards as br_x509_minimal matches them). */
static int san_has(const struct x509_info *c, const char *name, int tls)
{
    struct der_reader r;
    struct der_tlv t;
    uint8_t ip[16];
    size_t n = strlen(name), iplen = 0, label = 0;
    const char *dot = memchr(name, '.', n);

    if (tls) /* the first label, for a wildcard; none when it is empty or absent */
        label = dot != NULL && dot != name ? (size_t)(dot - name) + 1 : 0;
    else
        iplen = (size_t)ipaddr_parse(name, n, ip);
    der_init(&r, c->san, c->san_len);
    while (!der_at_end(&r)) {
        if (der_next(&r, &t) != 0) break;
        if (iplen != 0) {
            if (t.tag == DER_CTX(X509_SAN_IP) && t.len == iplen && memcmp(t.val, ip, iplen) == 0)
                return 1;
            continue;
        }
        if (t.tag != DER_CTX(X509_SAN_DNS) || (tls && t.len > 255)) continue;
        if (t.len == n && same_text(t.val, name, n, tls)) return 1;
        if (label != 0 && t.len >= 3 && t.val[0] == '*' && t.val[1] == '.' &&
            t.len - 2 == n - label && same_text(t.val + 2, name + label, n - label, 1))
            return 1;
    }
    err_clear();
    return 0;
}

int x509_has_name(const struct x509_info *c, const char *name)
{
    return san_has(c, name, 0);
}

/* Beside x509_has_name() to share san_has(). */
int x509_dns_name_matches(const struct x509_info *c, const char *host)
{
    return san_has(c, host, 1);
}

/* ------------------------------------------------------------------------------------------ */
/* Public keys */

int x509_curve_oid(const uint8_t *oid, size_t n)
{
    if (n == sizeof OID_P256 && memcmp(oid, OID_P256, n) == 0) return KEY_EC256;
    if (n == 5 && memcmp(oid, OID_SECP, 4) == 0 && (oid[4] == 34 || oid[4] == 35))
        return oid[4] == 34 ? KEY_EC384 : KEY_EC521;
    return 0;
}

int x509_key_oid(const struct der_tlv *oid)
{
    if (der_oid_eq(oid, OID_RSA, sizeof OID_RSA)) return X509_KEY_RSA;
    if (der_oid_eq(oid, OID_EC, sizeof OID_EC)) return X509_KEY_EC;
    return 0;
}

int x509_spki_key(const uint8_t *spki, size_t n, struct x509_pubkey *out)
{
    struct der_reader r, in;
    struct der_tlv t, alg, oid, bits;
    int type;

    memset(out, 0, sizeof *out);
    der_init(&r, spki, n);
    if (enter(&r, DER_SEQUENCE, &in, "subjectPublicKeyInfo") != 0 ||
        expect(&in, DER_SEQUENCE, &alg, "subjectPublicKeyInfo") != 0 ||
        expect(&in, DER_BIT_STRING, &bits, "subjectPublicKeyInfo") != 0)
        return -1;
    if (!der_at_end(&in) || bits.len < 2 || bits.val[0] != 0) return bad("subjectPublicKey");
    der_enter(&alg, &r);
    if (expect(&r, DER_OID, &oid, "public key algorithm") != 0) return -1;
    type = x509_key_oid(&oid);
    if (type == X509_KEY_EC) {
        /* Named curves only: the parameters are the curve's OID. */
        int rc = der_optional(&r, DER_OID, &t);
        if (rc < 0) return ctx("public key algorithm");
        if (rc == 1 && der_at_end(&r) && (out->curve = x509_curve_oid(t.val, t.len)) != 0) {
            out->type = X509_KEY_EC;
            out->q = bits.val + 1;
            out->q_len = bits.len - 1;
        }
        return 0;
    }
    if (type != X509_KEY_RSA) return 0;
    /* RSAPublicKey ::= SEQUENCE { modulus, publicExponent }; the parameters are ignored. */
    der_init(&r, bits.val + 1, bits.len - 1);
    if (enter(&r, DER_SEQUENCE, &in, "RSA public key") != 0) return -1;
    if (der_read_uint(&in, &out->n, &out->n_len) != 0 ||
        der_read_uint(&in, &out->e, &out->e_len) != 0)
        return ctx("RSA public key");
    if (end(&in, "RSA public key") != 0 || end(&r, "RSA public key") != 0) return -1;
    out->type = X509_KEY_RSA;
    return 0;
}
