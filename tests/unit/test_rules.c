/* test_rules.c - unit tests of the PCRE2 rule engine: rewrite, first match, limits. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules.h"

static regex_rule compile(const char *pattern, const char *replace)
{
    regex_rule r;
    char err[256];
    size_t off = 0;
    int rc = regex_rule_init(&r, pattern, replace, err, sizeof(err), &off);
    if (rc != 0)
        fail_msg("cannot compile %s: %s at %zu", pattern, err, off);
    return r;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_rewrite_group(void **state)
{
    (void)state;
    regex_rule r = compile("^(?:www\\.)?([a-z0-9-]+)\\.example\\.org$", "$1.org");
    assert_string_equal(r.pattern, "^(?:www\\.)?([a-z0-9-]+)\\.example\\.org$");
    assert_string_equal(r.replace, "$1.org");
    assert_non_null(r.mctx);
    char *out = regex_rule_rewrite(&r, "WWW.Acme.Example.ORG");   /* caseless */
    assert_non_null(out);
    assert_string_equal(out, "Acme.org");
    free(out);
    assert_null(regex_rule_rewrite(&r, "acme.example.com"));
    assert_true(regex_rule_test(&r, "shop.example.org"));
    assert_false(regex_rule_test(&r, "shop.example.org.evil"));
    regex_rule_free(&r);
    assert_null(r.code);
}

static void test_rewrite_partial_and_long(void **state)
{
    (void)state;
    /* Only the first match is replaced; the rest of the subject is kept. */
    regex_rule r = compile("\\s*\\(formerly [^)]*\\)", "");
    char *out = regex_rule_rewrite(&r, "Acme (formerly Foo) (formerly Bar)");
    assert_string_equal(out, "Acme (formerly Bar)");
    free(out);
    regex_rule_free(&r);

    /* An output much longer than the subject takes the grow-and-retry path. */
    regex_rule big = compile("^(.+)$", "$1$1$1$1$1$1$1$1");
    char subject[201];
    memset(subject, 'q', 200);
    subject[200] = '\0';
    out = regex_rule_rewrite(&big, subject);
    assert_non_null(out);
    assert_int_equal(strlen(out), 1600);
    assert_int_equal(strspn(out, "q"), 1600);
    free(out);
    regex_rule_free(&big);
}

static void test_unicode_caseless(void **state)
{
    (void)state;
    regex_rule r = compile("^société$", "x");
    assert_true(regex_rule_test(&r, "SOCIÉTÉ"));
    assert_false(regex_rule_test(&r, "societe"));
    assert_false(regex_rule_test(&r, "soci\xff\xfe"));          /* bad UTF-8: no match */
    regex_rule_free(&r);
}

static void test_first_match(void **state)
{
    (void)state;
    regex_list l = {.v = calloc(3, sizeof(regex_rule)), .n = 3};
    l.v[0] = compile("\\b(cto|cio|cdo)\\b", "Technical Decision Maker");
    l.v[1] = compile("\\b(ceo|chief|vp|vice president)\\b", "Executive Sponsor");
    l.v[2] = compile("engineer", "Evaluator");
    assert_ptr_equal(regex_list_first_match(&l, "VP Sales"), &l.v[1]);
    assert_string_equal(regex_list_first_match(&l, "Chief Technology Officer (CTO)")->replace,
                        "Technical Decision Maker");                 /* order wins */
    assert_ptr_equal(regex_list_first_match(&l, "Senior Engineer"), &l.v[2]);
    assert_null(regex_list_first_match(&l, "Intern"));
    assert_null(regex_list_first_match(&l, "director"));   /* "cto" inside a word */
    regex_list_free(&l);
    assert_null(l.v);
    assert_int_equal(l.n, 0);
}

static void test_list_rewrite_chain(void **state)
{
    (void)state;
    regex_list l = {.v = calloc(2, sizeof(regex_rule)), .n = 2};
    l.v[0] = compile("^mail\\.(.+)$", "$1");
    l.v[1] = compile("^acme-corp\\.com$", "acme.com");
    bool changed = false;
    char *out = regex_list_rewrite(&l, "mail.acme-corp.com", &changed);
    assert_string_equal(out, "acme.com");
    assert_true(changed);
    free(out);
    out = regex_list_rewrite(&l, "other.com", &changed);
    assert_string_equal(out, "other.com");
    assert_false(changed);
    free(out);
    regex_list_free(&l);

    regex_list empty = {0};
    out = regex_list_rewrite(&empty, "x", &changed);
    assert_string_equal(out, "x");
    assert_false(changed);
    free(out);
}

