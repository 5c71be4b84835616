/* printf-style formatting without libc's stdio (see fmt.h for what is supported). One engine,
 * fmt_vformat(), streams the pieces to a callback; fmt_vsnprintf() is that engine with a
 * callback that copies into the caller's buffer. No floating point, no type punning. */
#include "fmt.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

#define NO_PREC SIZE_MAX

struct fmt_out {
    fmt_put_fn *put;
    void *ctx;
    size_t total;
};

static void emit(struct fmt_out *o, const char *s, size_t len)
{
    if (len == 0) return;
    o->put(o->ctx, s, len);
    o->total += len;
}

/* count copies of c */
static void fill(struct fmt_out *o, char c, size_t count)
{
    char run[16];
    memset(run, c, sizeof run);
    while (count > 0) {
        size_t k = count < sizeof run ? count : sizeof run;
        emit(o, run, k);
        count -= k;
    }
}

/* [spaces][sign][zeros]body[spaces], padded to width; zero_pad turns the left padding into
 * zeros after the sign. */
static void field(struct fmt_out *o, char sign, size_t zeros, const char *body, size_t len,
                  size_t width, int left, int zero_pad)
{
    size_t n = (sign != 0) + zeros + len, pad = width > n ? width - n : 0;
    if (!left && zero_pad) {
        zeros += pad;
        pad = 0;
    }
    if (!left) fill(o, ' ', pad);
    if (sign != 0) emit(o, &sign, 1);
    fill(o, '0', zeros);
    emit(o, body, len);
    if (left) fill(o, ' ', pad);
}

/* A decimal width or precision (saturating: formats are literals, never this big). */
static const char *decimal(const char *f, size_t *v)
{
    *v = 0;
    for (; *f >= '0' && *f <= '9'; f++)
        if (*v < INT_MAX / 10) *v = *v * 10 + (size_t)(*f - '0');
    return f;
}

int fmt_vformat(fmt_put_fn *put, void *ctx, const char *f, va_list ap)
{
    struct fmt_out o = {put, ctx, 0};

    while (*f != '\0') {
        const char *spec = f;
        char tmp[24], *end = tmp + sizeof tmp, *q = end, sign = 0, c;
        const char *p;
        size_t width, prec = NO_PREC, len;
        unsigned long long u;
        unsigned base = 10, lower = 0x20;
        int left = 0, zero = 0, lm = 0, sgn = 0;

        if (*f != '%') {
            while (*f != '\0' && *f != '%')
                f++;
            emit(&o, spec, (size_t)(f - spec));
            continue;
        }
        for (f++;; f++) {
            if (*f == '-')
                left = 1;
            else if (*f == '0')
                zero = 1;
            else
                break;
        }
        if (*f == '*') {
            int w = va_arg(ap, int);
            f++;
            width = w < 0 ? (size_t)(0u - (unsigned)w) : (size_t)w;
            if (w < 0) left = 1;
        } else {
            f = decimal(f, &width);
        }
        if (*f == '.') {
            if (*++f == '*') {
                int pr = va_arg(ap, int);
                f++;
                prec = pr < 0 ? NO_PREC : (size_t)pr;
            } else {
                f = decimal(f, &prec);
            }
        }
        if (*f == 'l') {
            lm = *++f == 'l' ? 2 : 1;
            if (lm == 2) f++;
        } else if (*f == 'z') {
            lm = 3;
            f++;
        }
        c = *f++;
        switch (c) {
        case '%':
            if (f != spec + 2) goto unsupported; /* only a plain "%%" */
            emit(&o, "%", 1);
            continue;
        case 'c':
        case 's':
            if (lm != 0) goto unsupported; /* %lc, %ls: wide characters */
            if (c == 'c') {
                tmp[0] = (char)va_arg(ap, int);
                p = tmp;
                len = 1;
            } else {
                if ((p = va_arg(ap, const char *)) == NULL) p = "(null)";
                for (len = 0; len < prec && p[len] != '\0'; len++)
                    ;
            }
            field(&o, 0, 0, p, len, width, left, 0);
            continue;
        case 'd':
        case 'i':
            sgn = 1;
            break;
        case 'u':
            break;
        case 'X':
            lower = 0;
            /* fall through */
        case 'x':
            base = 16;
            break;
        case 'o':
            base = 8;
            break;
        default:
            goto unsupported;
        }
        if (sgn) {
            long long v = lm == 0   ? va_arg(ap, int)
                          : lm == 1 ? va_arg(ap, long)
                          : lm == 2 ? va_arg(ap, long long)
                                    : (long long)(ptrdiff_t)va_arg(ap, size_t);
            u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
            if (v < 0) sign = '-';
        } else {
            u = lm == 0   ? va_arg(ap, unsigned)
                : lm == 1 ? va_arg(ap, unsigned long)
                : lm == 2 ? va_arg(ap, unsigned long long)
                          : va_arg(ap, size_t);
        }
        for (; u != 0; u /= base)
            *--q = (char)("0123456789ABCDEF"[u % base] | lower);
        if (q == end && prec != 0) *--q = '0'; /* "%.0d" of 0 is empty */
        len = (size_t)(end - q);
        field(&o, sign, prec != NO_PREC && prec > len ? prec - len : 0, q, len, width, left,
              zero && prec == NO_PREC);
        continue;
    unsupported:
        /* Not ours to guess: the argument types from here on are unknown. */
        emit(&o, spec, strlen(spec));
        break;
    }
    return o.total > INT_MAX ? -1 : (int)o.total;
}

struct fmt_buf {
    char *p;
    size_t room; /* bytes that still fit before the NUL */
};

static void buf_put(void *ctx, const char *s, size_t len)
{
    struct fmt_buf *b = ctx;
    if (len > b->room) len = b->room;
    if (len == 0) return;
    memcpy(b->p, s, len);
    b->p += len;
    b->room -= len;
}

int fmt_vsnprintf(char *dst, size_t n, const char *format, va_list ap)
{
    struct fmt_buf b = {dst, n > 0 ? n - 1 : 0};
    int r = fmt_vformat(buf_put, &b, format, ap);
    if (n > 0) *b.p = '\0';
    return r;
}

int fmt_snprintf(char *dst, size_t n, const char *format, ...)
{
    va_list ap;
    int r;

    va_start(ap, format);
    r = fmt_vsnprintf(dst, n, format, ap);
    va_end(ap);
    return r;
}
