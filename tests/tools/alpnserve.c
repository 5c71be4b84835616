/* alpnserve: runs the built-in TLS-ALPN-01 responder (core/alpn.h) on a loopback port for
 * tests/integration/test_lifecycle.sh, which probes it with TLS clients.
 *
 *   alpnserve [-v] NAME KEYAUTH [NAME KEYAUTH]...
 *
 * Prints the port on stdout, serves until stdin reaches end of file (at most 60 s), stops the
 * responder and exits 0; on an error prints it and exits with its status (core/err.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alpn.h"
#include "err.h"
#include "log.h"
#include "sys.h"

#define MAX 8

int main(int argc, char **argv)
{
    static struct crypto_key key;
    static uint8_t der[MAX][ALPN_CERT_MAX];
    static char sni[MAX][ALPN_SNI_MAX];
    struct alpn_cert certs[MAX];
    size_t n = 0;
    int i = 1;
    char c;

    if (argc > 1 && strcmp(argv[1], "-v") == 0) {
        log_verbosity = 2;
        i++;
    }
    if ((argc - i) % 2 != 0 || argc - i < 2 || (argc - i) / 2 > MAX) {
        fputs("usage: alpnserve [-v] NAME KEYAUTH [NAME KEYAUTH]...\n", stderr);
        return ACME_ECONFIG;
    }
    if (crypto_key_generate(&key, KEY_EC256) < 0) goto fail;
    for (; i < argc; i += 2, n++) {
        if (alpn_sni(argv[i], sni[n], sizeof sni[n]) < 0 ||
            alpn_cert_make(&key, argv[i], argv[i + 1], sys_now(), der[n], sizeof der[n],
                           &certs[n].der_len) < 0)
            goto fail;
        certs[n].sni = sni[n];
        certs[n].der = der[n];
    }
    if (alpn_start("127.0.0.1:0", certs, n, &key, 60) < 0) goto fail;
    printf("%u\n", alpn_port());
    fflush(stdout);
    while (read(0, &c, 1) > 0)
        ;
    alpn_stop();
    return 0;
fail:
    fprintf(stderr, "alpnserve: %s\n", err_msg());
    return err_status();
}
