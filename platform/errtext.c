/* sys_errtext(): the text for an errno value, instead of the C library's strerror(). musl's
 * strerror carries a table of every errno (about 2 KiB on each router binary); this one holds
 * only the values the system calls in platform/ can return, in the C libraries' wording (musl's
 * mostly, glibc's where it is the better known), so that a message can still be searched for. */
#include <errno.h>

#include "../core/fmt.h"
#include "../core/sys.h"

/* One line per errno: the value from <errno.h> (the numbers differ between architectures;
 * MIPS has its own for many, EDQUOT is 1133 there) and its text. */
#define ERRTEXT_LIST(X)                                                                            \
    /* files */                                                                                    \
    X(ENOENT, "No such file or directory")                                                         \
    X(EACCES, "Permission denied")                                                                 \
    X(EPERM, "Operation not permitted")                                                            \
    X(EEXIST, "File exists")                                                                       \
    X(ENOTDIR, "Not a directory")                                                                  \
    X(EISDIR, "Is a directory")                                                                    \
    X(ENOSPC, "No space left on device")                                                           \
    X(EDQUOT, "Disk quota exceeded")                                                               \
    X(EROFS, "Read-only file system")                                                              \
    X(EIO, "I/O error")                                                                            \
    X(ELOOP, "Symbolic link loop")                                                                 \
    X(ENAMETOOLONG, "File name too long")                                                          \
    X(EXDEV, "Cross-device link")                                                                  \
    X(EBUSY, "Device or resource busy")                                                            \
    X(ETXTBSY, "Text file busy")                                                                   \
    X(ENOTEMPTY, "Directory not empty")                                                            \
    X(EMFILE, "Too many open files")                                                               \
    X(ENFILE, "Too many open files in system")                                                     \
    X(EFBIG, "File too large")                                                                     \
    X(EBADF, "Bad file descriptor")                                                                \
    /* processes and memory */                                                                     \
    X(ENOEXEC, "Exec format error")                                                                \
    X(E2BIG, "Argument list too long")                                                             \
    X(ECHILD, "No child process")                                                                  \
    X(ESRCH, "No such process")                                                                    \
    X(EAGAIN, "Resource temporarily unavailable")                                                  \
    X(ENOMEM, "Out of memory")                                                                     \
    X(EINTR, "Interrupted system call")                                                            \
    /* network */                                                                                  \
    X(EADDRINUSE, "Address already in use")                                                        \
    X(EADDRNOTAVAIL, "Address not available")                                                      \
    X(EAFNOSUPPORT, "Address family not supported")                                                \
    X(EPROTONOSUPPORT, "Protocol not supported")                                                   \
    X(ECONNREFUSED, "Connection refused")                                                          \
    X(ECONNRESET, "Connection reset by peer")                                                      \
    X(ECONNABORTED, "Connection aborted")                                                          \
    X(ETIMEDOUT, "Operation timed out")                                                            \
    X(EHOSTUNREACH, "Host is unreachable")                                                         \
    X(ENETUNREACH, "Network is unreachable")                                                       \
    X(ENETDOWN, "Network is down")                                                                 \
    X(ENOTCONN, "Socket not connected")                                                            \
    X(EPIPE, "Broken pipe")                                                                        \
    X(EINPROGRESS, "Operation in progress")                                                        \
    X(EALREADY, "Operation already in progress")                                                   \
    X(EPROTO, "Protocol error")                                                                    \
    X(ENOPROTOOPT, "Protocol not available")                                                       \
    X(ENOBUFS, "No buffer space available")                                                        \
    /* other */                                                                                    \
    X(EINVAL, "Invalid argument")                                                                  \
    X(ENOSYS, "Function not implemented")                                                          \
    X(EOPNOTSUPP, "Operation not supported")

/* The errno values in list order; every Linux errno (MIPS' 1133 too) fits 16 bits. */
#define ERRTEXT_FITS(code, text) _Static_assert(code > 0 && code <= 0xffff, #code " fits");
ERRTEXT_LIST(ERRTEXT_FITS)
#undef ERRTEXT_FITS
static const unsigned short errtext_codes[] = {
#define ERRTEXT_CODE(code, text) code,
    ERRTEXT_LIST(ERRTEXT_CODE)
#undef ERRTEXT_CODE
};

/* The texts in the same order, each ended by a NUL: one array, no table of pointers. */
static const char errtext_texts[] =
#define ERRTEXT_TEXT(code, text) text "\0"
    ERRTEXT_LIST(ERRTEXT_TEXT)
#undef ERRTEXT_TEXT
    ;

const char *sys_errtext(int errnum)
{
    /* "error " and the number: a sign and at most 3 digits per byte of an int, and the NUL */
    static char other[sizeof "error -" + 3 * sizeof(int)];
    const char *text = errtext_texts;
    size_t i;

    for (i = 0; i < sizeof errtext_codes / sizeof errtext_codes[0]; i++) {
        if (errtext_codes[i] == errnum) return text;
        while (*text++ != '\0') /* to the next text */
            ;
    }
    fmt_snprintf(other, sizeof other, "error %d", errnum);
    return other;
}
