/* test_match.c - unit tests for matcher_decide on the shipped config: domain, name, ties and output. */
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
#include "evidence.h"

#define EPS 1e-9

/* Invented accounts: id, name, domains, type, last_activity. */
static const char *const accounts[][5] = {
    {"001", "Zyntra Analytics", "https://www.zyntra.com/", "Customer", NULL},
    {"002", "Brindlewood Logistics Ltd", "brindlewood.co.uk", "Prospect", NULL},
    /* two accounts on one domain with different names */
    {"003", "Halvorsen Marine", "halvorsen.no", NULL, NULL},
    {"004", "Halvorsen Energy", "www.halvorsen.no", NULL, NULL},
    {"005", "Brightwater Energy", NULL, NULL, NULL},
    /* duplicates: same name and domain, only the type tells them apart (005's activity is newer,
     * so "type" must come before "last_activity") */
    {"006", "Quillon Systems", "quillon.io", "Prospect", "2024-06-01"},
    {"007", "Quillon Systems", "quillon.io", "Customer", "2020-01-01"},
    /* regional accounts: the qualifier is not part of the name */
    {"008", "Velmora UK", NULL, NULL, NULL},
    {"009", "Velmora Germany", NULL, NULL, NULL},
    /* lookalike */
    {"010", "Target Fuel", "targetfuel.com", NULL, NULL},
    /* many accounts sharing a word */
    {"011", "Pinecrest Dental", "pinecrestdental.com", NULL, NULL},
    {"012", "Pinecrest Realty", NULL, NULL, NULL},
    {"013", "Pinecrest Bakery", NULL, NULL, NULL},
    {"014", "Pinecrest Outfitters", NULL, NULL, NULL},
    {"015", "Pinecrest Media", NULL, NULL, NULL},
    {"016", "Pinecrest Farms", NULL, NULL, NULL},
    {"017", "Pinecrest Dental Studio", NULL, NULL, NULL},
};

/* Upserts an invented account: id, name, domains, type, last_activity (NULL: absent). */
static void add_account(fixture *fx, const char *const a[5])
{
    account_rec r;
    account_rec_init(&r);
    account_rec_set(&r, "id", a[0]);
    account_rec_set(&r, "name", a[1]);
    account_rec_set(&r, "domains", a[2]);
    account_rec_set(&r, "type", a[3]);
    account_rec_set(&r, "last_activity", a[4]);
    (void)index_upsert(&fx->m.ix, &r);
    account_rec_free(&r);
}

static int setup(void **state)
{
    fixture *fx = fixture_new();
    if (!fx)
        return -1;
    for (size_t i = 0; i < ARRAY_LEN(accounts); i++)
        add_account(fx, accounts[i]);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture_free(*state);
    return 0;
}

/* Matches a lead built from the given fields (NULL = absent). */
static void decide(const fixture *fx, const char *id, const char *email, const char *company,
                   const char *website, decision *d)
{
    lead l;
    lead_init(&l);
    lead_set(&l, "id", id);
    if (email)
        lead_set(&l, "email", email);
    if (company)
        lead_set(&l, "company", company);
    if (website)
        lead_set(&l, "website", website);
    matcher_decide(&fx->m, &l, d);
    lead_free(&l);
}

/* Fails with the decision's JSON when kind, account or rule differ, or when the reason lacks one of
 * the NULL-terminated fragments. */
static void expect(const decision *d, decision_kind kind, const char *account_id, const char *rule,
                   ...)
{
    bool ok = d->kind == kind && d->rule && strcmp(d->rule, rule) == 0 &&
              (account_id ? d->account_id && strcmp(d->account_id, account_id) == 0
                          : d->account_id == NULL) &&
              d->reason != NULL;
    const char *missing = NULL;
    va_list ap;
    va_start(ap, rule);
    for (const char *frag = va_arg(ap, const char *); frag; frag = va_arg(ap, const char *))
        if (!missing && (!d->reason || !strstr(d->reason, frag)))
            missing = frag;
    va_end(ap);
    if (ok && !missing)
        return;
    strbuf sb;
    sb_init(&sb);
    decision_to_json(d, &sb);
    char msg[4096];
    snprintf(msg, sizeof(msg), "expected %s %s rule %s%s%s; got %s", decision_kind_name(kind),
             account_id ? account_id : "-", rule, missing ? "; reason lacks: " : "",
             missing ? missing : "", sb.buf);
    sb_free(&sb);
    fail_msg("%s", msg);
}

