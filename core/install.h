/* Checking and installing an issued certificate. */
#ifndef ACME_INSTALL_H
#define ACME_INSTALL_H

#include <stddef.h>
#include <stdint.h>

#include "crypto.h"

struct acme_config;
struct arena;
struct x509_info;

#define INSTALL_MAX_CHAIN 8       /* certificates in one chain, leaf included */
#define INSTALL_LIVE "live"       /* in state_dir: symlink to the current version */
#define INSTALL_ARCHIVE "archive" /* in state_dir: version directories 1, 2, ... */

/* Checks a PEM chain (leaf first) before it is installed: every certificate parses, the leaf
 * matches `key` and covers every name in names[0..n). Errors: ACME_EREFUSED naming the
 * problem (the CA sent something unusable). */
int install_check(const char *pem, size_t len, const struct crypto_key *key,
                  const char *const *names, size_t n, struct arena *a);

/* Installs key and chain: key_file (0600), cert_file (the leaf), chain_file (the rest),
 * fullchain_file (everything), switched together: they are symlinks to
 * <state_dir>/INSTALL_LIVE/<name>, and INSTALL_LIVE is one symlink to the version directory
 * INSTALL_ARCHIVE/<n> (see the comment at the top of core/install.c for the guarantee); the
 * previous certificate is kept, "<cert_file>.prev" links to it. `key_pem` NULL keeps the
 * installed key (reuse_key). A file whose
 * content is already what would be written is not written again (flash wear), then the
 * deploy links are made (install_links). Returns the number of files and links changed
 * (0: nothing changed, so `reload` need not run), or -1. */
int install_files(const struct acme_config *c, const char *key_pem, size_t key_len, const char *pem,
                  size_t len, struct arena *a);

/* What install_files() checks before it writes anything: state_dir and the directory of
 * each configured file exist and are writable (directories outside state_dir are never
 * created). For a run to call before ordering, so that a typo in a path costs no
 * certificate. 0, or -1 (ACME_ELOCAL) naming the directory. */
int install_check_paths(const struct acme_config *c);

/* The top issuer CN of a PEM chain (the issuer of the last certificate), for preferred_chain.
 * 0 with out filled, -1 on a parse error. */
int install_chain_top_issuer(const char *pem, size_t len, char *out, size_t cap, struct arena *a);

/* Deploy links: link_cert -> cert_file, link_key -> key_file, link_fullchain ->
 * fullchain_file, each a symlink made atomically. A link already pointing at its target is
 * left alone; a path holding anything but a symlink (a regular file, a directory) is never
 * replaced: a warning names it and it is skipped (the certificate itself is installed).
 * Returns the number of links created or changed, or -1 (ACME_ELOCAL). */
int install_links(const struct acme_config *c);

/* Writes a self-signed certificate for cfg->domains (valid from an hour ago for
 * selfsign_days days, a new cfg->key_type key) into the configured files, as install_files()
 * does. For the `selfsign` command and selfsign_fallback. 0 or -1. */
int install_selfsigned(const struct acme_config *cfg, struct arena *a);

/* 1 when the DER certificate is self-signed (issuer Name equals subject Name, and the
 * authorityKeyIdentifier is absent or equals the subjectKeyIdentifier), 0 when not, -1 when
 * it does not parse. A self-signed certificate always counts as due for renewal. */
int install_is_selfsigned(const uint8_t *der, size_t len);
/* The same for an already parsed certificate (the renewal run's installed leaf). */
int install_x509_selfsigned(const struct x509_info *x);

/* "YYYYMMDD-HHMMSS" (UTC) of t, for dated backup names (cert.pem.revoked-..., account.key.
 * ...). out must hold 16 bytes. */
void install_datestamp(int64_t t, char out[16]);

/* Platform side of install_links (platform/links.c): 0 when path does not exist, 1 when it is
 * a symlink (its target copied to target[cap]), 2 when it is anything else; -1 on an error. */
int file_link_state(const char *path, char *target, size_t cap);

#endif
