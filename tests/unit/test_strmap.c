/* test_strmap.c - unit tests for the string map's key storage (util.c): a large map, whose keys
 * pass from malloc'd chunks to chunks cut from huge-page slabs, keeps every key and value, long
 * keys among them, through growth, and frees cleanly (ASan checks the frees). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "huge.h"
#include "strmap.h"
#include "table.h"
#include "util.h"

/* Key number i: ~20 bytes, or every 50,000th a key longer than a chunk (70,000 bytes). */
static char *key_of(uint32_t i, char *buf, size_t cap)
{
    if (i % 50000 == 7) {
        char *big = xmalloc(70001);
        memset(big, 'a' + (int)(i % 26), 70000);
        snprintf(big, 32, "long-%u-", i);
        big[strlen(big)] = 'x';
        big[70000] = '\0';
        return big;
    }
    snprintf(buf, cap, "key-%u-%u", i, i * 2654435761u);
    return buf;
}

static void test_many_keys_through_slabs(void **state)
{
    (void)state;
    strmap *m = strmap_new();
    const uint32_t n = 250000;   /* ~5 MB of keys: the first chunks, then three slabs */
    char buf[64];
    for (uint32_t i = 0; i < n; i++) {
        char *k = key_of(i, buf, sizeof(buf));
        strmap_put(m, k, i);
        if (k != buf)
            free(k);
    }
    assert_int_equal(strmap_count(m), n);
    for (uint32_t i = 0; i < n; i++) {
        char *k = key_of(i, buf, sizeof(buf));
        uint32_t v = UINT32_MAX;
        assert_true(strmap_get(m, k, &v));
        assert_int_equal(v, i);
        if (k != buf)
            free(k);
    }
    size_t pos = 0, seen = 0;
    const char *key;
    uint32_t val;
    while (strmap_next(m, &pos, &key, &val)) {
        char *k = key_of(val, buf, sizeof(buf));
        assert_string_equal(key, k);
        if (k != buf)
            free(k);
        seen++;
    }
    assert_int_equal(seen, n);
    assert_false(strmap_has(m, "key-absent"));
    strmap_free(m);
}

/* strmap_prefetch_key_h guesses what a lookup finds: a present key's value (no other key here
 * shares its hash bits), nothing on an empty map. */
static void test_prefetch_key_guess(void **state)
{
    (void)state;
    strmap *m = strmap_new();
    const char *key = "guess";
    uint64_t h = hash_bytes(key, strlen(key));
    strmap_prefetch_read_h(m, h);
    assert_int_equal(strmap_prefetch_key_h(m, h), UINT32_MAX);
    char buf[32];
    for (uint32_t i = 0; i < 1000; i++) {
        snprintf(buf, sizeof(buf), "other-%u", i);
        strmap_put(m, buf, i);
    }
    strmap_put(m, key, 4242);
    assert_int_equal(strmap_prefetch_key_h(m, h), 4242);
    strmap_free(m);
}

/* Tables and slabs given ahead (strmap_give_table, strmap_give_slab, as the load's helper does)
 * are what the growths use: asked for only near a growth and only when keys are to come, none
 * asked again until used, and the map's slots the same as without them (the same iteration). */
static void test_spares_given_ahead(void **state)
{
    (void)state;
    strmap *plain = strmap_new(), *fed = strmap_new();
    const uint32_t n = 400000;    /* growths up to 1Mi slots (12 MB) and slabs */
    size_t tables = 0, slabs = 0;
    char buf[64];
    for (uint32_t i = 0; i < n; i++) {
        snprintf(buf, sizeof(buf), "key-%u-%u", i, i * 2654435761u);
        assert_int_equal(strmap_table_wanted(fed, 0, 4), 0);  /* no keys to come: none */
        size_t bytes = strmap_table_wanted(fed, n - i, 4);
        if (bytes) {
            assert_true(bytes >= HUGE_PAGE_BYTES);
            strmap_give_table(fed, xcalloc_huge(bytes), bytes);
            assert_int_equal(strmap_table_wanted(fed, n - i, 4), 0);
            tables++;
        }
        if (strmap_slab_wanted(fed, 4)) {
            strmap_give_slab(fed, xmalloc_huge(HUGE_PAGE_BYTES));
            assert_false(strmap_slab_wanted(fed, 4));
            slabs++;
        }
        strmap_put(plain, buf, i);
        strmap_put(fed, buf, i);
    }
    assert_int_equal(tables, 2);  /* 256Ki slots filling 2 huge pages (349,525), then twice that
                                   * (smaller ones are not made ahead) */
    assert_true(slabs >= 3);
    size_t pa = 0, pb = 0;
    const char *ka, *kb;
    uint32_t va, vb;
    while (strmap_next(plain, &pa, &ka, &va)) {
        assert_true(strmap_next(fed, &pb, &kb, &vb));
        assert_int_equal(pa, pb);
        assert_string_equal(ka, kb);
        assert_int_equal(va, vb);
    }
    assert_false(strmap_next(fed, &pb, &kb, &vb));
    size_t late = strmap_table_wanted(fed, SIZE_MAX, 1);     /* made for the growth to 2Mi */
    assert_int_not_equal(late, 0);
    for (uint32_t i = n; strmap_table_wanted(fed, SIZE_MAX, 1) == late; i++) {
        snprintf(buf, sizeof(buf), "key-%u-%u", i, i * 2654435761u);
        strmap_put(fed, buf, i);    /* until it has grown without it */
    }
    strmap_give_table(fed, xcalloc_huge(late), late);       /* too late: freed (ASan: no leak) */
    assert_int_not_equal(strmap_table_wanted(fed, SIZE_MAX, 1), 0);
    strmap_drop_spares(fed);
    strmap_free(plain);
    strmap_free(fed);
}

