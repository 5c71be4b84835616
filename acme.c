/* acme: get and keep TLS certificates from an ACME CA. main(): arguments, config, command,
 * exit status. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/acme.h"
#include "core/arena.h"
#include "core/build_config.h"
#include "core/cli.h"
#include "core/commands.h"
#include "core/config.h"
#include "core/err.h"
#include "core/log.h"
#include "core/out.h"
#include "core/status.h"
#include "core/sys.h"
#include "fmt.h"

#define CONFIG_FILE_MAX (64 * 1024)
#define CONFIG_DIR_MAX 64

/* Reads and checks one configuration: the file (NULL: -o only), then the -o overrides. */
static int load_config(struct acme_config *c, const struct cli *cl, const char *path,
                       struct arena *a)
{
    size_t i, len;
    char *text;
    config_defaults(c);
    if (path != NULL) {
        if (file_read(path, a, &text, &len, CONFIG_FILE_MAX, NULL) < 0)
            return err_recode(ACME_ECONFIG);
        if (config_parse(c, path, text, len, a) < 0) return -1;
    }
    for (i = 0; i < cl->n_overrides; i++)
        if (config_override(c, cl->overrides[i], a) < 0) return -1;
    return config_finish(c, a);
}

/* The command for a loaded configuration. */
static int dispatch(struct acme_config *cfg, const struct cli *cl)
{
    int rc;
    if (cl->jitter >= 0) cfg->jitter = cl->jitter; /* -j overrides the config */
    if (cl->command == NULL || strcmp(cl->command, "run") == 0) return acme_run(cfg, cl->force);
    if (strcmp(cl->command, "status") == 0) return status_run(cfg, cl);
    if ((rc = command_run(cl->command, cfg, cl)) == COMMAND_UNKNOWN)
        return err_set(ACME_ECONFIG, "unknown command '%s' (see acme --help)", cl->command);
    return rc;
}

/* One configuration, one command: the exit status. */
static int run_one(const struct cli *cl, const char *path)
{
    static struct acme_config cfg;
    struct arena *a = run_arena();
    int rc;

    arena_reset(a);
    err_clear();
    if (cl->command != NULL && strcmp(cl->command, "status") == 0 && status_cert_arg(cl) != NULL)
        rc = status_cert(status_cert_arg(cl)); /* any PEM file: no configuration needed */
    else if (load_config(&cfg, cl, path, a) < 0)
        rc = -1;
    else
        rc = dispatch(&cfg, cl);
    if (rc < 0) {
        log_error("%s", err_msg());
        return err_status() != ACME_OK ? err_status() : ACME_ELOCAL;
    }
    return rc;
}

/* Severity of an exit status for -c DIR (higher wins): 7 > 6 > 5 > 4 > 3 > 2 > 0 > 1 for runs
 * (a local failure needs the admin most; 0 beats 1 because something changed); for `status`
 * 2 > 1 > 0 (anything due or broken shows). Documented in --help. */
static int severity(const struct cli *cl, int rc)
{
    if (cl->command != NULL && strcmp(cl->command, "status") == 0) return rc;
    if (rc == ACME_NOT_DUE) return 0;
    if (rc == ACME_OK) return 1;
    return rc;
}

#define CONFIG_NAME_MAX 256

/* The *.conf names of a -c DIR, kept in name order (insertion sort: a few dozen names). */
struct conf_list {
    const char *dir;
    char names[CONFIG_DIR_MAX][CONFIG_NAME_MAX];
    size_t n;
};

static int add_conf(const char *name, void *ctx)
{
    struct conf_list *l = ctx;
    size_t len = strlen(name), i;

    if (len < 6 || name[0] == '.' || strcmp(name + len - 5, ".conf") != 0) return 0;
    if (len >= CONFIG_NAME_MAX)
        return err_set(ACME_ECONFIG, "%s/%s: file name longer than %d bytes", l->dir, name,
                       CONFIG_NAME_MAX - 1);
    if (l->n == CONFIG_DIR_MAX)
        return err_set(ACME_ECONFIG, "%s: more than %d *.conf files", l->dir, CONFIG_DIR_MAX);
    for (i = l->n; i > 0 && strcmp(l->names[i - 1], name) > 0; i--)
        memcpy(l->names[i], l->names[i - 1], sizeof l->names[i]);
    memcpy(l->names[i], name, len + 1);
    l->n++;
    return 0;
}

/* -c DIR: every *.conf in name order; one failing config does not stop the others. */
static int run_dir(const struct cli *cl, const char *dir)
{
    static struct conf_list list;
    static char path[4096];
    size_t i;
    int worst = -1;

    list.dir = dir;
    list.n = 0;
    err_clear();
    if (dir_each(dir, add_conf, &list) < 0) {
        log_error("%s", err_msg());
        return ACME_ECONFIG;
    }
    if (list.n == 0) {
        log_error("%s: no *.conf files", dir);
        return ACME_ECONFIG;
    }
    for (i = 0; i < list.n; i++) {
        int rc;
        fmt_snprintf(path, sizeof path, "%s/%s", dir, list.names[i]);
        log_v("config %s", path);
        rc = run_one(cl, path);
        if (worst < 0 || severity(cl, rc) > severity(cl, worst)) worst = rc;
    }
    return worst;
}

int main(int argc, char **argv)
{
    struct cli cl;
    struct stat sb;
    const char *path;

    if (cli_parse(&cl, argc, argv) < 0) {
        log_error("%s", err_msg());
        return ACME_ECONFIG;
    }
    if (cl.help) {
        out_printf("%s", cli_help);
        return ACME_OK;
    }
    if (cl.version) {
        out_printf("acme.c %s\n", ACME_VERSION);
        return ACME_OK;
    }
    log_verbosity = cl.verbosity;
    path = cl.config != NULL ? cl.config : CLI_DEFAULT_CONFIG;
    if (cl.config != NULL && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode)) return run_dir(&cl, path);
    /* Without -c and without the default file, -o alone may configure a run. */
    if (cl.config == NULL && cl.n_overrides > 0 && stat(path, &sb) != 0) path = NULL;
    return run_one(&cl, path);
}
