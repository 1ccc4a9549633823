/* test_conf.c - unit tests of the config loader: shipped file, defaults, errors with positions,
 * path resolution and reload compatibility. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"

static char tmpdir[] = "/tmp/l2a-test-conf-XXXXXX";
static int file_no;

static int setup(void **state)
{
    (void)state;
    return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[256];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* Writes text to a new file in tmpdir; returns its malloc'd path. */
static char *write_yaml(const char *text)
{
    char *path = malloc(strlen(tmpdir) + 32);
    sprintf(path, "%s/c%d.yaml", tmpdir, ++file_no);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
    return path;
}

/* Loads text, which must succeed, into *c. */
static void load_ok(const char *text, conf *c)
{
    char *path = write_yaml(text);
    char err[512] = "";
    if (conf_load(path, c, err, sizeof(err)) != 0)
        fail_msg("unexpected error: %s", err);
    free(path);
}

/* Loads text, which must fail with "path:<where>: <message containing msg>". */
static void load_fails(const char *text, const char *where, const char *msg)
{
    char *path = write_yaml(text);
    char err[512] = "";
    conf c;
    memset(&c, 0xAB, sizeof(c));
    assert_int_equal(conf_load(path, &c, err, sizeof(err)), -1);
    char prefix[600];
    snprintf(prefix, sizeof(prefix), "%s:%s: ", path, where);
    if (strncmp(err, prefix, strlen(prefix)) != 0 || !strstr(err, msg))
        fail_msg("for:\n%s\nexpected \"%s...%s\"\n     got \"%s\"", text, prefix, msg, err);
    assert_null(c.redis_url);                               /* zeroed on failure */
    assert_int_equal(c.eng.stop_words.n, 0);
    conf_free(&c);
    free(path);
}

static bool has_pair(const pair_list *l, const char *from, const char *to)
{
    for (size_t i = 0; i < l->n; i++)
        if (!strcmp(l->v[i].from, from))
            return !strcmp(l->v[i].to, to);
    return false;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && !strcmp(s + n - m, suffix);
}

static void check_default_scalars(const conf *c)
{
    assert_string_equal(c->redis_url, "redis://127.0.0.1:6379");
    assert_string_equal(c->key_prefix, "l2a:");
    assert_null(c->consumer);
    assert_int_equal(c->batch_size, 100);
    assert_int_equal(c->block_ms, 1000);
    assert_int_equal(c->max_in_flight, 1000);
    assert_int_equal(c->command_timeout_ms, 5000);
    assert_int_equal(c->claim_idle_ms, 60000);
    assert_int_equal(c->max_deliveries, 5);
    assert_int_equal(c->max_entry_bytes, 65536);
    assert_int_equal(c->max_field_bytes, 4096);
    assert_string_equal(c->http_listen, "127.0.0.1:9108");
    assert_float_equal(c->eng.w_typo, 0.9, 1e-12);
    assert_float_equal(c->eng.w_prefix, 0.8, 1e-12);
    assert_float_equal(c->eng.w_acronym, 0.8, 1e-12);
    assert_float_equal(c->eng.domain_score, 0.97, 1e-12);
    assert_float_equal(c->eng.label_bonus, 0.05, 1e-12);
    assert_int_equal(c->eng.max_candidates, 5);
    assert_int_equal(c->eng.max_postings, 20000);
    assert_float_equal(c->eng.t_match, 0.9, 1e-12);
    assert_float_equal(c->eng.t_match_freemail, 0.95, 1e-12);
    assert_float_equal(c->eng.t_review, 0.75, 1e-12);
    assert_float_equal(c->eng.t_margin, 0.05, 1e-12);
    assert_int_equal(c->eng.tie_breaks.n, 4);
    assert_string_equal(c->eng.tie_breaks.v[0], "spelling");
    assert_string_equal(c->eng.tie_breaks.v[1], "parent");
    assert_string_equal(c->eng.tie_breaks.v[2], "type");
    assert_string_equal(c->eng.tie_breaks.v[3], "last_activity");
    assert_int_equal(c->eng.type_order.n, 3);
    assert_string_equal(c->eng.type_order.v[0], "Customer");
    assert_string_equal(c->eng.type_order.v[2], "Partner");
    assert_int_equal(c->eng.policy, NO_MATCH_FLAG);
    assert_int_equal(c->eng.domain_rewrites.n, 0);
    assert_int_equal(c->eng.name_rewrites.n, 0);
}

