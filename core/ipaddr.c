/* IP address literals: strict text parsing and canonical formatting. */
#include "ipaddr.h"
#include "fmt.h"

#include <stdio.h>
#include <string.h>

static int parse_ipv4(const char *s, size_t n, uint8_t out[4])
{
    size_t i = 0;
    int part;
    for (part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t digits = 0;
        if (part > 0) {
            if (i >= n || s[i] != '.') return 0;
            i++;
        }
        while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
            digits++;
        }
        /* Leading zeros are refused: some resolvers read them as octal. */
        if (digits == 0 || digits > 3 || v > 255 || (digits > 1 && s[i - digits] == '0')) return 0;
        out[part] = (uint8_t)v;
    }
    return i == n;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_ipv6(const char *s, size_t n, uint8_t out[16])
{
    uint8_t head[16] = {0}, tail[16] = {0};
    size_t nh = 0, nt = 0, i = 0;
    int gap = 0; /* "::" seen */

    if (n >= 2 && s[0] == ':' && s[1] == ':') {
        gap = 1;
        i = 2;
    } else if (n == 0 || s[0] == ':')
        return 0;
    while (i < n) {
        size_t j = i;
        unsigned v = 0;
        uint8_t *dst = gap ? tail : head;
        size_t *nd = gap ? &nt : &nh;
        while (j < n && j - i < 5 && hexval(s[j]) >= 0)
            v = v * 16 + (unsigned)hexval(s[j++]);
        if (j < n && s[j] == '.') {
            /* trailing IPv4 part: the last 32 bits */
            if (nh + nt + 4 > 16 || !parse_ipv4(s + i, n - i, dst + *nd)) return 0;
            *nd += 4;
            i = n;
            break;
        }
        if (j == i || j - i > 4 || nh + nt + 2 > 16) return 0;
        dst[(*nd)++] = (uint8_t)(v >> 8);
        dst[(*nd)++] = (uint8_t)v;
        i = j;
        if (i == n) break;
        if (s[i] != ':') return 0;
        i++;
        if (i < n && s[i] == ':') {
            if (gap) return 0;
            gap = 1;
            i++;
        } else if (i == n)
            return 0; /* a single trailing ':' */
    }
    if (gap ? nh + nt > 14 : nh != 16) return 0;
    memcpy(out, head, nh);
    memset(out + nh, 0, 16 - nh - nt);
    memcpy(out + 16 - nt, tail, nt);
    return 1;
}

int ipaddr_parse(const char *s, size_t n, uint8_t out[16])
{
    if (memchr(s, ':', n) != NULL) return parse_ipv6(s, n, out) ? 16 : 0;
    return parse_ipv4(s, n, out) ? 4 : 0;
}

size_t ipaddr_format(const uint8_t *ip, size_t len, char out[IPADDR_TEXT_MAX])
{
    size_t o = 0;
    int g, best = -1, bestlen = 1, run = 0;
    if (len == 4)
        return (size_t)fmt_snprintf(out, IPADDR_TEXT_MAX, "%u.%u.%u.%u", ip[0], ip[1], ip[2],
                                    ip[3]);
    for (g = 0; g < 8; g++) {
        if (ip[2 * g] == 0 && ip[2 * g + 1] == 0) {
            run++;
            if (run > bestlen) {
                bestlen = run;
                best = g - run + 1;
            }
        } else
            run = 0;
    }
    for (g = 0; g < 8; g++) {
        if (g == best) {
            out[o++] = ':';
            out[o++] = ':';
            g += bestlen - 1;
            continue;
        }
        if (o > 0 && out[o - 1] != ':') out[o++] = ':';
        o += (size_t)fmt_snprintf(out + o, IPADDR_TEXT_MAX - o, "%x",
                                  (unsigned)(ip[2 * g] << 8 | ip[2 * g + 1]));
    }
    out[o] = '\0';
    return o;
}
