/* test_record.c - unit tests for account records from CSV and leads from JSON (record.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inputs.h"
#include "util.h"

/* ---- accounts ---- */

/* Per-test state: a temp dir with one CSV file, and what the reader delivered. */
typedef struct acc_fx {
    char dir[64];
    char path[128];
    account_rec *accs;  /* owned, each with owned contents */
    size_t n;
    strvec warnings;
    char err[512];
} acc_fx;

static int acc_setup(void **state)
{
    acc_fx *fx = xcalloc(1, sizeof(*fx));
    strcpy(fx->dir, "/tmp/l2a-test-record-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->path, sizeof(fx->path), "%s/accounts.csv", fx->dir);
    sv_init(&fx->warnings);
    *state = fx;
    return 0;
}

static int acc_teardown(void **state)
{
    acc_fx *fx = *state;
    for (size_t i = 0; i < fx->n; i++)
        account_rec_free(&fx->accs[i]);
    free(fx->accs);
    sv_free(&fx->warnings);
    unlink(fx->path);
    rmdir(fx->dir);
    free(fx);
    return 0;
}

static void keep_account(account_rec *a, void *ctx)
{
    acc_fx *fx = ctx;
    fx->accs = xrealloc(fx->accs, (fx->n + 1) * sizeof(*fx->accs));
    fx->accs[fx->n++] = *a; /* takes the contents */
}

static void keep_warning(const char *msg, void *ctx)
{
    acc_fx *fx = ctx;
    sv_push(&fx->warnings, msg);
}

static void write_csv(const acc_fx *fx, const char *text)
{
    FILE *f = fopen(fx->path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

static long read_csv(acc_fx *fx, const char *text)
{
    write_csv(fx, text);
    return accounts_read_csv(fx->path, keep_account, keep_warning, fx, fx->err, sizeof(fx->err));
}

/* Asserts a warning or error equals "<path>:<rest>". */
static void assert_path_msg(const acc_fx *fx, const char *got, const char *rest)
{
    char want[512];
    snprintf(want, sizeof(want), "%s:%s", fx->path, rest);
    assert_string_equal(got, want);
}

static void test_accounts_any_order_and_attributes(void **state)
{
    acc_fx *fx = *state;
    long n = read_csv(fx, "\xEF\xBB\xBF Domains ,Region,NAME,Type, ID ,employees,\n"
                          "\"acme.com;https://www.acme.co.uk/en/\",EMEA,\"Acme, Inc.\",Customer,001A,250,\n"
                          " b.io ,, Beta ,,002B,,\n");
    assert_int_equal(n, 2);
    assert_int_equal(fx->n, 2);
    assert_int_equal(fx->warnings.n, 0);
    account_rec *a = &fx->accs[0];
    assert_string_equal(a->id, "001A");
    assert_string_equal(a->name, "Acme, Inc.");
    assert_string_equal(a->domains, "acme.com;https://www.acme.co.uk/en/");
    assert_string_equal(a->type, "Customer");
    assert_string_equal(a->employees, "250");
    assert_null(a->parent_id);
    assert_null(a->country);
    assert_null(a->owner_id);
    assert_null(a->last_activity);
    assert_int_equal(a->attr_keys.n, 1); /* the unnamed last column is ignored */
    assert_string_equal(a->attr_keys.v[0], "Region");
    assert_string_equal(a->attr_vals.v[0], "EMEA");
    account_rec *b = &fx->accs[1];
    assert_string_equal(b->id, "002B");
    assert_string_equal(b->name, "Beta");
    assert_string_equal(b->domains, "b.io");
    assert_null(b->type);
    assert_null(b->employees);
    assert_int_equal(b->attr_keys.n, 1);
    assert_string_equal(b->attr_vals.v[0], "");
}

static void test_accounts_missing_name_header(void **state)
{
    acc_fx *fx = *state;
    assert_int_equal(read_csv(fx, "id,company,domains\n1,Acme,acme.com\n"), -1);
    assert_path_msg(fx, fx->err, "1: missing 'name' column");
    assert_int_equal(fx->n, 0);
}

static void test_accounts_missing_id_header_after_blank_lines(void **state)
{
    acc_fx *fx = *state;
    assert_int_equal(read_csv(fx, "\n\nname\nAcme\n"), -1);
    assert_path_msg(fx, fx->err, "3: missing 'id' column");
}

static void test_accounts_duplicate_column(void **state)
{
    acc_fx *fx = *state;
    assert_int_equal(read_csv(fx, "id,name,Name\n1,a,b\n"), -1);
    assert_path_msg(fx, fx->err, "1: duplicate column 'Name'");
}

static void test_accounts_empty_file(void **state)
{
    acc_fx *fx = *state;
    assert_int_equal(read_csv(fx, ""), -1);
    assert_path_msg(fx, fx->err, "1: empty file, no header row");
}

static void test_accounts_header_only(void **state)
{
    acc_fx *fx = *state;
    assert_int_equal(read_csv(fx, "id,name\n"), 0);
    assert_int_equal(fx->n, 0);
}

static void test_accounts_bad_rows_skipped(void **state)
{
    acc_fx *fx = *state;
    long n = read_csv(fx, "id,name,country\n"
                          "1,One,FR\n"
                          "2,Two\n"
                          "\"3\",\"Three\nlines\",DE,extra\n"
                          ",NoId,US\n"
                          "5,  ,US\n"
                          "6,Six,\n");
    assert_int_equal(n, 2);
    assert_int_equal(fx->n, 2);
    assert_string_equal(fx->accs[0].id, "1");
    assert_string_equal(fx->accs[0].country, "FR");
    assert_string_equal(fx->accs[1].id, "6");
    assert_null(fx->accs[1].country);
    assert_int_equal(fx->warnings.n, 4);
    assert_path_msg(fx, fx->warnings.v[0], "3: row has 2 fields, header has 3; skipped");
    assert_path_msg(fx, fx->warnings.v[1], "4: row has 4 fields, header has 3; skipped");
    assert_path_msg(fx, fx->warnings.v[2], "6: empty id; skipped");
    assert_path_msg(fx, fx->warnings.v[3], "7: empty name; skipped");
}

static void test_accounts_bad_quoting(void **state)
{
    acc_fx *fx = *state;
    assert_int_equal(read_csv(fx, "id,name\n1,ok\n2,\"open\n3,x\n"), -1);
    assert_path_msg(fx, fx->err, "3: unterminated quoted field");
    assert_int_equal(fx->n, 1); /* rows before the error were delivered */
}

static void test_accounts_no_warn_cb(void **state)
{
    acc_fx *fx = *state;
    FILE *f = fopen(fx->path, "wb");
    assert_non_null(f);
    fputs("id,name\n1\n2,Two\n", f);
    fclose(f);
    long n = accounts_read_csv(fx->path, keep_account, NULL, fx, fx->err, sizeof(fx->err));
    assert_int_equal(n, 1);
    assert_string_equal(fx->accs[0].name, "Two");
}

static void test_accounts_unreadable(void **state)
{
    acc_fx *fx = *state;
    long n = accounts_read_csv(fx->path, keep_account, keep_warning, fx, fx->err, sizeof(fx->err));
    assert_int_equal(n, -1);
    assert_path_msg(fx, fx->err, " cannot open: No such file or directory");
    n = accounts_read_csv(fx->dir, keep_account, keep_warning, fx, fx->err, sizeof(fx->err));
    assert_int_equal(n, -1);
    char want[512];
    snprintf(want, sizeof(want), "%s:1: read error: Is a directory", fx->dir);
    assert_string_equal(fx->err, want);
}

static void test_accounts_duplicate_ids(void **state)
{
    acc_fx *fx = *state;
    long n = read_csv(fx, "id,name\n7,Old\n8,Other\n7,New\n");
    assert_int_equal(n, 3); /* every row is handed over: the later one replaces the earlier */
    assert_string_equal(fx->accs[2].name, "New");
    assert_int_equal(fx->warnings.n, 1);
    assert_path_msg(fx, fx->warnings.v[0], "4: account id '7' already on line 2 (the later row wins)");
}

static void keep_dup(const char *msg, void *ctx)
{
    acc_fx *fx = ctx;
    sv_push(&fx->warnings, "dup");
    sv_push(&fx->warnings, msg);
}

static void test_accounts_opts_encoding_and_dup_cb(void **state)
{
    acc_fx *fx = *state;
    write_csv(fx, "id,name\n1,Soci\xe9t\xe9\n1,Caf\xe9\n");
    accounts_csv o = {.path = fx->path, .encoding = "latin1", .cb = keep_account,
                      .warn = keep_warning, .dup = keep_dup, .ctx = fx};
    assert_int_equal(accounts_read_csv_opts(&o, fx->err, sizeof(fx->err)), 2);
    assert_string_equal(fx->accs[0].name, "Soci\xc3\xa9t\xc3\xa9");
    assert_string_equal(fx->accs[1].name, "Caf\xc3\xa9");
    assert_int_equal(fx->warnings.n, 2);
    assert_string_equal(fx->warnings.v[0], "dup");
    o.encoding = NULL; /* the same bytes as UTF-8: refused with file:line */
    assert_int_equal(accounts_read_csv_opts(&o, fx->err, sizeof(fx->err)), -1);
    assert_path_msg(fx, fx->err, "2: not valid UTF-8 (byte 0xE9 in field 2)");
    o.encoding = "ascii";
    assert_int_equal(accounts_read_csv_opts(&o, fx->err, sizeof(fx->err)), -1);
    assert_path_msg(fx, fx->err, "2: byte 0xE9 is not valid ascii");
}

static void test_account_rec_set(void **state)
{
    (void)state;
    account_rec a;
    account_rec_init(&a);
    account_rec_set(&a, "ID", "1");
    account_rec_set(&a, "id", "2");
    account_rec_set(&a, "Parent_Id", "9");
    account_rec_set(&a, "region", "EMEA");
    account_rec_set(&a, "Region", "APAC");
    account_rec_set(&a, "tier", NULL);
    account_rec_set(&a, "parent_id", NULL);
    assert_string_equal(a.id, "2");
    assert_null(a.parent_id);
    assert_int_equal(a.attr_keys.n, 1);
    assert_string_equal(a.attr_keys.v[0], "region");
    assert_string_equal(a.attr_vals.v[0], "APAC");
    account_rec_free(&a);
    assert_null(a.id);
    assert_int_equal(a.attr_keys.n, 0);
    account_rec_free(&a); /* safe twice */
}

/* ---- leads ---- */

/* Parses text into l (freed first) and returns the status; err gets the reason. */
static int parse(lead *l, const char *text, char *err, size_t errlen)
{
    err[0] = '\0';
    return lead_from_json(text, strlen(text), l, err, errlen);
}

static void test_lead_valid(void **state)
{
    (void)state;
    lead l;
    char err[256];
    lead_init(&l);
    assert_int_equal(parse(&l,
                           "{\"id\":\"00Q1\",\"email\":\"Ann@Acme.co.uk\",\"company\":\"Acme \\u00e9\","
                           "\"website\":\"acme.co.uk\",\"first_name\":\"Ann\",\"last_name\":\"Lee\","
                           "\"title\":\"CTO\",\"country\":\"UK\",\"phone\":\"+44 1\","
                           "\"source\":\"Webinar\",\"score\":\"45\",\"extra\":{\"x\":[1]}}\n",
                           err, sizeof(err)),
                     0);
    assert_string_equal(err, "");
    assert_string_equal(l.id, "00Q1");
    assert_string_equal(l.email, "Ann@Acme.co.uk");
    assert_string_equal(l.company, "Acme \xC3\xA9");
    assert_string_equal(l.website, "acme.co.uk");
    assert_string_equal(l.first_name, "Ann");
    assert_string_equal(l.last_name, "Lee");
    assert_string_equal(l.title, "CTO");
    assert_string_equal(l.country, "UK");
    assert_string_equal(l.phone, "+44 1");
    assert_string_equal(l.source, "Webinar");
    assert_string_equal(l.score, "45");
    lead_free(&l);
}

static void test_lead_numbers_as_text(void **state)
{
    (void)state;
    lead l;
    char err[256];
    lead_init(&l);
    assert_int_equal(parse(&l,
                           "{\"id\":123,\"score\":45,\"phone\":-5551234,\"company\":0.1,"
                           "\"title\":2.5e300,\"source\":45.0}\r\n",
                           err, sizeof(err)),
                     0);
    assert_string_equal(l.id, "123");
    assert_string_equal(l.score, "45");
    assert_string_equal(l.phone, "-5551234");
    assert_string_equal(l.company, "0.1");
    assert_string_equal(l.title, "2.5e+300");
    assert_string_equal(l.source, "45");
    lead_free(&l);
}

/* Lines read without jansson (flat, ASCII, no escapes) and lines left to it read alike. */
static void test_lead_plain_lines_and_the_rest(void **state)
{
    (void)state;
    static const struct {
        const char *json, *company, *score;
    } cases[] = {
        {" { \"company\" : \"Acme\" ,\t\"id\":\"L\", \"score\" : -0 }\r\n", "Acme", "0"},
        {"{\"id\":\"L\",\"company\":\"A\\\"B\",\"score\":0}", "A\"B", "0"},
        {"{\"id\":\"L\",\"x\":{\"y\":[1,true]},\"company\":\"\x7f\",\"score\":12}", "\x7f",
         "12"},
        {"{\"id\":\"L\",\"score\":1234567890123456789,\"company\":null}", NULL,
         "1234567890123456789"},
        {"{\"id\":\"L\",\"score\":1.50,\"company\":\"\"}", "", "1.5"},
        {"{\"id\":\"L\",\"score\":\"7\",\"company\":\"B\",\"company\":\"C\"}", "C", "7"},
    };
    lead l;
    char err[256];
    lead_init(&l);
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        assert_int_equal(parse(&l, cases[i].json, err, sizeof(err)), 0);
        assert_string_equal(l.id, "L");
        if (cases[i].company)
            assert_string_equal(l.company, cases[i].company);
        else
            assert_null(l.company);
        assert_string_equal(l.score, cases[i].score);
    }
    assert_int_equal(parse(&l, "{\"id\":\"L\",\"score\":007}", err, sizeof(err)), -1);
    assert_string_equal(err, "invalid JSON at column 19: invalid token near '0'");
    assert_int_equal(parse(&l, "{\"id\":\"L\",}", err, sizeof(err)), -1);
    assert_int_equal(parse(&l, "{\"id\":\"L\"}{}", err, sizeof(err)), -1);
    lead_free(&l);
}

static void test_lead_nulls_missing_and_duplicates(void **state)
{
    (void)state;
    lead l;
    char err[256];
    lead_init(&l);
    lead_set(&l, "company", "stale"); /* previous contents are replaced */
    assert_int_equal(parse(&l,
                           "{\"id\":\"L1\",\"email\":null,\"company\":null,\"score\":1,\"score\":2}",
                           err, sizeof(err)),
                     0);
    assert_string_equal(l.id, "L1");
    assert_null(l.email);
    assert_null(l.company);
    assert_null(l.website);
    assert_string_equal(l.score, "2");
    lead_free(&l);
}

static void test_lead_broken_json(void **state)
{
    (void)state;
    lead l;
    char err[256];
    lead_init(&l);
    assert_int_equal(parse(&l, "{\"id\": \"L2\", \"email\": }", err, sizeof(err)), -1);
    assert_string_equal(err, "invalid JSON at column 23: unexpected token near '}'");
    assert_null(l.id);
    assert_int_equal(parse(&l, "{\"id\":\"L2\"} trailing", err, sizeof(err)), -1);
    /* jansson's column is that of the last character of the offending token */
    assert_string_equal(err, "invalid JSON at column 20: end of file expected near 'trailing'");
    assert_int_equal(parse(&l, "{\"id\":\"L2\",\n\"email\":x}", err, sizeof(err)), -1);
    assert_string_equal(err, "invalid JSON at line 2, column 9: invalid token near 'x'");
    assert_int_equal(parse(&l, "", err, sizeof(err)), -1);
    assert_string_equal(err, "invalid JSON: unexpected token near end of file");
    lead_free(&l);
}

/* What a producer gets wrong is said in l2a's words, not jansson's. */
static void test_lead_json_words(void **state)
{
    (void)state;
    static const struct {
        const char *json, *want;
    } cases[] = {
        {"{\"id\":\"L\",\"company\":\"a\\u0000b\"}",
         "invalid JSON at column 30: a string holds a NUL character (\\u0000)"},
        {"{\"id\":\"L\",\"company\":\"Soci\xe9t\xe9\"}",
         "invalid JSON at column 25: not valid UTF-8 (the file must be UTF-8): byte 0xe9"},
        {"{\"id\":\"L\",\"company\":\"x", "invalid JSON at column 22: the text ends inside the JSON"},
        {"{\"id\":\"L\",\"company\":\"a\tb\"}",
         "invalid JSON at column 22: a string holds an unescaped control character 0x9"},
    };
    lead l;
    char err[256];
    lead_init(&l);
    for (size_t i = 0; i < ARRAY_LEN(cases); i++) {
        assert_int_equal(parse(&l, cases[i].json, err, sizeof(err)), -1);
        assert_string_equal(err, cases[i].want);
    }
    lead_free(&l);
}

static void test_lead_not_object(void **state)
{
    (void)state;
    lead l;
    char err[256];
    lead_init(&l);
    assert_int_equal(parse(&l, "[{\"id\":\"L3\"}]", err, sizeof(err)), -1);
    assert_string_equal(err, "not an object");
    assert_int_equal(parse(&l, "\"L3\"", err, sizeof(err)), -1);
    assert_string_equal(err, "not an object");
    assert_null(l.id);
    lead_free(&l);
}

static void test_lead_missing_or_empty_id(void **state)
{
    (void)state;
    lead l;
    char err[256];
    lead_init(&l);
    assert_int_equal(parse(&l, "{\"email\":\"a@b.c\"}", err, sizeof(err)), -1);
    assert_string_equal(err, "missing id");
    assert_int_equal(parse(&l, "{\"id\":null}", err, sizeof(err)), -1);
    assert_string_equal(err, "missing id");
    assert_int_equal(parse(&l, "{\"ID\":\"x\"}", err, sizeof(err)), -1);
    assert_string_equal(err, "missing id");
    assert_int_equal(parse(&l, "{\"id\":\"\"}", err, sizeof(err)), -1);
    assert_string_equal(err, "empty id");
    assert_int_equal(parse(&l, "{\"id\":[\"L4\"]}", err, sizeof(err)), -1);
    assert_string_equal(err, "field 'id' is not a string");
    assert_null(l.id);
    lead_free(&l);
}

static void test_lead_bad_field_keeps_id(void **state)
{
    (void)state;
    lead l;
    char err[256];
    lead_init(&l);
    assert_int_equal(parse(&l, "{\"email\":{\"addr\":\"a@b.c\"},\"id\":\"L5\"}", err, sizeof(err)),
                     -1);
    assert_string_equal(err, "field 'email' is not a string");
    assert_string_equal(l.id, "L5");
    assert_int_equal(parse(&l, "{\"id\":77,\"company\":[\"Acme\"]}", err, sizeof(err)), -1);
    assert_string_equal(err, "field 'company' is not a string");
    assert_string_equal(l.id, "77");
    assert_int_equal(parse(&l, "{\"id\":\"L6\",\"score\":true}", err, sizeof(err)), -1);
    assert_string_equal(err, "field 'score' is not a string");
    assert_string_equal(l.id, "L6");
    lead_free(&l);
}

static void test_lead_set(void **state)
{
    (void)state;
    lead l;
    lead_init(&l);
    assert_true(lead_set(&l, "email", "a@b.c"));
    assert_true(lead_set(&l, "email", "x@y.z"));
    assert_false(lead_set(&l, "Email", "ignored"));
    assert_false(lead_set(&l, "json", "{}"));
    assert_string_equal(l.email, "x@y.z");
    assert_true(lead_set(&l, "email", NULL));
    assert_null(l.email);
    lead_free(&l);
    lead_free(&l); /* safe twice */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accounts_any_order_and_attributes, acc_setup,
                                        acc_teardown),
        cmocka_unit_test_setup_teardown(test_accounts_missing_name_header, acc_setup, acc_teardown),
        cmocka_unit_test_setup_teardown(test_accounts_missing_id_header_after_blank_lines, acc_setup,
                                        acc_teardown),
        cmocka_unit_test_setup_teardown(test_accounts_duplicate_column, acc_setup, acc_teardown),
        cmocka_unit_test_setup_teardown(test_accounts_empty_file, acc_setup, acc_teardown),
        cmocka_unit_test_setup_teardown(test_accounts_header_only, acc_setup, acc_teardown),
        cmocka_unit_test_setup_teardown(test_accounts_bad_rows_skipped, acc_setup, acc_teardown),
        cmocka_unit_test_setup_teardown(test_accounts_bad_quoting, acc_setup, acc_teardown),
        cmocka_unit_test_setup_teardown(test_accounts_no_warn_cb, acc_setup, acc_teardown),
        cmocka_unit_test_setup_teardown(test_accounts_unreadable, acc_setup, acc_teardown),
        cmocka_unit_test_setup_teardown(test_accounts_duplicate_ids, acc_setup, acc_teardown),
        cmocka_unit_test_setup_teardown(test_accounts_opts_encoding_and_dup_cb, acc_setup,
                                        acc_teardown),
        cmocka_unit_test(test_account_rec_set),
        cmocka_unit_test(test_lead_valid),
        cmocka_unit_test(test_lead_numbers_as_text),
        cmocka_unit_test(test_lead_plain_lines_and_the_rest),
        cmocka_unit_test(test_lead_nulls_missing_and_duplicates),
        cmocka_unit_test(test_lead_broken_json),
        cmocka_unit_test(test_lead_json_words),
        cmocka_unit_test(test_lead_not_object),
        cmocka_unit_test(test_lead_missing_or_empty_id),
        cmocka_unit_test(test_lead_bad_field_keeps_id),
        cmocka_unit_test(test_lead_set),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