static bool has_candidate(const decision *d, const char *id)
{
    for (size_t i = 0; i < d->ncand; i++)
        if (strcmp(d->cand[i].account_id, id) == 0)
            return true;
    return false;
}

static void test_exact_corporate_domain(void **state)
{
    fixture *fx = *state;
    decision d;
    decide(fx, "L1", "jane.doe@zyntra.com", "Zyntra Analytics, Inc.", NULL, &d);
    expect(&d, DECISION_MATCH, "001", "domain+name",
           "email domain zyntra.com = website of account 'Zyntra Analytics'",
           "company 'Zyntra Analytics, Inc.' ~ account name 'Zyntra Analytics' (1.00: 2 exact)",
           NULL);
    assert_string_equal(d.lead_id, "L1");
    assert_float_equal(d.score, 1.0, EPS);
    assert_string_equal(d.facts.email_domain, "zyntra.com");
    assert_false(d.facts.freemail);
    assert_false(d.facts.company_junk);
    assert_int_equal(d.ncand, 1);
    assert_string_equal(d.cand[0].account_id, "001");
    decision_free(&d);

    /* A subdomain and no usable company: the domain alone decides, at the domain score. */
    decide(fx, "L2", "Bob@Mail.Zyntra.com", "n/a", NULL, &d);
    expect(&d, DECISION_MATCH, "001", "domain",
           "email domain zyntra.com = website of account 'Zyntra Analytics'", NULL);
    assert_float_equal(d.score, fx->cfg.eng.domain_score, EPS);
    assert_true(d.facts.company_junk);
    decision_free(&d);

    /* The lead's website works the same way when the email is free-mail. */
    decide(fx, "L3", "jd@gmail.com", NULL, "https://zyntra.com/contact", &d);
    expect(&d, DECISION_MATCH, "001", "domain",
           "lead website domain zyntra.com = website of account 'Zyntra Analytics'", NULL);
    assert_true(d.facts.freemail);
    decision_free(&d);
}

/* A freed decision holds no strings: freeing it again frees nothing (ASan reports a second free). */
static void test_decision_free_twice(void **state)
{
    fixture *fx = *state;
    decision d;
    decide(fx, "L1", "jane.doe@zyntra.com", "Zyntra Analytics, Inc.", NULL, &d);
    assert_int_equal(d.ncand, 1);
    decision_free(&d);
    assert_null(d.lead_id);
    assert_null(d.reason);
    assert_null(d.strings);
    assert_null(d.facts.strings);
    assert_int_equal(d.ncand, 0);
    decision_free(&d);
    decision_init(&d);
    d.reason = xstrdup("a string of its own");
    d.learn_domain = xstrdup("acme.com");
    decision_free(&d);
    assert_null(d.learn_domain);
    decision_free(&d);
}

static void upsert(fixture *fx, const char *id, const char *name, const char *domains)
{
    account_rec r;
    account_rec_init(&r);
    account_rec_set(&r, "id", id);
    account_rec_set(&r, "name", name);
    account_rec_set(&r, "domains", domains);
    (void)index_upsert(&fx->m.ix, &r);
    account_rec_free(&r);
}

/* An internationalised domain is one domain in its Unicode and its A-label (xn--) form: an
 * account's website in one form matches a lead's email in the other. */
static void test_idn_domain(void **state)
{
    fixture *fx = *state;
    decision d;
    upsert(fx, "IDN1", "Grünwald Bücherstube", "https://www.xn--grnwald-o2a.de/");
    upsert(fx, "IDN2", "Ölmühle Hartl", "ölmühle.at");
    decide(fx, "I1", "anna@grünwald.de", NULL, NULL, &d);
    expect(&d, DECISION_MATCH, "IDN1", "domain", "email domain grünwald.de", NULL);
    decision_free(&d);
    decide(fx, "I2", "Sepp@XN--LMHLE-IUA8B.AT", NULL, NULL, &d);
    expect(&d, DECISION_MATCH, "IDN2", "domain", "email domain ölmühle.at", NULL);
    assert_string_equal(d.facts.email_domain, "ölmühle.at");
    decision_free(&d);
    assert_true(index_delete(&fx->m.ix, "IDN1"));
    assert_true(index_delete(&fx->m.ix, "IDN2"));
}

