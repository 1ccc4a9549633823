/* writer.c - l2ad's writes: the Redis-side code that records a decision with its outcome or
 * dead-letters an entry, each atomically with its XACK and idempotent (an entry no longer pending
 * changes nothing, a lead id already recorded is only acknowledged); writes that fail for a
 * Redis-side reason are parked and re-sent, not counted as deliveries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "keys.h"
#include "log.h"
#include "outcome_lua.h"

#include <jansson.h>

/* KEYS: leads stream, dead-letter stream. ARGV: group, entry id, error, deliveries, then the
 * entry's original field/value pairs. */
static const char DEAD_LUA[] =
    "local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[2], ARGV[2], 1)\n"
    "if #p == 0 then return 0 end\n"
    "redis.call('XADD', KEYS[2], '*', 'stream_id', ARGV[2], 'error', ARGV[3],\n"
    "           'deliveries', ARGV[4], unpack(ARGV, 5))\n"
    "redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])\n"
    "return 1\n";

typedef enum script_id { SCRIPT_RECORD = 0, SCRIPT_DEAD = 1 } script_id;

/* One load of the scripts in flight: done is called when both replies are in. */
typedef struct script_load {
    l2ad *d;
    unsigned gen;
    writer_loaded_fn done;
    int left;
    char err[256];             /* the first error, "" when none */
} script_load;

typedef struct record_op {
    l2ad *d;
    script_id s;
    strvec args;               /* EVALSHA sha numkeys keys... argv... */
    metric_id counter;         /* leads_total series to count on success, METRIC_COUNT for none */
    double entry_ms;           /* stream entry time (ms since epoch), 0 when unknown */
    batch *b;                  /* the read this entry came with (shared, counted) */
    struct record_op *next;    /* in d->parked */
} record_op;

static char *sha_of(l2ad *d, script_id s)
{
    return s == SCRIPT_RECORD ? d->sha_record : d->sha_dead;
}

static const char *src_of(script_id s)
{
    return s == SCRIPT_RECORD ? outcome_record_script() : DEAD_LUA;
}

