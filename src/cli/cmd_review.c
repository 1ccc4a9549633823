/* cmd_review.c - `l2a review list|show|resolve`: the RevOps review queue on the command line. */
#include <getopt.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "conf.h"
#include "keys.h"
#include "engine.h"
#include "outcome.h"
#include "rconn.h"
#include "review.h"
#include "review_plan.h"

#define REVIEW_LIST_USAGE \
    "usage: l2a review list [--redis URL] [--config FILE] [--older-than DUR] [--json]\n"
#define REVIEW_SHOW_USAGE "usage: l2a review show [--redis URL] [--config FILE] LEAD\n"
#define REVIEW_RESOLVE_USAGE \
    "usage: l2a review resolve [--redis URL] [--config FILE] LEAD\n" \
    "                          (--account ID | --new-account | --dismiss) [--note TEXT] [--by NAME]\n"
#define REVIEW_EXIT "Exit 0 ok, 1 error, 2 usage error.\n"

/* The command as messages name it, with its own usage: review_cmds[0] before the subcommand is
 * known. */
static const args_cmd review_cmds[] = {
    {"l2a review", "usage: l2a review list|show|resolve [OPTIONS] (l2a review SUBCOMMAND --help)\n"
                   "  RevOps' queue of flagged leads: list them, show one, resolve one\n"
                   REVIEW_EXIT},
    {"l2a review list", REVIEW_LIST_USAGE
                        "  the open alerts, oldest first, with their age; --older-than DUR (2d, 36h,\n"
                        "  90m, 1d12h) keeps the older ones; --json prints one object a line\n"
                        REVIEW_EXIT},
    {"l2a review show", REVIEW_SHOW_USAGE
                        "  one alert: the lead, the reason, the candidates, the lead's result\n" REVIEW_EXIT},
    {"l2a review resolve", REVIEW_RESOLVE_USAGE
                           "  links the lead to an account, to a new account, or dismisses it, once;\n"
                           "  the same resolution again changes nothing, a different one fails\n"
                           REVIEW_EXIT},
};


/* Parsed command line; every string borrowed from argv. */
typedef struct review_opts {
    const char *sub;          /* list, show or resolve */
    const args_cmd *cmd;      /* for messages: "l2a review list" ... */
    const char *url;          /* --redis, or NULL */
    const char *config;       /* --config, or NULL */
    long long older_than;     /* --older-than in seconds, -1 when absent */
    bool json;                /* --json */
    const char *lead_id;      /* show, resolve: the positional LEAD */
    review_how how;     /* --account, --new-account or --dismiss */
    int nhow;                 /* how many of --account, --new-account, --dismiss were given */
    const char *account_id;   /* --account */
    const char *note;         /* --note, or NULL */
    const char *by;           /* --by, else $SUDO_USER, $USER, "unknown" */
} review_opts;

/* Config and connection of one command. Both owned. */
typedef cli_session session;

/* ---- arguments ---- */

static void set_how(review_opts *o, review_how how, const char *account_id)
{
    o->how = how;
    o->account_id = account_id;
    o->nhow++;
}

/* One option of the subcommand. ARGS_RUN, or the exit status after the help or a usage error. */
static int apply_flag(review_opts *o, int ch, char **argv)
{
    bool list = strcmp(o->sub, "list") == 0, resolve = strcmp(o->sub, "resolve") == 0;
    if (ch == 'r')
        o->url = optarg;
    else if (ch == 'c')
        o->config = optarg;
    else if (ch == 'h')
        return args_help(o->cmd);
    else if (ch == 'o' && list && review_duration_parse(optarg, &o->older_than) != 0)
        return args_usage_error(o->cmd, "bad duration '%s' for --older-than (e.g. 2d, 36h, "
                                "1d12h)", optarg);
    else if (ch == 'o' && list)
        return ARGS_RUN;
    else if (ch == 'j' && list)
        o->json = true;
    else if (ch == 'a' && resolve)
        set_how(o, REVIEW_HOW_ACCOUNT, optarg);
    else if (ch == 'n' && resolve)
        set_how(o, REVIEW_HOW_NEW_ACCOUNT, NULL);
    else if (ch == 'd' && resolve)
        set_how(o, REVIEW_HOW_DISMISS, NULL);
    else if (ch == 'N' && resolve)
        o->note = optarg;
    else if (ch == 'b' && resolve)
        o->by = optarg;
    else
        return args_option_error(o->cmd, ch, argv);
    return ARGS_RUN;
}

