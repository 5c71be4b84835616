/* The run configuration: a flat key=value file (see config.c for the format) plus -o key=value
 * overrides. Every key is known here; an unknown key, a duplicate key, a bad value or an
 * over-long line is an error (ACME_ECONFIG) naming file, line and key. */
#ifndef ACME_CONFIG_H
#define ACME_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "build_config.h"
#include "crypto.h"

struct arena;

enum challenge_type { CHALLENGE_HTTP01 = 0, CHALLENGE_DNS01, CHALLENGE_TLSALPN01 };

#define CONFIG_MAX_EMAILS 8

struct acme_config {
    const char *path; /* the config file ("-o only" runs: NULL) */
    const char *name; /* basename of path without ".conf" (default state_dir component) */

    /* account and CA */
    const char *directory; /* URL; aliases are resolved while parsing; default letsencrypt */
    const char *email[CONFIG_MAX_EMAILS];
    size_t n_email;
    int agree_tos;
    const char *eab_kid;
    const char *eab_hmac_key;       /* base64url; a secret: never logged */
    enum key_type account_key_type; /* default ec-256 */

    /* the certificate */
    const char *domains[CONFIG_MAX_NAMES]; /* DNS names, "*." wildcards, IPv4/IPv6 literals */
    size_t n_domains;
    enum key_type key_type; /* default ec-256 */
    int csr_cn;             /* default 1 */
    int must_staple;        /* default 0 */
    const char *profile;
    const char *preferred_chain;

    /* challenges */
    enum challenge_type challenge; /* default http-01 */
    const char *http_listen;       /* default "[::]:80"; also "v4:port", ":port", "*:port" */
    const char *webroot;
    const char *dns_hook;
    int dns_wait;            /* seconds, default 0 */
    const char *alpn_listen; /* default "[::]:443" */

    /* files */
    const char *state_dir;                                          /* default /etc/acme/<name> */
    const char *key_file, *cert_file, *chain_file, *fullchain_file; /* defaults in state_dir */
    const char *link_cert, *link_key, *link_fullchain;
    const char *reload;
    const char *user;

    /* transport */
    const char *ca_file; /* default /etc/ssl/certs/ca-certificates.crt */
    int timeout;         /* seconds, default 30 */
    const char *bind_address;

    /* lifecycle */
    int renew_days;        /* 0 = lifetime rule */
    int jitter;            /* seconds, default 0 */
    int reuse_key;         /* default 0 */
    int selfsign_days;     /* default 30 */
    int selfsign_fallback; /* default 0 */

    /* Internal to config.c (index = key number): whether the file and whether -o set the key.
     * A file value for a key that -o set is checked but not used, whatever the call order. */
    uint8_t set_by[48];
};

/* Whether cfg answers dns-01 / installs a self-signed certificate when a run fails: constant 0
 * when the build left the feature out (CONFIG_DNS01_HOOK, CONFIG_SELFSIGN), so that its code
 * goes too (config_parse() refuses the keys that would turn it on). */
#if defined(CONFIG_DNS01_HOOK)
#define config_dns01(cfg) ((cfg)->challenge == CHALLENGE_DNS01)
#else
#define config_dns01(cfg) 0
#endif
#if defined(CONFIG_SELFSIGN)
#define config_selfsign_fallback(cfg) ((cfg)->selfsign_fallback)
#else
#define config_selfsign_fallback(cfg) 0
#endif

/* Sets every default (paths that depend on state_dir are filled by config_finish()). */
void config_defaults(struct acme_config *c);
/* Parses a config file's text. `path` is used in messages and for the config name. */
int config_parse(struct acme_config *c, const char *path, const char *text, size_t len,
                 struct arena *a);
/* Applies one "-o key=value" override (replaces a file value; a repeated -o for a list key
 * replaces too). */
int config_override(struct acme_config *c, const char *kv, struct arena *a);
/* Fills derived defaults and checks combinations (a wildcard needs dns-01, dns-01 needs
 * dns_hook, at least one domain, ...). */
int config_finish(struct acme_config *c, struct arena *a);

/* Resolves a directory alias (letsencrypt, letsencrypt-staging, zerossl, google,
 * google-staging, buypass, buypass-staging) to its URL; NULL when not an alias. */
const char *config_directory_alias(const char *name);

/* 1 when name (as stored in domains) is an IP address identifier, 0 for a DNS name. */
int config_name_is_ip(const char *name);

#endif
