/* test_learned.c - unit tests for learned facts: the table (keys, replace, delete), what an
 * always or never fact does to a decision and its reason, the name key, domains from contacts,
 * and the plan's learn objects; on the shipped config. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "engine_fixture.h"


/* Invented accounts: id, name, domains. */
static const char *const accounts[][3] = {
    {"003", "Acme Corp", "acme.com"},           /* a lead "Acme" from acme.com: a review */
    {"004", "Acme Holdings", "www.acme.com"},
    {"005", "Brightwater Energy", NULL},
    {"001", "Zyntra Analytics", "https://www.zyntra.com/"},
};

static int setup(void **state)
{
    fixture *fx = fixture_new();
    if (!fx)
        return -1;
    for (size_t i = 0; i < ARRAY_LEN(accounts); i++) {
        account_rec r;
        account_rec_init(&r);
        account_rec_set(&r, "id", accounts[i][0]);
        account_rec_set(&r, "name", accounts[i][1]);
        account_rec_set(&r, "domains", accounts[i][2]);
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

static void decide(const fixture *fx, const char *email, const char *company, decision *d)
{
    lead l;
    lead_init(&l);
    (void)lead_set(&l, "id", "L9");
    (void)lead_set(&l, "email", email);
    (void)lead_set(&l, "company", company);
    decision_init(d);
    matcher_decide(&fx->m, &l, d);
    lead_free(&l);
}

static void expect_reason(const decision *d, const char *fragment)
{
    if (!d->reason || !strstr(d->reason, fragment))
        fail_msg("reason '%s' lacks '%s'", d->reason ? d->reason : "(null)", fragment);
}

/* The plan of action for decision d of a lead with id L9, parsed. */
static json_t *plan_of(const fixture *fx, outcome_action a, const decision *d)
{
    lead l;
    lead_init(&l);
    (void)lead_set(&l, "id", "L9");
    char *text = outcome_plan_json(&fx->cfg.eng, a, &l, d, NULL, "t", 1.0);
    json_t *o = json_loads(text, 0, NULL);
    free(text);
    lead_free(&l);
    return o;
}

static bool has_candidate(const decision *d, const char *id)
{
    for (size_t i = 0; i < d->ncand; i++)
        if (strcmp(d->cand[i].account_id, id) == 0)
            return true;
    return false;
}

static const learned_fact always_004 = {LEARNED_ALWAYS, "acme", "acme.com", "004", "ann",
                                        "2026-12-02T10:00:00.000Z", "L1"};

/* ---- the table ---- */

static void test_table_keys(void **state)
{
    (void)state;
    learned_table *t = learned_new();
    learned_fact never = {LEARNED_NEVER, "acme", NULL, "001A", "bob", NULL, NULL};
    learned_fact never_dom = {LEARNED_NEVER, "acme", "acme.com", "001A", NULL, NULL, NULL};
    learned_fact no_domain = {LEARNED_ALWAYS, "acme", NULL, "001A", NULL, NULL, NULL};
    learned_fact no_account = {LEARNED_NEVER, "acme", NULL, "", NULL, NULL, NULL};
    assert_false(learned_put(t, &no_domain));
    assert_false(learned_put(t, &no_account));
    assert_true(learned_put(t, &always_004));
    assert_true(learned_put(t, &never));
    assert_true(learned_put(t, &never_dom));
    assert_int_equal(learned_count(t), 3);
    /* the same key again replaces */
    learned_fact again = always_004;
    again.account_id = "003";
    assert_true(learned_put(t, &again));
    assert_int_equal(learned_count(t), 3);
    assert_string_equal(learned_always(t, "acme.com", "acme")->account_id, "003");
    assert_null(learned_always(t, "acme.de", "acme"));
    /* never facts are told apart by domain */
    assert_string_equal(learned_never(t, NULL, "acme", "001A")->by, "bob");
    assert_null(learned_never(t, "acme.com", "acme", "001A")->by);
    assert_null(learned_never(t, "acme.de", "acme", "001A"));
    assert_true(learned_names_never(t, "acme"));
    /* removing the first slot moves the last: both others stay found */
    assert_true(learned_del(t, &again));
    assert_false(learned_del(t, &again));
    assert_non_null(learned_never(t, NULL, "acme", "001A"));
    assert_non_null(learned_never(t, "acme.com", "acme", "001A"));
    assert_true(learned_del(t, &never));
    assert_true(learned_names_never(t, "acme"));
    assert_true(learned_del(t, &never_dom));
    assert_false(learned_names_never(t, "acme"));
    assert_int_equal(learned_count(t), 0);
    learned_free(t);
}

static void test_describe(void **state)
{
    (void)state;
    strbuf sb;
    sb_init(&sb);
    learned_describe(&always_004, &sb);
    assert_string_equal(sb.buf, "learned from a review by ann on 2026-12-02 of lead L1");
    sb_reset(&sb);
    learned_fact bare = {LEARNED_NEVER, "x", NULL, "1", NULL, NULL, NULL};
    learned_describe(&bare, &sb);
    assert_string_equal(sb.buf, "learned from a review");
    sb_free(&sb);
}

/* ---- decisions ---- */

static void test_always_decides_before_scoring(void **state)
{
    fixture *fx = *state;
    decision d;
    decide(fx, "kari@acme.com", "Acme", &d);
    assert_int_equal(d.kind, DECISION_REVIEW);     /* two accounts on the domain */
    decision_free(&d);
    assert_true(matcher_learn(&fx->m, &always_004));
    assert_int_equal(matcher_learned(&fx->m), 1);
    decide(fx, "ola@acme.com", "Acme Inc.", &d);   /* the legal form is not in the key */
    assert_int_equal(d.kind, DECISION_MATCH);
    assert_string_equal(d.account_id, "004");
    assert_string_equal(d.rule, "learned");
    assert_int_equal(d.ncand, 1);
    expect_reason(&d, "is account 'Acme Holdings' (learned from a review by ann on "
                      "2026-12-02 of lead L1)");
    decision_free(&d);
    /* not from free-mail, not for another name */
    decide(fx, "ola@gmail.com", "Acme", &d);
    assert_string_not_equal(d.rule, "learned");
    decision_free(&d);
    decide(fx, "ola@acme.com", "Zyntra Analytics", &d);
    assert_string_not_equal(d.rule, "learned");
    decision_free(&d);
    /* forgotten: a review again */
    assert_true(matcher_unlearn(&fx->m, &always_004));
    decide(fx, "ola@acme.com", "Acme", &d);
    assert_int_equal(d.kind, DECISION_REVIEW);
    decision_free(&d);
}

static void test_always_to_a_missing_account_is_ignored(void **state)
{
    fixture *fx = *state;
    learned_fact gone = always_004;
    gone.account_id = "999";
    assert_true(matcher_learn(&fx->m, &gone));
    decision d;
    decide(fx, "ola@acme.com", "Acme", &d);
    assert_int_equal(d.kind, DECISION_REVIEW);
    decision_free(&d);
    assert_true(matcher_unlearn(&fx->m, &gone));
}

static void test_never_excludes_for_its_domain(void **state)
{
    fixture *fx = *state;
    learned_fact never = {LEARNED_NEVER, "brightwater energy", NULL, "005", "ann",
                          "2026-12-02T10:00:00Z", "L2"};
    decision d;
    decide(fx, "x@gmail.com", "Brightwater Energy", &d);
    assert_int_equal(d.kind, DECISION_MATCH);
    decision_free(&d);
    assert_true(matcher_learn(&fx->m, &never));
    decide(fx, "y@gmail.com", "Brightwater Energy Ltd", &d);
    assert_int_not_equal(d.kind, DECISION_MATCH);
    assert_false(has_candidate(&d, "005"));
    expect_reason(&d, "; account 'Brightwater Energy' (005) excluded for this company: learned "
                      "from a review by ann on 2026-12-02 of lead L2");
    decision_free(&d);
    /* the fact was learned from a lead without a corporate domain: one with bwe.io keeps 005 */
    decide(fx, "z@bwe.io", "Brightwater Energy", &d);
    assert_int_equal(d.kind, DECISION_MATCH);
    assert_string_equal(d.account_id, "005");
    decision_free(&d);
    assert_true(matcher_unlearn(&fx->m, &never));
}

static void test_learning_disabled(void **state)
{
    fixture *fx = *state;
    assert_true(matcher_learn(&fx->m, &always_004));
    fx->cfg.eng.learn_enabled = 0;
    decision d;
    decide(fx, "ola@acme.com", "Acme", &d);
    assert_int_equal(d.kind, DECISION_REVIEW);
    decision_free(&d);
    fx->cfg.eng.learn_enabled = 1;
    assert_true(matcher_unlearn(&fx->m, &always_004));
}

static void test_copy_learned(void **state)
{
    fixture *fx = *state;
    char err[256];
    matcher *to = matcher_new(&fx->cfg.eng, err, sizeof(err));
    assert_non_null(to);
    assert_true(matcher_learn(&fx->m, &always_004));
    matcher_copy_learned(to, &fx->m);
    assert_int_equal(matcher_learned(to), 1);
    learned_fact f = matcher_learned_fact(to, 0);
    assert_string_equal(f.name, "acme");
    assert_string_equal(f.lead_id, "L1");
    matcher_free(to);
    assert_true(matcher_unlearn(&fx->m, &always_004));
}

/* ---- lead facts, domains from contacts, the plan ---- */

static void test_name_key(void **state)
{
    fixture *fx = *state;
    decision d;
    decide(fx, "a@b.io", "Brightwater Energy, Ltd.", &d);
    assert_string_equal(d.facts.name_key, "brightwater energy");
    decision_free(&d);
    decide(fx, "a@b.io", "n/a", &d);
    assert_null(d.facts.name_key);
    decision_free(&d);
}

static void test_learn_domain(void **state)
{
    fixture *fx = *state;
    decision d;
    decide(fx, "a@brightwater-energy.com", "Brightwater Energy", &d);
    assert_string_equal(d.account_id, "005");
    assert_null(d.learn_domain);                   /* off by default */
    decision_free(&d);
    fx->cfg.eng.learn_domains = 1;
    decide(fx, "a@brightwater-energy.com", "Brightwater Energy", &d);
    assert_string_equal(d.learn_domain, "brightwater-energy.com");
    json_t *o = plan_of(fx, OUTCOME_CONVERT, &d);
    json_t *ld = json_object_get(o, "learn_domain");
    assert_string_equal(json_string_value(json_object_get(ld, "account_id")), "005");
    assert_string_equal(json_string_value(json_object_get(ld, "domain")), "brightwater-energy.com");
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "learn"), "name")),
                        "brightwater energy");
    json_decref(o);
    decision_free(&d);
    decide(fx, "a@brightwater-en.io", "Brightwater Energy", &d);  /* past the first word */
    assert_string_equal(d.learn_domain, "brightwater-en.io");
    decision_free(&d);
    /* a domain whose label is not the name (a host many companies share, or one word of the
     * name): not learned */
    const char *hosts[] = {"a@corp-mail.com", "a@energy-corp.com", "a@teambright.com",
                           "a@brightwatergroup.com"};
    for (size_t i = 0; i < ARRAY_LEN(hosts); i++) {
        decide(fx, hosts[i], "Brightwater Energy", &d);
        assert_string_equal(d.account_id, "005");
        assert_null(d.learn_domain);
        decision_free(&d);
    }
    /* matched by domain, or from free-mail: nothing to learn */
    decide(fx, "a@zyntra.com", "Zyntra", &d);
    assert_string_equal(d.account_id, "001");
    assert_null(d.learn_domain);
    decision_free(&d);
    decide(fx, "a@gmail.com", "Brightwater Energy", &d);
    assert_null(d.learn_domain);
    decision_free(&d);
    fx->cfg.eng.learn_domains = 0;
}

static void test_plan_learn_object(void **state)
{
    fixture *fx = *state;
    decision d;
    decide(fx, "a@gmail.com", "Brightwater Energy", &d);
    json_t *o = plan_of(fx, OUTCOME_DISMISS, &d);
    json_t *learn = json_object_get(o, "learn");
    assert_string_equal(json_string_value(json_object_get(learn, "name")), "brightwater energy");
    assert_null(json_object_get(learn, "domain"));  /* free-mail: no domain */
    json_decref(o);
    o = plan_of(fx, OUTCOME_FLAG, &d);
    assert_null(json_object_get(o, "learn"));       /* only resolutions teach */
    json_decref(o);
    decision_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_keys),
        cmocka_unit_test(test_describe),
        cmocka_unit_test(test_always_decides_before_scoring),
        cmocka_unit_test(test_always_to_a_missing_account_is_ignored),
        cmocka_unit_test(test_never_excludes_for_its_domain),
        cmocka_unit_test(test_learning_disabled),
        cmocka_unit_test(test_copy_learned),
        cmocka_unit_test(test_name_key),
        cmocka_unit_test(test_learn_domain),
        cmocka_unit_test(test_plan_learn_object),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
