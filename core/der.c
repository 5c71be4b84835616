/* DER (X.690) reader and writer; see der.h for the accepted subset. */
#include "der.h"

#include <string.h>

#include "civil.h"
#include "err.h"

void der_init(struct der_reader *r, const void *p, size_t len)
{
    r->p = p;
    r->len = len;
}

int der_at_end(const struct der_reader *r)
{
    return r->len == 0;
}

int der_next(struct der_reader *r, struct der_tlv *t)
{
    const uint8_t *p = r->p;
    size_t avail = r->len, hdr, len, i, nlen;

    if (avail < 2) return err_set(ACME_ETEMP, "DER: truncated header (%zu bytes left)", avail);
    if ((p[0] & 0x1f) == 0x1f)
        return err_set(ACME_ETEMP, "DER: multi-byte tag 0x%02x not supported", p[0]);
    if (p[1] < 0x80) {
        len = p[1];
        hdr = 2;
    } else if (p[1] == 0x80) {
        return err_set(ACME_ETEMP, "DER: indefinite length (BER) in tag 0x%02x", p[0]);
    } else {
        nlen = p[1] & 0x7f;
        if (nlen > 4)
            return err_set(ACME_ETEMP, "DER: %zu length bytes in tag 0x%02x (at most 4)", nlen,
                           p[0]);
        if (avail - 2 < nlen)
            return err_set(ACME_ETEMP, "DER: truncated length in tag 0x%02x", p[0]);
        /* Minimal: no leading zero byte, and long form only from 128 on. */
        if (p[2] == 0 || (nlen == 1 && p[2] < 0x80))
            return err_set(ACME_ETEMP, "DER: non-minimal length in tag 0x%02x", p[0]);
        len = 0;
        for (i = 0; i < nlen; i++)
            len = (len << 8) | p[2 + i];
        hdr = 2 + nlen;
    }
    if (len > avail - hdr)
        return err_set(ACME_ETEMP, "DER: tag 0x%02x length %zu exceeds the %zu bytes left", p[0],
                       len, avail - hdr);
    t->tag = p[0];
    t->val = p + hdr;
    t->len = len;
    t->raw = p;
    t->rawlen = hdr + len;
    r->p += hdr + len;
    r->len -= hdr + len;
    return 0;
}

int der_expect(struct der_reader *r, uint8_t tag, struct der_tlv *t)
{
    if (r->len == 0)
        return err_set(ACME_ETEMP, "DER: expected tag 0x%02x, found the end of the data", tag);
    if (r->p[0] != tag)
        return err_set(ACME_ETEMP, "DER: expected tag 0x%02x, found 0x%02x", tag, r->p[0]);
    return der_next(r, t);
}

int der_optional(struct der_reader *r, uint8_t tag, struct der_tlv *t)
{
    if (r->len == 0 || r->p[0] != tag) return 0;
    return der_next(r, t) == 0 ? 1 : -1;
}

void der_enter(const struct der_tlv *t, struct der_reader *inner)
{
    der_init(inner, t->val, t->len);
}

int der_oid_eq(const struct der_tlv *t, const uint8_t *oid, size_t n)
{
    return t->tag == DER_OID && t->len == n && memcmp(t->val, oid, n) == 0;
}

