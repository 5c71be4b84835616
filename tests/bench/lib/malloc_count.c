/* LD_PRELOAD shim for tests/bench/memory.sh: counts heap allocation calls of a glibc-linked
 * process and tracks its peak heap, without changing what the allocator does (every call is
 * forwarded to glibc's __libc_* functions). A call counts as "exe" when its return address
 * lies in the main executable (acme's own code, including the statically linked BearSSL) and
 * as "lib" otherwise (libc internals such as getaddrinfo, stdio, the dynamic loader). At exit
 * one line is appended to the file named by MALLOC_COUNT_OUT (or written to stderr):
 *   pid=N exe=PATH malloc_exe=N malloc_lib=N free=N peak_bytes=N total_bytes=N
 * Heap sizes are malloc_usable_size() of each block: what the allocator really handed out.
 * A benchmark helper, not part of acme; it may use malloc's own interfaces freely. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <link.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
extern void *__libc_memalign(size_t align, size_t n);
extern void __libc_free(void *p);

static uintptr_t exe_lo, exe_hi; /* the main executable's loaded address range */
static unsigned long calls_exe, calls_lib, frees;
static size_t cur_bytes, peak_bytes, total_bytes;

static void count(void *ret, void *p)
{
    uintptr_t r = (uintptr_t)ret;
    size_t n;

    if (r >= exe_lo && r < exe_hi)
        calls_exe++;
    else
        calls_lib++;
    if (p == NULL) return;
    n = malloc_usable_size(p);
    cur_bytes += n;
    total_bytes += n;
    if (cur_bytes > peak_bytes) peak_bytes = cur_bytes;
}

static void uncount(void *p)
{
    if (p == NULL) return;
    frees++;
    cur_bytes -= malloc_usable_size(p);
}

void *malloc(size_t n)
{
    void *p = __libc_malloc(n);
    count(__builtin_return_address(0), p);
    return p;
}

void *calloc(size_t n, size_t m)
{
    void *p = __libc_calloc(n, m);
    count(__builtin_return_address(0), p);
    return p;
}

void *realloc(void *old, size_t n)
{
    size_t was = old ? malloc_usable_size(old) : 0;
    void *p = __libc_realloc(old, n);

    if (p == NULL && n != 0) return NULL; /* old block unchanged */
    if (old != NULL) {
        cur_bytes -= was;
        frees++;
    }
    count(__builtin_return_address(0), p);
    return p;
}

void free(void *p)
{
    uncount(p);
    __libc_free(p);
}

void *memalign(size_t align, size_t n)
{
    void *p = __libc_memalign(align, n);
    count(__builtin_return_address(0), p);
    return p;
}

void *aligned_alloc(size_t align, size_t n)
{
    void *p = __libc_memalign(align, n);
    count(__builtin_return_address(0), p);
    return p;
}

int posix_memalign(void **out, size_t align, size_t n)
{
    void *p = __libc_memalign(align, n);
    count(__builtin_return_address(0), p);
    if (p == NULL) return 12; /* ENOMEM */
    *out = p;
    return 0;
}

static int find_exe(struct dl_phdr_info *info, size_t size, void *data)
{
    int i;

    (void)size;
    (void)data;
    /* the first object is the main program */
    for (i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        uintptr_t lo, hi;

        if (ph->p_type != PT_LOAD) continue;
        lo = info->dlpi_addr + ph->p_vaddr;
        hi = lo + ph->p_memsz;
        if (exe_lo == 0 || lo < exe_lo) exe_lo = lo;
        if (hi > exe_hi) exe_hi = hi;
    }
    return 1;
}

__attribute__((constructor)) static void start(void)
{
    dl_iterate_phdr(find_exe, NULL);
}

__attribute__((destructor)) static void report(void)
{
    char exe[512], line[1024];
    const char *out = getenv("MALLOC_COUNT_OUT");
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    int fd = 2, len;

    exe[n > 0 ? n : 0] = '\0';
    len = snprintf(line, sizeof line,
                   "pid=%ld exe=%s malloc_exe=%lu malloc_lib=%lu free=%lu peak_bytes=%zu "
                   "total_bytes=%zu\n",
                   (long)getpid(), exe, calls_exe, calls_lib, frees, peak_bytes, total_bytes);
    if (out != NULL && (fd = open(out, O_WRONLY | O_APPEND | O_CREAT, 0644)) < 0) fd = 2;
    if (len > 0) (void)!write(fd, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
    if (fd != 2) close(fd);
}
