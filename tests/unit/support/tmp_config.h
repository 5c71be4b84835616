/* Unit-test helper: a throwaway state_dir under /tmp and a config whose key, cert, chain and
 * full chain files live in it. */
#ifndef ACME_TEST_TMP_CONFIG_H
#define ACME_TEST_TMP_CONFIG_H

#include <stddef.h>

struct acme_config;

/* Makes /tmp/acme-test-<tag>.<pid> (mode 0700) into dir[0..cap) and sets cfg to zero but for
 * state_dir, the four output files inside it, names[0..n) as domains and ec-256 keys. */
void tmp_config_init(struct acme_config *cfg, char *dir, size_t cap, const char *tag,
                     const char *const *names, size_t n);
/* "<dir>/<name>" in one of 16 rotating static buffers. */
char *tmp_path(const char *dir, const char *name);
/* rm -rf dir; the status of system(). */
int tmp_config_remove(const char *dir);

#endif
