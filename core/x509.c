/* X.509 certificate reader (RFC 5280 section 4.1): walks the DER once and records the fields of
 * struct x509_info. Signatures are not checked here. */
#include "x509.h"

#include <string.h>

#include "crypto.h"
#include "der.h"
#include "err.h"
#include "ipaddr.h"

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
    size_t n = 0, i, w;
    uint32_t cp;

    out[0] = '\0';
    switch (t->tag) {
    case DER_UTF8STRING:
    case DER_PRINTABLESTRING:
    case DER_IA5STRING:
    case DER_T61STRING: /* in practice Latin-1 */
        w = 1;
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
        const uint8_t *s = t->val + i;
        if (t->tag == DER_UTF8STRING || t->tag == DER_PRINTABLESTRING || t->tag == DER_IA5STRING) {
            if (s[0] == 0) return err_set(ACME_ETEMP, "X.509: NUL character in %s CN", what);
            if (n + 1 >= cap) goto toolong;
            out[n++] = (char)s[0];
            continue;
        }
        cp = 0;
        for (size_t j = 0; j < w; j++)
            cp = cp << 8 | s[j];
        if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return err_set(ACME_ETEMP, "X.509: invalid character in %s CN", what);
        if (put_utf8(out, cap, &n, cp) != 0) goto toolong;
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
    struct der_tlv name, rdn, seq, oid, val;
    int have = 0;

    cn[0] = '\0';
    if (der_expect(r, DER_SEQUENCE, &name) != 0) return ctx(what);
    *raw = name.raw;
    *rawlen = name.rawlen;
    der_enter(&name, &rdns);
    while (!der_at_end(&rdns)) {
        if (der_expect(&rdns, DER_SET, &rdn) != 0) return ctx(what);
        der_enter(&rdn, &set);
        if (der_at_end(&set)) return err_set(ACME_ETEMP, "X.509: empty RDN in %s", what);
        while (!der_at_end(&set)) {
            if (der_expect(&set, DER_SEQUENCE, &seq) != 0) return ctx(what);
            der_enter(&seq, &atv);
            if (der_expect(&atv, DER_OID, &oid) != 0 || der_next(&atv, &val) != 0) return ctx(what);
            if (!der_at_end(&atv))
                return err_set(ACME_ETEMP, "X.509: trailing data in %s attribute", what);
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
        return err_set(ACME_ETEMP, "X.509: %s of %zu bytes exceeds X509_KEYID_MAX (%d)", what,
                       t->len, X509_KEYID_MAX);
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
    if (der_expect(&r, DER_OID, &oid) != 0) return ctx("extension");
    rc = der_optional(&r, DER_BOOLEAN, &crit);
    if (rc < 0) return ctx("extension");
    if (rc == 1 && crit.len != 1) return bad("extension critical flag");
    critical = rc == 1 && crit.val[0] != 0;
    if (der_expect(&r, DER_OCTET_STRING, &val) != 0) return ctx("extension");
    if (!der_at_end(&r)) return bad("extension (trailing data)");
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
    if (der_expect(&v, i == EXT_SKI ? DER_OCTET_STRING : DER_SEQUENCE, &t) != 0) return ctx(name);
    if (i == EXT_SAN) {
        if (check_general_names(t.val, t.len) != 0) return -1;
        out->san = t.val;
        out->san_len = t.len;
    } else if (i == EXT_SKI) {
        if (parse_keyid(&t, out->ski, &out->ski_len, name) != 0) return -1;
    } else {
        der_enter(&t, &r);
        /* AKI: keyIdentifier [0] (the issuer name and serial are not needed);
         * basicConstraints: cA BOOLEAN, pathLenConstraint INTEGER (not needed) */
        rc = der_optional(&r, i == EXT_AKI ? DER_CTX(0) : DER_BOOLEAN, &t);
        if (rc < 0) return ctx(name);
        if (rc == 1 && i == EXT_AKI && parse_keyid(&t, out->aki, &out->aki_len, name) != 0)
            return -1;
        if (i == EXT_BC) {
            if (rc == 1 && t.len != 1) return bad("basicConstraints cA");
            out->is_ca = rc == 1 && t.val[0] != 0;
            rc = der_optional(&r, DER_INTEGER, &t);
            if (rc < 0) return ctx(name);
            if (rc == 1) out->path_len = path_len(&t);
            if (!der_at_end(&r)) return bad("basicConstraints (trailing data)");
        }
    }
    if (!der_at_end(&v)) return bad("extension value (trailing data)");
    return 0;
}

int x509_parse(const uint8_t *der, size_t n, struct x509_info *out)
{
    struct der_reader r, cert, tbs, seq;
    struct der_tlv c, t, tbst, ver, exts, ext;
    const uint8_t *serial;
    size_t serial_len;
    unsigned seen = 0;
    int rc;

    memset(out, 0, sizeof *out);
    out->key_usage = out->path_len = -1;
    der_init(&r, der, n);
    if (der_expect(&r, DER_SEQUENCE, &c) != 0) return ctx("certificate");
    if (!der_at_end(&r)) return bad("certificate (data after it)");
    der_enter(&c, &cert);
    if (der_expect(&cert, DER_SEQUENCE, &tbst) != 0) return ctx("tbsCertificate");
    der_enter(&tbst, &tbs);
    out->tbs = tbst.raw;
    out->tbs_len = tbst.rawlen;

    /* version [0] EXPLICIT INTEGER DEFAULT v1 */
    rc = der_optional(&tbs, DER_CTX_CONS(0), &ver);
    if (rc < 0) return ctx("version");
    if (rc == 1) {
        der_enter(&ver, &seq);
        if (der_expect(&seq, DER_INTEGER, &t) != 0) return ctx("version");
        if (t.len != 1 || t.val[0] > 2 || !der_at_end(&seq)) return bad("version");
    }
    if (der_expect(&tbs, DER_INTEGER, &t) != 0 || der_uint(&t, &serial, &serial_len) != 0)
        return ctx("serialNumber");
    if (serial_len > X509_SERIAL_MAX)
        return err_set(ACME_ETEMP, "X.509: serial of %zu bytes exceeds X509_SERIAL_MAX (%d)",
                       serial_len, X509_SERIAL_MAX);
    memcpy(out->serial, serial, serial_len);
    out->serial_len = serial_len;
    if (der_expect(&tbs, DER_SEQUENCE, &t) != 0) return ctx("signature algorithm");

    if (read_name(&tbs, &out->issuer_name, &out->issuer_name_len, out->issuer_cn, "issuer") != 0)
        return -1;

    if (der_expect(&tbs, DER_SEQUENCE, &t) != 0) return ctx("validity");
    der_enter(&t, &seq);
    if (der_next(&seq, &t) != 0 || der_time(&t, &out->not_before) != 0) return ctx("notBefore");
    if (der_next(&seq, &t) != 0 || der_time(&t, &out->not_after) != 0) return ctx("notAfter");
    if (!der_at_end(&seq)) return bad("validity (trailing data)");

    if (read_name(&tbs, &out->subject_name, &out->subject_name_len, out->subject_cn, "subject") !=
        0)
        return -1;

    if (der_expect(&tbs, DER_SEQUENCE, &t) != 0) return ctx("subjectPublicKeyInfo");
    out->spki = t.raw;
    out->spki_len = t.rawlen;

    /* issuerUniqueID [1], subjectUniqueID [2] (v2/v3, IMPLICIT BIT STRING) */
    if (der_optional(&tbs, DER_CTX(1), &t) < 0 || der_optional(&tbs, DER_CTX(2), &t) < 0)
        return ctx("unique identifier");

    rc = der_optional(&tbs, DER_CTX_CONS(3), &exts);
    if (rc < 0) return ctx("extensions");
    if (rc == 1) {
        der_enter(&exts, &seq);
        if (der_expect(&seq, DER_SEQUENCE, &t) != 0) return ctx("extensions");
        if (!der_at_end(&seq)) return bad("extensions (trailing data)");
        der_enter(&t, &seq);
        while (!der_at_end(&seq)) {
            if (der_expect(&seq, DER_SEQUENCE, &ext) != 0) return ctx("extension");
            if (parse_extension(&ext, out, &seen) != 0) return -1;
        }
    }
    if (!der_at_end(&tbs)) return bad("tbsCertificate (trailing data)");

    /* AlgorithmIdentifier ::= SEQUENCE { algorithm OID, parameters ANY OPTIONAL } */
    if (der_expect(&cert, DER_SEQUENCE, &t) != 0) return ctx("signatureAlgorithm");
    der_enter(&t, &seq);
    if (der_expect(&seq, DER_OID, &t) != 0) return ctx("signatureAlgorithm");
    out->sig_alg = t.val;
    out->sig_alg_len = t.len;
    if (der_expect(&cert, DER_BIT_STRING, &t) != 0) return ctx("signatureValue");
    if (t.len == 0 || t.val[0] != 0) return bad("signatureValue"); /* whole bytes */
    out->sig = t.val + 1;
    out->sig_len = t.len - 1;
    if (!der_at_end(&cert)) return bad("certificate (trailing data)");
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Subject alternative names */

int x509_san_next(const struct x509_info *c, size_t *pos, int *kind, char *out, size_t cap)
{
    struct der_reader r;
    struct der_tlv t;
    char ip[IPADDR_TEXT_MAX];
    size_t n;

    if (*pos > c->san_len) return err_set(ACME_ETEMP, "X.509: SAN position out of range");
    if (c->san_len == 0) return 0; /* san may be NULL */
    der_init(&r, c->san + *pos, c->san_len - *pos);
    while (!der_at_end(&r)) {
        if (der_next(&r, &t) != 0) return ctx("subjectAltName");
        *pos = c->san_len - r.len;
        if (t.tag == DER_CTX(X509_SAN_DNS)) {
            if (t.len == 0 || memchr(t.val, 0, t.len) != NULL) return bad("subjectAltName dNSName");
            if (t.len >= cap)
                return err_set(ACME_ETEMP, "X.509: SAN name of %zu bytes longer than %zu", t.len,
                               cap - (cap > 0));
            memcpy(out, t.val, t.len);
            out[t.len] = '\0';
            *kind = X509_SAN_DNS;
            return 1;
        }
        if (t.tag == DER_CTX(X509_SAN_IP)) {
            if (t.len != 4 && t.len != 16) return bad("subjectAltName iPAddress length");
            n = ipaddr_format(t.val, t.len, ip);
            if (n >= cap)
                return err_set(ACME_ETEMP, "X.509: SAN address longer than %zu", cap - (cap > 0));
            memcpy(out, ip, n + 1);
            *kind = X509_SAN_IP;
            return 1;
        }
    }
    *pos = c->san_len;
    return 0;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

int x509_has_name(const struct x509_info *c, const char *name)
{
    struct der_reader r;
    struct der_tlv t;
    uint8_t ip[16];
    size_t iplen = 0, nlen = strlen(name), i;

    iplen = (size_t)ipaddr_parse(name, nlen, ip);
    der_init(&r, c->san, c->san_len);
    while (!der_at_end(&r)) {
        if (der_next(&r, &t) != 0) return 0;
        if (iplen != 0) {
            if (t.tag == DER_CTX(X509_SAN_IP) && t.len == iplen && memcmp(t.val, ip, iplen) == 0)
                return 1;
            continue;
        }
        if (t.tag != DER_CTX(X509_SAN_DNS) || t.len != nlen) continue;
        for (i = 0; i < nlen; i++)
            if (lower(t.val[i]) != lower((unsigned char)name[i])) break;
        if (i == nlen) return 1;
    }
    return 0;
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

    memset(out, 0, sizeof *out);
    der_init(&r, spki, n);
    if (der_expect(&r, DER_SEQUENCE, &t) != 0) return ctx("subjectPublicKeyInfo");
    der_enter(&t, &in);
    if (der_expect(&in, DER_SEQUENCE, &alg) != 0 || der_expect(&in, DER_BIT_STRING, &bits) != 0)
        return ctx("subjectPublicKeyInfo");
    if (!der_at_end(&in) || bits.len < 2 || bits.val[0] != 0) return bad("subjectPublicKey");
    der_enter(&alg, &r);
    if (der_expect(&r, DER_OID, &oid) != 0) return ctx("public key algorithm");
    if (x509_key_oid(&oid) == X509_KEY_EC) {
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
    if (x509_key_oid(&oid) != X509_KEY_RSA) return 0;
    /* RSAPublicKey ::= SEQUENCE { modulus, publicExponent }; the parameters are ignored. */
    der_init(&r, bits.val + 1, bits.len - 1);
    if (der_expect(&r, DER_SEQUENCE, &t) != 0) return ctx("RSA public key");
    der_enter(&t, &in);
    if (der_read_uint(&in, &out->n, &out->n_len) != 0 ||
        der_read_uint(&in, &out->e, &out->e_len) != 0)
        return ctx("RSA public key");
    if (!der_at_end(&in) || !der_at_end(&r)) return bad("RSA public key (trailing data)");
    out->type = X509_KEY_RSA;
    return 0;
}
