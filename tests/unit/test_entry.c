/* test_entry.c - unit tests for lead_from_entry: a stream entry's fields (json or flat) to a lead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flat),
        cmocka_unit_test(test_json),
        cmocka_unit_test(test_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
