/* cmd_learned.c - `l2a learned list|export|import|forget`: the facts l2a learned from review
 * decisions and the domains accounts learned from contacts (docs/learning.md). */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "conf.h"
#include "engine.h"
#include "keys.h"
#include "learned_store.h"
#include "learned_yaml.h"
#include "rconn.h"
#include "review.h"

#define OPTS "[--redis URL] [--config FILE]"
#define EXIT_TEXT "Exit 0 ok, 1 error, 2 usage error.\n"

static const args_cmd learned_cmds[] = {
    {"l2a learned", "usage: l2a learned list|export|import|forget [OPTIONS] (l2a learned "
                    "SUBCOMMAND --help)\n"
                    "  facts learned from review decisions and domains learned from contacts\n"
                    EXIT_TEXT},
    {"l2a learned list", "usage: l2a learned list " OPTS "\n"
                         "  every learned fact and learned domain, one a line\n" EXIT_TEXT},
    {"l2a learned export", "usage: l2a learned export " OPTS "\n"
                           "  the learned facts and domains as YAML on stdout (sorted: for a "
                           "git review)\n" EXIT_TEXT},
    {"l2a learned import", "usage: l2a learned import " OPTS " FILE.yaml\n"
                           "  stores the facts of an export, after checking the whole file\n"
                           "  (errors as file:line:column)\n" EXIT_TEXT},
    {"l2a learned forget", "usage: l2a learned forget " OPTS " always NAME DOMAIN\n"
                           "       l2a learned forget " OPTS " never NAME ACCOUNT [DOMAIN]\n"
                           "       l2a learned forget " OPTS " domain DOMAIN\n"
                           "  removes one fact (NAME as `list` shows it), or takes a learned "
                           "domain off its account\n" EXIT_TEXT},
};

/* Parsed command line; strings borrowed from argv. */
typedef struct learned_opts {
    const char *sub;
    const args_cmd *cmd;
    const char *url;
    const char *config;
    char **operands;          /* what follows the options */
    int noperands;
} learned_opts;

typedef cli_session session;

/* ---- arguments ---- */

static int parse_sub(int argc, char **argv, learned_opts *o)
{
    static const char *const subs[] = {"list", "export", "import", "forget"};
    size_t i = 0;
    o->cmd = &learned_cmds[0];
    int rc = args_subcommand(o->cmd, argc, argv, subs, ARRAY_LEN(subs),
                             "list, export, import or forget", &i);
    if (rc == ARGS_RUN) {
        o->sub = subs[i];
        o->cmd = &learned_cmds[i + 1];
    }
    return rc;
}

static int parse_flags(int argc, char **argv, learned_opts *o)
{
    static const struct option longopts[] = {
        {"redis", required_argument, NULL, 'r'}, {"config", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},        {NULL, 0, NULL, 0},
    };
    int ch;
    args_reset();
    while ((ch = getopt_long(argc, argv, ":r:c:h", longopts, NULL)) != -1) {
        if (ch == 'r')
            o->url = optarg;
        else if (ch == 'c')
            o->config = optarg;
        else if (ch == 'h')
            return args_help(o->cmd);
        else
            return args_option_error(o->cmd, ch, argv);
    }
    o->operands = argv + optind;
    o->noperands = argc - optind;
    return ARGS_RUN;
}

/* The operand count each subcommand takes. */
static int check_operands(const learned_opts *o)
{
    int n = o->noperands;
    if (strcmp(o->sub, "list") == 0 || strcmp(o->sub, "export") == 0)
        return n ? args_usage_error(o->cmd, "unexpected argument '%s'", o->operands[0])
                 : ARGS_RUN;
    if (strcmp(o->sub, "import") == 0)
        return n == 1 ? ARGS_RUN : n ? args_usage_error(o->cmd, "unexpected argument '%s'",
                                                        o->operands[1])
                                     : args_usage_error(o->cmd, "FILE is required");
    const char *what = n ? o->operands[0] : "";
    int want = strcmp(what, "domain") == 0 ? 2 : strcmp(what, "always") == 0 ? 3
               : strcmp(what, "never") == 0 ? (n == 4 ? 4 : 3) : 0;
    if (!want)
        return args_usage_error(o->cmd, "forget what: always NAME DOMAIN, never NAME ACCOUNT "
                                "[DOMAIN] or domain DOMAIN");
    if (n != want)
        return args_usage_error(o->cmd, "forget %s takes %d argument%s after it", what,
                                want - 1, want == 2 ? "" : "s");
    return ARGS_RUN;
}

