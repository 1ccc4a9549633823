/* test_load_helper.c - unit tests for the load's helper thread: memory it is asked to fault in is
 * resident (and still zero) once the thread has done the request; load_helper_settle either waits
 * for a request to be done or takes it back untouched, also while the thread files words;
 * load_helper_feed gives the arena blocks faulted in on the thread, and a string map the table of
 * its next growth. */
#include <math.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "load_helper.h"
#include "strmap.h"

/* Pages of [at, at + bytes) resident. */
static size_t resident_pages(void *at, size_t bytes, size_t page)
{
    unsigned char vec[256];
    size_t n = bytes / page, resident = 0;
    assert_true(n <= sizeof(vec));
    assert_int_equal(mincore(at, bytes, vec), 0);
    for (size_t i = 0; i < n; i++)
        resident += vec[i] & 1;
    return resident;
}

/* Waits until the thread has done every request (a request of no ranges is taken only then). */
static void wait_populated(load_helper *h)
{
    mem_range none = {NULL, 0};
    while (!load_helper_populate(h, &none, 0))
        usleep(200);
}

static void test_populate_faults_in(void **state)
{
    (void)state;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = 64 * page;
    char *a = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *b = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    assert_true(a != MAP_FAILED && b != MAP_FAILED);
    assert_int_equal(resident_pages(a, bytes, page), 0);
    account_index ix;
    memset(&ix, 0, sizeof(ix));
    load_helper *h = load_helper_start(&ix);
    assert_non_null(h);
    mem_range r[2] = {{a + 8 * page, 16 * page}, {b, bytes}};
    assert_true(load_helper_populate(h, r, 2));
    wait_populated(h);
#ifdef MADV_POPULATE_WRITE
    assert_int_equal(resident_pages(a, bytes, page), 16);
    assert_int_equal(resident_pages(b, bytes, page), 64);
#endif
    for (size_t i = 0; i < bytes; i++)
        assert_int_equal(a[i] | b[i], 0);
    assert_false(load_helper_populate(h, r, HELPER_RANGES + 1));
    load_helper_finish(h);
    munmap(a, bytes);
    munmap(b, bytes);
}

/* Words for the thread to file, each different (the text stays until the thread is done). */
#define WORD_LEN 24
static void pass_words(account_index *ix, char (*text)[WORD_LEN + 1], size_t n, uint32_t *next_id)
{
    for (size_t i = 0; i < n; i++, (*next_id)++) {
        char *w = text[*next_id];
        snprintf(w, WORD_LEN + 1, "word%020u", (unsigned)*next_id * 2654435761u);
        ix->typo_sink(w, WORD_LEN, *next_id, ix->typo_sink_ctx);
    }
}

/* Settled requests, with the thread idle or busy filing words: when settle says done, both
 * ranges are resident; when it took the request back, none of them was touched; either way no
 * request is left (the next one is accepted) and the memory reads zero. */
static void test_settle_waits_or_takes_back(void **state)
{
    (void)state;
    size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = 64 * page;
    account_index ix;
    memset(&ix, 0, sizeof(ix));
    hashmulti_init(&ix.typo);
    load_helper *h = load_helper_start(&ix);
    assert_non_null(h);
    uint32_t next_id = 0, taken_back = 0;
    char (*text)[WORD_LEN + 1] = calloc(20 * 2000, sizeof(*text));
    assert_non_null(text);
    for (int round = 0; round < 40; round++) {
        char *a = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        char *b = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        assert_true(a != MAP_FAILED && b != MAP_FAILED);
        if (round % 2) {            /* busy: words published just before the request */
            pass_words(&ix, text, 2000, &next_id);
            load_helper_publish(h);
        }
        mem_range r[2] = {{a + 8 * page, 16 * page}, {b, bytes}};
        assert_true(load_helper_populate(h, r, 2));
        if (round % 4 == 0)
            usleep(1000);           /* idle: time to begin (or end) the request */
        bool done = load_helper_settle(h);
        taken_back += !done;
#ifdef MADV_POPULATE_WRITE
        assert_int_equal(resident_pages(a, bytes, page), done ? 16 : 0);
        assert_int_equal(resident_pages(b, bytes, page), done ? 64 : 0);
#endif
        assert_true(load_helper_settle(h));       /* nothing left to wait for or take back */
        assert_true(load_helper_populate(h, r, 2));
        wait_populated(h);
        for (size_t i = 0; i < bytes; i += sizeof(uint64_t))
            assert_true(*(uint64_t *)(a + i) == 0 && *(uint64_t *)(b + i) == 0);
        munmap(a, bytes);
        munmap(b, bytes);
    }
    print_message("%u of 40 requests taken back\n", (unsigned)taken_back);
    load_helper_finish(h);
    /* every word filed, with each of its deletions */
    assert_int_equal(ix.typo.n, (size_t)next_id * (WORD_LEN + 1));
    hashmulti_free(&ix.typo);
    free(text);
}

/* load_helper_feed asks for a block when the arena has no spare one and gives the one made (its
 * memory already faulted in) at a later call; none is asked for while the arena has a spare. */
