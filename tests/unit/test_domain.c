/* test_domain.c - unit tests for emails, websites, registrable domains, labels and domain sets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "domain.h"
#include "host.h"

/* Asserts that fn(in) returned want (NULL: nothing), then frees got (malloc'd by fn). */
static void check_result(const char *fn, const char *in, char *got, const char *want)
{
    if (want && !got)
        fail_msg("%s(\"%s\"): NULL, want \"%s\"", fn, in ? in : "(null)", want);
    if (!want && got)
        fail_msg("%s(\"%s\"): \"%s\", want NULL", fn, in ? in : "(null)", got);
    if (want)
        assert_string_equal(got, want);
    free(got);
}

static void check_registrable(const char *host, const char *want)
{
    check_result("domain_registrable", host, domain_registrable(host), want);
}

static void test_registrable(void **state)
{
    (void)state;
    check_registrable("mail.us.acme.co.uk", "acme.co.uk");
    check_registrable("shop.example.com.au", "example.com.au");
    check_registrable("acme.co.uk", "acme.co.uk");
    check_registrable("WWW.Example.COM.", "example.com");
    /* Private suffixes of the list are suffixes too: the customer's name is kept. */
    check_registrable("x.s3.amazonaws.com", "x.s3.amazonaws.com");
    check_registrable("foo.github.io", "foo.github.io");
    check_registrable("www.foo.github.io", "foo.github.io");
    check_registrable("bücher.de", "bücher.de");
    check_registrable("www.BÜCHER.de", "bücher.de");
    check_registrable("co.uk", NULL);
    check_registrable("github.io", NULL);
    check_registrable("com", NULL);
    check_registrable("1.2.3.4", NULL);
    check_registrable("", NULL);
    check_registrable(NULL, NULL);
}

/* Parses raw, expects st and err text; on success returns nothing to check (see test_email_ok). */
static void check_email_error(const char *raw, email_status want, const char *want_err)
{
    email_addr e;
    const char *err = NULL;
    email_status st = email_parse(raw, &e, &err);
    if (st != want)
        fail_msg("email \"%s\": status %d, want %d (err %s)", raw ? raw : "(null)", st, want,
                 err ? err : "(none)");
    assert_non_null(err);
    assert_string_equal(err, want_err);
    assert_null(e.local);
    assert_null(e.host);
    assert_null(e.registrable);
    email_free(&e);
}

static void test_email_malformed(void **state)
{
    (void)state;
    char long_domain[320];
    strcpy(long_domain, "a@");
    for (int i = 0; i < 30; i++)
        strcat(long_domain, "abcdefghi."); /* 300 characters of valid labels */
    strcat(long_domain, "com");

    check_email_error(NULL, EMAIL_EMPTY, "empty");
    check_email_error("", EMAIL_EMPTY, "empty");
    check_email_error("   ", EMAIL_EMPTY, "empty");
    check_email_error(" <> ", EMAIL_EMPTY, "empty");
    check_email_error("white.linh", EMAIL_MALFORMED, "missing @");
    check_email_error("jose at gmail.com", EMAIL_MALFORMED, "missing @");
    check_email_error("a@@gmail.com", EMAIL_MALFORMED, "more than one @");
    check_email_error("a@b@gmail.com", EMAIL_MALFORMED, "more than one @");
    check_email_error("@libero.it", EMAIL_MALFORMED, "empty local part");
    check_email_error("a@", EMAIL_MALFORMED, "empty domain");
    check_email_error("a b@x.com", EMAIL_MALFORMED, "contains spaces");
    check_email_error("a@x .com", EMAIL_MALFORMED, "contains spaces");
    check_email_error("a\xc2\xa0@x.com", EMAIL_MALFORMED, "contains spaces");
    check_email_error("a,b@x.com", EMAIL_MALFORMED, "invalid local part");
    check_email_error("a@x", EMAIL_BAD_DOMAIN, "invalid domain");
    check_email_error("a@-x.com", EMAIL_BAD_DOMAIN, "invalid domain");
    check_email_error("a@x-.com", EMAIL_BAD_DOMAIN, "invalid domain");
    check_email_error("a@x..com", EMAIL_BAD_DOMAIN, "invalid domain");
    check_email_error("a@x_y.com", EMAIL_BAD_DOMAIN, "invalid domain");
    check_email_error("a@1.2.3.4", EMAIL_BAD_DOMAIN, "invalid domain");
    check_email_error("a@[1.2.3.4]", EMAIL_BAD_DOMAIN, "invalid domain");
    check_email_error("a@caf\xe9.fr", EMAIL_BAD_DOMAIN, "invalid domain"); /* Latin-1, not UTF-8 */
    check_email_error("a@co.uk", EMAIL_BAD_DOMAIN, "domain is a public suffix");
    check_email_error("a@github.io", EMAIL_BAD_DOMAIN, "domain is a public suffix");
    check_email_error(long_domain, EMAIL_BAD_DOMAIN, "invalid domain");
    /* spaces and control bytes of an address of 16 bytes or more, in or after its first 16 */
    check_email_error("abcdefghijklmnopq rs@x.com", EMAIL_MALFORMED, "contains spaces");
    check_email_error("abc\tdefghijklmnopq@x.com", EMAIL_MALFORMED, "contains spaces");
    check_email_error("abcdefghijklmnopqrs@x.com\x7f", EMAIL_BAD_DOMAIN, "invalid domain");
    check_email_error("<abcdefghijklmnopqrs@x.com", EMAIL_MALFORMED, "invalid local part");
}

