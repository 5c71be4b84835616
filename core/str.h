/* Small string searches the C library would bring in at several times the size. */
#ifndef ACME_STR_H
#define ACME_STR_H

/* The first occurrence of needle in hay, as strstr() (an empty needle matches at hay), but
 * by plain comparison at each position: musl's two-way strstr is 0.7-1.3 KiB and every
 * string searched here is short or searched for a short needle. */
const char *str_find(const char *hay, const char *needle);

#endif
