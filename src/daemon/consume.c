/* consume.c - reading leads from the stream: this consumer's own pending entries first, then new
 * ones in batches (XREADGROUP BLOCK), stale entries of crashed workers by claim; each entry is
 * parsed, matched and handed to the recorder, or dead-lettered with the reason. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"
#include "functions.h"
#include "keys.h"
#include "log.h"
#include "numfmt.h"
#include "outcome.h"
#include "text.h"

static double mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

batch *batch_new(l2ad *d, size_t n)
{
    batch *b = xmalloc(sizeof(*b));
    *b = (batch){d, mono_s(), n};
    return b;
}

void batch_done(batch *b)
{
    if (!b || --b->left > 0)
        return;
    metrics_observe(b->d->metrics, METRIC_BATCH_SECONDS, mono_s() - b->started);
    free(b);
}

/* Milliseconds since the epoch encoded in a stream id ("1700000000000-0"). */
static double entry_time_ms(const char *id)
{
    return numfmt_leading_number(id);
}

/* What the bytes of an entry's fields hold that a lead cannot: NUL bytes or bytes that are not
 * UTF-8 in a field name or in the value of a field l2a reads (unknown fields are ignored). */
typedef struct entry_bytes {
    char reason[256];   /* the first bad field, "" when none */
    size_t nbad;        /* bad fields */
    bool id_bad;        /* the id, the json field or a field name is bad: no id to trust */
    strvec bad_keys;    /* known fields whose value is bad (owned) */
} entry_bytes;

/* NULL when s[0..n) is UTF-8 without NUL, else what is wrong (into buf). */
static const char *bytes_problem(const char *s, size_t n, char *buf, size_t len)
{
    const char *nul = s ? memchr(s, '\0', n) : NULL;
    size_t upto = nul ? (size_t)(nul - s) : n;
    size_t at = s ? utf8_invalid_at(s, upto) : upto;
    if (at < upto)
        snprintf(buf, len, "is not valid UTF-8 (byte 0x%02X at offset %zu)",
                 (unsigned char)s[at], at);
    else if (nul)
        snprintf(buf, len, "holds a NUL byte (at offset %zu)", upto);
    else
        return NULL;
    return buf;
}

/* Checks one field; a bad one is noted in eb and gives the key to use ("" for a bad name). */
static const char *check_field(const redisReply *k, const redisReply *v, entry_bytes *eb)
{
    char why[96];
    const char *key = k->str ? k->str : "";
    const char *bad_key = bytes_problem(k->str, k->len, why, sizeof(why));
    const char *bad = bad_key;
    if (!bad && (lead_field_known(key) || strcmp(key, "json") == 0))
        bad = bytes_problem(v->str, v->len, why, sizeof(why));
    if (!bad)
        return key;
    if (eb->nbad++ == 0)
        snprintf(eb->reason, sizeof(eb->reason), bad_key ? "a field name %s" : "field '%s' %s",
                 bad_key ? why : key, why);
    eb->id_bad |= bad_key || strcmp(key, "id") == 0 || strcmp(key, "json") == 0;
    if (!bad_key)
        sv_push(&eb->bad_keys, key);
    return bad_key ? "" : key;
}

/* Copies the fields out of the reply (a name or value is cut at a NUL byte; eb says so). */
static void copy_fields(const redisReply *f, strvec *out, entry_bytes *eb)
{
    for (size_t i = 0; f && i + 1 < f->elements; i += 2) {
        const redisReply *k = f->element[i], *v = f->element[i + 1];
        sv_push(out, check_field(k, v, eb));
        sv_push_owned(out, xstrndup(v->str ? v->str : "", v->str ? v->len : 0));
    }
    if (eb->nbad > 1) {
        size_t n = strlen(eb->reason);
        snprintf(eb->reason + n, sizeof(eb->reason) - n, " (and %zu more field%s)", eb->nbad - 1,
                 eb->nbad > 2 ? "s" : "");
    }
}

/* The lead an entry carries (lead_from_entry under the daemon's limits). Returns NULL, or err
 * with the reason when it is unusable. */
static const char *entry_to_lead(const l2ad *d, const strvec *f, lead *l, char *err, size_t len)
{
    entry_limits lim = {d->cfg->max_entry_fields, d->cfg->max_field_bytes,
                        d->cfg->max_entry_bytes};
    return lead_from_entry(f, &lim, l, err, len) == 0 ? NULL : err;
}

