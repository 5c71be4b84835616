/* cryptotool: drives the bearssl/ crypto and core/jws.c from shell tests, so that openssl can
 * act as the oracle (tests/integration/test_crypto_openssl.sh) and for tests/bench/crypto.sh.
 *
 *   cryptotool genkey TYPE OUT              write a new PKCS#8 key (TYPE: ec-256 ... rsa-4096)
 *   cryptotool loadkey IN [spki|jwk|pem]    print the public key (SPKI PEM), its JWK, or the
 *                                           private key re-encoded as PKCS#8 PEM
 *   cryptotool thumbprint KEY               RFC 7638 thumbprint
 *   cryptotool csr KEY [--no-cn] [--must-staple] NAME...          CSR as PEM
 *   cryptotool selfsign KEY DAYS [--ca] [--cn CN] [NAME...]       certificate as PEM
 *   cryptotool casign CAKEY CACERT KEY DAYS [--cn CN] NAME...     certificate as PEM
 *   cryptotool sign KEY FILE                JWS signature of FILE's bytes, raw, to stdout
 *   cryptotool jws KEY URL NONCE PAYLOAD [KID]   flattened JWS
 *   cryptotool bench [ROUNDS [TYPE...]]     key generation and signing times per type
 *                                           (RSA keys are generated once: it is slow)
 *
 * Exit status: 0 ok, otherwise the acme.c error status with the message on stderr. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "crypto.h"
#include "err.h"
#include "jws.h"
#include "log.h"
#include "pem.h"
#include "../../bearssl/crypto_int.h"

#define FILE_MAX 65536

static char filebuf[FILE_MAX];
static char outmem[65536];
static uint8_t der[16384];

static int fail(void)
{
    fprintf(stderr, "cryptotool: %s\n", err_msg());
    return err_status() ? err_status() : 1;
}

static int usage(void)
{
    fprintf(stderr, "usage: cryptotool genkey|loadkey|thumbprint|csr|selfsign|casign|sign|jws|"
                    "bench ... (see the source)\n");
    return 2;
}

static long read_file(const char *path, char *buf, size_t cap)
{
    FILE *f = fopen(path, "rb");
    size_t n;
    if (f == NULL) {
        err_set(ACME_ELOCAL, "%s: cannot open", path);
        return -1;
    }
    n = fread(buf, 1, cap - 1, f);
    fclose(f);
    if (n == cap - 1) {
        err_set(ACME_ELOCAL, "%s: larger than %zu bytes", path, cap - 1);
        return -1;
    }
    buf[n] = '\0';
    return (long)n;
}

static int load_key(const char *path, struct crypto_key *k)
{
    long n = read_file(path, filebuf, sizeof filebuf);
    if (n < 0) return -1;
    return crypto_key_load_pem(k, filebuf, (size_t)n, path);
}

static void put_pem(const char *label, const uint8_t *d, size_t n)
{
    struct buf b;
    buf_init(&b, outmem, sizeof outmem);
    pem_write(&b, label, d, n);
    fwrite(b.p, 1, b.len, stdout);
}

static int cmd_genkey(int argc, char **argv)
{
    static struct crypto_key k;
    struct buf b;
    enum key_type t;
    FILE *f;

    if (argc != 4) return usage();
    if (key_type_parse(argv[2], &t) != 0 || crypto_key_generate(&k, t) != 0) return fail();
    buf_init(&b, outmem, sizeof outmem);
    if (crypto_key_write_pem(&k, &b) != 0) return fail();
    f = fopen(argv[3], "wb");
    if (f == NULL || fwrite(b.p, 1, b.len, f) != b.len || fclose(f) != 0) {
        fprintf(stderr, "cryptotool: cannot write %s\n", argv[3]);
        return 7;
    }
    return 0;
}

static int cmd_loadkey(int argc, char **argv)
{
    static struct crypto_key k;
    const char *what = argc > 3 ? argv[3] : "spki";
    struct buf b;
    size_t n;

    if (argc < 3 || load_key(argv[2], &k) != 0) return argc < 3 ? usage() : fail();
    buf_init(&b, outmem, sizeof outmem);
    if (strcmp(what, "spki") == 0) {
        if (crypto_key_spki(&k, der, sizeof der, &n) != 0) return fail();
        put_pem("PUBLIC KEY", der, n);
        return 0;
    }
    if (strcmp(what, "jwk") == 0) {
        if (jws_jwk(&k, &b) != 0) return fail();
    } else if (strcmp(what, "pem") == 0) {
        if (crypto_key_write_pem(&k, &b) != 0) return fail();
    } else {
        return usage();
    }
    fwrite(b.p, 1, b.len, stdout);
    if (strcmp(what, "jwk") == 0) putchar('\n');
    return 0;
}

static int cmd_thumbprint(int argc, char **argv)
{
    static struct crypto_key k;
    char tp[JWS_THUMBPRINT_LEN + 1];
    if (argc != 3) return usage();
    if (load_key(argv[2], &k) != 0 || jws_thumbprint(&k, tp) != 0) return fail();
    printf("%s\n", tp);
    return 0;
}

static int cmd_csr(int argc, char **argv)
{
    static struct crypto_key k;
    struct csr_opts o;
    int i = 3;
    size_t n;

    memset(&o, 0, sizeof o);
    if (argc < 4) return usage();
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--no-cn") == 0)
            o.no_cn = 1;
        else if (strcmp(argv[i], "--must-staple") == 0)
            o.must_staple = 1;
        else
            return usage();
    }
    o.names = (const char *const *)argv + i;
    o.n = (size_t)(argc - i);
    if (load_key(argv[2], &k) != 0 || crypto_csr(&k, &o, der, sizeof der, &n) != 0) return fail();
    put_pem("CERTIFICATE REQUEST", der, n);
    return 0;
}

/* selfsign KEY DAYS ... and casign CAKEY CACERT KEY DAYS ... */
static int cmd_cert(int argc, char **argv, int ca_signed)
{
    static struct crypto_key k, cak;
    static uint8_t ca_der[8192];
    struct cert_opts o;
    int i = ca_signed ? 6 : 4;
    size_t n;
    long days;

    memset(&o, 0, sizeof o);
    if (argc < i) return usage();
    days = strtol(argv[i - 1], NULL, 10);
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--ca") == 0)
            o.is_ca = 1;
        else if (strcmp(argv[i], "--cn") == 0 && i + 1 < argc)
            o.cn = argv[++i];
        else
            return usage();
    }
    o.names = (const char *const *)argv + i;
    o.n = (size_t)(argc - i);
    o.not_before = (int64_t)time(NULL) - 3600;
    o.not_after = (int64_t)time(NULL) + days * 86400;
    if (ca_signed) {
        long len = read_file(argv[3], filebuf, sizeof filebuf);
        size_t pos = 0;
        if (len < 0) return fail();
        if (pem_next(filebuf, (size_t)len, &pos, "CERTIFICATE", NULL, ca_der, sizeof ca_der,
                     &o.issuer_len) != 1) {
            fprintf(stderr, "cryptotool: no certificate in %s\n", argv[3]);
            return 2;
        }
        o.issuer_der = ca_der;
        if (load_key(argv[2], &cak) != 0) return fail();
        o.issuer_key = &cak;
    }
    if (load_key(argv[ca_signed ? 4 : 2], &k) != 0 || crypto_cert(&k, &o, der, sizeof der, &n))
        return fail();
    put_pem("CERTIFICATE", der, n);
    return 0;
}