static int parse_opts(int argc, char **argv, learned_opts *o)
{
    memset(o, 0, sizeof(*o));
    int rc = parse_sub(argc, argv, o);
    if (rc == ARGS_RUN)
        rc = parse_flags(argc - 1, argv + 1, o);
    if (rc == ARGS_RUN)
        rc = check_operands(o);
    return rc;
}

/* ---- reading what was learned ---- */

static void keep_fact(const learned_fact *f, void *ctx)
{
    (void)learned_put(ctx, f);
}

/* Every fact into a table (owned by the caller), or NULL (said why). */
static learned_table *read_facts(session *s)
{
    char err[512];
    long skipped = 0;
    learned_table *t = learned_new();
    if (learned_load_all(s->c, s->cfg.key_prefix, keep_fact, t, &skipped, err,
                         sizeof(err)) < 0) {
        fprintf(stderr, "l2a: learned: %s\n", err);
        learned_free(t);
        return NULL;
    }
    if (skipped)
        fprintf(stderr, "l2a: learned: %ld values of %slearned are not facts: skipped\n",
                skipped, s->cfg.key_prefix);
    return t;
}

/* The learned domains: kv gets the hash's pairs, doms one entry per domain (strings borrowed
 * from kv and the JSON values in objs). 0 or -1 (said why). */
static int read_domains(session *s, strvec *kv, json_t *objs, learned_domain **doms, size_t *n)
{
    char err[512], *key = key_learned_domains(s->cfg.key_prefix);
    int rc = review_hgetall(s->c, key, kv, err, sizeof(err));
    free(key);
    if (rc < 0) {
        fprintf(stderr, "l2a: learned: %s\n", err);
        return -1;
    }
    *doms = xcalloc(kv->n / 2 + 1, sizeof(**doms));
    *n = 0;
    for (size_t i = 0; i + 1 < kv->n; i += 2) {
        json_t *o = json_loads(kv->v[i + 1], 0, NULL);
        json_array_append_new(objs, o ? o : json_object());
        o = json_array_get(objs, json_array_size(objs) - 1);
        (*doms)[(*n)++] = (learned_domain){kv->v[i],
            json_string_value(json_object_get(o, "account_id")),
            json_string_value(json_object_get(o, "lead_id")),
            json_string_value(json_object_get(o, "at"))};
    }
    return 0;
}

/* ---- list and export ---- */

static const char *nz(const char *s)
{
    return s ? s : "";
}

static void print_fact(const learned_fact *f)
{
    char *name = review_printable(f->name), *acct = review_printable(f->account_id);
    char *dom = review_printable(f->domain), *by = review_printable(f->by);
    if (f->kind == LEARNED_ALWAYS)
        printf("always  '%s' at %s -> %s", name, dom, acct);
    else if (f->domain)
        printf("never   '%s' at %s -> not %s", name, dom, acct);
    else
        printf("never   '%s' -> not %s", name, acct);
    printf("  (by %s, %.10s%s%s)\n", f->by ? by : "?", nz(f->at), f->lead_id ? ", lead " : "",
           nz(f->lead_id));
    free(name);
    free(acct);
    free(dom);
    free(by);
}

static int do_show(session *s, bool yaml)
{
    learned_table *t = read_facts(s);
    strvec kv;
    sv_init(&kv);
    json_t *objs = json_array();
    learned_domain *doms = NULL;
    size_t nd = 0;
    int rc = 1;
    if (!t || read_domains(s, &kv, objs, &doms, &nd) != 0)
        goto out;
    size_t n = learned_count(t);
    learned_fact *facts = xcalloc(n + 1, sizeof(*facts));
    for (size_t i = 0; i < n; i++)
        facts[i] = learned_get(t, i);
    strbuf sb;
    sb_init(&sb);
    learned_yaml_write(facts, n, doms, nd, &sb);   /* sorts both */
    if (yaml)
        fputs(sb.buf, stdout);
    for (size_t i = 0; !yaml && i < n; i++)
        print_fact(&facts[i]);
    for (size_t i = 0; !yaml && i < nd; i++)
        printf("domain  %s -> %s  (from lead %s, %.10s)\n", doms[i].domain, nz(doms[i].account_id),
               nz(doms[i].lead_id), nz(doms[i].at));
    sb_free(&sb);
    free(facts);
    rc = 0;
out:
    free(doms);
    json_decref(objs);
    sv_free(&kv);
    learned_free(t);
    return rc;
}

/* ---- import ---- */

