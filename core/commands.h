/* The commands other than the renewal run and `status`: revoke, account, challenges,
 * selfsign (core/cmd_*.c). main() offers every command it does not handle itself here. */
#ifndef ACME_COMMANDS_H
#define ACME_COMMANDS_H

struct acme_config;
struct cli;

#define COMMAND_UNKNOWN (-2)

/* Runs command `name` (arguments in cl->args) for one configuration. Returns the exit status
 * (>= 0), -1 with the error set, or COMMAND_UNKNOWN when `name` is not one of these commands. */
int command_run(const char *name, const struct acme_config *cfg, const struct cli *cl);

#endif
