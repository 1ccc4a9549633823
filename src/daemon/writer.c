/* writer.c - l2ad's writes: FCALLs of the l2a Function library (src/redis/lua/record.lua,
 * dead.lua) that record decisions with their outcomes (the decisions of one read in a few calls,
 * each decision's arguments encoded once, record_args.c) or dead-letter an entry, each
 * atomically with its XACK and idempotent (an entry no longer pending changes nothing, a lead id
 * already recorded or an entry id already dead-lettered is only acknowledged); writes that fail
 * for a Redis-side reason are parked and re-sent, not counted as deliveries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "functions.h"
#include "keys.h"
#include "log.h"
#include "rconn.h"
#include "record_args.h"
#include "resp.h"

/* Decisions recorded in one call while Redis keeps up (record_leads takes up to 1,000). Small
 * enough that a read's first leads are not held back by its last (a call's reply comes when its
 * last lead is recorded); large enough that the call's own cost (~15 us of Redis CPU: the call,
 * the shared keys' type checks) is ~1 us a lead. A read's first calls are smaller still (1, 2, 4,
 * 8 decisions). The calls of a read reach Redis together when the read's decisions are done (the
 * async client writes when the event loop runs); writing each call at once was tried (session 17,
 * docs/BENCHMARKS.md) and did not lower the latency on a 2-core host. */
#define MAX_QUEUED 16
/* ... and when calls of earlier reads are still unanswered (writer_flush): a lead waits for them
 * whatever its call, so the calls are made larger, each call's own checks shared by more leads.
 * Not doubled further: a read's calls keep this size. */
#define BEHIND_QUEUED 48

/* The bytes a decision's arguments take at first (most take less: one allocation). */
#define RESP_ROOM 1024

/* One write in flight, queued or parked. args owned. */
typedef struct record_op {
    l2ad *d;
    char *key;                 /* a decision: its result hash (owned); NULL for a whole FCALL */
    strvec args;               /* a decision: its entry id; else FCALL name numkeys keys...
                                * argv... */
    strbuf resp;               /* a decision: its part of record_leads's ARGV (record_args_put)
                                * as RESP bulk strings, resp_argc of them */
    size_t resp_argc;
    const char *entry_id;      /* the stream entry id, in args */
    metric_id counter;         /* leads_total series to count on success, METRIC_COUNT for none */
    double entry_ms;           /* stream entry time (ms since epoch), 0 when unknown */
    batch *b;                  /* the read this entry came with (shared, counted) */
    struct record_op *next;    /* in d->parked */
} record_op;

/* The library load in flight: done is called with its outcome. */
typedef struct library_load {
    l2ad *d;
    unsigned gen;
    writer_loaded_fn done;
} library_load;

