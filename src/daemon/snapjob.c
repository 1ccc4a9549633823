/* snapjob.c - the account snapshot from the daemon's side: how many account changes the index
 * applied since its snapshot (a metric), and, once accounts.snapshot_after_changes of them came,
 * a rewrite of the snapshot on a thread of its own (snapshot_rewrite), whose end the loop polls. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "snapshot_rewrite.h"

#define POLL_MS 200

typedef struct snapjob {
    /* the thread's inputs, copied */
    const redis_addr *addr;      /* borrowed: d->addr, which only changes with d gone */
    int timeout_ms;
    char *prefix;                /* owned */
    char owner[256];
    long min_changes;
    /* its result */
    int status;                  /* snapshot_rewrite's */
    snapshot_rewrite_result res;
    char why[512];
    double seconds;
    atomic_bool done;
    /* the loop's */
    pthread_t thread;
    long long behind_at_start;   /* d->snap_behind when it began */
} snapjob;

void snapshot_owner(const l2ad *d, char *buf, size_t len)
{
    snprintf(buf, len, "%s/%ld/%.0f", d->consumer, (long)getpid(), epoch_ms_now());
}

void snapshot_behind_reset(l2ad *d, long long behind)
{
    d->snap_behind = behind;
    d->snap_retry_at = 0;
    metrics_set(d->metrics, METRIC_SNAPSHOT_CHANGES_BEHIND, (double)behind);
}

static void *job_thread(void *arg)
{
    snapjob *j = arg;
    double t0 = epoch_ms_now();
    redisContext *rc = rconn_connect(j->addr, j->timeout_ms, j->why, sizeof(j->why));
    redisContext *wc = rc ? rconn_connect(j->addr, j->timeout_ms, j->why, sizeof(j->why)) : NULL;
    j->status = -1;
    if (wc)
        j->status = snapshot_rewrite(rc, wc, j->prefix, j->owner, j->min_changes, &j->res,
                                     j->why, sizeof(j->why));
    if (wc)
        redisFree(wc);
    if (rc)
        redisFree(rc);
    j->seconds = (epoch_ms_now() - t0) / 1000.0;
    atomic_store(&j->done, true);
    return NULL;
}

static void job_free(l2ad *d)
{
    snapjob *j = d->snapjob;
    pthread_join(j->thread, NULL);
    free(j->prefix);
    free(j);
    d->snapjob = NULL;
    evtimer_del(d->ev_snapjob);
}

/* The job's end: the count of changes after the live snapshot is what the job saw plus what the
 * loop applied meanwhile; after a refusal or a failure, the next try waits for as many changes
 * again. */
static void job_report(l2ad *d, snapjob *j)
{
    long long since = d->snap_behind - j->behind_at_start;
    if (j->status == 1) {
        metrics_inc(d->metrics, METRIC_SNAPSHOT_WRITES, 1);
        log_notice("snapshot_written", "gen=%s accounts=%ld chunks=%ld bytes=%lld changes_id=%s "
                   "seconds=%.2f", j->res.info.gen, j->res.info.accounts, j->res.info.chunks,
                   j->res.info.bytes, j->res.info.changes_id, j->seconds);
    } else if (j->status < 0) {
        log_notice("snapshot_not_written", "reason=\"%s\"", log_q(j->why));
    }
    if (j->res.behind >= 0)
        snapshot_behind_reset(d, j->res.behind + since);
    if (j->status != 1)
        d->snap_retry_at = d->snap_behind + d->cfg->snapshot_after_changes;
}

static void on_poll(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    l2ad *d = arg;
    snapjob *j = d->snapjob;
    if (!j || !atomic_load(&j->done))
        return;
    job_report(d, j);
    job_free(d);
}

static void job_start(l2ad *d)
{
    snapjob *j = xcalloc(1, sizeof(*j));
    j->addr = &d->addr;
    j->timeout_ms = d->cfg->command_timeout_ms;
    j->prefix = xstrdup(d->cfg->key_prefix);
    j->min_changes = d->cfg->snapshot_after_changes;
    j->behind_at_start = d->snap_behind;
    snapshot_owner(d, j->owner, sizeof(j->owner));
    if (!d->ev_snapjob)
        d->ev_snapjob = event_new(d->base, -1, EV_PERSIST, on_poll, d);
    if (pthread_create(&j->thread, NULL, job_thread, j) != 0) {
        log_err("snapshot_not_written", "reason=\"cannot start a thread\"");
        free(j->prefix);
        free(j);
        d->snap_retry_at = d->snap_behind + d->cfg->snapshot_after_changes;
        return;
    }
    d->snapjob = j;
    struct timeval tv = {0, POLL_MS * 1000};
    evtimer_add(d->ev_snapjob, &tv);
}

void snapshot_changes_applied(l2ad *d, long n)
{
    d->snap_behind += n;
    metrics_set(d->metrics, METRIC_SNAPSHOT_CHANGES_BEHIND, (double)d->snap_behind);
    if (d->cfg->accounts_snapshot && !d->snapjob && !l2ad_draining(d) &&
        d->snap_behind >= d->cfg->snapshot_after_changes && d->snap_behind >= d->snap_retry_at)
        job_start(d);
}

void snapjob_free(l2ad *d)
{
    if (d->snapjob)
        job_free(d);
    if (d->ev_snapjob)
        event_free(d->ev_snapjob);
    d->ev_snapjob = NULL;
}