static void test_shipped_config(void **state)
{
    (void)state;
    const char *src = getenv("L2A_SOURCE_DIR");
    assert_non_null(src);
    char path[1024], err[512] = "";
    snprintf(path, sizeof(path), "%s/conf/l2a.yaml", src);
    conf c;
    if (conf_load(path, &c, err, sizeof(err)) != 0)
        fail_msg("shipped config: %s", err);
    check_default_scalars(&c);
    assert_true(c.path[0] == '/');
    assert_true(c.eng.freemail_file[0] == '/');
    assert_true(ends_with(c.eng.freemail_file, "/conf/freemail-domains.txt"));
    assert_true(ends_with(c.eng.disposable_file, "/conf/disposable-email-domains.txt"));
    assert_true(ends_with(c.eng.legal_forms_file, "/conf/legal-forms.tsv"));
    assert_true(sv_contains(&c.eng.freemail_add, "o2.pl"));
    assert_int_equal(c.eng.freemail_remove.n + c.eng.disposable_add.n, 0);
    assert_int_equal(c.eng.domain_aliases.n, 0);
    assert_true(has_pair(&c.eng.abbreviations, "intl", "international"));
    assert_true(has_pair(&c.eng.abbreviations, "int'l", "international"));
    assert_true(has_pair(&c.eng.abbreviations, "co-op", "cooperative"));
    assert_true(has_pair(&c.eng.abbreviations, "st", "saint"));
    assert_true(c.eng.abbreviations.n >= 30);
    assert_true(sv_contains(&c.eng.stop_words, "the"));
    assert_true(sv_contains(&c.eng.stop_words, "on"));
    assert_true(sv_contains(&c.eng.stop_words, "von"));
    assert_true(sv_contains(&c.eng.qualifiers, "emea"));
    assert_true(sv_contains(&c.eng.qualifiers, "germany"));
    assert_false(sv_contains(&c.eng.qualifiers, "global"));
    assert_false(sv_contains(&c.eng.qualifiers, "in"));
    assert_true(sv_contains(&c.eng.junk, "n/a"));
    assert_true(sv_contains(&c.eng.junk, "-"));
    assert_true(sv_contains(&c.eng.junk, "null"));
    assert_true(sv_contains(&c.eng.junk, "self employed"));
    assert_int_equal(c.eng.label_prefixes.n, 11);
    assert_string_equal(c.eng.label_prefixes.v[0], "try");
    assert_true(sv_contains(&c.eng.label_suffixes, "hq"));
    assert_int_equal(c.eng.label_suffixes.n, 14);

    /* Every restart-only key has its default, so defaults and shipped file are compatible. */
    conf d;
    conf_defaults(&d);
    assert_true(conf_reload_compatible(&d, &c, err, sizeof(err)));
    conf_free(&d);
    conf_free(&c);
    assert_null(c.path);
}

static void test_defaults(void **state)
{
    (void)state;
    conf c;
    conf_defaults(&c);
    check_default_scalars(&c);
    assert_null(c.path);
    assert_string_equal(c.eng.freemail_file, "freemail-domains.txt");
    assert_int_equal(c.eng.stop_words.n, 0);
    conf_free(&c);

    const char *empties[] = {"", "# only a comment\n", "---\n", "~\n", "redis:\nnames: ~\n",
                             "daemon:\n  batch_size:\ntie_breaks:\n  order: ~\n"};
    for (size_t i = 0; i < sizeof(empties) / sizeof(*empties); i++) {
        load_ok(empties[i], &c);
        check_default_scalars(&c);
        assert_true(ends_with(c.eng.freemail_file, "/freemail-domains.txt"));
        assert_true(!strncmp(c.eng.freemail_file, tmpdir, strlen(tmpdir)));
        conf_free(&c);
    }
}

