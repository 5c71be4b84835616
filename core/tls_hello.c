/* TLS 1.2 wire format for the TLS-ALPN-01 responder and the HTTPS client (tls_hello.h). No
 * cryptography, no I/O. */
#include "build_config.h"

#include "tls_hello.h"

#include <string.h>

/* extension types */
#define EXT_SERVER_NAME 0
#define EXT_SUPPORTED_GROUPS 10
#define EXT_EC_POINT_FORMATS 11
#define EXT_SIGNATURE_ALGORITHMS 13
#define EXT_ALPN 16
#define EXT_RENEGOTIATION_INFO 0xFF01
#define EMPTY_RENEGOTIATION_INFO_SCSV 0x00FF
#define SNI_HOST_NAME 0

/* A bounds-checked reader: once a read runs past the end, bad is set and reads give 0. */
struct rd {
    const uint8_t *p;
    size_t len;
    int bad;
};

static unsigned rd_u8(struct rd *r)
{
    if (r->len < 1) {
        r->bad = 1;
        return 0;
    }
    r->len--;
    return *r->p++;
}

static unsigned rd_u16(struct rd *r)
{
    unsigned hi = rd_u8(r);
    return hi << 8 | rd_u8(r);
}

static const uint8_t *rd_bytes(struct rd *r, size_t n)
{
    const uint8_t *p = r->p;
    if (r->len < n) {
        r->bad = 1;
        return NULL;
    }
    r->p += n;
    r->len -= n;
    return p;
}

/* A vector with a 1- or 2-byte length of min..max bytes, as a reader of its own. */
static struct rd rd_vec(struct rd *r, int len_bytes, size_t min, size_t max)
{
    struct rd v = {NULL, 0, 0};
    size_t n = len_bytes == 1 ? rd_u8(r) : rd_u16(r);
    if (n < min || n > max) r->bad = 1;
    v.p = rd_bytes(r, n);
    v.len = n;
    if (r->bad) {
        v.len = 0;
        v.bad = 1;
    }
    return v;
}

int tls_record_header(const uint8_t h[TLS_HEADER_LEN], unsigned *type, size_t *len)
{
    *type = h[0];
    *len = (size_t)h[3] << 8 | h[4];
    if (h[0] < TLS_CHANGE_CIPHER_SPEC || h[0] > TLS_APPLICATION_DATA || h[1] != 3)
        return TLS_DECODE_ERROR; /* not TLS (an SSL 2 hello, plain HTTP) */
    if (*len > TLS_RECORD_MAX) return TLS_RECORD_OVERFLOW;
    if (*len == 0) return TLS_DECODE_ERROR; /* nothing the responder waits for is empty */
    return 0;
}

int tls_handshake_add(struct tls_handshake *hs, const uint8_t *p, size_t n)
{
    size_t want;
    if (n > sizeof hs->msg - hs->len) return TLS_HANDSHAKE_FAILURE;
    memcpy(hs->msg + hs->len, p, n);
    hs->len += n;
    if (hs->len < 4) return 0;
    want = 4 + ((size_t)hs->msg[1] << 16 | (size_t)hs->msg[2] << 8 | hs->msg[3]);
    if (want > sizeof hs->msg) return TLS_HANDSHAKE_FAILURE;
    if (hs->len < want) return 0;
    return hs->len == want ? 1 : TLS_UNEXPECTED_MESSAGE;
}

/* ---- writing */

static uint8_t *put16(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
    return p + 2;
}

static uint8_t *put24(uint8_t *p, size_t v)
{
    p[0] = (uint8_t)(v >> 16);
    return put16(p + 1, v);
}

void tls_record_put_header(uint8_t h[TLS_HEADER_LEN], unsigned type, size_t len)
{
    h[0] = (uint8_t)type;
    put16(put16(h + 1, TLS_VERSION_12), len);
}

/* The 4-byte handshake header of a body of len bytes. */
static uint8_t *put_header(uint8_t *p, unsigned type, size_t len)
{
    p[0] = (uint8_t)type;
    return put24(p + 1, len);
}

