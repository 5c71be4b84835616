/* libFuzzer target: the HTTP-01 responder's answer to one request head. The key
 * authorization may only leave in a 200 answer to GET of exactly its token's path, and every
 * answer is a complete response with one of the documented statuses. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "http01.h"

#define TOKEN "LoqXcYV8q5ONbJQxbmR7SCTNo3tiAXDfowyjxAjEuX0"
#define KEYAUTH TOKEN ".9jg46WB3rR_AHD-EBXdN7cBkH1WOu0tA3M9fm21mqTI"

static const struct http01_token tokens[] = {{TOKEN, KEYAUTH}};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char mem[1024];
    struct buf out;
    buf_init(&out, mem, sizeof mem - 1);
    int status = http01_answer((const char *)data, size, tokens, 1, &out);
    if (status != 200 && status != 400 && status != 404 && status != 405 && status != 414 &&
        status != 431 && status != 501 && status != 505)
        abort(); /* -1 included: every answer fits in 1 KiB */
    mem[out.len] = '\0';
    const char *body = strstr((const char *)mem, "\r\n\r\n");
    if (strncmp((const char *)mem, "HTTP/1.1 ", 9) != 0 || body == NULL ||
        strstr((const char *)mem, "\r\nConnection: close\r\n") == NULL)
        abort();
    int leaked = strstr((const char *)mem, KEYAUTH) != NULL;
    if (leaked && status != 200) abort();
    if (status == 200) {
        /* the request must really have named the token's path */
        const char *path = "/.well-known/acme-challenge/" TOKEN;
        if (memmem(data, size, path, strlen(path)) == NULL &&
            memmem(data, size, TOKEN, strlen(TOKEN)) == NULL)
            abort();
        if (!leaked && strncmp((const char *)data, "HEAD", 4) != 0 &&
            memmem(data, size, "HEAD ", 5) == NULL)
            abort();
    }
    err_clear();
    return 0;
}