static void test_values(void **state)
{
    (void)state;
    conf c;
    load_ok("redis:\n  url: /run/redis/redis.sock\n  prefix: \"x:\"\n"
            "daemon: {consumer: w1, batch_size: 250, max_field_bytes: 1024}\n"
            "lists:\n  freemail: /etc/l2a/free.txt\n  disposable: sub/d.txt\n"
            "  freemail_add: [corp-mail.example]\n"
            "domains:\n  aliases:\n    brand.com: parent.com\n"
            "  rewrites:\n    - {pattern: '^mail\\.(.+)$', replace: '$1'}\n"
            "names:\n  abbreviations: {intl: international}\n  stop_words: [the, of]\n"
            "  rewrites:\n    - pattern: '\\s*\\(formerly [^)]*\\)'\n      replace:\n"
            "scoring: {typo: 0.7, max_candidates: 3}\n"
            "thresholds: {match: 0.8, review: 0.6, match_freemail: 0.8}\n"
            "tie_breaks: {order: [employees, child], type_order: [Partner]}\n"
            "no_match: {policy: create_account}\n",
            &c);
    assert_string_equal(c.redis_url, "/run/redis/redis.sock");
    assert_string_equal(c.key_prefix, "x:");
    assert_string_equal(c.consumer, "w1");
    assert_int_equal(c.batch_size, 250);
    assert_int_equal(c.max_field_bytes, 1024);
    assert_int_equal(c.block_ms, 1000);
    assert_string_equal(c.eng.freemail_file, "/etc/l2a/free.txt");
    char want[512];
    snprintf(want, sizeof(want), "%s/sub/d.txt", tmpdir);
    assert_string_equal(c.eng.disposable_file, want);
    assert_int_equal(c.eng.freemail_add.n, 1);
    assert_string_equal(c.eng.freemail_add.v[0], "corp-mail.example");
    assert_true(has_pair(&c.eng.domain_aliases, "brand.com", "parent.com"));
    assert_int_equal(c.eng.domain_rewrites.n, 1);
    bool changed = false;
    char *host = regex_list_rewrite(&c.eng.domain_rewrites, "mail.acme.com", &changed);
    assert_string_equal(host, "acme.com");
    free(host);
    assert_int_equal(c.eng.name_rewrites.n, 1);
    assert_string_equal(c.eng.name_rewrites.v[0].replace, "");
    assert_int_equal(c.eng.stop_words.n, 2);
    assert_float_equal(c.eng.w_typo, 0.7, 1e-12);
    assert_int_equal(c.eng.max_candidates, 3);
    assert_float_equal(c.eng.t_match, 0.8, 1e-12);
    assert_float_equal(c.eng.t_match_freemail, 0.8, 1e-12);
    assert_float_equal(c.eng.t_review, 0.6, 1e-12);
    assert_int_equal(c.eng.tie_breaks.n, 2);
    assert_string_equal(c.eng.tie_breaks.v[0], "employees");
    assert_int_equal(c.eng.type_order.n, 1);
    assert_int_equal(c.eng.policy, NO_MATCH_CREATE_ACCOUNT);
    conf_free(&c);
}

static void test_errors_keys(void **state)
{
    (void)state;
    load_fails("redis:\n  url: redis://x\nbogus: 1\n", "3:1", "unknown key \"bogus\" at top level");
    load_fails("daemon:\n  batch_sise: 5\n", "2:3",
               "unknown key \"batch_sise\" in section \"daemon\" (valid keys: consumer,");
    load_fails("domains:\n  rewrites:\n    - pattern: a\n      replace: b\n      flags: i\n",
               "5:7", "unknown key \"flags\" in domains.rewrites[0]");
    load_fails("redis:\n  url: a\n  url: b\n", "3:3",
               "duplicate key \"url\" (first defined at line 2, column 3)");
    load_fails("redis: {}\ndaemon: {}\nredis: {}\n", "3:1", "duplicate key \"redis\"");
    load_fails("names:\n  abbreviations:\n    st: saint\n    st: street\n", "4:5",
               "duplicate key \"st\"");
}

static void test_errors_types(void **state)
{
    (void)state;
    load_fails("names:\n  stop_words: the\n", "2:15", "expected a list of strings");
    load_fails("names:\n  stop_words:\n    - the\n    - [a]\n", "4:7",
               "expected a list of strings for names.stop_words");
    load_fails("names:\n  junk: [\"n/a\", ~]\n", "2:17", "expected a list of strings");
    load_fails("domains:\n  aliases: [a.com]\n", "2:12", "expected a map of strings");
    load_fails("domains:\n  aliases:\n    a.com: {b: c}\n", "3:12", "expected a map of strings");
    load_fails("redis: 5\n", "1:8", "expected a mapping for section \"redis\"");
    load_fails("- a\n- b\n", "1:1", "expected a mapping of sections");
    load_fails("redis:\n  url: [a]\n", "2:8", "expected a string for redis.url");
    load_fails("redis:\n  url: \"\"\n", "2:8", "redis.url must not be empty");
    load_fails("daemon:\n  batch_size: 10x\n", "2:15", "expected an integer for daemon.batch_size");
    load_fails("scoring:\n  typo: high\n", "2:9", "expected a number for scoring.typo");
    load_fails("domains:\n  rewrites: {pattern: a}\n", "2:13", "expected a list of {pattern");
    load_fails("domains:\n  rewrites:\n    - pattern: a\n", "3:7",
               "domains.rewrites[0] needs both \"pattern\" and \"replace\"");
}

