/* x509dump FILE: prints the fields core/x509.c reads from every CERTIFICATE block of a PEM
 * file, one "key=value" line each, in the normalised form tests/integration/test_x509_oracle.sh
 * compares with openssl's output:
 *
 *   cert=INDEX               (0-based)
 *   notBefore=EPOCH          notAfter=EPOCH
 *   serial=HEX               (upper case, two digits a byte, like openssl -serial)
 *   san=DNS:a, IP:b          (only when the certificate has names of these kinds, in order)
 *   aki=HH:HH:..  ski=HH:..  (only when present)
 *   ca=0|1  issuer_cn=..  subject_cn=..
 *
 * A certificate that does not parse prints "error=MESSAGE"; the exit status is then 1. */
#include <stdio.h>
#include <string.h>

#include "err.h"
#include "pem.h"
#include "x509.h"

static char text[8 << 20];
static uint8_t der[256 << 10];

static void hex(const char *key, const uint8_t *p, size_t n, const char *sep)
{
    printf("%s=", key);
    for (size_t i = 0; i < n; i++)
        printf("%s%02X", i > 0 ? sep : "", p[i]);
    printf("\n");
}

static int dump(const uint8_t *d, size_t n)
{
    struct x509_info c;
    size_t pos = 0;
    int kind, rc, count = 0;
    char name[1024];

    if (x509_parse(d, n, &c) != 0) {
        printf("error=%s\n", err_msg());
        return -1;
    }
    printf("notBefore=%lld\n", (long long)c.not_before);
    printf("notAfter=%lld\n", (long long)c.not_after);
    hex("serial", c.serial, c.serial_len, "");
    while ((rc = x509_san_next(&c, &pos, &kind, name, sizeof name)) == 1) {
        printf("%s%s:%s", count == 0 ? "san=" : ", ", kind == X509_SAN_DNS ? "DNS" : "IP", name);
        count++;
        if (!x509_has_name(&c, name)) {
            printf("\nerror=x509_has_name does not find %s\n", name);
            return -1;
        }
    }
    if (count > 0) printf("\n");
    if (rc < 0) {
        printf("error=%s\n", err_msg());
        return -1;
    }
    if (c.aki_len > 0) hex("aki", c.aki, c.aki_len, ":");
    if (c.ski_len > 0) hex("ski", c.ski, c.ski_len, ":");
    printf("ca=%d\n", c.is_ca);
    printf("issuer_cn=%s\n", c.issuer_cn);
    printf("subject_cn=%s\n", c.subject_cn);
    return 0;
}

int main(int argc, char **argv)
{
    FILE *f;
    size_t len, pos = 0, n;
    int rc, status = 0, index = 0;

    if (argc != 2) {
        fprintf(stderr, "usage: x509dump FILE.pem\n");
        return 2;
    }
    f = fopen(argv[1], "rb");
    if (f == NULL) {
        perror(argv[1]);
        return 2;
    }
    len = fread(text, 1, sizeof text, f);
    if (!feof(f)) {
        fprintf(stderr, "%s: larger than %zu bytes\n", argv[1], sizeof text);
        fclose(f);
        return 2;
    }
    fclose(f);
    while ((rc = pem_next(text, len, &pos, "CERTIFICATE", NULL, der, sizeof der, &n)) == 1) {
        printf("cert=%d\n", index++);
        if (dump(der, n) != 0) status = 1;
    }
    if (rc < 0) {
        printf("error=%s\n", err_msg());
        return 1;
    }
    return status;
}
