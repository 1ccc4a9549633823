/* ready.h - l2ad's readiness: one state machine from connecting to consuming and back, the only
 * code that sets the daemon's state (ready.c). */
#ifndef L2A_READY_H
#define L2A_READY_H

#include <stdbool.h>

#include "util.h"

struct l2ad;

/* The states in order: each step runs once the one before it succeeded. WAITING holds the step
 * that failed and why, until its backoff timer runs it again. */
typedef enum ready_state {
    READY_CONNECTING = 0,  /* the reader, writer and follower connections are not all up */
    READY_HANDSHAKE,       /* Redis answers data commands (not -LOADING its data set) */
    READY_GROUP,           /* the consumer group exists (XINFO GROUPS, else XGROUP CREATE) */
    READY_FUNCTIONS,       /* the Redis-side code is loaded */
    READY_ACCOUNTS,        /* the account index is loaded */
    READY_CONSUMING,       /* reading, deciding and recording leads */
    READY_WAITING,         /* a step or a record failed for a Redis-side reason: backing off */
    READY_DRAINING,        /* SIGTERM: finishing what is in flight */
    READY_NSTATES
} ready_state;

const char *ready_state_name(ready_state s);

/* Starts in CONNECTING; creates the retry timer. */
void ready_init(struct l2ad *d);
void ready_free(struct l2ad *d);
/* A connection came up or went down: back to CONNECTING, or on to the handshake once all are up. */
void ready_conn_changed(struct l2ad *d);
/* Redis refused a connection's credentials (why: "redis: AUTH refused for user ..."). Before the
 * daemon was ever ready this is fatal (l2ad_run returns 1); later the connection keeps retrying
 * and why is the state's reason until every connection is up. */
void ready_refused(struct l2ad *d, const char *why);
/* Something failed for a Redis-side reason (reason: the error text): WAITING, then `from` runs
 * again after a backoff (100 ms doubling to 2 s with each failure; reset by ready_progress). */
void ready_fail(struct l2ad *d, ready_state from, const char *reason);
/* A write went through: the next failure backs off from the shortest delay again. */
void ready_progress(struct l2ad *d);
/* The account load finished (ok) or failed (why). */
void ready_accounts_done(struct l2ad *d, bool ok, const char *why);
/* SIGTERM: DRAINING for good. */
void ready_drain(struct l2ad *d);
bool ready_consuming(const struct l2ad *d);
/* The /healthz body: {"status","state","reason",...}; true when consuming. */
bool ready_health(const struct l2ad *d, strbuf *body);

#endif
