/* `acme selfsign`: a self-signed certificate for the configured names, installed into the
 * configured files (so that a device has TLS before a CA is reachable). */
#include "arena.h"
#include "cli.h"
#include "cmd.h"
#include "config.h"
#include "err.h"
#include "hook.h"
#include "install.h"
#include "sys.h"

#include <string.h>

int cmd_opt_value(const struct cli *cl, size_t *i, const char *opt, const char **val)
{
    if (strcmp(cl->args[*i], opt) != 0) return 0;
    if (*i + 1 >= cl->n_args) return err_set(ACME_ECONFIG, "%s needs a value", opt);
    *val = cl->args[++*i];
    return 1;
}

#if defined(CONFIG_SELFSIGN)
int cmd_selfsign(const struct acme_config *cfg, const struct cli *cl)
{
    int fd, rc;
    if (cl->n_args > 0)
        return err_set(ACME_ECONFIG, "selfsign: unexpected argument '%s'", cl->args[0]);
    if (dir_make(cfg->state_dir, 0700) < 0) return err_recode(ACME_ELOCAL);
    if (sys_lock(cfg->state_dir, &fd) < 0) return -1;
    rc = install_selfsigned(cfg, run_arena());
    sys_unlock(fd);
    if (rc < 0) return -1;
    if (cfg->reload != NULL && hook_shell("reload", cfg->reload, 0) < 0)
        return err_prefix("the self-signed certificate is installed, but");
    return 0;
}
#else
int cmd_selfsign(const struct acme_config *cfg, const struct cli *cl)
{
    (void)cfg, (void)cl;
    return err_set(ACME_ECONFIG, "selfsign: " ACME_NO_SELFSIGN);
}
#endif
