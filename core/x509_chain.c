/* Certificate chain validation (see x509_chain.h): the checks of BearSSL's br_x509_minimal in
 * the same order, on certificates parsed with x509_parse(). */
#include "x509_chain.h"

#include <string.h>

#include "der.h"
#include "err.h"

void x509_chain_start(struct x509_chain *c)
{
    c->kept = c->received = 0;
    c->start[0] = 0;
    c->want = c->got = 0;
    c->overflow = 0;
}

void x509_chain_begin_cert(struct x509_chain *c, uint32_t length)
{
    c->received++;
    c->want = length;
    c->got = 0;
    if (c->kept == X509_CHAIN_MAX || length > sizeof c->buf - c->start[c->kept]) c->overflow = 1;
}

void x509_chain_append(struct x509_chain *c, const uint8_t *p, size_t n)
{
    if (c->overflow) return;
    /* More bytes than announced: keep the count (the certificate is then refused), not them. */
    if (n <= c->want - c->got) memcpy(c->buf + c->start[c->kept] + c->got, p, n);
    c->got += n;
}

void x509_chain_end_cert(struct x509_chain *c)
{
    if (c->overflow) return;
    /* A certificate with fewer or more bytes than announced is kept empty, which fails to
     * parse. */
    c->start[c->kept + 1] = c->start[c->kept] + (c->got == c->want ? c->got : 0);
    c->kept++;
}

