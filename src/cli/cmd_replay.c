/* cmd_replay.c - `l2a replay`: the leads recorded in a window decided again with a new config
 * against the accounts in Redis, read-only, and what would change. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account_load.h"
#include "cli.h"
#include "conf.h"
#include "engine.h"
#include "learned_store.h"
#include "replay.h"
#include "snapshot.h"

#define REPLAY_PAGE 1000            /* stream entries read at a time */
#define REPLAY_EXAMPLES 3           /* changed leads shown per old -> new pair */
#define NKINDS 4                    /* match, review, no_match, invalid */

static const args_cmd replay_cmd = {
    "l2a replay",
    "usage: l2a replay --config NEW.yaml [--redis URL] [--since DURATION] [--json]\n"
    "  decides again, with NEW.yaml, the leads l2ad recorded in the last DURATION (default 7d;\n"
    "  e.g. 36h, 30m) against the accounts in Redis (as l2ad starts: from its account snapshot\n"
    "  and the account changes after it when there is a usable one, else every account's hash;\n"
    "  one line on stderr says which), and prints how many would change: a table of recorded\n"
    "  -> new decisions and a few examples with both reasons. --json prints one line per\n"
    "  changed lead instead: {\"lead_id\",\"old\":{\"decision\",\"account_id\",\"reason\"},\n"
    "  \"new\":{...}}. Reads only; writes nothing to Redis. --redis overrides NEW.yaml's\n"
    "  redis.url. Exit 0 ok, 1 error, 2 usage error.\n",
};

typedef struct replay_opts {
    const char *config;
    const char *url;
    long long since_ms;
    bool json;
} replay_opts;

