/* account_load.h - every account in Redis, read with a blocking connection (account_load.c), or
 * read on a thread of its own while the caller indexes them (account_feed.c): what l2ad's loader
 * thread builds a new index from. */
#ifndef L2A_ACCOUNT_LOAD_H
#define L2A_ACCOUNT_LOAD_H

#include <hiredis/hiredis.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "inputs.h"
#include "util.h"

/* Takes the change stream's last id into pos (then "0-0" for an empty stream), then reads every
 * account of the id set (SSCAN pages, HGETALLs pipelined) and hands each to cb (the record is
 * the callee's: it frees it). Following the change stream from pos afterwards misses nothing.
 * stop (may be NULL), checked between pages, abandons the load ("stopped" in err). Returns the
 * number of accounts, or -1 with err set. */
long account_load_all(redisContext *c, const char *prefix, account_cb cb, void *ctx,
                      const atomic_bool *stop, char *pos, size_t poslen, char *err,
                      size_t errlen) MUSTCHECK;

/* account_load_all, with the reading (Redis, replies, records) on a thread it starts and joins:
 * cb still runs on the calling thread, for every account in the order read, and owns each record.
 * c is used by that thread only until the call returns. Same result, pos, stop and err. */
long account_feed_all(redisContext *c, const char *prefix, account_cb cb, void *ctx,
                      const atomic_bool *stop, char *pos, size_t poslen, char *err,
                      size_t errlen) MUSTCHECK;

#endif
