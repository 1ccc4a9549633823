/* ready.c - l2ad's readiness state machine: connect -> handshake (wait while Redis loads) ->
 * consumer group -> functions -> accounts -> consuming; any failed step or Redis-side record
 * failure goes to WAITING and runs again after a backoff. The only code that sets d->state. */
#include "ready.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "keys.h"
#include "log.h"
#include "notify.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000

static const char *const state_names[READY_NSTATES] = {
    "connecting", "handshake", "group", "functions", "accounts", "consuming", "waiting",
    "draining"};

const char *ready_state_name(ready_state s)
{
    return s < READY_NSTATES ? state_names[s] : "?";
}

/* A step's command in flight: its reply counts only if no other attempt began since. */
typedef struct step_req {
    l2ad *d;
    unsigned gen;
} step_req;

static void run_step(l2ad *d, ready_state s);

static void set_state(l2ad *d, ready_state s, const char *reason)
{
    bool changed = d->state != s;
    d->state = s;
    snprintf(d->state_reason, sizeof(d->state_reason), "%s", reason ? reason : "");
    d->state_gen++;
    metrics_set(d->metrics, METRIC_DAEMON_STATE, (double)s);
    if (!changed)
        return;
    log_info("state", "state=%s reason=\"%s\"", ready_state_name(s), log_q(d->state_reason));
    (void)notify_status("%s%s%s", ready_state_name(s), reason && *reason ? ": " : "",
                        reason ? reason : "");
}

static bool all_up(const l2ad *d)
{
    return aconn_up(d->reader) && aconn_up(d->writer) && aconn_up(d->follower);
}

/* Sends a step's command on the writer; the reply goes to fn with a step_req. */
static void step_cmd(l2ad *d, aconn_reply_fn fn, int argc, const char **argv)
{
    step_req *q = xmalloc(sizeof(*q));
    *q = (step_req){d, d->state_gen};
    if (aconn_cmd_argv(d->writer, fn, q, 0, argc, argv, NULL) != 0) {
        free(q);
        ready_conn_changed(d);
    }
}

/* The reply's step_req, freed; NULL when the reply is stale or the connection was lost (the
 * connection's own state change restarts the machine then). */
static l2ad *step_reply(void *priv, const redisReply *r)
{
    step_req *q = priv;
    l2ad *d = q->d;
    bool current = q->gen == d->state_gen;
    free(q);
    return r && current ? d : NULL;
}

static void fail_reply(l2ad *d, ready_state step, const redisReply *r)
{
    ready_fail(d, step, r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
}

/* ---- handshake: a data command, refused with -LOADING while Redis loads its data set ---- */

static void on_handshake(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    l2ad *d = step_reply(priv, r);
    if (!d)
        return;
    if (r->type == REDIS_REPLY_INTEGER)
        run_step(d, READY_GROUP);
    else
        fail_reply(d, READY_HANDSHAKE, r);
}

/* ---- the consumer group: looked up first (XINFO works over maxmemory and without the right
 * to create groups), created at the stream's start when missing ---- */

static bool has_group(const redisReply *r)
{
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *g = r->element[i];
        for (size_t j = 0; g->type == REDIS_REPLY_ARRAY && j + 1 < g->elements; j += 2)
            if (g->element[j]->str && strcmp(g->element[j]->str, "name") == 0 &&
                g->element[j + 1]->str && strcmp(g->element[j + 1]->str, L2A_GROUP) == 0)
                return true;
    }
    return false;
}

static void on_group_created(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    l2ad *d = step_reply(priv, r);
    if (!d)
        return;
    if (r->type == REDIS_REPLY_STATUS ||
        (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) == 0)) {
        log_notice("group_created", "stream=%s group=%s from=0", d->k_leads, L2A_GROUP);
        run_step(d, READY_FUNCTIONS);
    } else {
        fail_reply(d, READY_GROUP, r);
    }
}

static void on_groups(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    l2ad *d = step_reply(priv, r);
    if (!d)
        return;
    if (r->type == REDIS_REPLY_ARRAY && has_group(r)) {
        run_step(d, READY_FUNCTIONS);
        return;
    }
    if (r->type == REDIS_REPLY_ERROR && strstr(r->str, "no such key") == NULL) {
        fail_reply(d, READY_GROUP, r);
        return;
    }
    /* Every entry of the stream is read again from 0: results and dead letters are idempotent,
     * so entries recorded before the group was lost change nothing. */
    const char *argv[] = {"XGROUP", "CREATE", d->k_leads, L2A_GROUP, "0", "MKSTREAM"};
    step_cmd(d, on_group_created, 6, argv);
}

/* ---- functions and accounts ---- */

static void on_functions(l2ad *d, unsigned gen, const char *err)
{
    if (gen != d->state_gen)
        return;
    if (err)
        ready_fail(d, READY_FUNCTIONS, err);
    else
        run_step(d, READY_ACCOUNTS);
}

void ready_accounts_done(l2ad *d, bool ok, const char *why)
{
    if (d->state != READY_ACCOUNTS)
        return;
    if (ok)
        run_step(d, READY_CONSUMING);
    else
        ready_fail(d, READY_ACCOUNTS, why);
}

