/* Command-line parsing. */
#include "cli.h"

#include <string.h>

#include "err.h"

const char cli_help[] =
    "usage: acme [-fqv] [-c FILE|DIR] [-o key=value]... [-j SECONDS] [COMMAND [ARGS]]\n"
    "Gets and renews TLS certificates from an ACME CA (RFC 8555).\n"
    "\n"
    "options:\n"
    "  -c FILE|DIR    config file (default " CLI_DEFAULT_CONFIG "), or every DIR/*.conf\n"
    "  -o key=value   set a config key over the file's value (repeatable)\n"
    "  -f             issue now: ignore due time, backoff and jitter\n"
    "  -j SECONDS     random delay before a due renewal (overrides jitter)\n"
    "  -v             more detail (-vv requests, -vvv CA responses)\n"
    "  -q             quiet on success or when not due\n"
    "  -h, --help     this text\n"
    "  -V, --version  the version\n"
    "\n"
    "commands:\n"
    "  run            (the default) get the certificate, or renew it when due\n"
    "  status [--cert FILE]  is it due? (exit 1 yes, 0 no; no network)\n"
    "  revoke [--reason N] [--cert FILE] [--key FILE]\n"
    "  account [update|deactivate --yes|rollover]\n"
    "  challenges [--finish [--published]]  staged issuance\n"
    "  selfsign       install a self-signed certificate\n"
    "\n"
    "exit status (-c DIR: the worst, 7 > 6 > 5 > 4 > 3 > 2 > 0 > 1):\n"
    "  0  success\n"
    "  1  not due: nothing changed\n"
    "  2  usage or configuration error\n"
    "  3  temporary failure: retry later\n"
    "  4  validation failed\n"
    "  5  rate limited\n"
    "  6  refused by the CA\n"
    "  7  local failure (files, lock, arena, entropy)\n"
    "\n"
    "Every key, command and status in detail: acme(1).\n";

/* The value of an option: attached ("-cFILE") or the next argument. */
static int opt_value(int argc, char **argv, int *i, const char *arg, const char **out)
{
    if (arg[2] != '\0') {
        *out = arg + 2;
        return 0;
    }
    if (*i + 1 >= argc)
        return err_set(ACME_ECONFIG, "option %s needs a value (see acme --help)", arg);
    *out = argv[++*i];
    return 0;
}

int cli_parse(struct cli *c, int argc, char **argv)
{
    int i;
    memset(c, 0, sizeof *c);
    c->jitter = -1;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = NULL;
        if (c->command != NULL) {
            if (c->n_args == CLI_MAX_ARGS)
                return err_set(ACME_ECONFIG, "more than %d command arguments", CLI_MAX_ARGS);
            c->args[c->n_args++] = a;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            c->help = 1;
            continue;
        }
        if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            c->version = 1;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            if (i + 1 < argc) c->command = argv[++i];
            continue;
        }
        if (a[0] != '-' || a[1] == '\0') {
            c->command = a;
            continue;
        }
        if (a[1] == '-') return err_set(ACME_ECONFIG, "unknown option '%s' (see acme --help)", a);
        switch (a[1]) {
        case 'c':
            if (opt_value(argc, argv, &i, a, &v) < 0) return -1;
            c->config = v;
            break;
        case 'j': {
            long n = 0;
            const char *p;
            if (opt_value(argc, argv, &i, a, &v) < 0) return -1;
            for (p = v; *p >= '0' && *p <= '9' && n <= 86400; p++)
                n = n * 10 + (*p - '0');
            if (*v == '\0' || *p != '\0' || n > 86400)
                return err_set(ACME_ECONFIG, "-j '%s': seconds from 0 to 86400 expected", v);
            c->jitter = (int)n;
            break;
        }
        case 'o':
            if (opt_value(argc, argv, &i, a, &v) < 0) return -1;
            if (strchr(v, '=') == NULL)
                return err_set(ACME_ECONFIG, "-o '%s': key=value expected", v);
            if (c->n_overrides == CLI_MAX_OVERRIDES)
                return err_set(ACME_ECONFIG, "more than %d -o options", CLI_MAX_OVERRIDES);
            c->overrides[c->n_overrides++] = v;
            break;
        default: {
            /* flag clusters: -f, -q, -v, -vv, -fv ... */
            const char *p;
            for (p = a + 1; *p != '\0'; p++) {
                if (*p == 'f')
                    c->force = 1;
                else if (*p == 'v')
                    c->verbosity = c->verbosity < 0 ? c->verbosity : c->verbosity + 1;
                else if (*p == 'q')
                    c->verbosity = -1;
                else
                    return err_set(ACME_ECONFIG, "unknown option '-%c' (see acme --help)", *p);
            }
        }
        }
    }
    return 0;
}
