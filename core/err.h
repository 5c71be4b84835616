/* Error reporting and the exit statuses that scripts depend on.
 *
 * Functions that fail call err_set() (which records a status and a message and returns -1)
 * and return -1; callers add context with err_prefix() or change the status with err_recode().
 * main() prints err_msg() and exits with err_status(). One error is held at a time. */
#ifndef ACME_ERR_H
#define ACME_ERR_H

enum acme_status {
    ACME_OK = 0,       /* success: issued and installed, or the command did what was asked */
    ACME_NOT_DUE = 1,  /* the installed certificate is valid and not due; nothing changed */
    ACME_ECONFIG = 2,  /* usage or configuration error */
    ACME_ETEMP = 3,    /* temporary failure: network, DNS, TLS, timeout, CA 5xx, port in use */
    ACME_EVALID = 4,   /* the CA could not validate a challenge */
    ACME_ERATE = 5,    /* rate limited by the CA */
    ACME_EREFUSED = 6, /* refused by the CA: permanent protocol error */
    ACME_ELOCAL = 7    /* local failure: files, lock, arena, entropy */
};

#if defined(__GNUC__)
#define ACME_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ACME_PRINTF(a, b)
#endif

/* Records status and message (replacing any earlier error); always returns -1. */
int err_set(int status, const char *fmt, ...) ACME_PRINTF(2, 3);
/* Prepends "context: " to the held message; returns -1. */
int err_prefix(const char *fmt, ...) ACME_PRINTF(1, 2);
/* Changes the held status, keeping the message; returns -1. */
int err_recode(int status);
int err_status(void);
const char *err_msg(void);
void err_clear(void);

#endif
