/* Running `reload` and `dns_hook` (see core/hook.h): fork, exec /bin/sh, wait with a timeout
 * by polling waitpid(WNOHANG), so that no SIGCHLD handler is needed. */
#include "../core/hook.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../core/build_config.h"
#include "../core/err.h"
#include "../core/log.h"
#include "../core/sys.h"
#include "closefds.h"
#include "fmt.h"

extern char **environ;

/* Most environment entries passed on to a hook (ours included). */
#define HOOK_ENV_MAX 512
/* Seconds between SIGTERM and SIGKILL of a hook that timed out. */
#define HOOK_KILL_GRACE 2
#define HOOK_VAR_MAX (HOOK_CMD_MAX + 16)

/* Milliseconds of the monotonic clock, 32 bits: it wraps, only differences count. */
static unsigned now_ms(void)
{
    return (unsigned)sys_monotonic_ms();
}

/* In the child, before exec: a clean slate of descriptors and signals. Only async-signal-safe
 * calls from here on. */
static void child_setup(void)
{
    static const unsigned char to_default[] = {SIGPIPE, SIGTERM, SIGINT, SIGHUP};
    sigset_t none;
    unsigned i;
    int fd;

    setpgid(0, 0);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    for (i = 0; i < sizeof to_default; i++)
        signal(to_default[i], SIG_DFL);
    fd = open("/dev/null", O_RDONLY);
    if (fd >= 0 && fd != 0) {
        dup2(fd, 0);
        close(fd);
    }
    /* TLS connections, the HTTP-01 listener and key files stay ours. */
    close_fds_except(-1);
}

/* Waits for pid; after timeout seconds its process group gets SIGTERM, HOOK_KILL_GRACE
 * seconds later SIGKILL. Returns 0 on exit status 0. */
static int wait_child(pid_t pid, const char *what, int timeout)
{
    unsigned start = now_ms(), pause = 5;
    int status, sent = 0;

    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR)
            return err_set(ACME_ELOCAL, "%s: waiting for the command: %s", what,
                           sys_errtext(errno));
        if (sent != SIGKILL &&
            now_ms() - start >= (unsigned)timeout * 1000u + (sent ? HOOK_KILL_GRACE * 1000u : 0)) {
            sent = sent ? SIGKILL : SIGTERM;
            kill(-pid, sent);
            kill(pid, sent);
        }
        sys_sleep_ms(pause);
        if (pause < 100) pause *= 2;
    }
    if (sent) return err_set(ACME_ELOCAL, "%s timed out after %d s and was killed", what, timeout);
    if (WIFEXITED(status)) {
        if (WEXITSTATUS(status) == 0) return 0;
        return err_set(ACME_ELOCAL, "%s exited with status %d%s", what, WEXITSTATUS(status),
                       WEXITSTATUS(status) == 127 ? " (command not found?)" : "");
    }
    /* without WUNTRACED, a child that did not exit was killed */
    return err_set(ACME_ELOCAL, "%s was killed by signal %d", what, WTERMSIG(status));
}

static int run(const char *what, char *const argv[], char *const envp[], int timeout)
{
    pid_t pid;

    if (timeout <= 0) timeout = CONFIG_HOOK_TIMEOUT;
    /* Nothing to flush before the fork: log and out_printf() output is written out by the
     * call that makes it (platform/out.c), so the child cannot write it a second time. */
    pid = child_fork();
    if (pid < 0)
        return err_set(ACME_ELOCAL, "%s: cannot start /bin/sh: %s", what, sys_errtext(errno));
    if (pid == 0) {
        child_setup();
        execve("/bin/sh", argv, envp);
        _exit(127);
    }
    /* Also from here, so that a timeout can never miss the group (the child may not have
     * run yet). EACCES (the child already exec'd) and ESRCH are harmless. */
    setpgid(pid, pid);
    return wait_child(pid, what, timeout);
}

int hook_shell(const char *what, const char *cmd, int timeout)
{
    char *argv[] = {"sh", "-c", (char *)cmd, NULL};

    if (strlen(cmd) > HOOK_CMD_MAX)
        return err_set(ACME_ELOCAL, "%s: command longer than %d bytes", what, HOOK_CMD_MAX);
    log_v("running %s: %s", what, cmd);
    return run(what, argv, environ, timeout);
}

static int env_is(const char *entry, const char *name)
{
    size_t n = strlen(name);
    return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

int hook_dns(const char *hook, const char *action, const char *name, const char *value,
             const char *domain, int timeout)
{
    static const char *const ours[] = {"ACME_ACTION", "ACME_NAME", "ACME_VALUE", "ACME_DOMAIN"};
    static char vars[4][HOOK_VAR_MAX];
    static char script[HOOK_CMD_MAX + 8];
    static char *envp[HOOK_ENV_MAX + 1];
    const char *values[4] = {action, name, value, domain};
    char *argv[] = {"sh",           "-c",         script,        "acme-hook",
                    (char *)action, (char *)name, (char *)value, NULL};
    char what[64];
    size_t n = 0, i, k;

    fmt_snprintf(what, sizeof what, "dns_hook %s", action);
    if ((size_t)fmt_snprintf(script, sizeof script, "%s \"$@\"", hook) >= sizeof script)
        return err_set(ACME_ELOCAL, "%s: command longer than %d bytes", "dns_hook", HOOK_CMD_MAX);
    for (k = 0; k < 4; k++) {
        if ((size_t)fmt_snprintf(vars[k], HOOK_VAR_MAX, "%s=%s", ours[k], values[k]) >=
            HOOK_VAR_MAX)
            return err_set(ACME_ELOCAL, "dns_hook: %s longer than %d bytes", ours[k], HOOK_CMD_MAX);
        envp[n++] = vars[k];
    }
    for (i = 0; environ != NULL && environ[i] != NULL; i++) {
        for (k = 0; k < 4 && !env_is(environ[i], ours[k]); k++)
            ;
        if (k < 4) continue; /* replaced by ours */
        if (n >= HOOK_ENV_MAX)
            return err_set(ACME_ELOCAL, "dns_hook: more than %d environment variables",
                           HOOK_ENV_MAX);
        envp[n++] = environ[i];
    }
    envp[n] = NULL;
    log_vv("running %s: %s", what, name);
    return run(what, argv, envp, timeout);
}
