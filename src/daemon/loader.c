/* loader.c - building a matcher off the loop: a thread reads the config (for a reload) and every
 * account from Redis into a new matcher, then wakes the loop through a pipe; the loop swaps it in
 * between two leads and follows the account changes from where the thread began reading. */
#include "loader.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "account_load.h"
#include "daemon.h"
#include "huge.h"
#include "learned_store.h"
#include "log.h"
#include "notify.h"
#include "snapshot.h"

/* One build. The thread reads d's config path, address and configuration in force, which only
 * the loop changes, and only after joining the thread. */
typedef struct build_job {
    l2ad *d;                 /* borrowed, read-only in the thread */
    bool reload;
    conf *nc;                /* reload: the new configuration (owned until swapped in) */
    matcher *nm;             /* the new matcher (owned until swapped in) */
    long accounts;
    char pos[64];            /* the change stream's position before the accounts were read */
    char err[1024];          /* "" on success */
    double seconds;
    double index_ms;         /* of which spent adding the accounts read to the index */
    atomic_bool stop;        /* set by the loop at exit: the thread gives up between pages */
    char owner[256];         /* the snapshot lock's value for this process */
    bool from_snapshot;      /* the index was built from the snapshot (snap) */
    long behind;             /* ... and the account changes after it then applied here */
    char snap_why[512];      /* else why not ("" when snapshots are off) */
    snapshot_writer *w;      /* full load: the snapshot being written from it, or NULL */
    char snap_pos[64];       /* ... tagged with the change stream's position before the load */
    long long snap_added;    /* ... and its entries-added count then */
    bool snap_written;       /* ... and published (snap describes it) */
    char write_why[512];     /* why none was written ("" when written or off) */
    snapshot_info snap;
} build_job;

static void add_account(account_rec *a, void *ctx)
{
    build_job *j = ctx;
    double t0 = epoch_ms_now();
    if (j->w)
        snapshot_writer_add(j->w, a);
    (void)matcher_upsert_account(j->nm, a);
    j->index_ms += epoch_ms_now() - t0;
    account_rec_free(a);
}

/* The full load's feed for matcher_load_accounts_feed (runs on a thread of the load's): every
 * account in Redis, each also written to the snapshot when one is being written. */
typedef struct full_feed {
    build_job *j;
    redisContext *c;
    const conf *cfg;
    account_cb cb;           /* the load's, for each record */
    void *cb_ctx;
} full_feed;

static void feed_account(account_rec *a, void *ctx)
{
    full_feed *f = ctx;
    if (f->j->w)
        snapshot_writer_add(f->j->w, a);
    f->cb(a, f->cb_ctx);
}

static long feed_all(account_cb cb, void *cb_ctx, void *feed_ctx, char *err, size_t errlen)
{
    full_feed *f = feed_ctx;
    f->cb = cb;
    f->cb_ctx = cb_ctx;
    return account_feed_all(f->c, f->cfg->key_prefix, feed_account, f, &f->j->stop, f->j->pos,
                            sizeof(f->j->pos), err, errlen);
}

/* Every account in Redis into the new index; index_ms is the whole of it here (reading and
 * indexing overlap on the load's two threads). */
static long load_full(build_job *j, redisContext *c, const conf *cfg)
{
    if (cfg->eng.load_threads < 2)
        return account_feed_all(c, cfg->key_prefix, add_account, j, &j->stop, j->pos,
                                sizeof(j->pos), j->err, sizeof(j->err));
    full_feed f = {.j = j, .c = c, .cfg = cfg};
    double t0 = epoch_ms_now();
    long n = matcher_load_accounts_feed(j->nm, feed_all, &f, j->err, sizeof(j->err));
    j->index_ms = epoch_ms_now() - t0;
    return n;
}

static int build_config(build_job *j)
{
    const l2ad *d = j->d;
    j->nc = xcalloc(1, sizeof(*j->nc));
    if (conf_load(d->config_path, j->nc, j->err, sizeof(j->err)) != 0 ||
        !conf_reload_compatible(d->cfg, j->nc, j->err, sizeof(j->err)) ||
        conf_check_files(j->nc, j->err, sizeof(j->err)) != 0)
        return -1;
    return 0;
}

