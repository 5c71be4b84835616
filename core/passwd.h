/* The config key `user`: its value (NAME or UID:GID) and the lookup of NAME in the text of
 * /etc/passwd (passwd(5): name:password:uid:gid:gecos:home:shell, one entry a line). Pure
 * parsing; platform/privdrop.c reads the file (at most PASSWD_FILE_MAX bytes) and switches. */
#ifndef ACME_PASSWD_H
#define ACME_PASSWD_H

#include <stddef.h>
#include <stdint.h>

#define PASSWD_PATH "/etc/passwd"
/* Largest /etc/passwd read (about a thousand entries); beyond it, `user = UID:GID` works
 * without the file. */
#define PASSWD_FILE_MAX 65536
/* Longest entry accepted for the user looked up (other lines are skipped, whatever their
 * length). */
#define PASSWD_LINE_MAX 1024

/* `user = UID:GID`: two decimal numbers (digits only, each below 4294967295, the kernel's
 * "unchanged"). Returns 1 with *uid and *gid set; 0 when value holds no ':' (it is a NAME);
 * -1 (ACME_ECONFIG) when it holds a ':' but is not UID:GID. */
int passwd_ids(const char *value, uint32_t *uid, uint32_t *gid);

/* Finds the first entry for name in text[len] (the contents of /etc/passwd; a last line
 * without '\n', "\r\n" ends and NUL bytes are allowed). Returns 1 with *uid and *gid set, 0
 * when no entry has that name (no error set), -1 (ACME_ECONFIG) when name is empty or holds
 * ':' or '\n', or when its entry is malformed: not 7 fields, longer than PASSWD_LINE_MAX, or
 * a uid/gid that is not a decimal number as above (the message names the line number). */
int passwd_find(const char *text, size_t len, const char *name, uint32_t *uid, uint32_t *gid);

#endif
