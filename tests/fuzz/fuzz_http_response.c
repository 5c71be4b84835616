/* libFuzzer target: the HTTP response parser. Byte 0 holds flags (HEAD request, end of
 * connection after the data, small body limit), bytes 1..4 seed the piece sizes; the rest is
 * the response, fed once in pieces and once whole: both must agree. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "http.h"
#include "http_client.h"

#define BIG_CAP 8192
#define SMALL_CAP 64

static uint8_t body1[BIG_CAP + 1], body2[BIG_CAP + 1];
static struct http_response r1, r2;
static struct http_resp_parser p1, p2;

static uint32_t next(uint32_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 17;
    *s ^= *s << 5;
    return *s;
}

static int run(struct http_resp_parser *p, struct http_response *r, uint8_t *body, size_t cap,
               int head, int eof, const uint8_t *d, size_t n, uint32_t seed, size_t *total)
{
    size_t i = 0, used = 0;
    int rc = HTTP_NEED_MORE;
    http_resp_init(p, r, body, cap, head, 1700000000);
    while (i < n) {
        size_t k = n - i;
        if (seed != 0) {
            uint32_t x = next(&seed);
            size_t want = (x & 3) == 0 ? (x >> 8) % 512 + 1 : (x >> 8) % 8 + 1;
            if (want < k) k = want;
        }
        rc = http_resp_feed(p, d + i, k, &used);
        if (rc != HTTP_NEED_MORE) break;
        if (used != k) abort();
        i += k;
    }
    if (rc == HTTP_DONE) i += used;
    if (rc == HTTP_NEED_MORE && eof) rc = http_resp_eof(p);
    *total = i;
    return rc;
}

static void check(const struct http_response *r, const uint8_t *body, size_t cap)
{
    if (r->body_len > cap || body[r->body_len] != 0 || r->body != (const char *)body) abort();
    if (strlen(r->nonce) >= sizeof r->nonce || strlen(r->location) >= sizeof r->location ||
        strlen(r->content_type) >= sizeof r->content_type || r->nlinks > HTTP_MAX_LINKS)
        abort();
    for (size_t i = 0; i < r->nlinks; i++)
        if (strlen(r->links[i].rel) == 0 || strlen(r->links[i].rel) >= sizeof r->links[i].rel)
            abort();
    if (r->status < 200 && r->status != 0) abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t cap, t1, t2;
    uint32_t seed;
    int head, eof, rc1, rc2;
    if (size < 5) return 0;
    head = data[0] & 1;
    eof = (data[0] >> 1) & 1;
    cap = (data[0] & 4) ? SMALL_CAP : BIG_CAP;
    seed = (uint32_t)data[1] | (uint32_t)data[2] << 8 | (uint32_t)data[3] << 16 |
           (uint32_t)data[4] << 24;
    seed |= 1;
    data += 5;
    size -= 5;
    rc1 = run(&p1, &r1, body1, cap, head, eof, data, size, seed, &t1);
    rc2 = run(&p2, &r2, body2, cap, head, eof, data, size, 0, &t2);
    if (rc1 != rc2) abort();
    if (rc1 == HTTP_DONE) {
        check(&r1, body1, cap);
        if (t1 != t2 || r1.status != r2.status || r1.body_len != r2.body_len ||
            memcmp(body1, body2, r1.body_len) != 0 || strcmp(r1.nonce, r2.nonce) != 0 ||
            r1.retry_after != r2.retry_after || r1.nlinks != r2.nlinks ||
            http_resp_keep_alive(&p1) != http_resp_keep_alive(&p2))
            abort();
    }
    err_clear();
    return 0;
}
