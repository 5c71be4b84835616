/* TLS-ALPN-01 responder certificates (RFC 8737 3). */
#include "alpn.h"

#include <string.h>

#include "err.h"
#include "ipaddr.h"
#include "fmt.h"

int alpn_ext(const char *key_auth, uint8_t out[ALPN_EXT_LEN])
{
    /* Extension ::= SEQUENCE { extnID id-pe-acmeIdentifier (1.3.6.1.5.5.7.1.31), critical TRUE
     * (a client that does not know it must not use the certificate), extnValue OCTET STRING
     * holding OCTET STRING (SIZE 32) }: all but the hash is fixed. */
    static const uint8_t head[ALPN_EXT_LEN - 32] = {0x30, 0x31, 0x06, 0x08, 0x2b, 0x06, 0x01,
                                                    0x05, 0x05, 0x07, 0x01, 0x1f, 0x01, 0x01,
                                                    0xff, 0x04, 0x22, 0x04, 0x20};

    memcpy(out, head, sizeof head);
    crypto_sha256(key_auth, strlen(key_auth), out + sizeof head);
    return 0;
}

int alpn_sni(const char *id, char *out, size_t cap)
{
    uint8_t ip[16];
    size_t i, n = strlen(id), pos = 0;
    int iplen = ipaddr_parse(id, n, ip);
    if (iplen == 4) {
        if ((size_t)fmt_snprintf(out, cap, "%u.%u.%u.%u.in-addr.arpa", ip[3], ip[2], ip[1],
                                 ip[0]) >= cap)
            goto long_name;
        return 0;
    }
    if (iplen == 16) {
        static const char hex[] = "0123456789abcdef";
        if (cap < 16 * 4 + sizeof "ip6.arpa") goto long_name;
        for (i = 16; i-- > 0;) {
            out[pos++] = hex[ip[i] & 15];
            out[pos++] = '.';
            out[pos++] = hex[ip[i] >> 4];
            out[pos++] = '.';
        }
        memcpy(out + pos, "ip6.arpa", sizeof "ip6.arpa");
        return 0;
    }
    if (n >= cap) goto long_name;
    for (i = 0; i <= n; i++)
        out[i] = (char)(id[i] >= 'A' && id[i] <= 'Z' ? id[i] - 'A' + 'a' : id[i]);
    return 0;
long_name:
    return err_set(ACME_ELOCAL, "tls-alpn-01: server name for %s longer than %zu bytes", id,
                   cap - 1);
}

int alpn_cert_make(const struct crypto_key *key, const char *id, const char *key_auth, int64_t now,
                   uint8_t *der, size_t cap, size_t *len)
{
    uint8_t ext[ALPN_EXT_LEN];
    struct cert_opts o;
    if (alpn_ext(key_auth, ext) < 0) return -1;
    memset(&o, 0, sizeof o);
    o.names = &id;
    o.n = 1;
    o.not_before = now - 86400;
    o.not_after = now + 7 * 86400;
    o.extra_ext = ext;
    o.extra_ext_len = sizeof ext;
    if (crypto_cert(key, &o, der, cap, len) < 0) return err_prefix("tls-alpn-01 certificate");
    return 0;
}
