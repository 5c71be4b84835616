/* A small HTTP/1.1 client over a struct transport: one persistent connection per run,
 * reconnecting transparently when the server closed it (a request is re-sent only when it
 * cannot have been processed: the connection failed before any response byte arrived). */
#ifndef ACME_HTTP_CLIENT_H
#define ACME_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "build_config.h"
#include "http.h"
#include "transport.h"

#define HTTP_URL_MAX 1024
#define HTTP_NONCE_MAX 256
#define HTTP_CTYPE_MAX 128
#define HTTP_MAX_LINKS 8

struct http_link {
    char rel[32]; /* lower case; may hold several relation types: "up index" */
    char url[HTTP_URL_MAX];
};

struct http_response {
    int status;
    char nonce[HTTP_NONCE_MAX];  /* Replay-Nonce, "" when absent */
    char location[HTTP_URL_MAX]; /* Location, "" when absent */
    char content_type[HTTP_CTYPE_MAX];
    long retry_after; /* seconds from now (delta or HTTP-date), -1 when absent */
    struct http_link links[HTTP_MAX_LINKS];
    size_t nlinks;
    char *body; /* NUL-terminated; valid until the next request */
    size_t body_len;
};

/* Request head: request line, Host, User-Agent, Accept, Content-Type, Content-Length. */
#define HTTP_REQ_HEAD_MAX (HTTP_URL_MAX + 1024)

struct http_client {
    struct transport *t;
    char host[256];
    char port[8];
    int connected;
    unsigned requests;    /* requests answered (for the -v summary and the tests) */
    unsigned connections; /* connections opened */
    int64_t (*now)(void); /* clock for Retry-After dates: sys_now (tests replace it) */
    struct http_resp_parser parser;
    char head[HTTP_REQ_HEAD_MAX];
    uint8_t rbuf[4096];
    uint8_t body[CONFIG_HTTP_BODY_MAX + 1];
};

void http_client_init(struct http_client *c, struct transport *t);
/* url must be https:// (or http:// for tests with a plain transport). method: GET, HEAD, POST
 * (POST always sends Content-Length, and Content-Type when ctype is not NULL). The response's
 * headers are checked strictly (see http.h); malformed responses are ACME_ETEMP errors.
 * ctype may be NULL when there is no body. A body larger than CONFIG_HTTP_BODY_MAX is an error
 * (ACME_ETEMP) naming the limit and the URL; network failures are ACME_ETEMP naming the URL;
 * a URL url_parse() rejects is ACME_ECONFIG (recode it when the URL came from the CA). */
int http_request(struct http_client *c, const char *method, const char *url, const char *ctype,
                 const void *body, size_t len, struct http_response *r);
void http_client_close(struct http_client *c);

/* Finds the first link one of whose relation types is rel (case-insensitive); NULL when none.
 * Location and Link URLs that were absolute paths are already resolved against the request's
 * URL by http_request(). */
const char *http_link(const struct http_response *r, const char *rel);

#endif