/* Parses raw, expects success with the given parts. */
static void check_email_ok(const char *raw, const char *local, const char *host, const char *reg)
{
    email_addr e;
    const char *err = "unset";
    email_status st = email_parse(raw, &e, &err);
    if (st != EMAIL_OK)
        fail_msg("email \"%s\": status %d (%s)", raw, st, err ? err : "(none)");
    assert_null(err);
    assert_string_equal(e.local, local);
    assert_string_equal(e.host, host);
    assert_string_equal(e.registrable, reg);
    email_free(&e);
    assert_null(e.host);
}

static void test_email_ok(void **state)
{
    (void)state;
    check_email_ok("IVAN_NGUYEN@DC-STORM.COM", "ivan_nguyen", "dc-storm.com", "dc-storm.com");
    check_email_ok("  <Jane.Doe+leads@Mail.US.Acme.co.uk.>\t\n", "jane.doe+leads", "mail.us.acme.co.uk",
                   "acme.co.uk");
    check_email_ok("o'brien@shop.example.com.au", "o'brien", "shop.example.com.au", "example.com.au");
    check_email_ok("dev@x.s3.amazonaws.com", "dev", "x.s3.amazonaws.com", "x.s3.amazonaws.com");
    check_email_ok("me@foo.github.io", "me", "foo.github.io", "foo.github.io");
    check_email_ok("José@Bücher.DE", "josé", "bücher.de", "bücher.de");
    /* an A-label is the same domain as its Unicode form (libidn2) */
    check_email_ok("a@xn--bcher-kva.de", "a", "bücher.de", "bücher.de");
    check_email_ok("a@Mail.XN--BCHER-KVA.de", "a", "mail.bücher.de", "bücher.de");
    /* 16 bytes and more, with and without what is trimmed */
    check_email_ok("Abcdefghijklmnopqrstu@Example.COM", "abcdefghijklmnopqrstu", "example.com",
                   "example.com");
    check_email_ok(" <Abcdefghijklmnopqrstu@Example.COM> ", "abcdefghijklmnopqrstu", "example.com",
                   "example.com");
    check_email_ok("<Abcdefghijklmnopqrstu@Example.COM>", "abcdefghijklmnopqrstu", "example.com",
                   "example.com");

    /* The error text pointer is optional. */
    email_addr e;
    assert_int_equal(email_parse("a@co.uk", &e, NULL), EMAIL_BAD_DOMAIN);
    email_free(&e);
}

/* website_registrable_bump of raw, read by its length from a copy that more text follows. */
static void check_registrable_bump(const char *raw, const char *reg)
{
    size_t n = raw ? strlen(raw) : 0;
    char *text = malloc(n + 8);
    memcpy(text, raw ? raw : "", n);
    memcpy(text + n, ";y.org", 7);
    bump b;
    bump_init(&b);
    bool plain;
    const char *got = website_registrable_bump(text, n, &b, &plain);
    if (plain)      /* said plain: lower-case [a-z0-9.-] without an A-label */
        assert_true(got && strspn(got, "abcdefghijklmnopqrstuvwxyz0123456789.-") == strlen(got) &&
                    !strstr(got, "xn--"));
    check_result("website_registrable_bump", raw, got ? strdup(got) : NULL, reg);
    bump_free(&b);
    free(text);
}

