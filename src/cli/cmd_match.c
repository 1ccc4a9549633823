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

typedef struct match_opts {
    const char *config;
    const char *accounts;
    const char *leads;
    const char *encoding; /* --encoding of the accounts CSV, or NULL (UTF-8) */
} match_opts;

static int parse_match_opts(int argc, char **argv, match_opts *o)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'},
        {"accounts", required_argument, NULL, 'a'},
        {"leads", required_argument, NULL, 'l'},
        {"encoding", required_argument, NULL, 'e'},
        {NULL, 0, NULL, 0},
    };
    memset(o, 0, sizeof(*o));
    optind = 1;
    int ch;
    while ((ch = getopt_long(argc, argv, "c:a:l:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': o->config = optarg; break;
        case 'a': o->accounts = optarg; break;
        case 'l': o->leads = optarg; break;
        case 'e': o->encoding = optarg; break;
        default: return -1;
        }
    }
    if (!o->config || !o->accounts || !o->leads) {
        fprintf(stderr, "usage: l2a match --config FILE --accounts ACCOUNTS.csv [--encoding NAME] "
                        "--leads LEADS.jsonl\n");
        return -1;
    }
    return cli_check_encoding(o->encoding);
}

/* One JSONL line -> one decision on stdout. */
static void decide_line(const matcher *m, const char *line, size_t len, long lineno, strbuf *out)
{
    decision d;
    matcher_decide_line(m, line, len, lineno, &d);
    sb_reset(out);
    decision_to_json(&d, out);
    sb_putc(out, '\n');
    fwrite(out->buf, 1, out->len, stdout);
    decision_free(&d);
}

static bool blank(const char *s)
{
    for (; *s; s++)
        if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n')
            return false;
    return true;
}

static int run_leads(const matcher *m, const char *path)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
    if (!f) {
        fprintf(stderr, "l2a: %s: %s\n", path, strerror(errno));
        return -1;
    }
    bool progress = isatty(STDERR_FILENO);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    long lineno = 0, done = 0;
    strbuf out;
    sb_init(&out);
    while ((len = getline(&line, &cap, f)) != -1) {
        lineno++;
        if (blank(line))
            continue;
        decide_line(m, line, (size_t)len, lineno, &out);
        if (progress && ++done % 1000 == 0)
            fprintf(stderr, "\rl2a: %ld leads decided", done);
    }
    if (progress)
        fprintf(stderr, "\rl2a: %ld leads decided\n", done);
    sb_free(&out);
    free(line);
    if (f != stdin)
        fclose(f);
    return fflush(stdout) == 0 ? 0 : -1;
}

int cli_match(int argc, char **argv)
{
    match_opts o;
    conf cfg;
    matcher *m;
    char err[512];
    int rc = 1;
    if (parse_match_opts(argc, argv, &o) != 0)
        return 2;
    if (conf_load(o.config, &cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    if (!(m = matcher_new(&cfg.eng, err, sizeof(err)))) {
        fprintf(stderr, "l2a: %s\n", err);
        goto out;
    }
    if (matcher_load_accounts_csv_enc(m, o.accounts, o.encoding, err, sizeof(err)) < 0)
        cli_print_input_error(NULL, err);
    else
        rc = run_leads(m, o.leads) == 0 ? 0 : 1;
    matcher_free(m);
out:
    conf_free(&cfg);
    return rc;
}
