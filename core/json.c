/* JSON reader and writer (RFC 8259).
 *
 * The reader is an iterative tokenizer: nesting is tracked in a fixed stack of
 * CONFIG_JSON_MAX_DEPTH container indices, so hostile input (100000 '[') hits the depth limit
 * instead of the C stack. Strings are fully validated while tokenizing (escapes, UTF-8,
 * surrogate pairs, control characters), so the accessors below only ever decode valid text. */
#include "json.h"

#include <inttypes.h>
#include <string.h>

#include "arena.h"
#include "build_config.h"
#include "err.h"

struct parser {
    const unsigned char *s;
    size_t len;
    size_t pos;
    struct json_tok *toks;
    size_t cap;
    size_t ntok;
};

static int fail(const struct parser *p, const char *what)
{
    return err_set(ACME_ETEMP, "JSON: %s at offset %zu", what, p->pos);
}

static void skip_ws(struct parser *p)
{
    while (p->pos < p->len) {
        unsigned char c = p->s[p->pos];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
        p->pos++;
    }
}

static long new_tok(struct parser *p, int type, size_t start)
{
    struct json_tok *t;
    if (p->ntok >= p->cap) {
        err_set(ACME_ETEMP, "JSON: more than %zu tokens at offset %zu (CONFIG_JSON_MAX_TOKENS)",
                p->cap, p->pos);
        return -1;
    }
    t = &p->toks[p->ntok];
    t->type = (uint8_t)type;
    t->start = (uint32_t)start;
    t->end = (uint32_t)start;
    t->size = 0;
    t->next = (uint32_t)(p->ntok + 1);
    return (long)p->ntok++;
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Four hex digits at s[0..4) (the caller checked they are in bounds); -1 when not hex. */
static long hex4(const unsigned char *s)
{
    long v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        int h = hexval(s[i]);
        if (h < 0) return -1;
        v = v * 16 + h;
    }
    return v;
}

/* Length of the valid UTF-8 sequence at s[0..n) (1..4), or 0 when it is invalid: overlong
 * forms, UTF-16 surrogates (U+D800..DFFF) and code points above U+10FFFF are invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0], lo = 0x80, hi = 0xBF; /* the range of the second byte */
    size_t need, i;
    if (c < 0x80) return 1;
    if (c < 0xC2 || c > 0xF4) return 0; /* a continuation byte, overlong, or too large */
    need = c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    if (c == 0xE0)
        lo = 0xA0; /* overlong */
    else if (c == 0xED)
        hi = 0x9F; /* surrogates */
    else if (c == 0xF0)
        lo = 0x90; /* overlong */
    else if (c == 0xF4)
        hi = 0x8F; /* above U+10FFFF */
    if (n < need || s[1] < lo || s[1] > hi) return 0;
    for (i = 2; i < need; i++)
        if (s[i] < 0x80 || s[i] > 0xBF) return 0;
    return need;
}

/* Validates the string starting just after the opening quote at p->pos; leaves p->pos just
 * past the closing quote and sets *end to the closing quote's offset. */
static int scan_string(struct parser *p, size_t *end)
{
    const unsigned char *s = p->s;
    while (p->pos < p->len) {
        unsigned char c = s[p->pos];
        if (c == '"') {
            *end = p->pos++;
            return 0;
        }
        if (c < 0x20) return fail(p, "control character in string");
        if (c == '\\') {
            long u;
            if (p->len - p->pos < 2) break;
            c = s[p->pos + 1];
            if (strchr("\"\\/bfnrt", c) != NULL && c != '\0') {
                p->pos += 2;
                continue;
            }
            if (c != 'u') return fail(p, "invalid escape");
            if (p->len - p->pos < 6 || (u = hex4(s + p->pos + 2)) < 0)
                return fail(p, "invalid \\u escape");
            if (u >= 0xD800 && u <= 0xDFFF) {
                long lo;
                /* only a high surrogate followed by a low one */
                if (u > 0xDBFF || p->len - p->pos < 12 || s[p->pos + 6] != '\\' ||
                    s[p->pos + 7] != 'u' || (lo = hex4(s + p->pos + 8)) < 0xDC00 || lo > 0xDFFF)
                    return fail(p, "unpaired surrogate \\u escape");
                p->pos += 12;
            } else
                p->pos += 6;
            continue;
        }
        if (c >= 0x80) {
            size_t n = utf8_seq_len(s + p->pos, p->len - p->pos);
            if (n == 0) return fail(p, "invalid UTF-8 in string");
            p->pos += n;
            continue;
        }
        p->pos++;
    }
    return fail(p, "unterminated string");
}

