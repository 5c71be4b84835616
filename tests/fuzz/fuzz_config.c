/* libFuzzer target: the configuration parser, -o overrides and the final checks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "config.h"

static unsigned char arena_mem[1 << 20];
static char line[4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct arena a;
    struct acme_config c;
    const uint8_t *nl;
    size_t n, i;
    arena_init(&a, arena_mem, sizeof arena_mem);
    config_defaults(&c);

    /* The first line doubles as an -o argument (applied before the file, as -o wins). */
    nl = memchr(data, '\n', size);
    n = nl != NULL ? (size_t)(nl - data) : size;
    if (n < sizeof line && memchr(data, '\0', n) == NULL) {
        memcpy(line, data, n);
        line[n] = '\0';
        (void)config_override(&c, line, &a);
    }
    if (config_parse(&c, "fuzz.conf", (const char *)data, size, &a) < 0) return 0;
    if (config_finish(&c, &a) < 0) return 0;
    /* Whatever was accepted must hold together. */
    if (c.n_domains == 0 || c.n_domains > CONFIG_MAX_NAMES || c.state_dir == NULL ||
        c.key_file == NULL || c.fullchain_file == NULL || c.directory == NULL)
        abort();
    for (i = 0; i < c.n_domains; i++) {
        size_t k;
        if (strlen(c.domains[i]) == 0 || strlen(c.domains[i]) > CONFIG_MAX_NAME_LEN + 0u + 39)
            abort();
        for (k = 0; k < i; k++)
            if (strcmp(c.domains[k], c.domains[i]) == 0) abort();
        if (c.domains[i][0] == '*' && c.challenge != CHALLENGE_DNS01) abort();
    }
    if (c.timeout < 1 || c.timeout > 3600) abort();
    return 0;
}
