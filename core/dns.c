/* DNS messages, /etc/hosts and /etc/resolv.conf (see dns.h). RFC 1035 wire format. */
#include "dns.h"

#include <string.h>

#include "ipaddr.h"

#define CLASS_IN 1
#define WIRE_NAME_MAX 255

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static int is_space(int c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static uint16_t get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static size_t strip_dot(const char *name, size_t n)
{
    return n > 0 && name[n - 1] == '.' ? n - 1 : n;
}

int dns_name_ok(const char *name, size_t n)
{
    size_t i, label = 0;

    n = strip_dot(name, n);
    if (n == 0 || n > DNS_NAME_MAX) return 0;
    for (i = 0; i < n; i++) {
        int c = (unsigned char)name[i];
        if (c == '.') {
            if (label == 0) return 0;
            label = 0;
            continue;
        }
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
        if (++label > 63) return 0;
    }
    return label > 0;
}

/* The wire form (length-prefixed labels, then 0) of a dns_name_ok() name; its length. */
static size_t to_wire(const char *name, uint8_t *out)
{
    size_t n = strip_dot(name, strlen(name)), i, o = 0, lenpos = 0;

    out[o++] = 0;
    for (i = 0; i < n; i++) {
        if (name[i] == '.') {
            lenpos = o;
            out[o++] = 0;
        } else {
            out[o++] = (uint8_t)name[i];
            out[lenpos]++;
        }
    }
    out[o++] = 0;
    return o;
}

size_t dns_query(uint8_t *out, size_t cap, const char *name, uint16_t id, uint16_t qtype)
{
    size_t n = strlen(name), wl;

    if (!dns_name_ok(name, n) || cap < 12 + strip_dot(name, n) + 2 + 4) return 0;
    memset(out, 0, 12);
    out[0] = (uint8_t)(id >> 8);
    out[1] = (uint8_t)id;
    out[2] = 0x01; /* RD: recursion desired; opcode QUERY */
    out[5] = 1;    /* QDCOUNT */
    wl = to_wire(name, out + 12);
    out[12 + wl] = (uint8_t)(qtype >> 8);
    out[13 + wl] = (uint8_t)qtype;
    out[14 + wl] = 0;
    out[15 + wl] = CLASS_IN;
    return 16 + wl;
}

/* Why a reply that ends too early is malformed (in its header, a name or a record). */
static const char reply_cut[] = "the reply ends inside its header, a name or a record";

/* Reads the possibly compressed name at *off into out (uncompressed wire form) and moves
 * *off past it; the name's length, or 0 with *why, also when fewer than `fixed` bytes (of the
 * record that the name starts) follow it. Every pointer must point before the start of the
 * run of labels it ends, so targets strictly decrease and loops cannot be formed; the
 * expanded name is at most 255 bytes. */
static size_t read_name(const uint8_t *m, size_t len, size_t *off, uint8_t *out, size_t fixed,
                        const char **why)
{
    size_t p = *off, start = p, o = 0, end = 0; /* end: where the name ends at *off, once known */
    unsigned c;

    do {
        if (p >= len) goto cut;
        c = m[p];
        if (c >= 0xC0) { /* a compression pointer */
            size_t t;
            if (p + 1 >= len) goto cut;
            t = (size_t)(c & 0x3F) << 8 | m[p + 1];
            if (t >= start) {
                *why = "a compression pointer that does not point backwards (a loop)";
                return 0;
            }
            if (end == 0) end = p + 2;
            p = start = t;
            continue;
        }
        if (c & 0xC0) {
            *why = "a label of an unknown type (0x40 or 0x80)";
            return 0;
        }
        if (o + 1 + c > WIRE_NAME_MAX) {
            *why = "a name longer than 255 bytes";
            return 0;
        }
        if (p + 1 + c > len) goto cut;
        memcpy(out + o, m + p, 1 + c);
        o += 1 + c;
        p += 1 + c;
    } while (c != 0);
    *off = end != 0 ? end : p;
    if (*off + fixed > len) goto cut;
    return o;
cut:
    *why = reply_cut;
    return 0;
}

static int name_eq(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
    size_t i;

    if (al != bl) return 0;
    for (i = 0; i < al; i++) /* length bytes are < 64 and not changed by lower() */
        if (lower(a[i]) != lower(b[i])) return 0;
    return 1;
}

static int add_addr(struct dns_addr *out, size_t max, size_t *n, const uint8_t *a, size_t len)
{
    size_t i;

    for (i = 0; i < *n; i++)
        if (out[i].len == len && memcmp(out[i].a, a, len) == 0) return 1; /* duplicate */
    if (*n >= max) return 0;
    memset(&out[*n], 0, sizeof out[*n]);
    out[*n].len = (uint8_t)len;
    memcpy(out[*n].a, a, len);
    (*n)++;
    return 1;
}

const char *dns_rc_name(int rc)
{
    static const char *const names[] = {"an answer",
                                        "a reply with a wrong ID",
                                        "a reply to another question",
                                        "a malformed reply",
                                        "a truncated reply (TC)",
                                        "NXDOMAIN",
                                        "SERVFAIL",
                                        "REFUSED",
                                        "an error reply"};
    return rc <= 0 && rc >= DNS_ERCODE ? names[-rc] : names[-DNS_ERCODE];
}

/* An error RCODE (1..15) as a result and its text. */
static int rcode_error(unsigned rcode, const char **why)
{
    static const char *const texts[] = {"FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
    static const signed char rcs[] = {DNS_ERCODE, DNS_ESERVFAIL, DNS_ENXDOMAIN, DNS_ERCODE,
                                      DNS_EREFUSED};
    if (rcode > 5) {
        *why = "an unknown RCODE";
        return DNS_ERCODE;
    }
    *why = texts[rcode - 1];
    return rcs[rcode - 1];
}

static int fail(const char **why, const char *text, int rc)
{
    *why = text;
    return rc;
}

/* Reply parsing (see dns.h). A truncated reply is not retried over TCP: A and AAAA answers
 * for an ACME server fit in 512 bytes, and a stub resolver behind a forwarder that truncates
 * them has bigger problems; the error says so instead. *n and *extra are set only at the end:
 * nothing counts from a reply that is wrong somewhere. */
int dns_parse_reply(const uint8_t *m, size_t len, const char *name, uint16_t id, uint16_t qtype,
                    struct dns_addr *out, size_t max, size_t *n, size_t *extra, const char **why)
{
    uint8_t want[WIRE_NAME_MAX], got[WIRE_NAME_MAX], next[WIRE_NAME_MAX];
    size_t wl, gl, nl = 0, off, ans_off, i, hop, dropped = 0, found_n = 0;
    unsigned qd, an, rcode, alen = qtype == DNS_TYPE_AAAA ? 16 : 4;

    *n = 0;
    if (extra != NULL) *extra = 0;
    if (!dns_name_ok(name, strlen(name))) return fail(why, "not a valid host name", DNS_EFORMAT);
    if (len < 12) return fail(why, reply_cut, DNS_EFORMAT);
    if (get16(m) != id) return fail(why, "wrong ID", DNS_EID);
    if (!(m[2] & 0x80)) return fail(why, "not a response (QR clear)", DNS_EID);
    if ((m[2] >> 3 & 0x0F) != 0) return fail(why, "opcode is not QUERY", DNS_ERCODE);
    rcode = m[3] & 0x0F;
    qd = get16(m + 4);
    an = get16(m + 6);
    off = 12;
    /* Servers may leave the question out of some error replies. */
    if (qd == 0 && rcode != 0 && rcode != 3) return rcode_error(rcode, why);
    if (qd != 1) return fail(why, "the question count is not 1", DNS_EQUESTION);
    wl = to_wire(name, want);
    gl = read_name(m, len, &off, got, 4, why); /* QTYPE and QCLASS follow */
    if (gl == 0) return DNS_EFORMAT;
    if (!name_eq(want, wl, got, gl) || get16(m + off) != qtype || get16(m + off + 2) != CLASS_IN)
        return fail(why, "the question is not ours", DNS_EQUESTION);
    off += 4;
    if (rcode != 0) return rcode_error(rcode, why);
    if (m[2] & 0x02) return fail(why, "DNS over TCP is not supported", DNS_ETRUNC);

    /* One pass over the answer section per link of the CNAME chain (replies are small). */
    ans_off = off;
    for (hop = 0;; hop++) {
        int found = 0, have_next = 0;
        off = ans_off;
        for (i = 0; i < an; i++) {
            unsigned type, cls, rdlen;
            gl = read_name(m, len, &off, got, 10, why); /* TYPE, CLASS, TTL, RDLENGTH */
            if (gl == 0) return DNS_EFORMAT;
            type = get16(m + off);
            cls = get16(m + off + 2);
            rdlen = get16(m + off + 8);
            off += 10;
            if (off + rdlen > len) return fail(why, reply_cut, DNS_EFORMAT);
            if (cls == CLASS_IN && name_eq(want, wl, got, gl)) {
                if (type == qtype) {
                    if (rdlen != alen)
                        return fail(why, "an A or AAAA record of the wrong size", DNS_EFORMAT);
                    if (!add_addr(out, max, &found_n, m + off, alen)) dropped++;
                    found = 1;
                } else if (type == DNS_TYPE_CNAME && !have_next) {
                    size_t r = off;
                    nl = read_name(m, len, &r, next, 0, why);
                    if (nl == 0) return DNS_EFORMAT;
                    if (r != off + rdlen)
                        return fail(why, "a CNAME whose name does not fill its data", DNS_EFORMAT);
                    have_next = 1;
                }
            }
            off += rdlen;
        }
        if (found || !have_next) break;
        if (hop == DNS_CNAME_MAX)
            return fail(why, "a CNAME chain longer than 8 names (or a loop)", DNS_EFORMAT);
        memcpy(want, next, nl);
        wl = nl;
    }
    *n = found_n;
    if (extra != NULL) *extra = dropped;
    *why = found_n > 0 ? "addresses" : "no address of this type";
    return DNS_OK;
}

/* ---- /etc/hosts */

/* The next blank-separated token of s[*i..n): its start and length (0 at the end). */
static size_t token(const char *s, size_t n, size_t *i, const char **tok)
{
    size_t k;

    while (*i < n && is_space((unsigned char)s[*i]))
        (*i)++;
    *tok = s + *i;
    for (k = *i; k < n && !is_space((unsigned char)s[k]); k++)
        ;
    k -= *i;
    *i += k;
    return k;
}

/* An IPv4 or IPv6 literal s[0..n) into *out; 0 when it is not one. */
static int parse_addr(const char *s, size_t n, struct dns_addr *out)
{
    memset(out, 0, sizeof *out);
    out->len = (uint8_t)ipaddr_parse(s, n, out->a);
    return out->len != 0;
}

int dns_hosts_line(const char *line, size_t n, const char *name, struct dns_addr *out)
{
    const char *hash = memchr(line, '#', n), *tok;
    size_t i = 0, tl, nl = strip_dot(name, strlen(name));
    struct dns_addr a;

    if (hash != NULL) n = (size_t)(hash - line);
    tl = token(line, n, &i, &tok);
    if (!parse_addr(tok, tl, &a)) return 0;
    while ((tl = token(line, n, &i, &tok)) > 0) {
        tl = strip_dot(tok, tl);
        if (tl != 0 && name_eq((const uint8_t *)tok, tl, (const uint8_t *)name, nl)) {
            *out = a;
            return 1;
        }
    }
    return 0;
}

size_t dns_hosts_scan(const char *text, size_t len, const char *name, struct dns_addr *out,
                      size_t max, size_t *n)
{
    size_t pos = 0, dropped = 0;
    struct dns_addr a;

    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t ll = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
        if (dns_hosts_line(text + pos, ll, name, &a) && !add_addr(out, max, n, a.a, a.len))
            dropped++;
        pos += ll + 1;
    }
    return dropped;
}

/* ---- /etc/resolv.conf */

void dns_conf_init(struct dns_conf *c)
{
    memset(c, 0, sizeof *c);
    c->timeout = 5;
    c->attempts = 2;
}

/* "key:N" with key matching: N clamped to lo..hi into *v; 1 when it was that key. */
static int option(const char *tok, size_t tl, const char *key, unsigned lo, unsigned hi,
                  unsigned *v)
{
    size_t kl = strlen(key), i;
    unsigned x = 0;

    if (tl <= kl || memcmp(tok, key, kl) != 0) return 0;
    for (i = kl; i < tl; i++) {
        if (tok[i] < '0' || tok[i] > '9') return 1; /* not a number: ignored, as libc does */
        if (x < 1000) x = x * 10 + (unsigned)(tok[i] - '0');
    }
    *v = x < lo ? lo : x > hi ? hi : x;
    return 1;
}

void dns_conf_line(struct dns_conf *c, const char *line, size_t n)
{
    const char *tok;
    size_t i = 0, tl;

    tl = token(line, n, &i, &tok); /* an empty line or a comment is neither keyword */
    if (tl == 10 && memcmp(tok, "nameserver", 10) == 0) {
        tl = token(line, n, &i, &tok);
        if (c->n_ns < DNS_NS_MAX && parse_addr(tok, tl, &c->ns[c->n_ns]))
            c->n_ns++;
        else /* scoped IPv6 ("fe80::1%eth0"), not an address, or a 4th server */
            c->skipped++;
    } else if (tl == 7 && memcmp(tok, "options", 7) == 0) {
        while ((tl = token(line, n, &i, &tok)) > 0) {
            if (tok[0] == '#' || tok[0] == ';') break;
            if (!option(tok, tl, "timeout:", 1, 60, &c->timeout))
                (void)option(tok, tl, "attempts:", 1, 10, &c->attempts);
        }
    }
    /* search, domain, sortlist, ...: ignored (absolute names only, see dns.h) */
}

void dns_conf_finish(struct dns_conf *c)
{
    if (c->n_ns == 0) c->n_ns = (size_t)parse_addr("127.0.0.1", 9, &c->ns[0]);
}

void dns_conf_parse(struct dns_conf *c, const char *text, size_t len)
{
    size_t pos = 0;

    dns_conf_init(c);
    while (pos < len) {
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t ll = nl != NULL ? (size_t)(nl - (text + pos)) : len - pos;
        dns_conf_line(c, text + pos, ll);
        pos += ll + 1;
    }
    dns_conf_finish(c);
}
