/* The cryptography of core/x509_chain.c on BearSSL: certificate signatures (SHA-256/384/512,
 * RSA PKCS#1 v1.5 with br_rsa_i31_pkcs1_vrfy, ECDSA with ecdsa_vrfy_asn1 on ec_acme) and the
 * trust anchors (br_x509_trust_anchor, as bearssl/trust_store.c makes them). */
#ifndef ACME_BEARSSL_CHAIN_VERIFY_H
#define ACME_BEARSSL_CHAIN_VERIFY_H

#include <bearssl.h>
#include <stddef.h>

#include "../core/x509_chain.h"

struct chain_anchors {
    const br_x509_trust_anchor *ta;
    size_t n;
};

/* ops for x509_chain_validate() with these anchors (kept by pointer). */
void chain_verify_ops(struct x509_chain_ops *ops, struct chain_anchors *anchors);
/* BearSSL's view of a key from x509_spki_key() (pointing into the same bytes). */
void chain_br_pkey(const struct x509_pubkey *k, br_x509_pkey *out);

#endif
