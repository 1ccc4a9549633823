/* hooks_alerts.c - the alerts webhook: each new review alert (a lead.flagged event read through
 * the consumer group "alerts" on l2a:events) and each open alert older than review.sla posted to
 * alerts.webhook_url, at least once, by one worker at a time (docs/operations.md "Webhooks"). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "functions.h"
#include "hooks_impl.h"
#include "keys.h"
#include "log.h"

#define ALERTS_MAX_JOBS 16          /* alerts being posted (or waiting to retry) at once */
#define SLA_PAGE 50                 /* overdue alerts looked at per scan */

/* One message to post: a new alert (entry_id set: acknowledged in the group once posted) or an
 * overdue one (entry_id NULL: its sla_alert field says "sent" once posted). */
typedef struct alert_job {
    hook_alerts *a;
    char *entry_id;                 /* owned */
    char *lead_id;                  /* owned */
    int tries;                      /* failed POSTs so far */
    int delay_ms;                   /* the wait before the retry now scheduled */
    struct event *retry;            /* owned */
    struct alert_job *prev, *next;
} alert_job;

struct hook_alerts {
    hooks *h;
    char url[HOOKS_URL_MAX];        /* in force this tick ("" = off) */
    bool url_warned;
    char *k_events, *k_review;      /* owned */
    bool group_ready, reading, claiming, scanning;
    char claim_from[64];            /* XAUTOCLAIM cursor */
    char sla_floor[32];             /* ZRANGEBYSCORE min: overdue alerts below are settled */
    unsigned ticks;
    alert_job *jobs;                /* owned list */
    size_t njobs;
};

static void read_new(hook_alerts *a);
static void job_fetch(alert_job *j);
static void job_failed(alert_job *j, const char *why);

static const conf *cfg(const hook_alerts *a)
{
    return a->h->d->cfg;
}

static bool usable(const hook_alerts *a)
{
    return !a->h->closing && a->url[0] && a->h->conn && aconn_up(a->h->conn);
}

/* ---- jobs ---- */

/* The job posting stream entry id (a new alert) here, or NULL. */
static alert_job *job_of_entry(hook_alerts *a, const char *entry_id)
{
    for (alert_job *j = a->jobs; j; j = j->next)
        if (j->entry_id && !strcmp(j->entry_id, entry_id))
            return j;
    return NULL;
}

/* The job posting lead_id's overdue message here, or NULL. */
static alert_job *job_of_overdue(hook_alerts *a, const char *lead_id)
{
    for (alert_job *j = a->jobs; j; j = j->next)
        if (!j->entry_id && !strcmp(j->lead_id, lead_id))
            return j;
    return NULL;
}

static void job_free(alert_job *j)
{
    event_free(j->retry);
    free(j->entry_id);
    free(j->lead_id);
    free(j);
}

/* The job is over (posted, not needed, or taken over by another worker). */
static void job_end(alert_job *j)
{
    hook_alerts *a = j->a;
    if (j->prev)
        j->prev->next = j->next;
    else
        a->jobs = j->next;
    if (j->next)
        j->next->prev = j->prev;
    a->njobs--;
    job_free(j);
    if (!a->h->closing)
        read_new(a);
}

static void on_retry(evutil_socket_t fd, short what, void *arg);

static alert_job *job_new(hook_alerts *a, const char *entry_id, const char *lead_id)
{
    alert_job *j = xcalloc(1, sizeof(*j));
    j->a = a;
    j->entry_id = entry_id ? xstrdup(entry_id) : NULL;
    j->lead_id = xstrdup(lead_id);
    j->retry = evtimer_new(a->h->d->base, on_retry, j);
    j->next = a->jobs;
    if (a->jobs)
        a->jobs->prev = j;
    a->jobs = j;
    a->njobs++;
    return j;
}

/* ---- posting ---- */

static void on_settled(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    alert_job *j = priv;
    if (!r || r->type == REDIS_REPLY_ERROR)
        log_warn("webhook_alert_unconfirmed", "lead_id=\"%s\" error=\"%s\" note=\"may be posted "
                 "again\"", log_q(j->lead_id), r ? log_q(r->str) : "connection lost");
    job_end(j);
}

