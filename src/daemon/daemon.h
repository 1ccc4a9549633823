/* daemon.h - l2ad's state and the modules that share it: consuming leads (consume.c), keeping the
 * account index current (accsync.c), recording results (record.c) and the lifecycle (daemon.c). */
#ifndef L2A_DAEMON_H
#define L2A_DAEMON_H

#include <event2/event.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aconn.h"
#include "conf.h"
#include "http.h"
#include "matcher.h"
#include "metrics.h"
#include "rconn.h"

/* Everything one daemon process owns. */
typedef struct l2ad {
    struct event_base *base;        /* owned */
    char *config_path;              /* owned */
    char *redis_url_override;       /* owned; --redis */
    conf *cfg;                      /* owned: the configuration in force */
    matcher *m;                     /* owned: built from cfg, holds the account index */
    redis_addr addr;                /* owned */
    char *consumer;                 /* owned: consumer name in the group */
    /* key names (owned) */
    char *k_leads, *k_dead, *k_changes, *k_accounts, *k_review;
    /* connections: blocking reads of leads, writes and claims, account changes */
    aconn *reader, *writer, *follower;
    metrics *metrics;               /* owned */
    http_server *http;              /* owned */
    /* lifecycle */
    bool group_ready;               /* XGROUP CREATE done on the current writer connection */
    bool scripts_ready;             /* the Function library is loaded (FUNCTION LOAD answered) */
    int scripts_loading;            /* FUNCTION LOADs sent and not answered */
    unsigned script_loads;          /* FUNCTION LOAD replies received so far */
    bool index_loaded;              /* initial account load finished */
    bool loading;                   /* initial account load in progress */
    bool draining;                  /* SIGTERM: no new reads, finish in-flight, exit */
    /* consuming */
    bool reading;                   /* a read (XREADGROUP/XCLAIM) is outstanding */
    bool recovering;                /* re-reading this consumer's own pending entries first */
    char recover_from[64];          /* next id for the pending-entries scan */
    size_t in_flight;               /* leads read and not yet recorded or dead-lettered */
    /* accounts */
    char changes_pos[64];           /* last applied id of the changes stream */
    bool following;                 /* an XREAD BLOCK on the changes stream is outstanding */
    /* timers and signals (owned) */
    struct event *ev_hup, *ev_term, *ev_int;
    struct event *ev_claim, *ev_watchdog, *ev_drain_deadline;
} l2ad;

/* daemon.c */
int l2ad_init(l2ad *d, const char *config_path, const char *redis_url, char *err, size_t errlen);
int l2ad_run(l2ad *d);
void l2ad_free(l2ad *d);
/* Called when anything changes that may let the daemon start or continue reading. */
void l2ad_kick(l2ad *d);
/* Exit the loop once drained. */
void l2ad_maybe_finish(l2ad *d);

/* The entries of one read, counted down as each is recorded; observes the batch histogram at 0. */
typedef struct batch {
    l2ad *d;
    double started;                 /* monotonic seconds at the read's reply */
    size_t left;
} batch;

batch *batch_new(l2ad *d, size_t n);
void batch_done(batch *b);          /* NULL-safe */

/* record.c: Functions (FCALL) that record a decision or dead-letter an entry, atomically with
 * XACK. Loads the Function library (FUNCTION LOAD REPLACE) on the writer; sets scripts_ready. */
void record_load_scripts(l2ad *d);
/* Records decision dec for stream entry id and carries out its outcome plan (outcome_plan_json),
 * in one Function call; calls consume_done and batch_done when the reply (or the connection's
 * loss) arrives. Strings are copied. */
void record_decision(l2ad *d, const char *entry_id, const decision *dec, const char *plan,
                     double entry_ms, batch *b);
/* Moves entry id to the dead-letter stream with the error, once per entry id; fields is the
 * entry's field/value array as read (its bytes are copied). */
void record_dead(l2ad *d, const char *entry_id, const redisReply *fields, const char *error,
                 long long deliveries, batch *b);

/* consume.c */
void consume_start(l2ad *d);
/* One lead (recorded or dead-lettered) left flight. */
void consume_done(l2ad *d);
void consume_claim_tick(l2ad *d);

/* accsync.c */
void accsync_start(l2ad *d);
void accsync_follow(l2ad *d);

#endif
