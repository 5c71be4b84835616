/* acme: get and keep TLS certificates from an ACME CA. main(): arguments, config, command,
 * exit status. */
#include <stdio.h>
#include <string.h>

#include "core/build_config.h"
#include "core/err.h"
#include "core/log.h"

static const char usage[] =
    "usage: acme [-c FILE|DIR] [-o key=value]... [-f] [-v...] [-q] [COMMAND]\n";

int main(int argc, char **argv)
{
    int i;
    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--version") == 0) {
            printf("acme.c %s\n", ACME_VERSION);
            return ACME_OK;
        }
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            return ACME_OK;
        }
    }
    fputs(usage, stderr);
    return ACME_ECONFIG;
}
