/* X.509 certificate reader (RFC 5280): the fields acme.c needs to decide about renewal and to
 * check a certificate before installing it. Pure DER parsing, no signature checks. */
#ifndef ACME_X509_H
#define ACME_X509_H

#include <stddef.h>
#include <stdint.h>

#define X509_SERIAL_MAX 32
#define X509_KEYID_MAX 64
#define X509_CN_MAX 256

struct x509_info {
    int64_t not_before, not_after;   /* seconds since the epoch */
    uint8_t serial[X509_SERIAL_MAX]; /* unsigned big-endian, sign byte stripped */
    size_t serial_len;
    uint8_t aki[X509_KEYID_MAX]; /* authorityKeyIdentifier keyIdentifier */
    size_t aki_len;              /* 0 when absent */
    uint8_t ski[X509_KEYID_MAX]; /* subjectKeyIdentifier */
    size_t ski_len;
    char issuer_cn[X509_CN_MAX]; /* "" when absent */
    char subject_cn[X509_CN_MAX];
    int is_ca;           /* basicConstraints cA */
    const uint8_t *spki; /* SubjectPublicKeyInfo TLV, inside the input */
    size_t spki_len;
    const uint8_t *issuer_name, *subject_name; /* Name TLVs, inside the input */
    size_t issuer_name_len, subject_name_len;
    const uint8_t *san; /* SAN GeneralNames contents, inside the input */
    size_t san_len;     /* 0 when there is no SAN extension */
    /* For chain validation (core/x509_chain.c), all inside the input: */
    const uint8_t *tbs; /* tbsCertificate TLV, the signed bytes */
    size_t tbs_len;
    const uint8_t *sig_alg; /* signatureAlgorithm OID contents */
    size_t sig_alg_len;
    const uint8_t *sig; /* signatureValue bytes (after the unused-bits octet) */
    size_t sig_len;
    int key_usage;            /* first byte of keyUsage (0x80 digitalSignature ... 0x04
                               * keyCertSign), 0 when malformed; -1 when absent */
    int path_len;             /* basicConstraints pathLenConstraint, -1 when absent */
#define X509_PATHLEN_BAD (-2) /* negative or too large */
    int unknown_critical;     /* a critical extension other than those read here */
};

/* Parses one DER certificate. -1 with err_set(ACME_ETEMP, "X.509: ...") when malformed. */
int x509_parse(const uint8_t *der, size_t n, struct x509_info *out);

#define X509_SAN_DNS 2
#define X509_SAN_IP 7
/* Iterates the SAN names of the kinds above (others are skipped): returns 1 with the kind in
 * *kind and the name as text in out (addresses as ipaddr_format() writes them: IPv4 dotted,
 * IPv6 RFC 5952), 0 at the end, -1 on malformed input or a name longer than cap. *pos starts
 * at 0. */
int x509_san_next(const struct x509_info *c, size_t *pos, int *kind, char *out, size_t cap);
/* 1 when the SAN has this DNS name (case-insensitive; "*.a.example" only matches itself) or
 * this IP address (compared as addresses, not text); 0 otherwise. */
int x509_has_name(const struct x509_info *c, const char *name);
/* The TLS server-name check (core/x509_chain.c): 1 when a SAN dNSName of c matches host:
 * equal ignoring ASCII case, or "*.rest" where host is "label.rest" with a non-empty first
 * label (never the bare "rest"). Printable ASCII only. */
int x509_dns_name_matches(const struct x509_info *c, const char *host);

/* A SubjectPublicKeyInfo's key, pointing into the input. */
#define X509_KEY_RSA 1
#define X509_KEY_EC 2
struct x509_pubkey {
    int type;                 /* X509_KEY_RSA, X509_KEY_EC, 0: another algorithm or curve */
    int curve;                /* EC: KEY_EC256, KEY_EC384 or KEY_EC521 (enum key_type) */
    const uint8_t *n, *e, *q; /* RSA n and e without leading zeros; EC point as encoded */
    size_t n_len, e_len, q_len;
};
/* Decodes a SubjectPublicKeyInfo TLV (x509_info.spki): 0 (type 0 for a key that is neither
 * RSA nor EC on P-256/384/521), -1 with err_set(ACME_ETEMP, ...) when malformed. */
int x509_spki_key(const uint8_t *spki, size_t n, struct x509_pubkey *out);
/* X509_KEY_RSA or X509_KEY_EC for a key algorithm OID (rsaEncryption, id-ecPublicKey: in a
 * SubjectPublicKeyInfo or a PKCS#8 key), else 0. */
struct der_tlv;
int x509_key_oid(const struct der_tlv *oid);
/* KEY_EC256, KEY_EC384 or KEY_EC521 for the contents of a named-curve OID, else 0. */
int x509_curve_oid(const uint8_t *oid, size_t n);

#endif
