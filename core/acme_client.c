/* ACME requests: the directory, nonces, JWS-signed POSTs with badNonce retries, and problem
 * documents turned into errors. */
#include "acme.h"

#include <string.h>
#include <strings.h>

#include "arena.h"
#include "buf.h"
#include "config.h"
#include "err.h"
#include "ipaddr.h"
#include "jws.h"
#include "log.h"
#include "problem.h"
#include "sys.h"

#define JWS_BODY_MAX (CONFIG_HTTP_BODY_MAX)

void acme_init(struct acme *c, const struct acme_config *cfg, struct http_client *http,
               struct state *state, struct arena *a)
{
    memset(&c->dir, 0, sizeof c->dir);
    c->cfg = cfg;
    c->a = a;
    c->http = http;
    c->state = state;
    c->nonce[0] = '\0';
    c->account_key.type = KEY_NONE;
    c->account_url = NULL;
    c->account_key_new = 0;
    c->thumbprint[0] = '\0';
    c->posts = 0;
    c->poll_limit = cfg->timeout > ACME_POLL_MIN_SECONDS ? cfg->timeout : ACME_POLL_MIN_SECONDS;
    c->doc.ntok = 0;
}

int acme_identifier_kind(const char *name)
{
    uint8_t ip[16];
    return ipaddr_parse(name, strlen(name), ip) != 0 ? ACME_ID_IP : ACME_ID_DNS;
}

static void keep_nonce(struct acme *c)
{
    if (c->r.nonce[0] != '\0') memcpy(c->nonce, c->r.nonce, sizeof c->nonce);
}

/* 1 when the response's media type (before any parameters) is `type` (case-insensitive). */
static int media_type_is(const char *ctype, const char *type)
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
    if (c->r.body_len == 0 || media_type_is(ct, "application/pem-certificate-chain")) return 0;
    if (!media_type_is(ct, "application/json") && !media_type_is(ct, "application/problem+json"))
        return err_set(ACME_ETEMP, "%s: expected JSON, got %s%.64s from %s", what,
                       ct[0] != '\0' ? "Content-Type " : "no Content-Type", ct, url);
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
        strncmp(c->r.content_type, "application/pem", 15) != 0)
        log_vvv("%.*s", (int)(c->r.body_len > 4000 ? 4000 : c->r.body_len), c->r.body);
    keep_nonce(c);
    return 0;
}

static const char *dir_str(struct acme *c, int obj, const char *key, int required)
{
    int t = json_get(&c->doc, obj, key);
    if (t < 0) {
        if (required) err_set(ACME_EREFUSED, "directory %s has no \"%s\"", c->cfg->directory, key);
        return NULL;
    }
    return json_str_dup(&c->doc, t, c->a);
}

int acme_directory(struct acme *c)
{
    struct acme_directory *d = &c->dir;
    int meta, t;
    size_t i;

    d->url = c->cfg->directory;
    if (request(c, "GET", d->url, NULL, NULL, 0) < 0)
        return err_prefix("getting the ACME directory");
    if (c->r.status != 200)
        return problem_error("getting the ACME directory", c->r.body, c->r.body_len, c->r.status,
                             c->r.retry_after, 0);
    if (parse_body(c, d->url, "getting the ACME directory") < 0) return -1;
    if (c->doc.ntok == 0 || json_type(&c->doc, 0) != JSON_OBJECT)
        return err_set(ACME_ETEMP, "%s: not an ACME directory (JSON object expected)", d->url);
    if ((d->new_nonce = dir_str(c, 0, "newNonce", 1)) == NULL ||
        (d->new_account = dir_str(c, 0, "newAccount", 1)) == NULL ||
        (d->new_order = dir_str(c, 0, "newOrder", 1)) == NULL)
        return -1;
    d->revoke_cert = dir_str(c, 0, "revokeCert", 0);
    d->key_change = dir_str(c, 0, "keyChange", 0);
    d->renewal_info = dir_str(c, 0, "renewalInfo", 0);
    meta = json_get(&c->doc, 0, "meta");
    if (json_type(&c->doc, meta) == JSON_OBJECT) {
        d->terms_of_service = dir_str(c, meta, "termsOfService", 0);
        d->website = dir_str(c, meta, "website", 0);
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
    if (request(c, "HEAD", c->dir.new_nonce, NULL, NULL, 0) < 0)
        return err_prefix("getting a nonce");
    if (c->r.status != 200 && c->r.status != 204)
        return problem_error("getting a nonce", c->r.body, c->r.body_len, c->r.status,
                             c->r.retry_after, 0);
    if (c->nonce[0] == '\0')
        return err_set(ACME_ETEMP, "%s sent no Replay-Nonce", c->dir.new_nonce);
    return 0;
}

int acme_post(struct acme *c, const char *url, const char *payload, int use_jwk, const char *what)
{
    static unsigned char jws[JWS_BODY_MAX];
    char type[256];
    struct buf b;
    int attempt;

    for (attempt = 0;; attempt++) {
        if (c->nonce[0] == '\0' && new_nonce(c) < 0) return err_prefix("%s", what);
        buf_init(&b, jws, sizeof jws);
        if (jws_sign(&c->account_key, use_jwk ? NULL : c->account_url, c->nonce, url,
                     payload != NULL ? payload : "", payload != NULL ? strlen(payload) : 0,
                     &b) < 0 ||
            buf_check(&b, "JWS request") < 0)
            return err_prefix("%s", what);
        c->nonce[0] = '\0'; /* a nonce is used once, whatever happens */
        c->posts++;
        if (request(c, "POST", url, "application/jose+json", b.p, b.len) < 0)
            return err_prefix("%s", what);
        if (c->r.status < 400) return parse_body(c, url, what);
        problem_type(c->r.body, c->r.body_len, type, sizeof type);
        if (!problem_is(type, "badNonce")) break;
        if (attempt >= ACME_NONCE_RETRIES)
            return problem_error(what, c->r.body, c->r.body_len, c->r.status, c->r.retry_after,
                                 ACME_ETEMP);
        log_vv("%s: badNonce, retrying with %s", what,
               c->nonce[0] != '\0' ? "the nonce from the error" : "a new nonce");
    }
    c->doc.ntok = 0;
    return problem_error(what, c->r.body, c->r.body_len, c->r.status, c->r.retry_after, 0);
}

const char *acme_json_str(struct acme *c, int obj, const char *key, const char *what)
{
    int t = json_get(&c->doc, obj, key);
    const char *s;
    if (json_type(&c->doc, t) != JSON_STRING)
        return err_set(ACME_EREFUSED, "%s: the CA's response has no \"%s\"", what, key), NULL;
    s = json_str_dup(&c->doc, t, c->a);
    return s;
}
