/* Certificate check and installation.
 *
 * What is guaranteed (install_files): the key and the certificate are switched TOGETHER.
 * Every install writes a complete new version directory <state_dir>/archive/<n>/ (key.pem
 * 0600, cert.pem, chain.pem, fullchain.pem; the directory 0700), each file with
 * file_write_atomic() (temp, fsync, rename, directory fsync), and then makes it current with
 * ONE atomic rename: the symlink <state_dir>/live -> archive/<n> (certbot's live/archive).
 * The configured key_file, cert_file, chain_file and fullchain_file are symlinks to
 * live/<name> (relative when they sit in state_dir, as by default; absolute otherwise), so a
 * reader, at any instant and after a crash or power cut at any point, sees either the whole
 * old set or the whole new set: never a new key with an old certificate, never a missing,
 * empty or truncated file. A failed install (disk full, read-only directory) removes the
 * half-written version and changes nothing a reader can see; it never replaces a working
 * certificate.
 *
 * Configured paths that are regular files (an older acme.c, files written by hand, paths
 * outside state_dir) are converted once, with a notice: their current content is first
 * stored as a version and made live, then each path is replaced by its link (readers see the
 * same bytes throughout), then the new version is switched in. Readers of converted paths
 * outside state_dir must be able to enter state_dir (0700: root). Directories outside
 * state_dir are never created: they must exist and be writable (checked before anything is
 * written; exit 7 naming the path).
 *
 * Kept: the current and the previous version; <cert_file>.prev links to the previous
 * certificate. Older versions, half-written ones of a killed run and temp names a killed
 * run left (in state_dir, next to the links) are removed by the next install. Nothing needs
 * recovering: the state on disk is consistent after a kill at any instruction. */
#include "install.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "buf.h"
#include "cert_key.h"
#include "civil.h"
#include "config.h"
#include "decimal.h"
#include "err.h"
#include "log.h"
#include "pem.h"
#include "problem.h"
#include "sys.h"
#include "x509.h"
#include "fmt.h"
#include "str.h"

#define CERT_DER_MAX 8192
#define CERT_FILE_MAX (256 * 1024)
/* Largest file taken over from an older layout or reused (a chain of INSTALL_MAX_CHAIN
 * certificates of CERT_DER_MAX bytes in PEM fits); a smaller bound than CERT_FILE_MAX keeps
 * the arena free (file_read() reserves the bound for an empty file). */
#define IMPORT_FILE_MAX (96 * 1024)

struct chain {
    uint8_t *der[INSTALL_MAX_CHAIN];
    size_t len[INSTALL_MAX_CHAIN];
    size_t n;
};

static int chain_split(const char *pem, size_t len, struct chain *ch, struct arena *a)
{
    size_t pos = 0;
    int r;
    ch->n = 0;
    for (;;) {
        uint8_t *der = arena_alloc(a, CERT_DER_MAX, "certificate chain");
        if (der == NULL) return -1;
        r = pem_next(pem, len, &pos, "CERTIFICATE", NULL, der, CERT_DER_MAX, &ch->len[ch->n]);
        if (r < 0) goto bad;
        if (r == 0) break;
        ch->der[ch->n++] = der;
        if (ch->n == INSTALL_MAX_CHAIN) {
            err_set(ACME_EREFUSED, "more than %d certificates (INSTALL_MAX_CHAIN)",
                    INSTALL_MAX_CHAIN);
            goto bad;
        }
    }
    if (ch->n > 0) return 0;
    err_set(ACME_EREFUSED, "no CERTIFICATE block");
bad:
    return err_prefix("certificate chain");
}

