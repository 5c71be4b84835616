/* Unit tests: core/dns.c (queries byte for byte, reply parsing with CNAME chains, compression
 * and hostile replies, /etc/hosts and /etc/resolv.conf) and platform/resolve.c's literal and
 * name checks (no network). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include <netinet/in.h>
#include <stdio.h>
#include <sys/socket.h>

#include "dns.h"
#include "err.h"
#include "../../platform/resolve.h"

/* ---- building replies */

struct msg {
    uint8_t b[1024];
    size_t n;
};

static void put8(struct msg *m, unsigned v)
{
    assert_true(m->n < sizeof m->b);
    m->b[m->n++] = (uint8_t)v;
}

static void put16(struct msg *m, unsigned v)
{
    put8(m, v >> 8 & 0xff);
    put8(m, v & 0xff);
}

static void put32(struct msg *m, unsigned long v)
{
    put16(m, (unsigned)(v >> 16));
    put16(m, (unsigned)(v & 0xffff));
}

/* Labels of a dotted name, without the final 0 when ptr >= 0 (then a pointer to ptr). */
static void put_name(struct msg *m, const char *name, int ptr)
{
    const char *p = name, *dot;

    while (*p != '\0') {
        dot = strchr(p, '.');
        size_t l = dot ? (size_t)(dot - p) : strlen(p);
        put8(m, (unsigned)l);
        memcpy(m->b + m->n, p, l);
        m->n += l;
        p += l;
        if (*p == '.') p++;
    }
    if (ptr >= 0)
        put16(m, 0xC000u | (unsigned)ptr);
    else
        put8(m, 0);
}

/* Header and question; flags: QR|RD|RA by default. */
static void header(struct msg *m, uint16_t id, unsigned flags, unsigned an, const char *qname,
                   unsigned qtype)
{
    m->n = 0;
    put16(m, id);
    put16(m, flags);
    put16(m, 1);
    put16(m, an);
    put16(m, 0);
    put16(m, 0);
    put_name(m, qname, -1);
    put16(m, qtype);
    put16(m, 1);
}

#define QNAME_OFF 12
#define OK_FLAGS 0x8180

static void rr_head(struct msg *m, unsigned type, unsigned rdlen)
{
    put16(m, type);
    put16(m, 1);
    put32(m, 300);
    put16(m, rdlen);
}

static void rr_a(struct msg *m, const char *owner, int owner_ptr, const uint8_t a[4])
{
    if (owner != NULL)
        put_name(m, owner, -1);
    else
        put16(m, 0xC000u | (unsigned)owner_ptr);
    rr_head(m, DNS_TYPE_A, 4);
    memcpy(m->b + m->n, a, 4);
    m->n += 4;
}

static const uint8_t ip1[4] = {192, 0, 2, 1}, ip2[4] = {192, 0, 2, 2};

static int parse(const struct msg *m, const char *name, uint16_t id, uint16_t qtype,
                 struct dns_addr *out, size_t max, size_t *n, size_t *extra, const char **why)
{
    return dns_parse_reply(m->b, m->n, name, id, qtype, out, max, n, extra, why);
}

/* ---- queries */

