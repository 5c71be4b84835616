/* See tls12.h. */
#include "tls12.h"

#include <string.h>

#include "crypto_int.h"

/* ChaCha20 with SSE2, which every x86_64 CPU has (smaller and faster than the portable code) */
#if defined(__x86_64__)
#define TLS_CHACHA20 br_chacha20_sse2_run
#else
#define TLS_CHACHA20 br_chacha20_ct_run
#endif

int tls12_aes_off;

const br_block_ctr_class *tls_aes_ctr(br_ghash *ghash)
{
    if (tls12_aes_off) return NULL;
#if defined(__x86_64__)
    if (aes_ni_supported()) {
        *ghash = aes_ni_ghash;
        return &aes_ni_ctr_vtable;
    }
#endif
#if defined(__x86_64__) && !defined(CONFIG_X86_64_SOFT_AES)
    return NULL;
#elif UINTPTR_MAX > 0xFFFFFFFFu
    *ghash = br_ghash_ctmul64;
    return &br_aes_ct64_ctr_vtable;
#else
    *ghash = br_ghash_ctmul;
    return &br_aes_ct_ctr_vtable;
#endif
}

int tls12_aes_gcm(void)
{
    br_ghash ghash;

    return tls_aes_ctr(&ghash) != NULL;
}

void tls12_start(struct tls12 *t, int hashes)
{
    t->hashes = hashes;
    br_sha256_init(&t->sha256);
    br_sha384_init(&t->sha384);
}

void tls12_set_aead(struct tls12 *t, enum tls12_aead aead)
{
    t->aead = aead;
    t->hashes = aead == TLS12_AES256_GCM ? TLS12_SHA384 : TLS12_SHA256;
}

void tls12_transcript(struct tls12 *t, const uint8_t *msg, size_t len)
{
    if (t->hashes & TLS12_SHA256) br_sha256_update(&t->sha256, msg, len);
    if (t->hashes & TLS12_SHA384) br_sha384_update(&t->sha384, msg, len);
}

/* The suite's PRF (RFC 5246 5). */
static void prf(const struct tls12 *t, void *out, size_t len, const void *secret, size_t secret_len,
                const char *label, size_t nseed, const br_tls_prf_seed_chunk *seed)
{
    if (t->hashes == TLS12_SHA384)
        br_tls12_sha384_prf(out, len, secret, secret_len, label, nseed, seed);
    else
        br_tls12_sha256_prf(out, len, secret, secret_len, label, nseed, seed);
}

void tls12_keys(struct tls12 *t, const uint8_t *premaster, size_t len, int client)
{
    /* client_write_key, server_write_key, client_write_IV, server_write_IV (RFC 5246 6.3; AEAD
     * suites have no MAC keys): 4-byte implicit nonces for GCM (RFC 5288), 12 bytes for
     * ChaCha20-Poly1305 (RFC 7905). */
    size_t key_len = t->aead == TLS12_AES128_GCM ? 16 : 32;
    size_t iv_len = t->aead == TLS12_CHACHA20_POLY1305 ? 12 : 4;
    uint8_t block[2 * 32 + 2 * 12];
    const uint8_t *ckey = block, *skey = block + key_len, *civ = block + 2 * key_len;
    const uint8_t *siv = civ + iv_len;
    const uint8_t *in_key = client ? skey : ckey, *out_key = client ? ckey : skey;
    const uint8_t *in_iv = client ? siv : civ, *out_iv = client ? civ : siv;
    br_tls_prf_seed_chunk seed[2];

    seed[0].data = t->client_random;
    seed[1].data = t->server_random;
    seed[0].len = seed[1].len = TLS_RANDOM_LEN;
    prf(t, t->master, TLS12_MASTER_LEN, premaster, len, "master secret", 2, seed);
    seed[0].data = t->server_random;
    seed[1].data = t->client_random;
    prf(t, block, 2 * key_len + 2 * iv_len, t->master, TLS12_MASTER_LEN, "key expansion", 2, seed);
    if (t->aead == TLS12_CHACHA20_POLY1305) {
        br_sslrec_in_chapol_vtable.init(&t->in.chapol.vtable.in, TLS_CHACHA20,
                                        br_poly1305_ctmul_run, in_key, in_iv);
        br_sslrec_out_chapol_vtable.init(&t->out.chapol.vtable.out, TLS_CHACHA20,
                                         br_poly1305_ctmul_run, out_key, out_iv);
    } else { /* an AES suite is only offered or accepted when tls12_aes_gcm() */
        br_ghash ghash = NULL;
        const br_block_ctr_class *ctr = tls_aes_ctr(&ghash);
        br_sslrec_in_gcm_vtable.init(&t->in.gcm.vtable.in, ctr, in_key, key_len, ghash, in_iv);
        br_sslrec_out_gcm_vtable.init(&t->out.gcm.vtable.out, ctr, out_key, key_len, ghash, out_iv);
    }
    crypto_wipe(block, sizeof block);
}

void tls12_verify_data(const struct tls12 *t, int from_server, uint8_t out[TLS_VERIFY_LEN])
{
    uint8_t hash[48];
    br_tls_prf_seed_chunk seed = {hash, 32};

    if (t->hashes == TLS12_SHA384) {
        br_sha384_context copy = t->sha384;
        br_sha384_out(&copy, hash);
        seed.len = 48;
    } else {
        br_sha256_context copy = t->sha256;
        br_sha256_out(&copy, hash);
    }
    prf(t, out, TLS_VERIFY_LEN, t->master, TLS12_MASTER_LEN,
        from_server ? "server finished" : "client finished", 1, &seed);
}

uint8_t *tls12_seal(struct tls12 *t, unsigned type, uint8_t *buf, size_t *len)
{
    return t->out.vtable->encrypt(&t->out.vtable, (int)type, TLS_VERSION_12, buf + TLS12_PAYLOAD,
                                  len);
}

uint8_t *tls12_record(struct tls12 *t, int encrypting, unsigned type, uint8_t *buf, size_t *len)
{
    if (encrypting) return tls12_seal(t, type, buf, len);
    tls_record_put_header(buf + TLS12_PAYLOAD - TLS_HEADER_LEN, type, *len);
    *len += TLS_HEADER_LEN;
    return buf + TLS12_PAYLOAD - TLS_HEADER_LEN;
}

int tls12_read_full(long (*read)(void *ctx, uint8_t *buf, size_t n), void *ctx, uint8_t *p,
                    size_t n)
{
    while (n > 0) {
        long r = read(ctx, p, n);
        if (r <= 0 || (size_t)r > n) return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int tls12_write_full(long (*write)(void *ctx, const uint8_t *buf, size_t n), void *ctx,
                     const uint8_t *p, size_t n)
{
    while (n > 0) {
        long r = write(ctx, p, n);
        if (r <= 0 || (size_t)r > n) return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

int tls12_open_length(struct tls12 *t, size_t len)
{
    return t->in.vtable->check_length(&t->in.vtable, len);
}

uint8_t *tls12_open(struct tls12 *t, const uint8_t header[TLS_HEADER_LEN], uint8_t *payload,
                    size_t *len)
{
    return t->in.vtable->decrypt(&t->in.vtable, header[0], (unsigned)header[1] << 8 | header[2],
                                 payload, len);
}
