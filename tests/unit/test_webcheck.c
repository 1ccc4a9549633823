/* test_webcheck.c - unit tests for the password checks on threads: results come back on the
 * event loop (right, wrong, unknown name, no users file), and no more than WEBCHECK_MAX run at
 * once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <event2/event.h>

#include "webcheck.h"
#include "webusers.h"

_Static_assert(WEBCHECK_MAX == 4, "the test starts four checks, then one too many");

static char path[64];
static int results[8];
static int reported;

static void on_done(int result, const char *err, void *priv)
{
    (void)err;
    results[(intptr_t)priv] = result;
    reported++;
}

static int setup(void **state)
{
    (void)state;
    char err[128], line[512];
    snprintf(path, sizeof(path), "/tmp/l2a-webcheck-XXXXXX");
    int fd = mkstemp(path);
    char *h = webusers_hash("s3cret", err, sizeof(err));
    if (fd < 0 || !h)
        return -1;
    snprintf(line, sizeof(line), "alice:%s\n", h);
    if (write(fd, line, strlen(line)) != (ssize_t)strlen(line))
        return -1;
    close(fd);
    free(h);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    unlink(path);
    return 0;
}

static void test_results_on_the_loop(void **state)
{
    (void)state;
    struct event_base *base = event_base_new();
    reported = 0;
    memset(results, 0xff, sizeof(results));
    assert_int_equal(webcheck_start(base, path, "alice", "s3cret", on_done, (void *)0), 0);
    assert_int_equal(webcheck_start(base, path, "alice", "wrong", on_done, (void *)1), 0);
    assert_int_equal(webcheck_start(base, path, "bob", "s3cret", on_done, (void *)2), 0);
    assert_int_equal(webcheck_start(base, NULL, "alice", "s3cret", on_done, (void *)3), 0);
    /* four running: a fifth is refused, and done is not called for it */
    assert_int_equal(webcheck_start(base, path, "alice", "s3cret", on_done, (void *)4), -1);
    assert_int_equal(reported, 0);   /* nothing reported before the loop runs */
    while (reported < 4)
        event_base_loop(base, EVLOOP_ONCE);
    assert_int_equal(results[0], 1);
    assert_int_equal(results[1], 0);
    assert_int_equal(results[2], 0);
    assert_int_equal(results[3], 0);
    assert_int_equal(results[4], -1);    /* untouched */
    /* all reported: room again */
    assert_int_equal(webcheck_start(base, path, "alice", "s3cret", on_done, (void *)5), 0);
    while (reported < 5)
        event_base_loop(base, EVLOOP_ONCE);
    assert_int_equal(results[5], 1);
    event_base_free(base);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_results_on_the_loop, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
