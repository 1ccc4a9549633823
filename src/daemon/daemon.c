/* daemon.c - l2ad's lifecycle: configuration, connections, readiness, signals (reload, drain),
 * health, watchdog and the periodic claim of stale entries. */
#include "daemon.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hooks.h"
#include "identity.h"
#include "keys.h"
#include "log.h"
#include "webui.h"
#include "notify.h"
#include "sentwatch.h"

static void on_conn_state(aconn *c, bool up, void *ctx);

/* ---- the consume loop ---- */

bool l2ad_draining(const l2ad *d)
{
    return d->state == READY_DRAINING;
}

void l2ad_kick(l2ad *d)
{
    consume_start(d);
    l2ad_maybe_finish(d);
}

void l2ad_maybe_finish(l2ad *d)
{
    if (l2ad_draining(d) && !d->reading && d->in_flight == 0)
        event_base_loopexit(d->base, NULL);
}

/* l2a_redis_commands_timed_out_total follows the connections' own counts (a timeout drops the
 * connection, so every one is seen at the next state change). */
static void count_timeouts(l2ad *d)
{
    unsigned long total = aconn_timeouts(d->reader) + aconn_timeouts(d->writer) +
                          aconn_timeouts(d->follower) + (d->webconn ? aconn_timeouts(d->webconn) : 0);
    metrics_inc(d->metrics, METRIC_REDIS_TIMEOUTS, (double)(total - d->timeouts_counted));
    d->timeouts_counted = total;
}

static void count_error_line(void *ctx)
{
    l2ad *d = ctx;
    metrics_inc(d->metrics, METRIC_ERRORS, 1);
}

static void on_conn_state(aconn *c, bool up, void *ctx)
{
    l2ad *d = ctx;
    count_timeouts(d);
    if (up && aconn_reconnects(c) > 0)
        metrics_inc(d->metrics, METRIC_REDIS_RECONNECTS, 1);
    if (!up && c == d->follower)
        d->following = false;
    if (up && c == d->follower && d->addr.sentinels.n) {
        char master[300];
        accsync_master_seen(d, aconn_master(c, master, sizeof(master)));
    }
    if (up && c == d->reader) {
        d->recovering = true;     /* this consumer's pending entries first */
        d->recover_from[0] = '\0';
    }
    ready_conn_changed(d);
}

/* The web listener's own connection: its state does not gate consuming (the page and the intake
 * answer 503 while it is down). */
static void on_web_conn_state(aconn *c, bool up, void *ctx)
{
    l2ad *d = ctx;
    count_timeouts(d);
    if (up && aconn_reconnects(c) > 0)
        metrics_inc(d->metrics, METRIC_REDIS_RECONNECTS, 1);
}

static void on_conn_refused(aconn *c, const char *why, void *ctx)
{
    (void)c;
    ready_refused(ctx, why);
}

static bool health(void *ctx, strbuf *body)
{
    return ready_health(ctx, body);
}

/* ---- drain ---- */

static void on_drain_deadline(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    l2ad *d = arg;
    log_warn("drain_timeout", "in_flight=%zu note=\"left pending, redelivered later\"", d->in_flight);
    event_base_loopexit(d->base, NULL);
}

static void drain(l2ad *d)
{
    if (l2ad_draining(d))
        return;
    ready_drain(d);
    notify_stopping();
    log_notice("draining", "in_flight=%zu", d->in_flight);
    long long reader_id = aconn_client_id(d->reader);
    if (d->reading && reader_id && aconn_up(d->writer)) {
        char id[32];
        snprintf(id, sizeof(id), "%lld", reader_id);
        const char *argv[] = {"CLIENT", "UNBLOCK", id};
        (void)aconn_cmd_argv(d->writer, NULL, NULL, 0, 3, argv, NULL);
    }
    int ms = d->cfg->block_ms + 2 * d->cfg->command_timeout_ms;
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(d->ev_drain_deadline, &tv);
    l2ad_maybe_finish(d);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
    (void)what;
    l2ad *d = arg;
    if (sig == SIGHUP)
        loader_request(d, true);   /* coalesced: one more build after the one running */
    else
        drain(d);
}

/* ---- timers ---- */

static void on_claim_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    consume_claim_tick(arg);
}

static void on_watchdog(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    (void)arg;
    notify_watchdog_ping();
}

static void add_timer(struct event *ev, long ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    event_add(ev, &tv);
}

