/* test_postings.c - unit tests for u32 vectors, string-keyed posting lists and the hash multimap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "postings.h"
#include "strmap.h"

/* Sorted copy of a list's values into out (at most max), for order-free comparisons. */
static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

static size_t sorted_values(const u32vec *l, uint32_t *out, size_t max)
{
    size_t n = l->n < max ? l->n : max;
    memcpy(out, l->v, n * sizeof(*out));
    qsort(out, n, sizeof(*out), cmp_u32);
    return n;
}

static void test_u32_push_grows_and_keeps_order(void **state)
{
    (void)state;
    u32vec a = {0};
    assert_false(u32_contains(&a, 0));
    for (uint32_t i = 0; i < 100; i++)
        u32_push(&a, i * 3);
    assert_int_equal(a.n, 100);
    assert_true(a.cap >= 100);
    for (uint32_t i = 0; i < 100; i++)
        assert_int_equal(a.v[i], i * 3);
    assert_true(u32_contains(&a, 0));
    assert_true(u32_contains(&a, 297));
    assert_false(u32_contains(&a, 298));
    assert_false(u32_contains(&a, 1));
    u32_free(&a);
    assert_null(a.v);
    assert_int_equal(a.n, 0);
    assert_int_equal(a.cap, 0);
    u32_free(&a);   /* freeing twice is harmless */
}

static void test_u32_remove_every_occurrence(void **state)
{
    (void)state;
    u32vec a = {0};
    const uint32_t in[] = {7, 1, 7, 2, 7, 3, 7};
    for (size_t i = 0; i < ARRAY_LEN(in); i++)
        u32_push(&a, in[i]);
    u32_remove(&a, 7);
    assert_int_equal(a.n, 3);
    assert_false(u32_contains(&a, 7));
    uint32_t got[8];
    assert_int_equal(sorted_values(&a, got, 8), 3);
    assert_int_equal(got[0], 1);
    assert_int_equal(got[1], 2);
    assert_int_equal(got[2], 3);

    u32_remove(&a, 99);             /* absent: nothing changes */
    assert_int_equal(a.n, 3);
    u32_remove(&a, 1);
    u32_remove(&a, 2);
    u32_remove(&a, 3);
    assert_int_equal(a.n, 0);
    u32_remove(&a, 3);              /* on an empty list */
    assert_int_equal(a.n, 0);
    u32_push(&a, 5);                /* still usable after emptying */
    assert_int_equal(a.n, 1);
    assert_int_equal(a.v[0], 5);
    u32_free(&a);
}

static void test_postings_add_and_get(void **state)
{
    (void)state;
    postings p;
    postings_init(&p);
    assert_int_equal(postings_keys(&p), 0);
    assert_null(postings_get(&p, "acme.com"));

    postings_add(&p, "acme.com", 4);
    postings_add(&p, "acme.com", 4);   /* consecutive duplicate: kept once */
    postings_add(&p, "acme.com", 9);
    postings_add(&p, "acme.com", 9);
    postings_add(&p, "other.com", 4);
    assert_int_equal(postings_keys(&p), 2);

    const u32vec *l = postings_get(&p, "acme.com");
    assert_non_null(l);
    assert_int_equal(l->n, 2);
    assert_int_equal(l->v[0], 4);
    assert_int_equal(l->v[1], 9);

    /* Only a repeat of the last value is dropped: 4 after 9 is a new entry. */
    postings_add(&p, "acme.com", 4);
    l = postings_get(&p, "acme.com");
    assert_int_equal(l->n, 3);
    assert_int_equal(l->v[2], 4);

    l = postings_get(&p, "other.com");
    assert_int_equal(l->n, 1);
    assert_int_equal(l->v[0], 4);

    /* Lookups are exact: no prefix, case or empty-key matches. */
    assert_null(postings_get(&p, "acme"));
    assert_null(postings_get(&p, "ACME.COM"));
    assert_null(postings_get(&p, ""));
    postings_free(&p);
    assert_null(p.lists);
    assert_int_equal(p.nlists, 0);
}

/* Keys added with their hash computed ahead (postings_add_h, strmap_get_or_put_h) are the same
 * keys as those added and looked up the plain way, through rehashes. */