int install_check(const char *pem, size_t len, const struct crypto_key *key,
                  const char *const *names, size_t n, struct arena *a)
{
    struct chain ch;
    struct x509_info leaf, x;
    size_t i, mark = arena_mark(a);
    int r;

    if (chain_split(pem, len, &ch, a) < 0) goto fail;
    for (i = 0; i < ch.n; i++) {
        if (x509_parse(ch.der[i], ch.len[i], i == 0 ? &leaf : &x) < 0) {
            err_prefix("certificate %zu of the chain", i + 1);
            goto fail;
        }
    }
    r = crypto_cert_matches_key(ch.der[0], ch.len[0], key);
    if (r < 0) goto fail;
    if (r == 0) {
        err_set(ACME_EREFUSED, "the issued certificate is not for our certificate key");
        goto fail;
    }
    for (i = 0; i < n; i++) {
        if (!x509_has_name(&leaf, names[i])) {
            err_set(ACME_EREFUSED, "the issued certificate does not cover %s", names[i]);
            goto fail;
        }
    }
    arena_release(a, mark);
    return 0;
fail:
    arena_release(a, mark);
    return err_recode(err_status() == ACME_ELOCAL ? ACME_ELOCAL : ACME_EREFUSED);
}

int install_chain_top_issuer(const char *pem, size_t len, char *out, size_t cap, struct arena *a)
{
    struct chain ch;
    struct x509_info x;
    size_t mark = arena_mark(a);
    int rc = -1;
    if (chain_split(pem, len, &ch, a) == 0 &&
        x509_parse(ch.der[ch.n - 1], ch.len[ch.n - 1], &x) == 0) {
        size_t n = strlen(x.issuer_cn);
        if (n < cap) {
            memcpy(out, x.issuer_cn, n + 1);
            rc = 0;
        } else {
            err_set(ACME_EREFUSED, "issuer CN longer than %zu bytes", cap - 1);
        }
    }
    arena_release(a, mark);
    return rc;
}

/* Points the symlink `at` to want unless it already does so. Something else than a symlink
 * at `at` is replaced only with take_over (its content was imported: a notice says so), else
 * left alone with a warning. 1 when changed, 0 when not, -1 on an error. */
static int link_point(const char *at, const char *want, int take_over)
{
    char have[SYS_PATH_MAX];
    int r = file_link_state(at, have, sizeof have);
    if (r < 0) return -1;
    if (r == 1 && strcmp(have, want) == 0) return 0;
    if (r == 2 && !take_over) {
        log_warn("%s exists and is not a symlink: not replaced (remove it to have it linked to %s)",
                 at, want);
        return 0;
    }
    if (r == 2)
        log_info("%s is now a symlink to %s, so that key and certificate change together "
                 "(once; its content was kept)",
                 at, want);
    if (file_symlink_atomic(want, at) < 0) return -1;
    log_v("linked %s -> %s", at, want);
    return 1;
}

int install_links(const struct acme_config *c)
{
    const char *link[3] = {c->link_cert, c->link_key, c->link_fullchain};
    const char *target[3] = {c->cert_file, c->key_file, c->fullchain_file};
    int i, changed = 0, r;

    for (i = 0; i < 3; i++) {
        if (link[i] == NULL) continue;
        if ((r = link_point(link[i], target[i], 0)) < 0) return -1;
        changed += r;
    }
    return changed;
}

/* ---- The versioned install (see the comment at the top of this file) ---- */

enum { F_KEY, F_CERT, F_CHAIN, F_FULL, F_N };
static const char *const ver_name[F_N] = {"key.pem", "cert.pem", "chain.pem", "fullchain.pem"};
static const unsigned short ver_mode[F_N] = {0600, 0644, 0644, 0644};

struct content {
    const char *p[F_N]; /* NULL: absent (an imported file that did not exist) */
    size_t len[F_N];
};

struct layout {
    const struct acme_config *c;
    const char *path[F_N]; /* the configured paths */
    char abs_state[SYS_PATH_MAX];
    struct arena *a;
};

static struct layout *layout_init(const struct acme_config *c, struct arena *a)
{
    static struct layout L;
    memset(&L, 0, sizeof L);
    L.c = c;
    L.a = a;
    L.path[F_KEY] = c->key_file;
    L.path[F_CERT] = c->cert_file;
    L.path[F_CHAIN] = c->chain_file;
    L.path[F_FULL] = c->fullchain_file;
    return &L;
}

