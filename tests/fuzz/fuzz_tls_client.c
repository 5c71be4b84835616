/* libFuzzer target: bearssl/tls12_client.c, our TLS 1.2 client, from the ClientHello to the
 * close_notify. The input is everything a server sends, handed to io->read in uneven chunks;
 * what the client writes is checked to be whole TLS records and discarded. The client's seed
 * (client random, ephemeral key) and server name are fixed and the chain "validation" trusts
 * the leaf, so a recorded server stream (corpus/tls_client/, made against BearSSL's server
 * engine in tests/unit/test_tls_client.c's setting) replays a complete handshake, application
 * data in both directions and the close. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../bearssl/tls12_client.h"
#include "err.h"
#include "x509.h"

static struct tls12_client tc;
static struct x509_chain chain;

static void need(int ok)
{
    if (!ok) abort();
}

struct stream {
    const uint8_t *p;
    size_t len, reads;
};

static long stream_read(void *ctx, uint8_t *buf, size_t n)
{
    static const size_t chunks[] = {4096, 3, 700, 1, 64};
    struct stream *s = ctx;
    size_t max = chunks[s->reads++ % (sizeof chunks / sizeof chunks[0])];
    if (n > max) n = max;
    if (n > s->len) n = s->len;
    memcpy(buf, s->p, n);
    s->p += n;
    s->len -= n;
    return (long)n;
}

/* Each write is one whole record of a type the client sends, within the record limits. */
static long check_write(void *ctx, const uint8_t *buf, size_t n)
{
    (void)ctx;
    need(n >= 5 + 1 && n <= 5 + 16384 + 8 + 16);
    need(buf[0] >= 20 && buf[0] <= 23 && buf[1] == 3 && buf[2] == 3);
    need(((size_t)buf[3] << 8 | buf[4]) == n - 5);
    return (long)n;
}

/* Trusts the leaf: its key, when it has one. */
static int accept_leaf(void *ctx, struct x509_pubkey *key, unsigned *usages)
{
    struct x509_info x;
    size_t len;
    const uint8_t *leaf = x509_chain_leaf(&chain, &len);

    (void)ctx;
    if (leaf == NULL || x509_parse(leaf, len, &x) != 0 ||
        x509_spki_key(x.spki, x.spki_len, key) != 0 || key->type == 0) {
        err_clear();
        return X509_CHAIN_INVALID;
    }
    *usages = X509_USAGE_SIGN | X509_USAGE_KEYX;
    return X509_CHAIN_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t seed[32] = {9, 8, 7}; /* as test_tls_client.c */
    static uint8_t buf[20000];
    struct stream s = {data, size, 0};
    struct tls12_io io = {stream_read, check_write, &s};
    size_t len;
    long r;
    int i;

    tc.chain = &chain;
    tc.validate = accept_leaf;
    if (tls12_client_handshake(&tc, &io, "test.example", seed) != 0) {
        need(tc.err != 0 && !tc.established);
        need(tls12_client_write(&tc, buf, 1) == -1);
        return 0;
    }
    need(tc.err == 0 && tc.suite >= 0 && tc.suite < TLS_CLIENT_SUITES);
    for (i = 0; i < 64; i++) {
        memset(buf, 'a' + i % 26, 100);
        if (tls12_client_write(&tc, buf, 100) != 0) break;
        r = tls12_client_read(&tc, buf, sizeof buf);
        need(r >= -1 && r <= (long)sizeof buf);
        if (r <= 0) {
            need(r == 0 ? tc.err == 0 && tc.closed : tc.err != 0);
            break;
        }
    }
    if (tls12_client_close_notify(&tc, &len) != NULL)
        need(len == 5 + 8 + 2 + 16 || len == 5 + 2 + 16);
    tls12_client_wipe(&tc);
    return 0;
}
