/* libFuzzer target: HTTP CONNECT replies (fed in pieces of data[0] % 16 + 1 bytes) and the
 * CONNECT request formatter (host and port taken from the input). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "http.h"

static struct http_resp_parser p;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t i = 0, used = 0, step;
    int rc = HTTP_NEED_MORE;
    char host[300], port[16], out[400];
    long n;
    if (size < 1) return 0;
    step = data[0] % 16 + 1;
    data++;
    size--;

    http_connect_reply_init(&p);
    while (i < size && rc == HTTP_NEED_MORE) {
        size_t k = size - i < step ? size - i : step;
        rc = http_connect_reply_feed(&p, data + i, k, &used);
        if (rc == HTTP_NEED_MORE && used != k) abort();
        i += k;
    }
    if (rc == HTTP_NEED_MORE) rc = http_connect_reply_eof(&p);
    if (rc == HTTP_DONE && (p.status < 200 || p.status > 299)) abort();
    if (rc == HTTP_ERROR && strstr(err_msg(), "proxy") == NULL) abort();

    /* host\0port from the input */
    i = 0;
    while (i < size && i < sizeof host - 1 && data[i] != 0) {
        host[i] = (char)data[i];
        i++;
    }
    host[i] = '\0';
    size_t j = 0;
    for (i++; i < size && j < sizeof port - 1 && data[i] != 0; i++)
        port[j++] = (char)data[i];
    port[j] = '\0';
    n = http_connect_request(out, sizeof out, host, port);
    if (n >= 0 && ((size_t)n != strlen(out) || strchr(out, '\0') != out + n ||
                   strstr(out, "\r\n\r\n") != out + n - 4))
        abort();
    err_clear();
    return 0;
}