static void test_errors_values(void **state)
{
    (void)state;
    load_fails("daemon:\n  batch_size: 0\n", "2:15",
               "daemon.batch_size must be between 1 and 10000 (got 0)");
    load_fails("daemon:\n  block_ms: 99999999999999999999\n", "2:13", "expected an integer");
    load_fails("thresholds:\n  match: 1.5\n", "2:10", "thresholds.match must be between 0 and 1");
    load_fails("scoring:\n  label_bonus: -0.1\n", "2:16", "between 0 and 1");
    load_fails("no_match:\n  policy: delete\n", "2:11",
               "bad value \"delete\" for no_match.policy: expected one of flag, create_account");
    load_fails("tie_breaks:\n  order: [parent, size]\n", "2:19",
               "bad value \"size\" for tie_breaks.order: expected one of spelling, parent, child, "
               "type, last_activity, employees");
    load_fails("tie_breaks:\n  order: [type, type]\n", "2:17", "\"type\" appears twice");
    load_fails("thresholds:\n  review: 0.95\n", "2:11",
               "thresholds.review (0.95) must not be greater than thresholds.match (0.9)");
    load_fails("thresholds:\n  match_freemail: 0.5\n", "2:19",
               "thresholds.match (0.9) must not be greater than thresholds.match_freemail (0.5)");
    load_fails("daemon:\n  max_entry_bytes: 2000\n", "2:20", "daemon.max_field_bytes (4096)");
}

static void test_errors_regex(void **state)
{
    (void)state;
    load_fails("domains:\n  rewrites:\n    - pattern: 'a(b'\n      replace: x\n", "3:16",
               "bad regex in domains.rewrites[0]: missing closing parenthesis at offset 3");
    load_fails("names:\n  rewrites:\n    - {pattern: ok, replace: x}\n"
               "    - {pattern: \"[z-a]\", replace: x}\n",
               "4:17", "bad regex in names.rewrites[1]: range out of order");
    load_fails("names:\n  rewrites:\n    - pattern: '(a)'\n      replace: 'x$2'\n", "4:16",
               "bad replacement in names.rewrites[0]: replacement refers to group 2 but the "
               "pattern has 1 group (at offset 1)");
    char big[1200 + 64];
    snprintf(big, sizeof(big), "names:\n  rewrites:\n    - pattern: %01100d\n      replace: x\n", 0);
    load_fails(big, "3:16", "the limit is 1024");
}

static void test_errors_yaml(void **state)
{
    (void)state;
    load_fails("redis:\n  url: a: b\n", "2:9",
               "YAML syntax error: mapping values are not allowed in this context");
    load_fails("redis:\n  url: [a, b\nhttp: {}\n", "3:5",
               "YAML syntax error: did not find expected ',' or ']' (while parsing a flow "
               "sequence started at line 2, column 8)");
    load_fails("redis:\n  url: \"abc\n", "3:1", "YAML syntax error");
    load_fails("redis:\n\turl: a\n", "2:1", "YAML syntax error");
    load_fails("redis:\n  url: \xff\n", "2:8", "YAML error: invalid leading UTF-8 octet");
    load_fails("a: &x 1\nb: *x\n", "2:4", "aliases (*x) are not supported");
    load_fails("redis: {}\n---\nredis: {}\n", "2:1", "only one YAML document");
    load_fails("redis:\n  url: \"a\\0b\"\n", "2:8", "NUL byte");
    load_fails("? [a]\n: b\n", "1:3", "mapping keys must be plain strings");

    char err[512];
    conf c;
    char missing[600];
    snprintf(missing, sizeof(missing), "%s/nope.yaml", tmpdir);
    assert_int_equal(conf_load(missing, &c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "cannot read"));
    assert_int_equal(strncmp(err, missing, strlen(missing)), 0);
}