static bool lead_fields_fit(const l2ad *d, const lead *l)
{
    const char *v[] = {l->id, l->email, l->company, l->website, l->first_name, l->last_name,
                       l->title, l->country, l->phone, l->source, l->score};
    for (size_t i = 0; i < ARRAY_LEN(v); i++)
        if (v[i] && strlen(v[i]) > (size_t)d->cfg->max_field_bytes)
            return false;
    return true;
}

/* A new account enters this process's index at once, so the next lead from the company (in this
 * batch too) matches it; the change stream brings it to the other workers. */
static void index_new_account(l2ad *d, const lead_facts *f)
{
    if (!f->new_account_id || matcher_has_account(d->m, f->new_account_id))
        return;
    account_rec a;
    account_rec_init(&a);
    account_rec_set(&a, "id", f->new_account_id);
    account_rec_set(&a, "name", f->new_account_name);
    if (f->new_account_domain)
        account_rec_set(&a, "domains", f->new_account_domain);
    account_rec_set(&a, "type", d->cfg->eng.new_account_type);
    (void)matcher_upsert_account(d->m, &a);
    account_rec_free(&a);
}

/* Match, route to an outcome, and hand decision and plan to the recorder. */
static void decide_and_record(l2ad *d, const char *id, const lead *l, batch *b)
{
    decision dec;
    matcher_decide(d->m, l, &dec);
    log_debug("lead_decided", "entry=%s lead=\"%s\" decision=%s account=\"%s\" score=%.4g rule=%s",
              id, log_q(dec.lead_id ? dec.lead_id : ""), decision_kind_name(dec.kind),
              log_q(dec.account_id ? dec.account_id : ""), dec.score, dec.rule);
    outcome_action act = outcome_route(&d->cfg->eng, &dec);
    outcome_account acct = {0};
    bool known = act == OUTCOME_CONVERT && matcher_account_target(d->m, dec.account_id, &acct);
    char now[40];
    double now_ms;
    iso8601_now(now, sizeof(now), &now_ms);
    record_plan plan;
    record_plan_init(&plan);
    outcome_sink sink = record_plan_sink(&plan);
    outcome_plan_emit(&d->cfg->eng, act, l, &dec, known ? &acct : NULL, now, now_ms, &sink);
    if (act == OUTCOME_CREATE_ACCOUNT)
        index_new_account(d, &dec.facts);
    record_decision(d, id, l, &dec, &plan, entry_time_ms(id), b);
    record_plan_free(&plan);
    decision_free(&dec);
}

/* A lead whose fields hold bytes it cannot carry: recorded as invalid with the reason (and a
 * lead.invalid event); the bad fields are left out of what is stored. */
static void record_invalid(l2ad *d, const char *id, lead *l, const entry_bytes *eb, batch *b)
{
    decision dec;
    char now[40];
    double now_ms;
    for (size_t i = 0; i < eb->bad_keys.n; i++)
        (void)lead_set(l, eb->bad_keys.v[i], NULL);
    decision_init(&dec);
    dec.kind = DECISION_INVALID;
    dec.rule = "invalid";
    dec.lead_id = xstrdup(l->id);
    decision_set_reason(&dec, "%s", eb->reason);
    iso8601_now(now, sizeof(now), &now_ms);
    record_plan plan;
    record_plan_init(&plan);
    outcome_sink sink = record_plan_sink(&plan);
    outcome_plan_emit(&d->cfg->eng, OUTCOME_NONE, l, &dec, NULL, now, now_ms, &sink);
    log_warn("lead_invalid_bytes", "entry=%s lead=\"%s\" error=\"%s\"", id, log_q(l->id),
             log_q(eb->reason));
    record_decision(d, id, l, &dec, &plan, entry_time_ms(id), b);
    record_plan_free(&plan);
    decision_free(&dec);
}

/* The entry's own fault, or NULL when it carries a lead (in l). Bad bytes without a trustworthy
 * id are a fault too (into err). */
static const char *entry_fault(const l2ad *d, const strvec *f, const entry_bytes *eb,
                               long long deliveries, lead *l, char *err, size_t len)
{
    char why[512];
    if (deliveries > d->cfg->max_deliveries)
        return snprintf(err, len, "delivered %lld times (daemon.max_deliveries %d)", deliveries,
                        d->cfg->max_deliveries), err;
    if (eb->nbad && eb->id_bad)
        return snprintf(err, len, "%s", eb->reason), err;
    if (entry_to_lead(d, f, l, why, sizeof(why)))
        return snprintf(err, len, "%s%s%s", why, eb->nbad ? "; " : "", eb->reason), err;
    if (!lead_fields_fit(d, l))
        return snprintf(err, len, "a lead field is over daemon.max_field_bytes %d",
                        d->cfg->max_field_bytes), err;
    return NULL;
}