static int parse_flags(int argc, char **argv, review_opts *o)
{
    static const struct option longopts[] = {
        {"redis", required_argument, NULL, 'r'},   {"config", required_argument, NULL, 'c'},
        {"older-than", required_argument, NULL, 'o'}, {"json", no_argument, NULL, 'j'},
        {"account", required_argument, NULL, 'a'}, {"new-account", no_argument, NULL, 'n'},
        {"dismiss", no_argument, NULL, 'd'},       {"note", required_argument, NULL, 'N'},
        {"by", required_argument, NULL, 'b'},      {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int ch, rc = ARGS_RUN;
    args_reset();
    while (rc == ARGS_RUN && (ch = getopt_long(argc, argv, ":r:c:h", longopts, NULL)) != -1)
        rc = apply_flag(o, ch, argv);
    return rc;
}

static const char *default_by(void)
{
    const char *names[] = {"SUDO_USER", "USER"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        const char *v = getenv(names[i]);
        if (v && *v)
            return v;
    }
    return "unknown";
}

/* The subcommand named by argv[1]: sets o->sub and o->cmd. ARGS_RUN, or the exit status after
 * the help (review --help) or a usage error. */
static int parse_sub(int argc, char **argv, review_opts *o)
{
    static const char *const subs[] = {"list", "show", "resolve"};
    size_t i = 0;
    o->cmd = &review_cmds[0];
    int rc = args_subcommand(o->cmd, argc, argv, subs, ARRAY_LEN(subs), "list, show or resolve",
                             &i);
    if (rc == ARGS_RUN) {
        o->sub = subs[i];
        o->cmd = &review_cmds[i + 1];
    }
    return rc;
}

/* The operands after the options: none for list, LEAD for show and resolve. */
static int parse_operands(int argc, char **argv, review_opts *o)
{
    bool wants_lead = strcmp(o->sub, "list") != 0;
    if (wants_lead && optind == argc)
        return args_usage_error(o->cmd, "LEAD is required");
    if (wants_lead)
        o->lead_id = argv[optind++];
    return args_no_operands(o->cmd, argc, argv);
}

/* argv starts at "review". ARGS_RUN, or the exit status after the help or a usage error. */
static int parse_review_opts(int argc, char **argv, review_opts *o)
{
    memset(o, 0, sizeof(*o));
    o->older_than = -1;
    int rc = parse_sub(argc, argv, o);
    if (rc == ARGS_RUN)
        rc = parse_flags(argc - 1, argv + 1, o);
    if (rc == ARGS_RUN)
        rc = parse_operands(argc - 1, argv + 1, o);
    if (rc != ARGS_RUN)
        return rc;
    if (strcmp(o->sub, "resolve") == 0 && o->nhow != 1)
        return args_usage_error(o->cmd, o->nhow ? "give only one of --account, --new-account "
                                "and --dismiss" : "one of --account, --new-account and "
                                "--dismiss is required");
    if (!o->by)
        o->by = default_by();
    return ARGS_RUN;
}

/* ---- session ---- */

/* ---- time and JSON ---- */

static long long age_seconds(const review_alert *a, double now)
{
    double age = (now - a->created_ms) / 1000.0;
    return age > 0 ? (long long)age : 0;
}

/* JSON text parsed as the wanted type (a JSON object or array), else an empty one. New ref. */
static json_t *parse_json(const char *text, bool array)
{
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    if (v && (array ? json_is_array(v) : json_is_object(v)))
        return v;
    json_decref(v);
    return array ? json_array() : json_object();
}

static const char *jstr(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    return s ? s : "";
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

/* s safe for the terminal (control characters escaped: an id with ESC[2J must not clear the
 * operator's screen, a newline must not forge a row). The text lives until 8 more calls: use it
 * as a printf argument only. */
static const char *tty(const char *s)
{
    static char *ring[8];      /* reachable until exit */
    static unsigned next;
    unsigned k = next++ % 8;
    free(ring[k]);
    ring[k] = review_printable(s);
    return ring[k];
}

/* ---- list ---- */

/* "001A 0.82" for the best candidate, "-" when none. */
static void best_candidate(const json_t *cands, char *buf, size_t len)
{
    const json_t *c0 = json_array_get(cands, 0);
    const char *id = json_string_value(json_object_get(c0, "account_id"));
    if (!id) {
        snprintf(buf, len, "-");
        return;
    }
    snprintf(buf, len, "%s %.2f", id, json_number_value(json_object_get(c0, "score")));
}

static void print_cell(const char *text, size_t width)
{
    char *s = review_shorten(*text ? text : "-", width);
    printf("%-*s ", (int)width, s);
    free(s);
}

static void print_text_line(const review_alert *a, double now)
{
    json_t *l = parse_json(review_alert_get(a, "lead"), false);
    json_t *cands = parse_json(review_alert_get(a, "candidates"), true);
    char age[32], best[160];
    best_candidate(cands, best, sizeof(best));
    char *reason = review_shorten(nz(review_alert_get(a, "reason")), 70);
    printf("%-12s %-8s %7s ", tty(a->lead_id), tty(review_alert_get(a, "kind")),
           review_age_format(age_seconds(a, now), age, sizeof(age)));
    print_cell(jstr(l, "company"), 24);
    print_cell(jstr(l, "email"), 30);
    print_cell(best, 18);
    printf("%s\n", reason);
    free(reason);
    json_decref(l);
    json_decref(cands);
}

static void print_json_line(const review_alert *a, double now)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:s,s:o,s:o}", "lead_id", a->lead_id, "kind",
                          nz(review_alert_get(a, "kind")), "created_at",
                          nz(review_alert_get(a, "created_at")), "age_seconds",
                          (json_int_t)age_seconds(a, now), "reason",
                          nz(review_alert_get(a, "reason")), "candidates",
                          parse_json(review_alert_get(a, "candidates"), true), "lead",
                          parse_json(review_alert_get(a, "lead"), false));
    char *text = o ? json_dumps(o, JSON_COMPACT | JSON_REAL_PRECISION(10)) : NULL;
    if (text)
        printf("%s\n", text);
    free(text);
    json_decref(o);
}

