/* test_log.c - unit tests for log.c's level filter: log_enabled, and log_debug leaving its
 * arguments unevaluated when debug lines are not printed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "log.h"

static int evaluated;

/* An argument of a log line that counts its evaluations. */
static const char *counted(const char *s)
{
    evaluated++;
    return s;
}

static void test_enabled_levels(void **state)
{
    (void)state;
    log_init("test_log", LOG_LVL_INFO);
    assert_true(log_enabled(LOG_LVL_ERR));
    assert_true(log_enabled(LOG_LVL_INFO));
    assert_false(log_enabled(LOG_LVL_DEBUG));
    log_init("test_log", LOG_LVL_WARNING);
    assert_true(log_enabled(LOG_LVL_WARNING));
    assert_false(log_enabled(LOG_LVL_NOTICE));
}

static void test_debug_arguments(void **state)
{
    (void)state;
    evaluated = 0;
    log_init("test_log", LOG_LVL_INFO);
    log_debug("test_event", "value=\"%s\"", counted("not printed"));
    assert_int_equal(evaluated, 0);
    log_init("test_log", LOG_LVL_DEBUG);
    log_debug("test_event", "value=\"%s\"", counted("printed"));
    assert_int_equal(evaluated, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_enabled_levels),
        cmocka_unit_test(test_debug_arguments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
