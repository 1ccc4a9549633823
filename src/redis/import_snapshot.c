/* import_snapshot.c - the account snapshot a first import writes beside its own writes: the
 * accounts of the file, published only when the store then holds exactly them and the change
 * stream holds nothing but the import's own entries since it began, so that the snapshot is the
 * store as of the stream's position it is tagged with. */
#include "import_snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "rconn.h"

/* Whether Redis holds a snapshot l2ad could start from (its pointer readable and the change
 * stream still holding every entry after it); -1 on a Redis error (why set). */
static int usable_snapshot(import_snapshot *s)
{
    snapshot_info info;
    char why[256];
    int got = snapshot_info_read(s->c, s->prefix, &info, why, sizeof(why));
    if (got < 0) {
        snprintf(s->why, sizeof(s->why), "%s", why);
        return -1;
    }
    return got == 1 &&
           snapshot_stream_check(s->c, s->prefix, info.changes_id, info.changes_added, why,
                                 sizeof(why)) == 0;
}

void import_snapshot_begin(import_snapshot *s, redisContext *c, const char *prefix,
                           const char *owner)
{
    memset(s, 0, sizeof(*s));
    s->c = c;
    s->prefix = prefix;
    int usable = usable_snapshot(s);
    if (usable != 0) {
        if (usable > 0)
            snprintf(s->why, sizeof(s->why), "Redis holds a snapshot l2ad starts from");
        return;
    }
    char start_id[64];   /* (only the count is compared at the end) */
    if (snapshot_stream_position(c, prefix, start_id, sizeof(start_id), &s->start_added, s->why,
                                 sizeof(s->why)) != 0)
        return;
    if (s->start_added < 0) {
        snprintf(s->why, sizeof(s->why), "this Redis does not count stream entries (before 7)");
        return;
    }
    s->w = snapshot_writer_begin(c, prefix, owner, s->why, sizeof(s->why));
}

void import_snapshot_add(import_snapshot *s, const account_rec *a)
{
    if (!s->w)
        return;
    snapshot_writer_add(s->w, a);
    s->rows++;
}

void import_snapshot_drop(import_snapshot *s, const char *why)
{
    if (!s->w)
        return;
    snapshot_writer_abort(s->w);
    s->w = NULL;
    if (!s->why[0])
        snprintf(s->why, sizeof(s->why), "%s", why);
}

/* The account set's size into *n, asked on c: 0, or -1 (why set). */
static int accounts_stored(import_snapshot *s, redisContext *c, long long *n)
{
    char *key = key_accounts(s->prefix);
    const char *argv[] = {"SCARD", key};
    redisReply *r = rconn_command(c, 2, argv, NULL, s->why, sizeof(s->why));
    free(key);
    if (!r)
        return -1;
    int rc = r->type == REDIS_REPLY_INTEGER ? 0 : -1;
    if (rc == 0)
        *n = r->integer;
    else
        snprintf(s->why, sizeof(s->why), "SCARD of the account set: unexpected reply");
    freeReplyObject(r);
    return rc;
}

int import_snapshot_finish(import_snapshot *s, redisContext *c, long accounts, long long entries)
{
    if (!s->w)
        return 0;
    long long stored, added;
    char end_id[64];
    if (accounts_stored(s, c, &stored) != 0 ||
        snapshot_stream_position(c, s->prefix, end_id, sizeof(end_id), &added, s->why,
                                 sizeof(s->why)) != 0) {
        import_snapshot_drop(s, "");
        return -1;
    }
    if (stored != accounts || s->rows != accounts) {
        snprintf(s->why, sizeof(s->why), "Redis holds %lld accounts, the file %ld", stored,
                 accounts);
        import_snapshot_drop(s, "");
        return 0;
    }
    if (added - s->start_added != entries) {
        snprintf(s->why, sizeof(s->why), "accounts changed meanwhile by another writer");
        import_snapshot_drop(s, "");
        return 0;
    }
    snapshot_writer *w = s->w;
    s->w = NULL;
    return snapshot_writer_finish(w, end_id, added, NULL, s->why, sizeof(s->why)) == 0 ? 1 : -1;
}
