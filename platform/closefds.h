#ifndef ACME_PLATFORM_CLOSEFDS_H
#define ACME_PLATFORM_CLOSEFDS_H

#include <sys/types.h>

/* fork() for starting a hook or a responder. It is the C library's _Fork: fork() without the
 * atfork handlers and lock resets that this single-threaded program has no use for, and which
 * cost about 2.5 KiB of thread-lock code in the static musl binary on MIPS. */
pid_t child_fork(void);

/* In a forked child: closes every descriptor from 3 up, except keep (-1: none). */
void close_fds_except(int keep);

#endif
