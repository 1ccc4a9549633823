/* test_cli_args.c - unit tests of the l2a option parsers: what each accepts, and the usage error (exit 2, message on stderr) or help (exit 0, usage on stdout) for the rest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

#define MAX_ARGS 16

/* What one parse wrote on a standard stream, through a temp file. */
typedef struct captured {
    int saved_fd;
    int fd;
    FILE *file;
} captured;

static void capture_start(captured *c, FILE *stream)
{
    fflush(stream);
    c->file = tmpfile();
    assert_non_null(c->file);
    c->fd = fileno(stream);
    c->saved_fd = dup(c->fd);
    assert_true(c->saved_fd >= 0);
    assert_true(dup2(fileno(c->file), c->fd) >= 0);
}

/* Restores the stream; the text it received (malloc'd). */
static char *capture_end(captured *c, FILE *stream)
{
    fflush(stream);
    assert_true(dup2(c->saved_fd, c->fd) >= 0);
    close(c->saved_fd);
    rewind(c->file);
    strbuf sb;
    sb_init(&sb);
    char chunk[512];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), c->file)) > 0)
        sb_appendn(&sb, chunk, n);
    fclose(c->file);
    return sb_take(&sb);
}

/* "match --config c" -> argv; the strings live in buf. Returns argc. */
static int split_args(const char *line, char *buf, size_t len, char **argv)
{
    int argc = 0;
    snprintf(buf, len, "%s", line);
    for (char *tok = strtok(buf, " "); tok && argc < MAX_ARGS - 1; tok = strtok(NULL, " "))
        argv[argc++] = tok;
    argv[argc] = NULL;
    return argc;
}

typedef enum parser { P_MATCH, P_CHECK, P_IMPORT, P_PUSH } parser;

/* The outcome of one parse: the status it returned and what it printed. */
typedef struct parse_run {
    int rc;
    char *out;
    char *err;
    match_opts m;
    check_config_opts cc;
    redis_opts r;
} parse_run;

static const args_cmd import_cmd = {"l2a import-accounts", "usage: import\n"};
static const args_cmd push_cmd = {"l2a push", "usage: push\n"};

static int call_parser(parser p, int argc, char **argv, parse_run *run)
{
    switch (p) {
    case P_MATCH: return cli_parse_match_opts(argc, argv, &run->m);
    case P_CHECK: return cli_parse_check_config_opts(argc, argv, &run->cc);
    case P_IMPORT:
        return cli_parse_redis_opts(argc, argv, &import_cmd, "ACCOUNTS.csv", true, &run->r);
    case P_PUSH: return cli_parse_redis_opts(argc, argv, &push_cmd, "LEADS.jsonl", false, &run->r);
    }
    return -100;
}

/* Parses line with p; run's strings stay valid until run_free (they point into buf). */
static void parse(parser p, const char *line, char *buf, size_t len, parse_run *run)
{
    char *argv[MAX_ARGS];
    int argc = split_args(line, buf, len, argv);
    captured out, err;
    memset(run, 0, sizeof(*run));
    capture_start(&out, stdout);
    capture_start(&err, stderr);
    run->rc = call_parser(p, argc, argv, run);
    run->err = capture_end(&err, stderr);
    run->out = capture_end(&out, stdout);
}

static void run_free(parse_run *run)
{
    free(run->out);
    free(run->err);
}

/* p on line is a usage error whose first line is want (then the usage). */
static void expect_usage_error(parser p, const char *line, const char *want)
{
    char buf[512];
    parse_run run;
    parse(p, line, buf, sizeof(buf), &run);
    if (run.rc != 2 || strncmp(run.err, want, strlen(want)) != 0 || run.err[strlen(want)] != '\n')
        fail_msg("'%s': rc %d, stderr \"%s\" (wanted 2, \"%s\")", line, run.rc, run.err, want);
    assert_non_null(strstr(run.err, "usage"));
    assert_string_equal(run.out, "");
    run_free(&run);
}

/* p on line prints the help on stdout and returns 0. */
static void expect_help(parser p, const char *line)
{
    char buf[512];
    parse_run run;
    parse(p, line, buf, sizeof(buf), &run);
    assert_int_equal(run.rc, 0);
    assert_non_null(strstr(run.out, "usage"));
    assert_string_equal(run.err, "");
    run_free(&run);
}

