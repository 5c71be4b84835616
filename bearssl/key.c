/* Private keys: generation, PEM loading and writing, public components. */
#include <stdio.h>
#include <string.h>

#include "build_config.h"
#include "crypto_int.h"
#include "der.h"
#include "err.h"
#include "log.h"
#include "pem.h"
#include "fmt.h"
#include "x509.h"

/* Largest private key DER we read or write: RSA-4096 PKCS#8 is about 2.4 KiB. */
#define KEY_DER_MAX 4096

/* BearSSL's curve IDs are consecutive as our EC key types are: secp256r1 (23) is KEY_EC256. */
static int curve_of(enum key_type t)
{
    return t >= KEY_EC256 && t <= KEY_EC521 ? BR_EC_secp256r1 + (int)(t - KEY_EC256) : 0;
}

static enum key_type type_of_curve(int curve)
{
    return curve >= BR_EC_secp256r1 && curve <= BR_EC_secp521r1
               ? (enum key_type)(KEY_EC256 + (curve - BR_EC_secp256r1))
               : KEY_NONE;
}

/* Stores an EC private key after checking 0 < x < order; computes the public point. The curve
 * is one of ours (curve_of(), read_curve()). */
static int store_ec(struct crypto_key *k, int curve, const unsigned char *x, size_t xlen)
{
    const br_ec_impl *impl = ec_impl(curve);
    enum key_type t = type_of_curve(curve);
    const unsigned char *order, *elems[2];
    unsigned char xb[BR_EC_KBUF_PRIV_MAX_SIZE], qb[BR_EC_KBUF_PUB_MAX_SIZE];
    size_t olen, qlen, lens[2];
    br_ec_private_key sk;
    int r;

    order = impl->order(curve, &olen);
    while (xlen > 0 && x[0] == 0) {
        x++;
        xlen--;
    }
    if (xlen == 0 || xlen > olen || olen > sizeof xb ||
        (xlen == olen && memcmp(x, order, olen) >= 0))
        return err_set(ACME_ECONFIG, "EC private key out of range");
    memset(xb, 0, olen - xlen);
    memcpy(xb + olen - xlen, x, xlen);
    sk.curve = curve;
    sk.x = xb;
    sk.xlen = olen;
    qlen = br_ec_compute_pub(impl, NULL, qb, &sk);
    if (qlen == 0) {
        crypto_wipe(xb, sizeof xb);
        return err_set(ACME_ELOCAL, "EC public key computation failed");
    }
    elems[0] = xb;
    lens[0] = olen;
    elems[1] = qb;
    lens[1] = qlen;
    r = key_store_set(k, t, curve, elems, lens, 2);
    crypto_wipe(xb, sizeof xb);
    return r;
}

#ifdef CONFIG_RSA
/* KEY_RSA2048, KEY_RSA3072 and KEY_RSA4096 are consecutive, as their sizes are 1024 bits apart. */
static enum key_type type_of_bits(uint32_t bits)
{
    return bits >= 2048 && bits <= 4096 && bits % 1024 == 0
               ? (enum key_type)(KEY_RSA2048 + (bits - 2048) / 1024)
               : KEY_NONE;
}

static size_t strip(const unsigned char **p, size_t n)
{
    while (n > 0 && (*p)[0] == 0) {
        (*p)++;
        n--;
    }
    return n;
}

static uint32_t be32(const unsigned char *p, size_t n)
{
    uint32_t v = 0;
    while (n-- > 0)
        v = (v << 8) | *p++;
    return v;
}

/* out[alen + blen] = a * b, big-endian byte strings (schoolbook; run once per key load).
 * BearSSL 0.6's br_rsa_i31_compute_modulus() has too small a scratch buffer for 4096-bit keys,
 * and its i15 one would link a second big-integer family for this one product. */
static void multiply_be(unsigned char *out, const unsigned char *a, size_t alen,
                        const unsigned char *b, size_t blen)
{
    memset(out, 0, alen + blen);
    for (size_t i = alen; i-- > 0;) {
        uint32_t carry = 0;
        for (size_t j = blen; j-- > 0;) {
            uint32_t t = out[i + j + 1] + (uint32_t)a[i] * b[j] + carry;
            out[i + j + 1] = (unsigned char)t;
            carry = t >> 8;
        }
        out[i] = (unsigned char)carry; /* nothing was stored at out[i] before */
    }
}

