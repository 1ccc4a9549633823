/* aconn.c - asynchronous Redis connection with connect/command timeouts and reconnect backoff. */
#include "aconn.h"

#include <hiredis/adapters/libevent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "reply_arena.h"
#include "sentinel.h"
#include "util.h"

#define CHECK_INTERVAL_MS 50

typedef enum conn_state {
    CONN_DOWN = 0,     /* waiting for the reconnect timer */
    CONN_CONNECTING,   /* TCP/unix connect in progress */
    CONN_HANDSHAKE,    /* AUTH / SELECT / ROLE / CLIENT ID in progress */
    CONN_UP,
} conn_state;

typedef struct pending_cmd {
    aconn *c;
    aconn_reply_fn fn;     /* NULL for internal handshake commands */
    void *priv;
} pending_cmd;

struct aconn {
    struct event_base *base;     /* borrowed */
    const redis_addr *addr;      /* borrowed */
    aconn_opts o;
    char *name;                  /* owned copy of o.name */
    aconn_state_fn on_state;
    void *ctx;
    redisAsyncContext *ac;       /* NULL when down */
    conn_state st;
    bool freeing;
    struct event *check;         /* periodic: connect and command deadlines */
    struct event *retry;         /* one-shot: reconnect after backoff */
    int backoff_ms;
    uint64_t connect_deadline;
    uint64_t *deadline;          /* ring of per-command deadlines, in send order (owned) */
    size_t dhead, dlen, dcap;
    const char *kill_reason;     /* static: set inside a callback, acted on by the check timer */
    char refused[256];           /* the handshake's refusal, reported by the check timer */
    unsigned long reconnects;
    unsigned long timeouts;
    long long client_id;
    char *master_host;           /* Sentinel mode: the master the sentinels named last (owned) */
    int master_port;
};

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void deadline_push(aconn *c, uint64_t when)
{
    if (c->dlen == c->dcap) {
        size_t ncap = c->dcap ? c->dcap * 2 : 64;
        uint64_t *nd = xmalloc(ncap * sizeof(*nd));
        for (size_t i = 0; i < c->dlen; i++)
            nd[i] = c->deadline[(c->dhead + i) % c->dcap];
        free(c->deadline);
        c->deadline = nd;
        c->dcap = ncap;
        c->dhead = 0;
    }
    c->deadline[(c->dhead + c->dlen) % c->dcap] = when;
    c->dlen++;
}

static void deadline_pop(aconn *c)
{
    if (!c->dlen)
        return;
    c->dhead = (c->dhead + 1) % c->dcap;
    c->dlen--;
}

static void schedule_retry(aconn *c)
{
    if (c->freeing)
        return;
    struct timeval tv = {c->backoff_ms / 1000, (c->backoff_ms % 1000) * 1000};
    log_warn("redis_reconnect_scheduled", "conn=%s delay_ms=%d", c->name, c->backoff_ms);
    evtimer_add(c->retry, &tv);
    c->backoff_ms *= 2;
    if (c->backoff_ms > c->o.backoff_max_ms)
        c->backoff_ms = c->o.backoff_max_ms;
}

/* The connection is gone: tell the owner once and plan the reconnect. */
static void went_down(aconn *c)
{
    bool was_up = c->st == CONN_UP;
    c->st = CONN_DOWN;
    c->ac = NULL;
    c->dlen = 0;
    c->client_id = 0;
    if (was_up && c->on_state)
        c->on_state(c, false, c->ctx);
    schedule_retry(c);
}

static void drop_context(aconn *c)
{
    redisAsyncContext *ac = c->ac;
    bool was_up = c->st == CONN_UP;
    c->ac = NULL;
    c->st = CONN_DOWN;
    if (ac) {
        ac->data = NULL;       /* the disconnect callback must not touch c again */
        redisAsyncFree(ac);    /* pending callbacks run with NULL now */
    }
    c->dlen = 0;
    c->client_id = 0;
    if (was_up && c->on_state)
        c->on_state(c, false, c->ctx);
}

void aconn_kill(aconn *c, const char *why)
{
    if (c->st == CONN_DOWN)
        return;
    log_warn("redis_connection_dropped", "conn=%s reason=\"%s\"", c->name, why);
    drop_context(c);
    schedule_retry(c);
}