/* table_grown_cap: doubles, but sizes a table of a huge page or more for the entries it expects
 * (a sixteenth over, at least a quarter more than now), and fills whole huge pages. */
static void test_grown_cap(void **state)
{
    (void)state;
    assert_int_equal(table_grown_cap(1024, 0, 12), 2048);          /* small: doubles */
    assert_int_equal(table_grown_cap(1024, 1500, 12), 2048);       /* (expectation ignored) */
    size_t big = 1u << 20, page = HUGE_PAGE_BYTES;
    assert_int_equal(table_grown_cap(big, 0, 8), 2 * big);          /* 16 MiB: whole pages */
    size_t fit = table_grown_cap(big, 1400000, 8);
    assert_true(fit >= 1400000 + 1400000 / 16 && fit < 2 * big);
    assert_int_equal(fit * 8 % page, 0);                            /* fills its pages */
    assert_true((fit * 8 - page) < (1400000 + 1400000 / 16) * 8);   /* not a page more */
    assert_int_equal(table_grown_cap(big, 1000, 8), (big + big / 4) * 8 / page * page / 8);
    assert_int_equal(table_grown_cap(big, 5000000, 8), 2 * big);    /* at most twice */
    size_t odd = table_grown_cap(1u << 17, 0, 12);                  /* 3 MiB: 2 pages' worth */
    assert_int_equal(odd, 2 * page / 12);
}

/* A map told how many keys to expect (strmap_expect, as a load does) grows into a table sized for
 * them, fewer slots than doubling gives, and finds every key; told too few, it grows again. */
static void test_expected_keys(void **state)
{
    (void)state;
    const uint32_t n = 600000;
    strmap *plain = strmap_new(), *told = strmap_new(), *low = strmap_new();
    strmap_expect(told, n);
    strmap_expect(low, n / 2);
    assert_int_equal(strmap_expect_of(told), n);
    char buf[64];
    for (uint32_t i = 0; i < n; i++) {
        snprintf(buf, sizeof(buf), "key-%u-%u", i, i * 2654435761u);
        strmap_put(plain, buf, i);
        strmap_put(told, buf, i);
        strmap_put(low, buf, i);
    }
    assert_int_equal(strmap_slots(plain), 1398101);  /* doubling in whole huge pages: 349,525,
                                                      * 699,050, 1,398,101 */
    assert_true(strmap_slots(told) < strmap_slots(plain));
    assert_true(strmap_slots(told) * 3 / 4 > n);                         /* (under its limit) */
    assert_true(strmap_slots(low) * 3 / 4 > n);
    for (uint32_t i = 0; i < n; i++) {
        snprintf(buf, sizeof(buf), "key-%u-%u", i, i * 2654435761u);
        uint32_t a = UINT32_MAX, b = UINT32_MAX;
        assert_true(strmap_get(told, buf, &a) && strmap_get(low, buf, &b));
        assert_int_equal(a, i);
        assert_int_equal(b, i);
    }
    assert_false(strmap_has(told, "key-none"));
    size_t pos = 0, seen = 0;
    const char *key;
    while (strmap_next(told, &pos, &key, NULL))
        seen++;
    assert_int_equal(seen, n);
    strmap_free(plain);
    strmap_free(told);
    strmap_free(low);
}

/* A table given ahead may be of any size a quarter or more above the map's (an expected
 * growth's): the growth takes it; one smaller (a growth that has happened since) is freed. */
static void test_given_table_any_size(void **state)
{
    (void)state;
    strmap *m = strmap_new();
    char buf[64];
    uint32_t i = 0;
    for (; strmap_slots(m) < 200000; i++) {
        snprintf(buf, sizeof(buf), "key-%u", i);
        strmap_put(m, buf, i);
    }
    size_t cap = strmap_slots(m), bytes = HUGE_PAGE_BYTES * 3;      /* 524,288 slots */
    strmap_give_table(m, xcalloc_huge(bytes), bytes);
    assert_int_equal(strmap_table_wanted(m, SIZE_MAX, 0), 0);       /* (one is given) */
    for (; strmap_slots(m) == cap; i++) {
        snprintf(buf, sizeof(buf), "key-%u", i);
        strmap_put(m, buf, i);
    }
    assert_int_equal(strmap_slots(m), bytes / 12);
    strmap_give_table(m, xcalloc_huge(HUGE_PAGE_BYTES), HUGE_PAGE_BYTES);  /* smaller: freed */
    size_t near = HUGE_PAGE_BYTES * 3 + HUGE_PAGE_BYTES / 2;   /* 1.17x its slots: freed too */
    strmap_give_table(m, xcalloc_huge(near), near);
    assert_int_not_equal(strmap_table_wanted(m, SIZE_MAX, 0), 0);  /* (none kept) */
    for (uint32_t k = 0; k < i; k++) {
        snprintf(buf, sizeof(buf), "key-%u", k);
        uint32_t v;
        assert_true(strmap_get(m, buf, &v));
        assert_int_equal(v, k);
    }
    strmap_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_keys_through_slabs),
        cmocka_unit_test(test_prefetch_key_guess),
        cmocka_unit_test(test_spares_given_ahead),
        cmocka_unit_test(test_grown_cap),
        cmocka_unit_test(test_expected_keys),
        cmocka_unit_test(test_given_table_any_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