static int is_digit(unsigned char c)
{
    return c >= '0' && c <= '9';
}

/* Skips digits; how many. */
static size_t skip_digits(struct parser *p)
{
    size_t start = p->pos;
    while (p->pos < p->len && is_digit(p->s[p->pos]))
        p->pos++;
    return p->pos - start;
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int scan_number(struct parser *p)
{
    const unsigned char *s = p->s;
    size_t start;
    if (p->pos < p->len && s[p->pos] == '-') p->pos++;
    start = p->pos;
    if (skip_digits(p) == 0) return fail(p, "invalid number");
    if (s[start] == '0') p->pos = start + 1; /* no leading zeros: what follows is an error */
    if (p->pos < p->len && s[p->pos] == '.') {
        p->pos++;
        if (skip_digits(p) == 0) return fail(p, "digit expected after '.' in number");
    }
    if (p->pos < p->len && (s[p->pos] == 'e' || s[p->pos] == 'E')) {
        p->pos++;
        if (p->pos < p->len && (s[p->pos] == '+' || s[p->pos] == '-')) p->pos++;
        if (skip_digits(p) == 0) return fail(p, "digit expected in exponent");
    }
    return 0;
}

static int scan_literal(struct parser *p, const char *word)
{
    size_t n = strlen(word);
    if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0)
        return fail(p, "invalid literal");
    p->pos += n;
    return 0;
}

/* Parses one scalar value or opens a container at p->pos (whitespace already skipped).
 * Returns the new token index, or -1. */
static long parse_value_start(struct parser *p)
{
    size_t start = p->pos;
    long t;
    size_t end = 0;
    if (p->pos >= p->len) return fail(p, "unexpected end of input, value expected");
    switch (p->s[p->pos]) {
    case '{':
    case '[':
        t = new_tok(p, p->s[p->pos] == '{' ? JSON_OBJECT : JSON_ARRAY, start);
        if (t >= 0) p->pos++;
        return t;
    case '"':
        t = new_tok(p, JSON_STRING, start + 1);
        if (t < 0) return -1;
        p->pos++;
        if (scan_string(p, &end) < 0) return -1;
        p->toks[t].end = (uint32_t)end;
        return t;
    case 'n':
    case 'f':
    case 't': {
        /* JSON_NULL, JSON_FALSE, JSON_TRUE */
        static const char *const literals[] = {"null", "false", "true"};
        int type = p->s[p->pos] == 'n' ? JSON_NULL : p->s[p->pos] == 'f' ? JSON_FALSE : JSON_TRUE;
        t = new_tok(p, type, start);
        if (t < 0 || scan_literal(p, literals[type]) < 0) return -1;
        break;
    }
    default:
        if (p->s[p->pos] != '-' && !is_digit(p->s[p->pos]))
            return fail(p, "unexpected character, value expected");
        t = new_tok(p, JSON_NUMBER, start);
        if (t < 0 || scan_number(p) < 0) return -1;
        break;
    }
    p->toks[t].end = (uint32_t)p->pos;
    return t;
}

/* Parses an object key and the ':' after it; the key is a STRING token. */
static int parse_key(struct parser *p)
{
    skip_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != '"') return fail(p, "object key (a string) expected");
    if (parse_value_start(p) < 0) return -1;
    skip_ws(p);
    if (p->pos >= p->len || p->s[p->pos] != ':') return fail(p, "':' expected after object key");
    p->pos++;
    return 0;
}