/* Stores an RSA private key. n is checked against p*q; d is computed when not given (BearSSL's
 * compute_pubexp is not used: it only handles primes = 3 mod 4, as its own keygen makes). */
static int store_rsa(struct crypto_key *k, const br_rsa_private_key *sk, const unsigned char *n_in,
                     size_t n_in_len, const unsigned char *e, size_t elen,
                     const unsigned char *d_in, size_t d_in_len)
{
    enum key_type t = type_of_bits(sk->n_bitlen);
    unsigned char n[512], d[512];
    const unsigned char *elems[KE_COUNT];
    const unsigned char *pb, *qb;
    size_t lens[KE_COUNT], nlen, dlen, plen, qlen;
    uint32_t pubexp;
    int r;

    if (t == KEY_NONE)
        return err_set(ACME_ECONFIG,
                       "RSA key of %u bits: only 2048, 3072 and 4096 bits are supported",
                       (unsigned)sk->n_bitlen);
    pb = sk->p;
    plen = strip(&pb, sk->plen);
    qb = sk->q;
    qlen = strip(&qb, sk->qlen);
    nlen = plen + qlen; /* at most 512 for the primes of a 4096-bit key */
    if (plen == 0 || qlen == 0 || nlen > sizeof n)
        return err_set(ACME_ECONFIG, "RSA key is invalid (modulus)");
    multiply_be(n, pb, plen, qb, qlen);
    elems[KE_N] = n;
    lens[KE_N] = strip(&elems[KE_N], nlen);
    n_in_len = strip(&n_in, n_in_len);
    if (lens[KE_N] * 8 < sk->n_bitlen || n_in_len != lens[KE_N] ||
        memcmp(n_in, elems[KE_N], n_in_len) != 0)
        return err_set(ACME_ECONFIG, "RSA key is inconsistent (the modulus is not p*q)");
    elen = strip(&e, elen);
    pubexp = elen <= 4 ? be32(e, elen) : 0;
    if (pubexp < 3 || (pubexp & 1) == 0)
        return err_set(ACME_ECONFIG, "RSA key has an unsupported public exponent");
    if (d_in != NULL) {
        dlen = strip(&d_in, d_in_len);
        if (dlen > sizeof d) dlen = 0;
        memcpy(d, d_in, dlen);
    } else {
        dlen = br_rsa_i31_compute_privexp(NULL, sk, pubexp);
        if (dlen > sizeof d || br_rsa_i31_compute_privexp(d, sk, pubexp) != dlen) dlen = 0;
    }
    if (dlen == 0) return err_set(ACME_ECONFIG, "RSA key is invalid (private exponent)");
    elems[KE_P] = sk->p;
    lens[KE_P] = sk->plen;
    elems[KE_Q] = sk->q;
    lens[KE_Q] = sk->qlen;
    elems[KE_DP] = sk->dp;
    lens[KE_DP] = sk->dplen;
    elems[KE_DQ] = sk->dq;
    lens[KE_DQ] = sk->dqlen;
    elems[KE_IQ] = sk->iq;
    lens[KE_IQ] = sk->iqlen;
    elems[KE_E] = e;
    lens[KE_E] = elen;
    elems[KE_D] = d;
    lens[KE_D] = dlen;
    r = key_store_set(k, t, 0, elems, lens, KE_COUNT);
    crypto_wipe(d, sizeof d);
    return r;
}

#endif