int der_time(const struct der_tlv *t, int64_t *out)
{
    const uint8_t *s = t->val;
    unsigned f[5], ylen, i; /* month, day, hour, minute, second */
    int y = 0;

    if (t->tag != DER_UTCTIME && t->tag != DER_GENERALIZEDTIME)
        return err_set(ACME_ETEMP, "DER: tag 0x%02x is not a time", t->tag);
    ylen = t->tag == DER_UTCTIME ? 2 : 4;
    if (t->len != ylen + 11)
        return err_set(ACME_ETEMP, "DER: %s of %zu bytes (want %sMMDDHHMMSSZ)",
                       ylen == 2 ? "UTCTime" : "GeneralizedTime", t->len,
                       ylen == 2 ? "YY" : "YYYY");
    for (i = 0; i < ylen + 10 && s[i] >= '0' && s[i] <= '9'; i++)
        ;
    if (i < ylen + 10 || s[i] != 'Z')
        return err_set(ACME_ETEMP, "DER: time '%.*s' is not digits ending in Z", (int)t->len,
                       (const char *)t->val);
    for (i = 0; i < ylen; i++)
        y = y * 10 + (s[i] - '0');
    if (ylen == 2) y += y >= 50 ? 1900 : 2000; /* RFC 5280 4.1.2.5.1 */
    for (i = 0; i < 5; i++)
        f[i] = (unsigned)(s[ylen + 2 * i] - '0') * 10 + (unsigned)(s[ylen + 2 * i + 1] - '0');
    if (f[0] < 1 || f[0] > 12 || f[1] < 1 || f[1] > civil_days_in_month(y, f[0]) || f[2] > 23 ||
        f[3] > 59 || f[4] > 59)
        return err_set(ACME_ETEMP, "DER: time '%.*s' out of range", (int)t->len,
                       (const char *)t->val);
    *out = civil_to_days(y, f[0], f[1]) * 86400 + (int32_t)(f[2] * 3600 + f[3] * 60 + f[4]);
    return 0;
}

int der_uint(const struct der_tlv *t, const uint8_t **p, size_t *n)
{
    const uint8_t *v = t->val;
    size_t len = t->len;

    if (t->tag != DER_INTEGER)
        return err_set(ACME_ETEMP, "DER: expected INTEGER, found tag 0x%02x", t->tag);
    if (len == 0) return err_set(ACME_ETEMP, "DER: empty INTEGER");
    if (v[0] & 0x80) return err_set(ACME_ETEMP, "DER: negative INTEGER");
    /* Strip the sign byte (and, leniently, any further leading zeros) but keep one byte. */
    while (len > 1 && v[0] == 0) {
        v++;
        len--;
    }
    *p = v;
    *n = len;
    return 0;
}

