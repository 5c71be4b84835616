/* IPv4 and IPv6 literals as text (no OS calls, no inet_pton): strict parsing and the
 * canonical text forms (dotted quad; RFC 5952 for IPv6). Used for `domains` IP identifiers
 * (RFC 8738) and addresses in the configuration. */
#ifndef ACME_IPADDR_H
#define ACME_IPADDR_H

#include <stddef.h>
#include <stdint.h>

/* Longest canonical text, with the NUL ("ffff:...:ffff" is 39 characters). */
#define IPADDR_TEXT_MAX 40

/* Parses s[0..n): returns 4 (IPv4, dotted quad without leading zeros) or 16 (IPv6, RFC 4291
 * text form, optionally with a trailing dotted quad; no brackets, no zone) with the address
 * in out, or 0 when s is not such a literal. Sets no error. */
int ipaddr_parse(const char *s, size_t n, uint8_t out[16]);

/* Canonical text of a 4- or 16-byte address into out (IPADDR_TEXT_MAX bytes); returns the
 * length. IPv6 is RFC 5952: lower case, no leading zeros, the longest run of two or more
 * zero groups (the first of equal runs) as "::". */
size_t ipaddr_format(const uint8_t *ip, size_t len, char out[IPADDR_TEXT_MAX]);

#endif