static void print_footer(const review_opts *o, size_t shown, long long total, double oldest,
                         double now)
{
    char age[32], dur[32];
    printf("%lld open", total);
    if (o->older_than >= 0)
        printf(" (%zu older than %s)", shown,
               review_age_format(o->older_than, dur, sizeof(dur)));
    if (oldest >= 0)
        printf(", oldest %s",
               review_age_format(now > oldest ? (long long)((now - oldest) / 1000) : 0, age,
                                 sizeof(age)));
    printf("\n");
}

static int do_list(session *s, const review_opts *o)
{
    review_alert *alerts = NULL;
    size_t n = 0;
    long long total = 0;
    double oldest = -1, now = epoch_ms_now();
    double max = o->older_than < 0 ? -1 : now - (double)o->older_than * 1000.0;
    char err[512];
    if (review_list(s->c, s->cfg.key_prefix, max, &alerts, &n, &total, &oldest, err,
                    sizeof(err)) != 0) {
        fprintf(stderr, "l2a: review list: %s\n", err);
        return 1;
    }
    if (!o->json && n > 0)
        printf("%-12s %-8s %7s %-24s %-30s %-18s %s\n", "LEAD", "KIND", "AGE", "COMPANY",
               "EMAIL", "BEST", "REASON");
    for (size_t i = 0; i < n; i++) {
        if (o->json)
            print_json_line(&alerts[i], now);
        else
            print_text_line(&alerts[i], now);
        review_alert_free(&alerts[i]);
    }
    if (!o->json)
        print_footer(o, n, total, oldest, now);
    free(alerts);
    return 0;
}