/* One entry: decided and recorded, or dead-lettered. in_flight counts it until the reply. */
static void process_entry(l2ad *d, const char *id, const redisReply *fields, long long deliveries,
                          batch *b)
{
    strvec f;
    entry_bytes eb = {.nbad = 0};
    sv_init(&f);
    sv_init(&eb.bad_keys);
    copy_fields(fields, &f, &eb);
    d->in_flight++;
    char err[768];
    lead l;
    lead_init(&l);
    if (entry_fault(d, &f, &eb, deliveries, &l, err, sizeof(err)))
        record_dead(d, id, fields, err, deliveries, b);
    else if (eb.nbad)
        record_invalid(d, id, &l, &eb, b);
    else
        decide_and_record(d, id, &l, b);
    lead_free(&l);
    sv_free(&f);
    sv_free(&eb.bad_keys);
}

/* An entry still pending but deleted from the stream (trimmed): nothing to record, just ack. */
static void on_gone_acked(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    (void)r;
    consume_done(priv);
}

static void ack_gone(l2ad *d, const char *id)
{
    d->in_flight++;
    log_warn("lead_entry_gone", "entry=%s", id);
    if (aconn_cmd(d->writer, on_gone_acked, d, 0, "XACK %s %s %s", d->k_leads, L2A_GROUP, id) != 0)
        consume_done(d);
}

/* [id, fields] entries of an XREADGROUP stream or an XCLAIM reply. */
static void process_entries(l2ad *d, const redisReply *entries, long long deliveries)
{
    if (!entries || entries->type != REDIS_REPLY_ARRAY || !entries->elements)
        return;
    batch *b = batch_new(d, entries->elements);
    for (size_t i = 0; i < entries->elements; i++) {
        const redisReply *e = entries->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 || !e->element[0]->str) {
            batch_done(b);
            continue;
        }
        const redisReply *fields = e->element[1];
        if (fields->type != REDIS_REPLY_ARRAY) {
            ack_gone(d, e->element[0]->str);
            batch_done(b);
            continue;
        }
        process_entry(d, e->element[0]->str, fields, deliveries, b);
    }
    writer_flush(d);
}

/* ---- new entries ---- */

/* A read or claim refused: the group is gone (NOGROUP: recreate it) or Redis cannot serve now. */
static void redis_refused(l2ad *d, const char *error)
{
    ready_fail(d, strncmp(error, "NOGROUP", 7) == 0 ? READY_GROUP : READY_HANDSHAKE, error);
}

static void on_read(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    l2ad *d = priv;
    d->reading = false;
    if (r && r->type == REDIS_REPLY_ERROR) {
        log_err("read_failed", "error=\"%s\"", log_q(r->str));
        redis_refused(d, r->str);
    } else if (r && r->type == REDIS_REPLY_ARRAY) {
        ready_progress(d);
        for (size_t i = 0; i < r->elements; i++)
            if (r->element[i]->type == REDIS_REPLY_ARRAY && r->element[i]->elements == 2)
                process_entries(d, r->element[i]->element[1], 1);
    }
    l2ad_kick(d);
}

static void read_new(l2ad *d, int count)
{
    char n[16], block[16];
    snprintf(n, sizeof(n), "%d", count);
    snprintf(block, sizeof(block), "%d", d->cfg->block_ms);
    const char *argv[] = {"XREADGROUP", "GROUP", L2A_GROUP, d->consumer, "COUNT", n,
                          "BLOCK", block, "STREAMS", d->k_leads, ">"};
    if (aconn_cmd_argv(d->reader, on_read, d, d->cfg->block_ms, (int)ARRAY_LEN(argv), argv,
                       NULL) == 0)
        d->reading = true;
}

/* ---- pending entries: this consumer's own after a restart or a lost connection, and those
 * of workers that stopped (idle longer than daemon.claim_idle_ms) ---- */

typedef struct claim_req {
    l2ad *d;
    bool own;                  /* own entries (on the reader connection) or stale ones */
    size_t n;
    char **ids;                /* owned */
    long long *deliveries;     /* owned: delivery count before this claim */
} claim_req;

