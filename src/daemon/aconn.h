/* aconn.h - one asynchronous Redis connection on the event loop: connect and command timeouts
 * (hiredis 0.14 has neither), AUTH/SELECT, reconnect with exponential backoff; in Sentinel mode
 * every connect asks the sentinels for the master (sentinel.h) and checks its ROLE, and a reply
 * READONLY drops the connection to ask again. */
#ifndef L2A_ACONN_H
#define L2A_ACONN_H

#include <event2/event.h>
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>

#include "rconn.h"

typedef struct aconn aconn;

/* Reply callback. reply is NULL when the connection failed or timed out before the reply; it is
 * valid only during the call (copy out what you keep). */
typedef void (*aconn_reply_fn)(aconn *c, redisReply *reply, void *priv);
/* Called when the connection becomes usable (up=true) or is lost (up=false). */
typedef void (*aconn_state_fn)(aconn *c, bool up, void *ctx);
/* Called (from a timer, never inside a hiredis callback) when Redis refused the handshake's
 * credentials or rights: why is "redis: AUTH refused for user 'x': WRONGPASS ...", valid only
 * during the call. The connection is already dropped and retries after its backoff. */
typedef void (*aconn_refused_fn)(aconn *c, const char *why, void *ctx);

typedef struct aconn_opts {
    const char *name;          /* for logs: "reader", "writer", "follower" */
    int command_timeout_ms;    /* a reply later than this (plus a command's own allowance) kills
                                * the connection */
    int backoff_min_ms;        /* first reconnect delay, doubled up to backoff_max_ms */
    int backoff_max_ms;
    aconn_refused_fn on_refused;  /* may be NULL; gets the ctx of aconn_new */
} aconn_opts;

/* addr is borrowed and must outlive the connection. */
aconn *aconn_new(struct event_base *base, const redis_addr *addr, const aconn_opts *opts,
                 aconn_state_fn on_state, void *ctx);
/* Starts connecting (and reconnecting for ever, until aconn_free). */
void aconn_start(aconn *c);
bool aconn_up(const aconn *c);
const char *aconn_name(const aconn *c);
/* Number of reconnects so far (for metrics). */
unsigned long aconn_reconnects(const aconn *c);
unsigned long aconn_timeouts(const aconn *c);
/* Redis CLIENT ID of the current connection (0 until known). */
long long aconn_client_id(const aconn *c);

/* Sends a command; extra_ms extends the timeout for blocking commands (BLOCK n). Returns 0, or -1
 * when the connection is down (fn is not called then). */
int aconn_cmd(aconn *c, aconn_reply_fn fn, void *priv, int extra_ms, const char *fmt, ...);
int aconn_cmd_argv(aconn *c, aconn_reply_fn fn, void *priv, int extra_ms, int argc,
                   const char **argv, const size_t *argvlen);
/* The same for a command already in RESP (len bytes of cmd: an array of bulk strings, copied). */
int aconn_cmd_resp(aconn *c, aconn_reply_fn fn, void *priv, int extra_ms, const char *cmd,
                   size_t len);
/* Sentinel mode: the sentinels announced a new master (+switch-master). Unless the connection is
 * already at host:port, it is dropped (pending callbacks get NULL) and made again at once,
 * asking the sentinels afresh. Not to be called from one of this connection's own callbacks. */
void aconn_master_moved(aconn *c, const char *host, int port);
/* Sentinel mode: "host:port" of the master this connection was last made to, written into buf;
 * "" before the first connect and outside Sentinel mode. */
const char *aconn_master(const aconn *c, char *buf, size_t len);
/* Commands sent whose replies have not arrived. */
size_t aconn_pending(const aconn *c);
/* Drops the connection now (pending callbacks get NULL) and reconnects after the backoff. */
void aconn_kill(aconn *c, const char *why);
/* Closes for good; pending callbacks get NULL. */
void aconn_free(aconn *c);

#endif
