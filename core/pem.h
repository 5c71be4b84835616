/* PEM (RFC 7468) reading and writing. */
#ifndef ACME_PEM_H
#define ACME_PEM_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define PEM_LABEL_MAX 64

/* Finds the next PEM block at or after *pos in text[0..len). When `label` is non-NULL only
 * blocks with that label are returned (others are skipped); the found label is copied to
 * label_out when non-NULL. Text before, between and after blocks is ignored, LF and CRLF both
 * work. Returns 1 with the decoded DER in der[0..*derlen) and *pos moved past the block,
 * 0 when there is no further block, -1 with an error on a malformed block (bad base64, missing
 * END line, mismatched labels, DER larger than dercap). */
int pem_next(const char *text, size_t len, size_t *pos, const char *label, char *label_out,
             uint8_t *der, size_t dercap, size_t *derlen);

/* Appends "-----BEGIN label-----\n", base64 in 64-column lines, "-----END label-----\n". */
void pem_write(struct buf *out, const char *label, const uint8_t *der, size_t n);

#endif