static void on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
    pending_cmd *p = privdata;
    aconn *c = p->c;
    if (ac->data == c)
        deadline_pop(c);
    if (ac->data == c && c->master_host && !c->kill_reason && sentinel_not_master_error(r))
        c->kill_reason = "the node is no longer the master";   /* ask the sentinels again */
    if (p->fn)
        p->fn(c, r, p->priv);
    free(p);
}

static int send_argv(aconn *c, aconn_reply_fn fn, void *priv, int extra_ms, int argc,
                     const char **argv, const size_t *argvlen)
{
    if (!c->ac)
        return -1;
    pending_cmd *p = xmalloc(sizeof(*p));
    *p = (pending_cmd){c, fn, priv};
    if (redisAsyncCommandArgv(c->ac, on_reply, p, argc, argv, argvlen) != REDIS_OK) {
        free(p);
        return -1;
    }
    deadline_push(c, now_ms() + (uint64_t)c->o.command_timeout_ms + (uint64_t)(extra_ms > 0 ? extra_ms : 0));
    return 0;
}

int aconn_cmd_argv(aconn *c, aconn_reply_fn fn, void *priv, int extra_ms, int argc,
                   const char **argv, const size_t *argvlen)
{
    if (c->st != CONN_UP)
        return -1;
    return send_argv(c, fn, priv, extra_ms, argc, argv, argvlen);
}

int aconn_cmd_resp(aconn *c, aconn_reply_fn fn, void *priv, int extra_ms, const char *cmd,
                   size_t len)
{
    if (c->st != CONN_UP || !c->ac)
        return -1;
    pending_cmd *p = xmalloc(sizeof(*p));
    *p = (pending_cmd){c, fn, priv};
    if (redisAsyncFormattedCommand(c->ac, on_reply, p, cmd, len) != REDIS_OK) {
        free(p);
        return -1;
    }
    deadline_push(c, now_ms() + (uint64_t)c->o.command_timeout_ms + (uint64_t)(extra_ms > 0 ? extra_ms : 0));
    return 0;
}

int aconn_cmd(aconn *c, aconn_reply_fn fn, void *priv, int extra_ms, const char *fmt, ...)
{
    if (c->st != CONN_UP || !c->ac)
        return -1;
    pending_cmd *p = xmalloc(sizeof(*p));
    *p = (pending_cmd){c, fn, priv};
    va_list ap;
    va_start(ap, fmt);
    int rc = redisvAsyncCommand(c->ac, on_reply, p, fmt, ap);
    va_end(ap);
    if (rc != REDIS_OK) {
        free(p);
        return -1;
    }
    deadline_push(c, now_ms() + (uint64_t)c->o.command_timeout_ms + (uint64_t)(extra_ms > 0 ? extra_ms : 0));
    return 0;
}

/* ---- handshake: AUTH, SELECT, CLIENT ID ---- */

static bool reply_ok(const redisReply *r)
{
    return r && r->type != REDIS_REPLY_ERROR;
}

/* A handshake step failed: remember a refusal of credentials or rights (the first one) for the
 * check timer, which drops the connection and reports it (never free the context in here). */
static void handshake_failed(aconn *c, const char *step, const char *error)
{
    log_err("redis_handshake_failed", "conn=%s step=\"%s\" error=\"%s\"", c->name, step,
            log_q(error));
    if (rconn_auth_refused(error) && !c->refused[0])
        snprintf(c->refused, sizeof(c->refused), "redis: %s refused for user '%s': %s", step,
                 c->addr->user ? c->addr->user : "default", error);
    c->kill_reason = "handshake failed";
}

static void on_client_id(aconn *c, redisReply *r, void *priv)
{
    (void)priv;
    if (!r || c->kill_reason)
        return;   /* an earlier step failed: a refused AUTH leaves the default user logged in */
    if (r->type != REDIS_REPLY_INTEGER) {
        handshake_failed(c, "CLIENT ID", r->type == REDIS_REPLY_ERROR ? r->str
                                                                    : "unexpected reply");
        return;
    }
    c->client_id = r->integer;
    c->st = CONN_UP;
    c->backoff_ms = c->o.backoff_min_ms;
    log_info("redis_connected", "conn=%s client_id=%lld", c->name, c->client_id);
    if (c->on_state)
        c->on_state(c, true, c->ctx);
}