static void test_postings_add_with_hash(void **state)
{
    (void)state;
    postings p;
    postings_init(&p);
    char key[32];
    for (uint32_t i = 0; i < 5000; i++) {
        int n = snprintf(key, sizeof(key), "key-%u", i % 2500);
        if (i % 2)
            postings_add_h(&p, key, (size_t)n, hash_bytes(key, (size_t)n), i);
        else
            postings_add(&p, key, i);
        postings_prefetch_h(&p, hash_bytes(key, (size_t)n));
    }
    assert_int_equal(postings_keys(&p), 2500);
    for (uint32_t i = 0; i < 2500; i++) {
        snprintf(key, sizeof(key), "key-%u", i);
        const u32vec *l = postings_get(&p, key);
        assert_non_null(l);
        assert_int_equal(l->n, 2);
        assert_int_equal(l->v[0], i);
        assert_int_equal(l->v[1], i + 2500);
    }
    /* A key given with its length: only those bytes count. */
    postings_add_h(&p, "key-7xyz", 5, hash_bytes("key-7", 5), 9999);
    assert_int_equal(postings_get(&p, "key-7")->n, 3);
    assert_null(postings_get(&p, "key-7xyz"));
    postings_free(&p);

    strmap *m = strmap_new();
    uint32_t v = 1;
    bool added = false;
    const char *stored = strmap_get_or_put_h(m, "abcdef", 3, hash_bytes("abc", 3), &v, &added);
    assert_true(added);
    assert_string_equal(stored, "abc");
    v = 2;
    (void)strmap_get_or_put(m, "abc", &v, &added);
    assert_false(added);
    assert_int_equal(v, 1);
    strmap_free(m);
}

/* Lists of one value are read from the singles (each value in its own u32vec): they must read
 * back right after that table has moved (larger values added since), grow into pooled arrays,
 * empty and fill again. */
static void test_postings_single_values(void **state)
{
    (void)state;
    postings p;
    postings_init(&p);
    char key[32];
    enum { KEYS = 20000 };
    for (uint32_t i = 0; i < KEYS; i++) {
        snprintf(key, sizeof(key), "k%u", i);
        postings_add(&p, key, i * 7);
    }
    for (uint32_t i = 0; i < KEYS; i++) {
        snprintf(key, sizeof(key), "k%u", i);
        const u32vec *l = postings_get(&p, key);
        assert_int_equal(l->n, 1);
        assert_int_equal(l->v[0], i * 7);
        assert_ptr_equal(l->v, &l->cap);          /* in the list itself, where it now is */
    }
    for (uint32_t i = 0; i < KEYS; i += 2) {      /* every other list grows to 3 values */
        snprintf(key, sizeof(key), "k%u", i);
        postings_add(&p, key, i * 7 + 1);
        postings_add(&p, key, i * 7 + 2);
    }
    snprintf(key, sizeof(key), "k%u", 1u);
    postings_remove(&p, key, 7);                  /* empties an inline list... */
    assert_int_equal(postings_get(&p, key)->n, 0);
    postings_add(&p, key, 99);                    /* ...which fills again */
    for (uint32_t i = 0; i < KEYS; i++) {
        snprintf(key, sizeof(key), "k%u", i);
        const u32vec *l = postings_get(&p, key);
        if (i == 1) {
            assert_int_equal(l->n, 1);
            assert_int_equal(l->v[0], 99);
        } else if (i % 2 == 0) {
            assert_int_equal(l->n, 3);
            for (uint32_t k = 0; k < 3; k++)
                assert_int_equal(l->v[k], i * 7 + k);
        } else {
            assert_int_equal(l->n, 1);
            assert_int_equal(l->v[0], i * 7);
        }
    }
    postings_free(&p);
}

/* Two postings reading their lists of one value from one shared table: each key reads its own
 * value, through the table's growth by either, and a list of two values is the postings' own. */
static void test_postings_shared_singles(void **state)
{
    (void)state;
    u32singles singles = {0};
    postings a, b;
    postings_init(&a);
    postings_init(&b);
    postings_share_singles(&a, &singles);
    postings_share_singles(&b, &singles);
    char key[32];
    for (uint32_t i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "k%u", i);
        postings_add(i % 2 ? &a : &b, key, i * 3);
    }
    postings_add(&a, "k1", 7);
    for (uint32_t i = 0; i < 5000; i++) {
        snprintf(key, sizeof(key), "k%u", i);
        const u32vec *l = postings_get(i % 2 ? &a : &b, key);
        assert_non_null(l);
        assert_null(postings_get(i % 2 ? &b : &a, key));
        assert_int_equal(l->n, i == 1 ? 2 : 1);
        assert_int_equal(l->v[0], i * 3);
        if (i == 1)
            assert_int_equal(l->v[1], 7);
    }
    postings_free(&a);
    postings_free(&b);
    u32singles_free(&singles);
}

