/* test_sentinel.c - unit tests for the Sentinel helpers (src/redis/sentinel.c) and the address
 * the config gives in Sentinel mode (rconn_addr_from_conf, redis_addr_describe). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "rconn.h"
#include "sentinel.h"

static void test_parse_switch(void **state)
{
    (void)state;
    char host[64];
    int port = 0;
    assert_int_equal(sentinel_parse_switch("mymaster 127.0.0.1 6379 10.0.0.2 6380", "mymaster",
                                           host, sizeof(host), &port), 0);
    assert_string_equal(host, "10.0.0.2");
    assert_int_equal(port, 6380);
    assert_int_equal(sentinel_parse_switch("other 127.0.0.1 6379 10.0.0.2 6380", "mymaster", host,
                                           sizeof(host), &port), -1);
    assert_int_equal(sentinel_parse_switch("mymaster 127.0.0.1 6379", "mymaster", host,
                                           sizeof(host), &port), -1);
    assert_int_equal(sentinel_parse_switch("mymaster a 1 averyveryverylonghostname 2", "mymaster",
                                           host, 8, &port), -1);
}

/* A reply of one type with a string (or an array whose first element is that string). */
static void test_replies(void **state)
{
    (void)state;
    redisReply role = {.type = REDIS_REPLY_STRING, .str = (char *)"master", .len = 6};
    redisReply *elems[] = {&role};
    redisReply arr = {.type = REDIS_REPLY_ARRAY, .elements = 1, .element = elems};
    assert_true(sentinel_role_is_master(&arr));
    role.str = (char *)"slave";
    assert_false(sentinel_role_is_master(&arr));
    assert_false(sentinel_role_is_master(NULL));
    redisReply e = {.type = REDIS_REPLY_ERROR,
                    .str = (char *)"READONLY You can't write against a read only replica."};
    assert_true(sentinel_not_master_error(&e));
    e.str = (char *)"UNBLOCKED force unblock from blocking operation, instance state changed";
    assert_true(sentinel_not_master_error(&e));
    e.str = (char *)"OOM command not allowed";
    assert_false(sentinel_not_master_error(&e));
    assert_false(sentinel_not_master_error(NULL));
}

/* The config's sentinels become the address; the sentinels' password may come from a file; with
 * nothing listening every sentinel is named in the error, and each costs at most its timeout. */
static void test_addr_from_conf(void **state)
{
    (void)state;
    conf c;
    redis_addr a;
    char err[512], desc[256], pwfile[] = "/tmp/l2a-test-sentinel-XXXXXX";
    int fd = mkstemp(pwfile);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "s3cret\n", 7), 7);
    close(fd);
    conf_defaults(&c);
    sv_push(&c.redis_sentinels, "127.0.0.1:1");
    sv_push(&c.redis_sentinels, "127.0.0.1:2");
    c.redis_master_name = xstrdup("mymaster");
    c.redis_sentinel_password_file = xstrdup(pwfile);
    c.redis_user = xstrdup("l2ad");
    c.redis_password_file = xstrdup(pwfile);
    assert_int_equal(rconn_addr_from_conf(&c, NULL, &a, err, sizeof(err)), 0);
    assert_int_equal(a.sentinels.n, 2);
    assert_null(a.host);
    assert_string_equal(a.sentinel_password, "s3cret");
    assert_string_equal(a.user, "l2ad");          /* redis.user, with redis.password_file */
    assert_string_equal(a.password, "s3cret");
    assert_string_equal(redis_addr_describe(&a, desc, sizeof(desc)),
                        "sentinel:mymaster@127.0.0.1:1,127.0.0.1:2/0");
    char *host = NULL;
    int port = 0;
    assert_int_equal(sentinel_master(&a, &host, &port, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no sentinel gave master 'mymaster': 127.0.0.1:1: "));
    assert_non_null(strstr(err, "; 127.0.0.1:2: "));
    redisContext *rc = rconn_connect(&a, 300, err, sizeof(err));
    assert_null(rc);
    assert_non_null(strstr(err, "no sentinel gave master"));
    redis_addr_free(&a);
    /* --redis overrides the sentinels; a user in the URL wins over redis.user */
    assert_int_equal(rconn_addr_from_conf(&c, "redis://h:7", &a, err, sizeof(err)), 0);
    assert_int_equal(a.sentinels.n, 0);
    assert_string_equal(a.host, "h");
    assert_string_equal(a.user, "l2ad");
    redis_addr_free(&a);
    assert_int_equal(rconn_addr_from_conf(&c, "redis://bob:pw@h:7", &a, err, sizeof(err)), 0);
    assert_string_equal(a.user, "bob");
    assert_string_equal(a.password, "pw");
    redis_addr_free(&a);
    unlink(pwfile);
    assert_int_equal(rconn_addr_from_conf(&c, NULL, &a, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "redis.sentinel_password_file"));
    redis_addr_free(&a);
    conf_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_switch),
        cmocka_unit_test(test_replies),
        cmocka_unit_test(test_addr_from_conf),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