/* ---- show ---- */

static void print_kv(const char *k, const char *v)
{
    printf("  %-20s %s\n", tty(k), tty(v));
}

/* A hash as field/value pairs into kv (caller frees): 1 found, 0 absent, -1 (printed). Takes
 * key (malloc'd) and frees it. */
static int read_hash(session *s, char *key, strvec *kv)
{
    char err[512];
    int rc = review_hgetall(s->c, key, kv, err, sizeof(err));
    if (rc < 0)
        fprintf(stderr, "l2a: review: %s\n", err);
    free(key);
    return rc;
}

/* One line per candidate, with the account's name and type from its hash. */
static void print_candidates(session *s, const json_t *cands)
{
    size_t i;
    const json_t *c;
    printf("candidates:%s\n", json_array_size(cands) ? "" : " none");
    json_array_foreach(cands, i, c) {
        const char *id = jstr(c, "account_id");
        strvec kv;
        sv_init(&kv);
        int found = read_hash(s, key_account(s->cfg.key_prefix, id), &kv);
        const char *type = review_kv_get(&kv, "type");
        printf("  %-12s %.2f  %s%s%s%s\n", tty(id), json_number_value(json_object_get(c, "score")),
               found == 1 ? tty(review_kv_get(&kv, "name")) : "(no such account)",
               type ? " [" : "", tty(type), type ? "]" : "");
        sv_free(&kv);
    }
}

static void print_lead(const json_t *l)
{
    static const char *const order[] = {"id", "email", "first_name", "last_name", "title",
                                        "company", "website", "phone", "country", "source",
                                        "score"};
    const char *k;
    const json_t *v;
    printf("lead:\n");
    for (size_t i = 0; i < ARRAY_LEN(order); i++)
        if (json_string_value(json_object_get(l, order[i])))
            print_kv(order[i], jstr(l, order[i]));
    json_object_foreach((json_t *)l, k, v) {
        bool known = false;
        for (size_t i = 0; i < ARRAY_LEN(order) && !known; i++)
            known = strcmp(order[i], k) == 0;
        if (!known && json_string_value(v))
            print_kv(k, json_string_value(v));
    }
}

static void print_alert(session *s, const review_alert *a, double now)
{
    char age[32];
    const char *status = nz(review_alert_get(a, "status"));
    printf("alert %s: %s %s, created %s (%s ago)\n", tty(a->lead_id), tty(status),
           tty(review_alert_get(a, "kind")), tty(review_alert_get(a, "created_at")),
           review_age_format(age_seconds(a, now), age, sizeof(age)));
    printf("reason: %s\n", tty(review_alert_get(a, "reason")));
    printf("score: %s\n", tty(review_alert_get(a, "score")));
    json_t *cands = parse_json(review_alert_get(a, "candidates"), true);
    print_candidates(s, cands);
    json_decref(cands);
    json_t *l = parse_json(review_alert_get(a, "lead"), false);
    print_lead(l);
    json_decref(l);
    if (strcmp(status, "open") != 0) {
        printf("closed:\n");
        print_kv("resolution", nz(review_alert_get(a, "resolution")));
        print_kv("resolved_by", nz(review_alert_get(a, "resolved_by")));
        print_kv("resolved_at", nz(review_alert_get(a, "resolved_at")));
        if (*nz(review_alert_get(a, "note")))
            print_kv("note", review_alert_get(a, "note"));
    }
}