/* redis.url and http.listen are refused at their value, as l2ad would refuse them at start. */
static void test_errors_addresses(void **state)
{
    (void)state;
    load_fails("redis:\n  url: \"http://foo\"\n", "2:8",
               "redis.url: unsupported Redis URL scheme 'http'");
    load_fails("redis: {url: \"redis://h:notaport\"}\n", "1:14", "redis.url: Redis URL: bad port");
    load_fails("redis: {url: \"redis://h:0\"}\n", "1:14", "bad port");
    load_fails("redis: {url: \"unix://relative.sock\"}\n", "1:14", "must be absolute");
    load_fails("http:\n  listen: nonsense\n", "2:11", "http.listen: 'nonsense': expected host:port");
    load_fails("http: {listen: \":99999\"}\n", "1:16", "expected host:port");
    load_fails("http: {listen: \"::1:9108\"}\n", "1:16", "expected host:port");
    load_fails("http: {listen: \"h:12a\"}\n", "1:16", "expected host:port");
    conf c;
    load_ok("redis: {url: \"redis://:pw@[::1]:6380/2\"}\nhttp: {listen: \"[::1]:0\"}\n", &c);
    conf_free(&c);
    load_ok("redis: {url: /run/redis.sock}\nhttp: {listen: \":65535\"}\n", &c);
    conf_free(&c);
}

/* Sentinel mode: a list of host:port with a master name, and never beside an explicit redis.url. */
static void test_sentinels(void **state)
{
    (void)state;
    conf c;
    load_ok("redis:\n  url: ~\n  sentinels: [\"127.0.0.1:26379\", \"[::1]:26380\"]\n"
            "  master_name: mymaster\n  sentinel_password: s3\n", &c);
    assert_int_equal(c.redis_sentinels.n, 2);
    assert_string_equal(c.redis_sentinels.v[1], "[::1]:26380");
    assert_string_equal(c.redis_master_name, "mymaster");
    assert_string_equal(c.redis_sentinel_password, "s3");
    assert_false(conf_key_reloadable("redis", "sentinels"));
    assert_false(conf_key_reloadable("redis", "master_name"));
    conf_free(&c);
    load_ok("redis: {sentinels: []}\n", &c);    /* empty: no Sentinel */
    assert_int_equal(c.redis_sentinels.n, 0);
    conf_free(&c);
    load_fails("redis:\n  url: \"redis://h:1\"\n  sentinels: [\"h:2\"]\n  master_name: m\n", "2:8",
               "redis.url and redis.sentinels exclude each other");
    load_fails("redis:\n  sentinels: [\"h:2\", nope]\n  master_name: m\n", "2:22",
               "redis.sentinels: 'nope': expected host:port");
    load_fails("redis: {sentinels: [\":26379\"], master_name: m}\n", "1:21", "expected host:port");
    load_fails("redis:\n  sentinels: [\"h:2\"]\n", "2:14", "redis.sentinels needs redis.master_name");
    load_fails("redis:\n  master_name: m\n", "2:16", "redis.master_name needs redis.sentinels");
}

/* The lists' files: conf_load leaves them be; conf_check_files points at the key. */
static void test_check_files(void **state)
{
    (void)state;
    conf c;
    char err[512] = "", want[700];
    char *path = write_yaml("daemon: {batch_size: 5}\nlists:\n  freemail: none.txt\n");
    assert_int_equal(conf_load(path, &c, err, sizeof(err)), 0);
    assert_int_equal(conf_check_files(&c, err, sizeof(err)), -1);
    snprintf(want, sizeof(want), "%s:3:13: lists.freemail: cannot read %s/none.txt: ", path, tmpdir);
    assert_int_equal(strncmp(err, want, strlen(want)), 0);
    conf_free(&c);
    free(path);

    path = write_yaml("lists:\n  freemail: /tmp\n");
    assert_int_equal(conf_load(path, &c, err, sizeof(err)), 0);
    assert_int_equal(conf_check_files(&c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, ":2:13: lists.freemail: cannot read /tmp: is a directory"));
    conf_free(&c);
    free(path);

    path = write_yaml("daemon: {batch_size: 5}\n");  /* defaults, not next to this file */
    assert_int_equal(conf_load(path, &c, err, sizeof(err)), 0);
    assert_int_equal(conf_check_files(&c, err, sizeof(err)), -1);
    assert_non_null(strstr(err, ":1:1: lists.freemail (default): cannot read "));
    conf_free(&c);
    free(path);

    const char *src = getenv("L2A_SOURCE_DIR");
    assert_non_null(src);
    snprintf(want, sizeof(want), "%s/conf/l2a.yaml", src);
    assert_int_equal(conf_load(want, &c, err, sizeof(err)), 0);
    assert_int_equal(conf_check_files(&c, err, sizeof(err)), 0);
    conf_free(&c);
}

