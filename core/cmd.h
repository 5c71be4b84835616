/* The lifecycle commands behind command_run() (core/commands.c), one file each:
 * core/cmd_revoke.c, cmd_account.c, cmd_challenges.c, cmd_selfsign.c. Each returns the exit
 * status (0 done), or -1 with the error set. Arguments are in cl->args. */
#ifndef ACME_CMD_H
#define ACME_CMD_H

#include <stddef.h>

struct acme_config;
struct cli;

/* revoke [--reason N] [--cert FILE] [--key FILE] */
int cmd_revoke(const struct acme_config *cfg, const struct cli *cl);
/* account [update | deactivate --yes | rollover] */
int cmd_account(const struct acme_config *cfg, const struct cli *cl);
/* challenges [--finish] */
int cmd_challenges(const struct acme_config *cfg, const struct cli *cl);
/* selfsign */
int cmd_selfsign(const struct acme_config *cfg, const struct cli *cl);

/* Shared argument helper: when args[*i] is `opt`, its value (the next argument) in *val,
 * *i advanced; 1 when matched, 0 when not, -1 (ACME_ECONFIG) when the value is missing. */
int cmd_opt_value(const struct cli *cl, size_t *i, const char *opt, const char **val);

#endif
