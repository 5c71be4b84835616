/* libFuzzer target: bearssl/alpn_server.c, the TLS-ALPN-01 responder's whole handshake. The
 * input is everything a client sends, handed to io->read in uneven chunks; what the
 * responder writes is checked to be whole TLS records and discarded. The key, the certificate
 * stand-ins and the per-connection seed are fixed, so the responder answers the same client bytes
 * the same way and a recorded client stream (corpus/alpn_server/) replays a complete handshake. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "alpn.h"
#include "crypto.h"
#include "err.h"

static const char key_pem[] = "-----BEGIN PRIVATE KEY-----\n"
                              "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQghs1JYBHWoKbsDhAK\n"
                              "JoWtgaxdsG86yo1b25FwIERFXXyhRANCAASeIWJgIogOLe7zFlFGi98Pj5OxCJaC\n"
                              "jGDNwJEUEgXQJfGVu/OcEo1b28yOeso7m+MXB1IFkwY7UcVuh93p2nnj\n"
                              "-----END PRIVATE KEY-----\n";
static const char *const ids[2] = {"a.example.org", "10.0.0.1"};

static struct crypto_key key;
static uint8_t der[2][ALPN_CERT_MAX];
static char sni[2][ALPN_SNI_MAX];
static struct alpn_cert certs[2];
static const uint8_t seed[32] = {1, 2, 3, 4, 5, 6, 7, 8};

static void need(int ok)
{
    if (!ok) abort();
}

static void setup(void)
{
    static int done;
    size_t i;
    if (done) return;
    need(crypto_key_load_pem(&key, key_pem, strlen(key_pem), "fuzz") == 0);
    for (i = 0; i < 2; i++) {
        /* the responder never parses the certificate (and alpn_cert_make() picks a random
         * serial): a fixed stand-in of a realistic size */
        need(alpn_sni(ids[i], sni[i], sizeof sni[i]) == 0);
        memset(der[i], 0x30 + (int)i, sizeof der[i]);
        certs[i].sni = sni[i];
        certs[i].der = der[i];
        certs[i].der_len = 400 + i * 100;
    }
    done = 1;
}

struct stream {
    const uint8_t *p;
    size_t len, reads;
};

static long stream_read(void *ctx, unsigned char *buf, size_t n)
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

/* Each write is one whole record of a type the responder sends. */
static long check_write(void *ctx, const unsigned char *buf, size_t n)
{
    (void)ctx;
    need(n >= 5 + 1 && n <= 5 + 16384 + 2048);
    need(buf[0] >= 20 && buf[0] <= 22 && buf[1] == 3 && buf[2] == 3);
    need(((size_t)buf[3] << 8 | buf[4]) == n - 5);
    return (long)n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct stream s = {data, size, 0};
    struct alpn_io io = {stream_read, check_write, &s};
    const char *chosen = "unset";
    int r;

    setup();
    r = alpn_serve(&io, certs, 2, &key, seed, &chosen);
    need(r == 0 || r == 1);
    need(r == 1 ? chosen == certs[0].sni || chosen == certs[1].sni : chosen == NULL);
    err_clear();
    return 0;
}
