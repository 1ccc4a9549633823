/* test_account_rows.c - unit tests for account_rows.c: the digest of an account's fields and the
 * `op rows` values of l2a:accounts:changes, written and read back, malformed ones refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "account_rows.h"
#include "util.h"

static void digest_of(account_field *f, size_t n, char *out)
{
    strbuf scratch;
    sb_init(&scratch);
    account_digest(f, n, &scratch, out);
    sb_free(&scratch);
}

/* The expected digests come from Python's hashlib over the same text (docs/redis-schema.md). */
static void test_digest(void **state)
{
    (void)state;
    char a[ACCOUNT_DIGEST_LEN + 1], b[ACCOUNT_DIGEST_LEN + 1], c[ACCOUNT_DIGEST_LEN + 1];
    account_field f1[] = {{"id", "001A"}, {"name", "Acme"}, {"domains", "acme.com"}};
    account_field f2[] = {{"domains", "acme.com"}, {"name", "Acme"}, {"id", "001A"}};
    account_field f3[] = {{"id", "001A"}, {"name", "Acme"}, {"domains", "acme.co"}};
    digest_of(f1, 3, a);
    digest_of(f2, 3, b);
    digest_of(f3, 3, c);
    assert_string_equal(a, "24e25ff7ae77b0b6");
    assert_string_equal(b, a); /* the order of the fields does not matter */
    assert_string_not_equal(c, a);
    account_field f4[] = {{"name", "Acme, Inc."}, {"Region", "EMEA"}, {"id", "001A"}};
    digest_of(f4, 3, a);
    assert_string_equal(a, "fa116b192e9f00b0"); /* "Region" sorts before "id" (bytes) */
    /* the lengths keep field and value apart: name "ab" value "c" is not name "a" value "bc" */
    account_field g1[] = {{"ab", "c"}}, g2[] = {{"a", "bc"}};
    digest_of(g1, 1, a);
    digest_of(g2, 1, b);
    assert_string_not_equal(a, b);
}

/* The accounts handed out by account_rows_read, one "name=value|..." line each. */
static void collect(const account_field *f, size_t n, void *ctx)
{
    strbuf *out = ctx;
    for (size_t i = 0; i < n; i++)
        sb_appendf(out, "%s%s=%s", i ? "|" : "", f[i].name, f[i].value);
    sb_putc(out, '\n');
}

static long read_back(const char *cols, const char *rows, strbuf *out, char *err, size_t errlen)
{
    sb_reset(out);
    return account_rows_read(cols, strlen(cols), rows, strlen(rows), collect, out, err, errlen);
}

static void test_round_trip(void **state)
{
    (void)state;
    const char *cols[] = {"id", "name", "domains", "Region"};
    const char *vals[] = {"001A", "Acme: 10:20", "acme.com", "", "001B", "B", "", "EMEA, North"};
    strbuf c, r, out;
    char err[160];
    sb_init(&c);
    sb_init(&r);
    sb_init(&out);
    for (size_t i = 0; i < ARRAY_LEN(cols); i++)
        account_rows_put(&c, cols[i], strlen(cols[i]));
    for (size_t i = 0; i < ARRAY_LEN(vals); i++)
        account_rows_put(&r, vals[i], strlen(vals[i]));
    assert_string_equal(c.buf, "2:id4:name7:domains6:Region");
    assert_int_equal(read_back(c.buf, r.buf, &out, err, sizeof(err)), 2);
    assert_string_equal(out.buf, "id=001A|name=Acme: 10:20|domains=acme.com\n"
                                 "id=001B|name=B|Region=EMEA, North\n");
    sb_free(&c);
    sb_free(&r);
    sb_free(&out);
}

static void test_malformed(void **state)
{
    (void)state;
    static const char *const bad[][2] = {
        {"4:name", "1:x"},                 /* no id column */
        {"", ""},                          /* no column */
        {"2:id0:", "1:x1:y"},              /* an empty column name */
        {"2:id4:name", "1:a1:b1:c"},       /* not a whole number of rows */
        {"2:id4:name", "0:1:b"},           /* an account without id */
        {"2:id4:name", "1:a9:b"},          /* a length past the end */
        {"2:id4:name", "1:a1b"},           /* no colon */
        {"2:id4:name", "1:ax:b"},          /* a length that is not a number */
        {"2:id4:name", "99999999999999999999999:a"}, /* a length that overflows */
    };
    strbuf out;
    char err[160];
    sb_init(&out);
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        err[0] = '\0';
        assert_int_equal(read_back(bad[i][0], bad[i][1], &out, err, sizeof(err)), -1);
        assert_int_equal(out.len, 0); /* no account handed out */
        assert_non_null(strstr(err, "op rows: bad"));
    }
    assert_int_equal(read_back("2:id", "", &out, err, sizeof(err)), 0); /* no account: fine */
    sb_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digest),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_malformed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
