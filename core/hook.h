/* Running the user's commands: the `reload` shell command and the `dns_hook` program
 * (implemented in platform/hook.c with fork/exec/waitpid).
 *
 * The child gets stdin from /dev/null, inherits stdout and stderr, and no other file
 * descriptor of ours (TLS connections, the HTTP-01 listener). It runs in its own process group,
 * so that on timeout the whole group (the shell and what it started) is sent SIGTERM and, two
 * seconds later, SIGKILL.
 *
 * Both return 0 when the command exited with status 0. Otherwise -1 with
 * err_set(ACME_ELOCAL, ...) naming what ran and why it failed: "exited with status N",
 * "killed by signal N", "timed out after N s", or the reason it could not be started.
 * Callers change the status with err_recode() where another one fits (e.g. ACME_ETEMP for a
 * failed DNS hook). timeout <= 0 means CONFIG_HOOK_TIMEOUT seconds. */
#ifndef ACME_HOOK_H
#define ACME_HOOK_H

/* Longest command line accepted for `reload` and `dns_hook` (an error names the limit). */
#define HOOK_CMD_MAX 4096

/* Runs `/bin/sh -c cmd`. `what` names the command in messages ("reload"). */
int hook_shell(const char *what, const char *cmd, int timeout);

/* Runs the DNS hook as `HOOK ACTION NAME VALUE`, e.g.
 *   dns_hook add _acme-challenge.example.org <txt-value>
 * with the environment variables ACME_ACTION, ACME_NAME, ACME_VALUE and ACME_DOMAIN
 * (the identifier, e.g. example.org for both example.org and *.example.org) added.
 * `hook` is shell words (a path, optionally followed by arguments of its own); it is run as
 * `/bin/sh -c 'HOOK "$@"' acme-hook ACTION NAME VALUE`, so ACTION, NAME and VALUE are passed
 * as separate arguments and never re-parsed by the shell. action: "add" or "del". */
int hook_dns(const char *hook, const char *action, const char *name, const char *value,
             const char *domain, int timeout);

#endif