static void test_freemail_exact_name(void **state)
{
    fixture *fx = *state;
    decision d;
    decide(fx, "L10", "jdoe1987@gmail.com", "Brindlewood Logistics", NULL, &d);
    expect(&d, DECISION_MATCH, "002", "name", "free-mail address (gmail.com)",
           "company 'Brindlewood Logistics' ~ account name 'Brindlewood Logistics Ltd' "
           "(1.00: 2 exact)",
           NULL);
    assert_float_equal(d.score, 1.0, EPS);
    assert_true(d.facts.freemail);
    assert_string_equal(d.facts.email_domain, "gmail.com");
    decision_free(&d);

    /* Accents, case and word order do not matter. */
    decide(fx, "L11", "x@yahoo.com", "LOGISTICS BRÍNDLEWOOD", NULL, &d);
    expect(&d, DECISION_MATCH, "002", "name", "free-mail address (yahoo.com)", NULL);
    decision_free(&d);
}

static void test_freemail_junk_company(void **state)
{
    fixture *fx = *state;
    decision d;
    decide(fx, "L20", "someone@gmail.com", "n/a", NULL, &d);
    expect(&d, DECISION_NO_MATCH, NULL, "none", "free-mail address (gmail.com)",
           "company 'n/a' carries no evidence", NULL);
    assert_int_equal(d.ncand, 0);
    assert_float_equal(d.score, 0.0, EPS);
    assert_true(d.facts.company_junk);
    decision_free(&d);

    decide(fx, "L21", "someone@outlook.com", "Self-Employed", NULL, &d);
    expect(&d, DECISION_NO_MATCH, NULL, "none", "carries no evidence", NULL);
    decision_free(&d);
}

static void test_malformed_email_junk_company(void **state)
{
    fixture *fx = *state;
    decision d;
    decide(fx, "L30", "jane.doe at zyntra", "-", NULL, &d);
    expect(&d, DECISION_INVALID, NULL, "invalid", "nothing to match on",
           "email 'jane.doe at zyntra'", "company '-' carries no evidence", NULL);
    assert_string_equal(d.lead_id, "L30");
    assert_int_equal(d.ncand, 0);
    decision_free(&d);

    /* No email at all and no company. */
    decide(fx, "L31", NULL, NULL, NULL, &d);
    expect(&d, DECISION_INVALID, NULL, "invalid", "(no email)", NULL);
    decision_free(&d);

    /* A malformed email with a real company is still matched by name. */
    decide(fx, "L32", "jane.doe at zyntra", "Brindlewood Logistics", NULL, &d);
    expect(&d, DECISION_MATCH, "002", "name", "email 'jane.doe at zyntra' unusable", NULL);
    decision_free(&d);
}

static void test_one_domain_company_decides(void **state)
{
    fixture *fx = *state;
    decision d;
    decide(fx, "L40", "ops@halvorsen.no", "Halvorsen Energy AS", NULL, &d);
    expect(&d, DECISION_MATCH, "004", "domain+name",
           "email domain halvorsen.no = website of account", "and 1 other accounts",
           "account name 'Halvorsen Energy' (1.00: 2 exact)", NULL);
    assert_float_equal(d.score, 1.0, EPS);
    assert_true(has_candidate(&d, "003"));
    decision_free(&d);

    decide(fx, "L41", "ops@halvorsen.no", "Halvorsen Marine", NULL, &d);
    expect(&d, DECISION_MATCH, "003", "domain+name",
           "account name 'Halvorsen Marine' (1.00: 2 exact)", NULL);
    decision_free(&d);
}

/* A lead without a company on a domain of two accounts: neither account's name is compared
 * (score_one skips their words), both score the domain score alone. */
static void test_no_company_domain_only(void **state)
{
    fixture *fx = *state;
    decision d;
    decide(fx, "L42", "ops@halvorsen.no", NULL, NULL, &d);
    assert_int_equal(d.ncand, 2);
    for (size_t i = 0; i < d.ncand; i++)
        assert_float_equal(d.cand[i].score, fx->cfg.eng.domain_score, EPS);
    assert_true(has_candidate(&d, "003") && has_candidate(&d, "004"));
    assert_null(strstr(d.reason, "account name"));
    decision_free(&d);
}

