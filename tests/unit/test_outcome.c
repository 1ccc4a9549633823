/* test_outcome.c - routing decisions to outcomes, new-account naming, contact roles, plan JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "outcome.h"

typedef struct fixture {
    conf c;
    lead l;
    decision d;
} fixture;

static int setup(void **state)
{
    fixture *fx = calloc(1, sizeof(*fx));
    char path[1024], err[512];
    snprintf(path, sizeof(path), "%s/conf/l2a.yaml", getenv("L2A_SOURCE_DIR"));
    if (conf_load(path, &fx->c, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        free(fx);
        return -1;
    }
    lead_init(&fx->l);
    decision_init(&fx->d);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    lead_free(&fx->l);
    decision_free(&fx->d);
    conf_free(&fx->c);
    free(fx);
    return 0;
}

/* A fresh lead and decision for each case. */
static void reset(fixture *fx, decision_kind k, const char *email_domain, const char *company)
{
    lead_free(&fx->l);
    decision_free(&fx->d);
    lead_init(&fx->l);
    decision_init(&fx->d);
    lead_set(&fx->l, "id", "00Q1");
    if (company)
        lead_set(&fx->l, "company", company);
    fx->d.kind = k;
    fx->d.lead_id = strdup("00Q1");
    fx->d.email_domain = email_domain ? strdup(email_domain) : NULL;
    fx->d.company_junk = company == NULL;
}

static void test_route(void **state)
{
    fixture *fx = *state;
    reset(fx, DECISION_MATCH, "acme.com", "Acme");
    assert_int_equal(outcome_route(&fx->c, &fx->l, &fx->d), OUTCOME_CONVERT);
    reset(fx, DECISION_REVIEW, "acme.com", "Acme");
    assert_int_equal(outcome_route(&fx->c, &fx->l, &fx->d), OUTCOME_FLAG);
    reset(fx, DECISION_INVALID, NULL, NULL);
    assert_int_equal(outcome_route(&fx->c, &fx->l, &fx->d), OUTCOME_NONE);
    reset(fx, DECISION_MATCH, "mailinator.com", "Acme");
    fx->d.disposable = true;
    assert_int_equal(outcome_route(&fx->c, &fx->l, &fx->d), OUTCOME_DROP);
    /* no match: flag by default; create_account only with something to name the account */
    reset(fx, DECISION_NO_MATCH, "acme.com", "Acme");
    assert_int_equal(outcome_route(&fx->c, &fx->l, &fx->d), OUTCOME_FLAG);
    fx->c.policy = NO_MATCH_CREATE_ACCOUNT;
    assert_int_equal(outcome_route(&fx->c, &fx->l, &fx->d), OUTCOME_CREATE_ACCOUNT);
    fx->d.freemail = true;
    assert_int_equal(outcome_route(&fx->c, &fx->l, &fx->d), OUTCOME_FLAG);
    fx->c.seg_freemail = SEGMENT_DROP;
    assert_int_equal(outcome_route(&fx->c, &fx->l, &fx->d), OUTCOME_DROP);
    reset(fx, DECISION_NO_MATCH, "acme.com", NULL);
    assert_int_equal(outcome_route(&fx->c, &fx->l, &fx->d), OUTCOME_FLAG);
    fx->c.policy = NO_MATCH_FLAG;
    fx->c.seg_freemail = SEGMENT_FLAG;
}

static void test_new_account(void **state)
{
    fixture *fx = *state;
    char id[320], name[512], dom[256];
    reset(fx, DECISION_NO_MATCH, "acme.co.uk", "Acme Widgets Ltd");
    assert_true(outcome_new_account(&fx->l, &fx->d, id, sizeof(id), name, sizeof(name), dom,
                                    sizeof(dom)));
    assert_string_equal(id, "new:acme.co.uk");
    assert_string_equal(name, "Acme Widgets Ltd");
    assert_string_equal(dom, "acme.co.uk");
    reset(fx, DECISION_NO_MATCH, NULL, "Société Générale, S.A.");
    assert_true(outcome_new_account(&fx->l, &fx->d, id, sizeof(id), name, sizeof(name), dom,
                                    sizeof(dom)));
    assert_string_equal(id, "new:societegeneralesa");
    assert_string_equal(dom, "");
    reset(fx, DECISION_NO_MATCH, NULL, "Newco");     /* no usable email, a website */
    fx->d.web_domain = strdup("newco.io");
    assert_true(outcome_new_account(&fx->l, &fx->d, id, sizeof(id), name, sizeof(name), dom,
                                    sizeof(dom)));
    assert_string_equal(id, "new:newco.io");
    assert_string_equal(dom, "newco.io");
    reset(fx, DECISION_NO_MATCH, NULL, NULL);
    assert_false(outcome_new_account(&fx->l, &fx->d, id, sizeof(id), name, sizeof(name), dom,
                                     sizeof(dom)));
}

