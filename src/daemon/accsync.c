/* accsync.c - the account index in step with Redis: the position of the change stream is taken
 * first, then every account is loaded (SSCAN of the id set, HGETALL each, pipelined), then the
 * change stream is followed from that position, so no change falls between load and follow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "keys.h"
#include "log.h"

#define LOAD_PAGE 1000

typedef struct load_page {
    l2ad *d;
    char *next_cursor;     /* owned: SSCAN cursor after this page */
    size_t left;           /* HGETALLs of this page not yet answered */
    bool failed;
} load_page;

static void scan_next(l2ad *d, const char *cursor);

static void account_from_pairs(const redisReply *r, account_rec *a)
{
    account_rec_init(a);
    for (size_t i = 0; i + 1 < r->elements; i += 2)
        if (r->element[i]->str && r->element[i + 1]->str)
            account_rec_set(a, r->element[i]->str, r->element[i + 1]->str);
}

static void upsert_pairs(l2ad *d, const redisReply *pairs)
{
    account_rec a;
    account_from_pairs(pairs, &a);
    (void)matcher_upsert_account(d->m, &a);
    account_rec_free(&a);
}

/* The load stopped (why): the state machine retries it after a backoff. */
static void load_failed(l2ad *d, const char *why)
{
    d->loading = false;
    ready_accounts_done(d, false, why);
}

static void load_finished(l2ad *d)
{
    d->loading = false;
    d->index_loaded = true;
    metrics_set(d->metrics, METRIC_ACCOUNTS_INDEXED, (double)matcher_accounts(d->m));
    log_notice("accounts_loaded", "accounts=%zu changes_from=%s", matcher_accounts(d->m), d->changes_pos);
    ready_accounts_done(d, true, NULL);
}

/* One reply of the page is in (or the sending is over): the last one moves on. */
static void page_step(load_page *p)
{
    l2ad *d = p->d;
    if (--p->left > 0)
        return;
    if (p->failed) {
        log_warn("accounts_load_interrupted", "accounts=%zu", matcher_accounts(d->m));
        load_failed(d, "account load interrupted");
    } else if (strcmp(p->next_cursor, "0") == 0) {
        load_finished(d);
    } else {
        if (matcher_accounts(d->m) % 100000 < LOAD_PAGE)
            log_info("accounts_loading", "accounts=%zu", matcher_accounts(d->m));
        scan_next(d, p->next_cursor);
    }
    free(p->next_cursor);
    free(p);
}

static void on_account(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    load_page *p = priv;
    if (!r || r->type == REDIS_REPLY_ERROR)
        p->failed = true;
    else if (r->type == REDIS_REPLY_ARRAY && r->elements)
        upsert_pairs(p->d, r);
    page_step(p);
}

static void on_scan(aconn *c, redisReply *r, void *priv)
{
    l2ad *d = priv;
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
        const char *why = !r ? "connection lost" :
                          r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply to SSCAN";
        log_err("accounts_scan_failed", "error=\"%s\"", log_q(why));
        load_failed(d, why);
        return;
    }
    const redisReply *ids = r->element[1];
    load_page *p = xcalloc(1, sizeof(*p));
    p->d = d;
    p->next_cursor = xstrdup(r->element[0]->str ? r->element[0]->str : "0");
    p->left = 1;     /* guard while sending */
    for (size_t i = 0; i < ids->elements; i++) {
        char *key = key_account(d->cfg->key_prefix, ids->element[i]->str);
        p->left++;
        if (aconn_cmd(c, on_account, p, 0, "HGETALL %s", key) != 0) {
            p->left--;
            p->failed = true;
        }
        free(key);
    }
    page_step(p);
}

static void scan_next(l2ad *d, const char *cursor)
{
    char n[16];
    snprintf(n, sizeof(n), "%d", LOAD_PAGE);
    if (aconn_cmd(d->follower, on_scan, d, 0, "SSCAN %s %s COUNT %s", d->k_accounts, cursor, n) != 0)
        load_failed(d, "connection lost");
}

static void on_changes_tail(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    l2ad *d = priv;
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        load_failed(d, !r ? "connection lost" :
                       r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply to XREVRANGE");
        return;
    }
    if (!d->changes_pos[0]) {
        const char *id = "0-0";
        if (r->elements && r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements)
            id = r->element[0]->element[0]->str;
        snprintf(d->changes_pos, sizeof(d->changes_pos), "%s", id);
    }
    log_info("accounts_loading", "accounts=0 changes_from=%s", d->changes_pos);
    scan_next(d, "0");
}

void accsync_start(l2ad *d)
{
    if (d->index_loaded) {
        ready_accounts_done(d, true, NULL);
        return;
    }
    if (d->loading)
        return;     /* the load in progress reports when done */
    d->loading = true;
    if (aconn_cmd(d->follower, on_changes_tail, d, 0, "XREVRANGE %s + - COUNT 1", d->k_changes) != 0)
        load_failed(d, "connection lost");
}

/* ---- following the change stream ---- */

static void apply_change(l2ad *d, const redisReply *fields)
{
    const char *op = NULL, *id = NULL;
    account_rec a;
    account_rec_init(&a);
    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        const char *k = fields->element[i]->str, *v = fields->element[i + 1]->str;
        if (!k || !v)
            continue;
        if (strcmp(k, "op") == 0)
            op = v;
        else
            account_rec_set(&a, k, v);
        if (strcmp(k, "id") == 0)
            id = v;
    }
    if (op && id && strcmp(op, "delete") == 0)
        (void)matcher_delete_account(d->m, id);
    else if (op && strcmp(op, "upsert") == 0 && a.id && a.name)
        (void)matcher_upsert_account(d->m, &a);
    else
        log_warn("account_change_ignored", "op=%s id=%s", op ? op : "?", id ? id : "?");
    account_rec_free(&a);
    metrics_inc(d->metrics, METRIC_ACCOUNT_CHANGES, 1);
}

static void on_changes(aconn *c, redisReply *r, void *priv)
{
    (void)c;
    l2ad *d = priv;
    d->following = false;
    if (!r)
        return;     /* the connection is gone: followed again when it is back */
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
    if (aconn_cmd_argv(d->follower, on_changes, d, d->cfg->block_ms, 8, argv, NULL) == 0)
        d->following = true;
}
