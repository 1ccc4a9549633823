/* hooks_events.c - the events webhook: every entry of l2a:events posted to events.webhook_url as
 * signed JSON, in stream order, at least once; one worker at a time holds the sender's lease, and
 * the last delivered id is stored in Redis under that lease (docs/operations.md "Webhooks"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "functions.h"
#include "hooks_impl.h"
#include "keys.h"
#include "log.h"

#define EVENTS_READ 100             /* entries read at once */

struct hook_events {
    hooks *h;
    char url[HOOKS_URL_MAX];        /* in force this tick ("" = off) */
    char secret[1024];
    bool url_warned, secret_warned, no_secret_said;
    char *k_events, *k_lease, *k_pos;   /* owned */
    unsigned gen;                   /* bumped when the lease is lost: older replies are dropped */
    bool leased, pos_known, asking, reading, posting;
    unsigned post_gen;              /* gen of the POST in flight */
    double lease_from_ms;           /* when the lease in force was asked for */
    char pos[64];                   /* the last delivered id ("0-0": none yet) */
    strvec ids, bodies, types;      /* the entries read and not yet all delivered */
    size_t next;                    /* the one being delivered */
    int tries;                      /* failed POSTs of it */
    struct event *retry;            /* owned */
};

/* A Redis request made under one lease: its reply is dropped once the lease is lost. */
typedef struct ev_req {
    hook_events *e;
    unsigned gen;
} ev_req;

static void deliver_next(hook_events *e);
static void read_more(hook_events *e);

static const conf *cfg(const hook_events *e)
{
    return e->h->d->cfg;
}

static int send_cmd(hook_events *e, aconn_reply_fn fn, int argc, const char **argv)
{
    ev_req *q = xmalloc(sizeof(*q));
    *q = (ev_req){e, e->gen};
    int rc = aconn_cmd_argv(e->h->conn, fn, q, 0, argc, argv, NULL);
    if (rc != 0)
        free(q);
    return rc;
}

/* The sender of a reply, or NULL when it is stale (lease lost since, or closing). Frees q. */
static hook_events *reply_owner(void *priv)
{
    ev_req *q = priv;
    hook_events *e = q->e;
    bool current = q->gen == e->gen && !e->h->closing;
    free(q);
    return current ? e : NULL;
}

static void clear_batch(hook_events *e)
{
    sv_free(&e->ids);
    sv_free(&e->bodies);
    sv_free(&e->types);
    e->next = 0;
    e->tries = 0;
    evtimer_del(e->retry);
}

static void lose_lease(hook_events *e, const char *why)
{
    if (e->leased)
        log_notice("webhook_events_lease_lost", "reason=\"%s\" position=%s", log_q(why), e->pos);
    e->leased = e->pos_known = false;
    e->gen++;
    clear_batch(e);
    metrics_set(e->h->d->metrics, METRIC_WEBHOOK_EVENTS_LAG, 0);
}

/* ---- posting ---- */

static void on_advanced(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    hook_events *e = reply_owner(priv);
    if (!e)
        return;
    if (!r || r->type != REDIS_REPLY_INTEGER || r->integer != 1)
        return lose_lease(e, r && r->type == REDIS_REPLY_ERROR ? r->str
                             : r ? "another worker holds the lease" : "connection lost");
    snprintf(e->pos, sizeof(e->pos), "%s", e->ids.v[e->next]);
    e->next++;
    e->tries = 0;
    deliver_next(e);
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    hook_events *e = arg;
    metrics_inc(e->h->d->metrics, METRIC_WEBHOOK_EVENT_RETRIES, 1);
    deliver_next(e);
}

static void on_posted(int status, const char *err, void *priv)
{
    hook_events *e = priv;
    e->posting = false;
    if (e->post_gen != e->gen || !e->leased)
        return;                     /* the lease was lost meanwhile: the new holder resends */
    metrics *m = e->h->d->metrics;
    if (status >= 200 && status <= 299) {
        metrics_inc(m, METRIC_WEBHOOK_EVENT_OK, 1);
        const char *argv[] = {"FCALL", functions_name(FN_WEBHOOK_ADVANCE), "2", e->k_lease,
                              e->k_pos, e->h->d->consumer, e->ids.v[e->next]};
        if (send_cmd(e, on_advanced, (int)ARRAY_LEN(argv), argv) != 0)
            lose_lease(e, "connection lost");
        return;
    }
    metrics_inc(m, METRIC_WEBHOOK_EVENT_FAILED, 1);
    e->tries++;
    int ms = hooks_retry_ms(cfg(e), e->tries, cfg(e)->webhook_retry_max_ms);
    char why[300];
    snprintf(why, sizeof(why), "%s", err);
    if (!*err)
        snprintf(why, sizeof(why), "HTTP %d", status);
    log_warn("webhook_event_failed", "id=%s tries=%d retry_ms=%d error=\"%s\"", e->ids.v[e->next],
             e->tries, ms, log_q(why));
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(e->retry, &tv);
}

