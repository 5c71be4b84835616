#ifndef ACME_PLATFORM_CLOSEFDS_H
#define ACME_PLATFORM_CLOSEFDS_H

/* In a forked child: closes every descriptor from 3 up, except keep (-1: none). */
void close_fds_except(int keep);

#endif