static void test_query_bytes(void **state)
{
    static const uint8_t want_a[] = {0x12, 0x34, 0x01, 0x00, 0,   1,   0,   0, 0,   0,
                                     0,    0,    4,    'a',  'c', 'm', 'e', 7, 'e', 'x',
                                     'a',  'm',  'p',  'l',  'e', 0,   0,   1, 0,   1};
    static const uint8_t want_aaaa[] = {0xff, 0xfe, 0x01, 0x00, 0, 1, 0,  0, 0, 0,
                                        0,    0,    1,    'x',  0, 0, 28, 0, 1};
    uint8_t q[DNS_QUERY_MAX];
    char longname[300];
    size_t n;

    (void)state;
    n = dns_query(q, sizeof q, "acme.example", 0x1234, DNS_TYPE_A);
    assert_int_equal(n, sizeof want_a);
    assert_memory_equal(q, want_a, sizeof want_a);
    /* a trailing dot changes nothing */
    n = dns_query(q, sizeof q, "acme.example.", 0x1234, DNS_TYPE_A);
    assert_int_equal(n, sizeof want_a);
    assert_memory_equal(q, want_a, sizeof want_a);
    n = dns_query(q, sizeof q, "x", 0xfffe, DNS_TYPE_AAAA);
    assert_int_equal(n, sizeof want_aaaa);
    assert_memory_equal(q, want_aaaa, sizeof want_aaaa);
    /* too small a buffer, bad names */
    assert_int_equal(dns_query(q, sizeof want_a - 1, "acme.example", 1, DNS_TYPE_A), 0);
    assert_int_equal(dns_query(q, sizeof q, "", 1, DNS_TYPE_A), 0);
    assert_int_equal(dns_query(q, sizeof q, ".", 1, DNS_TYPE_A), 0);
    assert_int_equal(dns_query(q, sizeof q, "a..b", 1, DNS_TYPE_A), 0);
    assert_int_equal(dns_query(q, sizeof q, "a b", 1, DNS_TYPE_A), 0);
    assert_int_equal(dns_query(q, sizeof q, "a.b..", 1, DNS_TYPE_A), 0);
    memset(longname, 'a', 64);
    longname[64] = '\0';
    assert_int_equal(dns_query(q, sizeof q, longname, 1, DNS_TYPE_A), 0); /* 64-byte label */
    longname[63] = '\0';
    assert_int_equal(dns_query(q, sizeof q, longname, 1, DNS_TYPE_A), 12 + 65 + 4);
    /* 253 characters is the longest name; 254 is refused */
    for (n = 0; n < 253; n++)
        longname[n] = n % 2 ? '.' : 'b';
    longname[253] = '\0';
    assert_int_equal(dns_name_ok(longname, 253), 1);
    assert_int_equal(dns_query(q, sizeof q, longname, 1, DNS_TYPE_A), 12 + 255 + 4);
    longname[253] = '.';
    longname[254] = 'c';
    longname[255] = '\0';
    assert_int_equal(dns_name_ok(longname, 255), 0);
    assert_int_equal(dns_name_ok("under_score-1.example", 21), 1);
}

/* ---- replies */