int json_parse(struct json_doc *d, const char *text, size_t len, struct json_tok *toks, size_t cap)
{
    struct parser p;
    uint32_t stack[CONFIG_JSON_MAX_DEPTH];
    size_t depth = 0;

    memset(d, 0, sizeof *d);
    /* Offsets are uint32_t; no real document comes anywhere near this. */
    if (len >= UINT32_MAX)
        return err_set(ACME_ETEMP, "JSON: document of %zu bytes is too large", len);
    p.s = (const unsigned char *)text;
    p.len = len;
    p.pos = 0;
    p.toks = toks;
    p.cap = cap;
    p.ntok = 0;

    skip_ws(&p);
    for (;;) {
        /* A value is expected at p.pos (whitespace skipped). */
        long t = parse_value_start(&p);
        if (t < 0) return -1;
        if (depth > 0) toks[stack[depth - 1]].size++;
        if (toks[t].type == JSON_OBJECT || toks[t].type == JSON_ARRAY) {
            if (depth >= CONFIG_JSON_MAX_DEPTH)
                return err_set(ACME_ETEMP,
                               "JSON: nesting deeper than %d levels at offset %zu "
                               "(CONFIG_JSON_MAX_DEPTH)",
                               CONFIG_JSON_MAX_DEPTH, p.pos - 1);
            stack[depth++] = (uint32_t)t;
            skip_ws(&p);
            if (p.pos < p.len && p.s[p.pos] == (toks[t].type == JSON_OBJECT ? '}' : ']')) {
                /* empty container: closed below */
            } else {
                if (toks[t].type == JSON_OBJECT && parse_key(&p) < 0) return -1;
                skip_ws(&p);
                continue;
            }
        }
        /* After a complete value: close containers, or find the next element. */
        for (;;) {
            struct json_tok *c;
            unsigned char ch;
            skip_ws(&p);
            if (depth == 0) {
                if (p.pos != p.len) return fail(&p, "unexpected data after the JSON value");
                d->text = text;
                d->len = len;
                d->toks = toks;
                d->ntok = p.ntok;
                return 0;
            }
            if (p.pos >= p.len)
                return fail(&p, "unexpected end of input (unclosed array or object)");
            c = &toks[stack[depth - 1]];
            ch = p.s[p.pos];
            if (ch == ',') {
                p.pos++;
                if (c->type == JSON_OBJECT && parse_key(&p) < 0) return -1;
                skip_ws(&p);
                break;
            }
            if (ch != (c->type == JSON_OBJECT ? '}' : ']'))
                return fail(&p,
                            c->type == JSON_OBJECT ? "',' or '}' expected" : "',' or ']' expected");
            p.pos++;
            c->end = (uint32_t)p.pos;
            c->next = (uint32_t)p.ntok;
            depth--;
        }
    }
}

int json_type(const struct json_doc *d, int tok)
{
    if (tok < 0 || (size_t)tok >= d->ntok) return -1;
    return d->toks[tok].type;
}

/* Decodes the next element of a (validated) string body at s[*i..end) into out (1..4 bytes);
 * returns the number of bytes. */
static size_t str_next(const unsigned char *s, size_t end, size_t *i, unsigned char out[4])
{
    unsigned char c = s[*i];
    unsigned long u;
    size_t n, k;
    if (c != '\\') {
        n = utf8_seq_len(s + *i, end - *i);
        if (n == 0) n = 1; /* not reached for validated tokens */
        memcpy(out, s + *i, n);
        *i += n;
        return n;
    }
    c = s[*i + 1];
    *i += 2;
    if (c != 'u') {
        /* \b \f \n \r \t, or \" \\ \/ as themselves */
        const char *e = strchr("b\bf\fn\nr\rt\t", c);
        out[0] = e != NULL ? (unsigned char)e[1] : c;
        return 1;
    }
    u = (unsigned long)hex4(s + *i);
    *i += 4;
    if (u >= 0xD800 && u <= 0xDBFF) {
        unsigned long lo = (unsigned long)hex4(s + *i + 2);
        *i += 6;
        u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
    }
    if (u < 0x80) {
        out[0] = (unsigned char)u;
        return 1;
    }
    /* 2..4 bytes: the lead byte marks the length, continuation bytes take 6 bits each */
    n = u < 0x800 ? 2 : u < 0x10000 ? 3 : 4;
    for (k = n - 1; k > 0; k--) {
        out[k] = (unsigned char)(0x80 | (u & 0x3F));
        u >>= 6;
    }
    out[0] = (unsigned char)((n == 2 ? 0xC0 : n == 3 ? 0xE0 : 0xF0) | u);
    return n;
}

/* Unescapes string token tok into out[0..cap) (when out is not NULL and it fits). Returns the
 * unescaped length, or -1 when tok is not a string. *has_nul is set when it contains U+0000. */