int crypto_key_generate(struct crypto_key *k, enum key_type t)
{
    const br_prng_class **rng;
    int curve = curve_of(t);

    k->type = KEY_NONE;
    if (curve == 0 && !(t >= KEY_RSA2048 && t <= KEY_RSA4096))
        return err_set(ACME_ECONFIG, "cannot generate a key of unknown type %d", (int)t);
#ifndef CONFIG_RSA
    if (curve == 0)
        return err_set(ACME_ECONFIG, "%s keys need RSA support (built without CONFIG_RSA)",
                       key_type_name(t));
#endif
    rng = crypto_prng();
    if (rng == NULL) return -1;
    if (curve != 0) {
        unsigned char xb[BR_EC_KBUF_PRIV_MAX_SIZE];
        size_t xlen = br_ec_keygen(rng, ec_impl(curve), NULL, xb, curve);
        int r = xlen == 0 ? err_set(ACME_ELOCAL, "EC key generation failed")
                          : store_ec(k, curve, xb, xlen);
        crypto_wipe(xb, sizeof xb);
        return r;
    }
#ifdef CONFIG_RSA
    {
        unsigned size = 2048 + 1024 * (unsigned)(t - KEY_RSA2048);
        unsigned char kpriv[BR_RSA_KBUF_PRIV_SIZE(4096)], kpub[BR_RSA_KBUF_PUB_SIZE(4096)];
        br_rsa_private_key sk;
        br_rsa_public_key pk;
        int r;

        log_info("generating %s key; this can take minutes on slow CPUs", key_type_name(t));
        if (!br_rsa_i31_keygen(rng, &sk, kpriv, &pk, kpub, size, 65537))
            r = err_set(ACME_ELOCAL, "RSA key generation failed");
        else
            r = store_rsa(k, &sk, pk.n, pk.nlen, pk.e, pk.elen, NULL, 0);
        crypto_wipe(kpriv, sizeof kpriv);
        return r;
    }
#else
    return -1;
#endif
}

/* Offset of needle in s[0..n) (which need not be NUL-terminated), or n when absent. */
static size_t find(const char *s, size_t n, const char *needle)
{
    size_t m = strlen(needle), i;
    for (i = 0; i + m <= n; i++)
        if (s[i] == needle[0] && memcmp(s + i, needle, m) == 0) return i;
    return n;
}

static int bad_key(const char *what)
{
    return err_set(ACME_ECONFIG, "not a valid private key (%s)", what);
}

/* Opens the key structure that fills der[0..len): a SEQUENCE (entered into in) starting with
 * its version INTEGER. Returns the version, 0 or 1, else -1 with the error set. */
static int open_key(const uint8_t *der, size_t len, struct der_reader *in)
{
    struct der_reader r;
    struct der_tlv t;
    const uint8_t *p;
    size_t n;

    der_init(&r, der, len);
    if (der_expect(&r, DER_SEQUENCE, &t) != 0) return -1;
    if (!der_at_end(&r)) return bad_key("data after the key");
    der_enter(&t, in);
    if (der_read_uint(in, &p, &n) != 0) return -1;
    if (n > 1 || (n == 1 && p[0] != 1)) return bad_key("unsupported version");
    return (int)n;
}

/* BR_EC_* of a named-curve OID; 0 with the error set for another curve (explicit curve
 * parameters, a SEQUENCE, included). */
static int read_curve(struct der_reader *r)
{
    struct der_tlv t;
    int c = 0;

    if (der_optional(r, DER_OID, &t) == 1) c = curve_of(x509_curve_oid(t.val, t.len));
    if (c == 0) err_set(ACME_ECONFIG, "unsupported elliptic curve (only P-256, P-384, P-521)");
    return c;
}

/* SEC1 ECPrivateKey after its version: privateKey OCTET STRING, then [0] the curve (which
 * must agree with PKCS#8's, when given there) or [1] the public key; what follows is not
 * needed. */
static int decode_ec(struct crypto_key *k, struct der_reader *r, int curve)
{
    struct der_tlv x, t;
    struct der_reader in;
    int c;

    if (der_expect(r, DER_OCTET_STRING, &x) != 0) return -1;
    if (!der_at_end(r) && r->p[0] != DER_CTX_CONS(1)) {
        if (der_expect(r, DER_CTX_CONS(0), &t) != 0) return -1;
        der_enter(&t, &in);
        if ((c = read_curve(&in)) == 0) return -1;
        if (!der_at_end(&in) || (curve != 0 && c != curve))
            return bad_key("inconsistent curve parameters");
        curve = c;
    }
    if (curve == 0) return bad_key("EC key without its curve");
    return store_ec(k, curve, x.val, x.len);
}

