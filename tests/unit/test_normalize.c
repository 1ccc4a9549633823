/* test_normalize.c - unit tests for company-name folding and normalisation (normalize.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "normalize.h"

static norm_rules *rules;       /* built once in group setup, freed in teardown */

static int group_setup(void **state)
{
    (void)state;
    const char *root = getenv("L2A_SOURCE_DIR");
    char path[4096], err[512];
    snprintf(path, sizeof(path), "%s/conf/legal-forms.tsv", root ? root : ".");
    rules = norm_rules_new();
    if (norm_rules_load_legal_forms(rules, path, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return -1;
    }
    norm_rules_add_abbrev(rules, "intl", "international");
    norm_rules_add_abbrev(rules, "univ", "university");
    norm_rules_add_abbrev(rules, "tech", "technology");
    const char *stop[] = {"the", "of", "and", "de", "la", "du"};
    for (size_t i = 0; i < ARRAY_LEN(stop); i++)
        norm_rules_add_stopword(rules, stop[i]);
    const char *qual[] = {"uk", "emea", "germany", "usa", "apac"};
    for (size_t i = 0; i < ARRAY_LEN(qual); i++)
        norm_rules_add_qualifier(rules, qual[i]);
    const char *junk[] = {"n/a", "na", "none", "self", "student", "private", "home", "-", "."};
    for (size_t i = 0; i < ARRAY_LEN(junk); i++)
        norm_rules_add_junk(rules, junk[i]);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    norm_rules_free(rules);
    return 0;
}

/* Joins v with single spaces into buf (for readable assertions). */
static const char *join(const strvec *v, char *buf, size_t len)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < v->n && at < len; i++)
        at += (size_t)snprintf(buf + at, len - at, "%s%s", i ? " " : "", v->v[i]);
    return buf;
}

/* Parses raw and checks tokens and qualifiers (space-joined) exactly. */
static void check_name(const char *raw, const char *tokens, const char *quals)
{
    norm_name n;
    char buf[512];
    assert_int_equal(norm_name_parse(rules, raw, &n), 0);
    assert_false(n.junk);
    assert_string_equal(join(&n.tokens, buf, sizeof(buf)), tokens);
    assert_string_equal(join(&n.qualifiers, buf, sizeof(buf)), quals);
    norm_name_free(&n);
}

static void test_fold(void **state)
{
    (void)state;
    char *f = norm_fold("Société Générale ＡＢＣ İstanbul");
    assert_string_equal(f, "societe generale abc istanbul");
    free(f);
    f = norm_fold("Straße Ørsted Æon Œuvre Łódź Đakovo Işık Þór");
    assert_string_equal(f, "strasse orsted aeon oeuvre lodz dakovo isik thor");
    free(f);
    f = norm_fold("Caf\xe9 M\xfcller");         /* Latin-1 bytes, invalid UTF-8 */
    assert_string_equal(f, "cafe muller");
    free(f);
    f = norm_fold(NULL);
    assert_string_equal(f, "");
    free(f);
}

static void test_fold_name(void **state)
{
    (void)state;
    check_name("Société Générale ＡＢＣ İstanbul", "societe generale abc istanbul", "");
}

static void test_camel_and_legal(void **state)
{
    (void)state;
    check_name("ApolloGlobalManagement,Inc.", "apollo global management", "");
    check_name("Apollo Global Management, Inc. Corp.", "apollo global management", "");
    check_name("XMLHttp Labs", "xml http labs", "");
    check_name("AXDRAFT", "axdraft", "");
    check_name("IBM", "ibm", "");
    check_name("3M Company", "3m", "");
    check_name("AdSpyglass", "ad spyglass", "");
}

static void test_qualifiers(void **state)
{
    (void)state;
    check_name("DC Storm - EMEA", "dc storm", "emea");
    check_name("University of Moncton Germany", "university moncton", "germany");
    check_name("Acme GmbH (Germany)", "acme", "germany");
    check_name("Acme Ltd UK", "acme", "uk");
    check_name("Coca-Cola USA", "coca cola", "usa");
    check_name("Germany", "germany", "");
    check_name("(UK)", "uk", "");

    norm_name n;
    assert_int_equal(norm_name_parse(rules, "OneTrust (UK)", &n), 0);
    char buf[256];
    assert_string_equal(join(&n.tokens, buf, sizeof(buf)), "one trust");
    assert_string_equal(join(&n.qualifiers, buf, sizeof(buf)), "uk");
    assert_string_equal(n.joined, "onetrust");
    assert_string_equal(n.acronym, "ot");
    norm_name_free(&n);
}