static void test_duplicate_names_tie_break(void **state)
{
    fixture *fx = *state;
    decision d;
    /* On their shared domain. */
    decide(fx, "L50", "it@quillon.io", "Quillon Systems", NULL, &d);
    expect(&d, DECISION_MATCH, "007", "tie_break", "email domain quillon.io",
           "2 accounts tied, tie-break 'type' chose 'Quillon Systems'", NULL);
    assert_float_equal(d.score, 1.0, EPS);
    assert_int_equal(d.ncand, 2);
    assert_true(has_candidate(&d, "006"));
    assert_true(has_candidate(&d, "007"));
    decision_free(&d);

    /* By name only, from a free-mail address. */
    decide(fx, "L51", "q@gmail.com", "Quillon Systems", NULL, &d);
    expect(&d, DECISION_MATCH, "007", "tie_break", "free-mail address (gmail.com)",
           "tie-break 'type' chose 'Quillon Systems'", NULL);
    decision_free(&d);
}

static void test_near_tie_goes_to_review(void **state)
{
    fixture *fx = *state;
    decision d;
    /* Two accounts on the domain, the bare "Halvorsen" names both nearly equally well
     * ("energy" is commoner than "marine", so Energy is a little closer, but within the margin). */
    decide(fx, "L60", "ops@halvorsen.no", "Halvorsen", NULL, &d);
    expect(&d, DECISION_REVIEW, NULL, "domain", "email domain halvorsen.no",
           "ambiguous: 2 accounts within 0.05 ('Halvorsen Energy', 'Halvorsen Marine')", NULL);
    assert_true(d.score >= fx->cfg.eng.domain_score);
    assert_int_equal(d.ncand, 2);
    assert_string_equal(d.cand[0].account_id, "004");
    assert_string_equal(d.cand[1].account_id, "003");
    assert_true(d.cand[0].score > d.cand[1].score);
    decision_free(&d);

    /* By name: both regional accounts are exactly "Velmora" and no tie-break separates them. */
    decide(fx, "L61", "v@gmail.com", "Velmora", NULL, &d);
    expect(&d, DECISION_REVIEW, NULL, "name", "ambiguous: 2 accounts within 0.05", "'Velmora UK'",
           "'Velmora Germany'", NULL);
    assert_float_equal(d.score, 1.0, EPS);
    decision_free(&d);
}

static void test_lookalike_is_not_a_match(void **state)
{
    fixture *fx = *state;
    decision d;
    decide(fx, "L70", "shopper@gmail.com", "Target", NULL, &d);
    assert_int_not_equal(d.kind, DECISION_MATCH);
    expect(&d, DECISION_NO_MATCH, NULL, "name", "account name 'Target Fuel'", "(0.67: 1 exact, 0+1 unmatched words)",
           "below the match threshold 0.95", NULL);
    assert_true(d.score < fx->cfg.eng.t_review);
    assert_true(d.score > 0);
    assert_true(has_candidate(&d, "010"));
    decision_free(&d);

    /* From target.com: not Target Fuel's domain, and its label does not spell the name. */
    decide(fx, "L71", "buyer@target.com", "Target", NULL, &d);
    assert_int_not_equal(d.kind, DECISION_MATCH);
    assert_null(d.account_id);
    decision_free(&d);
}

static void test_candidates_sorted_and_capped(void **state)
{
    fixture *fx = *state;
    decision d;
    decide(fx, "L80", "p@gmail.com", "Pinecrest Dental", NULL, &d);
    expect(&d, DECISION_MATCH, "011", "name", "account name 'Pinecrest Dental' (1.00: 2 exact)",
           NULL);
    assert_int_equal(fx->cfg.eng.max_candidates, 5);
    assert_int_equal(d.ncand, 5);                         /* 7 accounts share "pinecrest" */
    assert_string_equal(d.cand[0].account_id, "011");
    assert_string_equal(d.cand[1].account_id, "017");     /* "Pinecrest Dental Studio" */
    assert_float_equal(d.cand[0].score, 1.0, EPS);
    for (size_t i = 1; i < d.ncand; i++)
        assert_true(d.cand[i - 1].score >= d.cand[i].score);
    assert_true(d.cand[4].score > 0);
    decision_free(&d);

    /* The cap follows the config. */
    fx->cfg.eng.max_candidates = 2;
    decide(fx, "L81", "p@gmail.com", "Pinecrest", NULL, &d);
    fx->cfg.eng.max_candidates = 5;
    assert_int_equal(d.ncand, 2);
    assert_true(d.cand[0].score >= d.cand[1].score);
    decision_free(&d);
}

