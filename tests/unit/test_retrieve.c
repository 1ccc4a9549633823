/* test_retrieve.c - unit tests for the candidates of a domain shared by more accounts than the
 * candidate cap: the same decision whatever order the accounts were loaded in, the name's
 * accounts never crowded out, and no account chosen among a part of the domain's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "engine_fixture.h"
#include "evidence.h"

#define SHARED 200                      /* accounts on brontex.com besides the named one */
#define NAMED_ID "001NAMED"              /* "Brontex Aerospace", on brontex.com too */

_Static_assert(SHARED > EVIDENCE_MAX_CANDIDATES, "the domain's list must be longer than the cap");

typedef struct two_loads {
    fixture *forward;                    /* the named account loaded last */
    fixture *backward;                   /* ... and first */
} two_loads;

/* A word of letters for i (names with digits would read alike after folding). */
static void word_of(size_t i, char *out)
{
    out[0] = 'v';
    out[1] = (char)('a' + i / 26 % 26);
    out[2] = (char)('a' + i % 26);
    out[3] = 'x';
    out[4] = '\0';
}

static void add_account(fixture *fx, const char *id, const char *name)
{
    account_rec r;
    account_rec_init(&r);
    account_rec_set(&r, "id", id);
    account_rec_set(&r, "name", name);
    account_rec_set(&r, "domains", "https://www.brontex.com/");
    (void)index_upsert(&fx->m.ix, &r);
    account_rec_free(&r);
}

static void add_shared(fixture *fx, size_t i)
{
    char id[32], name[64], w[8];
    word_of(i, w);
    snprintf(id, sizeof(id), "001S%04zu", i);
    snprintf(name, sizeof(name), "Brontex %s Partners", w);
    add_account(fx, id, name);
}

static fixture *load(bool named_last)
{
    fixture *fx = fixture_new();
    if (!fx)
        return NULL;
    if (!named_last)
        add_account(fx, NAMED_ID, "Brontex Aerospace");
    for (size_t i = 0; i < SHARED; i++)
        add_shared(fx, named_last ? i : SHARED - 1 - i);
    if (named_last)
        add_account(fx, NAMED_ID, "Brontex Aerospace");
    return fx;
}

static int setup(void **state)
{
    two_loads *t = calloc(1, sizeof(*t));
    t->forward = load(true);
    t->backward = load(false);
    *state = t;
    return t->forward && t->backward ? 0 : -1;
}

static int teardown(void **state)
{
    two_loads *t = *state;
    if (t->forward)
        fixture_free(t->forward);
    if (t->backward)
        fixture_free(t->backward);
    free(t);
    return 0;
}

/* The decision's JSON for a lead with this email and company (NULL: absent). */
static char *decide_json(const fixture *fx, const char *email, const char *company, decision *d)
{
    lead l;
    lead_init(&l);
    lead_set(&l, "id", "00Q1");
    lead_set(&l, "email", email);
    if (company)
        lead_set(&l, "company", company);
    matcher_decide(&fx->m, &l, d);
    lead_free(&l);
    strbuf sb;
    sb_init(&sb);
    decision_to_json(d, &sb);
    return sb.buf;
}

/* Both loads decide alike, byte for byte; returns the forward load's decision in d. */
static void decide_both(const two_loads *t, const char *email, const char *company, decision *d)
{
    decision back;
    char *a = decide_json(t->forward, email, company, d);
    char *b = decide_json(t->backward, email, company, &back);
    assert_string_equal(a, b);
    free(a);
    free(b);
    decision_free(&back);
}

/* The name's account is a candidate though the domain alone names more than the cap. */
static void test_named_account_found(void **state)
{
    decision d;
    decide_both(*state, "kim@brontex.com", "Brontex Aerospace", &d);
    assert_int_equal(d.kind, DECISION_MATCH);
    assert_non_null(d.account_id);
    assert_string_equal(d.account_id, NAMED_ID);
    decision_free(&d);
}

/* The domain alone: no account is chosen among the part of them compared. */
static void test_domain_alone_goes_to_review(void **state)
{
    decision d;
    decide_both(*state, "lee@brontex.com", NULL, &d);
    assert_int_equal(d.kind, DECISION_REVIEW);
    assert_null(d.account_id);
    assert_non_null(strstr(d.reason, "201 accounts share 'brontex.com', more than the 128"));
    assert_non_null(strstr(d.reason, "and 200 other accounts"));   /* all of them, not 128 */
    decision_free(&d);
}

/* A company naming one of the shared accounts exactly picks it, whichever part was compared. */
static void test_company_names_one_of_many(void **state)
{
    char company[64], w[8];
    word_of(150, w);
    snprintf(company, sizeof(company), "Brontex %s Partners", w);
    decision d;
    decide_both(*state, "ann@brontex.com", company, &d);
    assert_int_equal(d.kind, DECISION_MATCH);
    assert_string_equal(d.account_id, "001S0150");
    decision_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_named_account_found),
        cmocka_unit_test(test_domain_alone_goes_to_review),
        cmocka_unit_test(test_company_names_one_of_many),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