static void test_match(void **state)
{
    (void)state;
    char buf[512];
    parse_run run;
    parse(P_MATCH, "match --config c.yaml --leads - --accounts a.csv", buf, sizeof(buf), &run);
    assert_int_equal(run.rc, ARGS_RUN);
    assert_string_equal(run.m.config, "c.yaml");
    assert_string_equal(run.m.accounts, "a.csv");
    assert_string_equal(run.m.leads, "-");
    run_free(&run);
    parse(P_MATCH, "match --config=c -a a -l l", buf, sizeof(buf), &run);
    assert_int_equal(run.rc, ARGS_RUN);
    assert_string_equal(run.m.config, "c");
    run_free(&run);

    expect_help(P_MATCH, "match --help");
    expect_help(P_MATCH, "match --config c -h");
    expect_usage_error(P_MATCH, "match", "l2a match: --config is required");
    expect_usage_error(P_MATCH, "match --config c --leads l", "l2a match: --accounts is required");
    expect_usage_error(P_MATCH, "match --config c --accounts a", "l2a match: --leads is required");
    expect_usage_error(P_MATCH, "match x --config c --accounts a --leads l",
                       "l2a match: unexpected argument 'x'");
    expect_usage_error(P_MATCH, "match --bogus", "l2a match: unknown option '--bogus'");
    expect_usage_error(P_MATCH, "match --bogus=1", "l2a match: unknown option '--bogus'");
    expect_usage_error(P_MATCH, "match -x", "l2a match: unknown option '-x'");
    expect_usage_error(P_MATCH, "match --accounts a --leads l --config",
                       "l2a match: option '--config' needs a value");
    expect_usage_error(P_MATCH, "match -c", "l2a match: option '-c' needs a value");
    expect_usage_error(P_MATCH, "match --help=yes", "l2a match: option '--help' takes no value");
}

static void test_check_config(void **state)
{
    (void)state;
    char buf[512];
    parse_run run;
    parse(P_CHECK, "check-config --engine-json l2a.yaml", buf, sizeof(buf), &run);
    assert_int_equal(run.rc, ARGS_RUN);
    assert_string_equal(run.cc.file, "l2a.yaml");
    assert_true(run.cc.engine_json);
    run_free(&run);
    parse(P_CHECK, "check-config l2a.yaml", buf, sizeof(buf), &run);
    assert_int_equal(run.rc, ARGS_RUN);
    assert_false(run.cc.engine_json);
    run_free(&run);

    expect_help(P_CHECK, "check-config --help");
    expect_usage_error(P_CHECK, "check-config", "l2a check-config: FILE is required");
    expect_usage_error(P_CHECK, "check-config a b", "l2a check-config: unexpected argument 'b'");
    expect_usage_error(P_CHECK, "check-config --json a", "l2a check-config: unknown option '--json'");
}

static void test_redis_commands(void **state)
{
    (void)state;
    char buf[512];
    parse_run run;
    parse(P_IMPORT, "import-accounts --redis /r.sock --delete-missing a.csv --config c", buf,
          sizeof(buf), &run);
    assert_int_equal(run.rc, ARGS_RUN);
    assert_string_equal(run.r.url, "/r.sock");
    assert_string_equal(run.r.config, "c");
    assert_string_equal(run.r.file, "a.csv");
    assert_true(run.r.delete_missing);
    assert_false(run.r.flat);
    run_free(&run);
    parse(P_PUSH, "push --flat leads.jsonl", buf, sizeof(buf), &run);
    assert_int_equal(run.rc, ARGS_RUN);
    assert_true(run.r.flat);
    assert_string_equal(run.r.file, "leads.jsonl");
    run_free(&run);

    expect_help(P_IMPORT, "import-accounts --help");
    expect_help(P_PUSH, "push x --help");
    expect_usage_error(P_IMPORT, "import-accounts", "l2a import-accounts: ACCOUNTS.csv is required");
    expect_usage_error(P_IMPORT, "import-accounts --flat a.csv",
                       "l2a import-accounts: '--flat' is not an option of this command");
    expect_usage_error(P_PUSH, "push --delete-missing l.jsonl",
                       "l2a push: '--delete-missing' is not an option of this command");
    expect_usage_error(P_PUSH, "push l.jsonl x", "l2a push: unexpected argument 'x'");
    expect_usage_error(P_PUSH, "push l.jsonl --redis", "l2a push: option '--redis' needs a value");
    expect_usage_error(P_PUSH, "push --redis", "l2a push: option '--redis' needs a value");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_check_config),
        cmocka_unit_test(test_redis_commands),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