/* Checks that obj's keys are exactly `keys`, in that order. */
static void expect_keys(json_t *obj, const char *const *keys, size_t n)
{
    assert_true(json_is_object(obj));
    assert_int_equal(json_object_size(obj), n);
    size_t i = 0;
    for (void *it = json_object_iter(obj); it; it = json_object_iter_next(obj, it), i++)
        assert_string_equal(json_object_iter_key(it), keys[i]);
    assert_int_equal(i, n);
}

static json_t *to_json(const decision *d)
{
    strbuf sb;
    sb_init(&sb);
    decision_to_json(d, &sb);
    json_error_t jerr;
    json_t *root = json_loads(sb.buf, 0, &jerr);
    if (!root) {
        char msg[512];
        snprintf(msg, sizeof(msg), "bad JSON (%s): %.300s", jerr.text, sb.buf);
        sb_free(&sb);
        fail_msg("%s", msg);
    }
    sb_free(&sb);
    return root;
}

static void test_decision_json(void **state)
{
    fixture *fx = *state;
    static const char *const fields[] = {"lead_id", "decision", "account_id", "score",
                                         "rule", "reason", "candidates"};
    static const char *const cand_fields[] = {"account_id", "score"};
    decision d;
    decide(fx, "00Q\"1\\", "ops@halvorsen.no", "Halvorsen Energy", NULL, &d);
    json_t *root = to_json(&d);
    expect_keys(root, fields, ARRAY_LEN(fields));
    assert_string_equal(json_string_value(json_object_get(root, "lead_id")), "00Q\"1\\");
    assert_string_equal(json_string_value(json_object_get(root, "decision")), "match");
    assert_string_equal(json_string_value(json_object_get(root, "account_id")), "004");
    assert_true(json_is_number(json_object_get(root, "score")));
    assert_float_equal(json_number_value(json_object_get(root, "score")), 1.0, 1e-4);
    assert_string_equal(json_string_value(json_object_get(root, "rule")), "domain+name");
    assert_string_equal(json_string_value(json_object_get(root, "reason")), d.reason);
    json_t *cands = json_object_get(root, "candidates");
    assert_true(json_is_array(cands));
    assert_int_equal(json_array_size(cands), d.ncand);
    assert_int_equal(json_array_size(cands), 3);    /* both on the domain, then by name */
    assert_string_equal(d.cand[0].account_id, "004");
    assert_string_equal(d.cand[1].account_id, "003");
    assert_string_equal(d.cand[2].account_id, "005");
    for (size_t i = 0; i < json_array_size(cands); i++) {
        json_t *c = json_array_get(cands, i);
        expect_keys(c, cand_fields, ARRAY_LEN(cand_fields));
        assert_string_equal(json_string_value(json_object_get(c, "account_id")),
                            d.cand[i].account_id);
        assert_float_equal(json_number_value(json_object_get(c, "score")), d.cand[i].score, 1e-4);
    }
    json_decref(root);
    decision_free(&d);

    /* no_match: account_id is null, candidates empty. */
    decide(fx, "L91", "someone@gmail.com", "n/a", NULL, &d);
    root = to_json(&d);
    expect_keys(root, fields, ARRAY_LEN(fields));
    assert_string_equal(json_string_value(json_object_get(root, "decision")), "no_match");
    assert_true(json_is_null(json_object_get(root, "account_id")));
    assert_int_equal(json_array_size(json_object_get(root, "candidates")), 0);
    assert_float_equal(json_number_value(json_object_get(root, "score")), 0.0, EPS);
    json_decref(root);
    decision_free(&d);

    /* invalid, and the other kind names. */
    decide(fx, "L92", "bad@", "", NULL, &d);
    root = to_json(&d);
    assert_string_equal(json_string_value(json_object_get(root, "decision")), "invalid");
    assert_string_equal(json_string_value(json_object_get(root, "rule")), "invalid");
    json_decref(root);
    decision_free(&d);
    assert_string_equal(decision_kind_name(DECISION_REVIEW), "review");
}

/* Does s lie in d's block of strings? */
static bool in_strings(const decision *d, const char *s)
{
    return d->strings && s >= d->strings && s < d->strings + d->strings_len;
}

/* A decision by candidates keeps its strings in one block of its own (reason first): copies that
 * outlive the lead and the account, and fields replaced afterwards by their own allocations (a
 * reason rewritten, an id set) are freed beside it (ASan tells a double or bad free). */
