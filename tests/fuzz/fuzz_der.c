/* libFuzzer target for core/der.c: walks the input as nested DER (entering constructed values
 * up to a depth cap) while re-encoding every TLV with the writer; whatever the reader accepts
 * must come out of the writer byte for byte (DER has one encoding). Times and integers that
 * parse must survive a writer round trip too. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "der.h"

#define MAX_DEPTH 10 /* below DERW_MAX_DEPTH */

static uint8_t out[1 << 17];

static void check_time(const struct der_tlv *t)
{
    int64_t v, back;
    uint8_t buf[32];
    struct der_writer w;
    struct der_reader r;
    struct der_tlv u;
    size_t len;

    if (der_time(t, &v) != 0) return;
    derw_init(&w, buf, sizeof buf);
    derw_time(&w, v);
    if (derw_finish(&w, &len) != 0)
        abort(); /* every time der_time accepts is within the years 0-9999 */
    der_init(&r, buf, len);
    if (der_next(&r, &u) != 0 || der_time(&u, &back) != 0 || back != v) abort();
}

static void check_uint(const struct der_tlv *t)
{
    const uint8_t *p;
    size_t n;
    uint8_t buf[64];
    struct der_writer w;
    struct der_reader r;
    struct der_tlv u;
    const uint8_t *q;
    size_t m, len;

    if (der_uint(t, &p, &n) != 0 || n > 48) return;
    derw_init(&w, buf, sizeof buf);
    derw_uint(&w, p, n);
    if (derw_finish(&w, &len) != 0) abort();
    der_init(&r, buf, len);
    if (der_next(&r, &u) != 0 || der_uint(&u, &q, &m) != 0 || m != n || memcmp(p, q, n) != 0)
        abort();
}

/* Reads r to its end, writing what it reads to w; -1 on malformed input. */
static int walk(struct der_reader *r, struct der_writer *w, int depth)
{
    struct der_tlv t;
    struct der_reader in;

    while (!der_at_end(r)) {
        if (der_next(r, &t) != 0) return -1;
        if (t.rawlen < 2 || t.raw + t.rawlen != r->p) abort();
        if ((t.tag & 0x20) && depth < MAX_DEPTH) {
            derw_begin(w, t.tag);
            der_enter(&t, &in);
            if (walk(&in, w, depth + 1) != 0) return -1;
            derw_end(w);
        } else {
            derw_tlv(w, t.tag, t.val, t.len);
        }
        if (t.tag == DER_UTCTIME || t.tag == DER_GENERALIZEDTIME) check_time(&t);
        if (t.tag == DER_INTEGER) check_uint(&t);
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct der_reader r;
    struct der_writer w;
    size_t len;

    if (size > sizeof out) return 0;
    der_init(&r, data, size);
    derw_init(&w, out, sizeof out);
    if (walk(&r, &w, 0) != 0) return 0;
    if (derw_finish(&w, &len) != 0 || len != size || memcmp(out, data, size) != 0) abort();
    return 0;
}