int der_read_uint(struct der_reader *r, const uint8_t **p, size_t *n)
{
    struct der_tlv t;

    if (der_expect(r, DER_INTEGER, &t) != 0 || der_uint(&t, p, n) != 0) return -1;
    if (**p == 0) { /* der_uint keeps one byte of a zero */
        ++*p;
        *n = 0;
    }
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Writer */

void derw_init(struct der_writer *w, uint8_t *buf, size_t cap)
{
    memset(w, 0, sizeof *w);
    w->p = buf;
    w->cap = cap;
}

static void put(struct der_writer *w, const void *p, size_t n)
{
    if (w->overflow) return;
    if (n > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    if (n != 0) memcpy(w->p + w->len, p, n);
    w->len += n;
}

/* Lengths must fit the four length bytes the reader accepts. Two shifts, because a 32-bit
 * size_t cannot be shifted by 32 (and comparing it with 2^32 warns with -Wtype-limits). */
static int over_4g(size_t n)
{
    return (n >> 16 >> 16) != 0;
}

/* Encodes a length into hdr (at most 5 bytes); returns the number of bytes. */
static size_t encode_len(size_t len, uint8_t *hdr)
{
    size_t n = 0, i;
    size_t v;

    if (len < 0x80) {
        hdr[0] = (uint8_t)len;
        return 1;
    }
    for (v = len; v != 0; v >>= 8)
        n++;
    hdr[0] = (uint8_t)(0x80 | n);
    for (i = 0; i < n; i++)
        hdr[1 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
    return 1 + n;
}

void derw_begin(struct der_writer *w, uint8_t tag)
{
    if (w->depth >= DERW_MAX_DEPTH) {
        if (w->invalid == NULL) w->invalid = "nesting deeper than DERW_MAX_DEPTH";
        w->depth++; /* keep counting so begin/end stay balanced */
        return;
    }
    w->open[w->depth++] = w->len;
    /* Tag and a one-byte length placeholder; derw_end() widens it when needed. */
    put(w, &tag, 1);
    put(w, "", 1);
}

void derw_end(struct der_writer *w)
{
    uint8_t hdr[5];
    size_t start, clen, hlen;

    if (w->depth == 0) {
        w->unbalanced = 1;
        return;
    }
    w->depth--;
    if (w->depth >= DERW_MAX_DEPTH || w->overflow) return;
    start = w->open[w->depth] + 2; /* first content byte */
    clen = w->len - start;
    if (over_4g(clen)) {
        w->overflow = 1;
        return;
    }
    hlen = encode_len(clen, hdr);
    if (hlen > 1) {
        if (hlen - 1 > w->cap - w->len) {
            w->overflow = 1;
            return;
        }
        memmove(w->p + start + hlen - 1, w->p + start, clen);
        w->len += hlen - 1;
    }
    memcpy(w->p + start - 1, hdr, hlen);
}

/* Tag and length of a value of n bytes. */
static void put_header(struct der_writer *w, uint8_t tag, size_t n)
{
    uint8_t hdr[6];

    if (over_4g(n)) {
        w->overflow = 1;
        return;
    }
    hdr[0] = tag;
    put(w, hdr, 1 + encode_len(n, hdr + 1));
}

void derw_tlv(struct der_writer *w, uint8_t tag, const void *val, size_t n)
{
    put_header(w, tag, n);
    put(w, val, n);
}

void derw_raw(struct der_writer *w, const void *p, size_t n)
{
    put(w, p, n);
}

void derw_uint(struct der_writer *w, const uint8_t *be, size_t n)
{
    static const uint8_t zero = 0;
    size_t pad;

    while (n > 0 && be[0] == 0) {
        be++;
        n--;
    }
    pad = n == 0 || (be[0] & 0x80) != 0; /* zero, or the sign byte */
    if (n == (size_t)-1) {               /* n + pad must not wrap */
        w->overflow = 1;
        return;
    }
    put_header(w, DER_INTEGER, n + pad);
    put(w, &zero, pad);
    put(w, be, n);
}

void derw_small_int(struct der_writer *w, long v)
{
    uint8_t b[sizeof(long)];
    unsigned long u = (unsigned long)v;
    size_t i, start = 0;

    for (i = sizeof b; i-- > 0; u >>= 8)
        b[i] = (uint8_t)u;
    /* Drop leading bytes that only repeat the sign of the next one. */
    while (start < sizeof b - 1 && b[start] == (b[start + 1] & 0x80 ? 0xff : 0x00))
        start++;
    derw_tlv(w, DER_INTEGER, b + start, sizeof b - start);
}

void derw_oid(struct der_writer *w, const uint8_t *oid, size_t n)
{
    derw_tlv(w, DER_OID, oid, n);
}

void derw_bool(struct der_writer *w, int v)
{
    uint8_t b = v ? 0xff : 0x00;
    derw_tlv(w, DER_BOOLEAN, &b, 1);
}

void derw_null(struct der_writer *w)
{
    derw_tlv(w, DER_NULL, NULL, 0);
}

static void put2(uint8_t *s, unsigned v)
{
    s[0] = (uint8_t)('0' + v / 10 % 10);
    s[1] = (uint8_t)('0' + v % 10);
}

void derw_time(struct der_writer *w, int64_t t)
{
    uint8_t s[15], *q = s;
    struct civil_time c;
    unsigned y, utc;

    civil_split(t, &c);
    if (c.year < 0 || c.year > 9999) {
        if (w->invalid == NULL) w->invalid = "time outside the years 0000-9999";
        return;
    }
    y = (unsigned)c.year;
    utc = y >= 1950 && y < 2050;
    if (!utc) {
        put2(q, y / 100);
        q += 2;
    }
    put2(q, y % 100);
    put2(q + 2, c.month);
    put2(q + 4, c.day);
    put2(q + 6, c.hour);
    put2(q + 8, c.min);
    put2(q + 10, c.sec);
    q[12] = 'Z';
    derw_tlv(w, utc ? DER_UTCTIME : DER_GENERALIZEDTIME, s, (size_t)(q + 13 - s));
}

int derw_finish(struct der_writer *w, size_t *len)
{
    if (w->invalid != NULL) return err_set(ACME_ELOCAL, "DER writer: %s", w->invalid);
    if (w->overflow) return err_set(ACME_ELOCAL, "DER writer: %zu-byte buffer too small", w->cap);
    if (w->unbalanced || w->depth != 0)
        return err_set(ACME_ELOCAL, "DER writer: unbalanced derw_begin/derw_end");
    *len = w->len;
    return 0;
}