static void test_decision_strings_packed(void **state)
{
    fixture *fx = *state;
    static const char *const tmp[5] = {"T1", "Quorvane Tidewater", "quorvane.com", NULL, NULL};
    add_account(fx, tmp);
    decision d;
    decide(fx, "L93", "ana@quorvane.com", "Quorvane Tidewater", NULL, &d);
    assert_true(index_delete(&fx->m.ix, "T1"));
    expect(&d, DECISION_MATCH, "T1", "domain+name", "email domain quorvane.com", NULL);
    assert_ptr_equal(d.reason, d.strings);
    assert_true(in_strings(&d, d.lead_id) && in_strings(&d, d.account_id));
    assert_string_equal(d.lead_id, "L93");
    assert_int_equal(d.ncand, 1);
    assert_true(in_strings(&d, d.cand[0].account_id));
    assert_string_equal(d.cand[0].account_id, "T1");
    assert_ptr_not_equal(d.account_id, d.cand[0].account_id);
    assert_int_equal(d.strings_len, strlen(d.reason) + 1 + 4 + 3 + 3);
    decision_set_reason(&d, "%s; rewritten", d.reason);
    assert_false(in_strings(&d, d.reason));
    d.account_id = xstrdup("T2");
    decision_free(&d);
    assert_null(d.strings);

    /* no account, no candidates; an invalid lead's strings are their own */
    decide(fx, "L95", "x@quorvane-nowhere.com", "Nothing Matches Here Zzq", NULL, &d);
    assert_null(d.account_id);
    assert_ptr_equal(d.reason, d.strings);
    assert_int_equal(d.strings_len, strlen(d.reason) + 1 + 4);
    decision_free(&d);
    decide(fx, "L94", "bad@", "", NULL, &d);
    assert_null(d.strings);
    assert_string_equal(d.lead_id, "L94");
    decision_free(&d);
}

/* A lead whose corporate domain label corroborates one of two same-name accounts matches that one
 * (and is not worse off than from free-mail). V1 "Velmora Foods" (velmora.de, Customer) and V2
 * "Velmora Foods" (no website, Prospect) are added by the test itself. */
static void test_label_corroboration_not_a_penalty(void **state)
{
    fixture *fx = *state;
    const char *const extra[][4] = {{"V1", "Velmora Foods", "velmora.de", "Customer"},
                                    {"V2", "Velmora Foods", NULL, "Prospect"}};
    for (size_t i = 0; i < ARRAY_LEN(extra); i++) {
        account_rec r;
        account_rec_init(&r);
        account_rec_set(&r, "id", extra[i][0]);
        account_rec_set(&r, "name", extra[i][1]);
        account_rec_set(&r, "domains", extra[i][2]);
        account_rec_set(&r, "type", extra[i][3]);
        (void)index_upsert(&fx->m.ix, &r);
        account_rec_free(&r);
    }
    decision d;
    decide(fx, "Q1", "a@velmora.fr", "Velmora Foods", NULL, &d);
    bool ok = d.kind == DECISION_MATCH && d.ncand >= 1 && strcmp(d.cand[0].account_id, "V1") == 0;
    strbuf sb;
    sb_init(&sb);
    decision_to_json(&d, &sb);
    decision_free(&d);
    assert_true(index_delete(&fx->m.ix, "V1"));
    assert_true(index_delete(&fx->m.ix, "V2"));
    char msg[2048];
    snprintf(msg, sizeof(msg), "%s", sb.buf);
    sb_free(&sb);
    if (!ok)
        fail_msg("label-corroborated V1 should rank first and match; got %s", msg);
}

/* With scoring.domain at 0, accounts on the lead's domain that its company does not name score 0,
 * and the first of them in rank order (the lower id: found in the other order) is the one the
 * reason names: the candidates scoring 0 are still put in order when their order is read. */
static void test_zero_scores_ranked_when_read(void **state)
{
    fixture *fx = *state;
    static const char *const orvik[][5] = {{"019", "Orvik Shipping", "orvik.no", NULL, NULL},
                                           {"018", "Orvik Fisheries", "orvik.no", NULL, NULL}};
    add_account(fx, orvik[0]);
    add_account(fx, orvik[1]);
    double domain_score = fx->cfg.eng.domain_score;
    fx->cfg.eng.domain_score = 0;
    decision d;
    decide(fx, "L90", "ola@orvik.no", "Qwyxz Trondelag", NULL, &d);
    fx->cfg.eng.domain_score = domain_score;
    assert_non_null(d.reason);
    assert_non_null(strstr(d.reason, "email domain orvik.no = website of account 'Orvik Fisheries'"));
    assert_int_equal(d.ncand, 0);   /* only candidates scoring more than 0 are listed */
    decision_free(&d);
    assert_true(index_delete(&fx->m.ix, "019"));
    assert_true(index_delete(&fx->m.ix, "018"));
}