/* 1 when path's directory is exactly dir (trailing slashes of dir ignored). */
static int parent_is(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    const char *slash = strrchr(path, '/');
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (slash == NULL) return n == 1 && dir[0] == '.';
    if (slash == path) return n == 1 && dir[0] == '/';
    return (size_t)(slash - path) == n && memcmp(path, dir, n) == 0;
}

/* "<state_dir>/<rel>" into the arena. */
static char *state_path(struct layout *L, const char *rel)
{
    return arena_printf(L->a, "install path", "%s/%s", L->c->state_dir, rel);
}

/* What a link at `at` must hold to reach "<state_dir>/<rel>": relative when `at` sits in
 * state_dir itself (the default layout survives moving state_dir), else absolute. */
static char *link_target(struct layout *L, const char *at, const char *rel)
{
    if (parent_is(at, L->c->state_dir)) return arena_strdup(L->a, rel, "install path");
    if (L->abs_state[0] == '\0' &&
        file_realpath(L->c->state_dir, L->abs_state, sizeof L->abs_state) < 0)
        return NULL;
    return arena_printf(L->a, "install path", "%s/%s", L->abs_state, rel);
}

/* The version number in a directory name "<n>"; 0 when it is not one of ours. */
static long version_of(const char *s)
{
    long v = decimal_parse(s, 9);
    return v > 0 ? v : 0;
}

/* The version "live" points at, 0 when there is none, -1 on an error. */
static long live_version(struct layout *L)
{
    char have[SYS_PATH_MAX];
    const char *live = state_path(L, INSTALL_LIVE);
    int r;
    if (live == NULL || (r = file_link_state(live, have, sizeof have)) < 0) return -1;
    if (r != 1 || strncmp(have, INSTALL_ARCHIVE "/", sizeof INSTALL_ARCHIVE) != 0) return 0;
    return version_of(have + sizeof INSTALL_ARCHIVE);
}

/* A failure that does not fail the install (cleaning up, or after the switch): a warning. */
static void warn_only(void)
{
    log_warn("%s", err_msg());
    err_clear();
}

struct scan {
    long max, keep1, keep2; /* keep1 0: only find the highest version number (max) */
    const char *dir;
};

/* Finds the highest version, or removes every version but keep1 and keep2, also half-written
 * ones of a killed run. */
static int scan_one(const char *name, void *ctx)
{
    struct scan *s = ctx;
    char p[SYS_PATH_MAX];
    long v = version_of(name);
    if (s->keep1 == 0) {
        if (v > s->max) s->max = v;
        return 0;
    }
    if (v == 0 || v == s->keep1 || v == s->keep2) return 0;
    if ((size_t)fmt_snprintf(p, sizeof p, "%s/%s", s->dir, name) >= sizeof p) return 0;
    if (dir_remove_files(p) < 0)
        warn_only();
    else
        log_vv("removed old version %s", p);
    return 0;
}

struct sweep {
    const char *dir, *base; /* base NULL: any temp name (in state_dir, which is ours) */
};

/* Temp names a killed run may have left: "<name>.tmp" followed by digits and dots only
 * (file_symlink_atomic's "<link>.tmp<pid>.<n>", file_write_atomic's ".<name>.tmp<pid>.<n>"),
 * where <name> is base or "." base when base is set. */
static int sweep_one(const char *name, void *ctx)
{
    const struct sweep *s = ctx;
    const char *t = str_find(name, ".tmp"), *q;
    char p[SYS_PATH_MAX];
    size_t n;
    if (t == NULL) return 0;
    while ((q = str_find(t + 1, ".tmp")) != NULL)
        t = q;
    if (t[4] < '0' || t[4] > '9') return 0;
    for (q = t + 4; *q != '\0'; q++)
        if ((*q < '0' || *q > '9') && *q != '.') return 0;
    if (s->base != NULL) {
        n = strlen(s->base);
        q = name + (name[0] == '.' && (size_t)(t - name) == n + 1);
        if ((size_t)(t - q) != n || memcmp(q, s->base, n) != 0) return 0;
    }
    if ((size_t)fmt_snprintf(p, sizeof p, "%s/%s", s->dir, name) >= sizeof p) return 0;
    if (file_remove(p) == 0) log_v("removed %s, left by an interrupted run", p);
    err_clear();
    return 0;
}

