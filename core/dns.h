/* A small DNS stub resolver's pure parts (no OS calls, no allocation): A/AAAA queries, reply
 * parsing, and the /etc/hosts and /etc/resolv.conf formats. platform/resolve.c does the I/O.
 *
 * Host names here are absolute: ACME servers and proxies are named by full host names, so
 * resolv.conf's `search` and `domain` lines (and `ndots`) are ignored and a name is asked for
 * exactly as given (a trailing dot is accepted and dropped). */
#ifndef ACME_DNS_H
#define ACME_DNS_H

#include <stddef.h>
#include <stdint.h>

#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_AAAA 28

/* Longest host name in text form (without a trailing dot). */
#define DNS_NAME_MAX 253
/* A query: header, the name (at most 255 bytes in wire form), type and class. */
#define DNS_QUERY_MAX (12 + 255 + 4)
/* Replies over UDP without EDNS0 are at most 512 bytes (RFC 1035 4.2.1); larger ones set TC. */
#define DNS_UDP_MAX 512
/* CNAMEs followed inside one answer section before giving up. */
#define DNS_CNAME_MAX 8
/* Addresses kept per query type (and per /etc/hosts lookup); more are ignored. */
#define DNS_ADDR_MAX 8
/* Name servers taken from resolv.conf (as libc: MAXNS). */
#define DNS_NS_MAX 3

struct dns_addr {
    uint8_t len; /* 4 (IPv4) or 16 (IPv6) */
    uint8_t a[16];
};

/* Results of dns_parse_reply(). */
enum dns_rc {
    DNS_OK = 0,         /* an answer: n addresses (0: the name exists but has none of the type) */
    DNS_EID = -1,       /* not our reply: wrong ID, or not a response (QR clear) */
    DNS_EQUESTION = -2, /* the question section does not echo ours */
    DNS_EFORMAT = -3,   /* malformed: *why says how */
    DNS_ETRUNC = -4,    /* TC set: the answer did not fit in UDP */
    DNS_ENXDOMAIN = -5, /* RCODE 3: the name does not exist */
    DNS_ESERVFAIL = -6, /* RCODE 2: the server failed (e.g. its upstream is unreachable) */
    DNS_EREFUSED = -7,  /* RCODE 5 */
    DNS_ERCODE = -8     /* any other non-zero RCODE, or opcode not QUERY */
};

/* 1 when name (n bytes, an optional trailing dot) is a host name this resolver will ask
 * for: labels of 1..63 letters, digits, '-' or '_', at most DNS_NAME_MAX bytes in all. */
int dns_name_ok(const char *name, size_t n);

/* Writes a query for name (text, optional trailing dot) of type qtype (DNS_TYPE_A or
 * DNS_TYPE_AAAA) with the given ID and RD set into out[cap]; returns its length, or 0 when
 * the name is not dns_name_ok() or cap is too small. */
size_t dns_query(uint8_t *out, size_t cap, const char *name, uint16_t id, uint16_t qtype);

/* Parses a reply msg[len] to the query dns_query(name, id, qtype) would make. On DNS_OK, the
 * addresses of type qtype owned by name, or by the end of a CNAME chain starting at name (at
 * most DNS_CNAME_MAX links, in the answer section), are stored in out[0..max) and counted in
 * *n (addresses beyond max are ignored and counted in *extra when extra is not NULL); on
 * any other result *n (and *extra) are 0.
 * Compression pointers must point backwards (no loops) and stay inside msg. *why (always
 * set) is a short text for the result: e.g. "compression pointer loop" for DNS_EFORMAT. */
int dns_parse_reply(const uint8_t *msg, size_t len, const char *name, uint16_t id, uint16_t qtype,
                    struct dns_addr *out, size_t max, size_t *n, size_t *extra, const char **why);

/* The name of a result for messages: "NXDOMAIN", "SERVFAIL", "REFUSED", ... */
const char *dns_rc_name(int rc);

/* /etc/hosts: when the line line[n] (no newline needed; '#' starts a comment) maps name (a
 * canonical name or an alias, compared case-insensitively, trailing dots ignored) to an
 * address, stores the address in *out and returns 1; otherwise 0. Lines whose address does
 * not parse (e.g. with a zone "fe80::1%eth0") never match. */
int dns_hosts_line(const char *line, size_t n, const char *name, struct dns_addr *out);

/* dns_hosts_line() over every line of text[len], in order: the addresses found for name that
 * are not yet in out[0..*n) are appended while *n < max (the caller sets *n to 0 first, and
 * may call this again with more text, e.g. a file read in pieces). Returns how many matching
 * addresses did not fit. */
size_t dns_hosts_scan(const char *text, size_t len, const char *name, struct dns_addr *out,
                      size_t max, size_t *n);

/* /etc/resolv.conf. */
struct dns_conf {
    struct dns_addr ns[DNS_NS_MAX];
    size_t n_ns;
    unsigned timeout;  /* seconds for the whole lookup (options timeout:N), 1..60, default 5 */
    unsigned attempts; /* sends per server within timeout (options attempts:N), 1..10, default 2 */
    unsigned skipped;  /* nameserver lines not used: unparseable, scoped ("%eth0") or a 4th+ */
};

void dns_conf_init(struct dns_conf *c);
/* Applies one line of resolv.conf (no newline needed): `nameserver ADDR` (IPv4 or IPv6, up
 * to DNS_NS_MAX), `options timeout:N attempts:N` (others ignored). '#' and ';' start
 * comments; search, domain and everything else are ignored (see the top of this file). */
void dns_conf_line(struct dns_conf *c, const char *line, size_t n);
/* dns_conf_init() then dns_conf_line() for every line of text[len]; when no usable
 * nameserver line was found, 127.0.0.1 (as libc does). */
void dns_conf_parse(struct dns_conf *c, const char *text, size_t len);
/* The libc default when resolv.conf names no server: 127.0.0.1 is added when n_ns is 0. */
void dns_conf_finish(struct dns_conf *c);

#endif
