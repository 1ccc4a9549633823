/* test_record_args.c - unit tests for a decision's part of record_leads's arguments
 * (record_args.c): values at fixed places, the plan's other sections after them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "record_args.h"
#include "util.h"

/* The RESP bulk strings of buf, in order, into out (copies). */
static void bulk_strings(const strbuf *buf, strvec *out)
{
    const char *p = buf->buf, *end = buf->buf + buf->len;
    while (p < end) {
        assert_int_equal(*p, '$');
        char *crlf;
        size_t n = strtoul(p + 1, &crlf, 10);
        assert_memory_equal(crlf, "\r\n", 2);
        char *s = xmalloc(n + 1);
        memcpy(s, crlf + 2, n);
        s[n] = '\0';
        sv_push_owned(out, s);
        p = crlf + 2 + n;
        assert_memory_equal(p, "\r\n", 2);
        p += 2;
    }
}

/* A plan handed to p's sink as outcome_plan_emit does: sections given as a NULL-ended list of
 * name, count, pairs... ("" the plan's own fields, outside any section). */
static void plan_of(record_plan *p, const char *const *args)
{
    outcome_sink s = record_plan_sink(p);
    for (size_t i = 0; args[i]; ) {
        const char *name = args[i];
        size_t n = strtoul(args[i + 1], NULL, 10);
        bool open = *name && s.open(s.ctx, name);
        if (open || !*name)
            for (size_t j = 0; j < n; j += 2)
                s.field(s.ctx, args[i + 2 + j], args[i + 3 + j]);
        if (open)
            s.close(s.ctx);
        i += 2 + n;
    }
}

static void decision_of(decision *d, decision_kind k, const char *account, const char *reason)
{
    decision_init(d);
    d->lead_id = xstrdup("L1");
    d->kind = k;
    d->account_id = account ? xstrdup(account) : NULL;
    d->score = 0.97;
    d->rule = "domain";
    d->reason = reason ? xstrdup(reason) : NULL;
    d->cand[0] = (candidate){xstrdup("001A"), 0.97};
    d->ncand = 1;
}

/* A convert: the result, the lead's fields and the plan's own in their places; the opportunity
 * and its next stages after them, "learn" left out. */
static void test_convert(void **state)
{
    (void)state;
    static const char *const sections[] = {
        "", "2", "action", "convert",
        "lead", "8", "id", "L1", "email", "jo@acme.com", "title", "CTO", "score", "80",
        "", "8", "now", "2026-01-01T00:00:00.000Z", "now_ms", "1767225600000", "account_id",
        "001A", "role", "Decision Maker",
        "opp", "4", "type", "Acquisition", "create", "1",
        "opp.next", "2", "MQL", "SAL",
        "learn", "2", "name", "acme", NULL};
    record_plan plan;
    strvec got;
    record_plan_init(&plan);
    sv_init(&got);
    plan_of(&plan, sections);
    decision d;
    decision_of(&d, DECISION_MATCH, "001A", "email domain acme.com");
    strbuf out;
    sb_init(&out);
    size_t n = record_args_put(&out, "1-0", "abcd", &d, &plan);
    bulk_strings(&out, &got);
    assert_int_equal(n, got.n);
    const char *want[] = {"1-0", "abcd", "2026-01-01T00:00:00.000Z", "1767225600000", "convert",
                          "match", "001A", "0.97", "domain", "email domain acme.com",
                          "[{\"account_id\":\"001A\",\"score\":0.97}]",
                          "L1", "jo@acme.com", "", "", "CTO", "", "", "", "", "80", "",
                          "001A", "Decision Maker",
                          "10", "opp", "4", "type", "Acquisition", "create", "1",
                          "opp.next", "2", "MQL", "SAL"};
    assert_int_equal(got.n, ARRAY_LEN(want));
    for (size_t i = 0; i < ARRAY_LEN(want); i++)
        assert_string_equal(got.v[i], want[i]);
    sb_free(&out);
    sv_free(&got);
    record_plan_free(&plan);
    decision_free(&d);
}

/* A flag: no alert section (the result holds its kind, reason, score and candidates); a field
 * without a place of its own goes after the others, in its section; empty values are "". */
static void test_flag_and_leftovers(void **state)
{
    (void)state;
    static const char *const sections[] = {
        "", "6", "action", "flag", "now", "t", "now_ms", "1",
        "lead", "4", "id", "L1", "nickname", "Jo",
        "alert", "4", "kind", "review", "reason", "close", NULL};
    record_plan plan;
    strvec got;
    record_plan_init(&plan);
    sv_init(&got);
    plan_of(&plan, sections);
    decision d;
    decision_of(&d, DECISION_REVIEW, NULL, NULL);
    strbuf out;
    sb_init(&out);
    size_t n = record_args_put(&out, "2-0", "ef", &d, &plan);
    bulk_strings(&out, &got);
    assert_int_equal(n, got.n);
    assert_string_equal(got.v[4], "flag");
    assert_string_equal(got.v[5], "review");
    assert_string_equal(got.v[6], "");      /* no account */
    assert_string_equal(got.v[9], "");      /* no reason */
    assert_string_equal(got.v[11], "L1");
    assert_string_equal(got.v[22], "");     /* no plan account_id */
    assert_string_equal(got.v[23], "");     /* no role */
    const char *rest[] = {"4", "lead", "2", "nickname", "Jo"};
    assert_int_equal(got.n, 24 + ARRAY_LEN(rest));
    for (size_t i = 0; i < ARRAY_LEN(rest); i++)
        assert_string_equal(got.v[24 + i], rest[i]);
    sb_free(&out);
    sv_free(&got);
    record_plan_free(&plan);
    decision_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_convert),
        cmocka_unit_test(test_flag_and_leftovers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