static void test_reply_normal(void **state)
{
    struct msg m;
    struct dns_addr out[DNS_ADDR_MAX];
    const char *why;
    size_t n, extra;
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x42};

    (void)state;
    header(&m, 0xabcd, OK_FLAGS, 2, "acme.example", DNS_TYPE_A);
    rr_a(&m, NULL, QNAME_OFF, ip1);
    rr_a(&m, "ACME.Example", -1, ip2); /* owner case does not matter */
    assert_int_equal(
        parse(&m, "acme.example", 0xabcd, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, &extra, &why), DNS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(extra, 0);
    assert_int_equal(out[0].len, 4);
    assert_memory_equal(out[0].a, ip1, 4);
    assert_memory_equal(out[1].a, ip2, 4);
    /* the asked name's case does not matter either */
    assert_int_equal(
        parse(&m, "Acme.EXAMPLE.", 0xabcd, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why), DNS_OK);
    assert_int_equal(n, 2);

    /* AAAA */
    header(&m, 7, OK_FLAGS, 1, "acme.example", DNS_TYPE_AAAA);
    put16(&m, 0xC000 | QNAME_OFF);
    rr_head(&m, DNS_TYPE_AAAA, 16);
    memcpy(m.b + m.n, v6, 16);
    m.n += 16;
    assert_int_equal(parse(&m, "acme.example", 7, DNS_TYPE_AAAA, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_OK);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].len, 16);
    assert_memory_equal(out[0].a, v6, 16);

    /* NODATA: the name exists, no record of the type */
    header(&m, 9, OK_FLAGS, 0, "acme.example", DNS_TYPE_AAAA);
    assert_int_equal(parse(&m, "acme.example", 9, DNS_TYPE_AAAA, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_OK);
    assert_int_equal(n, 0);

    /* records of other names and other types are skipped */
    header(&m, 10, OK_FLAGS, 3, "acme.example", DNS_TYPE_A);
    rr_a(&m, "other.example", -1, ip2);
    put16(&m, 0xC000 | QNAME_OFF);
    rr_head(&m, 16, 3); /* TXT */
    put8(&m, 2);
    put16(&m, 0x6869);
    rr_a(&m, NULL, QNAME_OFF, ip1);
    assert_int_equal(parse(&m, "acme.example", 10, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(out[0].a, ip1, 4);
}

static void test_reply_cname_chain(void **state)
{
    struct msg m;
    struct dns_addr out[DNS_ADDR_MAX];
    const char *why;
    size_t n, b_off, c_off;

    (void)state;
    /* acme.example CNAME b.cdn.example, b.cdn.example CNAME c.cdn.example, c A; listed out of
     * order and with compressed names: "b" + pointer to "cdn.example" inside c's owner */
    header(&m, 1, OK_FLAGS, 3, "acme.example", DNS_TYPE_A);
    c_off = m.n;
    rr_a(&m, "c.cdn.example", -1, ip2);
    b_off = m.n;
    put8(&m, 1);
    put8(&m, 'b');
    put16(&m, 0xC000 | (unsigned)(c_off + 2)); /* "cdn.example" */
    rr_head(&m, DNS_TYPE_CNAME, 2);
    put16(&m, 0xC000 | (unsigned)c_off); /* -> c.cdn.example */
    put16(&m, 0xC000 | QNAME_OFF);
    rr_head(&m, DNS_TYPE_CNAME, 2);
    put16(&m, 0xC000 | (unsigned)b_off); /* -> b.cdn.example */
    assert_int_equal(parse(&m, "acme.example", 1, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_OK);
    assert_int_equal(n, 1);
    assert_memory_equal(out[0].a, ip2, 4);

    /* a chain whose end is not in the answer: no address (the server did not follow it) */
    header(&m, 2, OK_FLAGS, 1, "acme.example", DNS_TYPE_A);
    put16(&m, 0xC000 | QNAME_OFF);
    rr_head(&m, DNS_TYPE_CNAME, 11);
    put_name(&m, "x.example", -1);
    assert_int_equal(m.n, 12 + 14 + 4 + 12 + 11);
    assert_int_equal(parse(&m, "acme.example", 2, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_OK);
    assert_int_equal(n, 0);

    /* a CNAME whose name does not end where its data does */
    header(&m, 3, OK_FLAGS, 1, "acme.example", DNS_TYPE_A);
    put16(&m, 0xC000 | QNAME_OFF);
    rr_head(&m, DNS_TYPE_CNAME, 12);
    put_name(&m, "x.example", -1);
    put16(&m, 0);
    assert_int_equal(parse(&m, "acme.example", 3, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_EFORMAT);
    assert_non_null(strstr(why, "CNAME"));
}

static void test_reply_cname_loop(void **state)
{
    struct msg m;
    struct dns_addr out[DNS_ADDR_MAX];
    const char *why;
    size_t n, a_off;
    char name[32];
    int i;

    (void)state;
    /* a.example CNAME b.example CNAME a.example */
    header(&m, 4, OK_FLAGS, 2, "a.example", DNS_TYPE_A);
    a_off = QNAME_OFF;
    put16(&m, 0xC000 | (unsigned)a_off);
    rr_head(&m, DNS_TYPE_CNAME, 11);
    size_t b_off = m.n;
    put_name(&m, "b.example", -1);
    put16(&m, 0xC000 | (unsigned)b_off);
    rr_head(&m, DNS_TYPE_CNAME, 2);
    put16(&m, 0xC000 | (unsigned)a_off);
    assert_int_equal(parse(&m, "a.example", 4, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_EFORMAT);
    assert_non_null(strstr(why, "CNAME chain"));

    /* a chain of exactly DNS_CNAME_MAX links works, one more does not */
    for (int links = DNS_CNAME_MAX; links <= DNS_CNAME_MAX + 1; links++) {
        header(&m, 5, OK_FLAGS, (unsigned)links + 1, "n0.example", DNS_TYPE_A);
        for (i = 0; i < links; i++) {
            snprintf(name, sizeof name, "n%d.example", i);
            put_name(&m, name, -1);
            snprintf(name, sizeof name, "n%d.example", i + 1);
            rr_head(&m, DNS_TYPE_CNAME, (unsigned)strlen(name) + 2);
            put_name(&m, name, -1);
        }
        rr_a(&m, name, -1, ip1);
        int rc = parse(&m, "n0.example", 5, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why);
        if (links == DNS_CNAME_MAX) {
            assert_int_equal(rc, DNS_OK);
            assert_int_equal(n, 1);
        } else {
            assert_int_equal(rc, DNS_EFORMAT);
        }
    }
}

static void test_reply_pointers(void **state)
{
    struct msg m;
    struct dns_addr out[DNS_ADDR_MAX];
    const char *why;
    size_t n, at;

    (void)state;
    /* an owner name that points at itself */
    header(&m, 6, OK_FLAGS, 1, "acme.example", DNS_TYPE_A);
    at = m.n;
    put16(&m, 0xC000 | (unsigned)at);
    rr_head(&m, DNS_TYPE_A, 4);
    memcpy(m.b + m.n, ip1, 4);
    m.n += 4;
    assert_int_equal(parse(&m, "acme.example", 6, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_EFORMAT);
    assert_non_null(strstr(why, "loop"));

    /* a pointer forward */
    header(&m, 6, OK_FLAGS, 1, "acme.example", DNS_TYPE_A);
    put16(&m, 0xC000 | (unsigned)(m.n + 2));
    put_name(&m, "acme.example", -1);
    assert_int_equal(parse(&m, "acme.example", 6, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_EFORMAT);

    /* backwards, yet a loop: a one-byte label holding the pointer's first byte */
    header(&m, 6, OK_FLAGS, 1, "acme.example", DNS_TYPE_A);
    at = m.n;
    put8(&m, 1);                      /* label of 1 byte ... */
    put16(&m, 0xC000 | (unsigned)at); /* ... which is this pointer's 0xC0 */
    rr_head(&m, DNS_TYPE_A, 4);
    memcpy(m.b + m.n, ip1, 4);
    m.n += 4;
    assert_int_equal(parse(&m, "acme.example", 6, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_EFORMAT);

    /* a pointer past the end */
    header(&m, 6, OK_FLAGS, 1, "acme.example", DNS_TYPE_A);
    put16(&m, 0xC000 | 0x3fff);
    assert_int_equal(parse(&m, "acme.example", 6, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_EFORMAT);
    /* a pointer cut in half, and an unknown label type */
    header(&m, 6, OK_FLAGS, 1, "acme.example", DNS_TYPE_A);
    put8(&m, 0xC0);
    assert_int_equal(parse(&m, "acme.example", 6, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_EFORMAT);
    header(&m, 6, OK_FLAGS, 1, "acme.example", DNS_TYPE_A);
    put8(&m, 0x41);
    put8(&m, 0);
    assert_int_equal(parse(&m, "acme.example", 6, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_EFORMAT);
    assert_non_null(strstr(why, "unknown type"));

    /* owner names that grow by a 63-byte label per record, each pointing at the previous
     * owner: the 4th expands to 4 x 64 + 1 > 255 bytes */
    {
        size_t prev = 0;
        header(&m, 6, OK_FLAGS, 4, "acme.example", DNS_TYPE_A);
        for (int i = 0; i < 4; i++) {
            size_t here = m.n;
            put8(&m, 63);
            memset(m.b + m.n, 'z', 63);
            m.n += 63;
            if (i == 0)
                put8(&m, 0);
            else
                put16(&m, 0xC000 | (unsigned)prev);
            prev = here;
            rr_head(&m, DNS_TYPE_A, 4);
            memcpy(m.b + m.n, ip1, 4);
            m.n += 4;
        }
        assert_int_equal(
            parse(&m, "acme.example", 6, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
            DNS_EFORMAT);
        assert_non_null(strstr(why, "255"));
        m.b[7] = 3; /* three of them are fine (193 bytes) */
        assert_int_equal(
            parse(&m, "acme.example", 6, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why), DNS_OK);
        assert_int_equal(n, 0);
    }
}

static void test_reply_errors(void **state)
{
    struct msg m;
    struct dns_addr out[DNS_ADDR_MAX];
    const char *why;
    size_t n;

    (void)state;
    /* wrong ID, not a response */
    header(&m, 0x1111, OK_FLAGS, 1, "acme.example", DNS_TYPE_A);
    rr_a(&m, NULL, QNAME_OFF, ip1);
    assert_int_equal(
        parse(&m, "acme.example", 0x1112, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why), DNS_EID);
    assert_int_equal(n, 0);
    m.b[2] &= 0x7f;
    assert_int_equal(
        parse(&m, "acme.example", 0x1111, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why), DNS_EID);
    /* another question: name, type */
    header(&m, 0x1111, OK_FLAGS, 1, "acme.example", DNS_TYPE_A);
    rr_a(&m, NULL, QNAME_OFF, ip1);
    assert_int_equal(
        parse(&m, "acme.example.org", 0x1111, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
        DNS_EQUESTION);
    assert_int_equal(
        parse(&m, "acme.example", 0x1111, DNS_TYPE_AAAA, out, DNS_ADDR_MAX, &n, NULL, &why),
        DNS_EQUESTION);
    /* truncated */
    header(&m, 0x2222, OK_FLAGS | 0x0200, 0, "acme.example", DNS_TYPE_A);
    assert_int_equal(
        parse(&m, "acme.example", 0x2222, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
        DNS_ETRUNC);
    assert_non_null(strstr(why, "TCP"));
    /* RCODEs */
    header(&m, 3, OK_FLAGS | 3, 0, "nope.example", DNS_TYPE_A);
    assert_int_equal(parse(&m, "nope.example", 3, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_ENXDOMAIN);
    assert_string_equal(dns_rc_name(DNS_ENXDOMAIN), "NXDOMAIN");
    header(&m, 3, OK_FLAGS | 2, 0, "acme.example", DNS_TYPE_A);
    assert_int_equal(parse(&m, "acme.example", 3, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_ESERVFAIL);
    assert_string_equal(why, "SERVFAIL");
    /* REFUSED without a question section */
    header(&m, 3, OK_FLAGS | 5, 0, "acme.example", DNS_TYPE_A);
    m.b[5] = 0;
    m.n = 12;
    assert_int_equal(parse(&m, "acme.example", 3, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_EREFUSED);
    /* but NXDOMAIN needs the question (it is the answer that counts) */
    m.b[3] = 0x83;
    assert_int_equal(parse(&m, "acme.example", 3, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_EQUESTION);
    /* opcode other than QUERY */
    header(&m, 3, OK_FLAGS | 0x1000, 0, "acme.example", DNS_TYPE_A);
    assert_int_equal(parse(&m, "acme.example", 3, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_ERCODE);
    /* short header, record cut off, A record of 5 bytes */
    assert_int_equal(
        dns_parse_reply(m.b, 11, "acme.example", 3, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
        DNS_EFORMAT);
    header(&m, 3, OK_FLAGS, 1, "acme.example", DNS_TYPE_A);
    rr_a(&m, NULL, QNAME_OFF, ip1);
    for (size_t cut = 12; cut < m.n; cut++) {
        int rc = dns_parse_reply(m.b, cut, "acme.example", 3, DNS_TYPE_A, out, DNS_ADDR_MAX, &n,
                                 NULL, &why);
        assert_int_equal(rc, DNS_EFORMAT);
    }
    header(&m, 3, OK_FLAGS, 1, "acme.example", DNS_TYPE_A);
    put16(&m, 0xC000 | QNAME_OFF);
    rr_head(&m, DNS_TYPE_A, 5);
    put32(&m, 0x01020304);
    put8(&m, 5);
    assert_int_equal(parse(&m, "acme.example", 3, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, NULL, &why),
                     DNS_EFORMAT);
}

static void test_reply_too_many(void **state)
{
    struct msg m;
    struct dns_addr out[DNS_ADDR_MAX];
    const char *why;
    size_t n, extra;
    uint8_t a[4] = {10, 0, 0, 0};
    unsigned i;

    (void)state;
    header(&m, 8, OK_FLAGS, DNS_ADDR_MAX + 3, "acme.example", DNS_TYPE_A);
    for (i = 0; i < DNS_ADDR_MAX + 2; i++) {
        a[3] = (uint8_t)i;
        rr_a(&m, NULL, QNAME_OFF, a);
    }
    a[3] = 0; /* a duplicate is not counted */
    rr_a(&m, NULL, QNAME_OFF, a);
    assert_int_equal(parse(&m, "acme.example", 8, DNS_TYPE_A, out, DNS_ADDR_MAX, &n, &extra, &why),
                     DNS_OK);
    assert_int_equal(n, DNS_ADDR_MAX);
    assert_int_equal(extra, 2);
    for (i = 0; i < DNS_ADDR_MAX; i++)
        assert_int_equal(out[i].a[3], i);
    /* a smaller max */
    assert_int_equal(parse(&m, "acme.example", 8, DNS_TYPE_A, out, 2, &n, &extra, &why), DNS_OK);
    assert_int_equal(n, 2);
    assert_int_equal(extra, DNS_ADDR_MAX);
}

/* ---- /etc/hosts */

static const char hosts_text[] = "# comment line\n"
                                 "127.0.0.1\tlocalhost\n"
                                 "::1 localhost ip6-localhost # trailing comment acme.example\n"
                                 "192.0.2.1  acme.example  acme  # the CA\n"
                                 "\n"
                                 "   \t  \n"
                                 "192.0.2.9 ACME.EXAMPLE.\n"
                                 "192.0.2.1 acme.example\n" /* duplicate */
                                 "2001:db8::5 Other acme.Example\r\n"
                                 "fe80::1%eth0 acme.example\n"
                                 "not-an-ip acme.example\n"
                                 "#192.0.2.3 acme.example\n"
                                 "192.0.2.4"; /* no names, no newline */

static void test_hosts(void **state)
{
    struct dns_addr out[DNS_ADDR_MAX], one;
    size_t n = 0, dropped;
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 5};

    (void)state;
    dropped = dns_hosts_scan(hosts_text, strlen(hosts_text), "acme.example", out, DNS_ADDR_MAX, &n);
    assert_int_equal(dropped, 0);
    assert_int_equal(n, 3);
    assert_memory_equal(out[0].a, ip1, 4);
    assert_int_equal(out[1].len, 4);
    assert_int_equal(out[1].a[3], 9);
    assert_int_equal(out[2].len, 16);
    assert_memory_equal(out[2].a, v6, 16);
    /* an alias, a trailing dot in the question, case */
    n = 0;
    dns_hosts_scan(hosts_text, strlen(hosts_text), "Acme.", out, DNS_ADDR_MAX, &n);
    assert_int_equal(n, 1);
    assert_memory_equal(out[0].a, ip1, 4);
    n = 0;
    dns_hosts_scan(hosts_text, strlen(hosts_text), "ip6-localhost", out, DNS_ADDR_MAX, &n);
    assert_int_equal(n, 1);
    assert_int_equal(out[0].len, 16);
    assert_int_equal(out[0].a[15], 1);
    n = 0;
    dns_hosts_scan(hosts_text, strlen(hosts_text), "localhost", out, DNS_ADDR_MAX, &n);
    assert_int_equal(n, 2);
    /* names in comments and addresses alone do not match */
    n = 0;
    dns_hosts_scan(hosts_text, strlen(hosts_text), "the", out, DNS_ADDR_MAX, &n);
    assert_int_equal(n, 0);
    dns_hosts_scan(hosts_text, strlen(hosts_text), "192.0.2.4", out, DNS_ADDR_MAX, &n);
    assert_int_equal(n, 0);
    dns_hosts_scan(hosts_text, strlen(hosts_text), "acme.example.org", out, DNS_ADDR_MAX, &n);
    assert_int_equal(n, 0);
    /* more than fit: counted */
    n = 0;
    dropped = dns_hosts_scan(hosts_text, strlen(hosts_text), "acme.example", out, 2, &n);
    assert_int_equal(n, 2);
    assert_int_equal(dropped, 1);
    /* one line */
    assert_int_equal(dns_hosts_line("10.1.2.3 a b c", 14, "c", &one), 1);
    assert_int_equal(one.a[3], 3);
    assert_int_equal(dns_hosts_line("10.1.2.3 a b c", 13, "c", &one), 0);
    assert_int_equal(dns_hosts_line("10.1.2.3 abc", 12, "ab", &one), 0);
    assert_int_equal(dns_hosts_line("", 0, "a", &one), 0);
}

/* ---- /etc/resolv.conf */

static void test_resolv_conf(void **state)
{
    struct dns_conf c;
    static const char text[] = "# generated\n"
                               "; also a comment\n"
                               "search lan example.org\n"
                               "domain lan\n"
                               "nameserver 192.168.1.1\n"
                               "nameserver fe80::1%eth0\n"
                               "nameserver\n"
                               "nameserver bogus\n"
                               "  nameserver   2001:db8::53  # with a comment\n"
                               "nameserver 127.0.0.53\r\n"
                               "nameserver 10.0.0.4\n"
                               "nameserverx 10.0.0.5\n"
                               "options ndots:2 timeout:3 rotate attempts:4\n"
                               "options timeout:999";
    static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0, [15] = 0x53};

    (void)state;
    dns_conf_parse(&c, text, strlen(text));
    assert_int_equal(c.n_ns, 3);
    assert_int_equal(c.ns[0].len, 4);
    assert_int_equal(c.ns[0].a[0], 192);
    assert_int_equal(c.ns[0].a[3], 1);
    assert_int_equal(c.ns[1].len, 16);
    assert_memory_equal(c.ns[1].a, v6, 16);
    assert_int_equal(c.ns[2].len, 4);
    assert_int_equal(c.ns[2].a[0], 127);
    assert_int_equal(c.ns[2].a[3], 53);
    assert_int_equal(c.skipped, 4);  /* %eth0, empty, bogus, 10.0.0.4 as a 4th */
    assert_int_equal(c.timeout, 60); /* clamped */
    assert_int_equal(c.attempts, 4);

    /* no file or no server: 127.0.0.1, defaults 5 s and 2 attempts */
    dns_conf_parse(&c, "", 0);
    assert_int_equal(c.n_ns, 1);
    assert_int_equal(c.ns[0].len, 4);
    assert_int_equal(c.ns[0].a[0], 127);
    assert_int_equal(c.ns[0].a[3], 1);
    assert_int_equal(c.timeout, 5);
    assert_int_equal(c.attempts, 2);
    dns_conf_parse(&c, "options timeout:0 attempts:x attempts:0", 39);
    assert_int_equal(c.timeout, 1);
    assert_int_equal(c.attempts, 1);
    dns_conf_parse(&c, "options attempts:77 timeout:", 28);
    assert_int_equal(c.attempts, 10);
    assert_int_equal(c.timeout, 5);
}

/* ---- platform/resolve.c without the network */

static void test_resolve_literals(void **state)
{
    struct resolve_addr out[RESOLVE_MAX];
    const struct sockaddr_in *v4 = (const struct sockaddr_in *)&out[0].sa;
    const struct sockaddr_in6 *v6 = (const struct sockaddr_in6 *)&out[0].sa;

    (void)state;
    assert_int_equal(resolve_host("192.0.2.7", 443, "", out, RESOLVE_MAX), 1);
    assert_int_equal(out[0].family, AF_INET);
    assert_int_equal(out[0].len, sizeof(struct sockaddr_in));
    assert_int_equal(ntohs(v4->sin_port), 443);
    assert_int_equal(((const uint8_t *)&v4->sin_addr)[3], 7);
    assert_int_equal(resolve_host("2001:db8::1", 14000, "", out, RESOLVE_MAX), 1);
    assert_int_equal(out[0].family, AF_INET6);
    assert_int_equal(ntohs(v6->sin6_port), 14000);
    assert_int_equal(((const uint8_t *)&v6->sin6_addr)[15], 1);

    err_clear();
    assert_int_equal(resolve_host("bad name", 443, "proxy ", out, RESOLVE_MAX), -1);
    assert_int_equal(err_status(), ACME_ETEMP);
    assert_string_equal(err_msg(), "cannot resolve proxy bad name: not a valid host name");
    assert_int_equal(resolve_host("a..b", 443, "", out, RESOLVE_MAX), -1);
    assert_string_equal(err_msg(), "cannot resolve a..b: not a valid host name");
}

/* A name too long to be valid is named in the message by its first 300 bytes. */
static void test_resolve_long_name(void **state)
{
    struct resolve_addr out[RESOLVE_MAX];
    char name[400], want[400];

    (void)state;
    memset(name, 'a', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    snprintf(want, sizeof want, "cannot resolve %.300s: not a valid host name", name);
    err_clear();
    assert_int_equal(resolve_host(name, 443, "", out, RESOLVE_MAX), -1);
    assert_int_equal(err_status(), ACME_ETEMP);
    assert_string_equal(err_msg(), want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_query_bytes),       cmocka_unit_test(test_reply_normal),
        cmocka_unit_test(test_reply_cname_chain), cmocka_unit_test(test_reply_cname_loop),
        cmocka_unit_test(test_reply_pointers),    cmocka_unit_test(test_reply_errors),
        cmocka_unit_test(test_reply_too_many),    cmocka_unit_test(test_hosts),
        cmocka_unit_test(test_resolv_conf),       cmocka_unit_test(test_resolve_literals),
        cmocka_unit_test(test_resolve_long_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
