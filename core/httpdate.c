/* HTTP dates (IMF-fixdate) and Retry-After values. */
#include "http.h"

#include <string.h>

#include "civil.h"
#include "err.h"

/* Largest Retry-After we accept: fits a 32-bit long (68 years). */
#define RETRY_AFTER_MAX 2147483647L

/* Three letters each. */
static const char wdays[] = "SunMonTueWedThuFriSat";
static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";

/* n decimal digits at s, or -1. */
static int digits(const char *s, int n)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int http_date_parse(const char *s, size_t n, int64_t *out)
{
    /* "Sun, 06 Nov 1994 08:49:37 GMT" */
    int wd = -1, mon = -1, i, day, year, hh, mm, ss;
    int64_t days;
    if (n != 29 || s[3] != ',' || s[4] != ' ' || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
        s[19] != ':' || s[22] != ':' || s[25] != ' ' || memcmp(s + 26, "GMT", 3) != 0)
        goto bad;
    for (i = 0; i < 7; i++)
        if (memcmp(s, wdays + 3 * i, 3) == 0) wd = i;
    for (i = 0; i < 12; i++)
        if (memcmp(s + 8, months + 3 * i, 3) == 0) mon = i + 1;
    day = digits(s + 5, 2);
    year = digits(s + 12, 4);
    hh = digits(s + 17, 2);
    mm = digits(s + 20, 2);
    ss = digits(s + 23, 2);
    if (wd < 0 || mon < 0 || day < 1 || year < 0 || hh < 0 || hh > 23 || mm < 0 || mm > 59 ||
        ss < 0 || ss > 60 || (unsigned)day > civil_days_in_month(year, (unsigned)mon))
        goto bad;
    days = civil_to_days(year, (unsigned)mon, (unsigned)day);
    if ((int)(((days % 7) + 7 + 4) % 7) != wd)
        return err_set(ACME_ETEMP, "HTTP: date '%.29s' has the wrong weekday", s);
    *out = days * 86400 + hh * 3600 + mm * 60 + ss;
    return 0;
bad:
    return err_set(ACME_ETEMP, "HTTP: bad date '%.*s' (want IMF-fixdate)", n > 40 ? 40 : (int)n, s);
}

int http_retry_after(const char *v, size_t n, int64_t now, long *out)
{
    size_t i;
    int64_t t, d = 0;
    if (n > 0 && v[0] >= '0' && v[0] <= '9') {
        for (i = 0; i < n; i++) {
            if (v[i] < '0' || v[i] > '9') return err_set(ACME_ETEMP, "HTTP: bad Retry-After value");
            d = d * 10 + (v[i] - '0');
            if (d > RETRY_AFTER_MAX)
                return err_set(ACME_ETEMP, "HTTP: Retry-After exceeds %ld seconds",
                               RETRY_AFTER_MAX);
        }
        *out = (long)d;
        return 0;
    }
    if (http_date_parse(v, n, &t) < 0) return err_prefix("Retry-After");
    d = t - now;
    if (d < 0) d = 0;
    if (d > RETRY_AFTER_MAX)
        return err_set(ACME_ETEMP, "HTTP: Retry-After date is more than %ld seconds away",
                       RETRY_AFTER_MAX);
    *out = (long)d;
    return 0;
}