static void on_library_loaded(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    library_load *p = priv;
    if (r && r->type == REDIS_REPLY_STRING)
        p->done(p->d, p->gen, NULL);
    else if (r)     /* a lost connection restarts the state machine by itself */
        p->done(p->d, p->gen, r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    free(p);
}

/* FUNCTION LIST of our library with its code: already there as we have it, nothing to load
 * (which works over maxmemory and without the right to load functions). */
static void on_library_listed(aconn *c, redisReply *r, void *priv)
{
    library_load *p = priv;
    if (!r) {
        free(p);
        return;
    }
    if (functions_listed_current(r)) {
        p->done(p->d, p->gen, NULL);
        free(p);
        return;
    }
    const char *argv[] = {"FUNCTION", "LOAD", "REPLACE", functions_library_source()};
    if (aconn_cmd_argv(c, on_library_loaded, p, 0, 4, argv, NULL) != 0)
        free(p);
}

void writer_load(l2ad *d, unsigned gen, writer_loaded_fn done)
{
    library_load *p = xmalloc(sizeof(*p));
    *p = (library_load){d, gen, done};
    const char *argv[] = {"FUNCTION", "LIST", "LIBRARYNAME", functions_library_name(), "WITHCODE"};
    if (aconn_cmd_argv(d->writer, on_library_listed, p, 0, 5, argv, NULL) != 0)
        free(p);   /* the writer is down: the state machine restarts when it is back */
}

void writer_init(l2ad *d, const writer_hooks *hooks)
{
    d->writer_hooks = *hooks;
}

static void op_free(record_op *op)
{
    sv_free(&op->args);
    sb_free(&op->resp);
    free(op->key);
    free(op);
}

static void send_op(record_op *op);

/* Errors that say nothing about the entry: Redis cannot take the write now. */
static bool redis_side_error(const char *e)
{
    static const char *const prefixes[] = {"OOM", "LOADING", "READONLY", "BUSY", "MASTERDOWN",
                                           "NOREPLICAS", "TRYAGAIN", "CLUSTERDOWN", "NOGROUP",
                                           "ERR Function not found"};
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
    else if (strstr(why, "Function not found"))
        from = READY_FUNCTIONS;     /* FUNCTION FLUSH, or a Redis without the library */
    d->writer_hooks.stalled(d, from, why);
}

static void op_recorded(record_op *op, long long code)
{
    l2ad *d = op->d;
    d->writer_hooks.progress(d);
    if (code == 1 && op->counter != METRIC_COUNT) {
        metrics_inc(d->metrics, op->counter, 1);
        if (op->entry_ms > 0)
            metrics_observe(d->metrics, METRIC_LEAD_LATENCY,
                            (epoch_ms_now() - op->entry_ms) / 1000.0);
    } else if (code == 1) {
        metrics_inc(d->metrics, METRIC_DEAD_LETTERS, 1);
    } else if (code == 3 && op->counter != METRIC_COUNT) {
        metrics_inc(d->metrics, METRIC_LEADS_REPEATED, 1);
        log_warn("lead_repeated", "entry=%s key=\"%s\" note=\"lead id already recorded with other "
                 "fields; the first result is kept\"", op->entry_id, log_q(op->key));
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
        log_err("record_failed", "entry=%s error=\"%s\"", op->entry_id,
                log_q(r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply"));
    }
    batch *b = op->b;
    op_free(op);
    d->writer_hooks.done(d, b);
}

void writer_free(l2ad *d)
{
    while (d->queued) {
        record_op *op = d->queued;
        d->queued = op->next;
        op_free(op);
    }
    d->nqueued = 0;
    writer_drop_parked(d);
}

void writer_drop_parked(l2ad *d)
{
    while (d->parked) {
        record_op *op = d->parked;
        d->parked = op->next;
        batch *b = op->b;
        op_free(op);
        d->writer_hooks.done(d, b);
    }
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
    writer_flush(d);
}

static void on_op_reply(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    op_finished(priv, r);
}

/* The decisions of one record_leads call, in ARGV order. */
typedef struct record_call {
    l2ad *d;
    size_t n;
    record_op *ops[];
} record_call;

/* One reply per decision; a reply for the whole call (an error, or NULL: the connection was
 * lost) goes to each. */
static void on_call_reply(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    record_call *call = priv;
    call->d->calls_out--;
    bool each = r && r->type == REDIS_REPLY_ARRAY && r->elements == call->n;
    for (size_t i = 0; i < call->n; i++)
        op_finished(call->ops[i], each ? r->element[i] : r);
    free(call);
}

/* The queued decisions in one FCALL of record_leads, written as RESP here: each decision's
 * arguments were encoded once, when it was queued. */
static void send_queued(l2ad *d)
{
    size_t n = d->nqueued, argc = 8 + n;
    if (n == 0)
        return;
    record_call *call = xmalloc(sizeof(*call) + n * sizeof(call->ops[0]));
    call->d = d;
    call->n = n;
    d->calls_out++;
    d->read_calls++;
    size_t bytes = 0;
    for (record_op *op = d->queued; op; op = op->next) {
        call->ops[--n] = op;
        argc += op->resp_argc;
        bytes += op->resp.len + strlen(op->key) + 32;
    }
    d->queued = NULL;
    d->nqueued = 0;
    strbuf cmd;
    sb_init(&cmd);
    sb_reserve(&cmd, bytes + 256);
    char nkeys[24];
    snprintf(nkeys, sizeof(nkeys), "%zu", call->n + 1);
    resp_len(&cmd, '*', argc);
    const char *head[] = {"FCALL", functions_name(FN_RECORD_LEADS), nkeys, d->k_leads};
    for (size_t i = 0; i < ARRAY_LEN(head); i++)
        resp_str(&cmd, head[i]);
    for (size_t i = 0; i < call->n; i++)
        resp_str(&cmd, call->ops[i]->key);
    const char *shared[] = {L2A_GROUP, d->cfg->key_prefix, L2A_EVENTS_MAXLEN, L2A_CHANGES_MAXLEN};
    for (size_t i = 0; i < ARRAY_LEN(shared); i++)
        resp_str(&cmd, shared[i]);
    for (size_t i = 0; i < call->n; i++)
        sb_appendn(&cmd, call->ops[i]->resp.buf, call->ops[i]->resp.len);
    if (aconn_cmd_resp(d->writer, on_call_reply, call, 0, cmd.buf, cmd.len) != 0)
        on_call_reply(NULL, NULL, call);
    sb_free(&cmd);
}

/* The end of a read's decisions. The next read starts with a call of one decision again, so that
 * Redis records its first lead while the daemon decides the next; unless calls of earlier reads
 * are still unanswered: Redis is behind, a lead waits for them whatever its call, and full calls
 * cost Redis less a lead (each call checks and acknowledges on its own). */
void writer_flush(l2ad *d)
{
    send_queued(d);
    bool behind = d->calls_out > d->read_calls;
    d->chunk = behind ? BEHIND_QUEUED : 1;
    d->read_calls = 0;
}

/* A decision waits in the queue until the call it goes in is full (d->chunk decisions, doubled
 * after each call up to MAX_QUEUED) or writer_flush. */
static void queue_op(record_op *op)
{
    l2ad *d = op->d;
    op->next = d->queued;
    d->queued = op;
    size_t chunk = d->chunk ? d->chunk : 1;
    if (++d->nqueued >= chunk) {
        send_queued(d);
        if (chunk < MAX_QUEUED)   /* (BEHIND_QUEUED stays) */
            d->chunk = 2 * chunk < MAX_QUEUED ? 2 * chunk : MAX_QUEUED;
    }
}

static void send_op(record_op *op)
{
    if (op->key) {
        queue_op(op);
        return;
    }
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

/* FNV-1a (64 bits) of the lead's fields, names and values, as hex: what tells a resend of a lead
 * from another lead under the same id. */
static void lead_digest(const lead *l, char out[static 17])
{
    const char *names[] = {"id", "email", "company", "website", "first_name", "last_name",
                           "title", "country", "phone", "score", "source"};
    const char *vals[] = {l->id, l->email, l->company, l->website, l->first_name, l->last_name,
                          l->title, l->country, l->phone, l->score, l->source};
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        const char *parts[] = {vals[i] ? names[i] : "", vals[i] ? vals[i] : ""};
        for (size_t p = 0; p < 2; p++)
            for (const unsigned char *c = (const unsigned char *)parts[p]; ; c++) {
                h = (h ^ *c) * 1099511628211ULL; /* the NUL too: separates the parts */
                if (!*c)
                    break;
            }
    }
    for (int i = 15; i >= 0; i--, h >>= 4) /* "%016llx" without printf */
        out[i] = "0123456789abcdef"[h & 15];
    out[16] = '\0';
}

void record_decision(l2ad *d, const char *entry_id, const lead *l, const decision *dec,
                     const record_plan *plan, double entry_ms, batch *b)
{
    record_op *op = xcalloc(1, sizeof(*op));
    op->d = d;
    op->b = b;
    op->key = key_lead(d->cfg->key_prefix, dec->lead_id);
    op->counter = metrics_decision_id(decision_kind_name(dec->kind));
    op->entry_ms = entry_ms;
    sv_init(&op->args);
    sv_push(&op->args, entry_id);
    op->entry_id = op->args.v[0];
    char digest[24];
    lead_digest(l, digest);
    sb_init(&op->resp);
    sb_reserve(&op->resp, RESP_ROOM);
    op->resp_argc = record_args_put(&op->resp, entry_id, digest, dec, plan);
    queue_op(op);
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