static void on_posted(int status, const char *err, void *priv)
{
    alert_job *j = priv;
    hook_alerts *a = j->a;
    metrics *m = a->h->d->metrics;
    if (status < 200 || status > 299) {
        metrics_inc(m, METRIC_WEBHOOK_ALERT_FAILED, 1);
        char why[300];
        snprintf(why, sizeof(why), "%s", err);
        if (!*err)
            snprintf(why, sizeof(why), "HTTP %d", status);
        job_failed(j, why);
        return;
    }
    metrics_inc(m, METRIC_WEBHOOK_ALERT_OK, 1);
    log_info("webhook_alert_posted", "lead_id=\"%s\" overdue=%d tries=%d", log_q(j->lead_id),
             !j->entry_id, j->tries + 1);
    int rc;
    if (j->entry_id) {
        rc = aconn_cmd(a->h->conn, on_settled, j, 0, "XACK %s %s %s", a->k_events,
                       L2A_ALERTS_GROUP, j->entry_id);
    } else {
        char *k = key_alert(cfg(a)->key_prefix, j->lead_id);
        rc = aconn_cmd(a->h->conn, on_settled, j, 0, "HSET %s sla_alert sent:%.0f", k,
                       epoch_ms_now());
        free(k);
    }
    if (rc != 0)
        on_settled(NULL, NULL, j);
}

static void on_fetched(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    alert_job *j = priv;
    hook_alerts *a = j->a;
    if (a->h->closing)
        return job_end(j);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 3)
        return job_failed(j, r && r->type == REDIS_REPLY_ERROR ? r->str : "connection lost");
    const redisReply *status = r->element[0];
    if (status->type != REDIS_REPLY_STRING || strcmp(status->str, "open") != 0) {
        /* resolved or gone before it was posted: nothing to say */
        if (j->entry_id && aconn_cmd(a->h->conn, on_settled, j, 0, "XACK %s %s %s", a->k_events,
                                     L2A_ALERTS_GROUP, j->entry_id) == 0)
            return;
        return job_end(j);
    }
    if (!a->url[0]) {
        if (!j->entry_id)
            snprintf(a->sla_floor, sizeof(a->sla_floor), "-inf");   /* look again when on */
        return job_end(j);
    }
    const char *reason = r->element[1]->type == REDIS_REPLY_STRING ? r->element[1]->str : NULL;
    const char *ljson = r->element[2]->type == REDIS_REPLY_STRING ? r->element[2]->str : NULL;
    char *body = alert_message(cfg(a), j->lead_id, ljson, reason, !j->entry_id);
    hooks_http_post(a->h->http, a->url, body, NULL, cfg(a)->webhook_timeout_ms, on_posted, j);
    free(body);
}

static void job_fetch(alert_job *j)
{
    hook_alerts *a = j->a;
    char *k = key_alert(cfg(a)->key_prefix, j->lead_id);
    int rc = usable(a) ? aconn_cmd(a->h->conn, on_fetched, j, 0, "HMGET %s status reason lead", k)
                       : -1;
    free(k);
    if (rc != 0)
        job_failed(j, "webhook off or Redis connection down");
}

/* The longest retry delay: a retry must come before the entry or claim goes stale (so that no
 * other worker takes it over while this one still posts it). */
static int retry_cap_ms(const conf *c)
{
    int cap = hooks_stale_ms(c) - c->webhook_timeout_ms - 1000;
    return cap < 1000 ? 1000 : cap;
}

static void job_failed(alert_job *j, const char *why)
{
    hook_alerts *a = j->a;
    if (a->h->closing)
        return job_end(j);
    j->tries++;
    j->delay_ms = hooks_retry_ms(cfg(a), j->tries, retry_cap_ms(cfg(a)));
    log_warn("webhook_alert_failed", "lead_id=\"%s\" tries=%d retry_ms=%d error=\"%s\"",
             log_q(j->lead_id), j->tries, j->delay_ms, log_q(why));
    struct timeval tv = {j->delay_ms / 1000, (j->delay_ms % 1000) * 1000};
    evtimer_add(j->retry, &tv);
}