static void test_legal_forms(void **state)
{
    (void)state;
    check_name("Acme GmbH & Co. KG", "acme", "");
    check_name("Lillehammer University College Co.", "lillehammer university college", "");
    check_name("Comarch Sp. z o.o.", "comarch", "");
    check_name("Inc", "inc", "");
    check_name("Ltd Inc", "ltd", "");
    check_name("Siemens AG", "siemens", "");
    check_name("Smith & Co", "smith", "");
    check_name("Foo S.à r.l.", "foo", "");
    check_name("Merck KGaA", "merck", "");
    check_name("Acme UK Ltd", "acme", "uk");
    check_name("Foo, Inc. (USA)", "foo", "usa");
    check_name("National Trust", "national trust", "");     /* "trust" is listed but denied */
}

static void test_abbrev_stopwords(void **state)
{
    (void)state;
    check_name("Univ. of North Georgia", "university north georgia", "");
    check_name("The Amazon", "amazon", "");
    check_name("The", "the", "");
    check_name("Intl Tech Corp", "international technology", "");
    check_name("Ecole Nationale Supérieure d'Agronomie de Rennes",
               "ecole nationale superieure dagronomie rennes", "");
    check_name("O’Reilly Media", "oreilly media", "");
    assert_true(norm_is_stopword(rules, "the"));
    assert_false(norm_is_stopword(rules, "amazon"));
}

static void test_acronym_joined(void **state)
{
    (void)state;
    norm_name n;
    assert_int_equal(norm_name_parse(rules, "International Business Machines", &n), 0);
    assert_string_equal(n.acronym, "ibm");
    assert_string_equal(n.joined, "internationalbusinessmachines");
    norm_name_free(&n);
    assert_int_equal(norm_name_parse(rules, "Université de Québec", &n), 0);
    assert_string_equal(n.acronym, "uq");
    norm_name_free(&n);
}

static void test_junk(void **state)
{
    (void)state;
    const char *junk[] = {"N/A", "  student ", "-", ".", "", "!!!", "None", " Self.", "   "};
    for (size_t i = 0; i < ARRAY_LEN(junk); i++) {
        norm_name n;
        assert_true(norm_is_junk(rules, junk[i]));
        assert_int_equal(norm_name_parse(rules, junk[i], &n), 0);
        assert_true(n.junk);
        assert_int_equal(n.tokens.n, 0);
        assert_string_equal(n.joined, "");
        norm_name_free(&n);
    }
    assert_true(norm_is_junk(rules, NULL));
    norm_name n;
    assert_int_equal(norm_name_parse(rules, NULL, &n), 0);
    assert_true(n.junk);
    norm_name_free(&n);
    assert_false(norm_is_junk(rules, "Nova"));
    assert_false(norm_is_junk(rules, "Self Storage Inc"));
    check_name("Nova", "nova", "");
    /* camelCase split ("Se Lf"), junk on the raw value folded ("self"), ASCII or not */
    const char *split_junk[] = {"SeLf", "NoNe", "StuDent", "N\u00e4A"};
    for (size_t i = 0; i < ARRAY_LEN(split_junk); i++) {
        assert_int_equal(norm_name_parse(rules, split_junk[i], &n), 0);
        assert_true(n.junk == (i < 3));
        norm_name_free(&n);
    }
    /* 16 bytes and more lower-cased 16 at a time */
    check_name("INTERNATIONAL BUSINESS MACHINES Corp (UK)", "international business machines",
               "uk");
    check_name("ACMEWIDGETSANDGADGETSWORLDWIDE", "acmewidgetsandgadgetsworldwide", "");
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    check_name("Caf\xe9 M\xfcller GmbH", "cafe muller", "");
    check_name("\xff\xfe\x80 Acme", "yth acme", "");   /* ÿ þ then a C1 control (separator) */
    norm_name n;
    assert_int_equal(norm_name_parse(rules, "\xc3\x28\xa0\xa1", &n), 0);
    assert_false(n.junk);
    assert_true(n.tokens.n > 0);
    norm_name_free(&n);
}

