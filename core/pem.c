/* PEM (RFC 7468) reader and writer. The reader is lax about surrounding text (explanatory text
 * before and between blocks, as in CA bundles) and whitespace, strict about the block itself. */
#include "pem.h"

#include <string.h>

#include "base64.h"
#include "err.h"

#define BEGIN "-----BEGIN "
#define END "-----END "
#define DASHES "-----"
/* base64 characters collected before decoding them; a multiple of 4. */
#define PEM_CHUNK 256

struct line {
    const char *s;
    size_t n;    /* without the line break and trailing white space */
    size_t next; /* offset of the next line */
};

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

static void get_line(const char *text, size_t len, size_t pos, struct line *l)
{
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t end = nl != NULL ? (size_t)(nl - text) : len;

    l->s = text + pos;
    l->next = nl != NULL ? end + 1 : len;
    while (end > pos && is_space(text[end - 1]))
        end--;
    l->n = end - pos;
}

static int starts_with(const struct line *l, const char *prefix)
{
    size_t n = strlen(prefix);
    return l->n >= n && memcmp(l->s, prefix, n) == 0;
}

/* Label of a "-----BEGIN label-----" or "-----END label-----" line into out (NUL-terminated);
 * -1 with an error when the line is malformed. */
static int line_label(const struct line *l, size_t prefix, char *out)
{
    size_t n, i;

    if (l->n < prefix + 5 || memcmp(l->s + l->n - 5, DASHES, 5) != 0)
        return err_set(ACME_ETEMP, "PEM: '%.*s' does not end in -----",
                       (int)(l->n > 80 ? 80 : l->n), l->s);
    n = l->n - prefix - 5;
    if (n == 0) return err_set(ACME_ETEMP, "PEM: empty label");
    if (n >= PEM_LABEL_MAX)
        return err_set(ACME_ETEMP, "PEM: label longer than %d characters (PEM_LABEL_MAX)",
                       PEM_LABEL_MAX - 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)l->s[prefix + i];
        if (c < 0x20 || c > 0x7e)
            return err_set(ACME_ETEMP, "PEM: invalid character 0x%02x in label", c);
    }
    memcpy(out, l->s + prefix, n);
    out[n] = '\0';
    return 0;
}

struct decoder {
    char chunk[PEM_CHUNK];
    size_t n;   /* characters in chunk */
    int padded; /* a '=' has been decoded: nothing may follow */
    uint8_t *der;
    size_t cap, len;
};

static int flush(struct decoder *d)
{
    size_t want;
    long got;

    if (d->n == 0) return 0;
    /* Check the size first to report the limit rather than a base64 error. */
    want = (d->n + 3) / 4 * 3;
    if (d->n >= 1 && d->chunk[d->n - 1] == '=') want--;
    if (d->n >= 2 && d->chunk[d->n - 2] == '=') want--;
    if (want > d->cap - d->len)
        return err_set(ACME_ELOCAL, "PEM: DER larger than the %zu-byte buffer", d->cap);
    got = b64_decode(d->der + d->len, d->cap - d->len, d->chunk, d->n, B64_STD);
    if (got < 0) return err_prefix("PEM");
    d->len += (size_t)got;
    d->padded = memchr(d->chunk, '=', d->n) != NULL;
    d->n = 0;
    return 0;
}

static int add_line(struct decoder *d, const struct line *l)
{
    size_t i;

    for (i = 0; i < l->n; i++) {
        char c = l->s[i];
        if (is_space(c)) continue;
        if (c == ':')
            return err_set(ACME_ETEMP, "PEM: encapsulated headers (an encrypted key?) "
                                       "are not supported");
        if (d->padded) return err_set(ACME_ETEMP, "PEM: base64 data after the padding");
        d->chunk[d->n++] = c;
        if (d->n == sizeof d->chunk && flush(d) != 0) return -1;
    }
    return 0;
}

int pem_next(const char *text, size_t len, size_t *pos, const char *label, char *label_out,
             uint8_t *der, size_t dercap, size_t *derlen)
{
    struct line l;
    struct decoder d;
    char found[PEM_LABEL_MAX], endlabel[PEM_LABEL_MAX];
    size_t p = *pos;

    if (p > len) p = len;
    /* Find a BEGIN line with the wanted label. */
    for (;;) {
        if (p >= len) return 0;
        get_line(text, len, p, &l);
        p = l.next;
        if (!starts_with(&l, BEGIN)) continue;
        if (line_label(&l, strlen(BEGIN), found) != 0) return -1;
        if (label == NULL || strcmp(found, label) == 0) break;
    }
    memset(&d, 0, sizeof d);
    d.der = der;
    d.cap = dercap;
    for (;;) {
        if (p >= len) return err_set(ACME_ETEMP, "PEM: no END line for '%s'", found);
        get_line(text, len, p, &l);
        p = l.next;
        if (starts_with(&l, END)) break;
        if (starts_with(&l, DASHES))
            return err_set(ACME_ETEMP, "PEM: unexpected '%.*s' inside '%s'",
                           (int)(l.n > 80 ? 80 : l.n), l.s, found);
        if (add_line(&d, &l) != 0) return -1;
    }
    if (line_label(&l, strlen(END), endlabel) != 0) return -1;
    if (strcmp(found, endlabel) != 0)
        return err_set(ACME_ETEMP, "PEM: BEGIN '%s' ended by END '%s'", found, endlabel);
    if (flush(&d) != 0) return -1;
    if (d.len == 0) return err_set(ACME_ETEMP, "PEM: empty '%s' block", found);
    if (label_out != NULL) memcpy(label_out, found, strlen(found) + 1);
    *derlen = d.len;
    *pos = p;
    return 1;
}

void pem_write(struct buf *out, const char *label, const uint8_t *der, size_t n)
{
    char line[64 + 1];
    size_t off, k;
    long m;

    buf_puts(out, BEGIN);
    buf_puts(out, label);
    buf_puts(out, DASHES "\n");
    for (off = 0; off < n; off += k) {
        k = n - off < 48 ? n - off : 48; /* 48 bytes = 64 base64 characters */
        m = b64_encode(line, sizeof line, der + off, k, B64_STD);
        if (m < 0) {
            out->overflow = 1; /* cannot happen: line holds 64 characters and the NUL */
            return;
        }
        buf_put(out, line, (size_t)m);
        buf_putc(out, '\n');
    }
    buf_puts(out, END);
    buf_puts(out, label);
    buf_puts(out, DASHES "\n");
}
