/* ACME Renewal Information (RFC 9773): GET <renewalInfo>/<certID>, an unauthenticated GET. */
#include "acme.h"

#include <string.h>

#include "arena.h"
#include "err.h"
#include "log.h"
#include "renew.h"

int acme_renewal_info(struct acme *c, const char *certid, struct renew_window *w, char *expl,
                      size_t expl_cap, long *retry_after)
{
    const char *base = c->dir.renewal_info;
    size_t bl;
    char *url;

    *retry_after = -1;
    if (base == NULL) return err_set(ACME_EREFUSED, "the CA has no renewalInfo");
    bl = strlen(base);
    url = arena_printf(c->a, "renewalInfo", "%s%s%s", base,
                       bl > 0 && base[bl - 1] == '/' ? "" : "/", certid);
    if (url == NULL) return -1;
    log_v("ARI: GET %s", url);
    if (acme_get(c, "GET", url, "renewalInfo") < 0 ||
        renew_ari_parse(c->r.body, c->r.body_len, w, expl, expl_cap) < 0)
        return -1;
    *retry_after = c->r.retry_after;
    return 0;
}
