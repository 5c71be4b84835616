/* The ACME protocol (RFC 8555): directory, nonces, signed requests with badNonce retries,
 * account, order, authorizations, challenges, polling, finalization and download.
 *
 * Split over core/acme_client.c (directory, nonces, signed POSTs, problems), core/acme_account.c
 * (account key and account), core/acme_order.c (order, authorizations, polling, finalize,
 * download, alternate chains) and core/acme_challenge.c (HTTP-01 built-in and webroot, DNS-01
 * hook), core/acme_ari.c (renewalInfo, RFC 9773). core/acme_run.c holds the renewal run that
 * main() dispatches to (policy in core/renew.h).
 *
 * Every response body is valid only until the next request: what is needed later is copied
 * into the run's arena. */
#ifndef ACME_ACME_H
#define ACME_ACME_H

#include <stddef.h>
#include <stdint.h>

#include "build_config.h"
#include "crypto.h"
#include "http_client.h"
#include "json.h"
#include "jws.h"

struct acme_config;
struct arena;
struct state;
struct acme_pending;

/* A CA answering badNonce this many times in a row for one request is a temporary failure
 * (exit 3). High because a conforming CA may reject any nonce at any time (Pebble's
 * PEBBLE_WFE_NONCEREJECT=50 rejects half of them). */
/* The account key's file name inside state_dir. */
#define ACME_ACCOUNT_KEY_FILE "account.key"
#define ACME_NONCE_RETRIES 20
/* Polling (authorizations, order) is bounded by `timeout` overall (the contract of issue 5);
 * a floor in seconds can be set here if a CA ever needs more. */
#define ACME_POLL_MIN_SECONDS 0
#define ACME_POLL_MAX_SLEEP 10 /* backoff without Retry-After: 50 ms doubling up to this */
#define ACME_MAX_PROFILES 16
#define ACME_THUMBPRINT_MAX (JWS_THUMBPRINT_LEN + 1)
/* The media type of a certificate chain download (RFC 8555 7.4.2). */
#define ACME_PEM_CHAIN "application/pem-certificate-chain"

struct acme_directory {
    const char *url;
    const char *new_nonce, *new_account, *new_order, *revoke_cert, *key_change;
    const char *renewal_info; /* NULL when the CA has no ARI */
    const char *terms_of_service;
    const char *website;
    int eab_required;
    const char *profiles[ACME_MAX_PROFILES];
    size_t n_profiles;
    int profiles_more; /* the CA lists more than ACME_MAX_PROFILES: an unlisted one may exist */
};

struct acme {
    const struct acme_config *cfg;
    struct arena *a;
    struct http_client *http;
    struct state *state; /* may be NULL (account URL not cached) */
    struct acme_directory dir;
    char nonce[HTTP_NONCE_MAX]; /* "" when none is held */
    struct crypto_key account_key;
    const char *account_url; /* the JWS "kid"; NULL until the account is known */
    int account_key_new;     /* the key was created in this run: it has no account yet */
    char thumbprint[ACME_THUMBPRINT_MAX]; /* base64url RFC 7638 thumbprint of the account key */
    unsigned posts;                       /* signed requests sent (badNonce retries included) */
    int poll_limit;                       /* seconds for one polling phase */

    struct http_response r; /* the last response */
    struct json_doc doc;    /* its JSON body, when it had one */
    struct json_tok toks[CONFIG_JSON_MAX_TOKENS];
};

/* ---- acme_client.c */
/* 1 when the media type of Content-Type ctype (before any parameters) is `type`
 * (case-insensitive). */
int acme_media_type_is(const char *ctype, const char *type);
void acme_init(struct acme *c, const struct acme_config *cfg, struct http_client *http,
               struct state *state, struct arena *a);
/* An unsigned GET or HEAD of url into c->r, keeping its nonce; an HTTP status other than 200
 * (or 204 for HEAD) is an error from its problem document, prefixed by what. */
