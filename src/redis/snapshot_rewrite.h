/* snapshot_rewrite.h - the live account snapshot rewritten from itself and the changes after it
 * (snapshot_rewrite.c), by whichever worker takes the lock: no index needed. */
#ifndef L2A_SNAPSHOT_REWRITE_H
#define L2A_SNAPSHOT_REWRITE_H

#include "snapshot.h"

typedef struct snapshot_rewrite_result {
    bool written;                /* a new snapshot was published (info describes it) */
    long behind;                 /* account changes after the live snapshot once done (0 when
                                  * written; -1 when unknown) */
    snapshot_info info;
} snapshot_rewrite_result;

/* Takes the lock (owner) on wc, reads the live snapshot's pointer and the changes after it on
 * rc; with at least min_changes account changes, writes the snapshot again (wc) from its chunks
 * (rc) and those changes, current to the last change read. Returns 1 written, 0 not needed
 * (fewer changes: out->behind says how many), -1 with why set (the lock held by another worker,
 * no snapshot, changes trimmed, a Redis error). The lock is released either way. */
int snapshot_rewrite(redisContext *rc, redisContext *wc, const char *prefix, const char *owner,
                     long min_changes, snapshot_rewrite_result *out, char *why,
                     size_t whylen) MUSTCHECK;

#endif