/* hash_bytes in pieces is hash_bytes of the whole, however the bytes are cut. */
static void test_hash_in_pieces(void **state)
{
    (void)state;
    const char *s = "quorvexinternational";
    size_t n = strlen(s);
    for (size_t cut = 0; cut <= n; cut++) {
        uint64_t h = hash_add(hash_add(HASH_START, s, cut), s + cut, n - cut);
        assert_true(hash_end(h) == hash_bytes(s, n));
    }
    assert_true(hash_end(HASH_START) == hash_bytes("", 0));
}

static void test_postings_remove(void **state)
{
    (void)state;
    postings p;
    postings_init(&p);
    postings_add(&p, "k", 1);
    postings_add(&p, "k", 2);
    postings_add(&p, "k", 3);
    postings_remove(&p, "k", 2);
    const u32vec *l = postings_get(&p, "k");
    assert_int_equal(l->n, 2);
    assert_true(u32_contains(l, 1));
    assert_false(u32_contains(l, 2));
    assert_true(u32_contains(l, 3));

    postings_remove(&p, "unknown", 1);   /* unknown key: no effect, no new key */
    assert_int_equal(postings_keys(&p), 1);
    assert_null(postings_get(&p, "unknown"));

    postings_remove(&p, "k", 1);
    postings_remove(&p, "k", 3);
    l = postings_get(&p, "k");
    assert_non_null(l);                   /* the key stays, with an empty list */
    assert_int_equal(l->n, 0);
    assert_int_equal(postings_keys(&p), 1);

    postings_add(&p, "k", 3);             /* and can be filled again */
    l = postings_get(&p, "k");
    assert_int_equal(l->n, 1);
    assert_int_equal(l->v[0], 3);
    postings_free(&p);
}

static void test_postings_many_keys(void **state)
{
    (void)state;
    postings p;
    postings_init(&p);
    char key[32];
    /* More keys than the initial list capacity (64), each with its own values. */
    for (uint32_t i = 0; i < 500; i++) {
        snprintf(key, sizeof(key), "tok%u", i);
        postings_add(&p, key, i);
        postings_add(&p, key, i + 1000);
    }
    assert_int_equal(postings_keys(&p), 500);
    for (uint32_t i = 0; i < 500; i += 37) {
        snprintf(key, sizeof(key), "tok%u", i);
        const u32vec *l = postings_get(&p, key);
        assert_non_null(l);
        assert_int_equal(l->n, 2);
        assert_int_equal(l->v[0], i);
        assert_int_equal(l->v[1], i + 1000);
    }
    assert_null(postings_get(&p, "tok500"));
    postings_free(&p);
}

/* Collects values seen by hashmulti_each. */
typedef struct seen {
    uint32_t v[4096];
    size_t n;
} seen;

static void collect(uint32_t val, void *ctx)
{
    seen *s = ctx;
    if (s->n < ARRAY_LEN(s->v))
        s->v[s->n++] = val;
}

static size_t count_of(const seen *s, uint32_t val)
{
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++)
        k += s->v[i] == val;
    return k;
}

