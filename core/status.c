/* The `status` command. Reads the certificate file and the state; never the network. */
#include "status.h"

#include <string.h>

#include "arena.h"
#include "cli.h"
#include "config.h"
#include "err.h"
#include "install.h"
#include "out.h"
#include "pem.h"
#include "renew.h"
#include "rfc3339.h"
#include "state.h"
#include "sys.h"
#include "x509.h"
#include "fmt.h"

#define STATUS_CERT_MAX (256 * 1024)
#define DAY 86400

/* Reads the first certificate of a PEM file: 1, 0 when the file is missing, -1 on an error
 * (unreadable, no certificate, malformed). */
static int read_leaf(const char *path, struct arena *a, struct x509_info *x)
{
    char *text;
    size_t len, pos = 0, der_len;
    int missing = 0, r;
    uint8_t *der;
    if (file_read(path, a, &text, &len, STATUS_CERT_MAX, &missing) < 0) {
        if (missing) {
            err_clear();
            return 0;
        }
        return -1;
    }
    if ((der = arena_alloc(a, len, "reading the certificate")) == NULL) return -1;
    r = pem_next(text, len, &pos, "CERTIFICATE", NULL, der, len, &der_len);
    if (r < 0) return err_prefix("%s", path);
    if (r == 0) return err_set(ACME_ECONFIG, "%s: no PEM CERTIFICATE in it", path);
    if (x509_parse(der, der_len, x) < 0) return err_prefix("%s", path);
    return 1;
}

/* "<before><time><after>\n" */
static void print_time(const char *before, int64_t t, const char *after)
{
    char when[40];
    time_format_utc(t, when, sizeof when);
    out_printf("%s%s%s\n", before, when, after);
}

static void print_cert(const char *path, const struct x509_info *x, int64_t now)
{
    char name[300], when[40];
    size_t pos = 0, i;
    int kind, first = 1, r, expired = now >= x->not_after;
    int64_t days = (now - x->not_after) / DAY;

    out_printf("certificate: %s\nnames:      ", path);
    while ((r = x509_san_next(x, &pos, &kind, name, sizeof name)) == 1) {
        out_printf("%s %s", first ? "" : ",", name);
        first = 0;
    }
    if (r < 0) err_clear();
    if (first) out_printf(" %s", x->subject_cn[0] != '\0' ? x->subject_cn : "(none)");
    out_printf("\nissuer:      %s\nserial:      ",
               x->issuer_cn[0] != '\0' ? x->issuer_cn : "(no CN)");
    for (i = 0; i < x->serial_len; i++)
        out_printf("%02x", x->serial[i]);
    print_time("\nnot before:  ", x->not_before, "");
    time_format_utc(x->not_after, when, sizeof when);
    out_printf("not after:   %s (%s%ld days %s)\n", when, expired ? "expired " : "",
               (long)(expired ? days : -days), expired ? "ago" : "left");
}

static void print_due(int due, int64_t due_at, const char *why)
{
    char when[40];
    time_format_utc(due_at, when, sizeof when);
    out_printf("renewal:     %s\n             due %s %s\n", why, due ? "since" : "at", when);
}

const char *status_cert_arg(const struct cli *cl)
{
    size_t i;
    for (i = 0; i + 1 < cl->n_args; i++)
        if (strcmp(cl->args[i], "--cert") == 0) return cl->args[i + 1];
    return NULL;
}

int status_cert(const char *path)
{
    struct arena *a = run_arena();
    struct x509_info x;
    int64_t now = sys_now(), at;
    char why[200];
    int r, due;

    if ((r = read_leaf(path, a, &x)) < 0) return err_recode(ACME_ECONFIG);
    if (r == 0) return err_set(ACME_ECONFIG, "%s: no such file", path);
    print_cert(path, &x, now);
    due = renew_due(x.not_before, x.not_after, now, 0, &at, why, sizeof why);
    print_due(due, at, why);
    return due ? ACME_NOT_DUE : ACME_OK;
}

static int check_args(const struct cli *cl)
{
    size_t i;
    for (i = 0; i < cl->n_args; i++) {
        if (strcmp(cl->args[i], "--cert") == 0 && i + 1 < cl->n_args) {
            i++;
            continue;
        }
        return err_set(ACME_ECONFIG, "status: unexpected argument '%s' (status [--cert FILE])",
                       cl->args[i]);
    }
    return 0;
}

int status_run(const struct acme_config *cfg, const struct cli *cl)
{
    static struct state st;
    struct arena *a = run_arena();
    struct x509_info x;
    struct renew_input in;
    char certid[RENEW_CERTID_MAX], why[200];
    const char *s;
    int64_t now = sys_now(), at, v, n;
    int r, due;

    if (check_args(cl) < 0) return -1;
    if (status_cert_arg(cl) != NULL) return status_cert(status_cert_arg(cl));
    if (state_load(&st, cfg->state_dir, a) < 0) {
        out_printf("state:       unreadable: %s\n", err_msg());
        err_clear();
        memset(&st, 0, sizeof st);
    }
    if ((r = read_leaf(cfg->cert_file, a, &x)) < 0) {
        out_printf("certificate: %s: %s\n", cfg->cert_file, err_msg());
        err_clear();
        due = 1;
    } else if (r == 0) {
        out_printf("certificate: %s: none installed yet\n", cfg->cert_file);
        due = 1;
    } else {
        print_cert(cfg->cert_file, &x, now);
        if (renew_certid(&x, certid, sizeof certid) < 0) {
            err_clear();
            certid[0] = '\0';
        }
        renew_input_from_state(&in, x.not_before, x.not_after, cfg->renew_days, &st,
                               certid[0] != '\0' ? certid : NULL);
        due = renew_decide(&in, now, &at, why, sizeof why);
        if (install_x509_selfsigned(&x) == 1 &&
            (certid[0] == '\0' || (s = state_get(&st, STATE_ARI_CERTID)) == NULL ||
             strcmp(s, certid) != 0)) {
            /* the run's rule: a self-signed placeholder is always due */
            due = 1;
            at = x.not_before;
            fmt_snprintf(why, sizeof why,
                         "due: self-signed (a placeholder until the CA's arrives)");
        }
        err_clear();
        print_due(due, at, why);
        if (in.have_window) {
            char a1[40], a2[40];
            time_format_utc(in.w.start, a1, sizeof a1);
            time_format_utc(in.w.end, a2, sizeof a2);
            out_printf("ARI window:  %s .. %s (stored)\n", a1, a2);
        } else if (state_get(&st, STATE_ARI_NONE) != NULL) {
            out_printf("ARI:         the CA has no renewalInfo; lifetime rule\n");
        }
        if ((s = state_get(&st, STATE_ARI_EXPLANATION)) != NULL) out_printf("ARI note:    %s\n", s);
        state_get_int(&st, STATE_ARI_NEXT_CHECK, 0, &v);
        if (v > 0 && certid[0] != '\0' && (s = state_get(&st, STATE_ARI_CERTID)) != NULL &&
            strcmp(s, certid) == 0)
            print_time("ARI check:   next after ", v, "");
    }
    if ((s = state_get(&st, STATE_LAST_ERROR)) != NULL) {
        state_get_int(&st, STATE_FAILURES, 0, &n);
        out_printf("last error:  %s\nfailures:    %ld in a row\n", s, (long)n);
    }
    state_get_int(&st, STATE_NEXT_ATTEMPT, 0, &v);
    if (v > now) print_time("next attempt: not before ", v, " (backoff; -f ignores it)");
    return due ? ACME_NOT_DUE : ACME_OK;
}
