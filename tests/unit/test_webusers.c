/* test_webusers.c - unit tests for the review page's users file: names, yescrypt hashes, checks
 * against a file (right and wrong passwords, unknown names, comments, an empty or missing file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "webusers.h"

static char path[64];

static int check(const char *name, const char *password)
{
    char err[256];
    return webusers_check(path, name, password, err, sizeof(err));
}

static void write_users(const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int setup(void **state)
{
    (void)state;
    snprintf(path, sizeof(path), "/tmp/l2a-webusers-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    close(fd);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void test_names(void **state)
{
    (void)state;
    assert_true(webusers_name_ok("alice"));
    assert_true(webusers_name_ok("a.b_c-d@example.com"));
    assert_false(webusers_name_ok(""));
    assert_false(webusers_name_ok(NULL));
    assert_false(webusers_name_ok("bad name"));
    assert_false(webusers_name_ok("a:b"));
    char longname[WEBUSERS_NAME_MAX + 2];
    memset(longname, 'x', sizeof(longname) - 1);
    longname[sizeof(longname) - 1] = '\0';
    assert_false(webusers_name_ok(longname));
    longname[WEBUSERS_NAME_MAX] = '\0';
    assert_true(webusers_name_ok(longname));
}

static void test_hash_and_check(void **state)
{
    (void)state;
    char err[256];
    char *h1 = webusers_hash("correct horse", err, sizeof(err));
    char *h2 = webusers_hash("correct horse", err, sizeof(err));
    assert_non_null(h1);
    assert_non_null(h2);
    assert_memory_equal(h1, "$y$", 3);
    assert_string_not_equal(h1, h2);          /* a fresh salt each time */
    char text[1024];
    snprintf(text, sizeof(text), "# users\n\nbob:%s\nalice:%s\r\nbroken line\n", h2, h1);
    write_users(text);
    assert_int_equal(check("alice", "correct horse"), 1);
    assert_int_equal(check("bob", "correct horse"), 1);
    assert_int_equal(check("alice", "correct horsf"), 0);
    assert_int_equal(check("alice", ""), 0);
    assert_int_equal(check("carol", "correct horse"), 0);
    assert_int_equal(check("ali", "correct horse"), 0);      /* a prefix of a name is not it */
    assert_int_equal(check("broken line", "x"), 0);
    write_users("");
    assert_int_equal(check("alice", "correct horse"), 0);    /* empty file: nobody */
    assert_int_equal(webusers_check(NULL, "alice", "correct horse", err, sizeof(err)), 0);
    assert_int_equal(webusers_check("/nonexistent/users", "alice", "x", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/users"));
    free(h1);
    free(h2);
}

static void test_same(void **state)
{
    (void)state;
    assert_true(webusers_same("abc", "abc"));
    assert_false(webusers_same("abc", "abd"));
    assert_false(webusers_same("abc", "abcd"));
    assert_false(webusers_same("", "a"));
    assert_true(webusers_same("", ""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test_setup_teardown(test_hash_and_check, setup, teardown),
        cmocka_unit_test(test_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
