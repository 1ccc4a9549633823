/* record.c - recording a decision with its outcome, or dead-lettering an entry, by FCALL of the
 * l2a Function library (src/redis/lua/record.lua, dead.lua), each atomically with its XACK and
 * idempotent: an entry no longer pending (already handled, or taken over by another worker)
 * changes nothing, and a lead id already recorded (an entry id already dead-lettered) is only
 * acknowledged. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "functions.h"
#include "keys.h"
#include "log.h"

#include <jansson.h>

/* One FCALL in flight. args owned, kept for the retry after "Function not found". */
typedef struct record_op {
    l2ad *d;
    strvec args;               /* FCALL name numkeys keys... argv... */
    const char *entry_id;      /* the stream entry id, in args */
    metric_id counter;         /* leads_total series to count on success, METRIC_COUNT for none */
    double entry_ms;           /* stream entry time (ms since epoch), 0 when unknown */
    batch *b;                  /* the read this entry came with (shared, counted) */
    unsigned loads_at_send;    /* d->script_loads when sent: a "Function not found" for an op sent
                                * before the latest FUNCTION LOAD answered needs no new load */
    bool retried;
} record_op;

static void on_library_loaded(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    l2ad *d = priv;
    d->scripts_loading--;
    d->script_loads++;
    if (r && r->type == REDIS_REPLY_STRING) {
        d->scripts_ready = true;
        l2ad_kick(d);
    } else if (r) {
        log_err("functions_load_failed", "library=%s error=\"%s\"", functions_library_name(),
                log_q(r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply"));
        metrics_inc(d->metrics, METRIC_ERRORS, 1);
    }
}

void record_load_scripts(l2ad *d)
{
    const char *argv[] = {"FUNCTION", "LOAD", "REPLACE", functions_library_source()};
    if (aconn_cmd_argv(d->writer, on_library_loaded, d, 0, 4, argv, NULL) == 0)
        d->scripts_loading++;
}

static void op_free(record_op *op)
{
    sv_free(&op->args);
    free(op);
}

static void send_op(record_op *op);

static void op_finished(record_op *op, redisReply *r)
{
    l2ad *d = op->d;
    if (!r) {
        d->recovering = true;      /* left pending: re-read once nothing is in flight */
    } else if (r->type == REDIS_REPLY_INTEGER) {
        if (r->integer == 1 && op->counter != METRIC_COUNT) {
            metrics_inc(d->metrics, op->counter, 1);
            if (op->entry_ms > 0)
                metrics_observe(d->metrics, METRIC_LEAD_LATENCY,
                                (epoch_ms_now() - op->entry_ms) / 1000.0);
        } else if (r->integer == 1) {
            metrics_inc(d->metrics, METRIC_DEAD_LETTERS, 1);
        }
    } else {
        log_err("record_failed", "entry=%s error=\"%s\"", op->entry_id,
                log_q(r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply"));
        metrics_inc(d->metrics, METRIC_ERRORS, 1);
    }
    batch_done(op->b);
    op_free(op);
    consume_done(d);
}

static void on_op_reply(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    record_op *op = priv;
    if (rconn_function_missing(r) && !op->retried) {
        /* the library is gone (FUNCTION FLUSH, a new Redis without it): load it once for all the
         * ops that get this reply, then send again (after the load, on the same connection) */
        op->retried = true;
        if (op->d->scripts_loading == 0 && op->loads_at_send == op->d->script_loads)
            record_load_scripts(op->d);
        send_op(op);
        return;
    }
    op_finished(op, r);
}

static void send_op(record_op *op)
{
    op->loads_at_send = op->d->script_loads;
    if (aconn_cmd_argv(op->d->writer, on_op_reply, op, 0, (int)op->args.n,
                       (const char **)op->args.v, NULL) != 0)
        op_finished(op, NULL);
}

/* FCALL fn with the leads stream and key2 (and key3 when not NULL) as KEYS, then the group and
 * the entry id as the first arguments. */
static record_op *op_new(l2ad *d, functions_fn fn, const char *key2, const char *key3,
                         const char *entry_id, batch *b)
{
    record_op *op = xcalloc(1, sizeof(*op));
    op->d = d;
    op->b = b;
    op->counter = METRIC_COUNT;
    sv_init(&op->args);
    sv_push(&op->args, "FCALL");
    sv_push(&op->args, functions_name(fn));
    sv_push(&op->args, key3 ? "3" : "2");
    sv_push(&op->args, d->k_leads);
    sv_push(&op->args, key2);
    if (key3)
        sv_push(&op->args, key3);
    sv_push(&op->args, L2A_GROUP);
    sv_push(&op->args, entry_id);
    op->entry_id = op->args.v[op->args.n - 1];
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
    record_op *op = op_new(d, FN_RECORD, lead_key, NULL, entry_id, b);
    free(lead_key);
    op->counter = metrics_decision_id(decision_kind_name(dec->kind));
    op->entry_ms = entry_ms;
    sv_push(&op->args, d->cfg->key_prefix);
    sv_push_owned(&op->args, result_json(dec, entry_id));
    sv_push(&op->args, plan);
    sv_push(&op->args, L2A_EVENTS_MAXLEN);
    sv_push(&op->args, L2A_CHANGES_MAXLEN);
    send_op(op);
}

void record_dead(l2ad *d, const char *entry_id, const redisReply *fields, const char *error,
                 long long deliveries, batch *b)
{
    char *guard = key_dead_ids(d->cfg->key_prefix);
    record_op *op = op_new(d, FN_DEAD, d->k_dead, guard, entry_id, b);
    free(guard);
    char n[32];
    snprintf(n, sizeof(n), "%lld", deliveries);
    sv_push(&op->args, error);
    sv_push(&op->args, n);
    sv_push_owned(&op->args, functions_entry_json(fields));
    log_warn("lead_dead_lettered", "entry=%s deliveries=%lld error=\"%s\"", entry_id, deliveries,
             log_q(error));
    send_op(op);
}
