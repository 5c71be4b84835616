/* libFuzzer target for core/x509.c: parses the input as a DER certificate, checks that every
 * pointer it returns lies inside the input, iterates the SAN names and looks each one up again
 * with x509_has_name(), and decodes the public key (x509_spki_key()). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "x509.h"

static int inside(const uint8_t *p, size_t n, const uint8_t *data, size_t size)
{
    return n == 0 || (p >= data && n <= size && p + n <= data + size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct x509_info c;
    struct x509_pubkey pk;
    size_t pos = 0, prev;
    int kind, rc, count = 0;
    char name[256];

    if (x509_parse(data, size, &c) != 0) return 0;
    if (!inside(c.spki, c.spki_len, data, size) || !inside(c.san, c.san_len, data, size) ||
        !inside(c.issuer_name, c.issuer_name_len, data, size) ||
        !inside(c.subject_name, c.subject_name_len, data, size) || c.serial_len == 0 ||
        c.serial_len > X509_SERIAL_MAX || c.aki_len > X509_KEYID_MAX ||
        c.ski_len > X509_KEYID_MAX || memchr(c.issuer_cn, 0, X509_CN_MAX) == NULL ||
        memchr(c.subject_cn, 0, X509_CN_MAX) == NULL)
        abort();
    /* The public key lies inside the SPKI, which lies inside the input. */
    if (x509_spki_key(c.spki, c.spki_len, &pk) == 0 && pk.type != 0 &&
        (!inside(pk.n, pk.n_len, c.spki, c.spki_len) ||
         !inside(pk.e, pk.e_len, c.spki, c.spki_len) ||
         !inside(pk.q, pk.q_len, c.spki, c.spki_len) || (pk.n_len > 0 && pk.n[0] == 0) ||
         (pk.e_len > 0 && pk.e[0] == 0) || (pk.type == X509_KEY_EC) != (pk.q_len > 0) ||
         (pk.type == X509_KEY_EC && (pk.curve < 1 || pk.curve > 3))))
        abort();
    for (;;) {
        prev = pos;
        rc = x509_san_next(&c, &pos, &kind, name, sizeof name);
        if (rc != 1) break;
        if (pos <= prev || pos > c.san_len || strlen(name) >= sizeof name || ++count > 10000)
            abort();
        if (kind == X509_SAN_IP && !x509_has_name(&c, name)) abort();
        /* A DNS name that reads as an address is compared as one, so may not match. */
        if (kind == X509_SAN_DNS && strchr(name, ':') == NULL &&
            strspn(name, "0123456789.") != strlen(name) && !x509_has_name(&c, name))
            abort();
    }
    (void)x509_has_name(&c, "a.example");
    (void)x509_has_name(&c, "192.0.2.1");
    (void)x509_has_name(&c, "2001:db8::1");
    return 0;
}