static void on_handshake_step(aconn *c, redisReply *r, void *priv)
{
    if (r && !reply_ok(r))
        handshake_failed(c, priv, r->str);
}

/* Sentinel mode: the node the sentinels named must say it is the master; a replica (a failover
 * under way, or a stale answer) is dropped and the sentinels are asked again after the backoff. */
static void on_role(aconn *c, redisReply *r, void *priv)
{
    (void)priv;
    if (!r || c->kill_reason)
        return;
    if (r->type == REDIS_REPLY_ERROR) {
        handshake_failed(c, "ROLE", r->str);
    } else if (!sentinel_role_is_master(r)) {
        log_warn("redis_not_master", "conn=%s host=%s port=%d role=%s", c->name, c->master_host,
                 c->master_port, r->type == REDIS_REPLY_ARRAY && r->elements &&
                 r->element[0]->type == REDIS_REPLY_STRING ? r->element[0]->str : "?");
        c->kill_reason = "the node the sentinels named is not the master";
    }
}

static char step_auth[] = "AUTH", step_select[] = "SELECT";   /* a handshake step's priv */

static void handshake(aconn *c)
{
    c->st = CONN_HANDSHAKE;
    char db[16];
    const redis_addr *a = c->addr;
    if (a->password) {
        const char *argv[] = {"AUTH", a->user ? a->user : a->password, a->password};
        (void)send_argv(c, on_handshake_step, step_auth, 0, a->user ? 3 : 2, argv, NULL);
    }
    if (a->db) {
        snprintf(db, sizeof(db), "%d", a->db);
        const char *argv[] = {"SELECT", db};
        (void)send_argv(c, on_handshake_step, step_select, 0, 2, argv, NULL);
    }
    if (c->master_host) {
        const char *argv[] = {"ROLE"};
        (void)send_argv(c, on_role, NULL, 0, 1, argv, NULL);
    }
    const char *argv[] = {"CLIENT", "ID"};
    (void)send_argv(c, on_client_id, NULL, 0, 2, argv, NULL);
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    aconn *c = ac->data;
    if (!c)
        return;
    if (status != REDIS_OK) {
        log_warn("redis_connect_failed", "conn=%s error=\"%s\"", c->name, log_q(ac->errstr));
        went_down(c);          /* hiredis frees the context itself */
        return;
    }
    handshake(c);
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    aconn *c = ac->data;
    if (!c)
        return;    /* we dropped it ourselves */
    if (status != REDIS_OK)
        log_warn("redis_disconnected", "conn=%s error=\"%s\"", c->name, log_q(ac->errstr));
    went_down(c);
}

/* Sentinel mode: asks the sentinels where the master is now (blocking the loop for at most
 * SENTINEL_TIMEOUT_MS per sentinel asked). 0, or -1 after logging why. */
static int resolve_master(aconn *c)
{
    char err[512], *host = NULL;
    int port = 0;
    if (sentinel_master(c->addr, &host, &port, err, sizeof(err)) != 0) {
        log_warn("redis_master_unknown", "conn=%s error=\"%s\"", c->name, log_q(err));
        return -1;
    }
    if (!c->master_host || strcmp(host, c->master_host) != 0 || port != c->master_port)
        log_info("redis_master_resolved", "conn=%s host=%s port=%d", c->name, host, port);
    free(c->master_host);
    c->master_host = host;
    c->master_port = port;
    return 0;
}

