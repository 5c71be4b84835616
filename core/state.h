/* The run's small persistent state: <state_dir>/state, "key=value" lines (the account URL now;
 * ARI windows, backoff and staged orders later). Written atomically; unknown keys are kept so
 * that an older binary does not lose a newer one's data. */
#ifndef ACME_STATE_H
#define ACME_STATE_H

#include <stddef.h>
#include <stdint.h>

struct arena;

#define STATE_MAX_KEYS 32
#define STATE_FILE "state"

/* Keys in use (one place, so that later features do not collide). */
#define STATE_ACCOUNT_URL "account_url"
#define STATE_ACCOUNT_DIR "account_directory" /* the directory URL the account belongs to */
/* Renewal (core/acme_run.c, core/status.c). Times are decimal seconds since the epoch. */
#define STATE_ARI_CERTID "ari_certid"      /* the certificate the ARI keys below are about */
#define STATE_ARI_START "ari_window_start" /* its suggestedWindow */
#define STATE_ARI_END "ari_window_end"
#define STATE_ARI_AT "ari_renew_at"               /* the moment chosen inside the window */
#define STATE_ARI_NEXT_CHECK "ari_next_check"     /* no renewalInfo request before this */
#define STATE_ARI_NONE "ari_unsupported"          /* "1": the directory has no renewalInfo */
#define STATE_ARI_EXPLANATION "ari_explanation"   /* explanationURL of the last answer */
#define STATE_FAILURES "failures"                 /* failed attempts in a row */
#define STATE_NEXT_ATTEMPT "next_attempt"         /* backoff: no attempt before this */
#define STATE_LAST_ERROR "last_error"             /* the last failure's message (one line) */
#define STATE_STAGED_ORDER "staged_order"         /* `acme challenges`: the order being staged */
#define STATE_STAGED_DIR "staged_order_directory" /* the directory URL that order belongs to */

struct state {
    const char *path; /* <state_dir>/state */
    const char *key[STATE_MAX_KEYS];
    const char *val[STATE_MAX_KEYS];
    size_t n;
    int dirty;
};

/* Loads <state_dir>/state (a missing file is an empty state). Malformed lines are an error
 * (ACME_ELOCAL) naming the file and line. */
int state_load(struct state *s, const char *state_dir, struct arena *a);
/* Parses state text (for tests and state_load). */
int state_parse(struct state *s, const char *text, size_t len, struct arena *a);
/* NULL when absent. */
const char *state_get(const struct state *s, const char *key);
/* Sets (val NULL removes). Keys are [a-z0-9_]+, values single-line. */
int state_set(struct state *s, const char *key, const char *val, struct arena *a);
/* Integer values: *out = v when the key holds a decimal integer (optionally negative), else
 * *out = dflt (absent or malformed: a damaged state file must not stop renewals). */
void state_get_int(const struct state *s, const char *key, int64_t dflt, int64_t *out);
int state_set_int(struct state *s, const char *key, int64_t v, struct arena *a);
/* Sets a free text as a value: control characters become spaces, cut at max bytes. */
int state_set_text(struct state *s, const char *key, const char *text, size_t max, struct arena *a);
/* Writes the file atomically (0600) when something changed. */
int state_save(struct state *s);

#endif