/* The retry is this worker's only if nobody took the entry or claim over meanwhile. */
static void on_reclaimed(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    alert_job *j = priv;
    if (j->a->h->closing)
        return job_end(j);
    if (!r || r->type == REDIS_REPLY_ERROR)
        return job_failed(j, r ? r->str : "connection lost");
    bool mine = j->entry_id ? (r->type == REDIS_REPLY_ARRAY && r->elements == 1)
                            : (r->type == REDIS_REPLY_STRING && !strcmp(r->str, "mine"));
    if (!mine) {
        log_info("webhook_alert_taken_over", "lead_id=\"%s\"", log_q(j->lead_id));
        return job_end(j);
    }
    metrics_inc(j->a->h->d->metrics, METRIC_WEBHOOK_ALERT_RETRIES, 1);
    job_fetch(j);
}

static int sla_claim(hook_alerts *a, const char *lead_id, aconn_reply_fn fn, void *priv)
{
    char *k = key_alert(cfg(a)->key_prefix, lead_id);
    char now[32], stale[32];
    snprintf(now, sizeof(now), "%.0f", epoch_ms_now());
    snprintf(stale, sizeof(stale), "%d", hooks_stale_ms(cfg(a)));
    const char *argv[] = {"FCALL", functions_name(FN_WEBHOOK_SLA_CLAIM), "1", k, now, stale,
                          a->h->d->consumer};
    int rc = aconn_cmd_argv(a->h->conn, fn, priv, 0, (int)ARRAY_LEN(argv), argv, NULL);
    free(k);
    return rc;
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    alert_job *j = arg;
    hook_alerts *a = j->a;
    if (!a->url[0]) {
        /* turned off: the entry or claim stays for later, and the next scan looks again */
        if (!j->entry_id)
            snprintf(a->sla_floor, sizeof(a->sla_floor), "-inf");
        return job_end(j);
    }
    int rc = -1;
    if (usable(a) && j->entry_id)
        rc = aconn_cmd(a->h->conn, on_reclaimed, j, 0, "XCLAIM %s %s %s %d %s JUSTID",
                       a->k_events, L2A_ALERTS_GROUP, a->h->d->consumer, j->delay_ms, j->entry_id);
    else if (usable(a))
        rc = sla_claim(a, j->lead_id, on_reclaimed, j);
    if (rc != 0)
        job_failed(j, "Redis connection down");
}

/* ---- reading new alerts ---- */

static void on_acked(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    (void)r;
    (void)priv;
}

/* Entries of the group (read or claimed): a lead.flagged one becomes a job, the others are
 * acknowledged at once, in one XACK. */
static void take_entries(hook_alerts *a, const redisReply *entries)
{
    strvec ack;
    sv_init(&ack);
    sv_push(&ack, "XACK");
    sv_push(&ack, a->k_events);
    sv_push(&ack, L2A_ALERTS_GROUP);
    for (size_t i = 0; i < entries->elements; i++) {
        const redisReply *e = entries->element[i];
        if (e->type != REDIS_REPLY_ARRAY || e->elements != 2 ||
            e->element[0]->type != REDIS_REPLY_STRING)
            continue;
        const char *id = e->element[0]->str;
        if (job_of_entry(a, id))
            continue;               /* already being posted here */
        const char *type = hooks_field(e->element[1], "type");
        const char *lead_id = hooks_field(e->element[1], "lead_id");
        if (type && lead_id && !strcmp(type, "lead.flagged"))
            job_fetch(job_new(a, id, lead_id));
        else
            sv_push(&ack, id);
    }
    if (ack.n > 3)
        (void)aconn_cmd_argv(a->h->conn, on_acked, NULL, 0, (int)ack.n, (const char **)ack.v, NULL);
    sv_free(&ack);
}

static void on_read(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    hook_alerts *a = priv;
    a->reading = false;
    if (a->h->closing || !r)
        return;
    if (r->type == REDIS_REPLY_ERROR) {
        if (!strncmp(r->str, "NOGROUP", 7))
            a->group_ready = false;
        else
            log_err("webhook_alerts_read_failed", "error=\"%s\"", log_q(r->str));
        return;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 1)
        return;                 /* nil: nothing new */
    const redisReply *entries = r->element[0]->element[1];
    take_entries(a, entries);
    if (entries->elements > 0)
        read_new(a);
}

