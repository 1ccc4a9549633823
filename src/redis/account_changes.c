/* account_changes.c - one entry of the account change stream taken apart (account_changes.h). */
#include "account_changes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "account_rows.h"
#include "keys.h"
#include "rconn.h"

#define PAGE "200" /* entries a read (an entry holds up to 1,000 values) */

/* The reply element of field k in an entry's field/value array, or NULL. */
static const redisReply *entry_value(const redisReply *fields, const char *k)
{
    for (size_t i = 0; i + 1 < fields->elements; i += 2)
        if (fields->element[i]->str && strcmp(fields->element[i]->str, k) == 0)
            return fields->element[i + 1];
    return NULL;
}

/* The value of field k in an entry's field/value array, or NULL. */
static const char *entry_get(const redisReply *fields, const char *k)
{
    const redisReply *v = entry_value(fields, k);
    return v ? v->str : NULL;
}

/* op learn / unlearn: the pairs as they come (a fact has a few fields). */
static void learned(const redisReply *fields, bool learn, const change_ops *ops)
{
    const char *kv[32];
    size_t n = 0;
    for (size_t i = 0; i + 1 < fields->elements && n + 2 <= ARRAY_LEN(kv); i += 2) {
        kv[n++] = fields->element[i]->str;
        kv[n++] = fields->element[i + 1]->str;
    }
    if (ops->learn)
        ops->learn(kv, n, learn, ops->ctx);
}

/* One account of an upsert entry, fields[first..end): passed on when it has an id and a name. */
static void upsert(const redisReply *fields, size_t first, size_t end, const change_ops *ops)
{
    account_rec a;
    account_rec_init(&a);
    for (size_t i = first; i + 1 < end; i += 2) {
        const char *k = fields->element[i]->str, *v = fields->element[i + 1]->str;
        if (k && v && strcmp(k, "op") != 0)
            account_rec_set(&a, k, v);
    }
    if (a.id && a.name) {
        if (ops->upsert)
            ops->upsert(&a, ops->ctx);
    } else if (ops->ignored) {
        ops->ignored("upsert", a.id ? a.id : "?", ops->ctx);
    }
    account_rec_free(&a);
}

/* op upserts: `op upserts`, then per account `id <id>` and its other fields. */
static size_t upserts(const redisReply *fields, const change_ops *ops)
{
    size_t accounts = 0;
    size_t n = fields->elements & ~(size_t)1, start = n;
    for (size_t i = 0; i < n; i += 2) {
        const char *k = fields->element[i]->str;
        if (!k || strcmp(k, "id") != 0)
            continue;
        if (start < n)
            upsert(fields, start, i, ops);
        start = i;
        accounts++;
    }
    if (start < n)
        upsert(fields, start, n, ops);
    return accounts;
}

/* One account of an op rows entry (account_rows.h): passed on when it has an id and a name. */
static void row_account(const account_field *f, size_t n, void *ctx)
{
    const change_ops *ops = ctx;
    account_rec a;
    account_rec_init(&a);
    for (size_t i = 0; i < n; i++)
        account_rec_set(&a, f[i].name, f[i].value);
    if (a.id && a.name) {
        if (ops->upsert)
            ops->upsert(&a, ops->ctx);
    } else if (ops->ignored) {
        ops->ignored("rows", a.id ? a.id : "?", ops->ctx);
    }
    account_rec_free(&a);
}

/* op rows (`l2a import-accounts`): a batch's accounts in the two values `columns` and `rows`.
 * A malformed entry is ignored whole. Returns its accounts. */
static size_t rows(const redisReply *fields, const change_ops *ops)
{
    const redisReply *cols = entry_value(fields, "columns"), *vals = entry_value(fields, "rows");
    char err[160];
    long n = -1;
    if (cols && vals && cols->str && vals->str)
        n = account_rows_read(cols->str, cols->len, vals->str, vals->len, row_account,
                              (void *)ops, err, sizeof(err));
    if (n >= 0)
        return (size_t)n;
    if (ops->ignored)
        ops->ignored("rows", "?", ops->ctx);
    return 0;
}

size_t account_change_apply(const redisReply *fields, const change_ops *ops)
{
    const char *op = entry_get(fields, "op");
    const char *id = entry_get(fields, "id");
    if (op && (strcmp(op, "learn") == 0 || strcmp(op, "unlearn") == 0)) {
        learned(fields, strcmp(op, "learn") == 0, ops);
        return 0;
    }
    if (op && id && strcmp(op, "delete") == 0) {
        if (ops->remove)
            ops->remove(id, ops->ctx);
    } else if (op && strcmp(op, "upsert") == 0) {
        upsert(fields, 0, fields->elements, ops);
    } else if (op && strcmp(op, "upserts") == 0) {
        return upserts(fields, ops);
    } else if (op && strcmp(op, "rows") == 0) {
        return rows(fields, ops);
    } else if (ops->ignored) {
        ops->ignored(op ? op : "?", id ? id : "?", ops->ctx);
    }
    return 1;
}

long account_changes_read(redisContext *c, const char *prefix, const char *from,
                          const change_ops *ops, char *last, size_t lastlen, long long *entries,
                          char *err, size_t errlen)
{
    char *key = key_changes(prefix), start[80];
    long accounts = 0;
    long long n = 0;
    snprintf(last, lastlen, "%s", from);
    for (;;) {
        snprintf(start, sizeof(start), "(%s", last);
        const char *argv[] = {"XRANGE", key, start, "+", "COUNT", PAGE};
        redisReply *r = rconn_command(c, 6, argv, NULL, err, errlen);
        if (!r || r->type != REDIS_REPLY_ARRAY) {
            accounts = r ? rconn_reply_error(c, r, "XRANGE of the account changes", err, errlen)
                         : -1;
            break;
        }
        for (size_t i = 0; i < r->elements; i++) {
            const redisReply *e = r->element[i];
            snprintf(last, lastlen, "%s", e->element[0]->str);
            n++;
            if (e->element[1]->type == REDIS_REPLY_ARRAY)
                accounts += (long)account_change_apply(e->element[1], ops);
        }
        bool more = r->elements > 0;
        freeReplyObject(r);
        if (!more)
            break;
    }
    if (entries)
        *entries = n;
    free(key);
    return accounts;
}