/* The account changes after the snapshot, applied to the new index here rather than on the
 * loop, so that it comes in current; pos moves to the last one. Learned facts are left to the
 * read of the whole learned hash that follows. On an error the follower applies them. */
static void catch_up(build_job *j, redisContext *c, const conf *cfg)
{
    char err[512];
    long n = snapshot_catch_up(c, cfg->key_prefix, j->nm, j->pos, sizeof(j->pos), err,
                               sizeof(err));
    if (n < 0) {
        log_warn("snapshot_catch_up_failed", "error=\"%s\" note=\"the follower applies them\"",
                 log_q(err));
        return;
    }
    j->behind = n;
}

/* The index from the snapshot: true, or false with j->snap_why set and an empty matcher again
 * (NULL with j->err when none could be made); index_ms is the chunks' reading and indexing, the
 * changes after them not included. */
static bool build_from_snapshot(build_job *j, redisContext *c, const conf *cfg)
{
    double t0 = epoch_ms_now();
    long n = snapshot_build(c, cfg->key_prefix, &cfg->eng, &j->nm, &j->stop, &j->snap,
                            j->snap_why, sizeof(j->snap_why), j->err, sizeof(j->err));
    if (n < 0)
        return false;
    j->index_ms = epoch_ms_now() - t0;
    j->accounts = n;
    j->from_snapshot = true;
    snprintf(j->pos, sizeof(j->pos), "%s", j->snap.changes_id);
    catch_up(j, c, cfg);
    return true;
}

/* A full load writes the snapshot from the accounts it reads, when no other worker is writing
 * one: its own connection (the loading one is busy), tagged with the change stream's position
 * before any account is read (changes after it are then applied again: harmless). */
static redisContext *begin_write(build_job *j, const conf *cfg)
{
    redisContext *wc = rconn_connect(&j->d->addr, cfg->command_timeout_ms, j->write_why,
                                     sizeof(j->write_why));
    if (wc && snapshot_stream_position(wc, cfg->key_prefix, j->snap_pos, sizeof(j->snap_pos),
                                       &j->snap_added, j->write_why, sizeof(j->write_why)) == 0)
        j->w = snapshot_writer_begin(wc, cfg->key_prefix, j->owner, j->write_why,
                                     sizeof(j->write_why));
    return wc;
}

static void end_write(build_job *j, redisContext *wc)
{
    if (j->w && j->accounts >= 0)
        j->snap_written = snapshot_writer_finish(j->w, j->snap_pos, j->snap_added, &j->snap,
                                                 j->write_why, sizeof(j->write_why)) == 0;
    else
        snapshot_writer_abort(j->w);
    j->w = NULL;
    if (wc)
        redisFree(wc);
}

static void build_accounts(build_job *j)
{
    const l2ad *d = j->d;
    const conf *cfg = j->reload ? j->nc : d->cfg;
    j->nm = matcher_new(&cfg->eng, j->err, sizeof(j->err));
    if (!j->nm)
        return;
    redisContext *c = rconn_connect(&d->addr, cfg->command_timeout_ms, j->err, sizeof(j->err));
    if (!c)
        return;
    if (!cfg->accounts_snapshot || !build_from_snapshot(j, c, cfg)) {
        if (!j->nm)
            goto out;
        redisContext *wc = cfg->accounts_snapshot ? begin_write(j, cfg) : NULL;
        j->accounts = load_full(j, c, cfg);
        end_write(j, wc);
    }
    long skipped = 0;   /* read after the position was taken: later changes are replayed */
    if (j->accounts >= 0 &&
        learned_load_into(c, cfg->key_prefix, j->nm, &skipped, j->err, sizeof(j->err)) < 0)
        j->accounts = -1;
    if (skipped)
        log_warn("learned_skipped", "facts=%ld", skipped);
out:
    redisFree(c);
}