static void test_resolve_path(void **state)
{
    (void)state;
    conf c;
    memset(&c, 0, sizeof(c));
    char *p = conf_resolve_path(&c, "x.txt");               /* no config path: as is */
    assert_string_equal(p, "x.txt");
    free(p);
    c.path = (char *)"/etc/l2a/l2a.yaml";
    p = conf_resolve_path(&c, "x.txt");
    assert_string_equal(p, "/etc/l2a/x.txt");
    free(p);
    p = conf_resolve_path(&c, "../lists/y.txt");
    assert_string_equal(p, "/etc/l2a/../lists/y.txt");
    free(p);
    p = conf_resolve_path(&c, "/srv/z.txt");
    assert_string_equal(p, "/srv/z.txt");
    free(p);
    c.path = (char *)"/l2a.yaml";
    p = conf_resolve_path(&c, "x.txt");
    assert_string_equal(p, "/x.txt");
    free(p);
    assert_null(conf_resolve_path(&c, NULL));

    /* A config loaded through a relative path still resolves against its own directory. */
    char cwd[1024], err[512] = "";
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    char *path = write_yaml("lists: {legal_forms: forms/legal.tsv}\n"
                            "redis: {password_file: secret/redis-password}\n");
    assert_int_equal(chdir("/tmp"), 0);
    const char *rel = path + strlen("/tmp/");
    conf d;
    int rc = conf_load(rel, &d, err, sizeof(err));
    assert_int_equal(chdir(cwd), 0);
    assert_int_equal(rc, 0);
    char want[600];
    snprintf(want, sizeof(want), "%s/forms/legal.tsv", tmpdir);
    assert_string_equal(d.eng.legal_forms_file, want);
    snprintf(want, sizeof(want), "%s/secret/redis-password", tmpdir);
    assert_string_equal(d.redis_password_file, want);
    assert_string_equal(d.path, path);
    conf_free(&d);
    free(path);
}

static void test_reload(void **state)
{
    (void)state;
    conf a, b;
    char err[512] = "";
    load_ok("daemon: {batch_size: 10}\nnames: {stop_words: [the]}\n", &a);
    load_ok("daemon: {batch_size: 20}\nnames: {stop_words: [the, of]}\n"
            "thresholds: {match: 0.92}\nno_match: {policy: create_account}\n", &b);
    assert_true(conf_reload_compatible(&a, &b, err, sizeof(err)));
    conf_free(&b);

    load_ok("daemon: {batch_size: 10}\nhttp: {listen: \"0.0.0.0:9108\"}\n", &b);
    assert_false(conf_reload_compatible(&a, &b, err, sizeof(err)));
    assert_non_null(strstr(err, ":2:16: http.listen cannot change on reload"));
    conf_free(&b);

    load_ok("redis: {url: \"redis://10.0.0.1:6379\"}\ndaemon: {consumer: w2}\n", &b);
    assert_false(conf_reload_compatible(&a, &b, err, sizeof(err)));
    assert_non_null(strstr(err, ":1:14: redis.url cannot change on reload"));  /* the first */
    conf_free(&b);

    load_ok("daemon: {consumer: w2}\n", &b);
    assert_false(conf_reload_compatible(&a, &b, err, sizeof(err)));
    assert_non_null(strstr(err, ":1:20: daemon.consumer"));
    /* the other way round the key is gone from the new file: no line to point at */
    assert_false(conf_reload_compatible(&b, &a, err, sizeof(err)));
    assert_non_null(strstr(err, ": daemon.consumer (now its default) cannot change on reload"));
    conf_free(&b);
    conf_free(&a);

    assert_false(conf_key_reloadable("redis", "url"));
    assert_false(conf_key_reloadable("redis", "prefix"));
    assert_false(conf_key_reloadable("http", "listen"));
    assert_false(conf_key_reloadable("redis", "password_file"));
    assert_true(conf_key_reloadable("daemon", "batch_size"));
    assert_true(conf_key_reloadable("domains", "rewrites"));
    assert_false(conf_key_reloadable("nope", "nope"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_config),
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_errors_keys),
        cmocka_unit_test(test_errors_types),
        cmocka_unit_test(test_errors_values),
        cmocka_unit_test(test_errors_regex),
        cmocka_unit_test(test_errors_yaml),
        cmocka_unit_test(test_errors_addresses),
        cmocka_unit_test(test_sentinels),
        cmocka_unit_test(test_check_files),
        cmocka_unit_test(test_resolve_path),
        cmocka_unit_test(test_reload),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