void tls_finished(uint8_t out[TLS_FINISHED_LEN], const uint8_t verify_data[TLS_VERIFY_LEN])
{
    memcpy(put_header(out, TLS_FINISHED, TLS_VERIFY_LEN), verify_data, TLS_VERIFY_LEN);
}

#if defined(CONFIG_TLSALPN01_RESPONDER)

/* ---- the responder: what a client sends */

static int has_u16(struct rd v, unsigned want)
{
    while (v.len >= 2)
        if (rd_u16(&v) == want) return 1;
    return 0;
}

/* The extensions read here. Each holds one vector and nothing else: its length bytes, its
 * bounds, and for lists of 16-bit values (groups, signature schemes) the value looked for. */
enum {
    X_SERVER_NAME,
    X_ALPN,
    X_GROUPS,
    X_SIGNATURE_ALGORITHMS,
    X_POINT_FORMATS,
    X_RENEGOTIATION,
    X_COUNT
};
static const struct {
    uint16_t type, max, want;
    uint8_t len_bytes, min;
} EXTS[X_COUNT] = {
    {EXT_SERVER_NAME, 0xFFFF, 0, 2, 1},
    {EXT_ALPN, 0xFFFF, 0, 2, 2},
    {EXT_SUPPORTED_GROUPS, 0xFFFE, TLS_SECP256R1, 2, 2},
    {EXT_SIGNATURE_ALGORITHMS, 0xFFFE, TLS_ECDSA_SECP256R1_SHA256, 2, 2},
    {EXT_EC_POINT_FORMATS, 0xFF, 0, 1, 1},
    {EXT_RENEGOTIATION_INFO, 0xFF, 0, 1, 0},
};

static int parse_extension(unsigned type, struct rd v, struct tls_client_hello *ch)
{
    static const char acme[] = TLS_ACME_ALPN;
    struct rd list, name;
    unsigned i;

    for (i = 0; i < X_COUNT && EXTS[i].type != type; i++)
        ;
    if (i == X_COUNT) return 0; /* TLS 1.3 ones included: the answer is TLS 1.2 */
    list = rd_vec(&v, EXTS[i].len_bytes, EXTS[i].min, EXTS[i].max);
    if (v.bad || v.len != 0) return TLS_DECODE_ERROR;
    switch (i) {
    case X_SERVER_NAME:
        while (list.len > 0) {
            unsigned name_type = rd_u8(&list);
            name = rd_vec(&list, 2, 1, 0xFFFF);
            if (list.bad) return TLS_DECODE_ERROR;
            if (name_type != SNI_HOST_NAME) continue; /* no other type is defined */
            /* RFC 6066 3: at most one name of a type; a host name has no NUL */
            if (ch->host_name[0] != '\0' || name.len > TLS_HOST_NAME_MAX ||
                memchr(name.p, 0, name.len) != NULL)
                return TLS_ILLEGAL_PARAMETER;
            memcpy(ch->host_name, name.p, name.len);
            ch->host_name[name.len] = '\0';
        }
        break;
    case X_ALPN:
        ch->has_alpn = 1;
        while (list.len > 0) {
            name = rd_vec(&list, 1, 1, 0xFF);
            if (list.bad) return TLS_DECODE_ERROR;
            if (name.len == sizeof acme - 1 && memcmp(name.p, acme, name.len) == 0)
                ch->offers_acme_alpn = 1;
        }
        break;
    case X_GROUPS:
    case X_SIGNATURE_ALGORITHMS:
        if (list.len % 2 != 0) return TLS_DECODE_ERROR;
        *(i == X_GROUPS ? &ch->offers_p256 : &ch->offers_ecdsa_sha256) =
            has_u16(list, EXTS[i].want);
        break;
    case X_POINT_FORMATS:
        ch->has_point_formats = 1;
        ch->offers_uncompressed = memchr(list.p, 0, list.len) != NULL;
        break;
    default: /* renegotiation_info */
        /* RFC 5746 3.6: an initial handshake carries an empty one */
        if (list.len != 0) return TLS_HANDSHAKE_FAILURE;
        ch->secure_renegotiation = 1;
    }
    return 0;
}

