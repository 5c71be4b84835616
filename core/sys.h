/* The OS services core/ uses, implemented in platform/. Errors follow err.h: -1 with a message
 * naming the path and the OS reason. */
#ifndef ACME_SYS_H
#define ACME_SYS_H

#include <stddef.h>
#include <stdint.h>

struct arena;

/* Seconds since the epoch. Tests may pin it with the environment variable ACME_TEST_NOW
 * (seconds since the epoch), used to simulate a clock stuck at 1970 and renewal dates. */
int64_t sys_now(void);
void sys_sleep(unsigned seconds);

/* Reads a whole file into the arena (NUL-terminated). Files larger than max are an error.
 * Returns 0, or -1 with the error; *missing (when not NULL) is set to 1 when the file does
 * not exist (the error is still set so the caller can report or ignore it). */
int file_read(const char *path, struct arena *a, char **data, size_t *len, size_t max,
              int *missing);
int file_exists(const char *path);
/* Writes a file atomically: temp file in the same directory, fsync, rename, fsync of the
 * directory; mode applied to the temp file before any data is written. On failure the old
 * file is untouched and no temp file is left behind. Errors: ACME_ELOCAL. */
int file_write_atomic(const char *path, const void *data, size_t n, unsigned mode);
/* mkdir -p with mode for the directories it creates. */
int dir_make(const char *path, unsigned mode);

/* Kernel randomness (getrandom; blocks on first boot until the pool is ready, printing one
 * line, for at most CONFIG_ENTROPY_WAIT_MAX seconds). */
int sys_entropy(void *buf, size_t n);

#endif
