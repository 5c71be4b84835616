/* Renewal policy: lifetime rule, ARI window, backoff and jitter (no I/O). */
#include "renew.h"

#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "err.h"
#include "json.h"
#include "rfc3339.h"
#include "x509.h"
#include "fmt.h"

#define DAY 86400

/* Expired: due whatever the rule. Returns 1 (with why) when expired, else 0. */
static int expired(int64_t not_after, int64_t now, char *why, size_t cap)
{
    if (now < not_after) return 0;
    fmt_snprintf(why, cap, "the certificate has expired");
    return 1;
}

int renew_due(int64_t not_before, int64_t not_after, int64_t now, int renew_days, int64_t *due_at,
              char *why, size_t cap)
{
    int64_t life = not_after - not_before, at;
    const char *rule;
    long days;
    if (renew_days > 0) {
        at = not_after - (int64_t)renew_days * DAY;
        rule = "renew_days";
    } else if (life <= 10 * DAY) {
        at = not_after - life / 2;
        rule = "half of a short lifetime left";
    } else {
        at = not_after - life / 3;
        rule = "a third of the lifetime left";
    }
    if (due_at != NULL) *due_at = at;
    if (expired(not_after, now, why, cap)) return 1;
    if (now < not_before) {
        /* Our clock is behind (a router before NTP answers): a new certificate would start
         * at the same time, so renewing only burns the CA's rate limits. */
        fmt_snprintf(why, cap, "not due: the certificate is not valid yet; is the clock right?");
        return 0;
    }
    days = (long)((not_after - now) / DAY);
    if (now >= at) {
        fmt_snprintf(why, cap, "due: %ld days left (lifetime rule: %s)", days, rule);
        return 1;
    }
    fmt_snprintf(why, cap, "not due: %ld days left, renewal in %ld days (lifetime rule: %s)", days,
                 (long)((at - now + DAY - 1) / DAY), rule);
    return 0;
}

int64_t renew_ari_pick(int64_t start, int64_t end, uint64_t rnd)
{
    uint64_t span;
    if (end <= start) return start;
    span = (uint64_t)(end - start);
    /* rnd mod span: the bias is below span / 2^64, i.e. nil for windows of days */
    return start + (int64_t)(rnd % span);
}

int renew_ari_due(const struct renew_window *w, int64_t not_after, int64_t now, char *why,
                  size_t cap)
{
    long s;
    if (expired(not_after, now, why, cap)) return 1;
    if (now >= w->end) {
        fmt_snprintf(why, cap, "due: the CA's renewal window (ARI) is in the past");
        return 1;
    }
    if (now >= w->at) {
        fmt_snprintf(why, cap, "due: inside the CA's renewal window (ARI), past the chosen moment");
        return 1;
    }
    s = (long)(w->at - now);
    fmt_snprintf(why, cap, "not due: renewal in %ld days %ld h (ARI window, moment chosen)",
                 s / DAY, s % DAY / 3600);
    return 0;
}

int renew_ari_parse(const char *body, size_t len, struct renew_window *w, char *expl,
                    size_t expl_cap)
{
    static const char *const ends[] = {"start", "end"};
    static struct json_tok toks[64];
    int64_t *t[2];
    struct json_doc d;
    char s[64];
    size_t n, i;
    int win, e;

    memset(w, 0, sizeof *w);
    if (expl != NULL && expl_cap > 0) expl[0] = '\0';
    if (json_parse(&d, body, len, toks, sizeof toks / sizeof toks[0]) < 0)
        return err_prefix("renewalInfo");
    win = json_get(&d, 0, "suggestedWindow");
    if (json_type(&d, win) != JSON_OBJECT)
        return err_set(ACME_ETEMP, "renewalInfo: no \"suggestedWindow\" object");
    t[0] = &w->start;
    t[1] = &w->end;
    for (i = 0; i < 2; i++)
        if (json_str(&d, json_get(&d, win, ends[i]), s, sizeof s, &n) < 0 ||
            rfc3339_parse(s, n, t[i]) < 0)
            return err_set(ACME_ETEMP, "renewalInfo: suggestedWindow.%s is not an RFC 3339 time",
                           ends[i]);
    if (w->end <= w->start)
        return err_set(ACME_ETEMP, "renewalInfo: suggestedWindow ends before it starts");
    e = json_get(&d, 0, "explanationURL");
    if (expl != NULL && json_type(&d, e) == JSON_STRING) {
        if (json_str(&d, e, expl, expl_cap, NULL) < 0) {
            err_clear();
            expl[0] = '\0'; /* over-long: not worth failing the check */
        }
        for (i = 0; expl[i] != '\0'; i++) /* it is printed: no control characters */
            if ((unsigned char)expl[i] < 0x20 || expl[i] == 0x7f) expl[i] = '?';
    }
    w->at = w->start;
    return 0;
}

int renew_certid(const struct x509_info *x, char *out, size_t cap)
{
    uint8_t serial[X509_SERIAL_MAX + 1];
    size_t n = 0;
    long a;

    if (x->aki_len == 0)
        return err_set(ACME_ETEMP, "the certificate has no authorityKeyIdentifier (ARI needs it)");
    /* x509.h strips the sign byte; RFC 9773 wants the DER INTEGER contents */
    if (x->serial_len == 0 || (x->serial[0] & 0x80) != 0) serial[n++] = 0;
    memcpy(serial + n, x->serial, x->serial_len);
    n += x->serial_len;
    if ((a = b64_encode(out, cap, x->aki, x->aki_len, B64_URL)) < 0 || (size_t)a + 2 > cap ||
        b64_encode(out + a + 1, cap - (size_t)a - 1, serial, n, B64_URL) < 0)
        return err_set(ACME_ELOCAL, "certificate ID longer than %zu bytes", cap);
    out[a] = '.';
    return 0;
}

long renew_backoff(unsigned failures)
{
    long s = RENEW_BACKOFF_FIRST;
    while (failures > 1 && s < RENEW_BACKOFF_MAX) {
        s *= 2;
        failures--;
    }
    return s > RENEW_BACKOFF_MAX ? RENEW_BACKOFF_MAX : s;
}

unsigned renew_jitter(unsigned max, uint32_t rnd)
{
    /* multiply-shift: uniform over [0, max] up to 2^-32 */
    return (unsigned)(((uint64_t)rnd * ((uint64_t)max + 1)) >> 32);
}
