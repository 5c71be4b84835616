/* ACME requests: the directory, nonces, JWS-signed POSTs with badNonce retries, and problem
 * documents turned into errors. */
#include "acme.h"

#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "jws.h"
#include "log.h"
#include "problem.h"
#include "sys.h"

#define JWS_BODY_MAX (CONFIG_HTTP_BODY_MAX)

void acme_init(struct acme *c, const struct acme_config *cfg, struct http_client *http,
               struct state *state, struct arena *a)
{
    memset(c, 0, offsetof(struct acme, r)); /* everything before the last response */
    c->cfg = cfg;
    c->a = a;
    c->http = http;
    c->state = state;
    c->poll_limit = cfg->timeout > ACME_POLL_MIN_SECONDS ? cfg->timeout : ACME_POLL_MIN_SECONDS;
    c->doc.ntok = 0;
}

int acme_media_type_is(const char *ctype, const char *type)
{
    size_t n = strlen(type);
    if (strncasecmp(ctype, type, n) != 0) return 0;
    return ctype[n] == '\0' || ctype[n] == ';' || ctype[n] == ' ' || ctype[n] == '\t';
}

/* Parses c->r's body (the answer from `url`) as JSON into c->doc. An empty body and a
 * certificate chain leave c->doc empty; any other Content-Type than JSON is an error, so a
 * proxy's or load balancer's HTML page is named as such instead of as a JSON syntax error. */
static int parse_body(struct acme *c, const char *url, const char *what)
{
    const char *ct = c->r.content_type;
    c->doc.ntok = 0;
    if (c->r.body_len == 0 || acme_media_type_is(ct, ACME_PEM_CHAIN)) return 0;
    if (!acme_media_type_is(ct, "application/json") &&
        !acme_media_type_is(ct, "application/problem+json"))
        return err_set(ACME_ETEMP, "%s: expected JSON from %s, got Content-Type \"%.64s\"", what,
                       url, ct);
    if (json_parse(&c->doc, c->r.body, c->r.body_len, c->toks, CONFIG_JSON_MAX_TOKENS) < 0) {
        c->doc.ntok = 0;
        return err_prefix("%s: response from %s", what, url);
    }
    return 0;
}

/* One request (http_request() logs it at -vv), keeping the response's nonce. */
static int request(struct acme *c, const char *method, const char *url, const char *ctype,
                   const void *body, size_t len)
{
    if (http_request(c->http, method, url, ctype, body, len, &c->r) < 0)
        return err_recode(err_status() == ACME_OK ? ACME_ETEMP : err_status());
    if (c->r.body_len > 0 && log_verbosity >= LOG_VVV &&
        !acme_media_type_is(c->r.content_type, ACME_PEM_CHAIN))
        log_vvv("%.*s", (int)(c->r.body_len > 4000 ? 4000 : c->r.body_len), c->r.body);
    if (c->r.nonce[0] != '\0') memcpy(c->nonce, c->r.nonce, sizeof c->nonce);
    return 0;
}

/* The directory's URL members and where they go; the first three are required, the last
 * two are in "meta". */
static const char *const dir_keys[] = {"newNonce",  "newAccount",  "newOrder",       "revokeCert",
                                       "keyChange", "renewalInfo", "termsOfService", "website"};
static const unsigned char dir_offsets[] = {offsetof(struct acme_directory, new_nonce),
                                            offsetof(struct acme_directory, new_account),
                                            offsetof(struct acme_directory, new_order),
                                            offsetof(struct acme_directory, revoke_cert),
                                            offsetof(struct acme_directory, key_change),
                                            offsetof(struct acme_directory, renewal_info),
                                            offsetof(struct acme_directory, terms_of_service),
                                            offsetof(struct acme_directory, website)};
#define DIR_REQUIRED 3
#define DIR_IN_META 6

/* The error for c->r, a failed request: its problem document, prefixed by what. */
static int response_error(struct acme *c, const char *what, int status_override)
{
    return problem_error(what, c->r.body, c->r.body_len, c->r.status, c->r.retry_after,
                         status_override);
}

int acme_get(struct acme *c, const char *method, const char *url, const char *what)
{
    if (request(c, method, url, NULL, NULL, 0) < 0) return err_prefix("%s", what);
    if (c->r.status == 200 || (c->r.status == 204 && method[0] == 'H')) return 0;
    return response_error(c, what, 0);
}

