/* daemon.h - l2ad's state and the modules that share it: consuming leads (consume.c), keeping the
 * account index current (accsync.c), recording results (record.c) and the lifecycle (daemon.c). */
#ifndef L2A_DAEMON_H
#define L2A_DAEMON_H

#include <event2/event.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "aconn.h"
#include "conf.h"
#include "http.h"
#include "intake.h"
#include "loader.h"
#include "engine.h"
#include "metrics.h"
#include "rconn.h"
#include "record_args.h"
#include "ready.h"
#include "web.h"

typedef struct l2ad l2ad;
struct batch;
struct hooks;

/* How the writer reports to the layers above it (writer.c calls none of them by name). */
typedef struct writer_hooks {
    /* A write finished (recorded, dead-lettered, or failed for the entry's own sake; its batch
     * is the read it came with): one lead left flight. */
    void (*done)(l2ad *d, struct batch *b);
    /* A write was refused for a Redis-side reason and parked: from is the readiness step that
     * must run again before it is re-sent, why the error. */
    void (*stalled)(l2ad *d, ready_state from, const char *why);
    /* A write went through (the readiness backoff starts from its shortest delay again). */
    void (*progress)(l2ad *d);
} writer_hooks;

/* Everything one daemon process owns. */
typedef struct l2ad {
    struct event_base *base;        /* owned */
    char *config_path;              /* owned */
    char *redis_url_override;       /* owned; --redis */
    conf *cfg;                      /* owned: the configuration in force */
    matcher *m;                     /* owned: built from cfg, holds the account index */
    redis_addr addr;                /* owned */
    char *consumer;                 /* owned: consumer name in the group */
    int consumer_lock;              /* the default name's slot lock (identity.c), -1 for none */
    /* key names (owned) */
    char *k_leads, *k_dead, *k_changes, *k_accounts, *k_review;
    /* connections: blocking reads of leads, writes and claims, account changes */
    aconn *reader, *writer, *follower;
    aconn *webconn;                 /* the web listener's requests (NULL when web.listen is off) */
    struct sentwatch *sentwatch;    /* Sentinel mode: +switch-master listener (owned), or NULL */
    metrics *metrics;               /* owned */
    unsigned long timeouts_counted; /* connection timeouts already in the metric */
    http_server *http;              /* owned */
    char http_where[300];           /* where /healthz and /metrics answer: "127.0.0.1:9108" */
    web_server *web;                /* owned: the review page and the intake (web.listen), or NULL */
    char web_where[300];            /* where web.listen answers ("" when off) */
    struct intake *intake;          /* owned: POST /v1/leads (intake.c), NULL when web is off */
    struct hooks *hooks;            /* owned: the webhooks (hooks.c) */
    writer_hooks writer_hooks;      /* writer.c reports through these */
    struct record_op *parked;       /* writes that failed for a Redis-side reason, re-sent once
                                     * consuming again (writer.c) */
    struct record_op *queued;       /* decisions waiting for writer_flush, last first */
    size_t nqueued;
    size_t chunk;                   /* decisions the next record_leads call takes (writer.c) */
    size_t calls_out;               /* record_leads calls sent and not answered (writer.c) */
    size_t read_calls;              /* ... of them sent for the read being decided */
    /* readiness: set by ready.c alone */
    ready_state state;
    char state_reason[256];         /* why the daemon is in this state ("" when nothing to say) */
    char conn_refused[256];         /* Redis refused a connection's AUTH (""): the reason while
                                     * connecting, until every connection is up */
    char fatal[512];                /* why l2ad_run stops with exit 1 ("" = none) */
    unsigned state_gen;             /* bumped on every state change: stale step replies ignored */
    ready_state retry_step;         /* WAITING: the step the retry timer runs */
    int backoff_ms;                 /* WAITING: the current delay, 0 once consuming */
    bool announced;                 /* READY=1 sent to systemd */
    struct event *ev_ready_retry;
    /* accounts, built off the loop (loader.c) */
    bool index_loaded;              /* a matcher with every account is in force */
    int loader_wake[2];             /* pipe: the loader thread wakes the loop (owned) */
    struct event *ev_loader;
    pthread_t loader_thread;
    struct build_job *loader_job;   /* the build in progress, NULL when none (owned) */
    bool loader_again;              /* a request came during the build: one more after it */
    bool loader_again_reload;       /* ... and it re-reads the config (SIGHUP) */
    pthread_t retire_thread;        /* frees the matcher a build replaced (loader.c) */
    bool retiring;                  /* retire_thread was started and not yet joined */
    /* consuming */
    bool reading;                   /* a read (XREADGROUP/XCLAIM) is outstanding */
    bool recovering;                /* re-reading this consumer's own pending entries first */
    char recover_from[64];          /* next id for the pending-entries scan */
    size_t in_flight;               /* leads read and not yet recorded or dead-lettered */
    /* accounts */
    char changes_pos[64];           /* last applied id of the changes stream */
    char index_master[300];         /* Sentinel mode: the master the follower last reached */
    bool following;                 /* an XREAD BLOCK on the changes stream is outstanding */
    unsigned follow_gen;            /* bumped when a new matcher comes in ... */
    unsigned follow_sent_gen;       /* ... so a change read for the old one is dropped */
    /* the account snapshot (snapjob.c) */
    long long snap_behind;          /* account changes applied since the snapshot the index
                                     * began from, or this worker last wrote or checked */
    long long snap_retry_at;        /* after a rewrite that failed or was not needed: the
                                     * snap_behind at which to try again */
    struct snapjob *snapjob;        /* the rewrite in progress, or NULL (owned) */
    struct event *ev_snapjob;       /* polls for its end (owned) */
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
bool l2ad_draining(const l2ad *d);
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

/* writer.c: the Redis-side code that records a decision or dead-letters an entry, atomically
 * with XACK. A write that fails for a Redis-side reason (OOM, LOADING, READONLY, connection lost,
 * NOGROUP) is parked, reported through hooks->stalled, and re-sent by writer_resume; it does not
 * count as a delivery. Completion goes to hooks->done. */
void writer_init(l2ad *d, const writer_hooks *hooks);
/* Loads the Redis-side code; calls done(d, gen, NULL) or done(d, gen, error). */
typedef void (*writer_loaded_fn)(l2ad *d, unsigned gen, const char *err);
void writer_load(l2ad *d, unsigned gen, writer_loaded_fn done);
/* Re-sends the parked writes (on the way back to consuming). */
void writer_resume(l2ad *d);
/* Drops the parked writes (exit: their entries stay pending for the next worker). */
void writer_free(l2ad *d);
/* Drops the parked writes and completes their batches; their entries, still pending (or, when
 * their delivery was lost too, not yet delivered), are read and decided again. After a failover:
 * the decisions were made with an index that may hold accounts the new master never got. */
void writer_drop_parked(l2ad *d);
/* Queues decision dec for stream entry id with its outcome plan (filled by record_plan_sink) and
 * a digest of lead l's fields (a later entry of the same lead id with
 * other fields is told apart from a resend). writer_flush records the queued decisions in one
 * Function call (record_leads), each with its own reply; a full call (1, 2, 4, 8, then 16
 * decisions of a read) goes by itself. Strings are copied. */
void record_decision(l2ad *d, const char *entry_id, const lead *l, const decision *dec,
                     const record_plan *plan, double entry_ms, batch *b);
void writer_flush(l2ad *d);
/* Moves entry id to the dead-letter stream with the error, once per entry id; fields is the
 * entry's field/value array as read (its bytes are copied). */
void record_dead(l2ad *d, const char *entry_id, const redisReply *fields, const char *error,
                 long long deliveries, batch *b);

/* consume.c */
void consume_start(l2ad *d);
/* One lead (recorded or dead-lettered) left flight. */
void consume_done(l2ad *d);
/* The writer's done hook: the lead's write finished (its batch counted down), it left flight. */
void consume_written(l2ad *d, batch *b);
void consume_claim_tick(l2ad *d);

/* snapjob.c: the account snapshot (src/redis/snapshot.h) from the daemon's side. */
/* The snapshot lock's value for a write by this process: consumer, pid and time. */
void snapshot_owner(const l2ad *d, char *buf, size_t len);
/* A new index came in (behind: the account changes it is behind its snapshot, 0 usually). */
void snapshot_behind_reset(l2ad *d, long long behind);
/* The follower applied n account changes: counted, and past accounts.snapshot_after_changes a
 * rewrite of the snapshot starts on a thread (one at a time; the lock decides among workers). */
void snapshot_changes_applied(l2ad *d, long n);
/* Waits for a rewrite in progress; frees the timer. */
void snapjob_free(l2ad *d);

/* accsync.c: loads the index (reports to ready_accounts_done), then follows the change stream. */
void accsync_start(l2ad *d);
void accsync_follow(l2ad *d);
/* Sentinel mode: the follower connected to master (its "host:port"). When that is another master
 * than before (a failover), writes the old one had not replicated are gone, accounts created by
 * them too: the index is built again from the new master before consuming, and the parked writes
 * (decided with the old index) are dropped so that their entries are decided again. */
void accsync_master_seen(l2ad *d, const char *master);

#endif
