/* libFuzzer target: the HTTP request parser (HTTP-01 responder), fed whole and byte by byte;
 * both must agree, and errors must carry one of the documented statuses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "http.h"

static struct http_req_parser p1, p2;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t used1 = 0, used2 = 0, i;
    int rc1, rc2 = HTTP_NEED_MORE;
    http_req_init(&p1);
    rc1 = http_req_feed(&p1, data, size, &used1);
    http_req_init(&p2);
    for (i = 0; i < size && rc2 == HTTP_NEED_MORE; i++)
        rc2 = http_req_feed(&p2, data + i, 1, &used2);
    if (rc1 != rc2) abort();
    if (rc1 == HTTP_ERROR) {
        if (p1.status != p2.status) abort();
        if (p1.status != 400 && p1.status != 414 && p1.status != 431 && p1.status != 501 &&
            p1.status != 505)
            abort();
    }
    if (rc1 == HTTP_DONE) {
        if (used1 != i || strcmp(p1.target, p2.target) != 0 || strcmp(p1.host, p2.host) != 0)
            abort();
        if (p1.target[0] != '/' || strchr(p1.target, '#') != NULL || strchr(p1.target, ' ') != NULL)
            abort();
        if (strcmp(p1.method, "GET") != 0 && strcmp(p1.method, "HEAD") != 0) abort();
    }
    err_clear();
    return 0;
}