static void check_website(const char *raw, const char *host, const char *reg)
{
    check_result("website_host", raw, website_host(raw), host);
    check_result("website_registrable", raw, website_registrable(raw), reg);
    check_registrable_bump(raw, reg);
}

static void test_website(void **state)
{
    (void)state;
    check_website("https://www.hifm.no/", "www.hifm.no", "hifm.no");
    check_website("http://iusb.edu", "iusb.edu", "iusb.edu");
    check_website("https://x.com/en/", "x.com", "x.com");
    check_website("X.COM:8080", "x.com", "x.com");
    check_website("HTTP://X.COM:8080/path?q#f", "x.com", "x.com");
    check_website("www.x.com", "www.x.com", "x.com");
    check_website("//x.com", "x.com", "x.com");
    check_website("  http://user:pw@shop.example.com.au?q=1  ", "shop.example.com.au", "example.com.au");
    check_website("x.com.", "x.com", "x.com");
    check_website("x.com#top", "x.com", "x.com");
    check_website("https://foo.github.io/project", "foo.github.io", "foo.github.io");
    check_website("https://www.xn--bcher-kva.de/", "www.bücher.de", "bücher.de");
    check_website("xn--80ak6aa92e.com", "аррӏе.com", "аррӏе.com");   /* decoded, not confused */
    check_website("xn--zz.de", "xn--zz.de", "xn--zz.de");   /* not a valid A-label: kept */
    check_website("co.uk", "co.uk", NULL); /* a host, but not a registrable domain */
    check_website("", NULL, NULL);
    check_website("   ", NULL, NULL);
    check_website(NULL, NULL, NULL);
    check_website("not a url", NULL, NULL);
    check_website("localhost", NULL, NULL);
    check_website("https://", NULL, NULL);
    check_website("x.com:http", NULL, NULL);
    check_website("x!.com", NULL, NULL);
    check_website("n/a", NULL, NULL);
    check_website("-x.com", NULL, NULL);
    check_website("x-.com", NULL, NULL);
    check_website("x..com", NULL, NULL);
    check_website("1.2.3.4", NULL, NULL);
    check_website("a.b.c.123", NULL, NULL);
    check_website("Shop.X1.COM", "shop.x1.com", "x1.com");
    check_website("a-b.c0m", "a-b.c0m", "a-b.c0m");
    check_website("123.456.com", "123.456.com", "456.com");   /* digits but in the TLD */
    check_website("shop.x.1com", "shop.x.1com", "x.1com");
    char label[70], longer[300];
    memset(label, 'a', 63);
    strcpy(label + 63, ".com");
    check_website(label, label, label);
    memset(label, 'a', 64);
    strcpy(label + 64, ".com");
    check_website(label, NULL, NULL);   /* a label of 64 bytes */
    for (size_t i = 0; i < 290; i += 2)
        memcpy(longer + i, "a.", 2);
    strcpy(longer + 290, "com");
    check_website(longer, NULL, NULL);  /* longer than a host may be */
    char host[300], reg[80];            /* 253 bytes (the most a host may have), a dot after */
    memset(host, 'a', 249);
    host[63] = host[127] = host[191] = '.';
    strcpy(host + 249, ".com.");
    memset(reg, 'a', 57);
    strcpy(reg + 57, ".com");
    check_registrable_bump(host, reg);
    check_result("website_registrable", host, website_registrable(host), reg);
}

static void check_label(const char *reg, const char *want)
{
    check_result("domain_label", reg, domain_label(reg), want);
}

/* Hosts of 16 bytes and more: host.c lower-cases them 16 at a time and finds an A-label, a
 * non-ASCII byte, a bad byte or a bad label in or after the first 16. */
