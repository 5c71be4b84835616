/* libFuzzer target for core/pem.c: reads every block (any label, then only CERTIFICATE),
 * checks that the position only moves forward, and that each decoded block survives a
 * pem_write/pem_next round trip. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "pem.h"

static uint8_t der[1 << 16], again[1 << 16];
static char text[(1 << 16) / 3 * 4 + 4096];

static void round_trip(const char *label, const uint8_t *d, size_t n)
{
    struct buf b;
    size_t pos = 0, m;
    char got[PEM_LABEL_MAX];

    buf_init(&b, text, sizeof text);
    pem_write(&b, label, d, n);
    if (buf_check(&b, "fuzz") != 0) abort();
    if (pem_next((const char *)b.p, b.len, &pos, label, got, again, sizeof again, &m) != 1 ||
        m != n || memcmp(again, d, n) != 0 || strcmp(got, label) != 0 || pos != b.len)
        abort();
}

static void read_all(const char *s, size_t size, const char *label)
{
    size_t pos = 0, prev, n;
    char got[PEM_LABEL_MAX];
    int rc;

    for (;;) {
        prev = pos;
        rc = pem_next(s, size, &pos, label, got, der, sizeof der, &n);
        if (rc != 1) {
            if (pos != prev) abort();
            return;
        }
        if (pos <= prev || pos > size || n == 0 || n > sizeof der || strlen(got) >= PEM_LABEL_MAX)
            abort();
        if (label != NULL && strcmp(got, label) != 0) abort();
        round_trip(got, der, n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    read_all((const char *)data, size, NULL);
    read_all((const char *)data, size, "CERTIFICATE");
    return 0;
}
