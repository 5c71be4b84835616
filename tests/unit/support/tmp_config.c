#include "tmp_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"

char *tmp_path(const char *dir, const char *name)
{
    static char p[16][512];
    static int k;
    char *s = p[k++ % 16];
    snprintf(s, sizeof p[0], "%s/%s", dir, name);
    return s;
}

void tmp_config_init(struct acme_config *cfg, char *dir, size_t cap, const char *tag,
                     const char *const *names, size_t n)
{
    size_t i;
    snprintf(dir, cap, "/tmp/acme-test-%s.%ld", tag, (long)getpid());
    mkdir(dir, 0700);
    memset(cfg, 0, sizeof *cfg);
    cfg->state_dir = dir;
    cfg->key_file = tmp_path(dir, "key.pem");
    cfg->cert_file = tmp_path(dir, "cert.pem");
    cfg->chain_file = tmp_path(dir, "chain.pem");
    cfg->fullchain_file = tmp_path(dir, "fullchain.pem");
    for (i = 0; i < n && i < CONFIG_MAX_NAMES; i++)
        cfg->domains[i] = names[i];
    cfg->n_domains = i;
    cfg->key_type = KEY_EC256;
}

int tmp_config_remove(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd);
}
