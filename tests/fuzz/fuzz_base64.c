/* libFuzzer target: strict base64/base64url decoding is canonical (decode then encode gives
 * the input back), and encoding always decodes to the original bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"

static unsigned char dec[1 << 16];
static char enc[(1 << 16) / 3 * 4 + 8];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int variant;
    long n, e;
    if (size < 1 || size - 1 > sizeof dec) return 0;
    variant = data[0] & 1 ? B64_URL : B64_STD;
    data++;
    size--;

    n = b64_decode(dec, sizeof dec, (const char *)data, size, variant);
    if (n >= 0) {
        e = b64_encode(enc, sizeof enc, dec, (size_t)n, variant);
        if (e < 0 || (size_t)e != size || memcmp(enc, data, size) != 0) abort();
    }

    /* the raw input as binary data */
    e = b64_encode(enc, sizeof enc, data, size, variant);
    if (e < 0 || (size_t)e != b64_encoded_len(size, variant) || enc[e] != '\0') abort();
    n = b64_decode(dec, sizeof dec, enc, (size_t)e, variant);
    if (n < 0 || (size_t)n != size || memcmp(dec, data, size) != 0) abort();
    /* a buffer one byte short must be refused, not overrun */
    if (size > 0 && b64_decode(dec, size - 1, enc, (size_t)e, variant) != -1) abort();
    return 0;
}
