/* Logging interface used by core/ and the backends; platform/log.c writes to stderr.
 * Never pass secrets (private keys, HMAC keys, key authorizations) to these functions. */
#ifndef ACME_LOG_H
#define ACME_LOG_H

#include "err.h"

enum log_level {
    LOG_ERROR = -2, /* always printed */
    LOG_WARN = -1,  /* always printed */
    LOG_INFO = 0,   /* printed unless -q */
    LOG_V = 1,      /* -v: what is being done (requests, decisions) */
    LOG_VV = 2,     /* -vv: protocol detail (URLs, statuses, headers of interest) */
    LOG_VVV = 3     /* -vvv: bodies of CA responses (never secrets) */
};

/* -1 = quiet (-q), 0 = default, 1.. = -v count. Set by main(). */
extern int log_verbosity;

void log_msg(int level, const char *fmt, ...) ACME_PRINTF(2, 3);
#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_v(...) log_msg(LOG_V, __VA_ARGS__)
#define log_vv(...) log_msg(LOG_VV, __VA_ARGS__)
#define log_vvv(...) log_msg(LOG_VVV, __VA_ARGS__)

#endif
