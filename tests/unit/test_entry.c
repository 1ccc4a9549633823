/* test_entry.c - unit tests for lead_from_entry: a stream entry's fields (json or flat) to a lead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "inputs.h"

static const entry_limits lim = {4, 10, 60};

/* Runs lead_from_entry on the NULL-terminated name/value list kv; returns its status. */
static int from_entry(const char *const *kv, lead *l, char *err, size_t len)
{
    strvec f;
    sv_init(&f);
    for (size_t i = 0; kv[i]; i++)
        sv_push(&f, kv[i]);
    lead_init(l);
    int rc = lead_from_entry(&f, &lim, l, err, len);
    sv_free(&f);
    return rc;
}

static void test_flat(void **state)
{
    (void)state;
    const char *kv[] = {"id", "L1", "email", "a@b.com", "other", "x", NULL};
    char err[256];
    lead l;
    assert_int_equal(from_entry(kv, &l, err, sizeof(err)), 0);
    assert_string_equal(l.id, "L1");
    assert_string_equal(l.email, "a@b.com");
    lead_free(&l);
}

static void test_json(void **state)
{
    (void)state;
    const char *kv[] = {"json", "{\"id\": \"L2\", \"company\": \"Acme Corporation\"}", NULL};
    char err[256];
    lead l;
    assert_int_equal(from_entry(kv, &l, err, sizeof(err)), 0);
    assert_string_equal(l.company, "Acme Corporation");
    lead_free(&l);
    const char *bad[] = {"json", "{\"email\": \"a@b.com\"}", NULL};
    assert_int_equal(from_entry(bad, &l, err, sizeof(err)), -1);
    assert_string_equal(err, "field 'json': missing id");
    lead_free(&l);
    /* the same refusals from inputs.c's plain reader and from jansson (an escape) */
    const char *refused[][2] = {
        {"{\"id\": null, \"email\": \"a@b.com\"}", "field 'json': missing id"},
        {"{\"id\": \"\", \"email\": \"a@b.com\"}", "field 'json': empty id"},
        {"{\"id\": null, \"email\": \"a\\u0040b.com\"}", "field 'json': missing id"},
        {"{\"id\": \"\", \"email\": \"a\\u0040b.com\"}", "field 'json': empty id"},
    };
    for (size_t i = 0; i < 4; i++) {
        const char *entry[] = {"json", refused[i][0], NULL};
        assert_int_equal(from_entry(entry, &l, err, sizeof(err)), -1);
        assert_string_equal(err, refused[i][1]);
        if (i % 2)
            assert_string_equal(l.id, "");   /* kept, as the invalid decision names it */
        else
            assert_null(l.id);
        assert_null(l.email);
        lead_free(&l);
    }
}

static void test_refusals(void **state)
{
    (void)state;
    char err[256];
    lead l;
    const char *no_id[] = {"email", "a@b.com", "id", "", NULL};
    assert_int_equal(from_entry(no_id, &l, err, sizeof(err)), -1);
    assert_string_equal(err, "no 'id' field and no 'json' field");
    lead_free(&l);
    const char *many[] = {"a", "1", "b", "2", "c", "3", "d", "4", "id", "5", NULL};
    assert_int_equal(from_entry(many, &l, err, sizeof(err)), -1);
    assert_string_equal(err, "entry has 5 fields, over daemon.max_entry_fields 4");
    lead_free(&l);
    const char *wide[] = {"id", "12345678901", NULL};
    assert_int_equal(from_entry(wide, &l, err, sizeof(err)), -1);
    assert_string_equal(err, "field 'id' is 11 bytes, over daemon.max_field_bytes 10");
    lead_free(&l);
    const char *big[] = {"json", "{\"id\": \"1\", \"company\": \"a long company name indeed and more\"}",
                         NULL};
    assert_int_equal(from_entry(big, &l, err, sizeof(err)), -1);
    assert_string_equal(err, "entry is 65 bytes, over daemon.max_entry_bytes 60");
    lead_free(&l);
}

/* A plain line's values ended in place in the lead's copy of the line: an integer before '}' or
 * ',' (no space), a null between them, a repeated key; then a field set over one of them (its
 * own allocation from then on), and the lead read again (what it held freed: ASan). */