/* The lead's result hash, when there is one. 0 or -1. */
static int print_result(session *s, const char *lead_id)
{
    strvec kv;
    sv_init(&kv);
    int rc = read_hash(s, key_lead(s->cfg.key_prefix, lead_id), &kv);
    if (rc == 1) {
        printf("result %slead:%s:\n", tty(s->cfg.key_prefix), tty(lead_id));
        for (size_t i = 0; i + 1 < kv.n; i += 2)
            print_kv(kv.v[i], kv.v[i + 1]);
    }
    sv_free(&kv);
    return rc < 0 ? -1 : 0;
}

static int do_show(session *s, const review_opts *o)
{
    review_alert a;
    char err[512];
    int rc = review_get(s->c, s->cfg.key_prefix, o->lead_id, &a, err, sizeof(err));
    if (rc < 0) {
        fprintf(stderr, "l2a: review show: %s\n", err);
        return 1;
    }
    if (rc == 0) {
        fprintf(stderr, "l2a: review show: no review alert for lead '%s'\n", o->lead_id);
        return 1;
    }
    print_alert(s, &a, epoch_ms_now());
    review_alert_free(&a);
    return print_result(s, o->lead_id) == 0 ? 0 : 1;
}

/* ---- resolve ---- */

/* The engine that reads the lead's facts, as the daemon does (domain rules, aliases, lists).
 * Linking to a named account or dismissing needs no lists (the plan reads only the email's
 * domain): without a readable list file these use the engine without lists, and learn nothing
 * (learning.enabled off in its options, which the plan is built from). NULL on error. */
static matcher *facts_engine(const session *s, const review_opts *o)
{
    char err[512];
    matcher *m = matcher_new(&s->cfg.eng, err, sizeof(err));
    if (m || o->how == REVIEW_HOW_NEW_ACCOUNT) {
        if (!m)
            fprintf(stderr, "l2a: review resolve --new-account: cannot load the lists: %s%s\n",
                    err, s->cfg.path ? "" : " (pass --config FILE)");
        return m;
    }
    static engine_opts bare;     /* borrowed by the matcher: outlives this call */
    bare = s->cfg.eng;
    bare.freemail_file = bare.disposable_file = bare.legal_forms_file = NULL;
    if (bare.learn_enabled)      /* without the lists a name or a free-mail domain reads wrong */
        fprintf(stderr, "l2a: review resolve: the lists cannot be read (%s): this resolution "
                        "teaches nothing (pass --config FILE)\n", err);
    bare.learn_enabled = 0;
    m = matcher_new(&bare, err, sizeof(err));
    if (!m)
        fprintf(stderr, "l2a: review resolve: %s\n", err);
    return m;
}

/* "resolved 00Q1 -> account 001A (contact C-00Q1, opportunity O-1)". */
static void print_resolved(session *s, const review_opts *o, const review_outcome *r)
{
    strvec kv;
    sv_init(&kv);
    const char *opp = read_hash(s, key_lead(s->cfg.key_prefix, o->lead_id), &kv) == 1 ?
                          review_kv_get(&kv, "opportunity_id") : NULL;
    printf("resolved %s -> %saccount %s (contact %s%s%s)\n", tty(o->lead_id),
           o->how == REVIEW_HOW_NEW_ACCOUNT ? "new " : "", tty(r->account_id), tty(r->contact_id),
           opp ? ", opportunity " : "", tty(opp));
    sv_free(&kv);
}

/* An alert already closed, against the resolution asked for now: the same one is done (exit
 * 0), a different one is refused (exit 1) and nothing changes. */
static int already_closed(const review_alert *a, const char *wanted)
{
    const char *had = nz(review_alert_get(a, "resolution"));
    const char *by = nz(review_alert_get(a, "resolved_by"));
    const char *at = nz(review_alert_get(a, "resolved_at"));
    if (strcmp(had, wanted) == 0) {
        printf("already resolved: %s (by %s at %s)\n", tty(had), tty(by), tty(at));
        return 0;
    }
    fprintf(stderr, "l2a: review resolve: lead %s was already resolved differently: %s (by %s at "
                    "%s), not %s; nothing changed\n", tty(a->lead_id), tty(had), tty(by), tty(at),
            tty(wanted));
    return 1;
}