static void read_new(hook_alerts *a)
{
    if (a->reading || !a->group_ready || !usable(a) || a->njobs >= ALERTS_MAX_JOBS)
        return;
    int room = (int)(ALERTS_MAX_JOBS - a->njobs);
    if (aconn_cmd(a->h->conn, on_read, a, 0, "XREADGROUP GROUP %s %s COUNT %d STREAMS %s >",
                  L2A_ALERTS_GROUP, a->h->d->consumer, room, a->k_events) == 0)
        a->reading = true;
}

static void on_group(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    hook_alerts *a = priv;
    if (a->h->closing || !r)
        return;
    if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0) {
        log_err("webhook_alerts_group_failed", "error=\"%s\"", log_q(r->str));
        return;
    }
    a->group_ready = true;
    read_new(a);
}

/* ---- entries of dead workers, overdue alerts, the pending gauge ---- */

static void on_claimed(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    hook_alerts *a = priv;
    a->claiming = false;
    if (a->h->closing || !r || r->type != REDIS_REPLY_ARRAY || r->elements < 2)
        return;
    const redisReply *next = r->element[0], *entries = r->element[1];
    snprintf(a->claim_from, sizeof(a->claim_from), "%s",
             next->type == REDIS_REPLY_STRING ? next->str : "0-0");
    take_entries(a, entries);
}

static void claim_stale(hook_alerts *a)
{
    if (a->claiming || a->njobs >= ALERTS_MAX_JOBS)
        return;
    int room = (int)(ALERTS_MAX_JOBS - a->njobs);
    if (aconn_cmd(a->h->conn, on_claimed, a, 0, "XAUTOCLAIM %s %s %s %d %s COUNT %d",
                  a->k_events, L2A_ALERTS_GROUP, a->h->d->consumer, hooks_stale_ms(cfg(a)),
                  a->claim_from, room) == 0)
        a->claiming = true;
}

static void on_pending(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    hook_alerts *a = priv;
    if (!a->h->closing && r && r->type == REDIS_REPLY_ARRAY && r->elements >= 1 &&
        r->element[0]->type == REDIS_REPLY_INTEGER)
        metrics_set(a->h->d->metrics, METRIC_WEBHOOK_ALERTS_PENDING, (double)r->element[0]->integer);
}

/* One look at the overdue alerts: the page read from review:open, then one claim per alert. */
typedef enum sla_state { SLA_UNKNOWN, SLA_MINE, SLA_BUSY, SLA_SETTLED } sla_state;

typedef struct sla_scan sla_scan;
typedef struct sla_slot {
    sla_scan *scan;
    size_t i;
} sla_slot;

struct sla_scan {
    hook_alerts *a;
    size_t n, left;                 /* alerts in the page; claims not answered yet */
    strvec ids, scores;
    sla_state *state;               /* owned, n */
    sla_slot *slots;                /* owned, n */
};

/* Every claim answered: jobs for the alerts this worker claimed, and the floor moved up to the
 * first alert another worker holds (or past the page when none). */
static void scan_finish(sla_scan *s)
{
    hook_alerts *a = s->a;
    const char *floor = s->n ? s->scores.v[s->n - 1] : NULL;
    for (size_t i = 0; i < s->n; i++) {
        if (s->state[i] == SLA_MINE && !a->h->closing && !job_of_overdue(a, s->ids.v[i]))
            job_fetch(job_new(a, NULL, s->ids.v[i]));
        if ((s->state[i] == SLA_BUSY || s->state[i] == SLA_UNKNOWN) && floor == s->scores.v[s->n - 1])
            floor = s->scores.v[i];
    }
    if (floor && !a->h->closing)
        snprintf(a->sla_floor, sizeof(a->sla_floor), "%s", floor);
    a->scanning = false;
    sv_free(&s->ids);
    sv_free(&s->scores);
    free(s->state);
    free(s->slots);
    free(s);
}

