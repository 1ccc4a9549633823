/* sentwatch.c - a SUBSCRIBE +switch-master connection to one sentinel at a time. */
#include "sentwatch.h"

#include <hiredis/adapters/libevent.h>
#include <hiredis/async.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "sentinel.h"
#include "util.h"

#define RETRY_MS 1000         /* a lost or refused sentinel: the next one after this */
#define SUBSCRIBE_WAIT_MS 1000 /* no subscription confirmed in this time: the next one */

struct sentwatch {
    struct event_base *base;   /* borrowed */
    const redis_addr *addr;    /* borrowed */
    sentwatch_fn fn;
    void *ctx;
    redisAsyncContext *ac;     /* NULL when not connected */
    size_t idx;                /* the sentinel in use, in addr->sentinels */
    bool subscribed;
    bool drop;                 /* set inside a callback: the timer drops the connection */
    struct timespec since;     /* when the current connect started */
    struct event *tick;        /* periodic: connect deadline, drops, reconnects */
    struct timespec down_at;   /* when the last connection went away */
    char new_host[LISTEN_HOST_MAX];   /* a switch seen in a callback, reported by the timer */
    int new_port;
};

static long ms_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - t->tv_sec) * 1000 + (now.tv_nsec - t->tv_nsec) / 1000000;
}

/* Payload of a message on +switch-master; the owner hears of it from the timer, outside hiredis. */
static void on_message(redisAsyncContext *ac, void *reply, void *priv)
{
    sentwatch *w = priv;
    redisReply *r = reply;
    if (!r || ac->data != w)
        return;
    if (r->type == REDIS_REPLY_ERROR) {
        log_warn("sentinel_subscribe_failed", "sentinel=%s error=\"%s\"",
                 w->addr->sentinels.v[w->idx], log_q(r->str));
        w->drop = true;
        return;
    }
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
        r->element[0]->type != REDIS_REPLY_STRING)
        return;
    if (strcmp(r->element[0]->str, "subscribe") == 0) {
        w->subscribed = true;
        log_info("sentinel_subscribed", "sentinel=%s", w->addr->sentinels.v[w->idx]);
    } else if (strcmp(r->element[0]->str, "message") == 0 &&
               r->element[2]->type == REDIS_REPLY_STRING &&
               sentinel_parse_switch(r->element[2]->str, w->addr->master_name, w->new_host,
                                     sizeof(w->new_host), &w->new_port) == 0) {
        log_notice("redis_switch_master", "sentinel=%s master=%s host=%s port=%d",
                   w->addr->sentinels.v[w->idx], w->addr->master_name, w->new_host, w->new_port);
        event_active(w->tick, EV_TIMEOUT, 0);
    }
}

static void went_away(sentwatch *w)
{
    w->ac = NULL;
    w->subscribed = false;
    clock_gettime(CLOCK_MONOTONIC, &w->down_at);
    w->idx = (w->idx + 1) % w->addr->sentinels.n;
}

static void on_connect(const redisAsyncContext *ac, int status)
{
    sentwatch *w = ac->data;
    if (w && status != REDIS_OK) {
        log_warn("sentinel_connect_failed", "sentinel=%s error=\"%s\"",
                 w->addr->sentinels.v[w->idx], log_q(ac->errstr));
        went_away(w);          /* hiredis frees the context */
    }
}

static void on_disconnect(const redisAsyncContext *ac, int status)
{
    sentwatch *w = ac->data;
    (void)status;
    if (w) {
        log_warn("sentinel_disconnected", "sentinel=%s", w->addr->sentinels.v[w->idx]);
        went_away(w);
    }
}

static void connect_sentinel(sentwatch *w)
{
    char host[LISTEN_HOST_MAX], port[LISTEN_PORT_MAX], err[256];
    const char *s = w->addr->sentinels.v[w->idx];
    clock_gettime(CLOCK_MONOTONIC, &w->since);
    redisAsyncContext *ac = NULL;
    if (listen_addr_split(s, host, sizeof(host), port, sizeof(port), err, sizeof(err)) == 0)
        ac = redisAsyncConnect(host, atoi(port));
    if (!ac || ac->err) {
        if (ac)
            redisAsyncFree(ac);
        went_away(w);
        return;
    }
    ac->data = w;
    redisLibeventAttach(ac, w->base);
    redisAsyncSetConnectCallback(ac, on_connect);
    redisAsyncSetDisconnectCallback(ac, on_disconnect);
    if (w->addr->sentinel_password)
        redisAsyncCommand(ac, NULL, NULL, "AUTH %s", w->addr->sentinel_password);
    redisAsyncCommand(ac, on_message, w, "SUBSCRIBE +switch-master");
    w->ac = ac;
}

static void drop(sentwatch *w)
{
    redisAsyncContext *ac = w->ac;
    ac->data = NULL;           /* its callbacks leave w alone from now on */
    redisAsyncFree(ac);
    went_away(w);
}

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    sentwatch *w = arg;
    if (w->new_host[0]) {
        char host[LISTEN_HOST_MAX];
        memcpy(host, w->new_host, sizeof(host));
        w->new_host[0] = '\0';
        w->fn(host, w->new_port, w->ctx);
    }
    if (w->ac && (w->drop || (!w->subscribed && ms_since(&w->since) > SUBSCRIBE_WAIT_MS))) {
        w->drop = false;
        drop(w);
    }
    if (!w->ac && ms_since(&w->down_at) >= RETRY_MS)
        connect_sentinel(w);
}

sentwatch *sentwatch_new(struct event_base *base, const redis_addr *addr, sentwatch_fn fn,
                         void *ctx)
{
    sentwatch *w = xcalloc(1, sizeof(*w));
    w->base = base;
    w->addr = addr;
    w->fn = fn;
    w->ctx = ctx;
    w->tick = event_new(base, -1, EV_PERSIST, on_tick, w);
    return w;
}

void sentwatch_start(sentwatch *w)
{
    struct timeval tv = {0, 100 * 1000};
    event_add(w->tick, &tv);
    connect_sentinel(w);
}

void sentwatch_free(sentwatch *w)
{
    if (!w)
        return;
    if (w->ac)
        drop(w);
    event_free(w->tick);
    free(w);
}