static void test_long_hosts(void **state)
{
    (void)state;
    check_registrable("WWW.SIXTEEN-BYTES-X.COM", "sixteen-bytes-x.com");
    check_registrable("mail.ABCDEFGHIJKLMNOPQRSTUVWXYZ.CO.UK.", "abcdefghijklmnopqrstuvwxyz.co.uk");
    check_registrable("abcdefghijklmnop.xn--bcher-kva.de", "bücher.de");
    check_registrable("ABCDEFGHIJKLMNOPQRS.BÜCHER.de", "bücher.de");
    check_registrable("abcdefghijklmnopqrs.under_score.com", NULL);
    check_registrable("abcdefghijklmnopqrs.-dash.com", NULL);
    check_registrable("abcdefghijklmnopqrs.dash-.com", NULL);
    check_registrable("abcdefghijklmnopqrs..com", NULL);
    check_registrable("abcdefghijklmnopqrstu.12345", NULL);
    check_registrable("1234567890123456789.4x", "1234567890123456789.4x");
    /* the bytes either side of a label's ASCII ranges ('-', 0-9, a-z) */
    const char *beside[] = {"a,b.com", "a/b.com", "a:b.com", "a@b.com", "a[b.com", "a`b.com",
                            "a{b.com", "a\x7f" "b.com", "a b.com"};
    for (size_t i = 0; i < sizeof(beside) / sizeof(beside[0]); i++)
        check_registrable(beside[i], NULL);
    check_registrable("a-0.z9.com", "z9.com");
    check_registrable("a234567890123456789012345678901234567890123456789012345678901234.com", NULL);
    check_registrable("a23456789012345678901234567890123456789012345678901234567890123.com",
                      "a23456789012345678901234567890123456789012345678901234567890123.com");
    check_website("https://WWW.Sixteen-Bytes-X.Com/en/", "www.sixteen-bytes-x.com",
                  "sixteen-bytes-x.com");
    check_website("https://abcdefghijklmnop.XN--BCHER-KVA.de/", "abcdefghijklmnop.bücher.de",
                  "bücher.de");
    /* a scheme is what precedes the first ':' when "://" follows and it is a scheme's bytes */
    check_website("svn+ssh://x.com", "x.com", "x.com");
    check_website("HTTPS://Example.COM:8080/x", "example.com", "example.com");
    check_website("ht_tp://x.com", NULL, NULL);
    check_website("1http://x.com", NULL, NULL);
    check_website("http:x.com", NULL, NULL);
}

static void test_label(void **state)
{
    (void)state;
    check_label("acme.co.uk", "acme");
    check_label("dc-storm.com", "dc-storm");
    check_label("jerashun.edu.jo", "jerashun");
    check_label("example.com.au", "example");
    check_label("foo.github.io", "foo");
    check_label("www.acme.co.uk", "acme"); /* a host is reduced to its registrable domain first */
    check_label("co.uk", NULL);
    check_label("", NULL);
}

/* Path of a file under the source tree's conf/ (malloc'd). */
static char *conf_path(const char *name)
{
    const char *root = getenv("L2A_SOURCE_DIR");
    if (!root)
        root = L2A_SOURCE_DIR;
    size_t n = strlen(root) + strlen(name) + 8;
    char *p = malloc(n);
    assert_non_null(p);
    snprintf(p, n, "%s/conf/%s", root, name);
    return p;
}

static void test_domain_set_freemail(void **state)
{
    (void)state;
    char err[512] = "";
    char *path = conf_path("freemail-domains.txt");
    domain_set *s = domain_set_new();
    if (domain_set_load(s, path, err, sizeof(err)) != 0)
        fail_msg("load %s: %s", path, err);
    assert_true(domain_set_count(s) > 4000);
    assert_true(domain_set_contains(s, "gmail.com"));
    assert_true(domain_set_contains(s, "GMail.com."));
    assert_true(domain_set_contains(s, "yahoo.co.uk"));
    assert_true(domain_set_contains(s, "mail.yahoo.co.uk"));
    assert_false(domain_set_contains(s, "acme.co.uk"));
    assert_false(domain_set_contains(s, "dc-storm.com"));
    assert_false(domain_set_contains(s, "co.uk"));
    assert_false(domain_set_contains(s, "gmail"));
    assert_false(domain_set_contains(s, ""));

    /* Operators take a company's domain off the list, or add one. */
    size_t before = domain_set_count(s);
    domain_set_remove(s, "Gmail.com");
    assert_false(domain_set_contains(s, "gmail.com"));
    assert_int_equal(domain_set_count(s), before - 1);
    domain_set_add(s, "ACME.co.uk");
    assert_true(domain_set_contains(s, "sales.acme.co.uk"));
    assert_int_equal(domain_set_count(s), before);
    domain_set_add(s, "not a domain");
    assert_int_equal(domain_set_count(s), before);
    domain_set_free(s);
    free(path);
}

