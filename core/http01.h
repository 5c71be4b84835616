/* The built-in HTTP-01 responder (RFC 8555 section 8.3), implemented in platform/http01.c.
 *
 * Design: http01_start() binds and listens in the calling process (so "port in use" is
 * reported synchronously, and connections that arrive before the child runs wait in the
 * backlog), then forks a child that serves while the parent keeps talking to the CA. The child
 * is a single poll() loop holding at most CONFIG_HTTP01_MAX_CONNS connections, each closed
 * after one response or CONFIG_HTTP01_CONN_TIMEOUT seconds. It closes every other descriptor
 * it inherited, exits after `timeout` seconds, on SIGTERM, or when the parent dies (Linux
 * PR_SET_PDEATHSIG). http01_stop() sends SIGTERM and reaps it.
 *
 * It answers exactly GET and HEAD of /.well-known/acme-challenge/<token> for the tokens given,
 * with the key authorization as text/plain; 404 for any other path, 405 for other methods,
 * 400 for malformed requests (including "..", "%" escapes, HTTP versions other than 1.x),
 * 414/431 for over-long request lines and heads, and "Connection: close" always: never a 5xx.
 * At CONFIG_HTTP01_MAX_CONNS connections, a new one closes the oldest idle (or lingering)
 * one, so that clients holding every slot cannot keep the CA's validation out. Key authorizations
 * are never logged (token and status at -vv). */
#ifndef ACME_HTTP01_H
#define ACME_HTTP01_H

#include <stddef.h>

struct buf;

struct http01_token {
    const char *token;    /* base64url token from the challenge */
    const char *key_auth; /* token "." thumbprint; a secret-ish value: never logged */
};

/* Most tokens one responder serves (one per authorization of an order). */
#define HTTP01_MAX_TOKENS 100

/* Starts the responder. listen: "host:port", "[v6addr]:port" or ":port" (host is a numeric
 * address; ":port", "[::]:port" and "*:port" mean every address: an IPv6 dual-stack socket
 * with IPV6_V6ONLY=0, falling back to 0.0.0.0 where IPv6 is unavailable). Port 0 picks a free
 * port (tests; see http01_port()). tokens are copied into the child; the caller may free them
 * after return. timeout: seconds the child lives at most (<= 0: one hour; at most a day).
 * Errors: port in use is ACME_ETEMP ("cannot listen on [::]:80: port 80 is in use ...; set
 * webroot or http_listen"), a bad listen value ACME_ECONFIG, anything else ACME_ELOCAL.
 * One responder at a time: starting a second while one runs is an error. */
int http01_start(const char *listen, const struct http01_token *tokens, size_t n, int timeout);

/* Binds listen now, for a process that drops its privileges (config `user`) before the
 * responder starts: a later http01_start() with the same listen value serves from this
 * socket, which stays open (for further starts) until the process exits. Errors as
 * http01_start(); a second call is a no-op. */
int http01_bind(const char *listen);

/* Stops the responder (SIGTERM + waitpid). Safe to call when none runs and more than once. */
void http01_stop(void);

/* The port the running responder is bound to, 0 when none runs. */
unsigned http01_port(void);

/* Parses a listen value into a numeric host ("" for every address; without brackets) and a
 * port. Returns 0, or -1 with ACME_ECONFIG naming the value. */
int http01_parse_listen(const char *listen, char *host, size_t hostlen, unsigned *port);

/* The pure part of serving, exposed for tests and the fuzzer: given one complete request head
 * (request line and headers; the empty line may be missing), appends the whole response to
 * out and returns the HTTP status it chose (200, 400, 404, 405, 414, 431). A response that
 * does not fit in out returns -1 with the error set. */
int http01_answer(const char *req, size_t len, const struct http01_token *tokens, size_t n,
                  struct buf *out);

#endif
