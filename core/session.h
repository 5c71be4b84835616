/* Everything a command needs to talk to the CA: the TLS transport, the HTTP client, the
 * struct acme with the directory, and (on request) the account key and the account. One
 * session at a time (static storage); the lifecycle commands use it, and so does the renewal
 * run (which takes the lock itself and connects only when it needs the CA). */
#ifndef ACME_SESSION_H
#define ACME_SESSION_H

#include "acme.h"
#include "state.h"

struct acme_config;
struct arena;
struct transport;

#define SESSION_DIRECTORY 0 /* the directory only */
#define SESSION_KEY 1       /* ... and the account key (created when missing) */
#define SESSION_ACCOUNT 3   /* ... and the account (created when missing; implies the key) */

struct session {
    struct transport *t; /* given (unit tests) or made by session_connect() */
    struct http_client http;
    struct acme c;
    struct state st;
    int lock_fd;   /* sys_lock() on state_dir, held while open */
    int open;      /* locked */
    int connected; /* directory fetched */
};

/* Creates state_dir, takes its lock (a concurrent run or command: ACME_ELOCAL), loads the
 * state, then session_connect(). NULL with the error set; on failure nothing is left open. */
struct session *session_open(const struct acme_config *cfg, struct arena *a, int what);
/* Unless done already: sets up the transport of this build (cfg->ca_file, timeout,
 * bind_address) when s->t is NULL, and fetches the directory; then what `what` asks for. */
int session_connect(struct session *s, const struct acme_config *cfg, struct arena *a, int what);
/* Closes the connection, wipes the account key and unlocks; safe when s is NULL or already
 * closed. */
void session_close(struct session *s);

#endif
