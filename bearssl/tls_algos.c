/* The symmetric algorithms registered in our BearSSL TLS client engine (the TLS-ALPN-01
 * responder uses the same AES-GCM ones directly): exactly one implementation of each, chosen
 * at compile time by word size (crypto_int.h).
 * BearSSL's br_ssl_engine_set_default_* helpers pick at run time and therefore link every
 * candidate (AES-NI, POWER8, SSE2, 64-bit multiply variants) into the static binary. */
#include <bearssl.h>
#include <stdint.h>

#include "crypto_int.h"

void tls_set_aes_gcm(br_ssl_engine_context *eng)
{
    br_ssl_engine_set_gcm(eng, &br_sslrec_in_gcm_vtable, &br_sslrec_out_gcm_vtable);
    br_ssl_engine_set_aes_ctr(eng, TLS_AES_CTR);
    br_ssl_engine_set_ghash(eng, TLS_GHASH);
}

void tls_set_chapol(br_ssl_engine_context *eng)
{
    br_ssl_engine_set_chapol(eng, &br_sslrec_in_chapol_vtable, &br_sslrec_out_chapol_vtable);
    br_ssl_engine_set_chacha20(eng, br_chacha20_ct_run);
    br_ssl_engine_set_poly1305(eng, br_poly1305_ctmul_run);
}
