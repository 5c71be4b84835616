/* libFuzzer target: ACME response handling. The input is a script of CA responses separated
 * by "\n--\n"; the first byte of each selects the HTTP status and headers, the rest is the
 * body. They are played through the fake transport to directory -> account -> order ->
 * (renewalInfo, when the directory has it) -> authorizations -> challenges (webroot in a temp
 * dir) -> finalize -> download, and every
 * piece also goes through the problem-document formatter. Anything may fail; nothing may
 * crash, overflow or loop. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acme.h"
#include "arena.h"
#include "config.h"
#include "err.h"
#include "log.h"
#include "problem.h"
#include "renew.h"
#include "sys.h"

#include "../unit/support/fake_transport.c"

#define MAX_PIECES 40
#define PIECE_MAX 6000

static struct fake_transport f;
static struct acme_config cfg;
static struct acme c;
static struct http_client http;
static char resp[MAX_PIECES][PIECE_MAX + 512];
static char dir[64];

static const int statuses[8] = {200, 201, 200, 400, 403, 429, 500, 503};
static const char *const ctypes[4] = {"application/json", "application/problem+json",
                                      "application/pem-certificate-chain", "text/plain"};

static int init(void)
{
    static const char *names[] = {"a.test", "*.b.test", "10.0.0.1"};
    struct arena *a = run_arena();
    log_verbosity = -1;
    snprintf(dir, sizeof dir, "/tmp/acme-fuzz-state"); /* one, not one per run */
    config_defaults(&cfg);
    cfg.directory = "https://ca.test/dir";
    cfg.agree_tos = 1;
    cfg.domains[0] = names[0];
    cfg.domains[1] = names[1];
    cfg.domains[2] = names[2];
    cfg.n_domains = 3;
    cfg.state_dir = arena_strdup(a, dir, "t");
    cfg.webroot = arena_printf(a, "t", "%s/www", dir);
    cfg.preferred_chain = "Other Root";
    /* config_finish() would refuse the wildcard with http-01; the protocol code must not care */
    cfg.key_file = cfg.cert_file = cfg.chain_file = cfg.fullchain_file = "/nonexistent";
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    static size_t base;
    struct arena *a = run_arena();
    size_t pos = 0, n = 0;
    char *pem;
    size_t pem_len;
    uint8_t csr[8] = {0};

    if (!ready) {
        init();
        base = arena_mark(a);
        ready = 1;
    }
    arena_release(a, base);
    err_clear();
    ft_init(&f);
    ft_conn(&f);
    while (pos < size && n < MAX_PIECES) {
        const uint8_t *end = NULL;
        size_t i, len;
        for (i = pos; i + 4 <= size; i++)
            if (memcmp(data + i, "\n--\n", 4) == 0) {
                end = data + i;
                break;
            }
        len = (end != NULL ? (size_t)(end - data) : size) - pos;
        if (len > 0 && len - 1 <= PIECE_MAX) {
            uint8_t sel = data[pos];
            const char *body = (const char *)data + pos + 1;
            char out[300];
            int h;
            problem_format(body, len - 1, statuses[sel & 7], out, sizeof out);
            h = snprintf(resp[n], sizeof resp[n],
                         "HTTP/1.1 %d X\r\n%s%s%s%sContent-Type: %s\r\nContent-Length: %zu\r\n\r\n",
                         statuses[sel & 7], sel & 8 ? "Replay-Nonce: abc\r\n" : "",
                         sel & 16 ? "Location: https://ca.test/obj\r\n" : "",
                         sel & 32 ? "Retry-After: 0\r\n" : "",
                         sel & 64 ? "Link: <https://ca.test/alt>;rel=\"alternate\"\r\n" : "",
                         ctypes[(sel & 0x80)     ? 2
                                : (sel & 3) == 3 ? 1
                                                 : 0],
                         len - 1);
            memcpy(resp[n] + h, body, len - 1);
            ft_bytes(&f, resp[n], (size_t)h + len - 1);
            n++;
        }
        pos += len + 4;
    }
    ft_close(&f);

    http_client_init(&http, &f.t);
    acme_init(&c, &cfg, &http, NULL, a);
    if (acme_directory(&c) == 0) {
        if (c.dir.renewal_info != NULL) {
            struct renew_window w;
            char expl[256];
            long retry;
            if (acme_renewal_info(&c, "aYhba4dGQEHhs3uEe6CuLN4ByNQ.AIdlQyE", &w, expl, sizeof expl,
                                  &retry) < 0)
                err_clear();
        }
        if (acme_account_key(&c) == 0 && acme_account(&c) == 0)
            acme_issue(&c, csr, sizeof csr, &pem, &pem_len);
    }
    http_client_close(&http);
    return 0;
}
