/* ACME problem documents (RFC 8555 section 6.7, RFC 7807): turning a CA's error response into
 * a message a person can act on and an exit status scripts can act on. */
#ifndef ACME_PROBLEM_H
#define ACME_PROBLEM_H

#include <stddef.h>

#define ACME_ERR_NS "urn:ietf:params:acme:error:"

/* The exit status (core/err.h) for a problem `type` (full URN or short name) received with
 * HTTP status `http_status` in answer to a request (not a validation result):
 * rateLimited -> ACME_ERATE, badNonce and 5xx -> ACME_ETEMP, externalAccountRequired ->
 * ACME_ECONFIG, everything else the CA refused -> ACME_EREFUSED. */
int problem_status(const char *type, int http_status);

/* Formats the problem document body[0..len) into `out` (NUL-terminated, cut with "..." when
 * cap is too small): "<short type> (HTTP <status>): <detail>" followed by
 * "; <identifier type> <value>: <short type>: <detail>" for each subproblem. A body that is
 * not a problem document gives "HTTP <status>" and what the body starts with. http_status 0
 * leaves the HTTP part out (problems embedded in authorizations and challenges). */
void problem_format(const char *body, size_t len, int http_status, char *out, size_t cap);

/* The problem's `type` copied into out (full URN), "" when absent or not JSON.
 * problem_format() and problem_type() leave the error held by err.h as it was. */
void problem_type(const char *body, size_t len, char *out, size_t cap);

/* 1 when `type` (a full URN) is the ACME error `name` (e.g. "badNonce"). */
int problem_is(const char *type, const char *name);

/* err_set() for a failed request: "<what>: <formatted problem>", status from problem_status()
 * (or `status_override` when it is not 0), plus "; retry after N s" when retry_after >= 0.
 * Always returns -1. */
int problem_error(const char *what, const char *body, size_t len, int http_status, long retry_after,
                  int status_override);

/* An error kept across code that may set or clear its own (err.h holds one at a time):
 * cleanups after a failure, parsing a problem document. */
struct held_error {
    int status;
    char msg[1024];
};
void error_hold(struct held_error *h);
/* Puts the held error back (err_clear() when none was held); returns -1. */
int error_restore(const struct held_error *h);

#endif