static void test_hashmulti_colliding_hashes(void **state)
{
    (void)state;
    hashmulti h;
    hashmulti_init(&h);
    size_t cap0 = h.cap;
    seen *s = calloc(1, sizeof(*s));

    hashmulti_each(&h, 42, collect, s);       /* empty map */
    assert_int_equal(s->n, 0);

    /* The same hash holding several values. */
    hashmulti_add(&h, 42, 1);
    hashmulti_add(&h, 42, 2);
    hashmulti_add(&h, 42, 3);
    /* Different hashes in the same slot (equal low bits): must not be reported under 42. */
    hashmulti_add(&h, 42 + (uint64_t)cap0, 100);
    hashmulti_add(&h, 42 + 7 * (uint64_t)cap0, 101);
    hashmulti_add(&h, 43, 200);               /* the neighbouring slot, taken by probing */
    assert_int_equal(h.n, 6);

    hashmulti_each(&h, 42, collect, s);
    assert_int_equal(s->n, 3);
    assert_int_equal(count_of(s, 1), 1);
    assert_int_equal(count_of(s, 2), 1);
    assert_int_equal(count_of(s, 3), 1);

    s->n = 0;
    hashmulti_each(&h, 42 + (uint64_t)cap0, collect, s);
    assert_int_equal(s->n, 1);
    assert_int_equal(s->v[0], 100);

    s->n = 0;
    hashmulti_each(&h, 42 + 7 * (uint64_t)cap0, collect, s);
    assert_int_equal(s->n, 1);
    assert_int_equal(s->v[0], 101);

    s->n = 0;
    hashmulti_each(&h, 43, collect, s);
    assert_int_equal(s->n, 1);
    assert_int_equal(s->v[0], 200);

    s->n = 0;
    hashmulti_each(&h, 42 + 2 * (uint64_t)cap0, collect, s);   /* same slot, never added */
    assert_int_equal(s->n, 0);

    /* Hash 0 is stored (as 1) and found again under 0. */
    hashmulti_add(&h, 0, 300);
    s->n = 0;
    hashmulti_each(&h, 0, collect, s);
    assert_int_equal(s->n, 1);
    assert_int_equal(s->v[0], 300);

    free(s);
    hashmulti_free(&h);
    assert_null(h.slot);
    assert_int_equal(h.n, 0);
}

static void test_hashmulti_growth(void **state)
{
    (void)state;
    hashmulti h;
    hashmulti_init(&h);
    size_t cap0 = h.cap;
    seen *s = calloc(1, sizeof(*s));
    const uint32_t distinct = 3000;

    /* Far more entries than the initial capacity: distinct hashes, plus every tenth hash
     * carrying a second value, plus a run of values under one hash. */
    for (uint32_t i = 0; i < distinct; i++)
        hashmulti_add(&h, 0x9e3779b97f4a7c15ull * (i + 1), i);
    for (uint32_t i = 0; i < distinct; i += 10)
        hashmulti_add(&h, 0x9e3779b97f4a7c15ull * (i + 1), i + 100000);
    for (uint32_t i = 0; i < 50; i++)
        hashmulti_add(&h, 777, 500000 + i);
    size_t total = distinct + distinct / 10 + 50;
    assert_int_equal(h.n, total);
    assert_true(h.cap > cap0);
    assert_true(h.n * 10 < h.cap * 7);               /* load factor kept below 0.7 */
    assert_int_equal(h.cap & (h.cap - 1), 0);        /* power of two (mask probing) */

    for (uint32_t i = 0; i < distinct; i++) {
        s->n = 0;
        hashmulti_each(&h, 0x9e3779b97f4a7c15ull * (i + 1), collect, s);
        if (i % 10 == 0) {
            assert_int_equal(s->n, 2);
            assert_int_equal(count_of(s, i), 1);
            assert_int_equal(count_of(s, i + 100000), 1);
        } else {
            assert_int_equal(s->n, 1);
            assert_int_equal(s->v[0], i);
        }
    }
    s->n = 0;
    hashmulti_each(&h, 777, collect, s);
    assert_int_equal(s->n, 50);
    for (uint32_t i = 0; i < 50; i++)
        assert_int_equal(count_of(s, 500000 + i), 1);

    free(s);
    hashmulti_free(&h);
}

/* Many lists grown in turn from one pool (small ones pooled, long ones malloc'd), some released
 * and grown again from the free lists: every list keeps exactly its own values. */