/* The name as the engine normalises a company of that text (NULL: junk). malloc'd. */
static char *normal_form(const matcher *m, const char *name)
{
    lead l;
    lead_facts f;
    lead_init(&l);
    (void)lead_set(&l, "company", name);
    matcher_lead_facts(m, &l, &f);
    char *out = f.name_key ? xstrdup(f.name_key) : NULL;
    lead_facts_free(&f);
    lead_free(&l);
    return out;
}

/* Every name of the file in the engine's normal form, else file:line:column of the first that
 * is not. Without the config's lists nothing is checked (said so). 0 or -1. */
static int check_names(const session *s, const char *path, const learned_file *lf)
{
    char err[512];
    matcher *m = matcher_new(&s->cfg.eng, err, sizeof(err));
    if (!m) {
        fprintf(stderr, "l2a: learned import: names not checked (%s; pass --config FILE)\n", err);
        return 0;
    }
    int rc = 0;
    for (size_t i = 0; i < lf->n && rc == 0; i++) {
        char *norm = normal_form(m, lf->facts[i].name);
        if (!norm || strcmp(norm, lf->facts[i].name) != 0) {
            fprintf(stderr, "l2a: %s:%zu:%zu: name '%s' is not as the engine normalises it "
                    "('%s'): it would never match\n", path, lf->line[i], lf->col[i],
                    lf->facts[i].name, nz(norm));
            rc = -1;
        }
        free(norm);
    }
    matcher_free(m);
    return rc;
}

static int do_import(session *s, const char *path)
{
    char err[1024];
    learned_file lf;
    if (file_check_readable(path, err, sizeof(err)) != 0 ||
        learned_yaml_load(path, &lf, err, sizeof(err)) != 0) {
        fprintf(stderr, "l2a: %s\n", err);
        return 1;
    }
    int rc = check_names(s, path, &lf) == 0 ? 0 : 1;
    size_t done = 0;
    for (size_t i = 0; rc == 0 && i < lf.n; i++) {
        if (learned_store_call(s->c, s->cfg.key_prefix, "put", &lf.facts[i], err,
                               sizeof(err)) < 0) {
            fprintf(stderr, "l2a: %s:%zu:%zu: %s\n", path, lf.line[i], lf.col[i], err);
            rc = 1;
        } else {
            done++;
        }
    }
    printf("imported %zu of %zu facts\n", done, lf.n);
    learned_file_free(&lf);
    return rc;
}

/* ---- forget ---- */

/* op: the operands (argv's tail: op[n] is NULL after the last). */
static int do_forget(session *s, char **op)
{
    char err[512];
    int rc;
    if (strcmp(op[0], "domain") == 0) {
        rc = learned_forget_domain(s->c, s->cfg.key_prefix, op[1], err, sizeof(err));
    } else {
        bool never = strcmp(op[0], "never") == 0;
        learned_fact f = {never ? LEARNED_NEVER : LEARNED_ALWAYS, op[1],
                          never ? op[3] : op[2], never ? op[2] : NULL, NULL, NULL, NULL};
        rc = learned_store_call(s->c, s->cfg.key_prefix, "forget", &f, err, sizeof(err));
    }
    if (rc < 0)
        fprintf(stderr, "l2a: learned forget: %s\n", err);
    else if (rc == 0)
        fprintf(stderr, "l2a: learned forget: nothing learned as %s '%s'%s%s%s%s\n", op[0],
                op[1], op[2] ? " " : "", nz(op[2]), op[2] && op[3] ? " " : "",
                op[2] ? nz(op[3]) : "");
    else
        printf("forgot %s '%s'%s%s%s%s\n", op[0], op[1], op[2] ? " " : "", nz(op[2]),
               op[2] && op[3] ? " " : "", op[2] ? nz(op[3]) : "");
    return rc == 1 ? 0 : 1;
}

int cli_learned(int argc, char **argv)
{
    learned_opts o;
    session s;
    int rc = parse_opts(argc, argv, &o);
    if (rc != ARGS_RUN)
        return rc;
    if (cli_session_open(&s, o.config, o.url) != 0)
        return 1;
    if (strcmp(o.sub, "list") == 0 || strcmp(o.sub, "export") == 0)
        rc = do_show(&s, strcmp(o.sub, "export") == 0);
    else if (strcmp(o.sub, "import") == 0)
        rc = do_import(&s, o.operands[0]);
    else
        rc = do_forget(&s, o.operands);
    cli_session_close(&s);
    return rc;
}
