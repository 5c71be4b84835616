/* Command output on stdout (core/out.h) and the write(2) path behind it and log_msg(). */
#include "../core/out.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../core/fmt.h"

#define OUT_BUF_SIZE 512

struct out_buf {
    int fd;
    size_t len;
    char b[OUT_BUF_SIZE];
};

static void drain(struct out_buf *w)
{
    size_t off = 0;
    while (off < w->len) {
        ssize_t r = write(w->fd, w->b + off, w->len - off);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) break; /* EPIPE, EBADF, a full disk: dropped, as stdio would */
        off += (size_t)r;
    }
    w->len = 0;
}

static void put(void *ctx, const char *s, size_t len)
{
    struct out_buf *w = ctx;
    for (; len > 0; len--) {
        if (w->len == sizeof w->b) drain(w);
        w->b[w->len++] = *s++;
    }
}

void out_vwrite(int fd, const char *prefix, int newline, const char *fmt, va_list ap)
{
    struct out_buf w; /* on the stack: no state survives the call */
    int e = errno;

    w.fd = fd;
    w.len = 0;
    if (prefix != NULL) put(&w, prefix, strlen(prefix));
    fmt_vformat(put, &w, fmt, ap);
    if (newline) put(&w, "\n", 1);
    drain(&w);
    errno = e;
}

void out_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    out_vwrite(STDOUT_FILENO, NULL, 0, fmt, ap);
    va_end(ap);
}