const uint8_t *x509_chain_leaf(const struct x509_chain *c, size_t *len)
{
    *len = c->kept > 0 ? c->start[1] : 0;
    return c->kept > 0 ? c->buf : NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* br_x509_minimal decodes the end entity's subject Name and SAN entries further than
 * x509_parse() does and refuses some encodings there (found by tests/fuzz/fuzz_x509_chain.c);
 * so do we, or a little more. */

/* A directory string as BearSSL reads it (read-string): tag class universal or context; the
 * string types primitive; BMPString (whose decoder fails when it runs past the end) only of
 * whole code units and without surrogates. */
static int string_readable(const struct der_tlv *t)
{
    size_t i;

    if (t->tag & 0x40) return 0;
    switch (t->tag & 0x9f) {
    case 12:
    case 18:
    case 19:
    case 20:
    case 22:
    case 30:
        if (t->tag & 0x20) return 0;
        if (t->tag != 30) return 1;
        if (t->len % 2 != 0) return 0;
        for (i = 0; i < t->len; i += 2)
            if (t->val[i] >= 0xd8 && t->val[i] <= 0xdf) return 0;
        return 1;
    default:
        return 1;
    }
}

/* otherName contents: type-id OID, then [0] EXPLICIT holding one value. */
static int other_name_readable(const struct der_tlv *t)
{
    struct der_reader r, in;
    struct der_tlv oid, wrap, v;

    der_enter(t, &r);
    if (der_expect(&r, DER_OID, &oid) != 0 || der_expect(&r, DER_CTX_CONS(0), &wrap) != 0 ||
        !der_at_end(&r))
        return 0;
    der_enter(&wrap, &in);
    return der_next(&in, &v) == 0 && der_at_end(&in) && string_readable(&v);
}

static int ee_readable(const struct x509_info *x)
{
    struct der_reader r, rdns, set, atv;
    struct der_tlv t, name, rdn, seq, oid;
    int ok = 1;

    /* The subject Name's structure was checked by x509_parse(). */
    der_init(&r, x->subject_name, x->subject_name_len);
    if (der_next(&r, &name) != 0) ok = 0;
    der_enter(&name, &rdns);
    while (ok && !der_at_end(&rdns) && der_next(&rdns, &rdn) == 0) {
        der_enter(&rdn, &set);
        while (ok && !der_at_end(&set) && der_next(&set, &seq) == 0) {
            der_enter(&seq, &atv);
            ok = der_next(&atv, &oid) == 0 && der_next(&atv, &t) == 0 && string_readable(&t);
        }
    }
    der_init(&r, x->san, x->san_len);
    while (ok && !der_at_end(&r)) {
        if (der_next(&r, &t) != 0 || (t.tag & 0x40)) {
            ok = 0;
        } else if ((t.tag & 0x9f) == 0x80) { /* otherName, constructed */
            ok = t.tag == DER_CTX_CONS(0) && other_name_readable(&t);
        } else {
            /* rfc822Name, dNSName, URI: primitive */
            ok = t.tag != DER_CTX_CONS(1) && t.tag != DER_CTX_CONS(2) && t.tag != DER_CTX_CONS(6);
        }
    }
    err_clear();
    return ok;
}

/* The signature algorithm OIDs: sha{256,384,512}WithRSAEncryption (1.2.840.113549.1.1.{11,12,
 * 13}) and ecdsa-with-SHA{256,384,512} (1.2.840.10045.4.3.{2,3,4}); others (SHA-1 among them)
 * are not supported. */
static const uint8_t OID_PKCS1[] = {0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01};
static const uint8_t OID_ECDSA_SHA2[] = {0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03};

static int signed_part(const struct x509_info *x, struct x509_signed *s)
{
    size_t n = x->sig_alg_len;
    unsigned last = n > 0 ? x->sig_alg[n - 1] : 0;

    s->tbs = x->tbs;
    s->tbs_len = x->tbs_len;
    s->sig = x->sig;
    s->sig_len = x->sig_len;
    if (n == sizeof OID_PKCS1 + 1 && memcmp(x->sig_alg, OID_PKCS1, n - 1) == 0 && last >= 11 &&
        last <= 13) {
        s->key_type = X509_KEY_RSA;
        s->hash = X509_HASH_SHA256 + (int)(last - 11);
    } else if (n == sizeof OID_ECDSA_SHA2 + 1 && memcmp(x->sig_alg, OID_ECDSA_SHA2, n - 1) == 0 &&
               last >= 2 && last <= 4) {
        s->key_type = X509_KEY_EC;
        s->hash = X509_HASH_SHA256 + (int)(last - 2);
    } else {
        return X509_CHAIN_UNSUPPORTED;
    }
    return x->sig_len > X509_CHAIN_SIG_MAX ? X509_CHAIN_LIMIT : X509_CHAIN_OK;
}

static int key_check(const struct x509_info *x, struct x509_pubkey *k)
{
    if (x509_spki_key(x->spki, x->spki_len, k) != 0) {
        err_clear();
        return X509_CHAIN_INVALID;
    }
    if (k->type == 0) return X509_CHAIN_UNSUPPORTED;
    if (k->type == X509_KEY_RSA && k->n_len < X509_CHAIN_RSA_MIN) return X509_CHAIN_WEAK_PUBLIC_KEY;
    if (k->n_len + k->e_len + k->q_len > X509_CHAIN_KEY_MAX) return X509_CHAIN_LIMIT;
    return X509_CHAIN_OK;
}

static int same_name(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

/* The checks of certificate i (0: the end entity) given the one below it (prev, whose
 * signature this one's key must verify); X509_CHAIN_OK to go on. */
static int check_cert(const struct x509_info *x, unsigned i, const struct x509_info *prev,
                      const struct x509_signed *prev_signed, int64_t now,
                      const struct x509_chain_ops *ops, struct x509_pubkey *key)
{
    int rc;

    if (now < x->not_before || now > x->not_after) return X509_CHAIN_EXPIRED;
    if (i > 0 &&
        !same_name(x->subject_name, x->subject_name_len, prev->issuer_name, prev->issuer_name_len))
        return X509_CHAIN_DN_MISMATCH;
    if ((rc = key_check(x, key)) != X509_CHAIN_OK) return rc;
    if (i > 0) {
        if ((rc = ops->verify(ops->ctx, key, prev_signed)) != X509_CHAIN_OK) return rc;
        /* pathLenConstraint: how many CA certificates may follow below this one. */
        if (!x->is_ca || x->path_len == X509_PATHLEN_BAD ||
            (x->path_len >= 0 && (unsigned)x->path_len < i - 1))
            return X509_CHAIN_NOT_CA;
        if (x->key_usage >= 0 && !(x->key_usage & 0x04)) /* keyCertSign */
            return X509_CHAIN_FORBIDDEN_KEY_USAGE;
    } else if (x->key_usage >= 0 && !(x->key_usage & 0xf8)) {
        return X509_CHAIN_FORBIDDEN_KEY_USAGE; /* no TLS usage (or malformed) */
    } else if (!ee_readable(x)) {
        return X509_CHAIN_INVALID;
    }
    return x->unknown_critical ? X509_CHAIN_CRITICAL_EXTENSION : X509_CHAIN_OK;
}

int x509_chain_validate(const struct x509_chain *c, const char *server_name, int64_t now,
                        const struct x509_chain_ops *ops, struct x509_pubkey *ee_key,
                        unsigned *usages)
{
    struct x509_info x[2]; /* the current certificate and the one below it, alternately */
    struct x509_signed s[2];
    struct x509_pubkey key;
    unsigned i;
    int rc;

    memset(ee_key, 0, sizeof *ee_key);
    *usages = 0;
    if (c->received == 0) return X509_CHAIN_EMPTY;
    for (i = 0; i < c->kept; i++) {
        struct x509_info *cur = &x[i & 1], *prev = &x[(i + 1) & 1];
        if (x509_parse(c->buf + c->start[i], c->start[i + 1] - c->start[i], cur) != 0) {
            err_clear();
            return X509_CHAIN_INVALID;
        }
        rc = check_cert(cur, i, prev, &s[(i + 1) & 1], now, ops, i == 0 ? ee_key : &key);
        if (rc != X509_CHAIN_OK) return rc;
        if (i == 0) {
            if (cur->key_usage < 0)
                *usages = X509_USAGE_KEYX | X509_USAGE_SIGN;
            else /* digitalSignature, nonRepudiation; keyEncipherment to keyAgreement */
                *usages = (cur->key_usage & 0xc0 ? X509_USAGE_SIGN : 0) |
                          (cur->key_usage & 0x38 ? X509_USAGE_KEYX : 0);
            if (server_name != NULL && *server_name != '\0' &&
                !x509_dns_name_matches(cur, server_name))
                return X509_CHAIN_BAD_SERVER_NAME;
            if (ops->anchor_is(ops->ctx, cur->subject_name, cur->subject_name_len, ee_key))
                return X509_CHAIN_OK;
        }
        if ((rc = signed_part(cur, &s[i & 1])) != X509_CHAIN_OK) return rc;
        if (ops->anchor_signed(ops->ctx, cur->issuer_name, cur->issuer_name_len, &s[i & 1]))
            return X509_CHAIN_OK;
    }
    return c->overflow ? X509_CHAIN_LIMIT : X509_CHAIN_NOT_TRUSTED;
}
