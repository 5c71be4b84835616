/* Problem documents: message and exit status. The message keeps everything the user needs to
 * see *why* the CA said no: type, detail, HTTP status and every subproblem's identifier. */
#include "problem.h"

#include <string.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "fmt.h"

#define PROBLEM_TOKS 512

void error_hold(struct held_error *h)
{
    h->status = err_status();
    fmt_snprintf(h->msg, sizeof h->msg, "%s", err_msg());
}

int error_restore(const struct held_error *h)
{
    if (h->status == ACME_OK && h->msg[0] == '\0') {
        err_clear();
        return -1;
    }
    return err_set(h->status, "%s", h->msg);
}

/* problem_format() and problem_type() only look at a body: an error held before the call
 * (e.g. why the request failed) must survive the JSON parser's own errors. */
static struct held_error held;
static struct json_tok toks[PROBLEM_TOKS];

/* Holds the error, then parses body into d: 0, or -1 when it is not a JSON object. The caller
 * ends with error_restore(&held). */
static int parse(const char *body, size_t len, struct json_doc *d)
{
    error_hold(&held);
    if (body == NULL || len == 0 || json_parse(d, body, len, toks, PROBLEM_TOKS) < 0) return -1;
    return json_type(d, 0) == JSON_OBJECT ? 0 : -1;
}

static const char *short_type(const char *type)
{
    size_t n = strlen(ACME_ERR_NS);
    if (strncmp(type, ACME_ERR_NS, n) == 0 && type[n] != '\0') return type + n;
    return type;
}

int problem_is(const char *type, const char *name)
{
    size_t n = strlen(ACME_ERR_NS);
    return type != NULL && strncmp(type, ACME_ERR_NS, n) == 0 && strcmp(type + n, name) == 0;
}

int problem_status(const char *type, int http_status)
{
    static const char *const types[] = {"rateLimited", "badNonce", "serverInternal",
                                        "externalAccountRequired"};
    static const unsigned char status[] = {ACME_ERATE, ACME_ETEMP, ACME_ETEMP, ACME_ECONFIG};
    const char *t = type != NULL ? short_type(type) : "";
    size_t i;
    for (i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcmp(t, types[i]) == 0) return status[i];
    if (http_status >= 500 || http_status == 408 || http_status == 0) return ACME_ETEMP;
    if (http_status == 429) return ACME_ERATE;
    return ACME_EREFUSED;
}

/* Appends text with control characters replaced, so a hostile body cannot mess up a terminal. */
static void put_safe(struct buf *b, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        buf_putc(b, c < 0x20 || c == 0x7f ? ' ' : c);
    }
}

/* Appends sep and string member `key` of obj (an error type without the URN prefix), or
 * `missing` when there is none (NULL: nothing). */
static void put_member(struct buf *b, const struct json_doc *d, int obj, const char *key,
                       const char *sep, const char *missing)
{
    char tmp[1024];
    if (json_str(d, json_get(d, obj, key), tmp, sizeof tmp, NULL) < 0) {
        if (missing != NULL) buf_puts(b, missing);
        return;
    }
    buf_puts(b, sep);
    put_safe(b, short_type(tmp), strlen(short_type(tmp)));
}

void problem_format(const char *body, size_t len, int http_status, char *out, size_t cap)
{
    struct json_doc d;
    struct buf b;
    int i, id;
    size_t k;

    if (cap == 0) return;
    buf_init(&b, out, cap - 1);
    if (parse(body, len, &d) < 0) {
        if (http_status > 0) buf_printf(&b, "HTTP %d", http_status);
        if (body != NULL && len > 0) {
            if (http_status > 0) buf_puts(&b, ": ");
            put_safe(&b, body, len > 200 ? 200 : len);
        }
    } else {
        put_member(&b, &d, 0, "type", "", "?");
        if (http_status > 0) buf_printf(&b, " (HTTP %d)", http_status);
        put_member(&b, &d, 0, "detail", ": ", NULL);
        for (k = 0; (i = json_index(&d, json_get(&d, 0, "subproblems"), k)) >= 0; k++) {
            buf_puts(&b, "; ");
            if ((id = json_get(&d, i, "identifier")) >= 0) {
                put_member(&b, &d, id, "type", "", "?");
                put_member(&b, &d, id, "value", " ", " ?");
                buf_puts(&b, ": ");
            }
            put_member(&b, &d, i, "type", "", "?");
            put_member(&b, &d, i, "detail", ": ", NULL);
        }
    }
    error_restore(&held);
    if (b.overflow) { /* cut, and say so */
        if (cap >= 4) memcpy(out + cap - 4, "...", 3);
        b.len = cap - 1;
    }
    out[b.len] = '\0';
}

void problem_type(const char *body, size_t len, char *out, size_t cap)
{
    struct json_doc d;
    if (cap == 0) return;
    if (parse(body, len, &d) < 0 || json_str(&d, json_get(&d, 0, "type"), out, cap, NULL) < 0)
        out[0] = '\0';
    error_restore(&held);
}

int problem_error(const char *what, const char *body, size_t len, int http_status, long retry_after,
                  int status_override)
{
    char msg[900], type[256];
    int st;
    problem_format(body, len, http_status, msg, sizeof msg);
    problem_type(body, len, type, sizeof type);
    st = status_override != 0 ? status_override : problem_status(type, http_status);
    if (retry_after >= 0) return err_set(st, "%s: %s; retry after %ld s", what, msg, retry_after);
    return err_set(st, "%s: %s", what, msg);
}