/* Whether an extension of this type comes in exts before the one at p. */
static int seen_before(struct rd exts, const uint8_t *p, unsigned type)
{
    while (exts.p < p) {
        unsigned t = rd_u16(&exts);
        rd_vec(&exts, 2, 0, 0xFFFF);
        if (t == type) return 1;
    }
    return 0;
}

int tls_client_hello_parse(const uint8_t *body, size_t len, struct tls_client_hello *ch)
{
    struct rd r = {body, len, 0}, suites, compressions, exts, all;
    const uint8_t *random;

    memset(ch, 0, sizeof *ch);
    ch->version = (uint16_t)rd_u16(&r);
    random = rd_bytes(&r, TLS_RANDOM_LEN);
    rd_vec(&r, 1, 0, 32); /* session id: never resumed */
    suites = rd_vec(&r, 2, 2, 0xFFFE);
    compressions = rd_vec(&r, 1, 1, 0xFF);
    if (r.bad || suites.len % 2 != 0) return TLS_DECODE_ERROR;
    memcpy(ch->random, random, TLS_RANDOM_LEN);
    ch->offers_aes = has_u16(suites, TLS_ECDHE_ECDSA_AES128_GCM_SHA256);
    ch->offers_chacha = has_u16(suites, TLS_ECDHE_ECDSA_CHACHA20_POLY1305);
    ch->secure_renegotiation = has_u16(suites, EMPTY_RENEGOTIATION_INFO_SCSV);
    ch->null_compression = memchr(compressions.p, 0, compressions.len) != NULL;
    if (r.len == 0) return 0; /* no extensions at all */
    exts = rd_vec(&r, 2, 0, 0xFFFF);
    if (r.bad || r.len != 0) return TLS_DECODE_ERROR;
    all = exts;
    while (exts.len > 0) {
        const uint8_t *start = exts.p;
        unsigned type = rd_u16(&exts);
        struct rd data = rd_vec(&exts, 2, 0, 0xFFFF);
        int alert;
        if (exts.bad) return TLS_DECODE_ERROR;
        if (seen_before(all, start, type)) return TLS_ILLEGAL_PARAMETER; /* RFC 5246 7.4.1.4 */
        if ((alert = parse_extension(type, data, ch)) != 0) return alert;
    }
    return 0;
}

unsigned tls_server_suite(const struct tls_client_hello *ch, int aes)
{
    if (aes && ch->offers_aes) return TLS_ECDHE_ECDSA_AES128_GCM_SHA256;
    return ch->offers_chacha ? TLS_ECDHE_ECDSA_CHACHA20_POLY1305 : 0;
}

int tls_client_hello_check(const struct tls_client_hello *ch, int aes)
{
    if (!ch->offers_acme_alpn) return TLS_NO_APPLICATION_PROTOCOL;
    if (ch->version < TLS_VERSION_12 || tls_server_suite(ch, aes) == 0 || !ch->null_compression ||
        !ch->offers_p256 || (ch->has_point_formats && !ch->offers_uncompressed) ||
        !ch->offers_ecdsa_sha256)
        return TLS_HANDSHAKE_FAILURE;
    return 0;
}

int tls_client_key_exchange(const uint8_t *body, size_t len, const uint8_t **point)
{
    if (len != 1 + TLS_P256_POINT_LEN || body[0] != TLS_P256_POINT_LEN) return TLS_DECODE_ERROR;
    if (body[1] != 0x04) return TLS_ILLEGAL_PARAMETER; /* only uncompressed was agreed */
    *point = body + 1;
    return 0;
}

/* ---- the responder: the server's messages */

