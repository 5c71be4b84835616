/* RFC 3339 timestamps and UTC formatting (civil-date arithmetic, proleptic Gregorian). */
#include "rfc3339.h"

#include "civil.h"
#include "fmt.h"

/* n decimal digits at s. */
static int digits(const char *s, size_t n, int *out)
{
    size_t i;
    int v = 0;
    for (i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

int rfc3339_parse(const char *s, size_t n, int64_t *out)
{
    int y, mo, d, h, mi, se, oh = 0, om = 0;
    int64_t t;
    size_t p = 19;
    int sign = 0;

    if (n < 20 || digits(s, 4, &y) < 0 || s[4] != '-' || digits(s + 5, 2, &mo) < 0 || s[7] != '-' ||
        digits(s + 8, 2, &d) < 0 || (s[10] != 'T' && s[10] != 't') || digits(s + 11, 2, &h) < 0 ||
        s[13] != ':' || digits(s + 14, 2, &mi) < 0 || s[16] != ':' || digits(s + 17, 2, &se) < 0)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 ||
        d > (int)civil_days_in_month(2000, (unsigned)mo) /* Feb 29 in any year */ || h > 23 ||
        mi > 59 || se > 60)
        return -1;
    if (s[p] == '.') {
        size_t q = ++p;
        while (p < n && s[p] >= '0' && s[p] <= '9')
            p++;
        if (p == q) return -1;
    }
    if (p == n - 1 && (s[p] == 'Z' || s[p] == 'z')) {
        p++;
    } else if (p + 6 == n && (s[p] == '+' || s[p] == '-') && s[p + 3] == ':' &&
               digits(s + p + 1, 2, &oh) == 0 && digits(s + p + 4, 2, &om) == 0 && oh <= 23 &&
               om <= 59) {
        sign = s[p] == '+' ? 1 : -1;
        p = n;
    } else {
        return -1;
    }
    if (se == 60) se = 59; /* a leap second: close enough for a renewal window */
    t = civil_to_days(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se;
    *out = t - sign * (oh * 3600 + om * 60);
    return 0;
}

void time_format_utc(int64_t t, char *out, size_t cap)
{
    struct civil_time c;

    civil_split(t, &c);
    fmt_snprintf(out, cap, "%04d-%02d-%02d %02d:%02d UTC", (int)c.year % 100000, (int)c.month % 100,
                 (int)c.day % 100, (int)c.hour % 100, (int)c.min);
}
