/* JWK, RFC 7638 thumbprints and flattened JWS, as ACME needs them. */
#include "jws.h"

#include <string.h>

#include "base64.h"
#include "err.h"
#include "json.h"

/* Protected header: alg, nonce (HTTP_NONCE_MAX), url and kid (HTTP_URL_MAX each) or the JWK
 * of an RSA-4096 key (about 720 bytes). */
#define JWS_HEADER_MAX 3072
#define JWK_MAX 1024
#define SIG_MAX 512

void jws_b64url(struct buf *b, const void *in, size_t n)
{
    long r;
    if (b->overflow) return;
    /* its error when it does not fit is replaced by the one for the overflow */
    r = b64_encode((char *)b->p + b->len, b->cap - b->len, in, n, B64_URL);
    if (r < 0)
        b->overflow = 1;
    else
        b->len += (size_t)r;
}

int jws_jwk_pub(const struct crypto_pub *pub, struct buf *out)
{
    if (pub->crv != NULL) {
        buf_puts(out, "{\"crv\":\"");
        buf_puts(out, pub->crv);
        buf_puts(out, "\",\"kty\":\"EC\",\"x\":\"");
        jws_b64url(out, pub->x, pub->coord_len);
        buf_puts(out, "\",\"y\":\"");
        jws_b64url(out, pub->y, pub->coord_len);
        buf_puts(out, "\"}");
    } else if (pub->n != NULL && pub->e != NULL) {
        buf_puts(out, "{\"e\":\"");
        jws_b64url(out, pub->e, pub->e_len);
        buf_puts(out, "\",\"kty\":\"RSA\",\"n\":\"");
        jws_b64url(out, pub->n, pub->n_len);
        buf_puts(out, "\"}");
    } else {
        return err_set(ACME_ELOCAL, "JWK: no public key");
    }
    return buf_check(out, "JWK");
}

int jws_jwk(const struct crypto_key *k, struct buf *out)
{
    struct crypto_pub pub;
    if (crypto_key_public(k, &pub) != 0) return -1;
    return jws_jwk_pub(&pub, out);
}

int jws_thumbprint_pub(const struct crypto_pub *pub, char out[JWS_THUMBPRINT_LEN + 1])
{
    char mem[JWK_MAX];
    uint8_t hash[32];
    struct buf b;

    buf_init(&b, mem, sizeof mem);
    if (jws_jwk_pub(pub, &b) != 0) return -1;
    crypto_sha256(b.p, b.len, hash);
    if (b64_encode(out, JWS_THUMBPRINT_LEN + 1, hash, sizeof hash, B64_URL) != JWS_THUMBPRINT_LEN)
        return err_set(ACME_ELOCAL, "JWK thumbprint: encoding failed");
    return 0;
}

int jws_thumbprint(const struct crypto_key *k, char out[JWS_THUMBPRINT_LEN + 1])
{
    struct crypto_pub pub;
    if (crypto_key_public(k, &pub) != 0) return -1;
    return jws_thumbprint_pub(&pub, out);
}