size_t tls_server_hello(uint8_t *out, size_t cap, const uint8_t random[TLS_RANDOM_LEN],
                        const struct tls_client_hello *ch, unsigned suite)
{
    /* RFC 5246 7.4.1.4: only extensions the client offered, so the first (renegotiation_info)
     * and the last (ec_point_formats) are left out when it did not. */
    static const uint8_t exts[] = {0xFF, 0x01, 0x00, 0x01, 0x00, /* renegotiation_info */
                                   0x00, 0x10, 0x00, 0x0d, 0x00, 0x0b, 0x0a, 'a', 'c',
                                   'm',  'e',  '-',  't',  'l',  's',  '/',  '1', /* ALPN */
                                   0x00, 0x0b, 0x00, 0x02, 0x01, 0x00 /* ec_point_formats */};
    const uint8_t *ext = exts + (ch->secure_renegotiation ? 0 : 5);
    size_t ext_len = (size_t)(exts + sizeof exts - (ch->has_point_formats ? 0 : 6) - ext);
    size_t body = 2 + TLS_RANDOM_LEN + 1 + 2 + 1 + 2 + ext_len;
    uint8_t *p = out;

    if (cap < 4 + body) return 0;
    p = put_header(p, TLS_SERVER_HELLO, body);
    p = put16(p, TLS_VERSION_12);
    memcpy(p, random, TLS_RANDOM_LEN);
    p += TLS_RANDOM_LEN;
    *p++ = 0; /* empty session id: nothing to resume */
    p = put16(p, suite);
    *p++ = 0; /* null compression */
    memcpy(put16(p, ext_len), ext, ext_len);
    return 4 + body;
}

size_t tls_certificate(uint8_t *out, const uint8_t *der, size_t der_len)
{
    uint8_t *p = put_header(out, TLS_CERTIFICATE, 6 + der_len);
    p = put24(p, 3 + der_len); /* certificate_list */
    memcpy(put24(p, der_len), der, der_len);
    return 10 + der_len;
}

void tls_ecdh_params(uint8_t out[TLS_ECDH_PARAMS_LEN], const uint8_t point[TLS_P256_POINT_LEN])
{
    out[0] = 3; /* named_curve */
    put16(out + 1, TLS_SECP256R1);
    out[3] = TLS_P256_POINT_LEN;
    memcpy(out + 4, point, TLS_P256_POINT_LEN);
}

size_t tls_server_key_exchange(uint8_t *out, const uint8_t params[TLS_ECDH_PARAMS_LEN],
                               const uint8_t *sig, size_t sig_len)
{
    size_t body = TLS_ECDH_PARAMS_LEN + 2 + 2 + sig_len;
    uint8_t *p = put_header(out, TLS_SERVER_KEY_EXCHANGE, body);

    memcpy(p, params, TLS_ECDH_PARAMS_LEN);
    p = put16(p + TLS_ECDH_PARAMS_LEN, TLS_ECDSA_SECP256R1_SHA256);
    memcpy(put16(p, sig_len), sig, sig_len);
    return 4 + body;
}

size_t tls_server_hello_done(uint8_t *out)
{
    put_header(out, TLS_SERVER_HELLO_DONE, 0);
    return 4;
}

#endif /* CONFIG_TLSALPN01_RESPONDER */

/* ---- the HTTPS client */

const uint16_t tls_client_suites[TLS_CLIENT_SUITES] = {
    0xC02B, /* ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 */
    0xC02F, /* ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
    0xC02C, /* ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 */
    0xC030, /* ECDHE_RSA_WITH_AES_256_GCM_SHA384 */
    0xCCA9, /* ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 */
    0xCCA8, /* ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 */
};

int tls_client_suite(unsigned suite)
{
    int i;

    for (i = 0; i < TLS_CLIENT_SUITES; i++)
        if (tls_client_suites[i] == suite) return i;
    return -1;
}