static int parse_opts(int argc, char **argv, replay_opts *o)
{
    static const struct option longopts[] = {
        {"config", required_argument, NULL, 'c'}, {"redis", required_argument, NULL, 'r'},
        {"since", required_argument, NULL, 's'},  {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
    };
    int ch;
    *o = (replay_opts){.since_ms = 7LL * 86400000};
    args_reset();
    while ((ch = getopt_long(argc, argv, ":c:r:h", longopts, NULL)) != -1) {
        if (ch == 'c')
            o->config = optarg;
        else if (ch == 'r')
            o->url = optarg;
        else if (ch == 's' && duration_ms_parse(optarg, &o->since_ms) != 0)
            return args_usage_error(&replay_cmd, "bad duration '%s' for --since (e.g. 7d, 36h, "
                                    "30m)", optarg);
        else if (ch == 'j')
            o->json = true;
        else if (ch == 'h')
            return args_help(&replay_cmd);
        else if (ch != 's')
            return args_option_error(&replay_cmd, ch, argv);
    }
    if (optind < argc)
        return args_no_operands(&replay_cmd, argc, argv);
    if (!o->config)
        return args_usage_error(&replay_cmd, "--config is required");
    return ARGS_RUN;
}

/* ---- the tally of old -> new ---- */

typedef struct example {
    char *lead_id, *old_account, *old_reason, *new_account, *new_reason;  /* owned */
} example;

typedef struct tally {
    const matcher *m;               /* borrowed: built from the new config */
    bool json;
    long counts[NKINDS][NKINDS];    /* [recorded][new] */
    long moved;                     /* match -> match on another account */
    long unknown;                   /* a recorded decision l2a does not know */
    example ex[NKINDS][NKINDS][REPLAY_EXAMPLES];
    size_t nex[NKINDS][NKINDS];
    strbuf line;
} tally;

static int kind_of(const char *name)
{
    for (int k = 0; k < NKINDS; k++)
        if (strcmp(name, decision_kind_name((decision_kind)k)) == 0)
            return k;
    return -1;
}

static bool same_str(const char *a, const char *b)
{
    return a && b ? strcmp(a, b) == 0 : a == b;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* {"decision":..,"account_id":..,"reason":..} */
static void side_json(strbuf *out, const char *kind, const char *account, const char *reason)
{
    sb_append(out, "{\"decision\":");
    sb_append_json_str(out, kind);
    sb_append(out, ",\"account_id\":");
    if (account)
        sb_append_json_str(out, account);
    else
        sb_append(out, "null");
    sb_append(out, ",\"reason\":");
    sb_append_json_str(out, reason ? reason : "");
    sb_putc(out, '}');
}

static void print_change(tally *t, const replay_lead *r, const decision *d)
{
    sb_reset(&t->line);
    sb_append(&t->line, "{\"lead_id\":");
    sb_append_json_str(&t->line, r->lead->id);
    sb_append(&t->line, ",\"old\":");
    side_json(&t->line, r->decision, r->account_id, r->reason);
    sb_append(&t->line, ",\"new\":");
    side_json(&t->line, decision_kind_name(d->kind), d->account_id, d->reason);
    sb_append(&t->line, "}\n");
    fwrite(t->line.buf, 1, t->line.len, stdout);
}

static void keep_example(tally *t, int old, const replay_lead *r, const decision *d)
{
    size_t *n = &t->nex[old][d->kind];
    if (*n == REPLAY_EXAMPLES)
        return;
    t->ex[old][d->kind][(*n)++] = (example){xstrdup(r->lead->id), dup_or_null(r->account_id),
                                            xstrdup(r->reason), dup_or_null(d->account_id),
                                            xstrdup(d->reason ? d->reason : "")};
}

static void on_lead(const replay_lead *r, void *ctx)
{
    tally *t = ctx;
    int old = kind_of(r->decision);
    if (old < 0) {
        t->unknown++;
        return;
    }
    decision d;
    matcher_decide(t->m, r->lead, &d);
    t->counts[old][d.kind]++;
    bool moved = old == DECISION_MATCH && d.kind == DECISION_MATCH &&
                 !same_str(r->account_id, d.account_id);
    t->moved += moved;
    if ((int)d.kind != old || moved) {
        if (t->json)
            print_change(t, r, &d);
        else
            keep_example(t, old, r, &d);
    }
    decision_free(&d);
}

static void tally_free(tally *t)
{
    for (int a = 0; a < NKINDS; a++)
        for (int b = 0; b < NKINDS; b++)
            for (size_t i = 0; i < t->nex[a][b]; i++) {
                example *e = &t->ex[a][b][i];
                char *owned[] = {e->lead_id, e->old_account, e->old_reason, e->new_account,
                                 e->new_reason};
                for (size_t k = 0; k < ARRAY_LEN(owned); k++)
                    free(owned[k]);
            }
    sb_free(&t->line);
}

/* ---- the summary ---- */

static long changed_count(const tally *t)
{
    long n = t->moved;
    for (int a = 0; a < NKINDS; a++)
        for (int b = 0; b < NKINDS; b++)
            n += a != b ? t->counts[a][b] : 0;
    return n;
}

static void print_table(const tally *t)
{
    printf("\n%-18s", "recorded \\ new");
    for (int b = 0; b < NKINDS; b++)
        printf("%10s", decision_kind_name((decision_kind)b));
    printf("\n");
    for (int a = 0; a < NKINDS; a++) {
        printf("%-18s", decision_kind_name((decision_kind)a));
        for (int b = 0; b < NKINDS; b++)
            printf("%10ld", t->counts[a][b]);
        printf("\n");
    }
}

static void print_examples(const tally *t)
{
    bool any = false;
    for (int a = 0; a < NKINDS; a++)
        for (int b = 0; b < NKINDS; b++)
            for (size_t i = 0; i < t->nex[a][b]; i++) {
                const example *e = &t->ex[a][b][i];
                if (!any)
                    printf("\nexamples:\n");
                any = true;
                printf("  %s: %s%s%s -> %s%s%s\n", e->lead_id,
                       decision_kind_name((decision_kind)a), e->old_account ? " " : "",
                       e->old_account ? e->old_account : "", decision_kind_name((decision_kind)b),
                       e->new_account ? " " : "", e->new_account ? e->new_account : "");
                printf("    was: %s\n    now: %s\n", e->old_reason, e->new_reason);
            }
}

static void print_summary(const tally *t, const replay_opts *o, const replay_stats *st,
                          size_t accounts)
{
    char since[40];
    iso8601_ms(epoch_ms_now() - (double)o->since_ms, since, sizeof(since));
    long replayed = st->recorded - t->unknown, changed = changed_count(t);
    printf("%ld leads recorded since %s decided again with %s against %zu accounts\n", replayed,
           since, o->config, accounts);
    print_table(t);
    printf("\nchanged: %ld of %ld leads (%.1f%%)", changed, replayed,
           replayed ? 100.0 * (double)changed / (double)replayed : 0.0);
    if (t->moved)
        printf(", %ld of them a match on another account", t->moved);
    printf("\n");
    print_examples(t);
    printf("\nnot replayed: %ld entries without a result (not yet processed, or dead-lettered), "
           "%ld repeats of a lead recorded from another entry, %ld unreadable entries",
           st->unrecorded, st->repeats, st->unreadable);
    if (t->unknown)
        printf(", %ld results with an unknown decision", t->unknown);
    printf("\n");
}

/* ---- the run ---- */

static void add_account(account_rec *a, void *ctx)
{
    (void)matcher_upsert_account(ctx, a);
    account_rec_free(a);
}

/* The snapshot's accounts and the changes after it in *m: 0 (a line on stderr says so), or -1
 * with why set and *m new and empty again (NULL with err when none could be made). */
static int load_snapshot(redisContext *c, const conf *cfg, matcher **m, double t0, char *why,
                         size_t whylen, char *err, size_t errlen)
{
    snapshot_info info;
    char pos[64], cerr[512];
    if (snapshot_build(c, cfg->key_prefix, &cfg->eng, m, NULL, &info, why, whylen, err,
                       errlen) < 0)
        return -1;
    snprintf(pos, sizeof(pos), "%s", info.changes_id);
    long changes = snapshot_catch_up(c, cfg->key_prefix, *m, pos, sizeof(pos), cerr,
                                     sizeof(cerr));
    if (changes < 0) {
        err_set(why, whylen, "the changes after snapshot %s: %s", info.gen, cerr);
        matcher_free(*m);
        *m = matcher_new(&cfg->eng, err, errlen);
        return -1;
    }
    fprintf(stderr, "l2a replay: accounts source=snapshot gen=%s snapshot_changes=%ld "
            "accounts=%zu changes_to=%s seconds=%.2f\n", info.gen, changes, matcher_accounts(*m),
            pos, (epoch_ms_now() - t0) / 1000.0);
    return 0;
}

/* The accounts in Redis into *m (new and empty; replaced on the way): as l2ad starts, from the
 * snapshot and the account changes after it when there is a usable one, else every account's
 * hash; which, and why not the snapshot, in one line on stderr. 0, or -1 with err set. */
static int load_accounts(redisContext *c, const conf *cfg, matcher **m, char *err, size_t errlen)
{
    char why[512] = "accounts.snapshot is false", pos[64];
    double t0 = epoch_ms_now();
    if (cfg->accounts_snapshot &&
        load_snapshot(c, cfg, m, t0, why, sizeof(why), err, errlen) == 0)
        return 0;
    if (!*m || account_load_all(c, cfg->key_prefix, add_account, *m, NULL, pos, sizeof(pos), err,
                                errlen) < 0)
        return -1;
    fprintf(stderr, "l2a replay: accounts source=full accounts=%zu seconds=%.2f reason=\"%s\"\n",
            matcher_accounts(*m), (epoch_ms_now() - t0) / 1000.0, why);
    return 0;
}

/* The facts learned from reviews (docs/learning.md) into m, as l2ad holds them: without them the
 * leads they decided would all look changed. A user the read is refused to (an ACL line older
 * than docs/redis-acl.md's, without HSCAN) replays without them, said on stderr. */
static void load_learned(redisContext *c, const conf *cfg, matcher *m)
{
    char err[512];
    long skipped = 0;
    long n = learned_load_into(c, cfg->key_prefix, m, &skipped, err, sizeof(err));
    if (n < 0)
        fprintf(stderr, "l2a replay: warning: the learned facts were not read (%s): leads they "
                "decided may show as changed\n", err);
    else if (n > 0 || skipped > 0)
        fprintf(stderr, "l2a replay: learned facts=%ld skipped=%ld\n", n, skipped);
}

static int replay_run(const conf *cfg, const replay_opts *o, matcher **m)
{
    char err[512] = "";
    redisContext *c = cli_redis_connect(cfg, o->url);
    if (!c)
        return 1;
    int rc = 1;
    tally t = {.json = o->json};
    replay_stats st;
    sb_init(&t.line);
    if (load_accounts(c, cfg, m, err, sizeof(err)) != 0)
        goto out;
    load_learned(c, cfg, *m);
    t.m = *m;
    entry_limits lim = {cfg->max_entry_fields, cfg->max_field_bytes, cfg->max_entry_bytes};
    long long since = (long long)epoch_ms_now() - o->since_ms;
    if (replay_scan(c, cfg->key_prefix, since, &lim, REPLAY_PAGE, on_lead, &t, &st, err,
                    sizeof(err)) != 0)
        goto out;
    if (!o->json)
        print_summary(&t, o, &st, matcher_accounts(*m));
    rc = fflush(stdout) == 0 ? 0 : 1;
out:
    if (rc != 0 && err[0])
        fprintf(stderr, "l2a: replay: %s\n", err);
    tally_free(&t);
    redisFree(c);
    return rc;
}

int cli_replay(int argc, char **argv)
{
    replay_opts o;
    conf cfg;
    char err[512];
    int rc = parse_opts(argc, argv, &o);
    if (rc != ARGS_RUN)
        return rc;
    if (conf_load(o.config, &cfg, err, sizeof(err)) != 0 ||
        conf_check_files(&cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        conf_free(&cfg);
        return 1;
    }
    matcher *m = matcher_new(&cfg.eng, err, sizeof(err));
    if (!m)
        fprintf(stderr, "l2a: %s\n", err);
    rc = m ? replay_run(&cfg, &o, &m) : 1;
    matcher_free(m);
    conf_free(&cfg);
    return rc;
}