static int cmd_sign(int argc, char **argv)
{
    static struct crypto_key k;
    static char msg[FILE_MAX];
    uint8_t sig[512];
    size_t siglen;
    long n;

    if (argc != 4) return usage();
    if (load_key(argv[2], &k) != 0) return fail();
    n = read_file(argv[3], msg, sizeof msg);
    if (n < 0 || crypto_sign_jws(&k, msg, (size_t)n, sig, sizeof sig, &siglen) != 0) return fail();
    fwrite(sig, 1, siglen, stdout);
    return 0;
}

static int cmd_jws(int argc, char **argv)
{
    static struct crypto_key k;
    struct buf b;

    if (argc != 6 && argc != 7) return usage();
    if (load_key(argv[2], &k) != 0) return fail();
    buf_init(&b, outmem, sizeof outmem);
    if (jws_sign(&k, argc == 7 ? argv[6] : NULL, argv[4], argv[3], argv[5], strlen(argv[5]), &b) !=
        0)
        return fail();
    fwrite(b.p, 1, b.len, stdout);
    putchar('\n');
    return 0;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

static int cmd_bench(int argc, char **argv)
{
    static struct crypto_key k;
    static const enum key_type types[] = {KEY_EC256,   KEY_EC384,   KEY_EC521,
                                          KEY_RSA2048, KEY_RSA3072, KEY_RSA4096};
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    const char msg[] = "eyJhbGciOiJFUzI1NiJ9.eyJub25jZSI6IngifQ";
    size_t i;

    if (rounds < 1) rounds = 1;
    log_verbosity = -1; /* no "generating rsa-N key" lines between the rows */
    printf("%-10s %14s %14s\n", "key", "keygen ms", "sign ms");
    for (i = 0; i < sizeof types / sizeof types[0]; i++) {
        double t0, gen = 0, sig = 0;
        int r, gen_rounds = key_type_is_rsa(types[i]) ? 1 : rounds;
        uint8_t s[512];
        size_t sl;

        if (argc > 3) { /* only the types named */
            int j, want = 0;
            for (j = 3; j < argc; j++)
                want |= strcmp(argv[j], key_type_name(types[i])) == 0;
            if (!want) continue;
        }
        for (r = 0; r < gen_rounds; r++) {
            t0 = now_ms();
            if (crypto_key_generate(&k, types[i]) != 0) {
                printf("%-10s %14s\n", key_type_name(types[i]), "unsupported");
                err_clear();
                break;
            }
            gen += now_ms() - t0;
        }
        if (r < gen_rounds) continue;
        for (r = 0; r < rounds; r++) {
            t0 = now_ms();
            if (crypto_sign_jws(&k, msg, sizeof msg - 1, s, sizeof s, &sl) != 0) return fail();
            sig += now_ms() - t0;
        }
        printf("%-10s %14.1f %14.2f\n", key_type_name(types[i]), gen / gen_rounds, sig / rounds);
        fflush(stdout);
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) return usage();
    if (strcmp(argv[1], "genkey") == 0) return cmd_genkey(argc, argv);
    if (strcmp(argv[1], "loadkey") == 0) return cmd_loadkey(argc, argv);
    if (strcmp(argv[1], "thumbprint") == 0) return cmd_thumbprint(argc, argv);
    if (strcmp(argv[1], "csr") == 0) return cmd_csr(argc, argv);
    if (strcmp(argv[1], "selfsign") == 0) return cmd_cert(argc, argv, 0);
    if (strcmp(argv[1], "casign") == 0) return cmd_cert(argc, argv, 1);
    if (strcmp(argv[1], "sign") == 0) return cmd_sign(argc, argv);
    if (strcmp(argv[1], "jws") == 0) return cmd_jws(argc, argv);
    if (strcmp(argv[1], "bench") == 0) return cmd_bench(argc, argv);
    return usage();
}
