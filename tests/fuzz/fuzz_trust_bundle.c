/* libFuzzer target for the ca_file reader of platform/tls_common.c: the input is a CA bundle
 * (read through a memfd, as from a file, in 4 KiB pieces). Whatever it hands over must be a
 * DER certificate-shaped blob within TLS_CERT_DER_MAX, the count it returns must match, and
 * errors must carry a message naming ca_file. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "err.h"
#include "../../platform/tls_common.h"

static int calls;

static int each(void *ctx, const uint8_t *der, size_t n)
{
    static uint8_t copy[TLS_CERT_DER_MAX];

    (void)ctx;
    if (n == 0 || n > TLS_CERT_DER_MAX) abort();
    memcpy(copy, der, n); /* every byte handed over is readable (ASan checks the copy) */
    calls++;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    int r;

    if (fd < 0) {
        fd = memfd_create("bundle", 0);
        if (fd < 0) abort();
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    if (ftruncate(fd, 0) != 0 || pwrite(fd, data, size, 0) != (ssize_t)size) abort();
    calls = 0;
    r = tls_each_trust_cert(path, each, NULL, NULL);
    if (r >= 0 && r != calls) abort();
    if (r < 0 && (err_status() != ACME_ELOCAL || strstr(err_msg(), "ca_file") == NULL)) abort();
    err_clear();
    return 0;
}
