/* Problem documents: message and exit status. The message keeps everything the user needs to
 * see *why* the CA said no: type, detail, HTTP status and every subproblem's identifier. */
#include "problem.h"

#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "err.h"
#include "json.h"
#include "fmt.h"

#define PROBLEM_TOKS 512

/* problem_format() and problem_type() only look at a body: an error held before the call
 * (e.g. why the request failed) must survive the JSON parser's own errors. */
struct held_error {
    int status;
    char msg[1024];
};

static void hold_error(struct held_error *h)
{
    h->status = err_status();
    fmt_snprintf(h->msg, sizeof h->msg, "%s", err_msg());
}

static void restore_error(const struct held_error *h)
{
    if (h->status == ACME_OK && h->msg[0] == '\0')
        err_clear();
    else
        err_set(h->status, "%s", h->msg);
}

static const char *short_type(const char *type)
{
    size_t n = strlen(ACME_ERR_NS);
    if (strncmp(type, ACME_ERR_NS, n) == 0 && type[n] != '\0') return type + n;
    return type;
}

int problem_is(const char *type, const char *name)
{
    return type != NULL && strcmp(short_type(type), name) == 0 &&
           strncmp(type, ACME_ERR_NS, strlen(ACME_ERR_NS)) == 0;
}

int problem_status(const char *type, int http_status)
{
    const char *t = type != NULL ? short_type(type) : "";
    if (strcmp(t, "rateLimited") == 0) return ACME_ERATE;
    if (strcmp(t, "badNonce") == 0 || strcmp(t, "serverInternal") == 0) return ACME_ETEMP;
    if (strcmp(t, "externalAccountRequired") == 0) return ACME_ECONFIG;
    if (http_status >= 500 || http_status == 408 || http_status == 0) return ACME_ETEMP;
    if (http_status == 429) return ACME_ERATE;
    return ACME_EREFUSED;
}

/* Appends a JSON string member (unescaped) or nothing. */
static void put_member(struct buf *b, const struct json_doc *d, int obj, const char *key,
                       int short_form)
{
    char tmp[1024];
    int t = json_get(d, obj, key);
    if (t < 0 || json_str(d, t, tmp, sizeof tmp, NULL) < 0) {
        buf_puts(b, "?");
        return;
    }
    buf_puts(b, short_form ? short_type(tmp) : tmp);
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

static void finish(struct buf *b, char *out, size_t cap)
{
    if (b->overflow || b->len >= cap) {
        size_t n = cap - 1;
        if (cap >= 4) memcpy(out + cap - 4, "...", 3);
        out[n] = '\0';
        return;
    }
    out[b->len] = '\0';
}

void problem_format(const char *body, size_t len, int http_status, char *out, size_t cap)
{
    static struct held_error held;
    static struct json_tok toks[PROBLEM_TOKS];
    struct json_doc d;
    struct buf b;
    char tmp[1024];
    int subs, i;
    size_t k;

    if (cap == 0) return;
    hold_error(&held);
    buf_init(&b, out, cap - 1);
    if (body == NULL || len == 0 || json_parse(&d, body, len, toks, PROBLEM_TOKS) < 0 ||
        json_type(&d, 0) != JSON_OBJECT) {
        restore_error(&held);
        if (http_status > 0) buf_printf(&b, "HTTP %d", http_status);
        if (body != NULL && len > 0) {
            buf_puts(&b, http_status > 0 ? ": " : "");
            put_safe(&b, body, len > 200 ? 200 : len);
        }
        finish(&b, out, cap);
        return;
    }
    put_member(&b, &d, 0, "type", 1);
    if (http_status > 0) buf_printf(&b, " (HTTP %d)", http_status);
    i = json_get(&d, 0, "detail");
    if (i >= 0 && json_str(&d, i, tmp, sizeof tmp, NULL) == 0) {
        buf_puts(&b, ": ");
        put_safe(&b, tmp, strlen(tmp));
    }
    subs = json_get(&d, 0, "subproblems");
    if (json_type(&d, subs) == JSON_ARRAY) {
        for (k = 0; (i = json_index(&d, subs, k)) >= 0; k++) {
            int id = json_get(&d, i, "identifier");
            buf_puts(&b, "; ");
            if (id >= 0) {
                put_member(&b, &d, id, "type", 0);
                buf_putc(&b, ' ');
                put_member(&b, &d, id, "value", 0);
                buf_puts(&b, ": ");
            }
            put_member(&b, &d, i, "type", 1);
            int det = json_get(&d, i, "detail");
            if (det >= 0 && json_str(&d, det, tmp, sizeof tmp, NULL) == 0) {
                buf_puts(&b, ": ");
                put_safe(&b, tmp, strlen(tmp));
            }
        }
    }
    restore_error(&held);
    finish(&b, out, cap);
}

void problem_type(const char *body, size_t len, char *out, size_t cap)
{
    static struct held_error held;
    static struct json_tok toks[PROBLEM_TOKS];
    struct json_doc d;
    int t;
    if (cap == 0) return;
    out[0] = '\0';
    hold_error(&held);
    if (body == NULL || len == 0 || json_parse(&d, body, len, toks, PROBLEM_TOKS) < 0) {
        restore_error(&held);
        return;
    }
    t = json_get(&d, 0, "type");
    if (t < 0 || json_str(&d, t, out, cap, NULL) < 0) out[0] = '\0';
    restore_error(&held);
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
