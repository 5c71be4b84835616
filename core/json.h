/* JSON (RFC 8259): a strict, non-allocating reader and a writer with correct escaping.
 *
 * The reader tokenizes the whole input into a caller-owned token array (no copy of the text);
 * tokens are in document order, each container followed by its children; `next` is the index
 * just past a token's subtree, so siblings are walked with i = toks[i].next. Object members are
 * a STRING key token followed by the value's subtree. */
#ifndef ACME_JSON_H
#define ACME_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

enum json_type {
    JSON_NULL,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT
};

struct json_tok {
    uint8_t type;   /* enum json_type */
    uint32_t start; /* byte offset of the token (for strings: just after the opening quote) */
    uint32_t end;   /* byte offset just past it (for strings: the closing quote) */
    uint32_t size;  /* arrays: elements; objects: members; else 0 */
    uint32_t next;  /* index of the first token after this token's subtree */
};

struct json_doc {
    const char *text;
    size_t len;
    struct json_tok *toks;
    size_t ntok;
};

/* Parses text[0..len) (the whole input must be one JSON value, whitespace around it allowed).
 * Limits: `cap` tokens, CONFIG_JSON_MAX_DEPTH nesting. Errors: -1 with err_set(ACME_ETEMP,
 * "JSON: <what> at offset N") — callers recode/prefix for their context. Strings must be valid
 * UTF-8 with valid escapes (lone surrogates are rejected). */
int json_parse(struct json_doc *d, const char *text, size_t len, struct json_tok *toks, size_t cap);

/* Root is token 0. Lookups return a token index or -1 when absent / wrong container type.
 * With duplicate keys (valid JSON), json_get() finds the first. */
int json_get(const struct json_doc *d, int obj, const char *key);
int json_index(const struct json_doc *d, int arr, size_t idx);
/* Dotted path from `tok`: "meta.profiles", "identifiers.0.value" (numbers index arrays). */
int json_path(const struct json_doc *d, int tok, const char *path);
int json_type(const struct json_doc *d, int tok); /* -1 when tok < 0 */

/* Unescapes string token `tok` into out (NUL-terminated); -1 with an error when it is not a
 * string, does not fit in cap (including the NUL), or contains \u0000 (which a C string
 * cannot hold; json_str_eq() is then false for every s). *outlen may be NULL. */
int json_str(const struct json_doc *d, int tok, char *out, size_t cap, size_t *outlen);
/* Same, into the arena (NULL on error). */
struct arena;
char *json_str_dup(const struct json_doc *d, int tok, struct arena *a);
/* 1 when string token equals s (after unescaping), else 0. */
int json_str_eq(const struct json_doc *d, int tok, const char *s);
/* Integer (no fraction/exponent) in int64 range; -1 with an error otherwise. */
int json_int(const struct json_doc *d, int tok, int64_t *out);

/* Writer: appends to a struct buf; commas are handled by the writer. Overflow is reported by
 * buf_check() on the underlying buffer (nesting deeper than 30 levels also marks it
 * overflowed). Strings are escaped (quote, backslash, control characters as \u00XX); other
 * bytes are copied, so they must be UTF-8. */
struct json_writer {
    struct buf *b;
    uint32_t need_comma; /* bit per nesting level */
    int depth;
};
void jw_init(struct json_writer *w, struct buf *b);
void jw_obj_begin(struct json_writer *w);
void jw_obj_end(struct json_writer *w);
void jw_arr_begin(struct json_writer *w);
void jw_arr_end(struct json_writer *w);
void jw_key(struct json_writer *w, const char *key);
void jw_str(struct json_writer *w, const char *s);
void jw_strn(struct json_writer *w, const char *s, size_t n);
void jw_int(struct json_writer *w, int64_t v);
void jw_bool(struct json_writer *w, int v);
void jw_null(struct json_writer *w);
/* A pre-encoded JSON value (e.g. a nested JWS object), inserted as is. */
void jw_raw(struct json_writer *w, const char *json, size_t n);

#endif