/* Header values from event data: control characters (a header's end) replaced. */
static void header_safe(char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            *s = '_';
}

static void post_current(hook_events *e)
{
    const char *id = e->ids.v[e->next], *body = e->bodies.v[e->next];
    char ts[32], sig[65];
    snprintf(ts, sizeof(ts), "%lld", (long long)time(NULL));
    hooks_sign(e->secret, ts, body, sig);
    char h_id[128], h_type[300], h_ts[64], h_sig[100];
    snprintf(h_id, sizeof(h_id), "X-L2A-Event-Id: %s", id);
    snprintf(h_type, sizeof(h_type), "X-L2A-Event-Type: %s", e->types.v[e->next]);
    header_safe(h_type);
    snprintf(h_ts, sizeof(h_ts), "X-L2A-Timestamp: %s", ts);
    snprintf(h_sig, sizeof(h_sig), "X-L2A-Signature: sha256=%s", sig);
    const char *headers[] = {h_id, h_type, h_ts, h_sig, NULL};
    e->posting = true;
    e->post_gen = e->gen;
    hooks_http_post(e->h->http, e->url, body, headers, cfg(e)->webhook_timeout_ms, on_posted, e);
}

static void deliver_next(hook_events *e)
{
    if (e->posting || !e->leased || evtimer_pending(e->retry, NULL))
        return;
    if (e->next < e->ids.n) {
        post_current(e);
        return;
    }
    clear_batch(e);
    read_more(e);
}

/* ---- reading ---- */

/* {"id": stream id, "type": ..., "lead_id": ..., "fields": {every field of the entry}} */
static char *event_body(const char *id, const redisReply *fields)
{
    strbuf sb;
    sb_init(&sb);
    sb_append(&sb, "{\"id\":");
    sb_append_json_str(&sb, id);
    const char *names[] = {"type", "lead_id"};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        const char *v = hooks_field(fields, names[i]);
        sb_appendf(&sb, ",\"%s\":", names[i]);
        if (v)
            sb_append_json_str(&sb, v);
        else
            sb_append(&sb, "null");
    }
    sb_append(&sb, ",\"fields\":{");
    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        sb_append(&sb, i ? "," : "");
        sb_append_json_str(&sb, fields->element[i]->str ? fields->element[i]->str : "");
        sb_putc(&sb, ':');
        sb_append_json_str(&sb, fields->element[i + 1]->str ? fields->element[i + 1]->str : "");
    }
    sb_append(&sb, "}}");
    return sb_take(&sb);
}

static void on_read(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    ((ev_req *)priv)->e->reading = false;
    hook_events *e = reply_owner(priv);
    if (!e)
        return;
    if (!r || r->type == REDIS_REPLY_ERROR) {
        if (r)
            log_err("webhook_events_read_failed", "error=\"%s\"", log_q(r->str));
        return;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 1)
        return;                     /* nil: nothing new */
    const redisReply *entries = r->element[0]->element[1];
    for (size_t i = 0; i < entries->elements; i++) {
        const redisReply *en = entries->element[i];
        if (en->type != REDIS_REPLY_ARRAY || en->elements != 2 ||
            en->element[1]->type != REDIS_REPLY_ARRAY)
            continue;
        const char *type = hooks_field(en->element[1], "type");
        sv_push(&e->ids, en->element[0]->str);
        sv_push_owned(&e->bodies, event_body(en->element[0]->str, en->element[1]));
        sv_push(&e->types, type ? type : "");
    }
    deliver_next(e);
}

static void read_more(hook_events *e)
{
    if (e->reading || e->posting || !e->leased || !e->pos_known || e->next < e->ids.n)
        return;
    char count[16];
    snprintf(count, sizeof(count), "%d", EVENTS_READ);
    const char *argv[] = {"XREAD", "COUNT", count, "STREAMS", e->k_events, e->pos};
    if (send_cmd(e, on_read, (int)ARRAY_LEN(argv), argv) == 0)
        e->reading = true;
}