static void test_roles(void **state)
{
    fixture *fx = *state;
    assert_string_equal(outcome_role(&fx->c, "VP of Engineering"), "Decision Maker");
    assert_string_equal(outcome_role(&fx->c, "Head of IT"), "Decision Maker");
    assert_string_equal(outcome_role(&fx->c, "Procurement Specialist"), "Purchasing");
    assert_string_equal(outcome_role(&fx->c, "Software Engineer"), "Technical Evaluator");
    assert_string_equal(outcome_role(&fx->c, "Marketing Manager"), "Influencer");
    assert_string_equal(outcome_role(&fx->c, NULL), "Influencer");
}

static void test_plan_json(void **state)
{
    fixture *fx = *state;
    reset(fx, DECISION_MATCH, "acme.com", "Acme");
    lead_set(&fx->l, "email", "  Jo.Doe@ACME.com ");
    lead_set(&fx->l, "title", "Chief Revenue Officer");
    lead_set(&fx->l, "score", "120");
    fx->c.opp_enabled = 1;
    outcome_account acct = {"001A", "Prospect", "005U1"};
    char *text = outcome_plan_json(&fx->c, OUTCOME_CONVERT, &fx->l, &fx->d, &acct,
                                   "2026-11-23T10:00:00.000Z", 1795400000000.0);
    json_error_t jerr;
    json_t *p = json_loads(text, 0, &jerr);
    assert_non_null(p);
    assert_string_equal(json_string_value(json_object_get(p, "action")), "convert");
    assert_string_equal(json_string_value(json_object_get(p, "account_id")), "001A");
    assert_string_equal(json_string_value(json_object_get(p, "role")), "Decision Maker");
    json_t *l = json_object_get(p, "lead");
    assert_string_equal(json_string_value(json_object_get(l, "email")), "jo.doe@acme.com");
    assert_string_equal(json_string_value(json_object_get(l, "score")), "120");
    json_t *o = json_object_get(p, "opp");
    assert_true(json_is_true(json_object_get(o, "create")));
    assert_string_equal(json_string_value(json_object_get(o, "first_stage")), "Marketing Qualified");
    assert_string_equal(json_string_value(json_object_get(json_object_get(o, "next"),
                                                          "Marketing Qualified")),
                        "Sales Accepted");
    assert_int_equal(json_integer_value(json_object_get(p, "now_ms")), 1795400000000LL);
    json_decref(p);
    free(text);
    acct.type = "Customer";    /* not in opportunities.account_types: no new opportunity */
    text = outcome_plan_json(&fx->c, OUTCOME_CONVERT, &fx->l, &fx->d, &acct, "t", 1.0);
    p = json_loads(text, 0, &jerr);
    assert_true(json_is_false(json_object_get(json_object_get(p, "opp"), "create")));
    json_decref(p);
    free(text);
    fx->c.opp_enabled = 0;
}

static void test_plan_flag(void **state)
{
    fixture *fx = *state;
    reset(fx, DECISION_REVIEW, "acme.com", "Acme");
    fx->d.reason = strdup("ambiguous: 2 accounts");
    fx->d.cand[0].account_id = strdup("001A");
    fx->d.cand[0].score = 0.9;
    fx->d.ncand = 1;
    char *text = outcome_plan_json(&fx->c, OUTCOME_FLAG, &fx->l, &fx->d, NULL, "t", 5.0);
    json_error_t jerr;
    json_t *p = json_loads(text, 0, &jerr);
    json_t *a = json_object_get(p, "alert");
    assert_string_equal(json_string_value(json_object_get(a, "kind")), "review");
    assert_string_equal(json_string_value(json_object_get(a, "reason")), "ambiguous: 2 accounts");
    assert_string_equal(json_string_value(json_object_get(a, "candidates")),
                        "[{\"account_id\":\"001A\",\"score\":0.9}]");
    assert_null(json_object_get(p, "opp"));
    json_decref(p);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route),      cmocka_unit_test(test_new_account),
        cmocka_unit_test(test_roles),      cmocka_unit_test(test_plan_json),
        cmocka_unit_test(test_plan_flag),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