/* Writes text to a new temporary file; path receives its name. */
static void write_temp(char *path, size_t len, const char *text)
{
    snprintf(path, len, "/tmp/test_normalize.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* The tokens of raw under r, space-joined, into buf. */
static const char *tokens_under(const norm_rules *r, const char *raw, char *buf, size_t len)
{
    norm_name n;
    assert_int_equal(norm_name_parse(r, raw, &n), 0);
    join(&n.tokens, buf, len);
    norm_name_free(&n);
    return buf;
}

/* A legal form is kept as written, camel-split ("KomGes": "kom ges"), and each with the
 * abbreviations expanded ("Intl Ltd": "international ltd"), the text folded once for both. */
static void test_legal_form_variants(void **state)
{
    (void)state;
    norm_rules *r = norm_rules_new();
    char buf[256];
    norm_rules_add_abbrev(r, "intl", "international");
    norm_rules_add_legal_form(r, "KomGes");
    norm_rules_add_legal_form(r, "Intl Trdg");
    norm_rules_add_legal_form(r, "Aktieselskab");
    assert_string_equal(tokens_under(r, "Acme KomGes", buf, sizeof(buf)), "acme");
    assert_string_equal(tokens_under(r, "Acme Kom Ges", buf, sizeof(buf)), "acme");
    assert_string_equal(tokens_under(r, "Acme Komges", buf, sizeof(buf)), "acme");
    assert_string_equal(tokens_under(r, "Acme Intl Trdg", buf, sizeof(buf)), "acme");
    assert_string_equal(tokens_under(r, "Acme International Trdg", buf, sizeof(buf)), "acme");
    assert_string_equal(tokens_under(r, "Acme Aktieselskab", buf, sizeof(buf)), "acme");
    assert_string_equal(tokens_under(r, "Acme Aktie Selskab", buf, sizeof(buf)),
                        "acme aktie selskab");
    norm_rules_free(r);
}

static void test_legal_load_errors(void **state)
{
    (void)state;
    char err[256], path[64], want[128];
    norm_rules *r = norm_rules_new();
    assert_int_equal(norm_rules_load_legal_forms(r, "/nonexistent/legal.tsv", err, sizeof(err)),
                     -1);
    assert_non_null(strstr(err, "/nonexistent/legal.tsv: "));

    write_temp(path, sizeof(path), "term\tcountry_code\tsource\nAB\tSE\tx\nbad line\n");
    assert_int_equal(norm_rules_load_legal_forms(r, path, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s:3: ", path);
    assert_non_null(strstr(err, want));
    unlink(path);

    write_temp(path, sizeof(path), "Inc\tUS\tx\n");
    assert_int_equal(norm_rules_load_legal_forms(r, path, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s:1: ", path);
    assert_non_null(strstr(err, want));
    unlink(path);

    write_temp(path, sizeof(path), "term\tcountry_code\tsource\r\nKft.\tHU\tx\r\n");
    assert_int_equal(norm_rules_load_legal_forms(r, path, err, sizeof(err)), 0);
    unlink(path);
    norm_name n;
    assert_int_equal(norm_name_parse(r, "Richter Gedeon Kft.", &n), 0);
    assert_int_equal(n.tokens.n, 2);
    assert_string_equal(n.joined, "richtergedeon");
    norm_name_free(&n);
    norm_rules_free(r);
}

/* Abbreviations added after the legal forms still let expanded legal forms match. */
static void test_abbrev_after_legal(void **state)
{
    (void)state;
    norm_rules *r = norm_rules_new();
    norm_rules_add_legal_form(r, "GmbH & Co. KG");
    norm_rules_add_abbrev(r, "co", "company");
    norm_rules_add_stopword(r, "and");
    norm_name n;
    assert_int_equal(norm_name_parse(r, "Acme GmbH & Co. KG", &n), 0);
    assert_int_equal(n.tokens.n, 1);
    assert_string_equal(n.tokens.v[0], "acme");
    norm_name_free(&n);
    assert_int_equal(norm_name_parse(r, "Acme Co", &n), 0);
    assert_string_equal(n.joined, "acme");
    norm_name_free(&n);
    norm_rules_free(r);
}

/* The same name parsed in buffers kept from other names (longer ones first, junk between) and in
 * fresh ones: every output is the same. */
static void expect_same_names(const norm_name *a, const norm_name *b)
{
    assert_int_equal(a->junk, b->junk);
    assert_string_equal(a->joined, b->joined);
    assert_string_equal(a->joined_all, b->joined_all);
    assert_string_equal(a->acronym, b->acronym);
    const strvec *la[] = {&a->tokens, &a->qualifiers}, *lb[] = {&b->tokens, &b->qualifiers};
    for (size_t k = 0; k < 2; k++) {
        assert_int_equal(la[k]->n, lb[k]->n);
        for (size_t i = 0; i < la[k]->n; i++)
            assert_string_equal(la[k]->v[i], lb[k]->v[i]);
    }
}

static void test_parse_in_scratch(void **state)
{
    (void)state;
    const char *names[] = {
        "The International Business Machines Corporation of New York (UK) Ltd",
        "OneTrust (UK)", "n/a", "Université de Québec", "Acme GmbH & Co. KG", "XMLHttp Labs",
        "", "AB", "Soci\xe9t\xe9 G\xe9n\xe9rale S.A.", "Bank of America", "Ltd Inc", "IBM",
        "Acme Intl - Europe, UK", NULL, "x"};
    norm_scratch *scratch = norm_scratch_new();
    for (size_t round = 0; round < 2; round++) {
        for (size_t i = 0; i < ARRAY_LEN(names); i++) {
            norm_name fresh, reused;
            assert_int_equal(norm_name_parse(rules, names[i], &fresh), 0);
            assert_int_equal(norm_name_parse_in(rules, names[i], &reused, scratch), 0);
            expect_same_names(&fresh, &reused);
            norm_name_free(&fresh);
            norm_name_free(&reused);
        }
    }
    norm_scratch_free(scratch);
    norm_scratch_free(NULL);
}

/* parse_to's results in a bump are those of a malloc'd parse. */
static void expect_bump_parse_same(const char *raw, norm_scratch *scratch, bump *b)
{
    norm_name plain, in_bump;
    assert_int_equal(norm_name_parse(rules, raw, &plain), 0);
    norm_name_parse_bump(rules, raw, &in_bump, scratch, b);
    expect_same_names(&plain, &in_bump);
    norm_name_free(&plain);
}

/* An ASCII name (camel_split's and tokenize's byte paths) parses as it does with " \u00b7" after
 * it (their code point paths): a space and a middle dot separate, are trimmed from junk and
 * split nothing. */
static void expect_ascii_path_same(const char *raw, norm_scratch *scratch)
{
    char wide[4096];
    size_t len = strlen(raw);
    if (len + 4 > sizeof(wide))
        return;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)raw[i] >= 0x80)
            return;
    memcpy(wide, raw, len);
    memcpy(wide + len, " \xc2\xb7", 4);
    norm_name a, b;
    assert_int_equal(norm_name_parse_in(rules, raw, &a, scratch), 0);
    assert_int_equal(norm_name_parse(rules, wide, &b), 0);
    expect_same_names(&a, &b);
    norm_name_free(&a);
    norm_name_free(&b);
}

/* Every line of f, as a name, through both checks; how many lines. */
static size_t check_lines(FILE *f, norm_scratch *scratch, bump *b)
{
    char line[4096];
    size_t n = 0;
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\r\n")] = '\0';
        expect_ascii_path_same(line, scratch);
        expect_bump_parse_same(line, scratch, b);
        bump_reset(b);
        n++;
    }
    return n;
}

static void test_ascii_and_bump_paths(void **state)
{
    (void)state;
    const char *names[] = {
        "XMLHttp Labs", "OneTrust (UK)", "GmbH", "PCs", "aB", "Ab", "ABc", "aBC", "iPhone",
        "eBay Inc", "McDonald's", "A", "AbCdEf", "ABCDef", "x-Y", "3M", "HelloWorld2Go",
        "ApolloGlobalManagement", "AdSpyglass", "AXDRAFT", "aA", "Aa", "AAa", "AAaa", "zZz",
        "Acme GmbH & Co. KG", "n/a", "", " - ", "Acme Intl - Europe, UK", "o'reilly.com",
        "The Zyntra Widgets Intl (UK)", "a.b.c", "A-B - C", "(EMEA)", "x&y", "Foo,Bar(Baz)Qux"};
    norm_scratch *scratch = norm_scratch_new();
    bump b;
    bump_init(&b);
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        expect_ascii_path_same(names[i], scratch);
        expect_bump_parse_same(names[i], scratch, &b);
    }
    const char *root = getenv("L2A_SOURCE_DIR");
    const char *files[] = {"../shared/eval/dev/accounts.csv", "../shared/eval/dev/leads.jsonl"};
    for (size_t i = 0; i < ARRAY_LEN(files); i++) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", root ? root : ".", files[i]);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;               /* eval data beside the checkout: checked when there */
        assert_true(check_lines(f, scratch, &b) > 0);
        fclose(f);
    }
    bump_free(&b);
    norm_scratch_free(scratch);
}

/* A bump parse gives each token's hash_bytes() and length (what the index files it under). */
static void test_bump_token_hashes(void **state)
{
    (void)state;
    const char *names[] = {"Acme Intl GmbH & Co. KG", "OneTrust (UK)",
                           "Soci\xc3\xa9t\xc3\xa9 G\xc3\xa9n\xc3\xa9rale", "n/a", "XMLHttp o'Reilly"};
    norm_scratch *scratch = norm_scratch_new();
    bump b;
    bump_init(&b);
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        norm_name n;
        norm_name_parse_bump(rules, names[i], &n, scratch, &b);
        assert_true(n.tokens.n ? n.tok_hash != NULL : n.tok_hash == NULL);
        for (size_t k = 0; k < n.tokens.n; k++) {
            assert_int_equal(n.tok_len[k], strlen(n.tokens.v[k]));
            assert_true(n.tok_hash[k] == hash_bytes(n.tokens.v[k], n.tok_len[k]));
        }
    }
    norm_name plain;
    assert_int_equal(norm_name_parse(rules, names[0], &plain), 0);
    assert_null(plain.tok_hash);
    norm_name_free(&plain);
    bump_free(&b);
    norm_scratch_free(scratch);
}

