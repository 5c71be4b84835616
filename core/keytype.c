/* Key type names as written in config files and on the command line. */
#include "crypto.h"

#include <string.h>
#include <strings.h>

#include "build_config.h"
#include "err.h"

static const struct {
    const char *name;  /* canonical */
    const char *alias; /* OpenWrt spelling */
    enum key_type type;
} key_types[] = {
    {"ec-256", "ec256", KEY_EC256},       {"ec-384", "ec384", KEY_EC384},
    {"ec-521", "ec521", KEY_EC521},       {"rsa-2048", "rsa2048", KEY_RSA2048},
    {"rsa-3072", "rsa3072", KEY_RSA3072}, {"rsa-4096", "rsa4096", KEY_RSA4096},
};

#define N_KEY_TYPES (sizeof key_types / sizeof key_types[0])

/* The number after "rsa"/"rsa-" or "ec"/"ec-" (decimal, at most 6 digits); -1 if none. */
static long size_suffix(const char *s, const char *prefix)
{
    size_t n = strlen(prefix), i;
    long v = 0;
    if (strncasecmp(s, prefix, n) != 0) return -1;
    s += n;
    if (*s == '-') s++;
    for (i = 0; s[i] != '\0'; i++) {
        if (s[i] < '0' || s[i] > '9' || i >= 6) return -1;
        v = v * 10 + (s[i] - '0');
    }
    return i > 0 ? v : -1;
}

int key_type_parse(const char *s, enum key_type *out)
{
    size_t i;
    long bits;
    for (i = 0; i < N_KEY_TYPES; i++) {
        if (strcasecmp(s, key_types[i].name) != 0 && strcasecmp(s, key_types[i].alias) != 0)
            continue;
#ifndef CONFIG_RSA
        if (key_type_is_rsa(key_types[i].type))
            return err_set(ACME_ECONFIG,
                           "%s: this build has no RSA support (CONFIG_RSA is off); use ec-256, "
                           "ec-384 or ec-521",
                           s);
#endif
        *out = key_types[i].type;
        return 0;
    }
    bits = size_suffix(s, "rsa");
    if (bits > 4096)
        return err_set(ACME_ECONFIG,
                       "%s: BearSSL supports RSA keys up to 4096 bits; use rsa-2048, rsa-3072 or "
                       "rsa-4096 (or ec-256)",
                       s);
    if (bits >= 0)
        return err_set(ACME_ECONFIG,
                       "%s: unsupported RSA key size; use rsa-2048, rsa-3072 or rsa-4096", s);
    if (size_suffix(s, "ec") >= 0)
        return err_set(ACME_ECONFIG, "%s: unsupported curve; use ec-256, ec-384 or ec-521", s);
    return err_set(ACME_ECONFIG,
                   "unknown key type \"%s\" (known: ec-256, ec-384, ec-521, rsa-2048, rsa-3072, "
                   "rsa-4096)",
                   s);
}

const char *key_type_name(enum key_type t)
{
    size_t i;
    for (i = 0; i < N_KEY_TYPES; i++)
        if (key_types[i].type == t) return key_types[i].name;
    return "none";
}

int key_type_is_rsa(enum key_type t)
{
    return t == KEY_RSA2048 || t == KEY_RSA3072 || t == KEY_RSA4096;
}
