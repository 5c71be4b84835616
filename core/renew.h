/* When to renew: the renewal policy of the no-command run, kept in one place and free of I/O
 * (the clock and random numbers are parameters, so unit tests drive it with a fake clock).
 *
 * Order of the rules (acme_run.c):
 *   1. backoff: after a failed attempt nothing is tried before next_attempt (-f ignores it);
 *   2. ARI (RFC 9773): when the CA suggested a window for the installed certificate, renew at
 *      a random moment inside it (chosen once, kept in state), at once when the window is past;
 *   3. otherwise the lifetime rule (renew_due()).
 * An expired certificate is always due; a not-yet-valid one is not (the clock is behind, e.g.
 * a router before NTP: a new certificate would not help). */
#ifndef ACME_RENEW_H
#define ACME_RENEW_H

#include <stddef.h>
#include <stdint.h>

struct x509_info;

#define RENEW_BACKOFF_FIRST 3600L        /* after the first failure: 1 h ... */
#define RENEW_BACKOFF_MAX 86400L         /* ... doubling up to 24 h */
#define RENEW_ARI_RECHECK 21600L         /* next ARI check when the CA sent no Retry-After: 6 h */
#define RENEW_ARI_RETRY_FAILED 3600L     /* next ARI check after a failed one: 1 h */
#define RENEW_ARI_RETRY_MIN 60L          /* a shorter Retry-After is raised to this */
#define RENEW_ARI_RETRY_MAX (7L * 86400) /* a longer one is lowered to this */
/* A CA without renewalInfo: its directory is looked at again after this long (it may start
 * offering ARI), so a not-due run makes no request at all in between. */
#define RENEW_NO_ARI_RECHECK (7L * 86400)
/* certID: base64url(AKI) "." base64url(serial) with the limits of x509.h, plus NUL. */
#define RENEW_CERTID_MAX 160

/* Lifetime rule: due when less than a third of the lifetime remains (a half when the
 * lifetime is 10 days or less); with renew_days > 0, due when fewer than renew_days days
 * remain. An expired certificate is due, a not-yet-valid one is not. Returns 1 due, 0 not due;
 * `why` (NULL with cap 0: none) gets a one-line explanation either way, and *due_at the moment
 * renewal is (or was) due. */
int renew_due(int64_t not_before, int64_t not_after, int64_t now, int renew_days, int64_t *due_at,
              char *why, size_t cap);

/* An ARI window with the moment chosen in it (all seconds since the epoch). */
struct renew_window {
    int64_t start, end; /* suggestedWindow */
    int64_t at;         /* chosen: start <= at < end (at == start when end <= start) */
};

/* A uniformly random moment in [start, end) from 64 random bits. */
int64_t renew_ari_pick(int64_t start, int64_t end, uint64_t rnd);
/* ARI rule for a certificate expiring at not_after: due when now >= w->at, when the window is
 * in the past, or when the certificate has expired. Same return and `why` as renew_due(). */
int renew_ari_due(const struct renew_window *w, int64_t not_after, int64_t now, char *why,
                  size_t cap);
/* Parses a renewalInfo response body: suggestedWindow start/end (RFC 3339; end after start)
 * and explanationURL (copied to expl, "" when absent; may be NULL). -1 with err_set
 * (ACME_ETEMP) naming what is wrong. */
int renew_ari_parse(const char *body, size_t len, struct renew_window *w, char *expl,
                    size_t expl_cap);

/* The ARI certificate identifier (RFC 9773 4.1): base64url(AKI keyIdentifier) "."
 * base64url(serial as DER INTEGER contents, i.e. with the 0x00 sign byte when the top bit is
 * set). -1 with err_set when the certificate has no AKI or cap is too small. */
int renew_certid(const struct x509_info *x, char *out, size_t cap);

/* Seconds to wait after the n-th failed attempt in a row (n >= 1): 1 h doubling, capped at
 * 24 h. */
long renew_backoff(unsigned failures);
/* A uniformly random delay in [0, max] seconds from 32 random bits. */
unsigned renew_jitter(unsigned max, uint32_t rnd);

#endif

/* ---- the whole decision (renew_policy.c): what the run and `status` both use */
struct state;

struct renew_input {
    int64_t not_before, not_after; /* the installed certificate */
    int renew_days;                /* config; 0 = lifetime rule */
    int have_window;               /* the state holds an ARI window for this certificate */
    struct renew_window w;
};

/* Fills in from the certificate's dates, renew_days and the state's ARI keys (used only when
 * they belong to certid; certid may be NULL). */
void renew_input_from_state(struct renew_input *in, int64_t not_before, int64_t not_after,
                            int renew_days, const struct state *s, const char *certid);
/* With an ARI window: due when the ARI rule says so, or (renew_days set) when fewer than
 * renew_days days remain. Without: the lifetime rule. *due_at (may be NULL) gets the moment
 * renewal is due. Returns 1 due, 0 not due, with a one-line reason in why. */
int renew_decide(const struct renew_input *in, int64_t now, int64_t *due_at, char *why, size_t cap);
