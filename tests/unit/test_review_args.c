/* test_review_args.c - unit tests for the pure helpers of `l2a review`: durations, ages, short reasons. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "review.h"

static long long dur(const char *text)
{
    long long secs = -42;
    if (review_duration_parse(text, &secs) != 0)
        fail_msg("'%s' did not parse", text);
    return secs;
}

static void expect_bad(const char *text)
{
    long long secs = -42;
    if (review_duration_parse(text, &secs) == 0)
        fail_msg("'%s' parsed as %lld", text, secs);
    assert_int_equal(secs, -42); /* untouched on error */
}

static void test_duration_units(void **state)
{
    (void)state;
    assert_int_equal(dur("2d"), 2 * 86400);
    assert_int_equal(dur("36h"), 36 * 3600);
    assert_int_equal(dur("90m"), 90 * 60);
    assert_int_equal(dur("45s"), 45);
    assert_int_equal(dur("0s"), 0);
    assert_int_equal(dur("1d12h"), 86400 + 12 * 3600);
    assert_int_equal(dur("1h30m15s"), 3600 + 1800 + 15);
    assert_int_equal(dur("007m"), 7 * 60);
}

static void test_duration_bad(void **state)
{
    (void)state;
    expect_bad("");
    expect_bad("2");        /* no unit */
    expect_bad("d");        /* no number */
    expect_bad("2x");
    expect_bad("-2d");
    expect_bad("2d ");
    expect_bad(" 2d");
    expect_bad("2D");
    expect_bad("1.5h");
    expect_bad("2dh");
    expect_bad("99999999999999999999s");   /* overflows */
    expect_bad("9223372036854775807d");    /* overflows once multiplied */
    expect_bad("9223372036854775807s1s");  /* overflows when added */
    long long s = 0;
    assert_int_equal(review_duration_parse(NULL, &s), -1);
}

static void expect_age(long long secs, const char *want)
{
    char buf[32];
    assert_string_equal(review_age_format(secs, buf, sizeof(buf)), want);
}

static void test_age_format(void **state)
{
    (void)state;
    expect_age(0, "0s");
    expect_age(-5, "0s");
    expect_age(40, "40s");
    expect_age(59, "59s");
    expect_age(60, "1m");
    expect_age(330, "5m30s");
    expect_age(3600, "1h");
    expect_age(2 * 3600 + 5 * 60 + 59, "2h5m");
    expect_age(86400, "1d");
    expect_age(3 * 86400 + 4 * 3600 + 59 * 60, "3d4h");
    expect_age(400 * 86400LL, "400d");
}

static void expect_short(const char *in, size_t max, const char *want)
{
    char *s = review_shorten(in, max);
    assert_string_equal(s, want);
    free(s);
}

static void test_shorten(void **state)
{
    (void)state;
    expect_short("short", 10, "short");
    expect_short("exactly10!", 10, "exactly10!");
    expect_short("one more than ten", 10, "one mor...");
    expect_short("line\none\ttab", 20, "line one tab");
    expect_short(NULL, 10, "");
    /* "é" is two bytes: the cut never splits it */
    expect_short("abcdé and more", 8, "abcd...");
    expect_short("ééééé", 8, "éé...");
    expect_short("abcdef é", 9, "abcdef é"); /* 9 bytes: fits */
    /* control characters never reach the terminal: ESC[2J would clear the screen */
    expect_short("x\x1b[2Jy\x07", 20, "x?[2Jy?");
    expect_short("a\xc2\x9b" "2Jb", 20, "a??2Jb");   /* U+009B, the one-byte CSI */
}

static void expect_printable(const char *in, const char *want)
{
    char *s = review_printable(in);
    assert_string_equal(s, want);
    free(s);
}

static void test_printable(void **state)
{
    (void)state;
    expect_printable("plain é", "plain é");
    expect_printable("id\x1b[2J", "id\\x1B[2J");
    expect_printable("row\nforged row\tx\r", "row\\nforged row\\tx\\r");
    expect_printable("del\x7f c1\xc2\x85", "del\\x7F c1\\xC2\\x85");
    expect_printable(NULL, "");
}

static void test_alert_get(void **state)
{
    (void)state;
    review_alert a;
    memset(&a, 0, sizeof(a));
    a.lead_id = strdup("00Q1");
    sv_push(&a.kv, "status");
    sv_push(&a.kv, "open");
    sv_push(&a.kv, "kind");
    sv_push(&a.kv, "review");
    assert_string_equal(review_alert_get(&a, "status"), "open");
    assert_string_equal(review_alert_get(&a, "kind"), "review");
    assert_null(review_alert_get(&a, "open")); /* values are not keys */
    assert_null(review_alert_get(&a, "note"));
    review_alert_free(&a);
    assert_null(a.lead_id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_duration_units),
        cmocka_unit_test(test_duration_bad),
        cmocka_unit_test(test_age_format),
        cmocka_unit_test(test_shorten),
        cmocka_unit_test(test_printable),
        cmocka_unit_test(test_alert_get),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