static long str_decode(const struct json_doc *d, int tok, char *out, size_t cap, int *has_nul)
{
    const unsigned char *s = (const unsigned char *)d->text;
    size_t i, end, n = 0;
    *has_nul = 0;
    if (json_type(d, tok) != JSON_STRING) {
        err_set(ACME_ETEMP, "JSON: string expected");
        return -1;
    }
    i = d->toks[tok].start;
    end = d->toks[tok].end;
    while (i < end) {
        unsigned char b[4];
        size_t k = str_next(s, end, &i, b);
        if (b[0] == 0) *has_nul = 1;
        if (out != NULL && n + k <= cap) memcpy(out + n, b, k);
        n += k;
    }
    return (long)n;
}

int json_str(const struct json_doc *d, int tok, char *out, size_t cap, size_t *outlen)
{
    int has_nul;
    long n = str_decode(d, tok, out, cap, &has_nul);
    if (n < 0) return -1;
    if (has_nul)
        return err_set(ACME_ETEMP, "JSON: string at offset %" PRIu32 " contains \\u0000",
                       d->toks[tok].start);
    if ((size_t)n >= cap)
        return err_set(ACME_ETEMP,
                       "JSON: string of %ld bytes at offset %" PRIu32
                       " does not fit in a %zu-byte buffer",
                       n, d->toks[tok].start, cap);
    out[n] = '\0';
    if (outlen != NULL) *outlen = (size_t)n;
    return 0;
}

char *json_str_dup(const struct json_doc *d, int tok, struct arena *a)
{
    int has_nul;
    long n = str_decode(d, tok, NULL, 0, &has_nul);
    char *p;
    if (n < 0) return NULL;
    p = arena_alloc(a, (size_t)n + 1, "copying a JSON string");
    if (p == NULL || json_str(d, tok, p, (size_t)n + 1, NULL) < 0) return NULL;
    return p;
}

/* Compares string token tok with s[0..n). */
static int str_eq_n(const struct json_doc *d, int tok, const char *s, size_t n)
{
    const unsigned char *t = (const unsigned char *)d->text;
    size_t i, end, k = 0;
    if (json_type(d, tok) != JSON_STRING) return 0;
    i = d->toks[tok].start;
    end = d->toks[tok].end;
    /* Fast path: no escape can make the unescaped text longer than the raw text. */
    if (end - i < n) return 0;
    while (i < end) {
        unsigned char b[4];
        size_t m = str_next(t, end, &i, b);
        if (m > n - k || memcmp(b, s + k, m) != 0) return 0;
        k += m;
    }
    return k == n;
}

int json_str_eq(const struct json_doc *d, int tok, const char *s)
{
    return str_eq_n(d, tok, s, strlen(s));
}

static int get_n(const struct json_doc *d, int obj, const char *key, size_t n)
{
    size_t i, m;
    if (json_type(d, obj) != JSON_OBJECT) return -1;
    i = (size_t)obj + 1;
    for (m = 0; m < d->toks[obj].size; m++) {
        if (str_eq_n(d, (int)i, key, n)) return (int)i + 1;
        i = d->toks[i + 1].next;
    }
    return -1;
}

int json_get(const struct json_doc *d, int obj, const char *key)
{
    return get_n(d, obj, key, strlen(key));
}

int json_index(const struct json_doc *d, int arr, size_t idx)
{
    size_t i, m;
    if (json_type(d, arr) != JSON_ARRAY || idx >= d->toks[arr].size) return -1;
    i = (size_t)arr + 1;
    for (m = 0; m < idx; m++)
        i = d->toks[i].next;
    return (int)i;
}

int json_path(const struct json_doc *d, int tok, const char *path)
{
    const char *seg = path;
    for (;;) {
        const char *dot = strchr(seg, '.');
        size_t n = dot != NULL ? (size_t)(dot - seg) : strlen(seg);
        int t = json_type(d, tok);
        if (t == JSON_ARRAY) {
            size_t idx = 0, k;
            if (n == 0 || n > 9) return -1;
            for (k = 0; k < n; k++) {
                if (!is_digit((unsigned char)seg[k])) return -1;
                idx = idx * 10 + (size_t)(seg[k] - '0');
            }
            tok = json_index(d, tok, idx);
        } else if (t == JSON_OBJECT)
            tok = get_n(d, tok, seg, n);
        else
            return -1;
        if (tok < 0 || dot == NULL) return tok;
        seg = dot + 1;
    }
}