int acme_get(struct acme *c, const char *method, const char *url, const char *what);
/* GETs and parses the directory (cfg->directory). */
int acme_directory(struct acme *c);
/* A JWS-signed POST to url. payload: JSON text, or NULL for POST-as-GET (empty payload).
 * Uses the held nonce (newNonce only when none is held), keeps the nonce of every response,
 * retries badNonce up to ACME_NONCE_RETRIES times. use_jwk: sign with the "jwk" header
 * (newAccount) instead of "kid". On an HTTP status >= 400 the problem document becomes the
 * error (problem_error(), prefixed by `what`). On success c->r holds the response and, when
 * it is JSON, c->doc its parsed body (else c->doc.ntok == 0). */
int acme_post(struct acme *c, const char *url, const char *payload, int use_jwk, const char *what);
/* Copies string member `key` of object token `obj` of c->doc into the arena; NULL (with an
 * error naming `what`) when missing or not a string. */
const char *acme_json_str(struct acme *c, int obj, const char *key, const char *what);
/* The Location of c->r (the URL of what the request `what` created or found) copied into
 * the arena; NULL with the error set when the CA sent none. */
const char *acme_location(struct acme *c, const char *what);

/* ---- acme_account.c */
/* Loads the private key (PEM) in file path, at most max bytes; the text read is wiped. A
 * missing file sets *missing (may be NULL: an error like any other). 0 or -1. */
int acme_key_load(const char *path, size_t max, struct crypto_key *k, struct arena *a,
                  int *missing);
/* "<state_dir>/account.key" in a; NULL with the error set. */
const char *acme_account_key_path(const struct acme_config *cfg, struct arena *a);
/* Writes the member "contact": ["mailto:<email>", ...] from cfg->email. */
int acme_contacts(const struct acme_config *cfg, struct json_writer *w);
/* Loads (or creates, 0600 PKCS#8 PEM in state_dir) the account key. */
int acme_account_key(struct acme *c);
/* Makes sure an account exists and c->account_url is set: the cached URL from state, else
 * newAccount with onlyReturnExisting, else a new account (terms agreed, EAB when configured
 * or required). The URL is saved in state. */
int acme_account(struct acme *c);

/* ---- acme_order.c */
/* The steps of an order, one implementation shared by acme_issue_replacing() and the staged
 * issuance of `acme challenges` (core/cmd_challenges.c). Each leaves the CA's last answer in
 * c->r / c->doc. */
struct acme_order {
    const char *url;      /* the order's URL */
    const char *finalize; /* its finalize URL */
    const char **authz;   /* its authorization URLs (n_authz <= CONFIG_MAX_NAMES) */
    size_t n_authz;
};
#define ACME_STATUS_MAX 32 /* a "status" value with its NUL */
/* 1 when the "status" of the object in c->doc is s. */
int acme_status_is(struct acme *c, const char *s);
/* The "status" of c->doc into out (cap >= 2): 0, or -1 with "?" in out (for messages) and no
 * error held when it has none. */
int acme_status(struct acme *c, char *out, size_t cap);
/* POST-as-GET of url until its "status" is neither "pending" nor "processing" (then in
 * c->doc): waits the Retry-After, else a backoff from 50 ms doubling up to
 * ACME_POLL_MAX_SLEEP; an ACME_ETEMP error once c->poll_limit seconds would be exceeded.
 * `what` names the wait in errors ("waiting for the order"). */
int acme_poll(struct acme *c, const char *url, const char *what);
/* newOrder for cfg->domains (cfg->profile must be offered by the directory), with
 * "replaces": <ARI certID> (RFC 9773 5; NULL: none). When the CA answers 409 alreadyReplaced
 * or a 403 about the replaced certificate, the order is sent once more without it (with a
 * warning). Fills o (in the arena) like acme_order_read(). */
int acme_order_create(struct acme *c, const char *replaces, struct acme_order *o);
/* Reads the identifier of the authorization in c->doc into p (id_value, wildcard, name). */
int acme_authz_identifier(struct acme *c, struct acme_pending *p);
/* Reads the order in c->doc, found at url, into o: finalize URL and authorization URLs. */
int acme_order_read(struct acme *c, const char *url, struct acme_order *o);
/* p->key_auth for p->token and, when dns, p->dns_name and p->dns_value (the dns-01 TXT
 * record), in the arena. Secrets: never logged. */