/* PKCS#1 RSAPrivateKey after its version: n e d p q dp dq iq, and no other primes. */
static int decode_rsa(struct crypto_key *k, struct der_reader *r)
{
#ifdef CONFIG_RSA
    enum { N, E, D, P, Q, DP, DQ, IQ, COUNT };
    const uint8_t *v[COUNT];
    size_t len[COUNT], crt = 0;
    br_rsa_private_key sk;
    unsigned i, top;

    for (i = 0; i < COUNT; i++) {
        if (der_read_uint(r, &v[i], &len[i]) != 0) return -1;
        if (i >= P) crt += len[i];
    }
    if (!der_at_end(r)) return bad_key("more than two RSA primes");
    /* BearSSL's decoder limits, kept: the CRT values share 3 * BR_X509_BUFSIZE_KEY bytes. */
    if (len[N] == 0) return bad_key("RSA modulus is zero");
    if (len[N] > 3 * BR_X509_BUFSIZE_KEY || crt > 3 * BR_X509_BUFSIZE_KEY)
        return err_set(ACME_ECONFIG,
                       "RSA key too large (the modulus and the CRT values together may each take "
                       "at most %d bytes)",
                       3 * BR_X509_BUFSIZE_KEY);
    for (top = v[N][0], i = 0; top != 0; top >>= 1)
        i++;
    sk.n_bitlen = (uint32_t)(len[N] - 1) * 8 + i;
    sk.p = (unsigned char *)(uintptr_t)v[P];
    sk.plen = len[P];
    sk.q = (unsigned char *)(uintptr_t)v[Q];
    sk.qlen = len[Q];
    sk.dp = (unsigned char *)(uintptr_t)v[DP];
    sk.dplen = len[DP];
    sk.dq = (unsigned char *)(uintptr_t)v[DQ];
    sk.dqlen = len[DQ];
    sk.iq = (unsigned char *)(uintptr_t)v[IQ];
    sk.iqlen = len[IQ];
    return store_rsa(k, &sk, v[N], len[N], v[E], len[E], v[D], len[D]);
#else
    (void)k, (void)r;
    return err_set(ACME_ECONFIG, "RSA keys need RSA support (built without CONFIG_RSA)");
#endif
}

/* A private key in DER: PKCS#8 PrivateKeyInfo, SEC1 ECPrivateKey or PKCS#1 RSAPrivateKey. */
static int decode_key(struct crypto_key *k, const uint8_t *der, size_t len)
{
    struct der_reader r, in;
    struct der_tlv t, alg, oid;
    int curve = 0, alg_type, is_rsa, rc;

    if (open_key(der, len, &in) < 0) return -1;
    if (!der_at_end(&in) && in.p[0] == DER_INTEGER) return decode_rsa(k, &in);
    rc = der_optional(&in, DER_SEQUENCE, &alg);
    if (rc <= 0) return rc < 0 ? -1 : decode_ec(k, &in, 0);
    /* PKCS#8: the algorithm, then the key in an OCTET STRING; attributes are ignored. */
    der_enter(&alg, &r);
    if (der_expect(&r, DER_OID, &oid) != 0) return -1;
    alg_type = x509_key_oid(&oid);
    is_rsa = alg_type == X509_KEY_RSA;
    if (!is_rsa) {
        if (alg_type != X509_KEY_EC)
            return err_set(ACME_ECONFIG, "unsupported key algorithm (only EC and RSA keys)");
        if (!der_at_end(&r) && ((curve = read_curve(&r)) == 0 || !der_at_end(&r)))
            return curve == 0 ? -1 : bad_key("EC key algorithm parameters");
    }
    if (der_expect(&in, DER_OCTET_STRING, &t) != 0) return -1;
    rc = open_key(t.val, t.len, &in);
    if (rc < 0) return -1;
    if (rc != !is_rsa) return bad_key("unsupported version");
    return is_rsa ? decode_rsa(k, &in) : decode_ec(k, &in, curve);
}