static void *build_thread(void *arg)
{
    build_job *j = arg;
    double t0 = epoch_ms_now();
    if (!j->reload || build_config(j) == 0)
        build_accounts(j);
    j->seconds = (epoch_ms_now() - t0) / 1000.0;
    char one = 1;
    ssize_t w;
    do
        w = write(j->d->loader_wake[1], &one, 1);
    while (w < 0);
    return NULL;
}

static void job_free(build_job *j)
{
    if (!j)
        return;
    matcher_free(j->nm);
    if (j->nc) {
        conf_free(j->nc);
        free(j->nc);
    }
    free(j);
}

static void start(l2ad *d, bool reload)
{
    build_job *j = xcalloc(1, sizeof(*j));
    j->d = d;
    j->reload = reload;
    snapshot_owner(d, j->owner, sizeof(j->owner));
    if (reload)
        notify_reloading();
    if (pthread_create(&d->loader_thread, NULL, build_thread, j) != 0) {
        snprintf(j->err, sizeof(j->err), "cannot start the loader thread");
        log_err("loader_failed", "error=\"%s\"", j->err);
        job_free(j);
        return;
    }
    d->loader_job = j;
}

/* What a swap replaced, freed on a thread of its own: freeing a large index takes as long as
 * building it, and the loop must keep answering meanwhile. */
typedef struct retired {
    matcher *m;
    conf *cfg;               /* NULL when the configuration stayed */
} retired;

static void *free_retired(void *arg)
{
    retired *r = arg;
    matcher_free(r->m);      /* before the configuration its options point into */
    if (r->cfg) {
        conf_free(r->cfg);
        free(r->cfg);
    }
    free(r);
    return NULL;
}

/* Joins the previous free (long done by the time a new build finishes), then starts this one. */
static void retire(l2ad *d, matcher *m, conf *cfg)
{
    if (d->retiring)
        pthread_join(d->retire_thread, NULL);
    retired *r = xmalloc(sizeof(*r));
    *r = (retired){m, cfg};
    d->retiring = pthread_create(&d->retire_thread, NULL, free_retired, r) == 0;
    if (!d->retiring)
        free_retired(r);     /* no thread: free here, blocking the loop once */
}

/* The loop takes the new matcher (and configuration): the account changes are followed again
 * from where the thread began, so none made meanwhile is missed. */
static void swap_in(l2ad *d, build_job *j)
{
    retire(d, d->m, j->reload ? d->cfg : NULL);
    d->m = j->nm;
    j->nm = NULL;
    if (j->reload) {
        d->cfg = j->nc;
        j->nc = NULL;
    }
    snprintf(d->changes_pos, sizeof(d->changes_pos), "%s", j->pos);
    d->follow_gen++;           /* a change read in flight belongs to the old matcher */
    d->index_loaded = true;
    metrics_set(d->metrics, METRIC_ACCOUNTS_INDEXED, (double)matcher_accounts(d->m));
    metrics_set(d->metrics, METRIC_ACCOUNTS_FROM_SNAPSHOT, j->from_snapshot);
    metrics_set(d->metrics, METRIC_ACCOUNTS_FROM_FULL_LOAD, !j->from_snapshot);
    snapshot_behind_reset(d, j->behind);   /* changes since the snapshot (0 after a full load) */
}

/* The snapshot's part of a build, in the log: why it was not used, whether one was written. */
static void report_snapshot(l2ad *d, const build_job *j)
{
    if (j->snap_why[0])
        log_notice("snapshot_unusable", "reason=\"%s\" action=full_load", log_q(j->snap_why));
    if (j->snap_written) {
        metrics_inc(d->metrics, METRIC_SNAPSHOT_WRITES, 1);
        log_notice("snapshot_written", "gen=%s accounts=%ld chunks=%ld bytes=%lld changes_id=%s",
                   j->snap.gen, j->snap.accounts, j->snap.chunks, j->snap.bytes,
                   j->snap.changes_id);
    } else if (j->write_why[0]) {
        log_notice("snapshot_not_written", "reason=\"%s\"", log_q(j->write_why));
    }
}

