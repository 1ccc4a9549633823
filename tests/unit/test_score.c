/* test_score.c - unit tests for weighted name similarity (score.c) and the OSA edit distance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "index.h"
#include "score.h"

#define EPS 1e-9

static const score_params params = {.typo = 0.85, .prefix = 0.8};

/* Builds a view from n tokens and weights (NULL weights = 1.0 each). Pointers borrowed. */
static name_view view(size_t n, const char *const *tok, const double *w)
{
    name_view v;
    memset(&v, 0, sizeof(v));
    v.n = n;
    for (size_t i = 0; i < n; i++) {
        v.tok[i] = tok[i];
        v.len[i] = (uint32_t)strlen(tok[i]);
        v.w[i] = w ? w[i] : 1.0;
    }
    return v;
}

static void test_identical_is_one(void **state)
{
    (void)state;
    const char *t[] = {"acme", "widgets"};
    const double w[] = {2.0, 3.5};
    name_view a = view(2, t, w), b = view(2, t, w);
    score_explain ex;
    assert_float_equal(name_similarity(&a, &b, &params, &ex), 1.0, EPS);
    assert_int_equal(ex.exact, 2);
    assert_int_equal(ex.joined, 0);
    assert_int_equal(ex.typo, 0);
    assert_int_equal(ex.prefix, 0);
    assert_int_equal(ex.lead_extra, 0);
    assert_int_equal(ex.acct_extra, 0);
}

static void test_disjoint_is_zero(void **state)
{
    (void)state;
    const char *l[] = {"acme", "widgets"};
    const char *a[] = {"zenith", "plumbing"};
    name_view lv = view(2, l, NULL), av = view(2, a, NULL);
    score_explain ex;
    assert_float_equal(name_similarity(&lv, &av, &params, &ex), 0.0, EPS);
    assert_int_equal(ex.exact + ex.joined + ex.typo + ex.prefix, 0);
    assert_int_equal(ex.lead_extra, 2);
    assert_int_equal(ex.acct_extra, 2);

    /* An empty name on either side scores 0 (no division by zero). */
    name_view empty = view(0, l, NULL);
    assert_float_equal(name_similarity(&empty, &av, &params, NULL), 0.0, EPS);
    assert_float_equal(name_similarity(&lv, &empty, &params, NULL), 0.0, EPS);
    assert_float_equal(name_similarity(&empty, &empty, &params, NULL), 0.0, EPS);
}

static void test_word_order_irrelevant(void **state)
{
    (void)state;
    const char *l[] = {"america", "bank"};
    const char *a[] = {"bank", "america"};
    const double lw[] = {1.0, 1.0};           /* the lead's weights are replaced by the account's */
    const double aw[] = {1.2, 4.0};
    name_view lv = view(2, l, lw), av = view(2, a, aw);
    score_explain ex;
    assert_float_equal(name_similarity(&lv, &av, &params, &ex), 1.0, EPS);
    assert_int_equal(ex.exact, 2);

    /* Partial overlap in another order: 2*4 / (4 + 2 + 4 + 1.2) with "trust" (w 2) unmatched. */
    const char *l2[] = {"trust", "america"};
    const double l2w[] = {2.0, 9.0};
    name_view lv2 = view(2, l2, l2w);
    assert_float_equal(name_similarity(&lv2, &av, &params, &ex), 8.0 / 11.2, EPS);
    assert_int_equal(ex.exact, 1);
    assert_int_equal(ex.lead_extra, 1);
    assert_int_equal(ex.acct_extra, 1);
}

static void test_rare_word_weighs_more(void **state)
{
    (void)state;
    /* "global" is common (low weight), "zyntra" rare (high weight). */
    const char *l1[] = {"global", "alpha"}, *a1[] = {"global", "beta"};
    const char *l2[] = {"zyntra", "alpha"}, *a2[] = {"zyntra", "beta"};
    const double wc[] = {1.1, 4.0}, wr[] = {4.0, 4.0};
    name_view lc = view(2, l1, wc), ac = view(2, a1, wc);
    name_view lr = view(2, l2, wr), ar = view(2, a2, wr);
    double common = name_similarity(&lc, &ac, &params, NULL);
    double rare = name_similarity(&lr, &ar, &params, NULL);
    assert_float_equal(common, 2.2 / 10.2, EPS);
    assert_float_equal(rare, 0.5, EPS);
    assert_true(common < rare);
}

