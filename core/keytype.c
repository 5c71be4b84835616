/* Key type names as written in config files and on the command line. */
#include "crypto.h"

#include <string.h>
#include <strings.h>

#include "build_config.h"
#include "err.h"

/* The canonical names, in enum order from KEY_EC256; the OpenWrt spelling has no '-'. */
static const char key_names[] = "ec-256\0ec-384\0ec-521\0rsa-2048\0rsa-3072\0rsa-4096\0";

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
    const char *name = key_names;
    int t;
    long bits;
    for (t = KEY_EC256; *name != '\0'; t++, name += strlen(name) + 1) {
        size_t dash = strcspn(name, "-");
        if (strcasecmp(s, name) != 0 &&
            (strncasecmp(s, name, dash) != 0 || strcasecmp(s + dash, name + dash + 1) != 0))
            continue;
#ifndef CONFIG_RSA
        if (key_type_is_rsa((enum key_type)t))
            return err_set(ACME_ECONFIG,
                           "%s: this build has no RSA support (CONFIG_RSA is off); use ec-256, "
                           "ec-384 or ec-521",
                           s);
#endif
        *out = (enum key_type)t;
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
    const char *name = key_names;
    int i;
    if (t < KEY_EC256 || t > KEY_RSA4096) return "none";
    for (i = KEY_EC256; i < (int)t; i++)
        name += strlen(name) + 1;
    return name;
}

int key_type_is_rsa(enum key_type t)
{
    return t >= KEY_RSA2048 && t <= KEY_RSA4096;
}