static void test_u32pool_lists_keep_their_values(void **state)
{
    (void)state;
    enum { LISTS = 300 };
    u32pool pool;
    u32pool_init(&pool);
    u32vec l[LISTS] = {{0}};
    for (uint32_t round = 0; round < 40; round++)
        for (uint32_t i = 0; i < LISTS; i++)
            if (round < (i % 40) + 1)
                u32pool_push(&pool, &l[i], i * 1000 + round);
    for (uint32_t i = 0; i < LISTS; i += 2)
        u32pool_release(&pool, &l[i]);
    for (uint32_t i = 0; i < LISTS; i += 2) {
        assert_int_equal(l[i].n, 0);
        for (uint32_t k = 0; k < 3; k++)
            u32pool_push(&pool, &l[i], 7000000 + i * 10 + k);
    }
    for (uint32_t i = 0; i < LISTS; i++) {
        uint32_t want = i % 2 == 0 ? 3 : (i % 40) + 1;
        assert_int_equal(l[i].n, want);
        for (uint32_t k = 0; k < want; k++)
            assert_int_equal(l[i].v[k], i % 2 == 0 ? 7000000 + i * 10 + k : i * 1000 + k);
    }
    u32_remove(&l[1], 1001);
    assert_int_equal(l[1].n, 1);
    assert_int_equal(l[1].v[0], 1000);
    for (uint32_t i = 0; i < LISTS; i++)
        u32pool_release(&pool, &l[i]);
    u32pool_free(&pool);
}

/* Keys of the id-table test (hashmulti_find): slot i holds key i; hashes collide on purpose. */
static bool slot_is(uint32_t slot, const void *ctx)
{
    return slot == *(const uint32_t *)ctx;
}

static uint64_t key_hash(uint32_t key)
{
    return (uint64_t)(key / 3) * 0x9E3779B97F4A7C15ULL;
}

static void test_hashmulti_find_through_collisions_and_growth(void **state)
{
    (void)state;
    hashmulti t;
    hashmulti_init(&t);
    size_t cap0 = t.cap;
    const uint32_t n = 5000;
    for (uint32_t i = 0; i < n; i++)
        hashmulti_add(&t, key_hash(i), i);
    assert_true(t.cap > cap0);
    assert_int_equal(t.n, n);
    for (uint32_t i = 0; i < n; i++)
        assert_int_equal(hashmulti_find(&t, key_hash(i), slot_is, &i), i);
    uint32_t absent = n + 7;
    assert_int_equal(hashmulti_find(&t, key_hash(absent), slot_is, &absent), UINT32_MAX);
    assert_int_equal(hashmulti_find(&t, key_hash(3), slot_is, &absent), UINT32_MAX);
    hashmulti_free(&t);
    assert_null(t.slot);
}

/* A hashmulti told how many values to expect (hashmulti_expect, as a load does) grows into fewer
 * slots than doubling gives, not a power of two, and still gives every value of a hash, each
 * once. */
static void test_hashmulti_expected(void **state)
{
    (void)state;
    hashmulti plain, told;
    hashmulti_init(&plain);
    hashmulti_init(&told);
    const uint32_t n = 400000;
    hashmulti_expect(&told, n);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t hash = hash_bytes(&(uint32_t){i / 3}, sizeof(uint32_t));  /* three values each */
        hashmulti_add(&plain, hash, i);
        hashmulti_add(&told, hash, i);
    }
    assert_true(told.cap < plain.cap);
    assert_true(told.cap & (told.cap - 1));          /* not a power of two */
    assert_true(told.n * 10 < told.cap * 7);
    seen *s = calloc(1, sizeof(*s));
    for (uint32_t k = 0; k < n / 3; k++) {
        s->n = 0;
        hashmulti_each(&told, hash_bytes(&k, sizeof(k)), collect, s);
        for (uint32_t j = 0; j < 3; j++)              /* (others sharing the 32 bits: more) */
            assert_int_equal(count_of(s, 3 * k + j), 1);
    }
    hashmulti_free(&plain);
    hashmulti_free(&told);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_u32_push_grows_and_keeps_order),
        cmocka_unit_test(test_u32pool_lists_keep_their_values),
        cmocka_unit_test(test_u32_remove_every_occurrence),
        cmocka_unit_test(test_postings_add_and_get),
        cmocka_unit_test(test_postings_add_with_hash),
        cmocka_unit_test(test_postings_single_values),
        cmocka_unit_test(test_postings_shared_singles),
        cmocka_unit_test(test_hash_in_pieces),
        cmocka_unit_test(test_postings_remove),
        cmocka_unit_test(test_postings_many_keys),
        cmocka_unit_test(test_hashmulti_colliding_hashes),
        cmocka_unit_test(test_hashmulti_growth),
        cmocka_unit_test(test_hashmulti_expected),
        cmocka_unit_test(test_hashmulti_find_through_collisions_and_growth),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
