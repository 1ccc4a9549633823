/* accsync.c - the account index in step with Redis: the loader (loader.c) reads every account
 * from the change stream's position on; from there the change stream is followed, so no change
 * falls between load and follow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account_changes.h"
#include "daemon.h"
#include "keys.h"
#include "learned_store.h"
#include "log.h"

void accsync_start(l2ad *d)
{
    if (d->index_loaded)
        ready_accounts_done(d, true, NULL);
    else
        loader_request(d, false);   /* the loader reports to ready_accounts_done */
}

void accsync_master_seen(l2ad *d, const char *master)
{
    if (d->index_master[0] && strcmp(d->index_master, master) != 0 && d->index_loaded) {
        log_notice("redis_master_changed", "from=%s to=%s note=\"the account index is built "
                   "again from the new master; parked writes are decided again\"",
                   d->index_master, master);
        d->index_loaded = false;
        writer_drop_parked(d);
    }
    snprintf(d->index_master, sizeof(d->index_master), "%s", master);
}

/* ---- following the change stream ---- */

/* op learn / unlearn: a fact learned from a review, or forgotten (learned.lua). */
static void apply_learned(const char *const *kv, size_t n, bool learn, void *ctx)
{
    l2ad *d = ctx;
    learned_fact f;
    bool ok = learned_from_pairs(kv, n, &f) &&
              (learn ? matcher_learn(d->m, &f) : (matcher_unlearn(d->m, &f), true));
    if (!ok)
        log_warn("learned_change_ignored", "op=%s name=\"%s\"", learn ? "learn" : "unlearn",
                 log_q(f.name ? f.name : "?"));
    metrics_inc(d->metrics, METRIC_ACCOUNT_CHANGES, 1);
}

static void apply_upsert(const account_rec *a, void *ctx)
{
    (void)matcher_upsert_account(((l2ad *)ctx)->m, a);
}

static void apply_delete(const char *id, void *ctx)
{
    (void)matcher_delete_account(((l2ad *)ctx)->m, id);
}

static void change_ignored(const char *op, const char *id, void *ctx)
{
    (void)ctx;
    log_warn("account_change_ignored", "op=%s id=%s", op, id);
}

static void apply_change(l2ad *d, const redisReply *fields)
{
    const change_ops ops = {.upsert = apply_upsert, .remove = apply_delete,
                            .learn = apply_learned, .ignored = change_ignored, .ctx = d};
    size_t accounts = account_change_apply(fields, &ops);
    metrics_inc(d->metrics, METRIC_ACCOUNT_CHANGES, (double)accounts);
    snapshot_changes_applied(d, (long)accounts);
}

static void on_changes(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    l2ad *d = priv;
    d->following = false;
    if (!r)
        return;     /* the connection is gone: followed again when it is back */
    if (d->follow_sent_gen != d->follow_gen) {
        accsync_follow(d);    /* read for a matcher since replaced: read again from its position */
        return;
    }
    if (r->type == REDIS_REPLY_ARRAY) {
        for (size_t s = 0; s < r->elements; s++) {
            const redisReply *entries = r->element[s]->element[1];
            for (size_t i = 0; i < entries->elements; i++) {
                const redisReply *e = entries->element[i];
                snprintf(d->changes_pos, sizeof(d->changes_pos), "%s", e->element[0]->str);
                if (e->element[1]->type == REDIS_REPLY_ARRAY)
                    apply_change(d, e->element[1]);
            }
        }
        metrics_set(d->metrics, METRIC_ACCOUNTS_INDEXED, (double)matcher_accounts(d->m));
    } else if (r->type == REDIS_REPLY_ERROR) {
        log_err("account_changes_failed", "error=\"%s\"", log_q(r->str));
        ready_fail(d, READY_HANDSHAKE, r->str);   /* followed again once consuming */
        return;
    }
    accsync_follow(d);
}

void accsync_follow(l2ad *d)
{
    if (d->following || !d->index_loaded || l2ad_draining(d) || !aconn_up(d->follower))
        return;
    char block[16];
    snprintf(block, sizeof(block), "%d", d->cfg->block_ms);
    const char *argv[] = {"XREAD", "COUNT", "1000", "BLOCK", block, "STREAMS", d->k_changes,
                          d->changes_pos};
    if (aconn_cmd_argv(d->follower, on_changes, d, d->cfg->block_ms, 8, argv, NULL) == 0) {
        d->following = true;
        d->follow_sent_gen = d->follow_gen;
    }
}