static void test_joined_words_full_match(void **state)
{
    (void)state;
    score_explain ex;
    /* Lead "onetrust" against account "one trust": the lead token takes the parts' weights. */
    const char *l[] = {"onetrust"}, *a[] = {"one", "trust"};
    const double lw[] = {5.0}, aw[] = {2.0, 3.0};
    name_view lv = view(1, l, lw), av = view(2, a, aw);
    assert_float_equal(name_similarity(&lv, &av, &params, &ex), 1.0, EPS);
    assert_int_equal(ex.joined, 1);
    assert_int_equal(ex.exact, 0);
    assert_int_equal(ex.lead_extra, 0);
    assert_int_equal(ex.acct_extra, 0);

    /* The other way round: lead "one trust", account "onetrust". */
    name_view lv2 = view(2, a, aw), av2 = view(1, l, lw);
    assert_float_equal(name_similarity(&lv2, &av2, &params, &ex), 1.0, EPS);
    assert_int_equal(ex.joined, 1);
    assert_int_equal(ex.lead_extra, 0);
    assert_int_equal(ex.acct_extra, 0);

    /* Three parts, next to an exact word: "abcsoft labs" ~ "a bc soft labs". */
    const char *l3[] = {"abcsoft", "labs"}, *a3[] = {"a", "bc", "soft", "labs"};
    name_view lv3 = view(2, l3, NULL), av3 = view(4, a3, NULL);
    assert_float_equal(name_similarity(&lv3, &av3, &params, &ex), 1.0, EPS);
    assert_int_equal(ex.exact, 1);
    assert_int_equal(ex.joined, 1);

    /* Parts that are not consecutive do not join: "onetrust" vs "one bank trust". */
    const char *a4[] = {"one", "bank", "trust"};
    name_view av4 = view(3, a4, NULL), lv4 = view(1, l, NULL);
    assert_float_equal(name_similarity(&lv4, &av4, &params, &ex), 0.0, EPS);
    assert_int_equal(ex.joined, 0);
}

static void test_typo_credit(void **state)
{
    (void)state;
    score_explain ex;
    /* One substitution in a 6-char word: credit 0.85 on the account word's weight. */
    const char *l[] = {"zyntra"}, *a[] = {"zyntro"};
    const double lw[] = {9.0}, aw[] = {3.0};  /* the misspelt word is not rare: aw is used */
    name_view lv = view(1, l, lw), av = view(1, a, aw);
    assert_float_equal(name_similarity(&lv, &av, &params, &ex), 0.85, EPS);
    assert_int_equal(ex.typo, 1);
    assert_int_equal(ex.exact, 0);

    /* With a second, exact word: (0.85 * 2 * 2 + 2 * 2) / 8. */
    const char *l2[] = {"zyntra", "widgets"}, *a2[] = {"widgets", "zyntro"};
    const double w2[] = {2.0, 2.0};
    name_view lv2 = view(2, l2, w2), av2 = view(2, a2, w2);
    assert_float_equal(name_similarity(&lv2, &av2, &params, &ex), 7.4 / 8.0, EPS);
    assert_int_equal(ex.exact, 1);
    assert_int_equal(ex.typo, 1);

    /* A transposition is one edit too. */
    const char *l3[] = {"zyntar"}, *a3[] = {"zyntra"};
    name_view lv3 = view(1, l3, NULL), av3 = view(1, a3, NULL);
    assert_float_equal(name_similarity(&lv3, &av3, &params, &ex), 0.85, EPS);
    assert_int_equal(ex.typo, 1);

    /* Short words get no typo credit ("acme" vs "acne"). */
    const char *l4[] = {"acme"}, *a4[] = {"acne"};
    name_view lv4 = view(1, l4, NULL), av4 = view(1, a4, NULL);
    assert_float_equal(name_similarity(&lv4, &av4, &params, &ex), 0.0, EPS);
    assert_int_equal(ex.typo, 0);

    /* Two edits in a 6-char word are too many, but allowed for 9+ char words. */
    const char *l5[] = {"zyntxx"};
    name_view lv5 = view(1, l5, NULL);
    assert_float_equal(name_similarity(&lv5, &av3, &params, NULL), 0.0, EPS);
    const char *l6[] = {"consolidatde"}, *a6[] = {"consoludated"};
    name_view lv6 = view(1, l6, NULL), av6 = view(1, a6, NULL);
    assert_float_equal(name_similarity(&lv6, &av6, &params, &ex), 0.85, EPS);
    assert_int_equal(ex.typo, 1);

    /* The credit comes from the parameters. */
    score_params half = {.typo = 0.5, .prefix = 0.8};
    assert_float_equal(name_similarity(&lv, &av, &half, NULL), 0.5, EPS);
}

