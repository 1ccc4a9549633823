/* cmd_match.c - `l2a match`: offline decisions from an accounts CSV and leads JSONL. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "conf.h"
#include "engine.h"
#include "match_pool.h"

static const args_cmd match_cmd = {
    "l2a match",
    "usage: l2a match --config FILE --accounts ACCOUNTS.csv [--encoding NAME] --leads LEADS.jsonl\n"
    "                 [--threads N]\n"
    "  decides every lead offline (no Redis); one JSON decision per line on stdout, in input\n"
    "  order. LEADS.jsonl may be - for stdin. --encoding NAME reads an accounts CSV in another\n"
    "  encoding (iconv: windows-1252, latin1, ...). --threads N decides leads on N threads\n"
    "  (1-64; default: the CPUs it may run on, at most 8); the output is the same for every N.\n"
    "  L2A_HUGE_PAGES=auto|always|never in the environment: 2 MiB pages for the index (auto, the\n"
    "  default: only while they fault in fast). Exit 0 ok, 1 error, 2 usage error.\n",
};

/* The first of the required options that is missing, or NULL. */
static const char *missing_option(const match_opts *o)
{
    return !o->config ? "--config" : !o->accounts ? "--accounts" : !o->leads ? "--leads" : NULL;
}

/* --threads' value, or 0 when it is not a whole number from 1 to MATCH_THREADS_MAX. */
static int threads_arg(const char *s)
{
    char *end;
    errno = 0;
    long n = strtol(s, &end, 10);
    return errno || end == s || *end || n < 1 || n > MATCH_THREADS_MAX ? 0 : (int)n;
}

int cli_parse_match_opts(int argc, char **argv, match_opts *o)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"accounts", required_argument, NULL, 'a'},
        {"leads", required_argument, NULL, 'l'},  {"encoding", required_argument, NULL, 'e'},
        {"threads", required_argument, NULL, 't'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    o->threads = match_threads_default();
    args_reset();
    int ch;
    while ((ch = getopt_long(argc, argv, ":c:a:l:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': o->config = optarg; break;
        case 'a': o->accounts = optarg; break;
        case 'l': o->leads = optarg; break;
        case 'e': o->encoding = optarg; break;
        case 't':
            if ((o->threads = threads_arg(optarg)) == 0)
                return args_usage_error(&match_cmd, "--threads: expected a whole number from 1 "
                                        "to %d, got '%s'", MATCH_THREADS_MAX, optarg);
            break;
        case 'h': return args_help(&match_cmd);
        default: return args_option_error(&match_cmd, ch, argv);
        }
    }
    if (optind < argc)
        return args_no_operands(&match_cmd, argc, argv);
    if (missing_option(o))
        return args_usage_error(&match_cmd, "%s is required", missing_option(o));
    return cli_check_encoding(o->encoding) == 0 ? ARGS_RUN : 2;
}

/* Whether the input files can be read (not missing, not a directory); says why not. */
static bool inputs_readable(const match_opts *o)
{
    char err[512];
    if (file_check_readable(o->accounts, err, sizeof(err)) == 0 &&
        (strcmp(o->leads, "-") == 0 || file_check_readable(o->leads, err, sizeof(err)) == 0))
        return true;
    fprintf(stderr, "l2a match: %s\n", err);
    return false;
}

/* One JSONL line -> one decision on stdout. */
static void decide_line(const matcher *m, const char *line, size_t len, long lineno, strbuf *out)
{
    sb_reset(out);
    match_decide_into(m, line, len, lineno, out);
    fwrite(out->buf, 1, out->len, stdout);
}

/* Every lead of f decided on this thread, one at a time. */
static void decide_all(const matcher *m, FILE *f, bool progress)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0, done = 0;
    strbuf out;
    sb_init(&out);
    while ((len = getline(&line, &cap, f)) != -1) {
        lineno++;
        if (match_line_blank(line))
            continue;
        decide_line(m, line, (size_t)len, lineno, &out);
        if (progress && ++done % 1000 == 0)
            fprintf(stderr, "\rl2a: %ld leads decided", done);
    }
    if (progress)
        fprintf(stderr, "\rl2a: %ld leads decided\n", done);
    sb_free(&out);
    free(line);
}

/* Every lead of path decided on threads threads (1: this one alone), the decisions on stdout. */
static int run_leads(const matcher *m, const char *path, int threads)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "l2a: %s: %s\n", path, strerror(errno));
        return -1;
    }
    /* a progress line on the terminal, unless the decisions go there too (it would cut them) */
    bool progress = isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO);
    int rc = 0;
    if (threads > 1)
        rc = match_pool_run(m, f, stdout, threads, progress);
    else
        decide_all(m, f, progress);
    if (f != stdin)
        fclose(f);
    return rc == 0 && fflush(stdout) == 0 && !ferror(stdout) ? 0 : -1;
}

int cli_match(int argc, char **argv)
{
    match_opts o;
    conf cfg;
    matcher *m;
    char err[512];
    int rc = cli_parse_match_opts(argc, argv, &o);
    if (rc != ARGS_RUN)
        return rc;
    if (!inputs_readable(&o))
        return 1;
    rc = 1;
    if (conf_load(o.config, &cfg, err, sizeof(err)) != 0 ||
        conf_check_files(&cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        goto out;
    }
    if (!(m = matcher_new(&cfg.eng, err, sizeof(err)))) {
        fprintf(stderr, "l2a: %s\n", err);
        goto out;
    }
    if (matcher_load_accounts_csv_enc(m, o.accounts, o.encoding, err, sizeof(err)) < 0)
        cli_print_input_error(NULL, err);
    else
        rc = run_leads(m, o.leads, o.threads) == 0 ? 0 : 1;
    matcher_free(m);
out:
    conf_free(&cfg);
    return rc;
}
