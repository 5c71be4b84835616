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

int cli_parse(struct cli *c, int argc, char **argv)
{
    int i;
    memset(c, 0, sizeof *c);
    c->jitter = -1;
    for (i = 1; i < argc && c->command == NULL; i++) {
        const char *a = argv[i], *v, *p;
        long n = 0;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            c->help = 1;
        } else if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
            c->version = 1;
        } else if (strcmp(a, "--") == 0) {
            if (i + 1 < argc) c->command = argv[++i];
        } else if (a[0] != '-' || a[1] == '\0') {
            c->command = a;
        } else if (a[1] == '-') {
            return err_set(ACME_ECONFIG, "unknown option '%s' (see acme --help)", a);
        } else if (strchr("cjo", a[1]) != NULL) {
            /* the value: attached ("-cFILE") or the next argument */
            if (a[2] != '\0')
                v = a + 2;
            else if (++i < argc)
                v = argv[i];
            else
                return err_set(ACME_ECONFIG, "option %s needs a value (see acme --help)", a);
            if (a[1] == 'c') {
                c->config = v;
            } else if (a[1] == 'o') {
                if (strchr(v, '=') == NULL)
                    return err_set(ACME_ECONFIG, "-o '%s': key=value expected", v);
                if (c->n_overrides == CLI_MAX_OVERRIDES)
                    return err_set(ACME_ECONFIG, "more than %d -o options", CLI_MAX_OVERRIDES);
                c->overrides[c->n_overrides++] = v;
            } else {
                for (p = v; *p >= '0' && *p <= '9' && n <= 86400; p++)
                    n = n * 10 + (*p - '0');
                if (*v == '\0' || *p != '\0' || n > 86400)
                    return err_set(ACME_ECONFIG, "-j '%s': seconds from 0 to 86400 expected", v);
                c->jitter = (int)n;
            }
        } else {
            /* flag clusters: -f, -q, -v, -vv, -fv ... */
            for (p = a + 1; *p != '\0'; p++) {
                if (*p == 'f')
                    c->force = 1;
                else if (*p == 'v')
                    c->verbosity += c->verbosity >= 0;
                else if (*p == 'q')
                    c->verbosity = -1;
                else
                    return err_set(ACME_ECONFIG, "unknown option '-%c' (see acme --help)", *p);
            }
        }
    }
    /* everything after the command is its own */
    for (; i < argc; i++) {
        if (c->n_args == CLI_MAX_ARGS)
            return err_set(ACME_ECONFIG, "more than %d command arguments", CLI_MAX_ARGS);
        c->args[c->n_args++] = argv[i];
    }
    return 0;
}
