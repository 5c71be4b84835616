/* libFuzzer target for the ca_file reader of platform/tls_common.c and the trust anchors
 * bearssl/trust_store.c makes of it with core/x509.c: the input is a CA bundle (read through a
 * memfd, as from a file, in 4 KiB pieces). Whatever the reader hands over must be a DER
 * certificate-shaped blob within TLS_CERT_DER_MAX, the count it returns must match, and errors
 * must carry a message naming ca_file. Every anchor trust_store_load() makes must be one that
 * BearSSL's br_x509_decoder makes of the same certificates, byte for byte (it may skip more:
 * core/x509.c is the stricter parser). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <bearssl.h>

#include "err.h"
#include "../../bearssl/trust_store.h"
#include "../../platform/tls_common.h"

static int calls;

/* What br_x509_decoder makes of each certificate: the DN and key, concatenated. */
#define WANT_MAX 64
static struct {
    uint8_t bytes[TLS_CERT_DER_MAX];
    size_t len;
    unsigned flags;
    int key_type, curve;
} want[WANT_MAX];
static size_t nwant;
static size_t dn_len;

static void dn_append(void *ctx, const void *buf, size_t len)
{
    (void)ctx;
    if (nwant < WANT_MAX && len <= sizeof want[0].bytes - dn_len) {
        memcpy(want[nwant].bytes + dn_len, buf, len);
        dn_len += len;
    }
}

static void append(const void *p, size_t n)
{
    if (n > sizeof want[0].bytes - want[nwant].len) abort();
    memcpy(want[nwant].bytes + want[nwant].len, p, n);
    want[nwant].len += n;
}

static int each(void *ctx, const uint8_t *der, size_t n)
{
    static uint8_t copy[TLS_CERT_DER_MAX];
    static br_x509_decoder_context dc;
    const br_x509_pkey *pk;

    (void)ctx;
    if (n == 0 || n > TLS_CERT_DER_MAX) abort();
    memcpy(copy, der, n); /* every byte handed over is readable (ASan checks the copy) */
    calls++;
    dn_len = 0;
    br_x509_decoder_init(&dc, dn_append, NULL);
    br_x509_decoder_push(&dc, der, n);
    pk = br_x509_decoder_get_pkey(&dc);
    if (pk != NULL && nwant < WANT_MAX) {
        want[nwant].len = dn_len;
        want[nwant].flags = br_x509_decoder_isCA(&dc) ? BR_X509_TA_CA : 0;
        want[nwant].key_type = pk->key_type;
        want[nwant].curve = pk->key_type == BR_KEYTYPE_EC ? pk->key.ec.curve : 0;
        if (pk->key_type == BR_KEYTYPE_RSA) {
            append(pk->key.rsa.n, pk->key.rsa.nlen);
            append(pk->key.rsa.e, pk->key.rsa.elen);
        } else {
            append(pk->key.ec.q, pk->key.ec.qlen);
        }
        nwant++;
    }
    return 0;
}

static void put(uint8_t *got, size_t *len, const void *p, size_t n)
{
    if (n > TLS_CERT_DER_MAX - *len) abort();
    memcpy(got + *len, p, n);
    *len += n;
}

/* The anchor's DN and key, concatenated, are those of a decoder result from *from on. */
static void check_anchor(const br_x509_trust_anchor *ta, size_t *from)
{
    static uint8_t got[TLS_CERT_DER_MAX];
    size_t len = ta->dn.len;

    if (len > sizeof got) abort();
    memcpy(got, ta->dn.data, len);
    if (ta->pkey.key_type == BR_KEYTYPE_RSA) {
        put(got, &len, ta->pkey.key.rsa.n, ta->pkey.key.rsa.nlen);
        put(got, &len, ta->pkey.key.rsa.e, ta->pkey.key.rsa.elen);
    } else {
        put(got, &len, ta->pkey.key.ec.q, ta->pkey.key.ec.qlen);
    }
    for (; *from < nwant; ++*from) {
        if (want[*from].len == len && memcmp(want[*from].bytes, got, len) == 0 &&
            want[*from].flags == ta->flags && want[*from].key_type == ta->pkey.key_type &&
            (ta->pkey.key_type != BR_KEYTYPE_EC || want[*from].curve == ta->pkey.key.ec.curve)) {
            ++*from;
            return;
        }
    }
    abort(); /* an anchor BearSSL's decoder would not have made */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1, flip;
    static char path[2][64];
    const br_x509_trust_anchor *tas;
    const char *source;
    size_t n, i, from = 0;
    int r;

    if (fd < 0) {
        fd = memfd_create("bundle", 0);
        if (fd < 0) abort();
        /* Two names for the file, used in turn. */
        snprintf(path[0], sizeof path[0], "/proc/self/fd/%d", fd);
        snprintf(path[1], sizeof path[1], "/proc/%d/fd/%d", (int)getpid(), fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) abort();
    calls = 0;
    nwant = 0;
    r = tls_each_trust_cert(path[0], each, NULL, NULL);
    if (r >= 0 && r != calls) abort();
    if (r < 0 && (err_status() != ACME_ELOCAL || strstr(err_msg(), "ca_file") == NULL)) abort();
    err_clear();
    if (r > 0 && nwant < WANT_MAX) {
        /* A new path at every load: trust_store_load() keeps what it loaded for a path. */
        flip ^= 1;
        if (trust_store_load(path[flip], &tas, &n, &source) == 0) {
            if (n == 0 || n > (size_t)r) abort();
            for (i = 0; i < n; i++)
                check_anchor(&tas[i], &from);
        }
    }
    err_clear();
    return 0;
}