static void test_plain_values_in_place(void **state)
{
    (void)state;
    const char *line = "{\"id\":\"L9\",\"score\":-17,\"email\":null,\"company\":\"A\","
                       "\"company\":\"Acme\",\"phone\":0}";
    lead l;
    char err[64];
    lead_init(&l);
    assert_int_equal(lead_from_json(line, strlen(line), &l, err, sizeof(err)), 0);
    assert_string_equal(l.id, "L9");
    assert_string_equal(l.score, "-17");
    assert_null(l.email);
    assert_string_equal(l.company, "Acme");
    assert_string_equal(l.phone, "0");
    assert_true(lead_set(&l, "company", "Other"));
    assert_true(lead_set(&l, "email", "a@b.com"));
    assert_true(lead_set(&l, "email", NULL));
    assert_string_equal(l.company, "Other");
    assert_null(l.email);
    assert_string_equal(l.id, "L9");
    assert_int_equal(lead_from_json(line, strlen(line) - 1, &l, err, sizeof(err)), -1);
    assert_null(l.company);   /* jansson refused the cut line */
    assert_int_equal(lead_from_json(line, strlen(line), &l, err, sizeof(err)), 0);
    assert_string_equal(l.company, "Acme");
    /* separators with no space, one (the usual ": " and ", "), several, and other white space */
    const char *spaced = " { \"id\" :\"L8\" ,\t\"company\":  \"B C\",  \"score\": 5 , "
                         "\"email\":null\r\n}\n";
    assert_int_equal(lead_from_json(spaced, strlen(spaced), &l, err, sizeof(err)), 0);
    assert_string_equal(l.id, "L8");
    assert_string_equal(l.company, "B C");
    assert_string_equal(l.score, "5");
    assert_null(l.email);
    assert_null(l.phone);
    lead_free(&l);
    assert_null(l.id);
    assert_null(l.block);
}

/* Every field read by its name, from a plain line (inputs.c's own reader: a switch on the key's
 * length and first byte) and from one with an escape (jansson's), with keys one byte off that
 * are no field; the last of a repeated key wins in both. */
static void test_every_field(void **state)
{
    (void)state;
    const char *names[] = {"id", "email", "company", "website", "first_name", "last_name",
                           "title", "country", "phone", "source", "score"};
    const char *lines[] = {
        "{\"id\": \"x\", \"Email\": \"no\", \"compan\": \"no\", \"countrz\": \"no\", \"websites\": 1, "
        "\"ie\": null, \"id\": \"v0\", \"email\": \"v1\", \"company\": \"v2\", \"website\": \"v3\", "
        "\"first_name\": \"v4\", \"last_name\": \"v5\", \"title\": \"v6\", \"country\": \"v7\", "
        "\"phone\": \"v8\", \"source\": \"v9\", \"score\": \"v10\", \"scorf\": \"no\"}",
        "{\"id\": \"x\", \"Email\": \"no\", \"compan\": \"no\", \"countrz\": \"no\", \"websites\": 1, "
        "\"ie\": null, \"id\": \"v\\u0030\", \"email\": \"v1\", \"company\": \"v2\", \"website\": \"v3\", "
        "\"first_name\": \"v4\", \"last_name\": \"v5\", \"title\": \"v6\", \"country\": \"v7\", "
        "\"phone\": \"v8\", \"source\": \"v9\", \"score\": \"v10\", \"scorf\": \"no\"}",
    };
    for (size_t k = 0; k < 2; k++) {
        const char *kv[] = {"json", lines[k], NULL};
        entry_limits wide = {4, 1000, 1000};
        strvec f;
        sv_init(&f);
        for (size_t i = 0; kv[i]; i++)
            sv_push(&f, kv[i]);
        lead l;
        char err[256];
        lead_init(&l);
        assert_int_equal(lead_from_entry(&f, &wide, &l, err, sizeof(err)), 0);
        const char *got[] = {l.id, l.email, l.company, l.website, l.first_name, l.last_name,
                             l.title, l.country, l.phone, l.source, l.score};
        for (size_t i = 0; i < 11; i++) {
            char want[8];
            snprintf(want, sizeof(want), "v%zu", i);
            assert_string_equal(got[i], want);
            assert_true(lead_field_known(names[i]));
        }
        lead_free(&l);
        sv_free(&f);
    }
    assert_false(lead_field_known("compan"));
    assert_false(lead_field_known("countrz"));
    assert_false(lead_field_known("Email"));
    assert_false(lead_field_known(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_every_field),
        cmocka_unit_test(test_plain_values_in_place),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