static void test_domain_set_disposable(void **state)
{
    (void)state;
    char err[512] = "";
    char *path = conf_path("disposable-email-domains.txt");
    domain_set *s = domain_set_new();
    if (domain_set_load(s, path, err, sizeof(err)) != 0)
        fail_msg("load %s: %s", path, err);
    assert_true(domain_set_count(s) > 8000);
    assert_true(domain_set_contains(s, "0-mail.com"));
    assert_true(domain_set_contains(s, "0-mailer.dynv6.net"));
    assert_false(domain_set_contains(s, "dynv6.net")); /* a (private) public suffix */
    assert_false(domain_set_contains(s, "gmail.com"));
    domain_set_add(s, "xn--mller-kva.example");      /* a list entry as an A-label ... */
    assert_true(domain_set_contains(s, "müller.example"));   /* ... is its Unicode form */
    domain_set_free(s);
    free(path);
}

/* domain_sets_contain_either of host and reg answers want_a and want_b; so does it given the
 * host and registrable domain email_parse reads from an address at host (when it reads one). */
static void check_either(const domain_set *a, const domain_set *b, const char *host,
                         const char *reg, bool want_a, bool want_b)
{
    bool in_a, in_b;
    domain_sets_contain_either(a, b, host, NULL, reg, &in_a, &in_b);
    assert_int_equal(in_a, want_a);
    assert_int_equal(in_b, want_b);
    char addr[256];
    email_addr e;
    bump mem;
    bool plain;
    bump_init(&mem);
    snprintf(addr, sizeof(addr), "x@%s", host);
    if (email_parse_bump(addr, &e, NULL, &mem, &plain) == EMAIL_OK) {
        domain_sets_contain_either(a, b, e.host, plain ? e.registrable : NULL, reg, &in_a, &in_b);
        assert_int_equal(in_a, want_a);
        assert_int_equal(in_b, want_b);
    }
    bump_free(&mem);
}

/* A host and a registrable domain in two sets: the host's walk down to its own registrable
 * domain, and the other domain (an alias) walked too when it is not that one. */
static void test_domain_sets_contain_either(void **state)
{
    (void)state;
    domain_set *a = domain_set_new(), *b = domain_set_new();
    domain_set_add(a, "acme.co.uk");
    domain_set_add(b, "mail.other.com");
    domain_set_add(b, "alias.org");
    check_either(a, b, "sales.acme.co.uk", "acme.co.uk", true, false);
    check_either(a, b, "x.mail.other.com", "other.com", false, true);
    check_either(a, b, "sales.acme.co.uk", "alias.org", true, true);
    check_either(a, b, "www.nowhere.com", "nowhere.com", false, false);
    check_either(a, b, "co.uk", "acme.co.uk", true, false);   /* a bare suffix */
    check_either(a, b, "Sales.ACME.co.uk", "acme.co.uk", true, false);
    check_either(a, b, "x.Mail.other.com.", "other.com", false, true);
    check_either(a, b, "xn--mller-kva.acme.co.uk", "acme.co.uk", true, false);
    domain_set_free(a);
    domain_set_free(b);
}

/* Every ASCII byte in a local part: allowed exactly when it is RFC 5322 atext or '.' (domain.c
 * tests a 128-bit set). */
static void test_local_part_bytes(void **state)
{
    (void)state;
    const char *atext = "!#$%&'*+-/=?^_`{|}~.";
    for (int c = 1; c < 128; c++) {
        if (c == '@')
            continue;
        char addr[32];
        snprintf(addr, sizeof(addr), "a%cb@example.com", c);
        bool allowed = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                       (c >= 'A' && c <= 'Z') || strchr(atext, c) != NULL;
        email_addr e;
        email_status st = email_parse(addr, &e, NULL);
        if (allowed != (st == EMAIL_OK))
            fail_msg("byte 0x%02x: status %d", c, (int)st);
        email_free(&e);
    }
}

