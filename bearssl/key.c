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

/* Largest private key DER we read or write: RSA-4096 PKCS#8 is about 2.4 KiB. */
#define KEY_DER_MAX 4096

static int curve_of(enum key_type t)
{
    switch (t) {
    case KEY_EC256:
        return BR_EC_secp256r1;
    case KEY_EC384:
        return BR_EC_secp384r1;
    case KEY_EC521:
        return BR_EC_secp521r1;
    default:
        return 0;
    }
}

static enum key_type type_of_curve(int curve)
{
    switch (curve) {
    case BR_EC_secp256r1:
        return KEY_EC256;
    case BR_EC_secp384r1:
        return KEY_EC384;
    case BR_EC_secp521r1:
        return KEY_EC521;
    default:
        return KEY_NONE;
    }
}

/* Stores an EC private key after checking 0 < x < order; computes the public point. */
static int store_ec(struct crypto_key *k, int curve, const unsigned char *x, size_t xlen)
{
    const br_ec_impl *impl = ec_impl(curve);
    enum key_type t = type_of_curve(curve);
    const unsigned char *order, *elems[2];
    unsigned char xb[BR_EC_KBUF_PRIV_MAX_SIZE], qb[BR_EC_KBUF_PUB_MAX_SIZE];
    size_t olen, qlen, lens[2];
    br_ec_private_key sk;
    int r;

    if (t == KEY_NONE)
        return err_set(ACME_ECONFIG, "unsupported elliptic curve (only P-256, P-384, P-521)");
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
static enum key_type type_of_bits(uint32_t bits)
{
    switch (bits) {
    case 2048:
        return KEY_RSA2048;
    case 3072:
        return KEY_RSA3072;
    case 4096:
        return KEY_RSA4096;
    default:
        return KEY_NONE;
    }
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

/* Stores an RSA private key. n is checked against p*q; d is computed when not given (BearSSL's
 * compute_pubexp is not used: it only handles primes = 3 mod 4, as its own keygen makes). */
static int store_rsa(struct crypto_key *k, const br_rsa_private_key *sk, const unsigned char *n_in,
                     size_t n_in_len, const unsigned char *e, size_t elen,
                     const unsigned char *d_in, size_t d_in_len)
{
    enum key_type t = type_of_bits(sk->n_bitlen);
    unsigned char n[512], d[512];
    const unsigned char *elems[KE_COUNT];
    size_t lens[KE_COUNT], nlen, dlen;
    int r;

    if (t == KEY_NONE)
        return err_set(ACME_ECONFIG,
                       "RSA key of %u bits: only 2048, 3072 and 4096 bits are supported",
                       (unsigned)sk->n_bitlen);
    /* i15 here: BearSSL 0.6's br_rsa_i31_compute_modulus() has too small a scratch buffer
     * for 4096-bit keys and returns 0; the i15 one is a small multiplication routine. */
    nlen = br_rsa_i15_compute_modulus(NULL, sk);
    if (nlen == 0 || nlen > sizeof n || br_rsa_i15_compute_modulus(n, sk) != nlen)
        return err_set(ACME_ECONFIG, "RSA key is invalid (modulus)");
    elems[KE_N] = n;
    lens[KE_N] = strip(&elems[KE_N], nlen);
    n_in_len = strip(&n_in, n_in_len);
    if (lens[KE_N] * 8 < sk->n_bitlen || n_in_len != lens[KE_N] ||
        memcmp(n_in, elems[KE_N], n_in_len) != 0)
        return err_set(ACME_ECONFIG, "RSA key is inconsistent (the modulus is not p*q)");
    elen = strip(&e, elen);
    if (elen == 0 || elen > 4 || (e[elen - 1] & 1) == 0 || be32(e, elen) < 3)
        return err_set(ACME_ECONFIG, "RSA key has an unsupported public exponent");
    if (d_in != NULL) {
        dlen = strip(&d_in, d_in_len);
        if (dlen == 0 || dlen > sizeof d)
            return err_set(ACME_ECONFIG, "RSA key is invalid (private exponent)");
        memcpy(d, d_in, dlen);
    } else {
        dlen = br_rsa_i31_compute_privexp(NULL, sk, be32(e, elen));
        if (dlen == 0 || dlen > sizeof d ||
            br_rsa_i31_compute_privexp(d, sk, be32(e, elen)) != dlen)
            return err_set(ACME_ECONFIG, "RSA key is invalid (private exponent)");
    }
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

/* n, e and d from an RSAPrivateKey (PKCS#1), bare or inside a PKCS#8 PrivateKeyInfo; the
 * BearSSL decoder does not return them. */
static int rsa_der_public(const uint8_t *der, size_t len, struct der_tlv *n, struct der_tlv *e,
                          struct der_tlv *d)
{
    struct der_reader r, in;
    struct der_tlv t;
    int depth;

    der_init(&r, der, len);
    for (depth = 0; depth < 2; depth++) {
        if (der_expect(&r, DER_SEQUENCE, &t) != 0) return -1;
        der_enter(&t, &in);
        if (der_expect(&in, DER_INTEGER, &t) != 0) /* version */
            return -1;
        if (der_optional(&in, DER_SEQUENCE, &t) == 1) { /* PKCS#8 privateKeyAlgorithm */
            if (der_expect(&in, DER_OCTET_STRING, &t) != 0) return -1;
            der_init(&r, t.val, t.len);
            continue;
        }
        if (der_expect(&in, DER_INTEGER, n) != 0 || der_expect(&in, DER_INTEGER, e) != 0 ||
            der_expect(&in, DER_INTEGER, d) != 0)
            return -1;
        return 0;
    }
    return -1;
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
        static const unsigned bits[] = {2048, 3072, 4096};
        unsigned size = bits[t - KEY_RSA2048];
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

static int decode_key(struct crypto_key *k, const uint8_t *der, size_t len)
{
    br_skey_decoder_context dc;
    int r, err;

    br_skey_decoder_init(&dc);
    br_skey_decoder_push(&dc, der, len);
    err = br_skey_decoder_last_error(&dc);
    if (err != 0) {
        r = err_set(ACME_ECONFIG, "not a valid private key (BearSSL error %d)", err);
    } else if (br_skey_decoder_key_type(&dc) == BR_KEYTYPE_EC) {
        const br_ec_private_key *ec = br_skey_decoder_get_ec(&dc);
        r = store_ec(k, ec->curve, ec->x, ec->xlen);
    } else {
#ifdef CONFIG_RSA
        struct der_tlv n, e, d;
        const uint8_t *np, *ep, *dp;
        size_t nn, en, dn;
        if (rsa_der_public(der, len, &n, &e, &d) != 0 || der_uint(&n, &np, &nn) != 0 ||
            der_uint(&e, &ep, &en) != 0 || der_uint(&d, &dp, &dn) != 0)
            r = err_set(ACME_ECONFIG, "not a valid RSA private key");
        else
            r = store_rsa(k, br_skey_decoder_get_rsa(&dc), np, nn, ep, en, dp, dn);
#else
        r = err_set(ACME_ECONFIG, "RSA keys need RSA support (built without CONFIG_RSA)");
#endif
    }
    crypto_wipe(&dc, sizeof dc);
    return r;
}

int crypto_key_load_pem(struct crypto_key *k, const char *pem, size_t len, const char *origin)
{
    static const char *const labels[] = {"PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"};
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
    if (r != 0) {
        k->type = KEY_NONE;
        return err_prefix("%s", origin);
    }
    return 0;
}

int crypto_key_write_pem(const struct crypto_key *k, struct buf *out)
{
    uint8_t der[KEY_DER_MAX];
    size_t n;

    if (key_is_ec(k)) {
        br_ec_private_key sk;
        br_ec_public_key pk;
        key_ec_views(k, &sk, &pk);
        n = br_encode_ec_pkcs8_der(NULL, &sk, &pk);
        if (n == 0 || n > sizeof der)
            return err_set(ACME_ELOCAL, "cannot encode the EC private key");
        br_encode_ec_pkcs8_der(der, &sk, &pk);
    } else if (k->type >= KEY_RSA2048 && k->type <= KEY_RSA4096) {
        br_rsa_private_key sk;
        br_rsa_public_key pk;
        key_rsa_views(k, &sk, &pk);
        n = br_encode_rsa_pkcs8_der(NULL, &sk, &pk, key_elem(k, KE_D), key_len(k, KE_D));
        if (n == 0 || n > sizeof der)
            return err_set(ACME_ELOCAL, "cannot encode the RSA private key");
        br_encode_rsa_pkcs8_der(der, &sk, &pk, key_elem(k, KE_D), key_len(k, KE_D));
    } else {
        return err_set(ACME_ELOCAL, "no key to write");
    }
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
        static const char *const crv[] = {"P-256", "P-384", "P-521"};
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
    switch (k->type) {
    case KEY_EC256:
        return "ES256";
    case KEY_EC384:
        return "ES384";
    case KEY_EC521:
        return "ES512";
    case KEY_RSA2048:
    case KEY_RSA3072:
    case KEY_RSA4096:
        return "RS256";
    default:
        return NULL;
    }
}
