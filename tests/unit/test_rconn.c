/* test_rconn.c - unit tests for Redis addresses and credentials (src/redis/rconn.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rconn.h"

/* Parses url, expects success and the given fields (NULL = field unset). */
static void expect_ok(const char *url, const char *host, int port, const char *path,
                      const char *password, int db)
{
    redis_addr a;
    char err[256];
    int rc = redis_addr_parse(url, &a, err, sizeof(err));
    if (rc != 0)
        fail_msg("%s: %s", url, err);
    if (host)
        assert_string_equal(a.host, host);
    else
        assert_null(a.host);
    if (path)
        assert_string_equal(a.unix_path, path);
    else
        assert_null(a.unix_path);
    if (password)
        assert_string_equal(a.password, password);
    else
        assert_null(a.password);
    assert_int_equal(a.port, port);
    assert_int_equal(a.db, db);
    redis_addr_free(&a);
    assert_null(a.host);
}

/* Parses url, expects failure with err containing want. */
static void expect_err(const char *url, const char *want)
{
    redis_addr a;
    char err[256];
    int rc = redis_addr_parse(url, &a, err, sizeof(err));
    redis_addr_free(&a);
    if (rc == 0)
        fail_msg("%s: parsed, expected an error", url ? url : "(null)");
    if (!strstr(err, want))
        fail_msg("%s: error '%s' does not say '%s'", url ? url : "(null)", err, want);
}

static void test_tcp(void **state)
{
    (void)state;
    expect_ok("redis://127.0.0.1", "127.0.0.1", 6379, NULL, NULL, 0);
    expect_ok("redis://localhost:6380", "localhost", 6380, NULL, NULL, 0);
    expect_ok("redis://localhost:6380/", "localhost", 6380, NULL, NULL, 0);
    expect_ok("redis://redis.internal/15", "redis.internal", 6379, NULL, NULL, 15);
    expect_ok("redis://[::1]:7000/2", "::1", 7000, NULL, NULL, 2);
    expect_ok("redis://[::1]", "::1", 6379, NULL, NULL, 0);
    expect_ok("redis://h:65535", "h", 65535, NULL, NULL, 0);
}

static void test_password(void **state)
{
    (void)state;
    expect_ok("redis://:s3cret@h:1/1", "h", 1, NULL, "s3cret", 1);
    expect_ok("redis://:p%40ss%2Fw@h", "h", 6379, NULL, "p@ss/w", 0);
    expect_ok("redis://:a@b/c@h:2", "h", 2, NULL, "a@b/c", 0); /* the last '@' ends it */
    expect_ok("redis://:@h", "h", 6379, NULL, NULL, 0);     /* empty password = none */
}

static void test_user(void **state)
{
    redis_addr a;
    char err[256];
    (void)state;
    assert_int_equal(redis_addr_parse("redis://alice:pw@h:9", &a, err, sizeof(err)), 0);
    assert_string_equal(a.user, "alice");
    assert_string_equal(a.password, "pw");
    assert_string_equal(a.host, "h");
    assert_string_equal(err, ""); /* no note */
    redis_addr_free(&a);
    assert_int_equal(redis_addr_parse("redis://b%40b@h", &a, err, sizeof(err)), 0);
    assert_string_equal(a.user, "b@b");
    assert_null(a.password);
    redis_addr_free(&a);
    assert_int_equal(redis_addr_parse("redis://:pw@h", &a, err, sizeof(err)), 0);
    assert_null(a.user); /* AUTH pw, the default user */
    redis_addr_free(&a);
}

/* Writes text to /tmp/l2a-test-rconn-PID (its name into path), replacing what was there. */
static void temp_file(char *path, size_t len, const char *text)
{
    snprintf(path, len, "/tmp/l2a-test-rconn-%ld", (long)getpid());
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
}

/* Parses url and fills its password from file or the environment; expects rc. The password
 * found ("" for none) or the error goes into out. */
static void password_of(const char *url, const char *file, int rc, char *out, size_t len)
{
    redis_addr a;
    char err[256];
    assert_int_equal(redis_addr_parse(url, &a, err, sizeof(err)), 0);
    assert_int_equal(redis_addr_password(&a, file, err, sizeof(err)), rc);
    snprintf(out, len, "%s", rc != 0 ? err : a.password ? a.password : "");
    redis_addr_free(&a);
}

