/* base64 (RFC 4648 section 4, with padding) and base64url (section 5, without padding).
 * Decoding is strict: characters outside the alphabet (including whitespace), bad or missing
 * padding (base64), any '=' (base64url), and non-zero trailing bits are errors. */
#ifndef ACME_BASE64_H
#define ACME_BASE64_H

#include <stddef.h>

#define B64_STD 0
#define B64_URL 1

/* Encoded length (without NUL) of n bytes. */
size_t b64_encoded_len(size_t n, int variant);
/* Encodes into out (NUL-terminated); returns the length, or -1 with an error when cap is too
 * small (cap must include the NUL). */
long b64_encode(char *out, size_t cap, const void *in, size_t n, int variant);
/* Decodes in[0..n) into out; returns the decoded length or -1 with err_set(ACME_ETEMP,
 * "base64: ...") naming the problem and offset. */
long b64_decode(void *out, size_t cap, const char *in, size_t n, int variant);

#endif
