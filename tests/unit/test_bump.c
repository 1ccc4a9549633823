/* test_bump.c - unit tests for the bump allocator (bump.c), with 64 KiB blocks and with huge-page
 * blocks (bump_init_huge): alignment, contents kept across blocks, a request larger than a block,
 * and blocks reused after bump_reset. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "bump.h"
#include "util.h"

/* Carves pieces of varied sizes until more than bytes are given out, each filled with its own
 * number, then checks that every piece is aligned and still holds it (no two overlap). */
static void carve_and_check(bump *b, size_t bytes)
{
    size_t cap = 1 << 16, n = 0, total = 0;
    unsigned char **at = xmalloc(cap * sizeof(*at));
    size_t *len = xmalloc(cap * sizeof(*len));
    for (; total < bytes && n < cap; n++) {
        len[n] = 1 + (n * 37) % 300;
        at[n] = bump_alloc(b, len[n]);
        assert_int_equal((uintptr_t)at[n] % 8, 0);
        memset(at[n], (int)(n & 0xff), len[n]);
        total += len[n];
    }
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < len[i]; k++)
            assert_int_equal(at[i][k], i & 0xff);
    free(at);
    free(len);
}

static void test_small_blocks(void **state)
{
    (void)state;
    bump b;
    bump_init(&b);
    carve_and_check(&b, 300 * 1024);      /* several 64 KiB blocks */
    char *big = bump_alloc(&b, 200 * 1024);   /* a block of its own */
    memset(big, 'x', 200 * 1024);
    bump_reset(&b);
    carve_and_check(&b, 100 * 1024);
    assert_string_equal(bump_strdup(&b, "acme"), "acme");
    bump_free(&b);
}

static void test_huge_blocks(void **state)
{
    (void)state;
    bump b;
    bump_init_huge(&b);
    assert_true(b.huge);
    carve_and_check(&b, 5 * HUGE_PAGE_BYTES);   /* more than two huge blocks */
    size_t large = 3 * HUGE_PAGE_BYTES;           /* more than a block: one of its own */
    unsigned char *big = bump_alloc(&b, large);
    memset(big, 0xab, large);
    assert_int_equal(big[large - 1], 0xab);
    bump_reset(&b);
    carve_and_check(&b, 3 * HUGE_PAGE_BYTES);   /* the kept blocks again, then new ones */
    bump_free(&b);
    assert_true(b.huge);                          /* still a huge arena, empty */
    carve_and_check(&b, 1024);
    bump_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_blocks),
        cmocka_unit_test(test_huge_blocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