static void test_catastrophic_pattern(void **state)
{
    (void)state;
    const char *subject = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab";
    regex_rule r = compile("^(a+)+$", "x");
    double t0 = now_s();
    assert_false(regex_rule_test(&r, subject));
    assert_null(regex_rule_rewrite(&r, subject));
    assert_null(regex_list_first_match(&(regex_list){.v = &r, .n = 1}, subject));
    double jit_or_default = now_s() - t0;
    assert_true(jit_or_default < 0.5);

    /* The interpreter (what runs when the JIT is refused) must stop at the limit too. */
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(r.code, NULL);
    t0 = now_s();
    int rc = pcre2_match(r.code, (PCRE2_SPTR)subject, PCRE2_ZERO_TERMINATED, 0, PCRE2_NO_JIT, md,
                         r.mctx);
    double interp = now_s() - t0;
    pcre2_match_data_free(md);
    assert_true(rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT);
    assert_true(interp < 0.5);
    /* 18 a's: the default limit (10 million) lets PCRE2 finish with "no match"; ours stops it,
     * with the JIT and with the interpreter alike. */
    const char *medium = "aaaaaaaaaaaaaaaaaab";
    md = pcre2_match_data_create_from_pattern(r.code, NULL);
    assert_int_equal(pcre2_match(r.code, (PCRE2_SPTR)medium, PCRE2_ZERO_TERMINATED, 0,
                                 PCRE2_NO_JIT, md, NULL), PCRE2_ERROR_NOMATCH);
    assert_int_equal(pcre2_match(r.code, (PCRE2_SPTR)medium, PCRE2_ZERO_TERMINATED, 0,
                                 PCRE2_NO_JIT, md, r.mctx), PCRE2_ERROR_MATCHLIMIT);
    assert_int_equal(pcre2_match(r.code, (PCRE2_SPTR)medium, PCRE2_ZERO_TERMINATED, 0, 0, md,
                                 r.mctx), PCRE2_ERROR_MATCHLIMIT);
    pcre2_match_data_free(md);
    assert_false(regex_rule_test(&r, medium));
    /* A subject that does match still matches. */
    assert_true(regex_rule_test(&r, "aaaa"));
    regex_rule_free(&r);
}

static void test_pattern_length_limit(void **state)
{
    (void)state;
    char *p = malloc(RULE_MAX_PATTERN_LEN + 2);
    memset(p, 'a', RULE_MAX_PATTERN_LEN + 1);
    p[RULE_MAX_PATTERN_LEN + 1] = '\0';
    regex_rule r;
    char err[256] = "";
    size_t off = 0;
    assert_int_equal(regex_rule_init(&r, p, "x", err, sizeof(err), &off), -1);
    assert_non_null(strstr(err, "1024"));
    assert_int_equal(off, RULE_MAX_PATTERN_LEN);
    assert_null(r.code);
    regex_rule_free(&r);                                    /* harmless after a failure */

    p[RULE_MAX_PATTERN_LEN] = '\0';                         /* exactly the limit: fine */
    assert_int_equal(regex_rule_init(&r, p, "x", err, sizeof(err), &off), 0);
    assert_true(regex_rule_test(&r, p));
    regex_rule_free(&r);
    free(p);
}

static void test_bad_pattern(void **state)
{
    (void)state;
    regex_rule r;
    char err[256] = "";
    size_t off = 99;
    assert_int_equal(regex_rule_init(&r, "a(b", "x", err, sizeof(err), &off), -1);
    assert_non_null(strstr(err, "missing closing parenthesis"));
    assert_int_equal(off, 3);
    assert_int_equal(regex_rule_init(&r, "x{2,1}", "x", err, sizeof(err), &off), -1);
    assert_non_null(strstr(err, "out of order"));
    assert_int_equal(off, 5);
}

/* Whether replace is accepted for pattern; *off gets the error offset. */
static bool replace_ok(const char *pattern, const char *replace, size_t *off)
{
    regex_rule r = compile(pattern, replace);
    char err[256] = "";
    bool ok = regex_rule_check_replace(&r, err, sizeof(err), off) == 0;
    if (!ok)
        assert_true(strlen(err) > 0);
    regex_rule_free(&r);
    return ok;
}

static void test_check_replace(void **state)
{
    (void)state;
    size_t off = 0;
    assert_true(replace_ok("(a)(b)", "$2-$1 costs $$5", &off));
    assert_true(replace_ok("(?<brand>\\w+)\\.com", "${brand}.org $brand", &off));
    assert_true(replace_ok("(a)", "${1}x", &off));
    assert_true(replace_ok("(?J)(?<n>a)|(?<n>b)", "<${n}>", &off));   /* duplicate names */
    assert_true(replace_ok("(a)", "plain Executive Sponsor", &off));
    assert_false(replace_ok("(a)", "ok $2", &off));
    assert_int_equal(off, 3);
    assert_false(replace_ok("(a)", "${nope}", &off));
    assert_int_equal(off, 0);
    assert_false(replace_ok("(a)", "x$", &off));
    assert_int_equal(off, 1);
    assert_false(replace_ok("(a)", "${1", &off));
    assert_false(replace_ok("(a)", "$-", &off));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rewrite_group),
        cmocka_unit_test(test_rewrite_partial_and_long),
        cmocka_unit_test(test_unicode_caseless),
        cmocka_unit_test(test_first_match),
        cmocka_unit_test(test_list_rewrite_chain),
        cmocka_unit_test(test_catastrophic_pattern),
        cmocka_unit_test(test_pattern_length_limit),
        cmocka_unit_test(test_bad_pattern),
        cmocka_unit_test(test_check_replace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
