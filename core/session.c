/* Setting up a conversation with the CA (see session.h). */
#include "session.h"

#include <string.h>

#include "config.h"
#include "err.h"
#include "log.h"
#include "sys.h"
#include "transport.h"

int session_connect(struct session *s, const struct acme_config *cfg, struct arena *a, int what)
{
    struct acme *c = &s->c;
    if (!s->connected) {
        if (s->t == NULL) {
            struct transport_opts o;
            memset(&o, 0, sizeof o);
            o.ca_file = cfg->ca_file;
            o.timeout = cfg->timeout;
            o.bind_address = cfg->bind_address;
            if ((s->t = tls_transport(&o)) == NULL)
                return err_status() != ACME_OK ? -1 : err_set(ACME_ELOCAL, "no TLS transport");
        }
        http_client_init(&s->http, s->t);
        acme_init(c, cfg, &s->http, &s->st, a);
        if (acme_directory(c) < 0) return -1;
        s->connected = 1;
    }
    if ((what & SESSION_KEY) && acme_account_key(c) < 0) return -1;
    if ((what & SESSION_ACCOUNT) == SESSION_ACCOUNT && acme_account(c) < 0) return -1;
    return 0;
}

struct session *session_open(const struct acme_config *cfg, struct arena *a, int what)
{
    static struct session the_session;
    struct session *s = &the_session;

    session_close(s);
    s->t = NULL;
    s->connected = 0;
    if (dir_make(cfg->state_dir, 0700) < 0) return err_recode(ACME_ELOCAL), NULL;
    if (sys_lock(cfg->state_dir, &s->lock_fd) < 0) return NULL;
    s->open = 1;
    if (state_load(&s->st, cfg->state_dir, a) == 0 && session_connect(s, cfg, a, what) == 0)
        return s;
    session_close(s);
    return NULL;
}

void session_close(struct session *s)
{
    if (s == NULL || !s->open) return;
    if (s->http.t != NULL) {
        log_v("%u HTTPS requests (%u signed), %u TLS handshakes", s->http.requests, s->c.posts,
              s->t->handshakes);
        http_client_close(&s->http);
        s->http.t = NULL;
    }
    crypto_key_wipe(&s->c.account_key);
    sys_unlock(s->lock_fd);
    s->open = 0;
}