/* SCRIPT LOAD reply for one script; the second reply finishes the load. */
static void on_script_loaded(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    script_load *p = priv;
    l2ad *d = p->d;
    script_id s = p->left == 2 ? SCRIPT_RECORD : SCRIPT_DEAD;
    if (r && r->type == REDIS_REPLY_STRING && r->len == 40) {
        memcpy(sha_of(d, s), r->str, 40);
        sha_of(d, s)[40] = '\0';
    } else if (!p->err[0]) {
        snprintf(p->err, sizeof(p->err), "%s",
                 !r ? "connection lost" : r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    }
    if (--p->left > 0)
        return;
    if (r)       /* a lost connection restarts the state machine by itself */
        p->done(d, p->gen, p->err[0] ? p->err : NULL);
    free(p);
}

void writer_load(l2ad *d, unsigned gen, writer_loaded_fn done)
{
    script_load *p = xcalloc(1, sizeof(*p));
    *p = (script_load){.d = d, .gen = gen, .done = done, .left = 2};
    int sent = 0;
    for (int s = SCRIPT_RECORD; s <= SCRIPT_DEAD; s++) {
        const char *argv[] = {"SCRIPT", "LOAD", src_of((script_id)s)};
        if (aconn_cmd_argv(d->writer, on_script_loaded, p, 0, 3, argv, NULL) != 0)
            break;     /* the writer is down: the state machine restarts when it is back */
        sent++;
    }
    if (sent == 0)
        free(p);
    else
        p->left = sent;
}

void writer_init(l2ad *d, writer_done_fn_ptr done)
{
    d->writer_done = done;
}

static void op_free(record_op *op)
{
    sv_free(&op->args);
    free(op);
}

static void send_op(record_op *op);

/* Errors that say nothing about the entry: Redis cannot take the write now. */
static bool redis_side_error(const char *e)
{
    static const char *const prefixes[] = {"OOM", "LOADING", "READONLY", "BUSY", "MASTERDOWN",
                                           "NOREPLICAS", "TRYAGAIN", "CLUSTERDOWN", "NOGROUP",
                                           "NOSCRIPT"};
    for (size_t i = 0; i < ARRAY_LEN(prefixes); i++)
        if (strncmp(e, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return strstr(e, "NOGROUP") != NULL;   /* XPENDING's NOGROUP inside the script */
}

/* Kept for writer_resume; the state machine backs off and comes back. */
static void park(record_op *op, const char *why)
{
    l2ad *d = op->d;
    op->next = d->parked;
    d->parked = op;
    ready_state from = READY_HANDSHAKE;
    if (strstr(why, "NOGROUP"))
        from = READY_GROUP;
    else if (strncmp(why, "NOSCRIPT", 8) == 0)
        from = READY_FUNCTIONS;
    ready_fail(d, from, why);
}

static void op_recorded(record_op *op, long long code)
{
    l2ad *d = op->d;
    if (code == 1 && op->counter != METRIC_COUNT) {
        metrics_inc(d->metrics, op->counter, 1);
        if (op->entry_ms > 0)
            metrics_observe(d->metrics, METRIC_LEAD_LATENCY,
                            (epoch_ms_now() - op->entry_ms) / 1000.0);
    } else if (code == 1) {
        metrics_inc(d->metrics, METRIC_DEAD_LETTERS, 1);
    }
}

static void op_finished(record_op *op, redisReply *r)
{
    l2ad *d = op->d;
    if (!r) {
        park(op, "connection to Redis lost during a write");
        return;
    }
    if (r->type == REDIS_REPLY_ERROR && redis_side_error(r->str)) {
        park(op, r->str);
        return;
    }
    if (r->type == REDIS_REPLY_INTEGER) {
        op_recorded(op, r->integer);
    } else {
        /* the entry's own fault (or a key of the wrong type): it stays pending and comes back
         * through the claim of stale entries, counted as a delivery */
        log_err("record_failed", "entry=%s error=\"%s\"", op->args.v[6],
                log_q(r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply"));
        metrics_inc(d->metrics, METRIC_ERRORS, 1);
    }
    batch_done(op->b);
    op_free(op);
    d->writer_done(d);
}

void writer_resume(l2ad *d)
{
    record_op *op = d->parked;
    d->parked = NULL;
    while (op) {
        record_op *next = op->next;
        op->next = NULL;
        send_op(op);
        op = next;
    }
}

static void on_op_reply(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    op_finished(priv, r);
}

static void send_op(record_op *op)
{
    if (aconn_cmd_argv(op->d->writer, on_op_reply, op, 0, (int)op->args.n,
                       (const char **)op->args.v, NULL) != 0)
        op_finished(op, NULL);
}

static record_op *op_new(l2ad *d, script_id s, const char *stream_key2, const char *entry_id,
                         batch *b)
{
    record_op *op = xcalloc(1, sizeof(*op));
    op->d = d;
    op->b = b;
    op->s = s;
    op->counter = METRIC_COUNT;
    sv_init(&op->args);
    sv_push(&op->args, "EVALSHA");
    sv_push(&op->args, sha_of(d, s));
    sv_push(&op->args, "2");
    sv_push(&op->args, d->k_leads);
    sv_push(&op->args, stream_key2);
    sv_push(&op->args, L2A_GROUP);
    sv_push(&op->args, entry_id);      /* args.v[6] */
    return op;
}

static void set_str(json_t *o, const char *k, const char *v)
{
    if (v && *v)    /* absent fields are left out (docs/redis-schema.md) */
        json_object_set_new(o, k, json_string(v));
}

/* The result hash's fields as one flat JSON object of strings. */
static char *result_json(const decision *dec, const char *entry_id)
{
    char score[32], when[40];
    snprintf(score, sizeof(score), "%.4g", dec->score);
    iso8601_now(when, sizeof(when), NULL);
    strbuf cands;
    sb_init(&cands);
    decision_candidates_json(dec, &cands);
    json_t *o = json_object();
    set_str(o, "lead_id", dec->lead_id);
    set_str(o, "decision", decision_kind_name(dec->kind));
    set_str(o, "account_id", dec->account_id);
    set_str(o, "score", score);
    set_str(o, "rule", dec->rule);
    set_str(o, "reason", dec->reason);
    set_str(o, "candidates", cands.buf);
    set_str(o, "processed_at", when);
    set_str(o, "stream_id", entry_id);
    char *out = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    sb_free(&cands);
    return out;
}

void record_decision(l2ad *d, const char *entry_id, const decision *dec, const char *plan,
                     double entry_ms, batch *b)
{
    char *lead_key = key_lead(d->cfg->key_prefix, dec->lead_id);
    record_op *op = op_new(d, SCRIPT_RECORD, lead_key, entry_id, b);
    free(lead_key);
    op->counter = metrics_decision_id(decision_kind_name(dec->kind));
    op->entry_ms = entry_ms;
    sv_push(&op->args, d->cfg->key_prefix);
    sv_push_owned(&op->args, result_json(dec, entry_id));
    sv_push(&op->args, plan);
    send_op(op);
}

void record_dead(l2ad *d, const char *entry_id, const strvec *fields, const char *error,
                 long long deliveries, batch *b)
{
    record_op *op = op_new(d, SCRIPT_DEAD, d->k_dead, entry_id, b);
    char n[32];
    snprintf(n, sizeof(n), "%lld", deliveries);
    sv_push(&op->args, error);
    sv_push(&op->args, n);
    for (size_t i = 0; fields && i < fields->n; i++)
        sv_push(&op->args, fields->v[i]);
    log_warn("lead_dead_lettered", "entry=%s deliveries=%lld error=\"%s\"", entry_id, deliveries,
             log_q(error));
    send_op(op);
}