static void connect_now(aconn *c)
{
    if (c->addr->sentinels.n && resolve_master(c) != 0) {
        schedule_retry(c);
        return;
    }
    redisAsyncContext *ac = c->master_host ? redisAsyncConnect(c->master_host, c->master_port)
                            : c->addr->unix_path ? redisAsyncConnectUnix(c->addr->unix_path)
                                                 : redisAsyncConnect(c->addr->host, c->addr->port);
    if (!ac || ac->err) {
        log_warn("redis_connect_failed", "conn=%s error=\"%s\"", c->name,
                 log_q(ac ? ac->errstr : "out of memory"));
        if (ac)
            redisAsyncFree(ac);
        schedule_retry(c);
        return;
    }
    ac->data = c;
    reply_arena_use(ac->c.reader);   /* a read's hundreds of reply nodes: a few mallocs */
    redisLibeventAttach(ac, c->base);
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    c->ac = ac;
    c->st = CONN_CONNECTING;
    c->connect_deadline = now_ms() + (uint64_t)c->o.command_timeout_ms;
}

static void on_retry(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    aconn *c = arg;
    c->reconnects++;
    connect_now(c);
}

static void on_check(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    aconn *c = arg;
    uint64_t now = now_ms();
    if (c->kill_reason) {
        char refused[sizeof(c->refused)];
        const char *why = c->kill_reason;
        c->kill_reason = NULL;
        memcpy(refused, c->refused, sizeof(refused));
        c->refused[0] = '\0';
        aconn_kill(c, why);
        if (refused[0] && c->o.on_refused)
            c->o.on_refused(c, refused, c->ctx);
    } else if (c->st == CONN_CONNECTING && now > c->connect_deadline) {
        c->timeouts++;
        aconn_kill(c, "connect timed out");
    } else if ((c->st == CONN_UP || c->st == CONN_HANDSHAKE) && c->dlen &&
               now > c->deadline[c->dhead]) {
        c->timeouts++;
        aconn_kill(c, "command timed out");
    }
}

aconn *aconn_new(struct event_base *base, const redis_addr *addr, const aconn_opts *opts,
                 aconn_state_fn on_state, void *ctx)
{
    aconn *c = xcalloc(1, sizeof(*c));
    c->base = base;
    c->addr = addr;
    c->o = *opts;
    c->name = xstrdup(opts->name ? opts->name : "redis");
    c->o.name = c->name;
    if (c->o.backoff_min_ms <= 0)
        c->o.backoff_min_ms = 100;
    if (c->o.backoff_max_ms < c->o.backoff_min_ms)
        c->o.backoff_max_ms = 10000;
    c->backoff_ms = c->o.backoff_min_ms;
    c->on_state = on_state;
    c->ctx = ctx;
    c->check = event_new(base, -1, EV_PERSIST, on_check, c);
    c->retry = evtimer_new(base, on_retry, c);
    return c;
}

void aconn_start(aconn *c)
{
    struct timeval tv = {0, CHECK_INTERVAL_MS * 1000};
    event_add(c->check, &tv);
    connect_now(c);
}

bool aconn_up(const aconn *c)
{
    return c->st == CONN_UP;
}

const char *aconn_name(const aconn *c)
{
    return c->name;
}

unsigned long aconn_reconnects(const aconn *c)
{
    return c->reconnects;
}

unsigned long aconn_timeouts(const aconn *c)
{
    return c->timeouts;
}

long long aconn_client_id(const aconn *c)
{
    return c->client_id;
}

void aconn_master_moved(aconn *c, const char *host, int port)
{
    if (!c->addr->sentinels.n || c->freeing)
        return;
    if (c->st != CONN_DOWN && c->master_host && strcmp(c->master_host, host) == 0 &&
        c->master_port == port)
        return;   /* already there */
    log_notice("redis_master_moved", "conn=%s host=%s port=%d", c->name, host, port);
    drop_context(c);
    evtimer_del(c->retry);
    c->backoff_ms = c->o.backoff_min_ms;
    c->reconnects++;
    connect_now(c);
}

const char *aconn_master(const aconn *c, char *buf, size_t len)
{
    if (c->master_host)
        snprintf(buf, len, "%s:%d", c->master_host, c->master_port);
    else if (len)
        buf[0] = '\0';
    return buf;
}

size_t aconn_pending(const aconn *c)
{
    return c->dlen;
}

void aconn_free(aconn *c)
{
    if (!c)
        return;
    c->freeing = true;
    c->on_state = NULL;
    drop_context(c);
    event_free(c->check);
    event_free(c->retry);
    free(c->deadline);
    free(c->name);
    free(c->master_host);
    free(c);
}
