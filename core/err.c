#include "err.h"
#include "fmt.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Messages are for people; a message longer than this is cut with "..." (data never is). */
#define ERR_MSG_MAX 1024

static int err_code;
static char err_buf[ERR_MSG_MAX];

static void mark_cut(int n)
{
    if (n >= (int)sizeof err_buf) memcpy(err_buf + sizeof err_buf - 4, "...", 4);
}

int err_set(int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mark_cut(fmt_vsnprintf(err_buf, sizeof err_buf, fmt, ap));
    va_end(ap);
    err_code = status;
    return -1;
}

int err_prefix(const char *fmt, ...)
{
    char old[ERR_MSG_MAX];
    char pre[ERR_MSG_MAX];
    va_list ap;
    memcpy(old, err_buf, sizeof old);
    va_start(ap, fmt);
    fmt_vsnprintf(pre, sizeof pre, fmt, ap);
    va_end(ap);
    mark_cut(fmt_snprintf(err_buf, sizeof err_buf, "%s: %s", pre, old));
    if (err_code == ACME_OK) err_code = ACME_ELOCAL;
    return -1;
}

int err_recode(int status)
{
    err_code = status;
    return -1;
}

int err_status(void)
{
    return err_code;
}

const char *err_msg(void)
{
    return err_buf;
}

void err_clear(void)
{
    err_code = ACME_OK;
    err_buf[0] = '\0';
}
