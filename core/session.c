/* Setting up a conversation with the CA for one command (see session.h). */
#include "session.h"

#include <string.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "sys.h"
#include "transport.h"

static struct session the_session;

struct session *session_open_transport(const struct acme_config *cfg, struct arena *a, int what,
                                       struct transport *t)
{
    struct session *s = &the_session;

    session_close(s);
    if (dir_make(cfg->state_dir, 0700) < 0) return err_recode(ACME_ELOCAL), NULL;
    if (sys_lock(cfg->state_dir, &s->lock_fd) < 0) return NULL;
    if (state_load(&s->st, cfg->state_dir, a) < 0) {
        sys_unlock(s->lock_fd);
        return NULL;
    }
    s->t = t;
    http_client_init(&s->http, t);
    acme_init(&s->c, cfg, &s->http, &s->st, a);
    s->open = 1;
    if (acme_directory(&s->c) < 0) goto fail;
    if ((what & SESSION_KEY) && acme_account_key(&s->c) < 0) goto fail;
    if ((what & SESSION_ACCOUNT) == SESSION_ACCOUNT && acme_account(&s->c) < 0) goto fail;
    return s;
fail:
    session_close(s);
    return NULL;
}

struct session *session_open(const struct acme_config *cfg, struct arena *a, int what)
{
    struct transport_opts o;
    struct transport *t;

    memset(&o, 0, sizeof o);
    o.ca_file = cfg->ca_file;
    o.timeout = cfg->timeout;
    o.bind_address = cfg->bind_address;
    t = tls_transport(&o);
    if (t == NULL) {
        if (err_status() == ACME_OK) err_set(ACME_ELOCAL, "no TLS transport");
        return NULL;
    }
    return session_open_transport(cfg, a, what, t);
}

void session_close(struct session *s)
{
    if (s == NULL || !s->open) return;
    log_v("%u HTTPS requests (%u signed), %u TLS handshakes", s->http.requests, s->c.posts,
          s->t != NULL ? s->t->handshakes : 0);
    http_client_close(&s->http);
    crypto_key_wipe(&s->c.account_key);
    sys_unlock(s->lock_fd);
    s->open = 0;
}
