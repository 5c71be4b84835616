/* The `status` command: what is installed, when it will be renewed and why, and what went
 * wrong last time; from the files and the state only (no network). */
#ifndef ACME_STATUS_H
#define ACME_STATUS_H

struct acme_config;
struct cli;

/* `status` for one configuration (args: none, or "--cert FILE"). Returns 0 (valid, not due),
 * 1 (due, missing or expired) or -1 with the error set (ACME_ECONFIG for bad arguments). */
int status_run(const struct acme_config *cfg, const struct cli *cl);
/* `status --cert FILE` needs no configuration: the FILE argument, or NULL when the command
 * line has no --cert. */
const char *status_cert_arg(const struct cli *cl);
/* Inspects any PEM certificate file (the lifetime rule with the default thresholds). */
int status_cert(const char *path);

#endif
