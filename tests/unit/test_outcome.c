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
#include "engine.h"

typedef struct fixture {
    conf c;
    matcher *m;     /* reads the lead facts, as the daemon's and review's outcomes do */
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
    fx->m = matcher_new(&fx->c.eng, err, sizeof(err));
    if (!fx->m) {
        fprintf(stderr, "%s\n", err);
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
    matcher_free(fx->m);
    conf_free(&fx->c);
    free(fx);
    return 0;
}

/* A fresh lead (id 00Q1, the email and company given, a website when set) and a decision of
 * kind k whose facts the engine read off the lead. */
static void reset_web(fixture *fx, decision_kind k, const char *email, const char *company,
                      const char *website)
{
    lead_free(&fx->l);
    decision_free(&fx->d);
    lead_init(&fx->l);
    decision_init(&fx->d);
    lead_set(&fx->l, "id", "00Q1");
    if (company)
        lead_set(&fx->l, "company", company);
    if (email)
        lead_set(&fx->l, "email", email);
    if (website)
        lead_set(&fx->l, "website", website);
    fx->d.kind = k;
    fx->d.lead_id = strdup("00Q1");
    matcher_lead_facts(fx->m, &fx->l, &fx->d.facts);
}

static void reset(fixture *fx, decision_kind k, const char *email, const char *company)
{
    reset_web(fx, k, email, company, NULL);
}

static void test_route(void **state)
{
    fixture *fx = *state;
    reset(fx, DECISION_MATCH, "ann@acme.com", "Acme");
    assert_int_equal(outcome_route(&fx->c.eng, &fx->d), OUTCOME_CONVERT);
    reset(fx, DECISION_REVIEW, "ann@acme.com", "Acme");
    assert_int_equal(outcome_route(&fx->c.eng, &fx->d), OUTCOME_FLAG);
    reset(fx, DECISION_INVALID, NULL, NULL);
    assert_int_equal(outcome_route(&fx->c.eng, &fx->d), OUTCOME_NONE);
    reset(fx, DECISION_MATCH, "ann@mailinator.com", "Acme");
    assert_true(fx->d.facts.disposable);
    assert_int_equal(outcome_route(&fx->c.eng, &fx->d), OUTCOME_DROP);
    /* no match: flag by default; create_account only with something to name the account */
    reset(fx, DECISION_NO_MATCH, "ann@acme.com", "Acme");
    assert_int_equal(outcome_route(&fx->c.eng, &fx->d), OUTCOME_FLAG);
    fx->c.eng.policy = NO_MATCH_CREATE_ACCOUNT;
    assert_int_equal(outcome_route(&fx->c.eng, &fx->d), OUTCOME_CREATE_ACCOUNT);
    reset(fx, DECISION_NO_MATCH, "ann@gmail.com", "Acme");
    assert_true(fx->d.facts.freemail);
    assert_int_equal(outcome_route(&fx->c.eng, &fx->d), OUTCOME_FLAG);
    fx->c.eng.seg_freemail = SEGMENT_DROP;
    assert_int_equal(outcome_route(&fx->c.eng, &fx->d), OUTCOME_DROP);
    reset(fx, DECISION_NO_MATCH, "ann@acme.com", NULL);
    assert_true(fx->d.facts.company_junk);
    assert_int_equal(outcome_route(&fx->c.eng, &fx->d), OUTCOME_FLAG);
    fx->c.eng.policy = NO_MATCH_FLAG;
    fx->c.eng.seg_freemail = SEGMENT_FLAG;
}

static void assert_new_account(const lead_facts *f, const char *id, const char *name,
                               const char *domain)
{
    assert_non_null(f->new_account_id);
    assert_string_equal(f->new_account_id, id);
    assert_string_equal(f->new_account_name, name);
    if (domain)
        assert_string_equal(f->new_account_domain, domain);
    else
        assert_null(f->new_account_domain);
}

static void test_new_account(void **state)
{
    fixture *fx = *state;
    reset(fx, DECISION_NO_MATCH, "ann@mail.acme.co.uk", "Acme Widgets Ltd");
    assert_new_account(&fx->d.facts, "new:acme.co.uk", "Acme Widgets Ltd", "acme.co.uk");
    reset(fx, DECISION_NO_MATCH, "ann@gmail.com", "Société Générale, S.A.");
    assert_new_account(&fx->d.facts, "new:societegeneralesa", "Société Générale, S.A.", NULL);
    reset_web(fx, DECISION_NO_MATCH, NULL, "Newco", "https://www.newco.io/en/");
    assert_new_account(&fx->d.facts, "new:newco.io", "Newco", "newco.io");
    reset(fx, DECISION_NO_MATCH, NULL, NULL);
    assert_null(fx->d.facts.new_account_id);
}

/* Domain aliases apply to the new account too: a lead on an acquired brand's domain makes the
 * parent's account, whoever asks (the daemon's decision or a review's facts). */
static void test_new_account_alias(void **state)
{
    fixture *fx = *state;
    engine_opts opts = fx->c.eng;
    str_pair alias = {"brand.com", "parent.com"};
    opts.domain_aliases = (pair_list){&alias, 1};
    char err[512];
    matcher *m = matcher_new(&opts, err, sizeof(err));
    assert_non_null(m);
    reset(fx, DECISION_NO_MATCH, "bob@brand.com", "Brand Unknown Co");
    lead_facts f;
    matcher_lead_facts(m, &fx->l, &f);
    assert_new_account(&f, "new:parent.com", "Brand Unknown Co", "parent.com");
    decision d;
    matcher_decide(m, &fx->l, &d);
    assert_string_equal(d.facts.new_account_id, f.new_account_id);
    decision_free(&d);
    lead_facts_free(&f);
    matcher_free(m);
}

static void test_roles(void **state)
{
    fixture *fx = *state;
    assert_string_equal(outcome_role(&fx->c.eng, "VP of Engineering"), "Decision Maker");
    assert_string_equal(outcome_role(&fx->c.eng, "Head of IT"), "Decision Maker");
    assert_string_equal(outcome_role(&fx->c.eng, "Procurement Specialist"), "Purchasing");
    assert_string_equal(outcome_role(&fx->c.eng, "Software Engineer"), "Technical Evaluator");
    assert_string_equal(outcome_role(&fx->c.eng, "Marketing Manager"), "Influencer");
    assert_string_equal(outcome_role(&fx->c.eng, NULL), "Influencer");
}

/* A match of a lead with a messy email and a high score into a Prospect account, opportunities
 * on: the case both plan encodings are checked with. Returns the account. */
static outcome_account convert_case(fixture *fx)
{
    reset(fx, DECISION_MATCH, "  Jo.Doe@ACME.com ", "Acme"); /* the plan's email: the engine's */
    lead_set(&fx->l, "title", "Chief Revenue Officer");
    lead_set(&fx->l, "score", "120");
    fx->c.eng.opp_enabled = 1;
    return (outcome_account){"001A", "Prospect", "005U1"};
}

static void test_plan_json(void **state)
{
    fixture *fx = *state;
    outcome_account acct = convert_case(fx);
    char *text = outcome_plan_json(&fx->c.eng, OUTCOME_CONVERT, &fx->l, &fx->d, &acct,
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
    text = outcome_plan_json(&fx->c.eng, OUTCOME_CONVERT, &fx->l, &fx->d, &acct, "t", 1.0);
    p = json_loads(text, 0, &jerr);
    assert_true(json_is_false(json_object_get(json_object_get(p, "opp"), "create")));
    json_decref(p);
    free(text);
    fx->c.eng.opp_enabled = 0;
}

static void test_plan_flag(void **state)
{
    fixture *fx = *state;
    reset(fx, DECISION_REVIEW, "ann@acme.com", "Acme");
    fx->d.reason = strdup("ambiguous: 2 accounts");
    fx->d.cand[0].account_id = strdup("001A");
    fx->d.cand[0].score = 0.9;
    fx->d.ncand = 1;
    char *text = outcome_plan_json(&fx->c.eng, OUTCOME_FLAG, &fx->l, &fx->d, NULL, "t", 5.0);
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

/* A sink that keeps each field as "section.field=value" and skips section skip (NULL: none):
 * its fields and those of sections inside it are never handed over. */
typedef struct seen_sink {
    strvec fields;
    const char *skip;
    const char *open[4];
    int depth, opens, closes;
} seen_sink;

static bool seen_open(void *ctx, const char *name)
{
    seen_sink *s = ctx;
    if (s->skip && strcmp(name, s->skip) == 0)
        return false;
    s->open[++s->depth] = name;
    s->opens++;
    return true;
}

static void seen_field(void *ctx, const char *k, const char *v)
{
    seen_sink *s = ctx;
    char line[256];
    snprintf(line, sizeof(line), "%s.%s=%s", s->open[s->depth], k, v);
    sv_push(&s->fields, line);
}

static void seen_close(void *ctx)
{
    seen_sink *s = ctx;
    s->depth--;
    s->closes++;
}

/* The plan emitted as JSON has: each section in its place, numbers as text, a true flag "1" and
 * a false one left out. */
static void test_plan_emit(void **state)
{
    fixture *fx = *state;
    outcome_account acct = convert_case(fx);
    seen_sink s = {.open = {""}};
    sv_init(&s.fields);
    outcome_sink sink = {seen_open, seen_field, seen_close, &s};
    outcome_plan_emit(&fx->c.eng, OUTCOME_CONVERT, &fx->l, &fx->d, &acct,
                      "2026-11-23T10:00:00.000Z", 1795400000000.0, &sink);
    assert_int_equal(s.depth, 0);
    assert_int_equal(s.opens, s.closes);
    const char *want[] = {".action=convert", ".account_id=001A", ".now_ms=1795400000000",
                          ".role=Decision Maker", "lead.email=jo.doe@acme.com", "lead.score=120",
                          "opp.create=1", "opp.next.Marketing Qualified=Sales Accepted"};
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        assert_true(sv_contains(&s.fields, want[i]));
    char bar[64];
    snprintf(bar, sizeof(bar), "opp.advance_score=%d", fx->c.eng.opp_advance_score);
    assert_true(sv_contains(&s.fields, bar));
    for (size_t i = 0; i < s.fields.n; i++)
        assert_null(strstr(s.fields.v[i], "alert."));
    sv_free(&s.fields);
    sv_init(&s.fields);
    acct.type = "Customer";    /* not in opportunities.account_types: create left out */
    outcome_plan_emit(&fx->c.eng, OUTCOME_CONVERT, &fx->l, &fx->d, &acct, "t", 1.0, &sink);
    assert_false(sv_contains(&s.fields, "opp.create=1"));
    assert_true(sv_contains(&s.fields, "opp.first_stage=Marketing Qualified"));
    sv_free(&s.fields);
    fx->c.eng.opp_enabled = 0;
}

static void test_plan_sink_skips(void **state)
{
    fixture *fx = *state;
    outcome_account acct = convert_case(fx);
    seen_sink s = {.skip = "opp", .open = {""}};
    sv_init(&s.fields);
    outcome_sink sink = {seen_open, seen_field, seen_close, &s};
    outcome_plan_emit(&fx->c.eng, OUTCOME_CONVERT, &fx->l, &fx->d, &acct, "t", 1.0, &sink);
    assert_int_equal(s.depth, 0);
    assert_int_equal(s.opens, s.closes);
    assert_true(sv_contains(&s.fields, ".action=convert"));
    assert_true(sv_contains(&s.fields, "lead.email=jo.doe@acme.com"));
    assert_true(sv_contains(&s.fields, ".role=Decision Maker"));
    for (size_t i = 0; i < s.fields.n; i++)
        assert_null(strstr(s.fields.v[i], "opp"));
    sv_free(&s.fields);
    fx->c.eng.opp_enabled = 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_route),      cmocka_unit_test(test_new_account),
        cmocka_unit_test(test_new_account_alias),
        cmocka_unit_test(test_roles),      cmocka_unit_test(test_plan_json),
        cmocka_unit_test(test_plan_flag),  cmocka_unit_test(test_plan_emit),
        cmocka_unit_test(test_plan_sink_skips),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
