/* test_list_merge.c - unit tests for u32_common (list_merge.c): the values two ascending lists
 * share, against a plain merge, for lengths and length ratios that take each block path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "list_merge.h"

/* An ascending list of n distinct values below n * spread + 1 (rand: deterministic here). */
static u32vec ascending(uint32_t n, uint32_t spread)
{
    u32vec l = {0};
    uint32_t v = 0;
    for (uint32_t i = 0; i < n; i++) {
        v += 1 + (uint32_t)rand() % spread;
        u32_push(&l, v);
    }
    return l;
}

static uint32_t plain_common(const u32vec *a, const u32vec *b, uint32_t *out)
{
    uint32_t i = 0, j = 0, n = 0;
    while (i < a->n && j < b->n) {
        if (a->v[i] == b->v[j])
            out[n++] = a->v[i];
        uint32_t x = a->v[i], y = b->v[j];
        i += x <= y;
        j += y <= x;
    }
    return n;
}

static void check(uint32_t na, uint32_t nb, uint32_t spread_a, uint32_t spread_b)
{
    u32vec a = ascending(na, spread_a), b = ascending(nb, spread_b);
    uint32_t *got = malloc((na + 1) * sizeof(*got)), *want = malloc((na + 1) * sizeof(*want));
    uint32_t n = u32_common(&a, &b, got), m = plain_common(&a, &b, want);
    assert_int_equal(n, m);
    for (uint32_t k = 0; k < n; k++)
        assert_int_equal(got[k], want[k]);
    free(got);
    free(want);
    u32_free(&a);
    u32_free(&b);
}

static void test_common_same_lengths(void **state)
{
    (void)state;
    srand(1);
    for (uint32_t n = 0; n < 70; n++)
        check(n, n, 3, 3);
    check(5000, 5000, 4, 4);
    check(5000, 5000, 2, 9);
}

static void test_common_skewed_lengths(void **state)
{
    (void)state;
    srand(2);
    for (uint32_t n = 1; n < 40; n++) {
        check(n, 2 * n + 3, 6, 3);
        check(n, 5 * n, 10, 2);
    }
    check(1000, 3000, 9, 3);
    check(700, 9000, 40, 3);
}

static void test_common_none_and_all(void **state)
{
    (void)state;
    u32vec a = {0}, b = {0};
    for (uint32_t i = 0; i < 100; i++) {
        u32_push(&a, 2 * i);
        u32_push(&b, 2 * i + 1);
    }
    uint32_t out[100];
    assert_int_equal(u32_common(&a, &b, out), 0);
    assert_int_equal(u32_common(&a, &a, out), 100);
    for (uint32_t i = 0; i < 100; i++)
        assert_int_equal(out[i], 2 * i);
    u32_free(&a);
    u32_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_common_same_lengths),
        cmocka_unit_test(test_common_skewed_lengths),
        cmocka_unit_test(test_common_none_and_all),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
