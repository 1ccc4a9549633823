/* test_bump.c - unit tests for the bump allocator (bump.c), with 64 KiB blocks and with huge-page
 * blocks (bump_init_huge): alignment, contents kept across blocks, a request larger than a block,
 * and blocks reused after bump_reset; a block made apart and given as a spare; a pointer kept
 * only in a huge mapping is no leak to the sanitizers' leak check; xcalloc_aligned's alignment
 * and zeroes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#ifdef __SANITIZE_ADDRESS__
#include <sanitizer/lsan_interface.h>
#endif

#include "bump.h"
#include "huge.h"
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

/* Leaks LeakSanitizer finds now (0 outside sanitizer builds). */
static int leaks_now(void)
{
#ifdef __SANITIZE_ADDRESS__
    return __lsan_do_recoverable_leak_check();
#else
    return 0;
#endif
}

/* A huge table holding the only pointer to a malloc'd string (name_topk's typo-neighbour cache
 * does): before and after the table grows (mremap moves it), the string is reachable. */
/* A block made apart (bump_block_new) and given (bump_add_spare) is what the next block is carved
 * from, in full; spare blocks dropped are gone; one given to no bump is discarded. */
static void test_spare_block_given(void **state)
{
    (void)state;
    for (int huge = 0; huge < 2; huge++) {
        bump b;
        if (huge)
            bump_init_huge(&b);
        else
            bump_init(&b);
        assert_false(bump_has_spare(&b));
        bump_block *k = bump_block_new(&b);
        size_t bytes;
        char *start = bump_block_span(k, &bytes);
        assert_true(bytes >= 64 * 1024);
        bump_add_spare(&b, k);
        assert_true(bump_has_spare(&b));
        char *first = bump_alloc(&b, 100);
        assert_false(bump_has_spare(&b));
        assert_true(first > start && first + 100 <= start + bytes);
        carve_and_check(&b, bytes / 2);
        bump_add_spare(&b, bump_block_new(&b));
        bump_drop_spare(&b);
        assert_false(bump_has_spare(&b));
        carve_and_check(&b, bytes);   /* on past the given block: new ones of its own */
        bump_block_discard(bump_block_new(&b));
        bump_free(&b);
    }
}

static void test_huge_table_roots(void **state)
{
    (void)state;
    size_t had = HUGE_PAGE_BYTES, now = 3 * HUGE_PAGE_BYTES;
    char **table = xcalloc_huge(had);
    table[1] = xstrdup("kept only here");
    assert_int_equal(leaks_now(), 0);
    table = xrealloc_huge(table, had, now);
    table[now / sizeof(*table) - 1] = xstrdup("and here");
    assert_int_equal(leaks_now(), 0);
    assert_string_equal(table[1], "kept only here");
    free(table[1]);
    free(table[now / sizeof(*table) - 1]);
    xfree_huge(table, now);
}

/* xcalloc_aligned: the address a multiple of the alignment, every byte zero. */
static void test_calloc_aligned(void **state)
{
    (void)state;
    for (size_t align = sizeof(void *); align <= 4096; align *= 4) {
        unsigned char *p = xcalloc_aligned(align, 3 * align + 5);
        assert_int_equal((uintptr_t)p % align, 0);
        for (size_t i = 0; i < 3 * align + 5; i++)
            assert_int_equal(p[i], 0);
        free(p);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_blocks),
        cmocka_unit_test(test_huge_blocks),
        cmocka_unit_test(test_spare_block_given),
        cmocka_unit_test(test_huge_table_roots),
        cmocka_unit_test(test_calloc_aligned),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
