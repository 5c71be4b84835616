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
#include <time.h>
#include <unistd.h>

#include "../core/build_config.h"
#include "../core/err.h"
#include "../core/log.h"
#include "closefds.h"
#include "fmt.h"

extern char **environ;

/* Most environment entries passed on to a hook (ours included). */
#define HOOK_ENV_MAX 512
/* Seconds between SIGTERM and SIGKILL of a hook that timed out. */
#define HOOK_KILL_GRACE 2
#define HOOK_VAR_MAX (HOOK_CMD_MAX + 16)

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* In the child, before exec: a clean slate of descriptors and signals. Only async-signal-safe
 * calls from here on. */
static void child_setup(void)
{
    sigset_t none;
    int fd;

    setpgid(0, 0);
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    fd = open("/dev/null", O_RDONLY);
    if (fd >= 0 && fd != 0) {
        dup2(fd, 0);
        close(fd);
    }
    /* TLS connections, the HTTP-01 listener and key files stay ours. */
    close_fds_except(-1);
}

/* Waits for pid, killing its process group after timeout seconds. Returns 0 on exit status 0. */
static int wait_child(pid_t pid, const char *what, int timeout)
{
    int64_t deadline = now_ms() + (int64_t)timeout * 1000, kill_at = 0;
    int status, timed_out = 0;
    long pause = 5;

    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) break;
        if (r < 0 && errno != EINTR)
            return err_set(ACME_ELOCAL, "%s: waiting for the command: %s", what, strerror(errno));
        int64_t t = now_ms();
        if (!timed_out && t >= deadline) {
            timed_out = 1;
            kill(-pid, SIGTERM);
            kill(pid, SIGTERM);
            kill_at = t + HOOK_KILL_GRACE * 1000;
        } else if (timed_out && kill_at != 0 && t >= kill_at) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            kill_at = 0;
        }
        sleep_ms(pause);
        if (pause < 100) pause *= 2;
    }
    if (timed_out)
        return err_set(ACME_ELOCAL, "%s timed out after %d s and was killed", what, timeout);
    if (WIFEXITED(status)) {
        if (WEXITSTATUS(status) == 0) return 0;
        if (WEXITSTATUS(status) == 127)
            return err_set(ACME_ELOCAL, "%s exited with status 127 (command not found?)", what);
        return err_set(ACME_ELOCAL, "%s exited with status %d", what, WEXITSTATUS(status));
    }
    if (WIFSIGNALED(status))
        return err_set(ACME_ELOCAL, "%s was killed by signal %d", what, WTERMSIG(status));
    return err_set(ACME_ELOCAL, "%s ended with wait status %d", what, status);
}

static int run(const char *what, char *const argv[], char *const envp[], int timeout)
{
    pid_t pid;

    if (timeout <= 0) timeout = CONFIG_HOOK_TIMEOUT;
    /* Nothing to flush before the fork: log and out_printf() output is written out by the
     * call that makes it (platform/out.c), so the child cannot write it a second time. */
    pid = fork();
    if (pid < 0) return err_set(ACME_ELOCAL, "%s: cannot start /bin/sh: %s", what, strerror(errno));
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

/* NAME=value into var[HOOK_VAR_MAX]. */
static int env_var(char *var, const char *name, const char *value)
{
    int n = fmt_snprintf(var, HOOK_VAR_MAX, "%s=%s", name, value);
    if (n < 0 || n >= HOOK_VAR_MAX)
        return err_set(ACME_ELOCAL, "dns_hook: %s longer than %d bytes", name, HOOK_CMD_MAX);
    return 0;
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
    size_t n = 0, i, k;
    int len;

    len = fmt_snprintf(script, sizeof script, "%s \"$@\"", hook);
    if (len < 0 || (size_t)len >= sizeof script)
        return err_set(ACME_ELOCAL, "dns_hook: command longer than %d bytes", HOOK_CMD_MAX);
    for (k = 0; k < 4; k++) {
        if (env_var(vars[k], ours[k], values[k]) < 0) return -1;
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

    char *argv[] = {"sh",           "-c",         script,        "acme-hook",
                    (char *)action, (char *)name, (char *)value, NULL};
    char what[64];
    fmt_snprintf(what, sizeof what, "dns_hook %s", action);
    log_vv("running dns_hook %s %s", action, name);
    return run(what, argv, envp, timeout);
}