static void on_sla_claim(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    sla_slot *slot = priv;
    sla_scan *s = slot->scan;
    if (r && r->type == REDIS_REPLY_STRING)
        s->state[slot->i] = !strcmp(r->str, "mine") ? SLA_MINE
                            : !strcmp(r->str, "busy") ? SLA_BUSY : SLA_SETTLED;
    else if (r && r->type == REDIS_REPLY_ERROR)
        log_warn("webhook_sla_claim_failed", "lead_id=\"%s\" error=\"%s\"",
                 log_q(s->ids.v[slot->i]), log_q(r->str));
    if (--s->left == 0)
        scan_finish(s);
}

static void on_overdue(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    hook_alerts *a = priv;
    if (a->h->closing || !r || r->type != REDIS_REPLY_ARRAY) {
        a->scanning = false;
        return;
    }
    sla_scan *s = xcalloc(1, sizeof(*s));
    s->a = a;
    sv_init(&s->ids);
    sv_init(&s->scores);
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        sv_push(&s->ids, r->element[i]->str);
        sv_push(&s->scores, r->element[i + 1]->str);
    }
    s->n = s->left = s->ids.n;
    s->state = xcalloc(s->n + 1, sizeof(*s->state));
    s->slots = xcalloc(s->n + 1, sizeof(*s->slots));
    s->left++;                      /* held until every claim is sent */
    for (size_t i = 0; i < s->n; i++) {
        s->slots[i] = (sla_slot){s, i};
        if (job_of_overdue(a, s->ids.v[i]))
            s->state[i] = SLA_MINE;     /* already being posted here */
        if (s->state[i] == SLA_MINE || sla_claim(a, s->ids.v[i], on_sla_claim, &s->slots[i]) != 0)
            s->left--;
    }
    if (--s->left == 0)
        scan_finish(s);
}

/* Open alerts created before now - review.sla, from the floor up, as many as there is room for. */
static void scan_overdue(hook_alerts *a)
{
    if (a->scanning || a->njobs >= ALERTS_MAX_JOBS)
        return;
    char max[32];
    snprintf(max, sizeof(max), "%.0f", epoch_ms_now() - cfg(a)->review_sla_ms);
    int room = (int)(ALERTS_MAX_JOBS - a->njobs);
    if (aconn_cmd(a->h->conn, on_overdue, a, 0, "ZRANGEBYSCORE %s %s %s WITHSCORES LIMIT 0 %d",
                  a->k_review, a->sla_floor, max, room < SLA_PAGE ? room : SLA_PAGE) == 0)
        a->scanning = true;
}

/* ---- lifecycle ---- */

void alerts_tick(hook_alerts *a)
{
    const conf *c = cfg(a);
    if (hooks_setting(c->alerts_webhook_url, c->alerts_webhook_url_file, a->url, sizeof(a->url),
                      &a->url_warned) != 0 || !a->url[0])
        return;
    if (!aconn_up(hooks_need_conn(a->h)))
        return;
    if (!a->group_ready) {
        (void)aconn_cmd(a->h->conn, on_group, a, 0, "XGROUP CREATE %s %s 0 MKSTREAM", a->k_events,
                        L2A_ALERTS_GROUP);
        return;
    }
    read_new(a);
    if (++a->ticks % 2)
        return;
    claim_stale(a);
    scan_overdue(a);
    (void)aconn_cmd(a->h->conn, on_pending, a, 0, "XPENDING %s %s", a->k_events, L2A_ALERTS_GROUP);
}

void alerts_conn(hook_alerts *a, bool up)
{
    if (!up) {
        a->group_ready = false;
        return;
    }
    alerts_tick(a);
}

hook_alerts *alerts_new(hooks *h)
{
    hook_alerts *a = xcalloc(1, sizeof(*a));
    a->h = h;
    a->k_events = key_events(h->d->cfg->key_prefix);
    a->k_review = key_review_open(h->d->cfg->key_prefix);
    snprintf(a->claim_from, sizeof(a->claim_from), "0-0");
    snprintf(a->sla_floor, sizeof(a->sla_floor), "-inf");
    return a;
}

void alerts_free(hook_alerts *a)
{
    while (a->jobs) {
        alert_job *j = a->jobs;
        a->jobs = j->next;
        job_free(j);
    }
    free(a->k_events);
    free(a->k_review);
    free(a);
}