static int is_b64url_char(int c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

int jws_key_authorization(const char *token, const char *thumbprint, struct buf *out)
{
    size_t i;

    /* RFC 8555 8.1: the token is base64url; anything else could escape a webroot path. */
    for (i = 0; is_b64url_char((unsigned char)token[i]); i++)
        ;
    if (i == 0 || token[i] != '\0')
        return err_set(ACME_EREFUSED, "challenge token is empty or not base64url");
    buf_puts(out, token);
    buf_putc(out, '.');
    buf_puts(out, thumbprint);
    return buf_check(out, "key authorization");
}

/* A memset() the compiler may not drop (for secrets). */
static void wipe(void *p, size_t n)
{
    volatile unsigned char *v = p;
    while (n-- > 0)
        *v++ = 0;
}

typedef int (*jws_signer)(const void *ctx, const void *msg, size_t n, uint8_t *sig, size_t cap,
                          size_t *siglen);

/* Appends {"protected":B64(hdr),"payload":B64(payload),"signature":B64(sig)}. The signing
 * input B64(hdr) "." B64(payload) is first written in place, signed, and then the '.' is
 * widened into the JSON between the two members; no second buffer is needed. */
static int jws_build(struct buf *out, const char *hdr, size_t hlen, const char *payload, size_t n,
                     jws_signer sign, const void *ctx)
{
    static const char mid[] = "\",\"payload\":\"";
    const size_t midlen = sizeof mid - 1;
    uint8_t sig[SIG_MAX];
    size_t s0, dot, s1, siglen;

    buf_puts(out, "{\"protected\":\"");
    s0 = out->len;
    jws_b64url(out, hdr, hlen);
    dot = out->len;
    buf_putc(out, '.');
    jws_b64url(out, payload, n);
    s1 = out->len;
    if (out->overflow || midlen - 1 > out->cap - out->len)
        return err_set(ACME_ELOCAL, "JWS: %zu-byte buffer too small", out->cap);
    if (sign(ctx, out->p + s0, s1 - s0, sig, sizeof sig, &siglen) != 0) return err_prefix("JWS");
    memmove(out->p + dot + midlen, out->p + dot + 1, s1 - dot - 1);
    memcpy(out->p + dot, mid, midlen);
    out->len += midlen - 1;
    buf_puts(out, "\",\"signature\":\"");
    jws_b64url(out, sig, siglen);
    buf_puts(out, "\"}");
    if (out->overflow) return err_set(ACME_ELOCAL, "JWS: %zu-byte buffer too small", out->cap);
    return 0;
}

static int key_signer(const void *ctx, const void *msg, size_t n, uint8_t *sig, size_t cap,
                      size_t *siglen)
{
    return crypto_sign_jws(ctx, msg, n, sig, cap, siglen);
}

/* The protected header {"alg":..,"kid":..|"jwk":..,"nonce":..,"url":..} into h (kid, jwk and
 * nonce when not NULL). */
static int jws_header(struct buf *h, const char *alg, const char *kid, const struct buf *jwk,
                      const char *nonce, const char *url)
{
    struct json_writer w;
    jw_init(&w, h);
    jw_obj_begin(&w);
    jw_key(&w, "alg");
    jw_str(&w, alg);
    if (kid != NULL) {
        jw_key(&w, "kid");
        jw_str(&w, kid);
    }
    if (jwk != NULL) {
        jw_key(&w, "jwk");
        jw_raw(&w, (const char *)jwk->p, jwk->len);
    }
    if (nonce != NULL) {
        jw_key(&w, "nonce");
        jw_str(&w, nonce);
    }
    jw_key(&w, "url");
    jw_str(&w, url);
    jw_obj_end(&w);
    return buf_check(h, "JWS protected header");
}

int jws_sign(const struct crypto_key *k, const char *kid, const char *nonce, const char *url,
             const char *payload, size_t n, struct buf *out)
{
    char hmem[JWS_HEADER_MAX], jmem[JWK_MAX];
    struct buf h, jwk;
    const char *alg = crypto_jws_alg(k);

    if (alg == NULL) return err_set(ACME_ELOCAL, "JWS: no account key");
    buf_init(&h, hmem, sizeof hmem);
    buf_init(&jwk, jmem, sizeof jmem);
    if ((kid == NULL && jws_jwk(k, &jwk) != 0) ||
        jws_header(&h, alg, kid, kid == NULL ? &jwk : NULL, nonce, url) != 0)
        return -1;
    return jws_build(out, (const char *)h.p, h.len, payload, n, key_signer, k);
}

struct hmac_key {
    uint8_t k[JWS_EAB_KEY_MAX];
    size_t n;
};

static int hmac_signer(const void *ctx, const void *msg, size_t n, uint8_t *sig, size_t cap,
                       size_t *siglen)
{
    const struct hmac_key *hk = ctx;
    return crypto_hmac(256, hk->k, hk->n, msg, n, sig, cap, siglen);
}

/* Decodes the EAB key. CAs hand it out as base64url; tolerate '=' padding and the standard
 * alphabet's '+' and '/', which people paste by mistake. */
static int eab_key_decode(const char *s, struct hmac_key *hk)
{
    char tmp[JWS_EAB_KEY_MAX / 3 * 4 + 8];
    size_t n = strlen(s), i;
    long r;

    while (n > 0 && s[n - 1] == '=')
        n--;
    if (n == 0) return err_set(ACME_ECONFIG, "eab_hmac_key is empty");
    if (n > sizeof tmp)
        return err_set(ACME_ECONFIG, "eab_hmac_key is longer than JWS_EAB_KEY_MAX (%d bytes)",
                       JWS_EAB_KEY_MAX);
    for (i = 0; i < n; i++)
        tmp[i] = s[i] == '+' ? '-' : s[i] == '/' ? '_' : s[i];
    r = b64_decode(hk->k, sizeof hk->k, tmp, n, B64_URL);
    wipe(tmp, sizeof tmp);
    if (r <= 0) {
        err_recode(ACME_ECONFIG);
        return err_prefix("eab_hmac_key is not valid base64url");
    }
    hk->n = (size_t)r;
    return 0;
}

int jws_eab(const struct crypto_key *account_key, const char *eab_kid, const char *hmac_key_b64,
            const char *url, struct buf *out)
{
    char hmem[JWS_HEADER_MAX], jmem[JWK_MAX];
    struct buf h, jwk;
    struct hmac_key hk;
    int r = -1;

    buf_init(&jwk, jmem, sizeof jmem);
    buf_init(&h, hmem, sizeof hmem);
    if (jws_jwk(account_key, &jwk) != 0 || jws_header(&h, "HS256", eab_kid, NULL, NULL, url) != 0)
        return err_prefix("external account binding");
    if (eab_key_decode(hmac_key_b64, &hk) == 0 &&
        (r = jws_build(out, (const char *)h.p, h.len, (const char *)jwk.p, jwk.len, hmac_signer,
                       &hk)) != 0)
        err_prefix("external account binding");
    wipe(&hk, sizeof hk);
    return r;
}
