/* import_snapshot.h - the account snapshot a first import writes beside its own writes, so that
 * the first l2ad start after it reads the snapshot instead of every account hash. */
#ifndef L2A_IMPORT_SNAPSHOT_H
#define L2A_IMPORT_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

#include "inputs.h"
#include "snapshot.h"

typedef struct import_snapshot {
    redisContext *c;          /* borrowed: the snapshot's own connection (the import's is busy) */
    const char *prefix;       /* borrowed */
    snapshot_writer *w;       /* NULL: none written (why says why) */
    long long start_added;    /* the change stream's entries-added count before the import wrote */
    long rows;                /* accounts added to the snapshot */
    char why[512];
} import_snapshot;

/* Starts a snapshot when Redis holds none that l2ad could start from (else s->w stays NULL and
 * why says so): the writers' lock and a generation taken on c, the change stream's position
 * noted. Call before the import writes anything. */
void import_snapshot_begin(import_snapshot *s, redisContext *c, const char *prefix,
                           const char *owner);
/* One account of the file, as the import writes it. */
void import_snapshot_add(import_snapshot *s, const account_rec *a);
/* Gives the snapshot up (NULL-safe writer): why set unless it is already. */
void import_snapshot_drop(import_snapshot *s, const char *why);
/* After the import: publishes the snapshot when the store holds exactly the accounts added to it
 * (the account set's size is accounts, the count the import stored) and the change stream grew
 * by the import's own entries alone (entries: what its writes and deletes added), tagged with the
 * stream's position then; else drops it. Both are asked on c (the import's connection, idle by
 * then: the writer's own may still await a chunk's reply). 1 published, 0 not (why says why),
 * -1 on a Redis error (why). */
int import_snapshot_finish(import_snapshot *s, redisContext *c, long accounts, long long entries);

#endif
