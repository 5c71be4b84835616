/* Command-line parsing. */
#include "cli.h"

#include <string.h>

#include "err.h"

const char cli_help[] =
    "usage: acme [-c FILE|DIR] [-o key=value]... [-f] [-j SECONDS] [-v...] [-q] [COMMAND]\n"
    "\n"
    "Gets and renews a TLS certificate from an ACME CA (RFC 8555).\n"
    "\n"
    "options:\n"
    "  -c FILE|DIR     config file (default " CLI_DEFAULT_CONFIG "); a directory runs\n"
    "                  every *.conf in it in name order\n"
    "  -o key=value    set a config key (overrides the file; repeatable)\n"
    "  -f              force issuance even when the certificate is not due, and\n"
    "                  even while backing off after a failure (no jitter either)\n"
    "  -j SECONDS      sleep a random time up to SECONDS before contacting the CA\n"
    "                  when a renewal is due (overrides `jitter`; not with -f and\n"
    "                  not for the first certificate)\n"
    "  -v              more detail (repeat: -vv requests, -vvv CA responses); never secrets\n"
    "  -q              print nothing on success or when not due\n"
    "  -h, --help      this text\n"
    "  -V, --version   the version\n"
    "\n"
    "commands:\n"
    "  (none)          get the certificate if missing, renew it if due, else do nothing\n"
    "  run             the same. Due: inside the CA's ARI window (RFC 9773) at a\n"
    "                  random moment kept in state, else when a third of the\n"
    "                  lifetime is left (half when it is 10 days or less), or\n"
    "                  renew_days. After a failure: no attempt for 1 h, doubling\n"
    "                  up to 24 h (exit 3 until then). A second concurrent run\n"
    "                  for the same state_dir exits 7 (lock).\n"
    "  status [--cert FILE]\n"
    "                  the certificate, when renewal is due and why, the last\n"
    "                  error; no network. Exit 0 valid and not due, 1 due,\n"
    "                  missing or expired, 2 config error. --cert: any PEM file\n"
    "  revoke [--reason N] [--cert FILE] [--key FILE]\n"
    "                  revoke the certificate (account key, or --key: the\n"
    "                  certificate's key); the file is moved aside, not deleted\n"
    "  account [update | deactivate --yes | rollover]\n"
    "                  show (create if needed) the account, update its contacts,\n"
    "                  deactivate it, or change its key (RFC 8555 7.3.5)\n"
    "  challenges [--finish [--published]]\n"
    "                  staged issuance: create or resume the order and print what\n"
    "                  to publish; --finish answers the challenges and installs\n"
    "  selfsign        install a self-signed certificate for the configured names\n"
    "\n"
    "exit status:\n"
    "  0  success: a certificate was issued and installed (or the command did what was asked)\n"
    "  1  not due: the installed certificate is valid and not due; nothing changed\n"
    "  2  usage or configuration error (bad flag, unknown key, bad value, terms not agreed)\n"
    "  3  temporary failure: network, DNS, TLS, timeout, CA 5xx, nonces, port in use\n"
    "  4  validation failed: the CA could not validate a challenge (its detail is printed)\n"
    "  5  rate limited by the CA; the retry-after time is printed\n"
    "  6  refused by the CA: a permanent protocol error (rejectedIdentifier, caa, ...)\n"
    "  7  local failure: cannot write files, lock held, out of arena or entropy\n"
    "\n"
    "with -c DIR: the most severe status of the runs, in the order\n"
    "  7 > 6 > 5 > 4 > 3 > 2 > 0 > 1\n"
    "(a local failure needs the admin most; 0 beats 1 because something changed,\n"
    "so a reload may be needed). For `status`: 2 > 1 > 0.\n"
    "\n"
    "Every config key, the files and examples: man acme (acme.1).\n";

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
