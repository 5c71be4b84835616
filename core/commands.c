/* Dispatch of the lifecycle commands (see commands.h). */
#include "commands.h"

#include <string.h>

#include "cli.h"
#include "cmd.h"
#include "config.h"

struct command {
    const char *name;
    int (*run)(const struct acme_config *cfg, const struct cli *cl);
};

static const struct command commands[] = {
    {"revoke", cmd_revoke},
    {"account", cmd_account},
    {"challenges", cmd_challenges},
    {"selfsign", cmd_selfsign},
    {NULL, NULL},
};

int command_run(const char *name, const struct acme_config *cfg, const struct cli *cl)
{
    const struct command *c;
    for (c = commands; c->name != NULL; c++)
        if (strcmp(c->name, name) == 0) return c->run(cfg, cl);
    return COMMAND_UNKNOWN;
}