/* ---- the lease ---- */

static void on_pos(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    hook_events *e = reply_owner(priv);
    if (!e)
        return;
    if (!r || (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_NIL))
        return lose_lease(e, r && r->type == REDIS_REPLY_ERROR ? r->str : "connection lost");
    snprintf(e->pos, sizeof(e->pos), "%s", r->type == REDIS_REPLY_STRING ? r->str : "0-0");
    e->pos_known = true;
    log_notice("webhook_events_sending", "from=%s", e->pos);
    read_more(e);
}

static void on_lease(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    ((ev_req *)priv)->e->asking = false;
    hook_events *e = reply_owner(priv);
    if (!e)
        return;
    if (!r || r->type != REDIS_REPLY_INTEGER || r->integer != 1) {
        if (r && r->type == REDIS_REPLY_ERROR && !strstr(r->str, "Function not found"))
            log_err("webhook_events_lease_failed", "error=\"%s\"", log_q(r->str));
        return lose_lease(e, r && r->type == REDIS_REPLY_INTEGER ? "another worker holds it"
                             : "no answer");
    }
    e->leased = true;
    if (e->pos_known)
        return;
    const char *argv[] = {"GET", e->k_pos};
    if (send_cmd(e, on_pos, 2, argv) != 0)
        lose_lease(e, "connection lost");
}

static void ask_lease(hook_events *e)
{
    char ms[32];
    snprintf(ms, sizeof(ms), "%d", cfg(e)->webhook_lease_ms);
    const char *argv[] = {"FCALL", functions_name(FN_WEBHOOK_LEASE), "1", e->k_lease,
                          e->h->d->consumer, ms};
    if (send_cmd(e, on_lease, (int)ARRAY_LEN(argv), argv) == 0) {
        e->asking = true;
        e->lease_from_ms = epoch_ms_now();
    }
}

/* ---- lifecycle ---- */

/* The URL and the secret in force; false when the webhook is off or cannot sign. */
static bool configured(hook_events *e)
{
    const conf *c = cfg(e);
    if (hooks_setting(c->events_webhook_url, c->events_webhook_url_file, e->url, sizeof(e->url),
                      &e->url_warned) != 0 || !e->url[0])
        return false;
    if (hooks_setting(NULL, c->events_secret_file, e->secret, sizeof(e->secret),
                      &e->secret_warned) != 0)
        return false;
    if (!e->secret[0] && !e->no_secret_said)
        log_err("webhook_events_no_secret", "note=\"events.webhook_url is set: events.secret_file "
                "must name a file whose first line is the signing secret; nothing is sent\"");
    e->no_secret_said = !e->secret[0];
    return e->secret[0] != '\0';
}

static void set_lag(hook_events *e)
{
    double lag = 0;
    if (e->leased && e->next < e->ids.n)
        lag = (epoch_ms_now() - strtod(e->ids.v[e->next], NULL)) / 1000.0;
    metrics_set(e->h->d->metrics, METRIC_WEBHOOK_EVENTS_LAG, lag > 0 ? lag : 0);
}

void events_tick(hook_events *e)
{
    if (!configured(e)) {
        if (e->leased)
            lose_lease(e, "webhook turned off");
        return;
    }
    if (!aconn_up(hooks_need_conn(e->h)))
        return;
    if (!e->asking &&
        (!e->leased || epoch_ms_now() - e->lease_from_ms >= cfg(e)->webhook_lease_ms / 3.0))
        ask_lease(e);
    read_more(e);
    set_lag(e);
}

void events_conn(hook_events *e, bool up)
{
    if (!up) {
        e->asking = e->reading = false;
        lose_lease(e, "connection lost");
    }
}

hook_events *events_new(hooks *h)
{
    hook_events *e = xcalloc(1, sizeof(*e));
    e->h = h;
    e->k_events = key_events(h->d->cfg->key_prefix);
    e->k_lease = key_events_lease(h->d->cfg->key_prefix);
    e->k_pos = key_events_pos(h->d->cfg->key_prefix);
    sv_init(&e->ids);
    sv_init(&e->bodies);
    sv_init(&e->types);
    e->retry = evtimer_new(h->d->base, on_retry, e);
    return e;
}

void events_free(hook_events *e)
{
    clear_batch(e);
    event_free(e->retry);
    free(e->k_events);
    free(e->k_lease);
    free(e->k_pos);
    free(e);
}