/* The URL's password first, else the file's first line, else $L2A_REDIS_PASSWORD. */
static void test_password_sources(void **state)
{
    char got[256], path[64];
    (void)state;
    temp_file(path, sizeof(path), "from-file\nsecond line\n");
    setenv(REDIS_PASSWORD_ENV, "from-env", 1);
    password_of("redis://u:url@h", path, 0, got, sizeof(got));
    assert_string_equal(got, "url");
    password_of("redis://u@h", path, 0, got, sizeof(got));
    assert_string_equal(got, "from-file");
    password_of("redis://u@h", NULL, 0, got, sizeof(got));
    assert_string_equal(got, "from-env");
    unsetenv(REDIS_PASSWORD_ENV);
    password_of("redis://h", NULL, 0, got, sizeof(got));
    assert_string_equal(got, "");
    password_of("redis://u@h", NULL, -1, got, sizeof(got));
    assert_non_null(strstr(got, "no password for Redis user 'u'"));
    temp_file(path, sizeof(path), "\n");
    password_of("redis://h", path, -1, got, sizeof(got));
    assert_non_null(strstr(got, "empty"));
    unlink(path);
    password_of("redis://h", path, -1, got, sizeof(got));
    assert_non_null(strstr(got, "No such file"));
}

static void test_auth_refused(void **state)
{
    (void)state;
    assert_true(rconn_auth_refused("WRONGPASS invalid username-password pair"));
    assert_true(rconn_auth_refused("NOAUTH Authentication required."));
    assert_true(rconn_auth_refused("NOPERM this user has no permissions"));
    assert_false(rconn_auth_refused("LOADING Redis is loading"));
    assert_false(rconn_auth_refused(NULL));
}

static void test_unix(void **state)
{
    (void)state;
    expect_ok("/run/redis/redis.sock", NULL, 0, "/run/redis/redis.sock", NULL, 0);
    expect_ok("unix:///tmp/r.sock", NULL, 0, "/tmp/r.sock", NULL, 0);
    expect_ok("unix:///tmp/r.sock?db=4", NULL, 0, "/tmp/r.sock", NULL, 4);
    expect_ok("unix:///tmp/r.sock?db=4&password=x%20y", NULL, 0, "/tmp/r.sock", "x y", 4);
    expect_ok("unix:///tmp/r.sock?password=pw", NULL, 0, "/tmp/r.sock", "pw", 0);
}

static void test_bad(void **state)
{
    (void)state;
    expect_err(NULL, "empty");
    expect_err("", "empty");
    expect_err("localhost:6379", "'localhost:6379' is not a URL");
    expect_err("http://h", "unsupported Redis URL scheme 'http'");
    expect_err("rediss://h", "TLS");
    expect_err("redis://", "missing host");
    expect_err("redis://:6379", "missing host");
    expect_err("redis://h:0", "bad port");
    expect_err("redis://h:65536", "bad port");
    expect_err("redis://h:12x", "bad port");
    expect_err("redis://h:", "bad port");
    expect_err("redis://[::1", "unterminated");
    expect_err("redis://h/x", "bad database");
    expect_err("redis://h/-1", "bad database");
    expect_err("redis://h/99999999999", "bad database");
    expect_err("redis://h?db=1", "query parameters");
    expect_err("redis://:p%zz@h", "%-escape");
    expect_err("redis://:p%00@h", "%-escape");
    expect_err("unix://tmp/r.sock", "absolute");
    expect_err("unix:///tmp/r.sock?db=x", "bad parameter 'db=x'");
    expect_err("unix:///tmp/r.sock?timeout=1", "bad parameter");
}

static void test_bad_never_echo_password(void **state)
{
    redis_addr a;
    char err[256];
    (void)state;
    assert_int_equal(redis_addr_parse("unix:///s?password=%zzsecret", &a, err, sizeof(err)), -1);
    assert_null(strstr(err, "secret"));
    redis_addr_free(&a);
    assert_int_equal(redis_addr_parse("h:secret@x", &a, err, sizeof(err)), -1);
    assert_null(strstr(err, "secret"));
    redis_addr_free(&a);
}

static void test_describe(void **state)
{
    redis_addr a;
    char err[256], buf[128];
    (void)state;
    assert_int_equal(redis_addr_parse("redis://:pw@[::1]:7/3", &a, err, sizeof(err)), 0);
    assert_string_equal(redis_addr_describe(&a, buf, sizeof(buf)), "[::1]:7/3");
    redis_addr_free(&a);
    assert_int_equal(redis_addr_parse("/x.sock", &a, err, sizeof(err)), 0);
    assert_string_equal(redis_addr_describe(&a, buf, sizeof(buf)), "unix:/x.sock/0");
    redis_addr_free(&a);
}

static void test_connect_refused(void **state)
{
    redis_addr a;
    char err[256];
    (void)state;
    assert_int_equal(redis_addr_parse("/nonexistent/l2a-test.sock", &a, err, sizeof(err)), 0);
    assert_null(rconn_connect(&a, 200, err, sizeof(err)));
    assert_non_null(strstr(err, "cannot connect"));
    redis_addr_free(&a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tcp),
        cmocka_unit_test(test_password),
        cmocka_unit_test(test_user),
        cmocka_unit_test(test_password_sources),
        cmocka_unit_test(test_auth_refused),
        cmocka_unit_test(test_unix),
        cmocka_unit_test(test_bad),
        cmocka_unit_test(test_bad_never_echo_password),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_connect_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