int json_int(const struct json_doc *d, int tok, int64_t *out)
{
    const char *s;
    size_t i, end;
    int neg = 0;
    uint64_t v = 0; /* the magnitude: up to INT64_MAX, or INT64_MAX + 1 after a '-' */
    if (json_type(d, tok) != JSON_NUMBER) return err_set(ACME_ETEMP, "JSON: number expected");
    s = d->text;
    i = d->toks[tok].start;
    end = d->toks[tok].end;
    if (s[i] == '-') {
        neg = 1;
        i++;
    }
    for (; i < end; i++) {
        unsigned digit = (unsigned)(s[i] - '0');
        /* v * 10 + digit must not exceed INT64_MAX (9223372036854775807), or one more after a
         * '-': checked without a 64-bit division */
        if (digit > 9 || v > INT64_MAX / 10 || (v == INT64_MAX / 10 && digit > 7u + (unsigned)neg))
            goto bad;
        v = v * 10 + digit;
    }
    /* -(v - 1) - 1 instead of -v: INT64_MAX + 1 has no int64_t */
    *out = neg && v > 0 ? -(int64_t)(v - 1) - 1 : (int64_t)v;
    return 0;
bad:
    return err_set(ACME_ETEMP,
                   "JSON: integer expected at offset %zu (no fraction, in the 64-bit range)",
                   (size_t)d->toks[tok].start);
}

/* ---- writer ---- */

/* need_comma: bit d is set when level d already holds a value; JW_AFTER_KEY marks that a key
 * was just written, so the next value takes no comma. Levels beyond JW_MAX_DEPTH cannot be
 * tracked and mark the buffer overflowed (reported by buf_check()). */
#define JW_AFTER_KEY (1u << 31)
#define JW_MAX_DEPTH 30

void jw_init(struct json_writer *w, struct buf *b)
{
    w->b = b;
    w->need_comma = 0;
    w->depth = 0;
}

static void jw_sep(struct json_writer *w)
{
    uint32_t bit = 1u << w->depth;
    if (w->need_comma & JW_AFTER_KEY)
        w->need_comma &= ~JW_AFTER_KEY;
    else if (w->need_comma & bit)
        buf_putc(w->b, ',');
    w->need_comma |= bit;
}

static void jw_open(struct json_writer *w, int c)
{
    jw_sep(w);
    buf_putc(w->b, c);
    if (w->depth >= JW_MAX_DEPTH) {
        w->b->overflow = 1;
        return;
    }
    w->depth++;
    w->need_comma &= ~(1u << w->depth);
}

static void jw_close(struct json_writer *w, int c)
{
    buf_putc(w->b, c);
    if (w->depth > 0) w->depth--;
}

void jw_obj_begin(struct json_writer *w)
{
    jw_open(w, '{');
}

void jw_obj_end(struct json_writer *w)
{
    jw_close(w, '}');
}

void jw_arr_begin(struct json_writer *w)
{
    jw_open(w, '[');
}

void jw_arr_end(struct json_writer *w)
{
    jw_close(w, ']');
}

static void jw_escaped(struct buf *b, const char *s, size_t n)
{
    size_t i, run = 0;
    buf_putc(b, '"');
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') continue;
        buf_put(b, s + run, i - run);
        run = i + 1;
        if (c == '"' || c == '\\') {
            buf_putc(b, '\\');
            buf_putc(b, c);
        } else {
            buf_printf(b, "\\u%04x", c);
        }
    }
    buf_put(b, s + run, n - run);
    buf_putc(b, '"');
}

void jw_key(struct json_writer *w, const char *key)
{
    jw_sep(w);
    jw_escaped(w->b, key, strlen(key));
    buf_putc(w->b, ':');
    w->need_comma |= JW_AFTER_KEY;
}

void jw_str(struct json_writer *w, const char *s)
{
    jw_strn(w, s, strlen(s));
}

void jw_strn(struct json_writer *w, const char *s, size_t n)
{
    jw_sep(w);
    jw_escaped(w->b, s, n);
}

void jw_int(struct json_writer *w, int64_t v)
{
    jw_sep(w);
    buf_printf(w->b, "%" PRId64, v);
}

void jw_bool(struct json_writer *w, int v)
{
    jw_sep(w);
    buf_puts(w->b, v ? "true" : "false");
}

void jw_null(struct json_writer *w)
{
    jw_sep(w);
    buf_puts(w->b, "null");
}

void jw_raw(struct json_writer *w, const char *json, size_t n)
{
    jw_sep(w);
    buf_put(w->b, json, n);
}