/* Removes temp names of path (see sweep_one) next to it. */
static void sweep_temps(const char *path)
{
    char dir[SYS_PATH_MAX];
    const char *slash = strrchr(path, '/');
    struct sweep s = {dir, slash ? slash + 1 : path};
    if (file_dir(path, dir) == 0) dir_each(dir, sweep_one, &s);
    err_clear();
}

/* Writes a complete new version directory and makes it live (the commit point: "live" is
 * switched to it by one rename of a symlink); returns its number or -1. On failure nothing of
 * the new version is left behind (the directory is removed) and the error names the file. */
static long version_add(struct layout *L, const struct content *ct)
{
    struct scan s;
    char *arch = state_path(L, INSTALL_ARCHIVE), *live = state_path(L, INSTALL_LIVE), *dir, *p;
    struct held_error held;
    int i;

    if (arch == NULL || live == NULL || dir_make(arch, 0700) < 0) return -1;
    memset(&s, 0, sizeof s);
    if (dir_each(arch, scan_one, &s) < 0) return -1;
    dir = arena_printf(L->a, "install path", "%s/%ld", arch, ++s.max);
    if (dir == NULL || dir_make(dir, 0700) < 0) return -1;
    for (i = 0; i < F_N; i++) {
        if (ct->p[i] == NULL) continue;
        p = arena_printf(L->a, "install path", "%s/%s", dir, ver_name[i]);
        if (p == NULL || file_write_atomic(p, ct->p[i], ct->len[i], ver_mode[i]) < 0) {
            /* say which configured file could not be written, then take the half-written
             * version away so that nothing of it remains */
            err_prefix("%s", L->path[i]);
            error_hold(&held);
            if (dir_remove_files(dir) < 0) warn_only();
            return error_restore(&held);
        }
    }
    p = dir + strlen(L->c->state_dir) + 1; /* "archive/<n>" */
    if (file_symlink_atomic(p, live) < 0) return -1;
    log_v("%s -> %s", live, p);
    return s.max;
}

/* 1 when version v holds exactly ct, 0 when not. */
static int version_same(struct layout *L, long v, const struct content *ct)
{
    size_t mark = arena_mark(L->a), n;
    char *p, *old;
    int i, same = 1;
    for (i = 0; i < F_N && same; i++) {
        p = arena_printf(L->a, "install path", "%s/" INSTALL_ARCHIVE "/%ld/%s", L->c->state_dir, v,
                         ver_name[i]);
        if (p == NULL || file_read(p, L->a, &old, &n, ct->len[i] + 1, NULL) < 0) {
            same = 0;
            break;
        }
        same = ct->p[i] != NULL && n == ct->len[i] && memcmp(old, ct->p[i], n) == 0;
        memset(old, 0, n); /* may be a key */
    }
    arena_release(L->a, mark);
    err_clear();
    return same;
}

/* Checked before anything is written: every directory a link goes into exists and is
 * writable (directories outside state_dir are never created: a typo in a path should not
 * grow a tree somewhere). */
static int preflight(struct layout *L)
{
    char dir[SYS_PATH_MAX];
    int i;
    if (dir_writable(L->c->state_dir) < 0) return -1;
    for (i = 0; i < F_N; i++) {
        if (file_dir(L->path[i], dir) < 0 || dir_writable(dir) < 0)
            return err_prefix("cannot install %s", L->path[i]);
        if (file_link_state(L->path[i], dir, sizeof dir) < 0) return -1;
    }
    return 0;
}

int install_check_paths(const struct acme_config *c)
{
    return preflight(layout_init(c, NULL));
}

/* The configured paths as links to live/<name>. make 0: 1 when every path already is that
 * link, else 0. make 1: points every path there and returns how many changed; this runs only
 * while live holds the content the paths showed before (or nothing was installed), so no
 * reader sees a change. -1 on an error. */
