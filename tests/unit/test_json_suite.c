/* JSONTestSuite (test_parsing): the reader must accept every y_ file, reject every n_ file and
 * survive every i_ file. The folder is argv[1], else $JSONTESTSUITE, else
 * ../shared/testdata/jsontestsuite (relative to the repository root, where tests run). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "err.h"
#include "json.h"

#define MAX_FILES 1024
#define MAX_FILE_SIZE (1 << 20)
#define SUITE_TOKENS 65536

static const char *suite_dir;
static int suite_missing;
static char names[MAX_FILES][256];
static size_t n_names;
static char text[MAX_FILE_SIZE];
static struct json_tok toks[SUITE_TOKENS];
static unsigned char arena_mem[1 << 20];

static int by_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

static int list_suite(void **state)
{
    (void)state;
    DIR *dir = opendir(suite_dir);
    struct dirent *e;
    if (dir == NULL) {
        suite_missing = 1; /* reported by test_suite_present */
        return 0;
    }
    while ((e = readdir(dir)) != NULL) {
        size_t n = strlen(e->d_name);
        if (n < 6 || strcmp(e->d_name + n - 5, ".json") != 0 || n >= sizeof names[0]) continue;
        if (n_names == MAX_FILES) break;
        memcpy(names[n_names++], e->d_name, n + 1);
    }
    closedir(dir);
    qsort(names, n_names, sizeof names[0], by_name);
    return 0;
}

static long read_file(const char *name)
{
    char path[1024];
    FILE *f;
    size_t n;
    snprintf(path, sizeof path, "%s/%s", suite_dir, name);
    f = fopen(path, "rb");
    if (f == NULL) return -1;
    n = fread(text, 1, sizeof text, f);
    fclose(f);
    if (n == sizeof text) return -1; /* larger than the buffer: not a file of this suite */
    return (long)n;
}

/* Structural checks on an accepted document: subtree ends, sizes and string decoding agree. */
static int check_doc(const struct json_doc *d, char *why, size_t cap)
{
    static struct arena a;
    size_t i;
    if (d->ntok == 0 || d->toks[0].next != d->ntok) {
        snprintf(why, cap, "root subtree does not cover all %zu tokens", d->ntok);
        return -1;
    }
    arena_init(&a, arena_mem, sizeof arena_mem);
    for (i = 0; i < d->ntok; i++) {
        const struct json_tok *t = &d->toks[i];
        if (t->next <= i || t->next > d->ntok || t->end < t->start || t->end > d->len) {
            snprintf(why, cap, "token %zu has bad bounds", i);
            return -1;
        }
        if (t->type == JSON_ARRAY || t->type == JSON_OBJECT) {
            size_t j = i + 1, k = 0;
            while (j < t->next) {
                if (t->type == JSON_OBJECT) {
                    if (d->toks[j].type != JSON_STRING) {
                        snprintf(why, cap, "object %zu has a non-string key", i);
                        return -1;
                    }
                    j++;
                }
                j = d->toks[j].next;
                k++;
            }
            if (j != t->next || k != t->size) {
                snprintf(why, cap, "container %zu: size %u, walked %zu", i, (unsigned)t->size, k);
                return -1;
            }
        }
        if (t->type == JSON_STRING) {
            char *s = json_str_dup(d, (int)i, &a);
            /* only strings holding \u0000 may fail, and only with that reason */
            if (s == NULL && strstr(err_msg(), "\\u0000") == NULL) {
                snprintf(why, cap, "string %zu: %s", i, err_msg());
                return -1;
            }
            if (s != NULL && !json_str_eq(d, (int)i, s)) {
                snprintf(why, cap, "string %zu: json_str_eq disagrees with json_str", i);
                return -1;
            }
        }
    }
    return 0;
}

/* Runs every file whose name starts with prefix; fails listing each misclassified one. */
static void run_prefix(char prefix)
{
    size_t i, ran = 0, wrong = 0, accepted = 0;
    char why[256];
    for (i = 0; i < n_names; i++) {
        struct json_doc d;
        long n;
        int rc;
        if (names[i][0] != prefix || names[i][1] != '_') continue;
        ran++;
        n = read_file(names[i]);
        if (n < 0) {
            printf("  cannot read %s\n", names[i]);
            wrong++;
            continue;
        }
        rc = json_parse(&d, text, (size_t)n, toks, SUITE_TOKENS);
        if (rc == 0) accepted++;
        if (prefix == 'y' && rc != 0) {
            printf("  wrongly rejected %s: %s\n", names[i], err_msg());
            wrong++;
        } else if (prefix == 'n' && rc == 0) {
            printf("  wrongly accepted %s\n", names[i]);
            wrong++;
        } else if (rc == 0 && check_doc(&d, why, sizeof why) < 0) {
            printf("  inconsistent tokens for %s: %s\n", names[i], why);
            wrong++;
        } else if (prefix == 'i')
            printf("  %s %s\n", rc == 0 ? "accepts" : "rejects", names[i]);
    }
    printf("%c_ files: %zu run, %zu accepted, %zu misclassified\n", prefix, ran, accepted, wrong);
    if (ran == 0) fail_msg("no %c_ files in %s", prefix, suite_dir);
    if (wrong != 0) fail_msg("%zu %c_ files misclassified (listed above)", wrong, prefix);
}

static void test_suite_present(void **state)
{
    (void)state;
    if (suite_missing)
        fail_msg("JSONTestSuite folder %s is missing (pass it as argv[1] or $JSONTESTSUITE)",
                 suite_dir);
    if (n_names < 300)
        fail_msg("%s holds %zu .json files; expected the full JSONTestSuite (300 or more)",
                 suite_dir, n_names);
}

static void test_y_accepted(void **state)
{
    (void)state;
    run_prefix('y');
}

static void test_n_rejected(void **state)
{
    (void)state;
    run_prefix('n');
}

static void test_i_survived(void **state)
{
    (void)state;
    run_prefix('i');
}

/* The deep-nesting file must fail on the depth limit, not on anything else. */
static void test_deep_nesting_hits_limit(void **state)
{
    (void)state;
    struct json_doc d;
    long n = read_file("n_structure_100000_opening_arrays.json");
    if (n < 0) fail_msg("n_structure_100000_opening_arrays.json missing from %s", suite_dir);
    assert_int_equal(json_parse(&d, text, (size_t)n, toks, SUITE_TOKENS), -1);
    assert_non_null(strstr(err_msg(), "CONFIG_JSON_MAX_DEPTH"));
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_suite_present),
        cmocka_unit_test(test_y_accepted),
        cmocka_unit_test(test_n_rejected),
        cmocka_unit_test(test_i_survived),
        cmocka_unit_test(test_deep_nesting_hits_limit),
    };
    suite_dir = argc > 1 ? argv[1] : getenv("JSONTESTSUITE");
    if (suite_dir == NULL || suite_dir[0] == '\0') suite_dir = "../shared/testdata/jsontestsuite";
    return cmocka_run_group_tests(tests, list_suite, NULL);
}