/* The alert (into *a): 1 found, else an exit status (1: missing or unreadable, said so). */
static int read_alert(session *s, const char *lead_id, review_alert *a)
{
    char err[512];
    int found = review_get(s->c, s->cfg.key_prefix, lead_id, a, err, sizeof(err));
    if (found < 0)
        fprintf(stderr, "l2a: review resolve: %s\n", err);
    else if (found == 0)
        fprintf(stderr, "l2a: review resolve: no review alert for lead '%s'\n", tty(lead_id));
    return found == 1 ? 1 : -1;
}

static int run_resolve(session *s, const review_opts *o, const review_plan *p)
{
    review_outcome r;
    char err[512];
    int rc = review_resolve(s->c, s->cfg.key_prefix, o->lead_id, p, o->by, o->note, &r, err,
                            sizeof(err));
    if (rc < 0)
        fprintf(stderr, "l2a: review resolve: %s\n", err);
    else if (rc == 0)
        fprintf(stderr, "l2a: review resolve: no review alert for lead '%s'\n", tty(o->lead_id));
    if (rc != 1)
        return 1;
    int status = 0;
    if (!r.done) {     /* closed by someone else between our read and the call */
        review_alert a;
        memset(&a, 0, sizeof(a));
        status = read_alert(s, o->lead_id, &a) == 1 ? already_closed(&a, p->resolution) : 1;
        review_alert_free(&a);
    } else if (o->how == REVIEW_HOW_DISMISS) {
        printf("dismissed %s\n", tty(o->lead_id));
    } else {
        print_resolved(s, o, &r);
    }
    review_outcome_free(&r);
    return status;
}

/* --account ID: the account's hash into kv. 0, or -1 (said why). */
static int read_target_account(session *s, const char *id, strvec *kv)
{
    int found = read_hash(s, key_account(s->cfg.key_prefix, id), kv);
    if (found == 0)
        fprintf(stderr, "l2a: review resolve: no account '%s' in Redis (%saccount:%s)\n", tty(id),
                tty(s->cfg.key_prefix), tty(id));
    return found == 1 ? 0 : -1;
}

static int do_resolve(session *s, const review_opts *o)
{
    review_alert a;
    review_plan p;
    strvec acct_kv;
    matcher *m = NULL;
    char err[512];
    memset(&a, 0, sizeof(a));
    memset(&p, 0, sizeof(p));
    sv_init(&acct_kv);
    int rc = 1;
    if (read_alert(s, o->lead_id, &a) != 1 || !(m = facts_engine(s, o)))
        goto out;
    if (o->how == REVIEW_HOW_ACCOUNT && read_target_account(s, o->account_id, &acct_kv) != 0)
        goto out;
    if (review_plan_build(m, &a, o->how, o->account_id, &acct_kv, epoch_ms_now(),
                          &p, err, sizeof(err)) != 0) {
        fprintf(stderr, "l2a: review resolve: %s\n", err);
        goto out;
    }
    if (strcmp(nz(review_alert_get(&a, "status")), "open") != 0)
        rc = already_closed(&a, p.resolution);
    else
        rc = run_resolve(s, o, &p);
out:
    review_plan_free(&p);
    sv_free(&acct_kv);
    matcher_free(m);
    review_alert_free(&a);
    return rc;
}

int cli_review(int argc, char **argv)
{
    review_opts o;
    session s;
    int rc = parse_review_opts(argc, argv, &o);
    if (rc != ARGS_RUN)
        return rc;
    if (cli_session_open(&s, o.config, o.url) != 0)
        return 1;
    if (strcmp(o.sub, "list") == 0)
        rc = do_list(&s, &o);
    else if (strcmp(o.sub, "show") == 0)
        rc = do_show(&s, &o);
    else
        rc = do_resolve(&s, &o);
    cli_session_close(&s);
    return rc;
}