int crypto_key_load_pem(struct crypto_key *k, const char *pem, size_t len, const char *origin)
{
    static const char labels[][16] = {"PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"};
    uint8_t der[KEY_DER_MAX];
    char begin[PEM_LABEL_MAX + 16];
    size_t pos = len, at, derlen;
    const char *label = NULL;
    int r;
    unsigned i;

    k->type = KEY_NONE;
    if (origin == NULL) origin = "private key";
    if (find(pem, len, "-----BEGIN ENCRYPTED PRIVATE KEY-----") < len ||
        find(pem, len, "Proc-Type: 4,ENCRYPTED") < len)
        return err_set(ACME_ECONFIG,
                       "%s: encrypted private keys are not supported; store the key "
                       "unencrypted (e.g. openssl pkey -in KEY -out KEY.plain)",
                       origin);
    /* The first key block; other blocks (EC PARAMETERS, certificates) are not decoded. */
    for (i = 0; i < sizeof labels / sizeof labels[0]; i++) {
        fmt_snprintf(begin, sizeof begin, "-----BEGIN %s-----", labels[i]);
        at = find(pem, len, begin);
        if (at < pos) {
            pos = at;
            label = labels[i];
        }
    }
    if (label == NULL)
        return err_set(ACME_ECONFIG,
                       "%s: no PRIVATE KEY, EC PRIVATE KEY or RSA PRIVATE KEY block found", origin);
    r = pem_next(pem, len, &pos, label, NULL, der, sizeof der, &derlen);
    if (r != 1) {
        crypto_wipe(der, sizeof der);
        if (r == 0) err_set(ACME_ECONFIG, "PEM: no %s block", label);
        err_recode(ACME_ECONFIG);
        return err_prefix("%s", origin);
    }
    r = decode_key(k, der, derlen);
    crypto_wipe(der, sizeof der);
    if (r != 0 && err_status() == ACME_ETEMP) { /* a DER error */
        err_prefix("not a valid private key");
        err_recode(ACME_ECONFIG);
    }
    if (r != 0) {
        k->type = KEY_NONE;
        return err_prefix("%s", origin);
    }
    return 0;
}

/* The key as PKCS#8 DER into der (NULL: only the length); 0 when it cannot be encoded. */
static size_t encode_pkcs8(const struct crypto_key *k, uint8_t *der)
{
    if (key_is_ec(k)) {
        br_ec_private_key sk;
        br_ec_public_key pk;
        key_ec_views(k, &sk, &pk);
        return br_encode_ec_pkcs8_der(der, &sk, &pk);
    } else {
        br_rsa_private_key sk;
        br_rsa_public_key pk;
        key_rsa_views(k, &sk, &pk);
        return br_encode_rsa_pkcs8_der(der, &sk, &pk, key_elem(k, KE_D), key_len(k, KE_D));
    }
}

int crypto_key_write_pem(const struct crypto_key *k, struct buf *out)
{
    uint8_t der[KEY_DER_MAX];
    size_t n;

    if (crypto_jws_alg(k) == NULL) return err_set(ACME_ELOCAL, "no key to write");
    n = encode_pkcs8(k, NULL);
    if (n == 0 || n > sizeof der || encode_pkcs8(k, der) != n)
        return err_set(ACME_ELOCAL, "cannot encode the %s private key", key_type_name(k->type));
    pem_write(out, "PRIVATE KEY", der, n);
    crypto_wipe(der, sizeof der);
    return buf_check(out, "private key PEM");
}

void crypto_key_wipe(struct crypto_key *k)
{
    crypto_wipe(k, sizeof *k);
    k->type = KEY_NONE;
}

int crypto_key_public(const struct crypto_key *k, struct crypto_pub *pub)
{
    memset(pub, 0, sizeof *pub);
    pub->type = k->type;
    if (key_is_ec(k)) {
        const unsigned char *q = key_elem(k, KE_ECQ);
        size_t qlen = key_len(k, KE_ECQ);
        static const char crv[][6] = {"P-256", "P-384", "P-521"};
        if (qlen < 3 || q[0] != 0x04 || (qlen & 1) == 0)
            return err_set(ACME_ELOCAL, "EC public key is not an uncompressed point");
        pub->crv = crv[k->type - KEY_EC256];
        pub->coord_len = (qlen - 1) / 2;
        pub->x = q + 1;
        pub->y = q + 1 + pub->coord_len;
        return 0;
    }
    if (k->type >= KEY_RSA2048 && k->type <= KEY_RSA4096) {
        pub->n = key_elem(k, KE_N);
        pub->n_len = key_len(k, KE_N);
        pub->e = key_elem(k, KE_E);
        pub->e_len = key_len(k, KE_E);
        return 0;
    }
    return err_set(ACME_ELOCAL, "no key");
}

const char *crypto_jws_alg(const struct crypto_key *k)
{
    static const char algs[][6] = {"ES256", "ES384", "ES512", "RS256", "RS256", "RS256"};
    return k->type >= KEY_EC256 && k->type <= KEY_RSA4096 ? algs[k->type - KEY_EC256] : NULL;
}
