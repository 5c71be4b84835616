/* libFuzzer target for the CSR and certificate writers (bearssl/csr.c, cert.c): names come
 * from the input (split at '\n'; the first byte holds the flags), the key is fixed. Whatever
 * crypto_csr() accepts must parse back with core/der.h into the PKCS#10 structure with one SAN
 * entry per name; the same names in a self-signed certificate must be found by core/x509.c. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "build_config.h"
#include "crypto.h"
#include "der.h"
#include "x509.h"

static const char KEY[] = "-----BEGIN EC PRIVATE KEY-----\n"
                          "MHcCAQEEIA+F8LU3I75lJrO5Ja2Go/S3Blyxs3/iQjCSuCFmt1bxoAoGCCqGSM49\n"
                          "AwEHoUQDQgAE+r9XsG2hpR3Q6K8v+KBDGdIQRJxEf92ub/JqobLsKZYuQ552Lpqf\n"
                          "qWhADCtQMTszlOoXNRFSuoCh3yQ0NduD6A==\n"
                          "-----END EC PRIVATE KEY-----\n";

#define MAX_IN (CONFIG_MAX_NAMES + 2)

static char namebuf[1 << 15];
static const char *names[MAX_IN];
static uint8_t der[1 << 16];

static void need(int ok)
{
    if (!ok) abort();
}

/* CertificationRequest -> the number of SAN GeneralNames. */
static size_t csr_san_count(const uint8_t *p, size_t n)
{
    static const uint8_t SAN[] = {0x55, 0x1d, 0x11};
    struct der_reader r, csr, info, a, attr, set, exts, ext, g;
    struct der_tlv t, oid, val;
    size_t count = 0;

    der_init(&r, p, n);
    need(der_expect(&r, DER_SEQUENCE, &t) == 0 && der_at_end(&r));
    der_enter(&t, &csr);
    need(der_expect(&csr, DER_SEQUENCE, &t) == 0);
    der_enter(&t, &info);
    need(der_expect(&csr, DER_SEQUENCE, &oid) == 0);
    need(der_expect(&csr, DER_BIT_STRING, &val) == 0 && der_at_end(&csr));
    need(der_expect(&info, DER_INTEGER, &t) == 0);
    need(der_expect(&info, DER_SEQUENCE, &t) == 0); /* subject */
    need(der_expect(&info, DER_SEQUENCE, &t) == 0); /* SPKI */
    need(der_expect(&info, DER_CTX_CONS(0), &t) == 0 && der_at_end(&info));
    der_enter(&t, &a);
    need(der_expect(&a, DER_SEQUENCE, &t) == 0);
    der_enter(&t, &attr);
    need(der_expect(&attr, DER_OID, &oid) == 0 && der_expect(&attr, DER_SET, &t) == 0);
    der_enter(&t, &set);
    need(der_expect(&set, DER_SEQUENCE, &t) == 0);
    der_enter(&t, &exts);
    while (!der_at_end(&exts)) {
        need(der_expect(&exts, DER_SEQUENCE, &t) == 0);
        der_enter(&t, &ext);
        need(der_expect(&ext, DER_OID, &oid) == 0);
        need(der_optional(&ext, DER_BOOLEAN, &t) >= 0);
        need(der_expect(&ext, DER_OCTET_STRING, &val) == 0);
        if (!der_oid_eq(&oid, SAN, sizeof SAN)) continue;
        der_init(&r, val.val, val.len);
        need(der_expect(&r, DER_SEQUENCE, &t) == 0);
        der_enter(&t, &g);
        while (!der_at_end(&g)) {
            need(der_next(&g, &t) == 0);
            count++;
        }
    }
    return count;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct crypto_key k;
    static int loaded;
    struct csr_opts o;
    struct cert_opts c;
    struct x509_info info;
    size_t n = 0, i, len, start;

    if (!loaded) {
        if (crypto_key_load_pem(&k, KEY, sizeof KEY - 1, "fuzz key") != 0) abort();
        loaded = 1;
    }
    if (size < 1 || size >= sizeof namebuf) return 0;
    memcpy(namebuf, data + 1, size - 1);
    namebuf[size - 1] = '\0';
    for (start = 0, i = 0; i <= size - 1 && n < MAX_IN; i++) {
        if (namebuf[i] == '\n' || namebuf[i] == '\0') {
            int end = namebuf[i] == '\0';
            namebuf[i] = '\0';
            names[n++] = namebuf + start;
            start = i + 1;
            if (end) break;
        }
    }
    memset(&o, 0, sizeof o);
    o.names = names;
    o.n = n;
    o.no_cn = data[0] & 1;
    o.must_staple = (data[0] >> 1) & 1;
    if (crypto_csr(&k, &o, der, (data[0] & 4) ? 300 : sizeof der, &len) != 0) return 0;
    need(len <= sizeof der);
    need(csr_san_count(der, len) == n);

    memset(&c, 0, sizeof c);
    c.names = names;
    c.n = n;
    c.cn = o.no_cn ? NULL : names[0];
    c.not_before = 0;
    c.not_after = (int64_t)(data[0] >> 3) * 400000000;
    if (crypto_cert(&k, &c, der, sizeof der, &len) != 0)
        return 0; /* e.g. a CN that x509.c's X509_CN_MAX would not hold is fine to refuse */
    need(x509_parse(der, len, &info) == 0);
    need(info.not_after == c.not_after);
    for (i = 0; i < n; i++)
        need(x509_has_name(&info, names[i]) == 1);
    need(crypto_cert_matches_key(der, len, &k) == 1);
    return 0;
}
