/* replay.h - the leads recorded in a time window, read back from Redis (never written): each
 * input stream entry of the window with the decision l2ad recorded for it, for `l2a replay`. */
#ifndef L2A_REPLAY_H
#define L2A_REPLAY_H

#include <hiredis/hiredis.h>
#include <stddef.h>

#include "inputs.h"
#include "util.h"

/* One recorded lead: the lead its entry carries and what l2ad recorded for it (l2a:lead:<id>).
 * Everything borrowed, valid during the callback only. */
typedef struct replay_lead {
    const char *entry_id;         /* the entry of l2a:leads (= the result's stream_id) */
    const lead *lead;
    const char *decision;         /* the recorded decision: match, review, no_match, invalid */
    const char *account_id;       /* the recorded account_id, or NULL */
    const char *reason;           /* the recorded reason, or "" */
} replay_lead;

typedef void (*replay_fn)(const replay_lead *r, void *ctx);

/* What replay_scan read and left out. */
typedef struct replay_stats {
    long entries;                 /* entries of the window read */
    long recorded;                /* handed to the callback */
    long unrecorded;              /* no result hash: not yet processed, or dead-lettered */
    long repeats;                 /* the lead's result came from another entry (a lead sent
                                   * again): it counts once, at the entry recorded */
    long unreadable;              /* no lead could be read (l2ad dead-letters such entries) */
} replay_stats;

/* Reads <prefix>leads from the entry ids at since_ms on (XRANGE in pages of page entries) and, per
 * page, the results of their leads (HMGET <prefix>lead:<id>, pipelined); calls fn for every entry
 * its lead's result was recorded from (its stream_id), so a lead sent several times is replayed
 * once. Leads are read as l2ad reads them (lead_from_entry under lim). Only reads: XRANGE and
 * HMGET. Memory: one page at a time. 0, or -1 with err set. */
int replay_scan(redisContext *c, const char *prefix, long long since_ms, const entry_limits *lim,
                size_t page, replay_fn fn, void *ctx, replay_stats *st, char *err,
                size_t errlen) MUSTCHECK;

#endif
