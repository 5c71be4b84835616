/* Calendar arithmetic (see civil.h). */
#include "civil.h"

int64_t civil_to_days(int64_t year, unsigned month, unsigned day)
{
    int64_t y = year - (month <= 2), era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400); /* year of era, 0..399 */
    unsigned doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1; /* from March 1 */
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                         /* 0..146096 */

    return era * 146097 + (int64_t)doe - 719468;
}

void civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;

    *day = doy - (153 * mp + 2) / 5 + 1;
    *month = mp < 10 ? mp + 3 : mp - 9;
    *year = (int64_t)yoe + era * 400 + (*month <= 2);
}

unsigned civil_days_in_month(int64_t year, unsigned month)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

    return month == 2 && leap ? 29 : dim[month - 1];
}

void civil_split(int64_t t, struct civil_time *out)
{
    /* Floor division written so that no intermediate can overflow, even at INT64_MIN. */
    int64_t days = t / 86400, secs = t % 86400;

    if (secs < 0) {
        secs += 86400;
        days--;
    }
    civil_from_days(days, &out->year, &out->month, &out->day);
    out->hour = (unsigned)(secs / 3600);
    out->min = (unsigned)(secs / 60 % 60);
    out->sec = (unsigned)(secs % 60);
}
