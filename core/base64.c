/* base64 and base64url (RFC 4648 sections 4 and 5), strict decoding. */
#include "base64.h"

#include <limits.h>
#include <stdint.h>

#include "err.h"

/* The alphabet's first 62 characters, then the last two of base64 and of base64url. */
static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/-_";

static char sextet_char(unsigned v, int variant)
{
    return alphabet[v >= 62 && variant == B64_URL ? v + 2 : v];
}

size_t b64_encoded_len(size_t n, int variant)
{
    size_t full = n / 3, rest = n % 3;
    /* Saturates for absurd sizes so the capacity check in b64_encode fails cleanly. */
    if (full > (SIZE_MAX - 4) / 4) return SIZE_MAX;
    if (variant == B64_URL) return full * 4 + (rest ? rest + 1 : 0);
    return full * 4 + (rest ? 4 : 0);
}

long b64_encode(char *out, size_t cap, const void *in, size_t n, int variant)
{
    const unsigned char *p = in;
    size_t need = b64_encoded_len(n, variant), i, o = 0;
    if (need >= cap || need > (size_t)LONG_MAX)
        return err_set(ACME_ELOCAL, "base64: %zu-byte buffer too small to encode %zu bytes", cap,
                       n);
    for (i = 0; i < n; i += 3) {
        /* a group of up to 3 bytes: one character per 6 bits, the last group padded */
        size_t k, rest = n - i < 3 ? n - i : 3;
        uint32_t v = (uint32_t)p[i] << 16;
        if (rest > 1) v |= (uint32_t)p[i + 1] << 8;
        if (rest > 2) v |= p[i + 2];
        for (k = 0; k < 4; k++) {
            if (k <= rest)
                out[o++] = sextet_char((v >> (18 - 6 * k)) & 63, variant);
            else if (variant != B64_URL)
                out[o++] = '=';
        }
    }
    out[o] = '\0';
    return (long)o;
}

/* A character's 6-bit value, or -1. By ranges, not by searching the alphabet: a certificate
 * chain or a key is thousands of characters. */
static int sextet(unsigned char c, int variant)
{
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == (unsigned char)sextet_char(62, variant)) return 62;
    if (c == (unsigned char)sextet_char(63, variant)) return 63;
    return -1;
}

long b64_decode(void *out, size_t cap, const char *in, size_t n, int variant)
{
    const unsigned char *s = (const unsigned char *)in;
    unsigned char *o = out;
    const char *name = variant == B64_URL ? "base64url" : "base64";
    size_t data = n, outlen, i, k = 0;
    uint32_t acc = 0;
    int bits = 0;

    if (variant == B64_URL) {
        if (n % 4 == 1) return err_set(ACME_ETEMP, "%s: invalid length %zu", name, n);
    } else {
        if (n % 4 != 0)
            return err_set(ACME_ETEMP, "%s: length %zu is not a multiple of 4", name, n);
        /* At most two '=' and only at the very end. */
        if (data > 0 && s[data - 1] == '=') data--;
        if (data > 0 && s[data - 1] == '=' && data % 4 == 3) data--;
    }
    outlen = data / 4 * 3 + (data % 4 ? data % 4 - 1 : 0);
    if (outlen > cap)
        return err_set(ACME_ETEMP, "%s: %zu decoded bytes do not fit in a %zu-byte buffer", name,
                       outlen, cap);
    if (outlen > (size_t)LONG_MAX) return err_set(ACME_ETEMP, "%s: input too large", name);
    for (i = 0; i < data; i++) {
        int v = sextet(s[i], variant);
        if (v < 0) {
            if (s[i] == '=')
                return err_set(ACME_ETEMP, "%s: unexpected '=' at offset %zu", name, i);
            return err_set(ACME_ETEMP, "%s: invalid character 0x%02x at offset %zu", name, s[i], i);
        }
        acc = (acc << 6 | (uint32_t)v) & 0xFFFFFF;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[k++] = (unsigned char)(acc >> bits);
        }
    }
    /* Leftover bits (2 or 4) must be zero: otherwise two encodings would decode alike. */
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0)
        return err_set(ACME_ETEMP, "%s: non-zero trailing bits at offset %zu", name,
                       data > 0 ? data - 1 : 0);
    return (long)k;
}