static void setup_events(l2ad *d)
{
    d->ev_hup = evsignal_new(d->base, SIGHUP, on_signal, d);
    d->ev_term = evsignal_new(d->base, SIGTERM, on_signal, d);
    d->ev_int = evsignal_new(d->base, SIGINT, on_signal, d);
    event_add(d->ev_hup, NULL);
    event_add(d->ev_term, NULL);
    event_add(d->ev_int, NULL);
    d->ev_drain_deadline = evtimer_new(d->base, on_drain_deadline, d);
    d->ev_claim = event_new(d->base, -1, EV_PERSIST, on_claim_timer, d);
    /* stale entries, pending and review gauges: half the claim idle time, 1 to 5 s */
    long claim_ms = d->cfg->claim_idle_ms / 2;
    claim_ms = claim_ms < 1000 ? 1000 : claim_ms > 5000 ? 5000 : claim_ms;
    add_timer(d->ev_claim, claim_ms);
    uint64_t usec = 0;
    d->ev_watchdog = event_new(d->base, -1, EV_PERSIST, on_watchdog, d);
    if (notify_watchdog_usec(&usec) > 0)
        add_timer(d->ev_watchdog, (long)(usec / 2000));
}

/* ---- init and teardown ---- */

static void make_keys(l2ad *d)
{
    const char *p = d->cfg->key_prefix;
    d->k_leads = key_leads(p);
    d->k_dead = key_dead(p);
    d->k_changes = key_changes(p);
    d->k_accounts = key_accounts(p);
    d->k_review = key_review_open(p);
}

/* The sentinels announced a new master: every connection goes there now. */
static void on_master_switch(const char *host, int port, void *ctx)
{
    l2ad *d = ctx;
    aconn *conns[] = {d->reader, d->writer, d->follower, d->webconn, hooks_conn(d->hooks)};
    for (size_t i = 0; i < ARRAY_LEN(conns); i++)
        if (conns[i])
            aconn_master_moved(conns[i], host, port);
}

static void make_conns(l2ad *d)
{
    aconn_opts o = {.command_timeout_ms = d->cfg->command_timeout_ms, .backoff_min_ms = 100,
                    .backoff_max_ms = 5000, .on_refused = on_conn_refused};
    o.name = "reader";
    d->reader = aconn_new(d->base, &d->addr, &o, on_conn_state, d);
    o.name = "writer";
    d->writer = aconn_new(d->base, &d->addr, &o, on_conn_state, d);
    o.name = "follower";
    d->follower = aconn_new(d->base, &d->addr, &o, on_conn_state, d);
    if (d->web) {
        o.name = "web";
        o.on_refused = NULL;
        d->webconn = aconn_new(d->base, &d->addr, &o, on_web_conn_state, d);
    }
    if (d->addr.sentinels.n)
        d->sentwatch = sentwatch_new(d->base, &d->addr, on_master_switch, d);
}

static int load_config(l2ad *d, const char *redis_url, char *err, size_t errlen)
{
    d->cfg = xcalloc(1, sizeof(*d->cfg));
    if (conf_load(d->config_path, d->cfg, err, errlen) != 0 ||
        conf_check_files(d->cfg, err, errlen) != 0)
        return -1;
    char note[256] = "";
    if (rconn_addr_from_conf(d->cfg, redis_url, &d->addr, note, sizeof(note)) != 0) {
        snprintf(err, errlen, "redis address: %s", note);
        return -1;
    }
    d->m = matcher_new(&d->cfg->eng, err, errlen);
    return d->m ? 0 : -1;
}

/* The web listener (web.listen), when configured; its handlers register their routes here. */
static int start_web(l2ad *d, char *err, size_t errlen)
{
    if (!d->cfg->web_listen || !*d->cfg->web_listen)
        return 0;
    if (!(d->web = web_start(d->base, d->cfg->web_listen, err, errlen)))
        return -1;
    http_describe(d->cfg->web_listen, web_port(d->web), d->web_where, sizeof(d->web_where));
    webui_init(d);
    return intake_init(d, err, errlen);
}

/* The workers that share consumer slots: one Redis (or Sentinel master name), one db and key
 * prefix. */
