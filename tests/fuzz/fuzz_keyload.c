/* libFuzzer target for the private key loader (bearssl/key.c over core/pem.c and core/der.c).
 * Input starting with '-' is PEM text as read from a key file; anything else is DER (after one
 * selector byte choosing the label) wrapped into PEM here, so the fuzzer reaches the DER
 * decoders without having to find valid base64 first. A key that loads must write back as
 * PKCS#8 PEM, reload to the same public key, and (EC) sign. DER inputs are also decoded with
 * BearSSL's br_skey_decoder (which key.c used before): what it rejects must be rejected, what
 * it accepts must load as the same kind of key unless our own checks (range, modulus, sizes)
 * or DER's minimal lengths refuse it. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bearssl.h>

#include "buf.h"
#include "err.h"
#include "crypto.h"
#include "pem.h"

static char text[1 << 16];
static char again[1 << 14];

static void same_public(const struct crypto_key *a, const struct crypto_key *b)
{
    struct crypto_pub pa, pb;
    if (crypto_key_public(a, &pa) != 0 || crypto_key_public(b, &pb) != 0) abort();
    if (pa.type != pb.type || pa.coord_len != pb.coord_len || pa.n_len != pb.n_len ||
        pa.e_len != pb.e_len)
        abort();
    if (pa.crv != NULL &&
        (memcmp(pa.x, pb.x, pa.coord_len) != 0 || memcmp(pa.y, pb.y, pa.coord_len) != 0))
        abort();
    if (pa.crv == NULL && (memcmp(pa.n, pb.n, pa.n_len) != 0 || memcmp(pa.e, pb.e, pa.e_len) != 0))
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const labels[] = {"PRIVATE KEY", "EC PRIVATE KEY", "RSA PRIVATE KEY"};
    static struct crypto_key k, k2;
    struct buf b;
    size_t len;
    uint8_t sig[512];
    size_t siglen;
    int rc;

    if (size > 8192) return 0;
    if (size > 0 && data[0] == '-') {
        memcpy(text, data, size);
        len = size;
    } else {
        if (size == 0) return 0;
        buf_init(&b, text, sizeof text);
        pem_write(&b, labels[data[0] % 3], data + 1, size - 1);
        if (b.overflow) return 0;
        len = b.len;
    }
    rc = crypto_key_load_pem(&k, text, len, "fuzz.key");
    if (data[0] != '-') {
        static br_skey_decoder_context dc;
        int ok;
        br_skey_decoder_init(&dc);
        br_skey_decoder_push(&dc, data + 1, size - 1);
        ok = br_skey_decoder_last_error(&dc) == 0;
        if (rc == 0 && !ok) abort();
        if (rc == 0 && key_type_is_rsa(k.type) != (br_skey_decoder_key_type(&dc) == BR_KEYTYPE_RSA))
            abort();
        if (rc != 0 && ok && strstr(err_msg(), "non-minimal length") == NULL &&
            strstr(err_msg(), "length bytes") == NULL &&
            strstr(err_msg(), "out of range") == NULL && strstr(err_msg(), "RSA key") == NULL &&
            strstr(err_msg(), "does not fit") == NULL &&
            strstr(err_msg(), "public key computation") == NULL &&
            strstr(err_msg(), "larger than") == NULL)
            abort();
    }
    if (rc != 0) {
        if (k.type != KEY_NONE) abort(); /* a failed load leaves no half key behind */
        return 0;
    }
    buf_init(&b, again, sizeof again);
    if (crypto_key_write_pem(&k, &b) != 0) abort();
    if (crypto_key_load_pem(&k2, again, b.len, "rewritten") != 0) abort();
    same_public(&k, &k2);
    if (crypto_jws_alg(&k) == NULL) abort();
    /* EC keys always sign. An RSA key is only checked for n = p*q at load time; CRT values
     * that do not fit p and q (which the fuzzer can make) may make BearSSL refuse to sign. */
    if (crypto_sign_jws(&k, "x.y", 3, sig, sizeof sig, &siglen) != 0 && !key_type_is_rsa(k.type))
        abort();
    crypto_key_wipe(&k);
    crypto_key_wipe(&k2);
    return 0;
}