static void start_consuming(l2ad *d)
{
    if (!d->announced) {
        d->announced = true;
        notify_ready("serving");
        log_notice("ready", "consumer=%s accounts=%zu http=%s web=%s", d->consumer,
                   matcher_accounts(d->m), d->http_where, d->web_where[0] ? d->web_where : "off");
    }
    accsync_follow(d);
    writer_resume(d);
    l2ad_kick(d);
}

static void run_step(l2ad *d, ready_state s)
{
    set_state(d, s, NULL);
    switch (s) {
    case READY_HANDSHAKE: {
        const char *argv[] = {"EXISTS", d->k_leads};
        step_cmd(d, on_handshake, 2, argv);
        break;
    }
    case READY_GROUP: {
        const char *argv[] = {"XINFO", "GROUPS", d->k_leads};
        step_cmd(d, on_groups, 3, argv);
        break;
    }
    case READY_FUNCTIONS:
        writer_load(d, d->state_gen, on_functions);
        break;
    case READY_ACCOUNTS:
        accsync_start(d);
        break;
    case READY_CONSUMING:
        start_consuming(d);
        break;
    default:
        break;
    }
}

/* ---- failures and the backoff ---- */

static const char *down_reason(const l2ad *d)
{
    return d->conn_refused[0] ? d->conn_refused : "a connection to Redis is down";
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    l2ad *d = arg;
    if (d->state != READY_WAITING)
        return;
    if (!all_up(d))
        set_state(d, READY_CONNECTING, down_reason(d));
    else
        run_step(d, d->retry_step);
}

void ready_fail(l2ad *d, ready_state from, const char *reason)
{
    if (d->state == READY_DRAINING)
        return;
    if (d->state == READY_WAITING) {
        if (from < d->retry_step)
            d->retry_step = from;    /* the earlier step covers the later one */
        return;
    }
    d->retry_step = from;
    d->backoff_ms = d->backoff_ms ? d->backoff_ms * 2 : BACKOFF_MIN_MS;
    if (d->backoff_ms > BACKOFF_MAX_MS)
        d->backoff_ms = BACKOFF_MAX_MS;
    log_err("waiting", "step=%s retry_ms=%d reason=\"%s\"", ready_state_name(from),
            d->backoff_ms, log_q(reason));
    set_state(d, READY_WAITING, reason);
    struct timeval tv = {d->backoff_ms / 1000, (d->backoff_ms % 1000) * 1000};
    evtimer_add(d->ev_ready_retry, &tv);
}

void ready_conn_changed(l2ad *d)
{
    if (d->state == READY_DRAINING)
        return;
    if (!all_up(d)) {
        if (d->state != READY_CONNECTING && d->state != READY_WAITING)
            set_state(d, READY_CONNECTING, down_reason(d));
        return;
    }
    d->conn_refused[0] = '\0';
    if (d->state == READY_CONNECTING)
        run_step(d, READY_HANDSHAKE);
}

void ready_refused(l2ad *d, const char *why)
{
    if (d->state == READY_DRAINING)
        return;
    if (!d->announced) {
        snprintf(d->fatal, sizeof(d->fatal), "%s", why);
        set_state(d, READY_DRAINING, why);
        event_base_loopexit(d->base, NULL);
        return;
    }
    snprintf(d->conn_refused, sizeof(d->conn_refused), "%s", why);
    if (d->state != READY_WAITING)
        set_state(d, READY_CONNECTING, why);
}

void ready_drain(l2ad *d)
{
    set_state(d, READY_DRAINING, "SIGTERM");
}

void ready_progress(l2ad *d)
{
    d->backoff_ms = 0;
}

bool ready_consuming(const l2ad *d)
{
    return d->state == READY_CONSUMING;
}

void ready_init(l2ad *d)
{
    d->state = READY_CONNECTING;
    d->ev_ready_retry = evtimer_new(d->base, on_retry, d);
    metrics_set(d->metrics, METRIC_DAEMON_STATE, READY_CONNECTING);
}

void ready_free(l2ad *d)
{
    if (d->ev_ready_retry)
        event_free(d->ev_ready_retry);
    d->ev_ready_retry = NULL;
}

bool ready_health(const l2ad *d, strbuf *body)
{
    bool ok = d->state == READY_CONSUMING && all_up(d);
    sb_appendf(body, "{\"status\":\"%s\",\"state\":\"%s\",\"reason\":", ok ? "ok" : "unavailable",
               ready_state_name(d->state));
    sb_append_json_str(body, d->state_reason);
    if (d->state == READY_WAITING)
        sb_appendf(body, ",\"retrying\":\"%s\"", ready_state_name(d->retry_step));
    sb_appendf(body,
               ",\"redis\":{\"reader\":%s,\"writer\":%s,\"follower\":%s},\"index_loaded\":%s,"
               "\"accounts\":%zu,\"in_flight\":%zu,\"draining\":%s}",
               aconn_up(d->reader) ? "true" : "false", aconn_up(d->writer) ? "true" : "false",
               aconn_up(d->follower) ? "true" : "false", d->index_loaded ? "true" : "false",
               matcher_accounts(d->m), d->in_flight,
               d->state == READY_DRAINING ? "true" : "false");
    return ok;
}
