/* test_hash_dump.c - unit tests for hash_dump.c: Redis's CRC-64, and the DUMP payloads of small
 * hashes against what Redis 7.0's DUMP gives for the same HSET (rdbcompression off). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "hash_dump.h"
#include "util.h"

static hash_dumper dumper;

static int setup(void **state)
{
    (void)state;
    hash_dumper_init(&dumper);
    return 0;
}

/* The CRC-64/Jones check value Redis's own crc64 test uses. */
static void test_crc64(void **state)
{
    (void)state;
    assert_true(hash_dump_crc64(&dumper, 0, "123456789", 9) == 0xe9c6d914c4b8d9caULL);
    uint64_t part = hash_dump_crc64(&dumper, 0, "1234", 4);
    assert_true(hash_dump_crc64(&dumper, part, "56789", 5) == 0xe9c6d914c4b8d9caULL);
}

/* Whether the n bytes of needle occur in sb. */
static bool contains(const strbuf *sb, const char *needle, size_t n)
{
    for (size_t i = 0; i + n <= sb->len; i++)
        if (memcmp(sb->buf + i, needle, n) == 0)
            return true;
    return false;
}

static void dump_of(const hash_dump_str *v, size_t nv, strbuf *out)
{
    sb_reset(out);
    hash_dump(&dumper, v, nv, out);
}

/* HSET k id 1 n -1, then DUMP k: a listpack of a 6-bit string, a 7-bit integer, a 13-bit one. */
static void test_listpack(void **state)
{
    (void)state;
    const hash_dump_str v[] = {{"id", 2}, {"1", 1}, {"n", 1}, {"-1", 2}};
    const char want[] = "\x10\x13\x13\x00\x00\x00\x04\x00\x82id\x03\x01\x01\x81n\x02\xdf\xff\x02"
                        "\xff\x0a\x00\xb0\xd9\xa6\x65\xa9\xc2\xfd\x59";
    strbuf out;
    sb_init(&out);
    dump_of(v, 4, &out);
    assert_int_equal(out.len, sizeof(want) - 1);
    assert_memory_equal(out.buf, want, sizeof(want) - 1);
    sb_free(&out);
}

/* Integers of each width, text that only looks like one, a 64-byte value (12-bit length). */
static void test_encodings(void **state)
{
    (void)state;
    char v64[65];
    memset(v64, 'x', 64);
    v64[64] = '\0';
    const hash_dump_str v[] = {{"a", 1}, {"-32768", 6}, {"b", 1}, {"8388607", 7},
                               {"c", 1}, {"-2147483648", 11}, {"d", 1}, {"9223372036854775807", 19},
                               {"e", 1}, {"007", 3}, {"f", 1}, {"-0", 2}, {"g", 1}, {v64, 64}};
    strbuf out;
    sb_init(&out);
    dump_of(v, 14, &out);
    const unsigned char *p = (const unsigned char *)out.buf;
    assert_int_equal(p[0], 16);
    /* a, then -32768: 0xF1 and 16 bits, least significant first, backlen 3 */
    assert_true(contains(&out, "\x81" "a\x02\xf1\x00\x80\x03", 7));
    assert_true(contains(&out, "\x81" "b\x02\xf2\xff\xff\x7f\x04", 8));
    assert_true(contains(&out, "\x81" "c\x02\xf3\x00\x00\x00\x80\x05", 9));
    assert_true(contains(&out,
                           "\x81" "d\x02\xf4\xff\xff\xff\xff\xff\xff\xff\x7f\x09", 13));
    assert_true(contains(&out, "\x81" "e\x02\x83" "007\x04", 8));
    assert_true(contains(&out, "\x81" "f\x02\x82-0\x03", 7));
    assert_true(contains(&out, "\x81" "g\x02\xe0\x40xxxx", 9));
    /* the version, then the CRC of everything before it */
    size_t n = out.len;
    assert_memory_equal(out.buf + n - 10, "\x0a\x00", 2);
    uint64_t crc = hash_dump_crc64(&dumper, 0, out.buf, n - 8), got = 0;
    for (int i = 7; i >= 0; i--)
        got = got << 8 | p[n - 8 + (size_t)i];
    assert_true(crc == got);
    sb_free(&out);
}

/* A value over 64 bytes: plain pairs (type 4), each an RDB string, for Redis to encode. */
static void test_plain_pairs(void **state)
{
    (void)state;
    char v65[66];
    memset(v65, 'y', 65);
    v65[65] = '\0';
    const hash_dump_str v[] = {{"id", 2}, {"7", 1}, {"note", 4}, {v65, 65}};
    strbuf out;
    sb_init(&out);
    dump_of(v, 4, &out);
    assert_int_equal(out.len, 1 + 1 + 3 + 2 + 5 + 2 + 65 + 2 + 8);
    assert_memory_equal(out.buf, "\x04\x02\x02id\x01" "7\x04note\x40\x41yy", 16);
    sb_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc64),
        cmocka_unit_test(test_listpack),
        cmocka_unit_test(test_encodings),
        cmocka_unit_test(test_plain_pairs),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
