/* account_changes.h - the entries of the account change stream (l2a:accounts:changes) taken
 * apart: each account upserted or deleted, each fact learned or forgotten, handed to whoever
 * applies them (l2ad's index, a snapshot rewrite). */
#ifndef L2A_ACCOUNT_CHANGES_H
#define L2A_ACCOUNT_CHANGES_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>

#include "inputs.h"

/* What an entry holds, each call with strings borrowed for its duration. Any may be NULL. */
typedef struct change_ops {
    void (*upsert)(const account_rec *a, void *ctx);   /* a whole account, id and name set */
    void (*remove)(const char *id, void *ctx);
    /* op learn (learn true) or unlearn: the entry's field/value pairs, op included */
    void (*learn)(const char *const *kv, size_t n, bool learn, void *ctx);
    /* an entry or an account in it that is not one of the above: what it said */
    void (*ignored)(const char *op, const char *id, void *ctx);
    void *ctx;
} change_ops;

/* Applies one entry, its field/value array as XREAD or XRANGE gives it: op upsert (one account,
 * fields in any order), upserts (each `id` field starts the next account), rows (a batch's
 * accounts in two values, account_rows.h; a malformed one ignored whole), delete, learn,
 * unlearn. Returns the number of accounts it changed (deleted, upserted or ignored; 0 for a
 * learned fact). */
size_t account_change_apply(const redisReply *fields, const change_ops *ops);

/* Reads every entry after from (XRANGE pages) and applies each (account_change_apply); last gets
 * the id of the last one read (from when none), *entries (may be NULL) their count. Returns
 * the accounts they changed, or -1 with err set. */
long account_changes_read(redisContext *c, const char *prefix, const char *from,
                          const change_ops *ops, char *last, size_t lastlen, long long *entries,
                          char *err, size_t errlen);

#endif