/* Seven accounts carry the lead's whole name, more than the candidates ranked whatever the others
 * (max_candidates): the near tie still counts all seven, ranked past the first five, and not the
 * account the name only half names (found first, by its label, so that it is among the candidates
 * past the first five in the order found). */
static void test_near_tie_past_the_head(void **state)
{
    fixture *fx = *state;
    static const char *const kestrel[][5] = {
        {"030", "Kestrelvane", NULL, NULL, NULL}, {"031", "Kestrelvane", NULL, NULL, NULL},
        {"032", "Kestrelvane", NULL, NULL, NULL}, {"033", "Kestrelvane", NULL, NULL, NULL},
        {"034", "Kestrelvane", NULL, NULL, NULL}, {"035", "Kestrelvane", NULL, NULL, NULL},
        {"036", "Kestrelvane", NULL, NULL, NULL},
        {"037", "Kestrelvane Tooling Works", "kestrelvanetooling.de", NULL, NULL},
    };
    for (size_t i = 0; i < ARRAY_LEN(kestrel); i++)
        add_account(fx, kestrel[i]);
    decision d;
    decide(fx, "L95", "k@kestrelvanetooling.com", "Kestrelvane", NULL, &d);
    expect(&d, DECISION_REVIEW, NULL, "name", "ambiguous: 7 accounts within 0.05", NULL);
    assert_int_equal(d.ncand, 5);
    assert_false(has_candidate(&d, "037"));
    decision_free(&d);
    for (size_t i = 0; i < ARRAY_LEN(kestrel); i++)
        assert_true(index_delete(&fx->m.ix, kestrel[i][0]));
}

/* tie_break's spelling rank: the Dice coefficient of the folded words of the company and of each
 * tied account's name (every word counted, punctuation splitting them); the best one alone wins. */
static void test_tie_break_spelling(void **state)
{
    fixture *fx = *state;
    upsert(fx, "T1", "Quillmoor Widgets Holding (Intl.)", NULL);
    upsert(fx, "T2", "QUILLMOOR-Widgets", NULL);
    upsert(fx, "T3", "Quillmoor", NULL);
    uint32_t slots[3];
    const char *ids[3] = {"T1", "T2", "T3"};
    for (size_t i = 0; i < 3; i++)
        slots[i] = (uint32_t)index_find(&fx->m.ix, ids[i]);
    const char *why = NULL;
    /* T1: 2 of 2 + 4 words, T2: 2 of 2 + 2, T3: 1 of 2 + 1 */
    assert_int_equal(tie_break(&fx->m, "Quillmoor Widgets", slots, 3, &why), slots[1]);
    assert_string_equal(why, "spelling");
    why = NULL;
    assert_int_equal(tie_break(&fx->m, "quillmoor, widgets holding intl", slots, 3, &why), slots[0]);
    assert_string_equal(why, "spelling");
    for (size_t i = 0; i < 3; i++)
        assert_true(index_delete(&fx->m.ix, ids[i]));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_corporate_domain),
        cmocka_unit_test(test_decision_free_twice),
        cmocka_unit_test(test_idn_domain),
        cmocka_unit_test(test_freemail_exact_name),
        cmocka_unit_test(test_freemail_junk_company),
        cmocka_unit_test(test_malformed_email_junk_company),
        cmocka_unit_test(test_one_domain_company_decides),
        cmocka_unit_test(test_no_company_domain_only),
        cmocka_unit_test(test_duplicate_names_tie_break),
        cmocka_unit_test(test_near_tie_goes_to_review),
        cmocka_unit_test(test_lookalike_is_not_a_match),
        cmocka_unit_test(test_candidates_sorted_and_capped),
        cmocka_unit_test(test_decision_json),
        cmocka_unit_test(test_decision_strings_packed),
        cmocka_unit_test(test_label_corroboration_not_a_penalty),
        cmocka_unit_test(test_zero_scores_ranked_when_read),
        cmocka_unit_test(test_near_tie_past_the_head),
        cmocka_unit_test(test_tie_break_spelling),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
