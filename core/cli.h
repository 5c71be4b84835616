/* Command-line parsing: acme [-c FILE|DIR] [-o key=value]... [-f] [-j SECONDS] [-v...] [-q]
 * [COMMAND [ARGS]] */
#ifndef ACME_CLI_H
#define ACME_CLI_H

#include <stddef.h>

#define CLI_DEFAULT_CONFIG "/etc/acme/acme.conf"
#define CLI_MAX_OVERRIDES 64
#define CLI_MAX_ARGS 16

struct cli {
    const char *config; /* -c; NULL when not given */
    const char *overrides[CLI_MAX_OVERRIDES];
    size_t n_overrides;
    int force;                      /* -f */
    int jitter;                     /* -j SECONDS (overrides the config's jitter); -1: not given */
    int verbosity;                  /* -1 with -q, else the number of -v */
    int help, version;              /* --help / -h, --version / -V */
    const char *command;            /* NULL: the renewal run */
    const char *args[CLI_MAX_ARGS]; /* the command's own arguments */
    size_t n_args;
};

/* Parses argv; -1 with err_set(ACME_ECONFIG, ...) naming the bad argument. Options come
 * before the command; everything after the command belongs to it. */
int cli_parse(struct cli *c, int argc, char **argv);

/* The --help text (options, commands, exit statuses). */
extern const char cli_help[];

#endif