static void claim_free(claim_req *q)
{
    for (size_t i = 0; i < q->n; i++)
        free(q->ids[i]);
    free(q->ids);
    free(q->deliveries);
    free(q);
}

static aconn *claim_conn(const claim_req *q)
{
    return q->own ? q->d->reader : q->d->writer;
}

static void claim_finish(claim_req *q)
{
    l2ad *d = q->d;
    if (q->own)
        d->reading = false;
    claim_free(q);
    l2ad_kick(d);
}

static long long deliveries_of(const claim_req *q, const char *id, bool *found)
{
    for (size_t i = 0; i < q->n; i++)
        if (strcmp(q->ids[i], id) == 0) {
            *found = true;
            return q->deliveries[i];
        }
    *found = false;
    return 0;
}

static void on_claimed(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    claim_req *q = priv;
    l2ad *d = q->d;
    if (r && r->type == REDIS_REPLY_ARRAY) {
        bool *seen = xcalloc(q->n ? q->n : 1, sizeof(*seen));
        for (size_t i = 0; i < r->elements; i++) {
            const redisReply *e = r->element[i];
            if (e->type != REDIS_REPLY_ARRAY || e->elements < 2 || !e->element[0]->str)
                continue;
            bool found;
            long long n = deliveries_of(q, e->element[0]->str, &found);
            for (size_t j = 0; found && j < q->n; j++)
                seen[j] |= strcmp(q->ids[j], e->element[0]->str) == 0;
            redisReply one = {.type = REDIS_REPLY_ARRAY, .elements = 1,
                              .element = (redisReply **)&r->element[i]};
            process_entries(d, &one, n + 1);
        }
        for (size_t j = 0; q->own && j < q->n; j++)
            if (!seen[j])
                ack_gone(d, q->ids[j]);
        free(seen);
    } else if (r) {
        log_err("claim_failed", "error=\"%s\"",
                log_q(r->type == REDIS_REPLY_ERROR ? r->str : "?"));
        if (r->type == REDIS_REPLY_ERROR)
            redis_refused(d, r->str);
    }
    claim_finish(q);
}

static void send_claim(claim_req *q)
{
    l2ad *d = q->d;
    char idle[24];
    snprintf(idle, sizeof(idle), "%d", q->own ? 0 : d->cfg->claim_idle_ms);
    strvec a;
    sv_init(&a);
    const char *head[] = {"XCLAIM", d->k_leads, L2A_GROUP, d->consumer, idle};
    for (size_t i = 0; i < ARRAY_LEN(head); i++)
        sv_push(&a, head[i]);
    for (size_t i = 0; i < q->n; i++)
        sv_push(&a, q->ids[i]);
    if (aconn_cmd_argv(claim_conn(q), on_claimed, q, 0, (int)a.n, (const char **)a.v, NULL) != 0)
        claim_finish(q);
    sv_free(&a);
}

/* XPENDING extended form: [[id, consumer, idle, deliveries], ...] */
static void on_pending_list(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    claim_req *q = priv;
    l2ad *d = q->d;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements == 0) {
        if (r && r->type == REDIS_REPLY_ERROR) {
            log_err("pending_scan_failed", "error=\"%s\"", log_q(r->str));
            redis_refused(d, r->str);
        }
        if (q->own && r && r->type != REDIS_REPLY_ERROR) {
            d->recovering = false;
            d->recover_from[0] = '\0';
            log_info("recovery_done", "consumer=%s", d->consumer);
        }
        claim_finish(q);
        return;
    }
    q->ids = xcalloc(r->elements, sizeof(*q->ids));
    q->deliveries = xcalloc(r->elements, sizeof(*q->deliveries));
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *e = r->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements < 4 || !e->element[0]->str)
            continue;
        q->ids[q->n] = xstrdup(e->element[0]->str);
        q->deliveries[q->n++] = e->element[3]->integer;
    }
    if (q->own && q->n)
        snprintf(d->recover_from, sizeof(d->recover_from), "(%s", q->ids[q->n - 1]);
    send_claim(q);
}

