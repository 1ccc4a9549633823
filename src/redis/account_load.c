/* account_load.c - reading every account from Redis with a blocking connection: the change
 * stream's position first, then the id set page by page with pipelined HGETALLs, one page ahead. */
#include "account_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "rconn.h"

#define PAGE 2000

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

/* Sends, without waiting for a reply, the SSCAN of the page after next (when cursor is not NULL)
 * and then an HGETALL for every id of the next page. */
static int send_page(redisContext *c, const char *prefix, const char *set, const char *cursor,
                     const redisReply *ids, char *err, size_t errlen)
{
    if (cursor && redisAppendCommand(c, "SSCAN %s %s COUNT %d", set, cursor, PAGE) != REDIS_OK)
        return rconn_reply_error(c, NULL, "SSCAN of the account ids", err, errlen);
    for (size_t i = 0; i < ids->elements; i++) {
        char *key = key_account(prefix, ids->element[i]->str);
        const char *argv[] = {"HGETALL", key};
        int rc = redisAppendCommandArgv(c, 2, argv, NULL);
        free(key);
        if (rc != REDIS_OK)
            return rconn_reply_error(c, NULL, "HGETALL", err, errlen);
    }
    int done = 0;
    while (!done)
        if (redisBufferWrite(c, &done) != REDIS_OK)
            return rconn_reply_error(c, NULL, "HGETALL", err, errlen);
    return 0;
}

/* Reads n HGETALL replies, handing each account to cb as it comes. -1 on error. */
static long read_page(redisContext *c, size_t n, account_cb cb, void *ctx, char *err,
                      size_t errlen)
{
    long got = 0;
    for (size_t i = 0; i < n; i++) {
        redisReply *r = NULL;
        if (redisGetReply(c, (void **)&r) != REDIS_OK || !r || r->type != REDIS_REPLY_ARRAY)
            return rconn_reply_error(c, r, "HGETALL", err, errlen);
        if (r->elements) {
            account_rec a;
            account_from_pairs(r, &a);
            cb(&a, ctx);
            got++;
        }
        freeReplyObject(r);
    }
    return got;
}

static bool scan_ok(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
           r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_ARRAY;
}

/* The cursor a SSCAN reply gives for the page after it, or NULL at the end. */
static const char *scan_next(const redisReply *r)
{
    return strcmp(r->element[0]->str, "0") != 0 ? r->element[0]->str : NULL;
}

/* Pipelined one page ahead: the SSCAN of a page is sent before the HGETALLs of the page before
 * it, so once its reply is in, the next page's HGETALLs go out before this page's replies are
 * read and indexed, and Redis works while the index grows. */
long account_load_all(redisContext *c, const char *prefix, account_cb cb, void *ctx,
                      const atomic_bool *stop, char *pos, size_t poslen, char *err, size_t errlen)
{
    if (change_position(c, prefix, pos, poslen, err, errlen) != 0)
        return -1;
    char *set = key_accounts(prefix);
    long total = -1;
    redisReply *cur = redisCommand(c, "SSCAN %s 0 COUNT %d", set, PAGE), *next = NULL;
    if (!scan_ok(cur)) {
        rconn_reply_error(c, cur, "SSCAN of the account ids", err, errlen);
        cur = NULL;
        goto out;
    }
    if (send_page(c, prefix, set, scan_next(cur), cur->element[1], err, errlen) != 0)
        goto out;
    total = 0;
    while (cur) {
        if (stop && atomic_load(stop)) {
            snprintf(err, errlen, "stopped");
            total = -1;
            break;
        }
        if (scan_next(cur)) {
            if (redisGetReply(c, (void **)&next) != REDIS_OK || !scan_ok(next)) {
                total = rconn_reply_error(c, next, "SSCAN of the account ids", err, errlen);
                next = NULL;
                break;
            }
            if (send_page(c, prefix, set, scan_next(next), next->element[1], err, errlen) != 0) {
                total = -1;
                break;
            }
        }
        long n = read_page(c, cur->element[1]->elements, cb, ctx, err, errlen);
        if (n < 0) {
            total = -1;
            break;
        }
        total += n;
        freeReplyObject(cur);
        cur = next;
        next = NULL;
    }
out:
    if (cur)
        freeReplyObject(cur);
    if (next)
        freeReplyObject(next);
    free(set);
    return total;
}