/* email_parse_bump reads what email_parse reads, in its bump, the registrable domain a tail of
 * the host; a host it calls plain normalises to itself (host_plain_normal), and the label of its
 * registrable domain is what precedes its first dot (evidence.c's core_of reads it so). */
static void test_email_parse_bump(void **state)
{
    (void)state;
    const char *addrs[] = {"a@Sales.Acme.CO.UK", "a@dc-storm.com", "a@b.xn--mller-kva.de",
                           "a@müller.de", "a@x.github.io", "a@city.kawasaki.jp",
                           "a@www.ck", "a@a.b.ck", "a@xn--o38h.com", "a@mail.xerox.com",
                           "a@xn.xn-x.com", "B.C@ＥＸＡＭＰＬＥ.com", "a@co.uk", "no-at",
                           " <Mixed.Case@Host.Example.ORG.> ", "a@-bad-.com"};
    size_t plain_seen = 0;
    for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
        email_addr want, got;
        const char *want_err, *got_err;
        bool plain;
        bump mem;
        bump_init(&mem);
        email_status st = email_parse(addrs[i], &want, &want_err);
        assert_int_equal(email_parse_bump(addrs[i], &got, &got_err, &mem, &plain), st);
        assert_ptr_equal(got_err, want_err);
        if (st == EMAIL_OK) {
            assert_string_equal(got.local, want.local);
            assert_string_equal(got.host, want.host);
            assert_string_equal(got.registrable, want.registrable);
            assert_true(got.registrable >= got.host &&
                        got.registrable < got.host + strlen(got.host));
            if (plain) {
                plain_seen++;
                assert_true(host_plain_normal(got.host));
                char *label = domain_label(got.registrable);
                assert_non_null(label);
                assert_int_equal(strcspn(got.registrable, "."), strlen(label));
                assert_memory_equal(got.registrable, label, strlen(label));
                free(label);
            }
            email_free(&want);
        } else {
            assert_null(got.host);
        }
        bump_free(&mem);
    }
    assert_true(plain_seen >= 6);
}

/* Writes text to a temporary file; returns its malloc'd path. */
static char *write_temp(const char *text)
{
    char tmpl[] = "/tmp/l2a-test-domain-XXXXXX";
    int fd = mkstemp(tmpl);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return strdup(tmpl);
}

static void test_domain_set_load_errors(void **state)
{
    (void)state;
    char err[512] = "";
    domain_set *s = domain_set_new();
    char *ok = write_temp("# header\n\nAcme.COM\r\n  beta.org  # a comment\nco.uk\n");
    char *bad = write_temp("good.com\nbad domain.com\n");

    assert_int_equal(domain_set_load(s, ok, err, sizeof(err)), 0);
    assert_int_equal(domain_set_count(s), 3);
    assert_true(domain_set_contains(s, "www.acme.com"));
    assert_true(domain_set_contains(s, "beta.org"));
    assert_false(domain_set_contains(s, "x.co.uk")); /* a public suffix entry never matches */

    assert_int_equal(domain_set_load(s, bad, err, sizeof(err)), -1);
    assert_non_null(strstr(err, ":2: "));
    assert_false(domain_set_contains(s, "good.com")); /* all or nothing */

    assert_int_equal(domain_set_load(s, "/nonexistent/l2a.txt", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "/nonexistent/l2a.txt: "));
    assert_int_equal(domain_set_count(s), 3);

    unlink(ok);
    unlink(bad);
    free(ok);
    free(bad);
    domain_set_free(s);
}

static int teardown_psl(void **state)
{
    (void)state;
    domain_shutdown();
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_registrable),
        cmocka_unit_test(test_email_malformed),
        cmocka_unit_test(test_email_ok),
        cmocka_unit_test(test_website),
        cmocka_unit_test(test_long_hosts),
        cmocka_unit_test(test_label),
        cmocka_unit_test(test_domain_set_freemail),
        cmocka_unit_test(test_domain_set_disposable),
        cmocka_unit_test(test_domain_sets_contain_either),
        cmocka_unit_test(test_email_parse_bump),
        cmocka_unit_test(test_local_part_bytes),
        cmocka_unit_test_teardown(test_domain_set_load_errors, teardown_psl),
    };
    return cmocka_run_group_tests(tests, NULL, teardown_psl);
}
