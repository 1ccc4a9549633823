/* test_domain_psl.c - registrable domains from the suffix list's table equal psl_latest's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <idn2.h>
#include <libpsl.h>
#include <malloc.h>

#include "domain.h"
#include "suffix_list.h"
#include "util.h"

#define TOKEN_MAX 300
#define NOT_IN_HOSTS ",;\"'@/<>()[]{}| \t\r\n" /* where a data file's tokens are split */

typedef struct psl_pair {
    suffix_list *list;       /* the table under test */
    psl_ctx_t *ref;          /* libpsl as the code before the table loaded it */
    size_t checked, answered;
} psl_pair;

static int pair_setup(void **state)
{
    psl_pair *p = xcalloc(1, sizeof(*p));
    p->list = suffix_list_latest();
    p->ref = psl_latest(NULL);
    *state = p;
    return 0;
}

static int pair_teardown(void **state)
{
    psl_pair *p = *state;
    suffix_list_free(p->list);
    psl_free(p->ref);
    free(p);
    domain_shutdown();
    return 0;
}

/* s as it is through the table, and s normalised (website_host) through domain_registrable, both
 * against libpsl. */
static void check_host(psl_pair *p, const char *s)
{
    const char *fast;
    p->checked++;
    if (suffix_list_registrable(p->list, s, strlen(s), &fast)) {
        p->answered++;
        const char *want = psl_registrable_domain(p->ref, s);
        if (fast != want)
            fail_msg("\"%s\": table \"%s\", libpsl \"%s\"", s, fast ? fast : "(null)",
                     want ? want : "(null)");
    }
    char *h = website_host(s);
    if (!h)
        return;
    const char *want = psl_registrable_domain(p->ref, h);
    if (suffix_list_registrable_host(p->list, h, strlen(h), &fast) && fast != want)
        fail_msg("host \"%s\": table \"%s\", libpsl \"%s\"", h, fast ? fast : "(null)",
                 want ? want : "(null)");
    char *got = domain_registrable(h);
    if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
        fail_msg("domain_registrable(\"%s\"): \"%s\", libpsl \"%s\"", h, got ? got : "(null)",
                 want ? want : "(null)");
    free(got);
    free(h);
}

/* d, one label below it and two labels below it. */
static void check_with_children(psl_pair *p, const char *d)
{
    char buf[TOKEN_MAX + 16];
    if (strlen(d) > TOKEN_MAX)
        return;
    check_host(p, d);
    snprintf(buf, sizeof(buf), "x.%s", d);
    check_host(p, buf);
    snprintf(buf, sizeof(buf), "www.x-1.%s", d);
    check_host(p, buf);
}

static void test_table_loaded(void **state)
{
    psl_pair *p = *state;
    /* libpsl holds a DAFSA (psl_suffix_count -1): the table must have been read from it */
    if (psl_suffix_count(suffix_list_psl(p->list)) == -1)
        assert_true(suffix_list_rules(p->list) > 1000);
    struct mallinfo2 before = mallinfo2();
    suffix_list *another = suffix_list_latest();
    struct mallinfo2 after = mallinfo2();
    print_message("table rules: %zu; a list (libpsl's context and the table) holds %zu bytes of "
                  "heap\n", suffix_list_rules(p->list), after.uordblks - before.uordblks);
    suffix_list_free(another);
}

static void test_tricky_hosts(void **state)
{
    psl_pair *p = *state;
    static const char *const hosts[] = {
        "blogspot.com", "foo.blogspot.com", "a.foo.blogspot.com", "blogspot.co.uk",
        "ck", "www.ck", "a.www.ck", "b.ck", "a.b.ck", "x.a.b.ck",
        "co.uk", "a.co.uk", "b.a.co.uk", "uk", "com", "example.com", "www.example.com",
        "kawasaki.jp", "city.kawasaki.jp", "a.city.kawasaki.jp", "x.kawasaki.jp",
        "y.x.kawasaki.jp", "s3.amazonaws.com", "x.s3.amazonaws.com",
        "x.compute.amazonaws.com", "y.x.compute.amazonaws.com", "github.io", "foo.github.io",
        "bücher.de", "www.bücher.de", "xn--bcher-kva.de", "www.xn--bcher-kva.de",
        "公司.cn", "食狮.公司.cn", "www.食狮.公司.cn", "xn--55qx5d.cn", "a.xn--55qx5d.cn",
        "xn--o38h.com", "ελ", "παράδειγμα.ελ", "пример.рф", "xn--e1afmkfd.xn--p1ai",
        "1.2.3.4", "10.0.0.1", "::1", "[::1]", "localhost", "a", "-", ".", "..", "",
        "com.", "example.com.", ".example.com", "a..b.com", "a.b.c.d.e.f.g.h.i.j.k.co.uk",
        "1.2.3.4.5.6.7.8.9.10.11.blogspot.com", "a.b.c.d.e.f.g.h.city.kawasaki.jp",
        "EXAMPLE.COM", "Www.Example.Co.Uk", "ex ample.com", "ex\tample.com", "user@example.com",
        "https://www.example.co.uk:8080/path", "//example.com", "www.example.com/",
        /* last labels of up to 8 bytes and longer, known and not (the table's one-label
         * strings: suffix_list.c's tld) */
        "a.notatld", "x.abcdefgh", "x.abcdefghi", "x.zz", "x.q", "example.software",
        "example.photography", "example.xn--p1ai", "example.co.notatld", "kawasaki.jpx",
    };
    for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
        check_with_children(p, hosts[i]);
}

