/* DER (X.690) reader and writer. The reader works over a caller's buffer and never copies;
 * every length is checked against what remains. Only single-byte tags (tag numbers < 31) are
 * supported, which covers X.509, PKCS#8/#10 and SEC1; lengths in short and long form (up to 4
 * length bytes); indefinite length and non-minimal lengths are rejected (this is DER, not BER). */
#ifndef ACME_DER_H
#define ACME_DER_H

#include <stddef.h>
#include <stdint.h>

#define DER_BOOLEAN 0x01
#define DER_INTEGER 0x02
#define DER_BIT_STRING 0x03
#define DER_OCTET_STRING 0x04
#define DER_NULL 0x05
#define DER_OID 0x06
#define DER_UTF8STRING 0x0c
#define DER_PRINTABLESTRING 0x13
#define DER_IA5STRING 0x16
#define DER_UTCTIME 0x17
#define DER_GENERALIZEDTIME 0x18
#define DER_SEQUENCE 0x30
#define DER_SET 0x31
#define DER_CTX(n) (0x80 | (n))      /* [n] IMPLICIT, primitive */
#define DER_CTX_CONS(n) (0xa0 | (n)) /* [n] EXPLICIT / constructed */

struct der_reader {
    const uint8_t *p;
    size_t len;
};

struct der_tlv {
    uint8_t tag;
    const uint8_t *val; /* contents */
    size_t len;
    const uint8_t *raw; /* the whole TLV (tag + length + contents), e.g. for signing TBS */
    size_t rawlen;
};

void der_init(struct der_reader *r, const void *p, size_t len);
int der_at_end(const struct der_reader *r);
/* Reads the next TLV: 0 ok, -1 with err_set(ACME_ETEMP, "DER: ...") on malformed input. */
int der_next(struct der_reader *r, struct der_tlv *t);
/* Reads the next TLV and requires its tag: 0 ok, -1 (error names expected and found tags). */
int der_expect(struct der_reader *r, uint8_t tag, struct der_tlv *t);
/* If the next TLV has this tag, reads it and returns 1; returns 0 when it does not (or the
 * reader is at the end); -1 on malformed input. For OPTIONAL fields. */
int der_optional(struct der_reader *r, uint8_t tag, struct der_tlv *t);
/* A reader over a constructed TLV's contents. */
void der_enter(const struct der_tlv *t, struct der_reader *inner);
/* 1 when OID contents equal the given DER-encoded OID contents. */
int der_oid_eq(const struct der_tlv *t, const uint8_t *oid, size_t n);
/* UTCTime / GeneralizedTime (Z form, as RFC 5280 requires) to seconds since the epoch. */
int der_time(const struct der_tlv *t, int64_t *out);
/* Unsigned big-endian INTEGER contents with the sign byte stripped; -1 for negatives. */
int der_uint(const struct der_tlv *t, const uint8_t **p, size_t *n);
/* Reads the next TLV, an INTEGER >= 0, as its value without any leading zero byte (*n is 0
 * for zero): 0 ok, -1 with the error set. */
int der_read_uint(struct der_reader *r, const uint8_t **p, size_t *n);

/* Writer over a caller-owned buffer. Constructed values are opened with derw_begin() and
 * closed with derw_end() (which inserts the length); nesting up to DERW_MAX_DEPTH. Errors
 * (overflow, unbalanced) are sticky and reported by derw_finish(). */
#define DERW_MAX_DEPTH 12
struct der_writer {
    uint8_t *p;
    size_t len, cap;
    size_t open[DERW_MAX_DEPTH];
    int depth;
    int overflow;
    int unbalanced;
    const char *invalid; /* first value that cannot be encoded (nesting too deep, time out of
                          * range), or NULL */
};
void derw_init(struct der_writer *w, uint8_t *buf, size_t cap);
void derw_begin(struct der_writer *w, uint8_t tag);
void derw_end(struct der_writer *w);
void derw_tlv(struct der_writer *w, uint8_t tag, const void *val, size_t n);
void derw_raw(struct der_writer *w, const void *p, size_t n);
/* INTEGER from unsigned big-endian bytes (leading zeros stripped, 0x00 added when needed). */
void derw_uint(struct der_writer *w, const uint8_t *be, size_t n);
void derw_small_int(struct der_writer *w, long v);
void derw_oid(struct der_writer *w, const uint8_t *oid, size_t n);
void derw_bool(struct der_writer *w, int v);
void derw_null(struct der_writer *w);
/* GeneralizedTime for years >= 2050 or < 1950, else UTCTime (RFC 5280 4.1.2.5). */
void derw_time(struct der_writer *w, int64_t t);
/* 0 and the total length, or -1 with err_set(ACME_ELOCAL, ...) naming what went wrong. */
int derw_finish(struct der_writer *w, size_t *len);

#endif
