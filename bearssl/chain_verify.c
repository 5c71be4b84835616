/* See chain_verify.h. Built with either TLS library (like x509_write.c), linked only where
 * used: the BearSSL TLS client and the tests. */
#include "chain_verify.h"

#include <string.h>

#include "crypto_int.h"

void chain_br_pkey(const struct x509_pubkey *k, br_x509_pkey *out)
{
    static const unsigned char curves[] = {BR_EC_secp256r1, BR_EC_secp384r1, BR_EC_secp521r1};

    memset(out, 0, sizeof *out);
    if (k->type == X509_KEY_RSA) {
        out->key_type = BR_KEYTYPE_RSA;
        out->key.rsa.n = (unsigned char *)(uintptr_t)k->n;
        out->key.rsa.nlen = k->n_len;
        out->key.rsa.e = (unsigned char *)(uintptr_t)k->e;
        out->key.rsa.elen = k->e_len;
    } else if (k->type == X509_KEY_EC) {
        out->key_type = BR_KEYTYPE_EC;
        out->key.ec.curve = curves[k->curve - KEY_EC256];
        out->key.ec.q = (unsigned char *)(uintptr_t)k->q;
        out->key.ec.qlen = k->q_len;
    }
}

/* s's signature checked with pk over the hash of its TBS bytes. */
static int verify_br(const br_x509_pkey *pk, const struct x509_signed *s)
{
    static const br_hash_class *const hashes[] = {&br_sha256_vtable, &br_sha384_vtable,
                                                  &br_sha512_vtable};
    static const unsigned char *const oids[] = {BR_HASH_OID_SHA256, BR_HASH_OID_SHA384,
                                                BR_HASH_OID_SHA512};
    const br_hash_class *h = hashes[s->hash - X509_HASH_SHA256];
    br_hash_compat_context hc;
    unsigned char hash[64], signed_hash[64];
    size_t hlen = (h->desc >> BR_HASHDESC_OUT_OFF) & BR_HASHDESC_OUT_MASK;

    if (pk->key_type != (s->key_type == X509_KEY_RSA ? BR_KEYTYPE_RSA : BR_KEYTYPE_EC))
        return X509_CHAIN_WRONG_KEY_TYPE;
    h->init(&hc.vtable);
    h->update(&hc.vtable, s->tbs, s->tbs_len);
    h->out(&hc.vtable, hash);
    if (pk->key_type == BR_KEYTYPE_RSA) {
        /* The DigestInfo's hash OID is checked by the verifier, the hash here. */
        if (!br_rsa_i31_pkcs1_vrfy(s->sig, s->sig_len, oids[s->hash - X509_HASH_SHA256], hlen,
                                   &pk->key.rsa, signed_hash) ||
            memcmp(signed_hash, hash, hlen) != 0)
            return X509_CHAIN_BAD_SIGNATURE;
    } else if (!ecdsa_vrfy_asn1(&ec_acme, hash, hlen, &pk->key.ec, s->sig, s->sig_len)) {
        return X509_CHAIN_BAD_SIGNATURE;
    }
    return X509_CHAIN_OK;
}

static int verify(void *ctx, const struct x509_pubkey *key, const struct x509_signed *s)
{
    br_x509_pkey pk;

    (void)ctx;
    chain_br_pkey(key, &pk);
    return verify_br(&pk, s);
}

static int same_bytes(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
    return alen == blen && memcmp(a, b, alen) == 0;
}

/* Both keys come from x509_spki_key() (trust_store.c), without leading zeros. */
static int same_key(const br_x509_pkey *a, const br_x509_pkey *b)
{
    if (a->key_type != b->key_type) return 0;
    if (a->key_type == BR_KEYTYPE_RSA)
        return same_bytes(a->key.rsa.n, a->key.rsa.nlen, b->key.rsa.n, b->key.rsa.nlen) &&
               same_bytes(a->key.rsa.e, a->key.rsa.elen, b->key.rsa.e, b->key.rsa.elen);
    return a->key.ec.curve == b->key.ec.curve &&
           same_bytes(a->key.ec.q, a->key.ec.qlen, b->key.ec.q, b->key.ec.qlen);
}

/* 1 when an anchor with this subject Name verifies s (a CA anchor), or when s is NULL has the
 * key pk (an anchor that is not a CA: the end entity itself is trusted). */
static int find_anchor(const struct chain_anchors *a, const uint8_t *name, size_t len,
                       const struct x509_signed *s, const br_x509_pkey *pk)
{
    size_t i;

    for (i = 0; i < a->n; i++) {
        const br_x509_trust_anchor *ta = &a->ta[i];
        if (!(ta->flags & BR_X509_TA_CA) != (s == NULL) ||
            !same_bytes(ta->dn.data, ta->dn.len, name, len))
            continue;
        if (s != NULL) {
            if (verify_br(&ta->pkey, s) == X509_CHAIN_OK) return 1;
        } else if (pk != NULL && same_key(&ta->pkey, pk)) {
            return 1;
        }
    }
    return 0;
}

static int anchor_signed(void *ctx, const uint8_t *name, size_t len, const struct x509_signed *s)
{
    return find_anchor(ctx, name, len, s, NULL);
}

static int anchor_is(void *ctx, const uint8_t *name, size_t len, const struct x509_pubkey *key)
{
    br_x509_pkey pk;

    chain_br_pkey(key, &pk);
    return find_anchor(ctx, name, len, NULL, &pk);
}

void chain_verify_ops(struct x509_chain_ops *ops, struct chain_anchors *anchors)
{
    ops->ctx = anchors;
    ops->verify = verify;
    ops->anchor_signed = anchor_signed;
    ops->anchor_is = anchor_is;
}
