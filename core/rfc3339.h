/* Times as text: RFC 3339 timestamps (ARI windows) in, "YYYY-MM-DD HH:MM UTC" out, without
 * the C library's time functions (core/ makes no OS calls and must not depend on TZ). */
#ifndef ACME_RFC3339_H
#define ACME_RFC3339_H

#include <stddef.h>
#include <stdint.h>

/* "2025-01-02T03:04:05Z", with optional fractional seconds (dropped) and a "Z" or "+hh:mm" /
 * "-hh:mm" offset; 't' and 'z' accepted. n characters, no trailing text. Returns 0 and the
 * seconds since the epoch, or -1 (no error set: the caller names what it was parsing). */
int rfc3339_parse(const char *s, size_t n, int64_t *out);

/* "YYYY-MM-DD HH:MM UTC" (cap >= 24). */
void time_format_utc(int64_t t, char *out, size_t cap);

#endif