static char *default_consumer(l2ad *d)
{
    const redis_addr *a = &d->addr;
    strbuf scope;
    sb_init(&scope);
    if (a->master_name)
        sb_appendf(&scope, "sentinel:%s", a->master_name);
    else if (a->unix_path)
        sb_appendf(&scope, "unix:%s", a->unix_path);
    else
        sb_appendf(&scope, "tcp:%s:%d", a->host ? a->host : "", a->port);
    sb_appendf(&scope, "/%d/%s", a->db, d->cfg->key_prefix);
    char *name = identity_consumer_name(scope.buf, &d->consumer_lock);
    sb_free(&scope);
    return name;
}

int l2ad_init(l2ad *d, const char *config_path, const char *redis_url, char *err, size_t errlen)
{
    memset(d, 0, sizeof(*d));
    d->consumer_lock = -1;
    d->loader_wake[0] = d->loader_wake[1] = -1;
    d->config_path = xstrdup(config_path);
    if (load_config(d, redis_url, err, errlen) != 0)
        return -1;
    d->consumer = d->cfg->consumer ? xstrdup(d->cfg->consumer) : default_consumer(d);
    make_keys(d);
    d->base = event_base_new();
    d->metrics = metrics_new();
    metrics_set(d->metrics, METRIC_BUILD_INFO, 1);
    metrics_set(d->metrics, METRIC_CONFIG_LAST_RELOAD_OK, 1);
    metrics_set(d->metrics, METRIC_CONFIG_LAST_RELOAD_TIME, epoch_ms_now() / 1000.0);
    log_on_error(count_error_line, d);
    if (d->cfg->http_listen && *d->cfg->http_listen) {
        d->http = http_start(d->base, d->cfg->http_listen, d->metrics, health, d, err, errlen);
        if (!d->http)
            return -1;
        http_describe(d->cfg->http_listen, http_port(d->http), d->http_where,
                      sizeof(d->http_where));
    }
    if (start_web(d, err, errlen) != 0)
        return -1;
    make_conns(d);
    if (!(d->hooks = hooks_start(d, err, errlen)))
        return -1;
    setup_events(d);
    if (loader_init(d, err, errlen) != 0)
        return -1;
    ready_init(d);
    const writer_hooks wh = {.done = consume_written, .stalled = ready_fail,
                             .progress = ready_progress};
    writer_init(d, &wh);
    return 0;
}

int l2ad_run(l2ad *d)
{
    char where[256];
    log_notice("starting", "consumer=%s redis=%s config=%s", d->consumer,
               redis_addr_describe(&d->addr, where, sizeof(where)), d->config_path);
    aconn_start(d->writer);
    aconn_start(d->follower);
    if (d->webconn)
        aconn_start(d->webconn);
    aconn_start(d->reader);
    if (d->sentwatch)
        sentwatch_start(d->sentwatch);
    event_base_dispatch(d->base);
    if (d->fatal[0]) {
        log_err("startup_failed", "error=\"%s\"", log_q(d->fatal));
        fprintf(stderr, "l2ad: %s\n", d->fatal);
        return 1;
    }
    log_notice("stopped", "in_flight=%zu", d->in_flight);
    return 0;
}

static void free_event(struct event *ev)
{
    if (ev)
        event_free(ev);
}

void l2ad_free(l2ad *d)
{
    sentwatch_free(d->sentwatch);
    hooks_free(d->hooks);
    aconn_free(d->reader);
    aconn_free(d->writer);
    aconn_free(d->follower);
    if (d->webconn)
        aconn_free(d->webconn);
    intake_free(d);       /* after its connection: the requests waiting on it are answered */
    writer_free(d);       /* after the connections: their pending writes are parked as they close */
    ready_free(d);
    loader_free(d);
    snapjob_free(d);
    http_stop(d->http);
    web_stop(d->web);
    struct event *evs[] = {d->ev_hup, d->ev_term, d->ev_int, d->ev_claim, d->ev_watchdog,
                           d->ev_drain_deadline};
    for (size_t i = 0; i < ARRAY_LEN(evs); i++)
        free_event(evs[i]);
    matcher_free(d->m);
    if (d->cfg) {
        conf_free(d->cfg);
        free(d->cfg);
    }
    log_on_error(NULL, NULL);
    metrics_free(d->metrics);
    if (d->base)
        event_base_free(d->base);
    redis_addr_free(&d->addr);
    if (d->consumer_lock >= 0)
        close(d->consumer_lock);
    char *owned[] = {d->config_path, d->consumer, d->k_leads, d->k_dead, d->k_changes,
                     d->k_accounts, d->k_review};
    for (size_t i = 0; i < ARRAY_LEN(owned); i++)
        free(owned[i]);
    memset(d, 0, sizeof(*d));
}
