/* account_load.h - every account in Redis, read with a blocking connection (account_load.c): what
 * l2ad's loader thread builds a new index from. */
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

#endif
