/* test_numfmt.c - unit tests for the printf-free number formats (numfmt.c): the same bytes as
 * snprintf for every value tried, the rounding ties and the edges of the plain range included;
 * and iso8601_ms (util.c), whose second is formatted once and reused, against strftime. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "numfmt.h"
#include "util.h"

typedef size_t (*fmt_fn)(double, char *);

static void same_as_printf(const char *fmt, fmt_fn fn, double x)
{
    char want[NUMFMT_ROOM], got[NUMFMT_ROOM];
    int n = fn == numfmt_g4 ? snprintf(want, sizeof(want), "%.4g", x)
                            : snprintf(want, sizeof(want), "%.2f", x);
    size_t len = fn(x, got);
    if (strcmp(want, got) != 0 || (size_t)n != len)
        fail_msg("%s of %.17g: printf '%s', numfmt '%s' (%zu)", fmt, x, want, got, len);
}

/* Every value tried with both formats, and its neighbouring doubles. */
static void both_formats(double x)
{
    double v[] = {x, nextafter(x, -INFINITY), nextafter(x, INFINITY)};
    for (size_t i = 0; i < 3; i++) {
        same_as_printf("%.4g", numfmt_g4, v[i]);
        same_as_printf("%.2f", numfmt_f2, v[i]);
    }
}

static void test_special_values(void **state)
{
    (void)state;
    double v[] = {0, -0.0, 1, -1, 0.5, 0.005, 0.015, 0.125, 0.00005, 0.0001, 0.001, 0.9999,
                  0.99995, 0.99996, 9999, 9999.5, 10000, 12345.678, 1e6, 1e7, 1e-5, 1e-300,
                  1e300, INFINITY, -INFINITY, NAN, 0.97, 0.7039, 0.1811, 2.0 / 3, 1.0 / 3,
                  0.80000000000000004, 0.30000000000000004};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        both_formats(v[i]);
}

static void test_decimal_grid(void **state)
{
    (void)state;
    for (int k = 0; k <= 200000; k++) {   /* k / 1e5: the ties of both formats and their doubles */
        both_formats(k / 100000.0);
        both_formats(k / 20000.0 + 0.00005);
    }
    for (int k = 1; k <= 100000; k++)
        both_formats(k / 1000.0);
}

static void test_random_values(void **state)
{
    (void)state;
    uint64_t r = 88172645463325252ull;
    for (int i = 0; i < 200000; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        double unit = (double)(r >> 11) / 9007199254740992.0;
        both_formats(unit);
        both_formats(unit * pow(10, (int)(r % 14) - 7));
    }
}

static void test_long(void **state)
{
    (void)state;
    long v[] = {0, 1, -1, 9, 10, 99, 100, 12345, -12345, 2147483647, LONG_MAX, LONG_MIN};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        char want[NUMFMT_ROOM], got[NUMFMT_ROOM];
        snprintf(want, sizeof(want), "%ld", v[i]);
        assert_int_equal(numfmt_long(v[i], got), strlen(want));
        assert_string_equal(got, want);
    }
}

/* iso8601_ms as strftime and snprintf write it, every time. */
static void iso8601_ref(long long ms, char *buf, size_t len)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03lldZ", ms % 1000);
}

static void test_iso8601_ms(void **state)
{
    (void)state;
    /* runs of one second (reused), the next second, a jump back, the epoch, a short buffer */
    long long ms[] = {1767225600000, 1767225600001, 1767225600999, 1767225601000, 1767225601010,
                      1767225600500, 0, 999, 1000, 253402300799999, 1767225600123};
    size_t lens[] = {64, 64, 64, 64, 64, 64, 64, 64, 64, 64, 12};
    for (size_t i = 0; i < sizeof(ms) / sizeof(ms[0]); i++) {
        char want[64], got[64];
        iso8601_ref(ms[i], want, lens[i]);
        iso8601_ms((double)ms[i], got, lens[i]);
        assert_string_equal(got, want);
        iso8601_ms((double)ms[i], got, lens[i]); /* again, the second now known */
        assert_string_equal(got, want);
    }
}

static void test_leading_number(void **state)
{
    (void)state;
    /* stream ids, the 15/16-digit edge, what strtod reads on (a fraction, an exponent, hex, a
     * sign, spaces, inf), nothing to read */
    const char *texts[] = {"1764716521000-1", "1700000000000-0", "0-1", "7", "999999999999999-3",
                           "9999999999999999-0", "18446744073709551616-0", "12.5-0", "1e3-0",
                           "0x1A", "12E2", "-5", " 42", "+7", "inf", "", "-", "abc", "3x"};
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        double want = strtod(texts[i], NULL), got = numfmt_leading_number(texts[i]);
        assert_memory_equal(&got, &want, sizeof(got));
    }
    char id[32];
    for (unsigned i = 0; i < 100000; i++) {  /* random ids of 1 to 16 digits */
        unsigned long long ms = ((unsigned long long)rand() << 31 ^ (unsigned)rand()) %
                                (i % 2 ? 10000000000000000ULL : 1ULL + (unsigned)rand());
        snprintf(id, sizeof(id), "%llu-%u", ms, i);
        double want = strtod(id, NULL), got = numfmt_leading_number(id);
        assert_memory_equal(&got, &want, sizeof(got));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_special_values),
        cmocka_unit_test(test_decimal_grid),
        cmocka_unit_test(test_random_values),
        cmocka_unit_test(test_long),
        cmocka_unit_test(test_iso8601_ms),
        cmocka_unit_test(test_leading_number),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