static void test_prefix_credit(void **state)
{
    (void)state;
    score_explain ex;
    const char *l[] = {"zynt"}, *a[] = {"zyntra"};
    name_view lv = view(1, l, NULL), av = view(1, a, NULL);
    assert_float_equal(name_similarity(&lv, &av, &params, &ex), 0.8, EPS);
    assert_int_equal(ex.prefix, 1);
    assert_int_equal(ex.typo, 0);

    /* Either side may be the abbreviation. */
    assert_float_equal(name_similarity(&av, &lv, &params, &ex), 0.8, EPS);
    assert_int_equal(ex.prefix, 1);

    /* Three characters are not enough. */
    const char *l2[] = {"zyn"};
    name_view lv2 = view(1, l2, NULL);
    assert_float_equal(name_similarity(&lv2, &av, &params, &ex), 0.0, EPS);
    assert_int_equal(ex.prefix, 0);

    score_params p = {.typo = 0.85, .prefix = 0.6};
    assert_float_equal(name_similarity(&lv, &av, &p, NULL), 0.6, EPS);
}

static void test_explain_counts_mixed(void **state)
{
    (void)state;
    /* exact "alpha", joined "onetrust", typo "zyntra"/"zyntro", prefix "corp"/"corporation",
     * lead extra "extra", account extra "other"; all weights 1. */
    const char *l[] = {"alpha", "onetrust", "zyntra", "corp", "extra"};
    const char *a[] = {"alpha", "one", "trust", "zyntro", "corporation", "other"};
    name_view lv = view(5, l, NULL), av = view(6, a, NULL);
    score_explain ex;
    memset(&ex, 0x55, sizeof(ex));
    double s = name_similarity(&lv, &av, &params, &ex);
    assert_int_equal(ex.exact, 1);
    assert_int_equal(ex.joined, 1);
    assert_int_equal(ex.typo, 1);
    assert_int_equal(ex.prefix, 1);
    assert_int_equal(ex.lead_extra, 1);
    assert_int_equal(ex.acct_extra, 1);
    /* credit 2 + 4 + 1.7 + 1.6 over weights 6 (lead, "onetrust" counting 2) + 6 (account) */
    assert_float_equal(s, 9.3 / 12.0, EPS);
    assert_float_equal(name_similarity(&lv, &av, &params, NULL), s, EPS);   /* ex optional */
}

static void test_osa_distance(void **state)
{
    (void)state;
    assert_int_equal(osa_distance("", "", 2), 0);
    assert_int_equal(osa_distance("acme", "acme", 1), 0);
    assert_int_equal(osa_distance("acme", "acne", 1), 1);          /* substitution */
    assert_int_equal(osa_distance("acme", "acmes", 1), 1);         /* insertion */
    assert_int_equal(osa_distance("acmes", "acme", 1), 1);         /* deletion */
    assert_int_equal(osa_distance("abcd", "abdc", 2), 1);          /* transposition = 1 */
    assert_int_equal(osa_distance("oracle", "roacle", 2), 1);
    assert_int_equal(osa_distance("kitten", "sitting", 5), 3);
    assert_int_equal(osa_distance("ca", "abc", 5), 3);             /* OSA, not Damerau: 3 */
    assert_int_equal(osa_distance("", "abc", 5), 3);
    assert_int_equal(osa_distance("abc", "", 5), 3);        /* (was max + 1: no row for b) */
    /* Early exit: max + 1, whatever the true distance. */
    assert_int_equal(osa_distance("abc", "abcdef", 1), 2);         /* length gap alone */
    assert_int_equal(osa_distance("aaaaaa", "bbbbbb", 2), 3);      /* true distance 6 */
    assert_int_equal(osa_distance("kitten", "sitting", 2), 3);
    assert_int_equal(osa_distance("abcdef", "badcfe", 2), 3);      /* three transpositions */
    assert_int_equal(osa_distance("abcdef", "badcfe", 3), 3);
}

