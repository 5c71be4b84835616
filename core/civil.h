/* Calendar arithmetic in UTC, proleptic Gregorian (H. Hinnant's days_from_civil and its
 * inverse), without the C library's time functions: core/ makes no OS calls and must not
 * depend on TZ. Days and seconds count from 1970-01-01 00:00:00 UTC. */
#ifndef ACME_CIVIL_H
#define ACME_CIVIL_H

#include <stdint.h>

/* A moment split into its civil date and time of day. */
struct civil_time {
    int64_t year;
    unsigned month; /* 1..12 */
    unsigned day;   /* 1..31 */
    unsigned hour, min, sec;
};

/* Days since the epoch of year-month-day (month 1..12, day 1..31; |year| below 2^40). */
int64_t civil_to_days(int64_t year, unsigned month, unsigned day);

/* The inverse of civil_to_days, for any day count t / 86400 can give. */
void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day);

/* Days in that month (1..12) of that year: 28 to 31. */
unsigned civil_days_in_month(int64_t year, unsigned month);

/* Seconds since the epoch (any int64_t, negative too) to date and time of day. */
void civil_split(int64_t t, struct civil_time *out);

#endif