int acme_pending_answer(struct acme *c, struct acme_pending *p, int dns);
/* Gets every authorization of o; those still pending have their cfg->challenge answered and
 * are waited for until valid (ACME_EVALID with the CA's reason when validation fails). With
 * `publish` the answers are published first (acme_challenges_publish()) and withdrawn after,
 * whatever happened; without, the user has put them in place. */
int acme_authorize(struct acme *c, const struct acme_order *o, int publish);
/* With order o in c->doc (as acme_poll() left it): when it is "ready", finalizes it with
 * csr_der (read only then) and waits for the certificate; then requires "valid" (else the
 * order's error) and downloads the chain (preferred_chain honoured) into *pem, *pem_len. */
int acme_finalize_and_download(struct acme *c, const struct acme_order *o, const uint8_t *csr_der,
                               size_t csr_len, char **pem, size_t *pem_len);
/* Issues a certificate for cfg->domains: order, authorizations, challenges, finalize with
 * `csr_der`, download (preferred_chain honoured), with "replaces": <ARI certID> in newOrder
 * (RFC 9773 5; NULL: none). When the CA answers 409 alreadyReplaced or a 403 about the replaced
 * certificate, the order is sent once more without it (with a warning). On success *pem (length
 * *pem_len) holds the chain (leaf first) in the arena. */
int acme_issue_replacing(struct acme *c, const char *replaces, const uint8_t *csr_der,
                         size_t csr_len, char **pem, size_t *pem_len);
/* The same without "replaces". */
static inline int acme_issue(struct acme *c, const uint8_t *csr_der, size_t csr_len, char **pem,
                             size_t *pem_len)
{
    return acme_issue_replacing(c, NULL, csr_der, csr_len, pem, pem_len);
}

/* ---- acme_ari.c */
struct renew_window;
/* GETs the renewalInfo of certID (RFC 9773 4.2): the suggested window, explanationURL (""
 * when absent) and the response's Retry-After in seconds (-1 when absent). */
int acme_renewal_info(struct acme *c, const char *certid, struct renew_window *w, char *expl,
                      size_t expl_cap, long *retry_after);

/* ---- acme_challenge.c */
struct acme_pending {
    const char *authz_url;
    const char *chall_url;
    const char *id_value; /* the identifier as in the authorization ("example.org") */
    const char *name;     /* for messages: "*.example.org" for a wildcard, else id_value */
    int wildcard;
    const char *token;
    const char *key_auth; /* token "." thumbprint: never logged */
    const char *dns_name; /* dns-01: "_acme-challenge.<id>" */
    char dns_value[48];   /* dns-01: base64url(SHA-256(key_auth)) */
    int published;        /* webroot file written, dns_hook "add" run (not for responders) */
};
/* Makes the answers available: HTTP-01 responder started with every token, webroot files
 * written, or the DNS hook run with "add" for each (then dns_wait seconds of waiting). */
int acme_challenges_publish(struct acme *c, struct acme_pending *p, size_t n);
/* Undoes whatever publish did (responder stopped, files removed, hook "del"); always safe. */
void acme_challenges_withdraw(struct acme *c, struct acme_pending *p, size_t n);

/* ---- acme_run.c */
/* install_check() and install_files() of a new chain with its key (key_pem: NULL when the
 * installed key is kept): the number of files changed, or -1. */
int acme_install(const struct acme_config *cfg, struct arena *a, const struct crypto_key *key,
                 const char *key_pem, size_t key_len, const char *chain, size_t chain_len);
/* Runs `reload` after an installation that changed files (none changed: flash wear and
 * service restarts, nothing to reload). 0, or -1 saying the certificate is installed. */
int acme_reload(const struct acme_config *cfg, int changed);
/* The no-command run: issue when the certificate is missing, renew when it is due (force:
 * whatever the due rule says), install, run `reload`. Returns 0 (installed), 1 (not due,
 * nothing changed) or -1 with the error set (main() prints it and exits with its status). */
int acme_run(const struct acme_config *cfg, int force);
/* The same over a given transport (unit tests use a scripted one). */
int acme_run_transport(const struct acme_config *cfg, int force, struct transport *t);

#endif
