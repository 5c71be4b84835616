/* libFuzzer target: the JSON reader, its accessors, and writer escaping round trips. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "build_config.h"
#include "buf.h"
#include "json.h"

static struct json_tok toks[CONFIG_JSON_MAX_TOKENS];
static struct json_tok toks2[8];
static unsigned char arena_mem[1 << 18];
static char str[1 << 16];
static char out[(1 << 16) * 6 + 16];

/* A string must survive jw_str -> json_parse -> json_str unchanged. */
static void round_trip(const char *s, size_t n)
{
    struct buf b;
    struct json_writer w;
    struct json_doc d;
    static char back[1 << 16];
    size_t len;
    buf_init(&b, out, sizeof out);
    jw_init(&w, &b);
    jw_arr_begin(&w);
    jw_strn(&w, s, n);
    jw_arr_end(&w);
    if (buf_check(&b, "fuzz") < 0) abort();
    if (json_parse(&d, out, b.len, toks2, 8) < 0)
        abort(); /* the writer produced JSON the reader refuses */
    if (json_str(&d, json_index(&d, 0, 0), back, sizeof back, &len) < 0 || len != n ||
        memcmp(back, s, n) != 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct json_doc d;
    struct arena a;
    size_t i;
    static const char *const paths[] = {
        "status", "identifier.value", "challenges.0.url", "meta.profiles", "0", "0.0", "a.b.c", ""};
    if (json_parse(&d, (const char *)data, size, toks, CONFIG_JSON_MAX_TOKENS) < 0) return 0;
    arena_init(&a, arena_mem, sizeof arena_mem);
    for (i = 0; i < sizeof paths / sizeof paths[0]; i++)
        (void)json_type(&d, json_path(&d, 0, paths[i]));
    for (i = 0; i < d.ntok; i++) {
        int64_t v;
        size_t len;
        switch (json_type(&d, (int)i)) {
        case JSON_STRING:
            if (json_str(&d, (int)i, str, sizeof str, &len) == 0) {
                if (!json_str_eq(&d, (int)i, str) || strlen(str) != len) abort();
                if (json_str_dup(&d, (int)i, &a) == NULL)
                    arena_init(&a, arena_mem, sizeof arena_mem);
                round_trip(str, len);
            }
            break;
        case JSON_NUMBER:
            (void)json_int(&d, (int)i, &v);
            break;
        case JSON_OBJECT:
            if (d.toks[i].size > 0 && json_str(&d, (int)i + 1, str, 64, &len) == 0 &&
                json_get(&d, (int)i, str) != (int)i + 2)
                abort(); /* first member's key must find the first member */
            break;
        case JSON_ARRAY:
            if (d.toks[i].size > 0 && json_index(&d, (int)i, d.toks[i].size - 1) < 0) abort();
            break;
        default:
            break;
        }
    }
    return 0;
}
