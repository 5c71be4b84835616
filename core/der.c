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

/* n decimal digits at s; -1 when one is not a digit. */
static int digits(const uint8_t *s, int n)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int der_time(const struct der_tlv *t, int64_t *out)
{
    const uint8_t *s = t->val;
    int y, mo, d, h, mi, sec;

    if (t->tag == DER_UTCTIME) {
        if (t->len != 13)
            return err_set(ACME_ETEMP, "DER: UTCTime of %zu bytes (want YYMMDDHHMMSSZ)", t->len);
        y = digits(s, 2);
        if (y >= 0) y += y >= 50 ? 1900 : 2000; /* RFC 5280 4.1.2.5.1 */
        s += 2;
    } else if (t->tag == DER_GENERALIZEDTIME) {
        if (t->len != 15)
            return err_set(ACME_ETEMP, "DER: GeneralizedTime of %zu bytes (want YYYYMMDDHHMMSSZ)",
                           t->len);
        y = digits(s, 4);
        s += 4;
    } else {
        return err_set(ACME_ETEMP, "DER: tag 0x%02x is not a time", t->tag);
    }
    mo = digits(s, 2);
    d = digits(s + 2, 2);
    h = digits(s + 4, 2);
    mi = digits(s + 6, 2);
    sec = digits(s + 8, 2);
    if (y < 0 || mo < 0 || d < 0 || h < 0 || mi < 0 || sec < 0 || s[10] != 'Z')
        return err_set(ACME_ETEMP, "DER: time '%.*s' is not digits ending in Z", (int)t->len,
                       (const char *)t->val);
    if (mo < 1 || mo > 12 || d < 1 || (unsigned)d > civil_days_in_month(y, (unsigned)mo) ||
        h > 23 || mi > 59 || sec > 59)
        return err_set(ACME_ETEMP, "DER: time '%.*s' out of range", (int)t->len,
                       (const char *)t->val);
    *out = civil_to_days(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
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

void derw_tlv(struct der_writer *w, uint8_t tag, const void *val, size_t n)
{
    uint8_t hdr[5];
    size_t hlen;

    if (over_4g(n)) {
        w->overflow = 1;
        return;
    }
    hlen = encode_len(n, hdr);
    put(w, &tag, 1);
    put(w, hdr, hlen);
    put(w, val, n);
}

void derw_raw(struct der_writer *w, const void *p, size_t n)
{
    put(w, p, n);
}

void derw_uint(struct der_writer *w, const uint8_t *be, size_t n)
{
    uint8_t tag = DER_INTEGER, hdr[5], zero = 0;
    size_t hlen;
    int pad;

    while (n > 0 && be[0] == 0) {
        be++;
        n--;
    }
    if (n == 0) {
        derw_tlv(w, DER_INTEGER, &zero, 1);
        return;
    }
    pad = (be[0] & 0x80) != 0;
    if (over_4g(n) || n == 0xffffffffu) {
        w->overflow = 1;
        return;
    }
    hlen = encode_len(n + (size_t)pad, hdr);
    put(w, &tag, 1);
    put(w, hdr, hlen);
    if (pad) put(w, &zero, 1);
    put(w, be, n);
}

void derw_small_int(struct der_writer *w, long v)
{
    uint8_t b[sizeof(long long)];
    unsigned long long u = (unsigned long long)(long long)v;
    size_t i, start = 0;

    for (i = 0; i < sizeof b; i++)
        b[i] = (uint8_t)(u >> (8 * (sizeof b - 1 - i)));
    /* Drop leading bytes that only repeat the sign of the next one. */
    while (start < sizeof b - 1 && ((b[start] == 0x00 && !(b[start + 1] & 0x80)) ||
                                    (b[start] == 0xff && (b[start + 1] & 0x80))))
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
    int64_t y;

    civil_split(t, &c);
    y = c.year;
    if (y < 0 || y > 9999) {
        if (w->invalid == NULL) w->invalid = "time outside the years 0000-9999";
        return;
    }
    if (y >= 1950 && y < 2050) {
        put2(q, (unsigned)(y % 100));
        q += 2;
    } else {
        put2(q, (unsigned)(y / 100));
        put2(q + 2, (unsigned)(y % 100));
        q += 4;
    }
    put2(q, c.month);
    put2(q + 2, c.day);
    put2(q + 4, c.hour);
    put2(q + 6, c.min);
    put2(q + 8, c.sec);
    q[10] = 'Z';
    q += 11;
    derw_tlv(w, y >= 1950 && y < 2050 ? DER_UTCTIME : DER_GENERALIZEDTIME, s, (size_t)(q - s));
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
