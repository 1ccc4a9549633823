/* import.h - load or update accounts from a CSV into Redis: per batch a check Function call, then
 * the changed accounts' writes in one MULTI/EXEC (import_batch.h). */
#ifndef L2A_IMPORT_H
#define L2A_IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

#include "util.h"

typedef struct import_stats {
    long read;       /* valid rows in the file */
    long added;      /* accounts that were not in Redis */
    long updated;    /* accounts whose fields changed */
    long unchanged;  /* accounts already stored exactly so */
    long deleted;    /* --delete-missing: accounts removed */
    long skipped;    /* rows without id or name, or with a wrong field count (warned about) */
    long repeated;   /* rows whose id an earlier row had (warned about; the later row wins and
                      * the id is counted once in added/updated/unchanged) */
    int snapshot;    /* the account snapshot: 1 written, 0 not, -1 not for a Redis error
                      * (snapshot_why says why) */
    char snapshot_why[512];
} import_stats;

/* Imports csv_path (accounts_read_csv) into Redis under prefix, pipelined (docs/redis-schema.md,
 * "How l2a import-accounts writes them"): for each row, l2a:account:<id> is replaced when its
 * fields differ (its digest in l2a:accounts:digests tells), the id added to l2a:accounts and the
 * account announced on l2a:accounts:changes ("rows" or "upsert" entries). With
 * delete_missing, every id in l2a:accounts that the file does not hold is then deleted (hash, set
 * member, "delete" entry); this is refused (-1) when the file has no valid row or some rows were
 * skipped, so a truncated or broken file cannot empty the store. Skipped rows and rows repeating
 * an earlier row's id (the later row wins; the id is counted once) are reported on stderr.
 * encoding: NULL for UTF-8, else the file's encoding (converted with iconv). Returns 0, or -1 with
 * a message in err (a bad file, a Redis error, a column named "op", which the changes entries
 * reserve); *st holds what was done up to the error. When Redis holds no account snapshot l2ad
 * could start from, one is written beside the import on snap_c (its own connection; NULL: none)
 * and published when the store then holds exactly the file's accounts (import_snapshot.h);
 * st->snapshot says whether. */
int import_accounts(redisContext *c, redisContext *snap_c, const char *prefix,
                    const char *csv_path, const char *encoding, bool delete_missing,
                    import_stats *st, char *err, size_t errlen) MUSTCHECK;

#endif