/* Every byte but NUL in a first label, a middle label and a last label, beside plain rules,
 * wildcard rules and exception rules (the table refuses a byte below '!' and, when its rules are
 * not UTF-8, one from 0x80 in one comparison: suffix_list.c's label_starts), and hosts of more
 * labels than libpsl looks at, whose suffixes are hashed in the same pass. */
static void test_every_byte(void **state)
{
    psl_pair *p = *state;
    static const char *const around[][2] = {
        {"", ".com"}, {"x", ".co.uk"}, {"a.", ".ck"}, {"", ".www.ck"}, {"b.", ".kawasaki.jp"},
        {"x.", ""}, {"x.y", ""}, {"", "z.city.kawasaki.jp"},
        {"1.2.3.4.5.6.7.8.9.", ".blogspot.com"}};
    char buf[64];
    for (int c = 1; c < 256; c++)
        for (size_t f = 0; f < sizeof(around) / sizeof(around[0]); f++) {
            snprintf(buf, sizeof(buf), "%s%c%s", around[f][0], c, around[f][1]);
            check_host(p, buf);
        }
}

/* Every rule of the list in text form (the file the built-in list was made from), as it is and
 * in punycode, with one and two labels below it. */
static void test_every_rule(void **state)
{
    psl_pair *p = *state;
    char *text = read_file(psl_builtin_filename(), NULL);
    if (!text)
        skip();
    size_t rules = 0;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        line[strcspn(line, " \t\r")] = '\0';
        if (!line[0] || (line[0] == '/' && line[1] == '/'))
            continue;
        const char *d = line[0] == '!' ? line + 1 : line[0] == '*' && line[1] == '.' ? line + 2
                                                                                      : line;
        check_with_children(p, d);
        char *ascii = NULL;
        if (idn2_to_ascii_8z(d, &ascii, 0) == IDN2_OK && strcmp(ascii, d) != 0)
            check_with_children(p, ascii);
        idn2_free(ascii);
        rules++;
    }
    free(text);
    print_message("rules: %zu, hosts: %zu, answered by the table: %zu\n", rules, p->checked,
                  p->answered);
    assert_true(rules > 1000);
    if (suffix_list_rules(p->list))
        assert_true(p->answered * 10 >= p->checked * 9);
}

/* Every token of a data file that holds a dot (split at what no host holds: , ; " @ / spaces
 * ...), as a host. */
static size_t check_file_tokens(psl_pair *p, const char *path)
{
    char *text = read_file(path, NULL);
    size_t n = 0;
    char *save = NULL;
    if (!text)
        return 0;
    for (char *t = strtok_r(text, NOT_IN_HOSTS, &save); t; t = strtok_r(NULL, NOT_IN_HOSTS, &save))
        if (strchr(t, '.') && strlen(t) <= TOKEN_MAX) {
            check_host(p, t);
            n++;
        }
    free(text);
    return n;
}

/* The evaluation set beside the checkout, and the files in L2A_PSL_CHECK_FILES (':'-separated,
 * e.g. a million accounts; not run by default). */
static void test_data_files(void **state)
{
    psl_pair *p = *state;
    const char *src = getenv("L2A_SOURCE_DIR");
    char path[4096];
    size_t n = 0;
    static const char *const dev[] = {"accounts.csv", "leads.jsonl"};
    for (size_t i = 0; src && i < 2; i++) {
        snprintf(path, sizeof(path), "%s/../shared/eval/dev/%s", src, dev[i]);
        n += check_file_tokens(p, path);
    }
    const char *more = getenv("L2A_PSL_CHECK_FILES");
    char *list = more ? xstrdup(more) : NULL, *save = NULL;
    for (char *f = list ? strtok_r(list, ":", &save) : NULL; f; f = strtok_r(NULL, ":", &save)) {
        size_t k = check_file_tokens(p, f);
        print_message("%s: %zu hosts\n", f, k);
        n += k;
    }
    free(list);
    print_message("data files: %zu hosts compared\n", n);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_loaded),
        cmocka_unit_test(test_tricky_hosts),
        cmocka_unit_test(test_every_byte),
        cmocka_unit_test(test_every_rule),
        cmocka_unit_test(test_data_files),
    };
    return cmocka_run_group_tests(tests, pair_setup, pair_teardown);
}
