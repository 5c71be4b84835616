/* A scripted struct transport for unit tests. Each connection the client opens plays the
 * next connection script: server bytes (delivered at most `chunk` bytes per read, never across
 * two ft_data() pieces), a clean close, a reset, or a failing write. Everything the client
 * writes is recorded in `written`. Scripted data must outlive the test (literals, statics). */
#ifndef ACME_TEST_FAKE_TRANSPORT_H
#define ACME_TEST_FAKE_TRANSPORT_H

#include <stddef.h>

#include "transport.h"

#define FT_MAX_EVENTS 128
#define FT_MAX_CONNS 16
#define FT_WRITTEN_MAX 65536

enum ft_kind { FT_DATA, FT_CLOSE, FT_RESET, FT_WRITE_FAIL };

struct ft_event {
    enum ft_kind kind;
    const unsigned char *data;
    size_t len, off;
};

struct ft_conn {
    size_t start, end; /* events [start, end) */
    int open_fails;
};

struct fake_transport {
    struct transport t;
    struct ft_event ev[FT_MAX_EVENTS];
    size_t nev;
    struct ft_conn conns[FT_MAX_CONNS];
    size_t nconn;
    size_t pos, end; /* playing events [pos, end) of the open connection */
    int is_open;
    size_t chunk; /* most bytes one read returns; 0: as many as asked */
    unsigned opens, closes, writes, reads;
    char host[256], port[8]; /* of the last open */
    char written[FT_WRITTEN_MAX + 1];
    size_t written_len;
};

void ft_init(struct fake_transport *f);
/* Starts the script of the next connection (ft_conn_fail: that open fails). */
void ft_conn(struct fake_transport *f);
void ft_conn_fail(struct fake_transport *f);
void ft_data(struct fake_transport *f, const char *s);
void ft_bytes(struct fake_transport *f, const void *p, size_t n);
void ft_close(struct fake_transport *f);      /* reads return 0 from here on */
void ft_reset(struct fake_transport *f);      /* the next read fails */
void ft_write_fail(struct fake_transport *f); /* the next write fails (a read here: 0) */
/* Occurrences of needle in what the client wrote. */
unsigned ft_count(const struct fake_transport *f, const char *needle);

#endif
