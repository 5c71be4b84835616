/* crypto_random(): one HMAC-DRBG (SHA-256) per process, seeded once from the kernel. */
#include <string.h>

#include "crypto_int.h"
#include "err.h"
#include "sys.h"

static br_hmac_drbg_context drbg;
static int drbg_ready;

const br_prng_class **crypto_prng(void)
{
    unsigned char seed[48]; /* 384 bits: entropy input plus nonce (SP 800-90A 10.1.2.3) */

    if (drbg_ready) return &drbg.vtable;
    if (sys_entropy(seed, sizeof seed) != 0) {
        err_prefix("seeding the random generator");
        return NULL;
    }
    br_hmac_drbg_init(&drbg, &br_sha256_vtable, seed, sizeof seed);
    memset(seed, 0, sizeof seed);
    drbg_ready = 1;
    return &drbg.vtable;
}

int crypto_random(void *out, size_t n)
{
    const br_prng_class **rng = crypto_prng();

    if (rng == NULL) return -1;
    (*rng)->generate(rng, out, n);
    return 0;
}