static int links_make(struct layout *L, int make)
{
    char have[SYS_PATH_MAX], *want;
    int i, r = 0, n = 0;
    for (i = 0; i < F_N; i++) {
        if (!make && (r = file_link_state(L->path[i], have, sizeof have)) != 1)
            return r < 0 ? -1 : 0;
        want = arena_printf(L->a, "install path", INSTALL_LIVE "/%s", ver_name[i]);
        if (want == NULL || (want = link_target(L, L->path[i], want)) == NULL) return -1;
        if (!make && strcmp(have, want) != 0) return 0;
        if (make && (r = link_point(L->path[i], want, 1)) < 0) return -1;
        n += r;
    }
    return make ? n : 1;
}

/* Reads what the configured paths show now (through any link), for the one-time import.
 * Returns 1 when any of them exists, 0 when none does, -1 on an error. */
static int import_read(struct layout *L, struct content *ct)
{
    int i, missing, any = 0;
    char *p;
    for (i = 0; i < F_N; i++) {
        ct->p[i] = NULL;
        if (file_read(L->path[i], L->a, &p, &ct->len[i], IMPORT_FILE_MAX, &missing) < 0) {
            if (missing) continue;
            return -1;
        }
        ct->p[i] = p;
        any = 1;
    }
    err_clear();
    return any;
}

int install_files(const struct acme_config *c, const char *key_pem, size_t key_len, const char *pem,
                  size_t len, struct arena *a)
{
    struct layout *L = layout_init(c, a);
    struct chain ch;
    struct buf b;
    struct content nw, old;
    struct scan s;
    struct sweep sw = {c->state_dir, NULL};
    /* the chain written again: at most a line break per 64 characters more than it came */
    size_t i, mark = arena_mark(a), cap = len + len / 8 + 1024, leaf_len = 0;
    long cur, prev = 0, v;
    int changed = 0, r, any;
    char *p, *q;

    if (chain_split(pem, len, &ch, a) < 0 ||
        (p = arena_alloc(a, cap, "writing the certificate")) == NULL)
        goto fail;
    buf_init(&b, p, cap);
    for (i = 0; i < ch.n; i++) {
        pem_write(&b, "CERTIFICATE", ch.der[i], ch.len[i]);
        if (i == 0) leaf_len = b.len;
    }
    if (buf_check(&b, "certificate chain") < 0) goto fail;
    /* cert.pem is the leaf, chain.pem the rest: both are parts of fullchain.pem */
    nw.p[F_CERT] = nw.p[F_FULL] = p;
    nw.len[F_CERT] = leaf_len;
    nw.p[F_CHAIN] = p + leaf_len;
    nw.len[F_CHAIN] = b.len - leaf_len;
    nw.len[F_FULL] = b.len;
    nw.p[F_KEY] = key_pem;
    nw.len[F_KEY] = key_len;
    if (key_pem == NULL) { /* reuse_key: the installed key goes into the new version too */
        if (file_read(c->key_file, a, &p, &nw.len[F_KEY], IMPORT_FILE_MAX, NULL) < 0) {
            err_prefix("reuse_key");
            goto fail;
        }
        nw.p[F_KEY] = p;
    }

    if ((cur = live_version(L)) < 0 || (r = links_make(L, 0)) < 0) goto fail;
    if (cur > 0 && r == 1 && version_same(L, cur, &nw)) {
        log_vv("the installed files already hold this certificate and key");
        goto links;
    }
    if (preflight(L) < 0) goto fail;
    for (i = 0; i < F_N; i++)
        sweep_temps(L->path[i]);
    dir_each(c->state_dir, sweep_one, &sw);
    err_clear();

    if (r == 0) {
        /* First install, or files from an older version or written by hand: make the paths
         * links to a version holding what they show now (or, when there is nothing, the new
         * one), then switch as usual. */
        if ((any = import_read(L, &old)) < 0 || (v = version_add(L, any ? &old : &nw)) < 0 ||
            (r = links_make(L, 1)) < 0)
            goto fail;
        cur = v;
        changed += any ? r : F_N;
        if (!any) goto installed;
    }
    if (version_same(L, cur, &nw)) goto links;
    if ((v = version_add(L, &nw)) < 0) goto fail;
    prev = cur;
    cur = v;
    changed += F_N;
installed:
    log_v("installed %s, %s, %s and %s (version %ld)", c->key_file, c->cert_file, c->chain_file,
          c->fullchain_file, cur);

    /* Keep the previous certificate at <cert_file>.prev (a link into the kept version);
     * older versions go. The new certificate is in place: problems here are warnings. */
    if (prev > 0 && (p = arena_printf(a, "install path", INSTALL_ARCHIVE "/%ld/cert.pem", prev)) &&
        (p = link_target(L, c->cert_file, p)) &&
        (q = arena_printf(a, "install path", "%s.prev", c->cert_file))) {
        sweep_temps(q);
        if (file_symlink_atomic(p, q) < 0) warn_only();
    }
    s = (struct scan){0, cur, prev, state_path(L, INSTALL_ARCHIVE)};
    if (s.dir != NULL) dir_each(s.dir, scan_one, &s);
    err_clear();

links:
    if ((r = install_links(c)) < 0) goto fail;
    changed += r;
    arena_release(a, mark);
    return changed;
fail:
    arena_release(a, mark);
    return -1;
}

