/* accsync.c - the account index in step with Redis: the loader (loader.c) reads every account
 * from the change stream's position on; from there the change stream is followed, so no change
 * falls between load and follow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account_rows.h"
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

/* The reply element of field k in a stream entry's field/value array, or NULL. */
static const redisReply *entry_value(const redisReply *fields, const char *k)
{
    for (size_t i = 0; i + 1 < fields->elements; i += 2)
        if (fields->element[i]->str && strcmp(fields->element[i]->str, k) == 0)
            return fields->element[i + 1];
    return NULL;
}

/* The value of field k in a stream entry's field/value array, or NULL. */
static const char *entry_get(const redisReply *fields, const char *k)
{
    const redisReply *v = entry_value(fields, k);
    return v ? v->str : NULL;
}

/* op learn / unlearn: a fact learned from a review, or forgotten (learned.lua). */
static void apply_learned(l2ad *d, const redisReply *fields, bool learn)
{
    const char *kv[32];
    size_t n = 0;
    for (size_t i = 0; i + 1 < fields->elements && n + 2 <= ARRAY_LEN(kv); i += 2) {
        kv[n++] = fields->element[i]->str;
        kv[n++] = fields->element[i + 1]->str;
    }
    learned_fact f;
    bool ok = learned_from_pairs(kv, n, &f) &&
              (learn ? matcher_learn(d->m, &f) : (matcher_unlearn(d->m, &f), true));
    if (!ok)
        log_warn("learned_change_ignored", "op=%s name=\"%s\"", learn ? "learn" : "unlearn",
                 log_q(f.name ? f.name : "?"));
    metrics_inc(d->metrics, METRIC_ACCOUNT_CHANGES, 1);
}

/* Account a of an entry of op: into the index when it has an id and a name; freed. */
static void apply_account(l2ad *d, account_rec *a, const char *op)
{
    if (a->id && a->name)
        (void)matcher_upsert_account(d->m, a);
    else
        log_warn("account_change_ignored", "op=%s id=%s", op, a->id ? a->id : "?");
    account_rec_free(a);
}

/* One account of an upsert entry, fields[first..end). */
static void apply_upsert(l2ad *d, const redisReply *fields, size_t first, size_t end)
{
    account_rec a;
    account_rec_init(&a);
    for (size_t i = first; i + 1 < end; i += 2) {
        const char *k = fields->element[i]->str, *v = fields->element[i + 1]->str;
        if (k && v && strcmp(k, "op") != 0)
            account_rec_set(&a, k, v);
    }
    apply_account(d, &a, "upsert");
}

/* op upserts, written by a batch: `op upserts`, then per account `id <id>` and its other fields;
 * each `id` field starts the next account. Returns the number of accounts. */
static size_t apply_upserts(l2ad *d, const redisReply *fields)
{
    size_t accounts = 0;
    size_t n = fields->elements & ~(size_t)1, start = n;
    for (size_t i = 0; i < n; i += 2) {
        const char *k = fields->element[i]->str;
        if (!k || strcmp(k, "id") != 0)
            continue;
        if (start < n)
            apply_upsert(d, fields, start, i);
        start = i;
        accounts++;
    }
    if (start < n)
        apply_upsert(d, fields, start, n);
    return accounts;
}

/* One account of an `op rows` entry. */
static void apply_row(const account_field *fields, size_t n, void *ctx)
{
    l2ad *d = ctx;
    account_rec a;
    account_rec_init(&a);
    for (size_t i = 0; i < n; i++)
        account_rec_set(&a, fields[i].name, fields[i].value);
    apply_account(d, &a, "rows");
}

/* op rows, written by `l2a import-accounts`: the accounts of a batch in two values, `columns`
 * and `rows` (account_rows.h). Returns the number of accounts applied. */
static size_t apply_rows(l2ad *d, const redisReply *fields)
{
    const redisReply *cols = entry_value(fields, "columns"), *rows = entry_value(fields, "rows");
    char err[160];
    long n = -1;
    if (cols && rows && cols->str && rows->str)
        n = account_rows_read(cols->str, cols->len, rows->str, rows->len, apply_row, d, err,
                              sizeof(err));
    else
        snprintf(err, sizeof(err), "op rows: no columns or no rows");
    if (n < 0) {
        log_warn("account_change_ignored", "op=rows error=\"%s\"", log_q(err));
        return 0;
    }
    return (size_t)n;
}

static void apply_change(l2ad *d, const redisReply *fields)
{
    const char *op = entry_get(fields, "op");
    const char *id = entry_get(fields, "id");
    if (op && (strcmp(op, "learn") == 0 || strcmp(op, "unlearn") == 0)) {
        apply_learned(d, fields, strcmp(op, "learn") == 0);
        return;
    }
    size_t accounts = 1;
    if (op && id && strcmp(op, "delete") == 0)
        (void)matcher_delete_account(d->m, id);
    else if (op && strcmp(op, "upsert") == 0)
        apply_upsert(d, fields, 0, fields->elements); /* one account, its fields in any order */
    else if (op && strcmp(op, "upserts") == 0)
        accounts = apply_upserts(d, fields);
    else if (op && strcmp(op, "rows") == 0)
        accounts = apply_rows(d, fields);
    else
        log_warn("account_change_ignored", "op=%s id=%s", op ? op : "?", id ? id : "?");
    metrics_inc(d->metrics, METRIC_ACCOUNT_CHANGES, (double)accounts);
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
