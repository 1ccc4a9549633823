/* test_search.c - unit tests for matcher_search (the review page's account search) and
 * matcher_account_brief, on the shipped config's normalisation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_fixture.h"

/* Invented accounts: id, name, domains, owner. */
static const char *const accounts[][4] = {
    {"A1", "Acme Rocketry Ltd", "https://www.acme.co.uk/", "U1"},
    {"A2", "Acme Corp", "acme.com", NULL},
    {"A3", "Société Générale Acme", NULL, NULL},
    {"B1", "Brindlewood Logistics", "brindlewood.io;bw-logistics.com", "U2"},
    {"B2", "Old Brindlewood", NULL, NULL},
};

static int setup(void **state)
{
    fixture *fx = fixture_new();
    if (!fx)
        return -1;
    for (size_t i = 0; i < sizeof(accounts) / sizeof(accounts[0]); i++) {
        account_rec r;
        account_rec_init(&r);
        account_rec_set(&r, "id", accounts[i][0]);
        account_rec_set(&r, "name", accounts[i][1]);
        account_rec_set(&r, "domains", accounts[i][2]);
        account_rec_set(&r, "owner_id", accounts[i][3]);
        assert_true(matcher_upsert_account(&fx->m, &r));
        account_rec_free(&r);
    }
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_free(*state);
    return 0;
}

/* The ids found for q, space-separated, in the order returned. */
static const char *found(const matcher *m, const char *q, size_t max)
{
    static char buf[256];
    account_brief hits[8];
    size_t n = matcher_search(m, q, max, hits);
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s%s", i ? " " : "", hits[i].id);
    return buf;
}

static void test_by_name(void **state)
{
    fixture *fx = *state;
    assert_string_equal(found(&fx->m, "acme", 8), "A2 A1 A3");    /* shortest name first */
    assert_string_equal(found(&fx->m, "ACME rocketry", 8), "A1");
    assert_string_equal(found(&fx->m, "acme rock", 8), "A1");     /* last word unfinished */
    assert_string_equal(found(&fx->m, "generale", 8), "A3");      /* accents folded */
    assert_string_equal(found(&fx->m, "brind", 8), "B2 B1");
    assert_string_equal(found(&fx->m, "rock acme", 8), "");       /* only the last word is a prefix */
    assert_string_equal(found(&fx->m, "zebra", 8), "");
    assert_string_equal(found(&fx->m, "", 8), "");
    assert_string_equal(found(&fx->m, "acme", 2), "A2 A1");       /* at most max */
}

static void test_by_domain(void **state)
{
    fixture *fx = *state;
    assert_string_equal(found(&fx->m, "acme.co.uk", 8), "A1");
    assert_string_equal(found(&fx->m, "https://shop.acme.com/x", 8), "A2");
    assert_string_equal(found(&fx->m, "bw-logistics.com", 8), "B1");
    assert_string_equal(found(&fx->m, "nobody.example", 8), "");
}

static void test_deleted_and_brief(void **state)
{
    fixture *fx = *state;
    account_brief b;
    assert_true(matcher_account_brief(&fx->m, "B1", &b));
    assert_string_equal(b.name, "Brindlewood Logistics");
    assert_string_equal(b.domain, "brindlewood.io");
    assert_string_equal(b.owner_id, "U2");
    assert_null(b.type);
    assert_false(matcher_account_brief(&fx->m, "nope", &b));
    assert_true(matcher_delete_account(&fx->m, "B2"));
    assert_string_equal(found(&fx->m, "brindlewood", 8), "B1");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_by_domain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deleted_and_brief, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