size_t tls_client_hello(uint8_t *out, const uint8_t random[TLS_RANDOM_LEN], const char *sni,
                        int aes)
{
    /* Byte for byte what BearSSL's client engine sent (with our suites and algorithms). */
    /* clang-format off */
    static const uint8_t middle[] = {
        0x01, 0x00,                     /* null compression */
        0x00, 0x00,                     /* extensions length, set below */
        0xFF, 0x01, 0x00, 0x01, 0x00,   /* renegotiation_info, empty */
    };
    static const uint8_t tail[] = {     /* after the server_name */
        0x00, 0x0D, 0x00, 0x0E, 0x00, 0x0C, /* signature_algorithms: ECDSA, then RSA */
        0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01,
        0x00, 0x0A, 0x00, 0x08, 0x00, 0x06, /* supported_groups */
        0x00, TLS_SECP256R1, 0x00, TLS_SECP384R1, 0x00, TLS_SECP521R1,
        0x00, 0x0B, 0x00, 0x02, 0x01, 0x00, /* ec_point_formats: uncompressed */
    };
    /* clang-format on */
    size_t sni_len = sni != NULL ? strlen(sni) : 0, i = aes ? 0 : TLS_CLIENT_AES_SUITES;
    uint8_t *p = out + 4, *exts;

    if (sni_len > TLS_HOST_NAME_MAX) return 0;
    p = put16(p, TLS_VERSION_12);
    memcpy(p, random, TLS_RANDOM_LEN);
    p += TLS_RANDOM_LEN;
    *p++ = 0; /* no session id */
    p = put16(p, 2 * (TLS_CLIENT_SUITES - i));
    for (; i < TLS_CLIENT_SUITES; i++)
        p = put16(p, tls_client_suites[i]);
    memcpy(p, middle, sizeof middle);
    exts = p + 2;
    p += sizeof middle;
    if (sni != NULL) {
        /* server_name: a list of one host_name (RFC 6066 3) */
        p = put16(p, EXT_SERVER_NAME);
        p = put16(p, sni_len + 5);
        p = put16(p, sni_len + 3);
        *p++ = SNI_HOST_NAME;
        p = put16(p, sni_len);
        memcpy(p, sni, sni_len);
        p += sni_len;
    }
    memcpy(p, tail, sizeof tail);
    p += sizeof tail;
    put16(exts, (size_t)(p - exts) - 2);
    put_header(out, TLS_CLIENT_HELLO, (size_t)(p - out) - 4);
    return (size_t)(p - out);
}

int tls_server_hello_parse(const uint8_t *body, size_t len, int sni_sent, int aes,
                           struct tls_server_hello *sh)
{
    /* the extensions the client sent, in the order of the bits of seen */
    static const uint16_t sent[] = {EXT_RENEGOTIATION_INFO, EXT_SERVER_NAME, EXT_EC_POINT_FORMATS,
                                    EXT_SIGNATURE_ALGORITHMS, EXT_SUPPORTED_GROUPS};
    struct rd r = {body, len, 0}, exts;
    const uint8_t *random;
    unsigned version, id_len, seen = 0, i;