static void test_feed_gives_faulted_block(void **state)
{
    (void)state;
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    account_index ix;
    memset(&ix, 0, sizeof(ix));
    bump arena;
    bump_init(&arena);
    load_helper *h = load_helper_start(&ix);
    assert_non_null(h);
    for (int round = 0; round < 3; round++) {
        assert_false(bump_has_spare(&arena));
        for (int tries = 0; tries < 5000 && !bump_has_spare(&arena); tries++) {
            load_helper_feed(h, &arena, 0);
            usleep(200);
        }
        assert_true(bump_has_spare(&arena));
        load_helper_feed(h, &arena, 0);          /* has a spare: nothing more asked */
        /* more than the current block has left (none, or 4 KiB): carved from the given one,
         * whose first pages were faulted in on the thread */
        char *p = bump_alloc(&arena, 60 * 1024);
        char *at = (char *)((uintptr_t)p & ~(uintptr_t)(page - 1));
#ifdef MADV_POPULATE_WRITE
        assert_int_equal(resident_pages(at, 8 * page, page), 8);
#else
        (void)at;
#endif
        memset(p, 'x', 60 * 1024);
    }
    load_helper_finish(h);
    assert_false(bump_has_spare(&arena));
    bump_free(&arena);
}

/* Puts keys into m until a growth to a table made ahead is near; returns the next key number. */
static uint32_t fill_near_growth(strmap *m)
{
    char buf[32];
    uint32_t i = 0;
    while (!strmap_table_wanted(m, SIZE_MAX, 4)) {
        snprintf(buf, sizeof(buf), "word-%u", i);
        strmap_put(m, buf, i++);
    }
    return i;
}

/* load_helper_feed has a string map's next table made when its growth is near and keys are to
 * come (the share of the source read known), none when that share is not known; the growth uses
 * it and keeps every key. */
static void test_feed_gives_map_table(void **state)
{
    (void)state;
    account_index ix;
    memset(&ix, 0, sizeof(ix));
    ix.vocab = strmap_new();            /* the one map of this index */
    uint32_t n = fill_near_growth(ix.vocab);
    bump arena;
    bump_init(&arena);
    load_helper *h = load_helper_start(&ix);
    assert_non_null(h);
    for (int tries = 0; tries < 100; tries++) {
        load_helper_feed(h, &arena, 0);
        usleep(200);
    }
    assert_int_not_equal(strmap_table_wanted(ix.vocab, SIZE_MAX, 4), 0);
    for (int tries = 0; tries < 5000 && strmap_table_wanted(ix.vocab, SIZE_MAX, 4); tries++) {
        load_helper_feed(h, &arena, 0.5);
        usleep(200);
    }
    assert_int_equal(strmap_table_wanted(ix.vocab, SIZE_MAX, 4), 0);   /* given */
    load_helper_finish(h);
    char buf[32];
    for (uint32_t i = n; i < 2 * n; i++) {  /* through the growth */
        snprintf(buf, sizeof(buf), "word-%u", i);
        strmap_put(ix.vocab, buf, i);
    }
    for (uint32_t i = 0; i < 2 * n; i += 97) {
        uint32_t v = UINT32_MAX;
        snprintf(buf, sizeof(buf), "word-%u", i);
        assert_true(strmap_get(ix.vocab, buf, &v));
        assert_int_equal(v, i);
    }
    assert_int_equal(strmap_count(ix.vocab), 2 * n);
    strmap_free(ix.vocab);
    bump_free(&arena);
}

/* Adds keys "k-<i>" to m until it holds n. */
static void fill_to(strmap *m, uint32_t n)
{
    char buf[32];
    for (uint32_t i = (uint32_t)strmap_count(m); i < n; i++) {
        snprintf(buf, sizeof(buf), "k-%u", i);
        strmap_put(m, buf, i);
    }
}

/* load_helper_feed tells the maps (and by_id) how many keys they are expected to end with, from
 * the share of the source read: as many a row when they grow with the rows, fewer than that when
 * they grow slower (a vocabulary) or have stopped, nothing while that share is not known. */
static void test_feed_tells_what_to_expect(void **state)
{
    (void)state;
    account_index ix;
    memset(&ix, 0, sizeof(ix));
    ix.vocab = strmap_new();
    ix.by_joined.keys = strmap_new();
    ix.by_acronym.keys = strmap_new();
    hashmulti_init(&ix.by_id);
    bump arena;
    bump_init(&arena);
    load_helper *h = load_helper_start(&ix);
    assert_non_null(h);
    load_helper_feed(h, &arena, 0);
    assert_int_equal(strmap_expect_of(ix.vocab), 0);
    for (uint32_t k = 1; k <= 16; k++) {          /* reads 5 % .. 80 % */
        double read = k / 20.0;
        fill_to(ix.by_joined.keys, 2000 * k);       /* 40,000 at the end */
        fill_to(ix.vocab, (uint32_t)(40000 * sqrt(read)));  /* 40,000 too, but slower */
        fill_to(ix.by_acronym.keys, k < 4 ? 200 * k : 600);  /* stops growing at 20 % */
        for (uint32_t i = (uint32_t)ix.by_id.n; i < 2000 * k; i++)
            hashmulti_add(&ix.by_id, i * 2654435761u, i);
        load_helper_feed(h, &arena, read);
    }
    size_t joined = strmap_expect_of(ix.by_joined.keys), vocab = strmap_expect_of(ix.vocab);
    assert_in_range(joined, 39000, 41000);
    assert_in_range(ix.by_id.expect, 39000, 41000);
    assert_in_range(vocab, 40000, 46000);          /* (linear: 50,000) */
    assert_in_range(strmap_expect_of(ix.by_acronym.keys), 600, 640);   /* (linear: 750) */
    load_helper_finish(h);
    hashmulti_free(&ix.by_id);
    strmap_free(ix.by_joined.keys);
    strmap_free(ix.by_acronym.keys);
    strmap_free(ix.vocab);
    bump_free(&arena);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_populate_faults_in),
        cmocka_unit_test(test_settle_waits_or_takes_back),
        cmocka_unit_test(test_feed_gives_faulted_block),
        cmocka_unit_test(test_feed_gives_map_table),
        cmocka_unit_test(test_feed_tells_what_to_expect),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