/* The word of index k among all words of up to 5 letters over "abc" (k < 364). */
static void small_word(unsigned k, char *out)
{
    size_t len = 0;
    for (unsigned count = 1; k >= count; count *= 3) {
        k -= count;
        len++;
    }
    for (size_t i = 0; i < len; i++, k /= 3)
        out[i] = (char)('a' + k % 3);
    out[len] = '\0';
}

/* Up to max 1 the distance is worked out without the table: it agrees with the table's on every
 * pair of short words over three letters. */
static void test_osa_distance_one_pass(void **state)
{
    (void)state;
    char a[8], b[8];
    for (unsigned i = 0; i < 364; i++) {
        small_word(i, a);
        for (unsigned j = 0; j < 364; j++) {
            small_word(j, b);
            int table = osa_distance(a, b, 2);
            assert_int_equal(osa_distance(a, b, 1), table <= 1 ? table : 2);
            assert_int_equal(osa_distance(a, b, 0), table == 0 ? 0 : 1);
        }
    }
}

/* A name of SCORE_MAX_TOKENS words (the matched words are bits of a word): the last two account
 * words joined into the lead's 31st, its 32nd unmatched, the first 30 equal. */
static void test_longest_names(void **state)
{
    (void)state;
    char words[SCORE_MAX_TOKENS][8];
    const char *l[SCORE_MAX_TOKENS], *a[SCORE_MAX_TOKENS];
    for (size_t i = 0; i < SCORE_MAX_TOKENS - 2; i++) {
        snprintf(words[i], sizeof(words[i]), "word%c%c", 'a' + (int)(i / 26), 'a' + (int)(i % 26));
        l[i] = a[i] = words[i];
    }
    l[SCORE_MAX_TOKENS - 2] = "blueharbor";
    l[SCORE_MAX_TOKENS - 1] = "zzz";
    a[SCORE_MAX_TOKENS - 2] = "blue";
    a[SCORE_MAX_TOKENS - 1] = "harbor";
    name_view lv = view(SCORE_MAX_TOKENS, l, NULL), av = view(SCORE_MAX_TOKENS, a, NULL);
    score_explain ex;
    /* credit 30 * 2 + 2 * (1 + 1); lead 30 + 2 + 1, account 32 */
    assert_float_equal(name_similarity(&lv, &av, &params, &ex), 64.0 / 65.0, EPS);
    assert_int_equal(ex.exact, SCORE_MAX_TOKENS - 2);
    assert_int_equal(ex.joined, 1);
    assert_int_equal(ex.lead_extra, 1);
    assert_int_equal(ex.acct_extra, 0);
    /* the other way round: the account's "blueharbor" joins the lead's last two (credit 30 * 2 +
     * 2 + 1; lead 32, account 32) */
    assert_float_equal(name_similarity(&av, &lv, &params, &ex), 63.0 / 64.0, EPS);
    assert_int_equal(ex.joined, 1);
    assert_int_equal(ex.lead_extra, 0);
    assert_int_equal(ex.acct_extra, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identical_is_one),
        cmocka_unit_test(test_disjoint_is_zero),
        cmocka_unit_test(test_word_order_irrelevant),
        cmocka_unit_test(test_rare_word_weighs_more),
        cmocka_unit_test(test_joined_words_full_match),
        cmocka_unit_test(test_typo_credit),
        cmocka_unit_test(test_prefix_credit),
        cmocka_unit_test(test_explain_counts_mixed),
        cmocka_unit_test(test_osa_distance),
        cmocka_unit_test(test_osa_distance_one_pass),
        cmocka_unit_test(test_longest_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
