/* libFuzzer target: DNS reply parsing (core/dns.c) and the /etc/hosts and /etc/resolv.conf
 * parsers. data[0] is a control byte: bit 0 asks AAAA instead of A, bit 1 expects the ID the
 * reply carries (else 0x1234, so wrong IDs are covered too), bits 2-4 cap the addresses kept.
 * The rest is the reply for "acme.example", and the same bytes as hosts and resolv.conf text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dns.h"

/* len: 4 or 16 when all must be of that size, else 0; distinct: no address twice. */
static void check_addrs(const struct dns_addr *a, size_t n, size_t max, unsigned len, int distinct)
{
    size_t i, j;

    if (n > max) abort();
    for (i = 0; i < n; i++) {
        if (len != 0 ? a[i].len != len : a[i].len != 4 && a[i].len != 16) abort();
        for (j = 0; j < i && distinct; j++)
            if (a[i].len == a[j].len && memcmp(a[i].a, a[j].a, a[i].len) == 0) abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"acme.example", "localhost", "Acme.Example."};
    struct dns_addr out[DNS_ADDR_MAX];
    struct dns_conf conf;
    const char *why = NULL;
    size_t n = 99, extra = 99, max, i;
    uint16_t qtype, id;
    int rc;

    if (size < 1) return 0;
    qtype = data[0] & 1 ? DNS_TYPE_AAAA : DNS_TYPE_A;
    max = (data[0] >> 2 & 7) + 1;
    data++;
    size--;
    id = (data[-1] & 2) && size >= 2 ? (uint16_t)(data[0] << 8 | data[1]) : 0x1234;

    rc = dns_parse_reply(data, size, "acme.example", id, qtype, out, max, &n, &extra, &why);
    if (why == NULL || rc > 0 || rc < DNS_ERCODE || dns_rc_name(rc) == NULL) abort();
    if (rc == DNS_OK) {
        check_addrs(out, n, max, qtype == DNS_TYPE_AAAA ? 16 : 4, 1);
        if (size < 12 + 14 + 4) abort(); /* an answer needs at least the header and question */
    } else if (n != 0) {
        abort();
    }

    for (i = 0; i < sizeof names / sizeof names[0]; i++) {
        n = 0;
        (void)dns_hosts_scan((const char *)data, size, names[i], out, max, &n);
        check_addrs(out, n, max, 0, 1);
    }

    dns_conf_parse(&conf, (const char *)data, size);
    if (conf.n_ns < 1 || conf.n_ns > DNS_NS_MAX || conf.timeout < 1 || conf.timeout > 60 ||
        conf.attempts < 1 || conf.attempts > 10)
        abort();
    check_addrs(conf.ns, conf.n_ns, DNS_NS_MAX, 0, 0);
    return 0;
}