int acme_directory(struct acme *c)
{
    struct acme_directory *d = &c->dir;
    int meta, t;
    size_t i;

    d->url = c->cfg->directory;
    if (acme_get(c, "GET", d->url, "getting the ACME directory") < 0 ||
        parse_body(c, d->url, "getting the ACME directory") < 0)
        return -1;
    if (c->doc.ntok == 0 || json_type(&c->doc, 0) != JSON_OBJECT)
        return err_set(ACME_ETEMP, "%s: not an ACME directory (JSON object expected)", d->url);
    meta = json_get(&c->doc, 0, "meta");
    if (json_type(&c->doc, meta) != JSON_OBJECT) meta = -1;
    for (i = 0; i < sizeof dir_keys / sizeof dir_keys[0]; i++) {
        const char **v = (const char **)(void *)((char *)d + dir_offsets[i]);
        t = json_get(&c->doc, i >= DIR_IN_META ? meta : 0, dir_keys[i]);
        if (t >= 0) *v = json_str_dup(&c->doc, t, c->a);
        if (i < DIR_REQUIRED && *v == NULL)
            return t >= 0 ? -1
                          : err_set(ACME_EREFUSED, "%s: the CA's response has no \"%s\"", d->url,
                                    dir_keys[i]);
    }
    if (meta >= 0) {
        d->eab_required =
            json_type(&c->doc, json_get(&c->doc, meta, "externalAccountRequired")) == JSON_TRUE;
        /* meta.profiles: {"name": "description", ...} */
        t = json_get(&c->doc, meta, "profiles");
        if (json_type(&c->doc, t) == JSON_OBJECT) {
            for (i = (size_t)t + 1; i < (size_t)c->doc.toks[t].next; i = c->doc.toks[i + 1].next) {
                const char *p;
                if (d->n_profiles == ACME_MAX_PROFILES) {
                    d->profiles_more = 1;
                    break;
                }
                if ((p = json_str_dup(&c->doc, (int)i, c->a)) == NULL) return -1;
                d->profiles[d->n_profiles++] = p;
            }
        }
    }
    err_clear();
    log_v("directory %s%s%s", d->url, d->renewal_info != NULL ? " (ARI)" : "",
          d->eab_required ? " (EAB required)" : "");
    return 0;
}

static int new_nonce(struct acme *c)
{
    if (acme_get(c, "HEAD", c->dir.new_nonce, "getting a nonce") < 0) return -1;
    if (c->nonce[0] == '\0')
        return err_set(ACME_ETEMP, "%s sent no Replay-Nonce", c->dir.new_nonce);
    return 0;
}

int acme_post(struct acme *c, const char *url, const char *payload, int use_jwk, const char *what)
{
    static unsigned char jws[JWS_BODY_MAX];
    char type[256];
    struct buf b;
    int attempt, bad_nonce;
    size_t n = payload != NULL ? strlen(payload) : 0;

    for (attempt = 0;; attempt++) {
        buf_init(&b, jws, sizeof jws);
        if ((c->nonce[0] == '\0' && new_nonce(c) < 0) ||
            jws_sign(&c->account_key, use_jwk ? NULL : c->account_url, c->nonce, url, payload, n,
                     &b) < 0)
            return err_prefix("%s", what);
        c->nonce[0] = '\0'; /* a nonce is used once, whatever happens */
        c->posts++;
        if (request(c, "POST", url, "application/jose+json", b.p, b.len) < 0)
            return err_prefix("%s", what);
        if (c->r.status < 400) return parse_body(c, url, what);
        problem_type(c->r.body, c->r.body_len, type, sizeof type);
        bad_nonce = problem_is(type, "badNonce");
        if (!bad_nonce || attempt >= ACME_NONCE_RETRIES) {
            c->doc.ntok = 0;
            return response_error(c, what, bad_nonce ? ACME_ETEMP : 0);
        }
        log_vv("%s: badNonce, retrying", what); /* with the error's nonce, else a new one */
    }
}

const char *acme_location(struct acme *c, const char *what)
{
    if (c->r.location[0] == '\0')
        return err_set(ACME_EREFUSED, "%s: the CA sent no URL (Location)", what), NULL;
    return arena_strdup(c->a, c->r.location, what);
}

const char *acme_json_str(struct acme *c, int obj, const char *key, const char *what)
{
    int t = json_get(&c->doc, obj, key);
    if (json_type(&c->doc, t) != JSON_STRING)
        return err_set(ACME_EREFUSED, "%s: the CA's response has no \"%s\"", what, key), NULL;
    return json_str_dup(&c->doc, t, c->a);
}