int install_x509_selfsigned(const struct x509_info *x)
{
    if (x->issuer_name_len != x->subject_name_len ||
        memcmp(x->issuer_name, x->subject_name, x->subject_name_len) != 0)
        return 0;
    if (x->aki_len == 0) return 1;
    return x->aki_len == x->ski_len && memcmp(x->aki, x->ski, x->ski_len) == 0;
}

int install_is_selfsigned(const uint8_t *der, size_t len)
{
    struct x509_info x;
    if (x509_parse(der, len, &x) < 0) return -1;
    return install_x509_selfsigned(&x);
}

void install_datestamp(int64_t t, char out[16])
{
    struct civil_time c;

    civil_split(t, &c);
    /* civil_split() keeps month to sec in their ranges; the year is cut to four digits */
    fmt_snprintf(out, 16, "%04u%02u%02u-%02u%02u%02u", (unsigned)c.year % 10000u, c.month, c.day,
                 c.hour, c.min, c.sec);
}

#define SELFSIGN_DER_MAX 8192

#if defined(CONFIG_SELFSIGN)
int install_selfsigned(const struct acme_config *cfg, struct arena *a)
{
    static struct crypto_key key;
    static uint8_t der[SELFSIGN_DER_MAX];
    struct cert_opts o;
    struct buf cb;
    const char *key_pem;
    size_t key_len, der_len, mark = arena_mark(a), cap = SELFSIGN_DER_MAX * 2;
    int64_t now = sys_now();
    int days = cfg->selfsign_days > 0 ? cfg->selfsign_days : 30, r = -1;
    unsigned char *pem;

    if (cfg->n_domains == 0) return err_set(ACME_ECONFIG, "selfsign: no domains configured");
    if (dir_make(cfg->state_dir, 0700) < 0) return -1;
    memset(&o, 0, sizeof o);
    o.names = cfg->domains;
    o.n = cfg->n_domains;
    o.cn = cfg->domains[0];
    o.not_before = now - 3600; /* tolerate clients whose clock is a little behind */
    o.not_after = now + days * 86400;
    if (cert_key_new(&key, cfg->key_type, &key_pem, &key_len) < 0) goto out;
    if (crypto_cert(&key, &o, der, sizeof der, &der_len) < 0) {
        if (err_status() != ACME_ECONFIG) err_recode(ACME_ELOCAL);
        goto out;
    }
    if ((pem = arena_alloc(a, cap, "self-signed certificate")) == NULL) goto out;
    buf_init(&cb, pem, cap);
    pem_write(&cb, "CERTIFICATE", der, der_len);
    if (buf_check(&cb, "self-signed certificate") < 0 ||
        install_files(cfg, key_pem, key_len, (const char *)cb.p, cb.len, a) < 0)
        goto out;
    log_info("installed a self-signed certificate for %s%s, valid for %d days", cfg->domains[0],
             cfg->n_domains > 1 ? " and more" : "", days);
    r = 0;
out:
    cert_key_wipe(&key);
    arena_release(a, mark);
    return r;
}
#endif