/* The legal forms ending with a word are tried up to the longest of them, whichever was added
 * first: a shorter one added later does not hide a longer one. */
static void test_legal_longest_kept(void **state)
{
    (void)state;
    norm_rules *r = norm_rules_new();
    norm_rules_add_legal_form(r, "zeta omega kappa tau");
    norm_rules_add_legal_form(r, "kappa tau");
    norm_rules_add_legal_form(r, "a b c d e f g h i j k l m n o tau");
    norm_name n;
    char buf[256];
    assert_int_equal(norm_name_parse(r, "Acme Zeta Omega Kappa Tau", &n), 0);
    assert_string_equal(join(&n.tokens, buf, sizeof(buf)), "acme");
    norm_name_free(&n);
    assert_int_equal(norm_name_parse(r, "Acme Omega Kappa Tau", &n), 0);
    assert_string_equal(join(&n.tokens, buf, sizeof(buf)), "acme omega");
    norm_name_free(&n);
    assert_int_equal(norm_name_parse(r, "Acme A B C D E F G H I J K L M N O Tau", &n), 0);
    assert_string_equal(join(&n.tokens, buf, sizeof(buf)), "acme");
    norm_name_free(&n);
    norm_rules_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fold),
        cmocka_unit_test(test_fold_name),
        cmocka_unit_test(test_camel_and_legal),
        cmocka_unit_test(test_qualifiers),
        cmocka_unit_test(test_legal_forms),
        cmocka_unit_test(test_abbrev_stopwords),
        cmocka_unit_test(test_acronym_joined),
        cmocka_unit_test(test_junk),
        cmocka_unit_test(test_invalid_utf8),
        cmocka_unit_test(test_legal_form_variants),
        cmocka_unit_test(test_legal_load_errors),
        cmocka_unit_test(test_abbrev_after_legal),
        cmocka_unit_test(test_parse_in_scratch),
        cmocka_unit_test(test_ascii_and_bump_paths),
        cmocka_unit_test(test_bump_token_hashes),
        cmocka_unit_test(test_legal_longest_kept),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