static void report(l2ad *d, build_job *j)
{
    bool ok = j->err[0] == '\0' && j->accounts >= 0;
    report_snapshot(d, j);
    if (ok)
        swap_in(d, j);
    if (j->reload) {
        metrics_set(d->metrics, METRIC_CONFIG_LAST_RELOAD_OK, ok);
        if (ok) {
            intake_reload(d);
            metrics_set(d->metrics, METRIC_CONFIG_LAST_RELOAD_TIME, epoch_ms_now() / 1000.0);
            metrics_inc(d->metrics, METRIC_CONFIG_RELOADS, 1);
            log_notice("config_reloaded", "path=%s accounts=%zu seconds=%.2f", d->config_path,
                       matcher_accounts(d->m), j->seconds);
        } else {
            metrics_inc(d->metrics, METRIC_CONFIG_RELOAD_FAILURES, 1);
            log_err("config_reload_failed", "error=\"%s\" kept=previous", log_q(j->err));
        }
        notify_ready(ok ? "serving" : "serving (reload refused, previous configuration kept)");
    } else if (ok) {
        huge_pages_report pages;
        huge_pages_report_get(&pages);
        log_notice("accounts_loaded",
                   "source=%s snapshot_changes=%ld accounts=%zu learned=%zu changes_from=%s "
                   "seconds=%.2f index_seconds=%.2f snapshot_wait_seconds=%.2f huge_pages=%s "
                   "huge_page_probes=%u slow=%u slowest_ms=%.2f",
                   j->from_snapshot ? "snapshot" : "full", j->behind, matcher_accounts(d->m),
                   matcher_learned(d->m), d->changes_pos, j->seconds, j->index_ms / 1000.0,
                   j->from_snapshot ? j->snap.wait_ms / 1000.0 : 0.0,
                   pages.on_huge_pages ? "yes" : "no", pages.probes, pages.costly_probes,
                   pages.slowest_probe_ns / 1e6);
    }
    if (ok || !j->reload)
        ready_accounts_done(d, ok, j->err);
}

static void on_wake(evutil_socket_t fd, short what, void *arg)
{
    (void)what;
    l2ad *d = arg;
    char buf[16];
    while (read(fd, buf, sizeof(buf)) > 0) {
    }
    build_job *j = d->loader_job;
    if (!j)
        return;
    pthread_join(d->loader_thread, NULL);
    d->loader_job = NULL;
    report(d, j);
    job_free(j);
    bool again = d->loader_again || (!d->index_loaded && d->state == READY_ACCOUNTS);
    bool reload = d->loader_again_reload;
    d->loader_again = d->loader_again_reload = false;
    if (again && !l2ad_draining(d))
        start(d, reload);
    l2ad_kick(d);
}

void loader_request(l2ad *d, bool reload)
{
    if (d->loader_job) {
        d->loader_again = true;
        d->loader_again_reload |= reload;
        return;
    }
    start(d, reload);
}

int loader_init(l2ad *d, char *err, size_t errlen)
{
    if (pipe(d->loader_wake) != 0) {
        snprintf(err, errlen, "pipe: %s", strerror(errno));
        return -1;
    }
    for (int i = 0; i < 2; i++) {
        (void)fcntl(d->loader_wake[i], F_SETFL, O_NONBLOCK);
        (void)fcntl(d->loader_wake[i], F_SETFD, FD_CLOEXEC);
    }
    d->ev_loader = event_new(d->base, d->loader_wake[0], EV_READ | EV_PERSIST, on_wake, d);
    event_add(d->ev_loader, NULL);
    return 0;
}

void loader_free(l2ad *d)
{
    if (d->retiring)
        pthread_join(d->retire_thread, NULL);
    d->retiring = false;
    if (d->loader_job) {
        atomic_store(&d->loader_job->stop, true);    /* exit: no point finishing the load */
        pthread_join(d->loader_thread, NULL);
        job_free(d->loader_job);
        d->loader_job = NULL;
    }
    if (d->ev_loader)
        event_free(d->ev_loader);
    d->ev_loader = NULL;
    for (int i = 0; i < 2; i++)
        if (d->loader_wake[i] >= 0)
            close(d->loader_wake[i]);
}