static void scan_pending(l2ad *d, bool own, int count)
{
    claim_req *q = xcalloc(1, sizeof(*q));
    q->d = d;
    q->own = own;
    char n[16], idle[24];
    snprintf(n, sizeof(n), "%d", count);
    snprintf(idle, sizeof(idle), "%d", d->cfg->claim_idle_ms);
    const char *start = own && d->recover_from[0] ? d->recover_from : "-";
    int rc;
    if (own) {
        const char *argv[] = {"XPENDING", d->k_leads, L2A_GROUP, start, "+", n, d->consumer};
        rc = aconn_cmd_argv(d->reader, on_pending_list, q, 0, 7, argv, NULL);
    } else {
        const char *argv[] = {"XPENDING", d->k_leads, L2A_GROUP, "IDLE", idle, "-", "+", n};
        rc = aconn_cmd_argv(d->writer, on_pending_list, q, 0, 8, argv, NULL);
    }
    if (rc != 0) {
        free(q);
        return;
    }
    if (own)
        d->reading = true;
}

static void on_pending_summary(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    l2ad *d = priv;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
        r->element[0]->type == REDIS_REPLY_INTEGER)
        metrics_set(d->metrics, METRIC_PENDING_LEADS, (double)r->element[0]->integer);
}

/* ZRANGE review:open 0 0 WITHSCORES: the oldest alert and its creation time in ms. */
static void on_review_oldest(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    l2ad *d = priv;
    double age = 0;
    if (r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[1]->str) {
        age = (epoch_ms_now() - strtod(r->element[1]->str, NULL)) / 1000.0;
    }
    metrics_set(d->metrics, METRIC_REVIEW_OLDEST_AGE, age > 0 ? age : 0);
}

static void on_review_count(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    l2ad *d = priv;
    if (r && r->type == REDIS_REPLY_INTEGER)
        metrics_set(d->metrics, METRIC_REVIEW_OPEN, (double)r->integer);
}

static void on_forgotten(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    l2ad *d = priv;
    if (r && r->type == REDIS_REPLY_INTEGER && r->integer > 0)
        log_notice("consumers_forgotten", "removed=%lld idle_ms=%d", r->integer,
                   d->cfg->forget_consumers_ms);
    else if (r && r->type == REDIS_REPLY_ERROR)
        log_warn("consumers_forget_failed", "error=\"%s\"", log_q(r->str));
}

/* Consumers of the group idle past daemon.forget_consumers_ms with nothing pending are gone. */
static void forget_consumers(l2ad *d)
{
    char idle[24];
    snprintf(idle, sizeof(idle), "%d", d->cfg->forget_consumers_ms);
    const char *argv[] = {"FCALL", functions_name(FN_FORGET_CONSUMERS), "1", d->k_leads, L2A_GROUP,
                          idle, d->consumer};
    (void)aconn_cmd_argv(d->writer, on_forgotten, d, 0, 7, argv, NULL);
}

/* Periodic: the group's pending count, the review queue, gone consumers, and stale entries of
 * other workers. */
void consume_claim_tick(l2ad *d)
{
    if (!ready_consuming(d))
        return;
    (void)aconn_cmd(d->writer, on_pending_summary, d, 0, "XPENDING %s %s", d->k_leads, L2A_GROUP);
    (void)aconn_cmd(d->writer, on_review_count, d, 0, "ZCARD %s", d->k_review);
    (void)aconn_cmd(d->writer, on_review_oldest, d, 0, "ZRANGE %s 0 0 WITHSCORES", d->k_review);
    forget_consumers(d);
    if (d->in_flight < (size_t)d->cfg->max_in_flight)
        scan_pending(d, false, d->cfg->batch_size);
}

/* ---- the read loop ---- */

static bool can_read(const l2ad *d)
{
    return ready_consuming(d) && !d->reading && aconn_up(d->reader) && aconn_up(d->writer);
}

void consume_start(l2ad *d)
{
    if (!can_read(d))
        return;
    if (d->in_flight >= (size_t)d->cfg->max_in_flight)
        return;
    int count = d->cfg->batch_size;
    size_t free_slots = (size_t)d->cfg->max_in_flight - d->in_flight;
    if ((size_t)count > free_slots) {
        if (d->in_flight > 0)
            return;   /* Redis is behind: read a whole batch once it catches up, not many small
                       * ones (each read and each read's first calls cost Redis as a full one) */
        count = (int)free_slots;   /* batch_size above max_in_flight */
    }
    if (d->recovering) {
        if (d->in_flight == 0)
            scan_pending(d, true, count);
        return;
    }
    read_new(d, count);
}

void consume_written(l2ad *d, batch *b)
{
    batch_done(b);
    consume_done(d);
}

void consume_done(l2ad *d)
{
    if (d->in_flight)
        d->in_flight--;
    metrics_set(d->metrics, METRIC_LEADS_IN_FLIGHT, (double)d->in_flight);
    l2ad_kick(d);
}