    version = rd_u16(&r);
    random = rd_bytes(&r, TLS_RANDOM_LEN);
    if (r.bad) return TLS_ERR_BAD_HANDSHAKE;
    if (version != TLS_VERSION_12) return TLS_ERR_UNSUPPORTED_VERSION;
    memcpy(sh->random, random, TLS_RANDOM_LEN);
    id_len = rd_u8(&r);
    if (id_len > 32) return TLS_ERR_OVERSIZED_ID;
    rd_bytes(&r, id_len); /* a session id for resumption: never used */
    sh->suite = rd_u16(&r);
    if (r.bad) return TLS_ERR_BAD_HANDSHAKE;
    if (tls_client_suite(sh->suite) < (aes ? 0 : TLS_CLIENT_AES_SUITES))
        return TLS_ERR_BAD_CIPHER_SUITE;
    if (rd_u8(&r) != 0) return TLS_ERR_BAD_COMPRESSION;
    if (r.len == 0) return r.bad ? TLS_ERR_BAD_HANDSHAKE : 0; /* no extensions */
    exts = rd_vec(&r, 2, 0, 0xFFFF);
    if (r.bad || r.len != 0) return TLS_ERR_BAD_HANDSHAKE;
    while (exts.len > 0) {
        unsigned type = rd_u16(&exts);
        struct rd data = rd_vec(&exts, 2, 0, 0xFFFF);
        if (exts.bad) return TLS_ERR_BAD_HANDSHAKE;
        for (i = 0; i < sizeof sent / sizeof sent[0] && sent[i] != type; i++)
            ;
        if (i == sizeof sent / sizeof sent[0] || (seen >> i & 1) ||
            (type == EXT_SERVER_NAME && !sni_sent))
            return TLS_ERR_EXTRA_EXTENSION;
        seen |= 1u << i;
        if (type == EXT_RENEGOTIATION_INFO) {
            /* RFC 5746 3.4: an initial handshake's answer is an empty renegotiated_connection */
            if (data.len != 1 || data.p[0] != 0) return TLS_ERR_BAD_SECRENEG;
        } else if (type == EXT_SERVER_NAME) {
            if (data.len != 0) return TLS_ERR_BAD_SNI; /* RFC 6066 3: the answer is empty */
        } else if (type == EXT_EC_POINT_FORMATS) {
            rd_vec(&data, 1, 1, 0xFF);
            if (data.bad || data.len != 0) return TLS_ERR_BAD_HANDSHAKE;
        }
        /* signature_algorithms and supported_groups are ignored (RFC 5246 forbids the first,
         * some servers send them anyway) */
    }
    return 0;
}

int tls_certificate_parse(const uint8_t *body, size_t len,
                          void (*cert)(void *ctx, const uint8_t *der, size_t len), void *ctx)
{
    struct rd r = {body, len, 0};
    size_t list_len = (size_t)rd_u8(&r) << 16 | rd_u16(&r);

    if (r.bad || list_len != r.len) return TLS_ERR_BAD_HANDSHAKE;
    while (r.len > 0) {
        size_t n = (size_t)rd_u8(&r) << 16;
        const uint8_t *der;
        n |= rd_u16(&r);
        der = rd_bytes(&r, n);
        if (r.bad) return TLS_ERR_BAD_HANDSHAKE;
        cert(ctx, der, n);
    }
    return 0;
}

int tls_server_key_exchange_parse(const uint8_t *body, size_t len, int rsa,
                                  struct tls_server_key_exchange *ske)
{
    struct rd r = {body, len, 0}, point;

    memset(ske, 0, sizeof *ske);
    ske->params = body;
    if (rd_u8(&r) != 3) return r.bad ? TLS_ERR_BAD_HANDSHAKE : TLS_ERR_INVALID_ALGORITHM;
    ske->curve = rd_u16(&r); /* named_curve (3) */
    if (r.bad) return TLS_ERR_BAD_HANDSHAKE;
    if (ske->curve != TLS_SECP256R1 && ske->curve != TLS_SECP384R1 && ske->curve != TLS_SECP521R1)
        return TLS_ERR_INVALID_ALGORITHM;
    point = rd_vec(&r, 1, 1, 0xFF);
    if (r.bad) return TLS_ERR_BAD_HANDSHAKE;
    if (point.len > TLS_POINT_MAX) return TLS_ERR_INVALID_ALGORITHM;
    ske->point = point.p;
    ske->point_len = point.len;
    ske->params_len = (size_t)(r.p - body);
    ske->hash = rd_u8(&r);
    ske->sig = rd_u8(&r);
    if (r.bad) return TLS_ERR_BAD_HANDSHAKE;
    if (ske->hash < 4 || ske->hash > 6 || ske->sig != (rsa ? TLS_SIG_RSA : TLS_SIG_ECDSA))
        return TLS_ERR_INVALID_ALGORITHM;
    ske->signature_len = rd_u16(&r);
    if (r.bad) return TLS_ERR_BAD_HANDSHAKE;
    if (ske->signature_len > 512) return TLS_ERR_LIMIT_EXCEEDED;
    ske->signature = rd_bytes(&r, ske->signature_len);
    if (r.bad || r.len != 0 || ske->signature_len == 0) return TLS_ERR_BAD_HANDSHAKE;
    return 0;
}
