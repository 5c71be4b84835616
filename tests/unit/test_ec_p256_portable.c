/* Unit tests: test_ec_p256.c again with bearssl/ec_p256_w64.c in its plain C form
 * (EC_P256_W64_PORTABLE: the 128-bit carries used where there are no x86_64 intrinsics, as on
 * aarch64 and mips64), so that both forms are checked on the build host. */
#define EC_P256_W64_PORTABLE 1
#include "test_ec_p256.c"
