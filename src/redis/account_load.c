/* account_load.c - reading every account from Redis with a blocking connection: the change
 * stream's position first, then the id set page by page with pipelined HGETALLs. */
#include "account_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "rconn.h"

#define PAGE 1000

static int change_position(redisContext *c, const char *prefix, char *pos, size_t poslen,
                           char *err, size_t errlen)
{
    char *key = key_changes(prefix);
    redisReply *r = redisCommand(c, "XREVRANGE %s + - COUNT 1", key);
    free(key);
    if (!r || r->type != REDIS_REPLY_ARRAY)
        return rconn_reply_error(c, r, "XREVRANGE of the account changes", err, errlen);
    const char *id = "0-0";
    if (r->elements && r->element[0]->type == REDIS_REPLY_ARRAY && r->element[0]->elements)
        id = r->element[0]->element[0]->str;
    snprintf(pos, poslen, "%s", id);
    freeReplyObject(r);
    return 0;
}

static void account_from_pairs(const redisReply *r, account_rec *a)
{
    account_rec_init(a);
    for (size_t i = 0; i + 1 < r->elements; i += 2)
        if (r->element[i]->str && r->element[i + 1]->str)
            account_rec_set(a, r->element[i]->str, r->element[i + 1]->str);
}

/* HGETALL of every id of one SSCAN page, pipelined. Accounts handed to cb; -1 on error. */
static long load_page(redisContext *c, const char *prefix, const redisReply *ids, account_cb cb,
                      void *ctx, char *err, size_t errlen)
{
    for (size_t i = 0; i < ids->elements; i++) {
        char *key = key_account(prefix, ids->element[i]->str);
        int rc = redisAppendCommand(c, "HGETALL %s", key);
        free(key);
        if (rc != REDIS_OK)
            return rconn_reply_error(c, NULL, "HGETALL", err, errlen);
    }
    long n = 0;
    for (size_t i = 0; i < ids->elements; i++) {
        redisReply *r = NULL;
        if (redisGetReply(c, (void **)&r) != REDIS_OK || !r || r->type != REDIS_REPLY_ARRAY)
            return rconn_reply_error(c, r, "HGETALL", err, errlen);
        if (r->elements) {
            account_rec a;
            account_from_pairs(r, &a);
            cb(&a, ctx);
            n++;
        }
        freeReplyObject(r);
    }
    return n;
}

long account_load_all(redisContext *c, const char *prefix, account_cb cb, void *ctx,
                      const atomic_bool *stop, char *pos, size_t poslen, char *err, size_t errlen)
{
    if (change_position(c, prefix, pos, poslen, err, errlen) != 0)
        return -1;
    char *set = key_accounts(prefix);
    char cursor[64] = "0";
    long total = 0;
    do {
        if (stop && atomic_load(stop)) {
            snprintf(err, errlen, "stopped");
            total = -1;
            break;
        }
        redisReply *r = redisCommand(c, "SSCAN %s %s COUNT %d", set, cursor, PAGE);
        if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) {
            total = rconn_reply_error(c, r, "SSCAN of the account ids", err, errlen);
            break;
        }
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str ? r->element[0]->str : "0");
        long n = load_page(c, prefix, r->element[1], cb, ctx, err, errlen);
        freeReplyObject(r);
        if (n < 0) {
            total = -1;
            break;
        }
        total += n;
    } while (strcmp(cursor, "0") != 0);
    free(set);
    return total;
}
