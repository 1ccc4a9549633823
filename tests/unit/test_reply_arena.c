/* test_reply_arena.c - unit tests for hiredis replies built in arenas (reply_arena.c): the same
 * trees hiredis's own functions build (nested arrays, strings of any size, integers, nils, empty
 * and nil arrays, status and error replies), a reply fed in pieces, and a reader freed while it
 * holds half a reply (ASan: nothing leaks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <hiredis/hiredis.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reply_arena.h"
#include "util.h"

static void assert_same_reply(const redisReply *a, const redisReply *b)
{
    assert_non_null(a);
    assert_non_null(b);
    assert_int_equal(a->type, b->type);
    switch (a->type) {
    case REDIS_REPLY_ARRAY:
        assert_int_equal(a->elements, b->elements);
        for (size_t i = 0; i < a->elements; i++)
            assert_same_reply(a->element[i], b->element[i]);
        break;
    case REDIS_REPLY_INTEGER:
        assert_int_equal(a->integer, b->integer);
        break;
    case REDIS_REPLY_NIL:
        break;
    default:
        assert_int_equal(a->len, b->len);
        assert_memory_equal(a->str, b->str, a->len);
        assert_int_equal(b->str[b->len], '\0');
    }
}

/* resp parsed by hiredis's own functions and by the arenas, fed step bytes at a time: the same
 * replies, each freed by its own reader's functions. */
static void check_same(const char *resp, size_t len, size_t step, size_t replies)
{
    redisReader *plain = redisReaderCreate(), *arena = redisReaderCreate();
    reply_arena_use(arena);
    size_t got = 0;
    for (size_t at = 0; at < len; at += step) {
        size_t n = len - at < step ? len - at : step;
        assert_int_equal(redisReaderFeed(plain, resp + at, n), REDIS_OK);
        assert_int_equal(redisReaderFeed(arena, resp + at, n), REDIS_OK);
        for (;;) {
            void *a = NULL, *b = NULL;
            assert_int_equal(redisReaderGetReply(plain, &a), REDIS_OK);
            assert_int_equal(redisReaderGetReply(arena, &b), REDIS_OK);
            assert_true((a == NULL) == (b == NULL));
            if (!a)
                break;
            assert_same_reply(a, b);
            freeReplyObject(a);
            arena->fn->freeObject(b);
            got++;
        }
    }
    assert_int_equal(got, replies);
    redisReaderFree(plain);
    redisReaderFree(arena);
}

/* An XREADGROUP reply of n entries, each [id, [json, value]], a value of vlen bytes. */
static void xreadgroup_reply(strbuf *out, size_t n, size_t vlen)
{
    char head[128];
    sb_append(out, "*1\r\n*2\r\n$9\r\nl2a:leads\r\n");
    snprintf(head, sizeof(head), "*%zu\r\n", n);
    sb_append(out, head);
    for (size_t i = 0; i < n; i++) {
        char id[32];
        int idn = snprintf(id, sizeof(id), "1700000000000-%zu", i);
        snprintf(head, sizeof(head), "*2\r\n$%d\r\n%s\r\n*2\r\n$4\r\njson\r\n$%zu\r\n", idn, id,
                 vlen);
        sb_append(out, head);
        for (size_t j = 0; j < vlen; j++)
            sb_appendn(out, &"{\"id\":\"L1\"}"[j % 11], 1);
        sb_append(out, "\r\n");
    }
}

static void test_same_trees(void **state)
{
    (void)state;
    const char *mixed = "+OK\r\n-ERR no such thing\r\n:42\r\n:-7\r\n$-1\r\n*-1\r\n*0\r\n$0\r\n\r\n"
                        "*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n*0\r\n"
                        "*2\r\n*2\r\n*1\r\n*1\r\n:5\r\n+x\r\n-WRONGTYPE y\r\n";
    check_same(mixed, strlen(mixed), strlen(mixed), 10);
    check_same(mixed, strlen(mixed), 1, 10);
    strbuf big;
    sb_init(&big);
    xreadgroup_reply(&big, 300, 250);       /* ~100 kB: many blocks */
    xreadgroup_reply(&big, 2, 200000);      /* strings larger than a block */
    xreadgroup_reply(&big, 1, 3);
    check_same(big.buf, big.len, big.len, 3);
    check_same(big.buf, big.len, 4093, 3);
    sb_free(&big);
}

/* A bulk string root larger than the first block, and a reader freed half-way through a reply. */
static void test_root_string_and_partial(void **state)
{
    (void)state;
    strbuf s;
    sb_init(&s);
    sb_append(&s, "$5000\r\n");
    for (int i = 0; i < 5000; i++)
        sb_appendn(&s, "x", 1);
    sb_append(&s, "\r\n");
    check_same(s.buf, s.len, 777, 1);
    redisReader *r = redisReaderCreate();
    reply_arena_use(r);
    strbuf x;
    sb_init(&x);
    xreadgroup_reply(&x, 50, 100);
    assert_int_equal(redisReaderFeed(r, x.buf, x.len / 2), REDIS_OK);
    void *reply = NULL;
    assert_int_equal(redisReaderGetReply(r, &reply), REDIS_OK);
    assert_null(reply);
    redisReaderFree(r);   /* frees the half-built root and its arena */
    sb_free(&x);
    sb_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_trees),
        cmocka_unit_test(test_root_string_and_partial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
