/* snapshot_rewrite.c - a new account snapshot from the live one and the changes after it, with
 * no index: the changed accounts are read from the change stream into a map, the old chunks are
 * copied row by row (a changed account written as it is now, in its place; a deleted one left
 * out), the accounts new since are added at the end, and the result is published as current to
 * the last change read. */
#include "snapshot_rewrite.h"

#include <stdlib.h>
#include <string.h>

#include "account_changes.h"
#include "csv.h"
#include "strmap.h"

/* The accounts changed after the snapshot, each as it is now. */
typedef struct changed {
    strmap *ids;                 /* owned: account id -> index in rows */
    char ***rows;                /* owned: per account, its SNAPSHOT_COLUMNS values (each owned,
                                  * NULL for empty), or NULL when it was deleted */
    bool *written;               /* its row is in the new snapshot already */
    size_t n, cap;
} changed;

static char ***slot_for(changed *ch, const char *id)
{
    uint32_t at;
    if (!strmap_get(ch->ids, id, &at)) {
        if (ch->n == ch->cap) {
            ch->cap = ch->cap ? ch->cap * 2 : 256;
            ch->rows = xrealloc(ch->rows, ch->cap * sizeof(*ch->rows));
            ch->written = xrealloc(ch->written, ch->cap * sizeof(*ch->written));
        }
        at = (uint32_t)ch->n++;
        ch->rows[at] = NULL;
        ch->written[at] = false;
        strmap_put(ch->ids, id, at);
    }
    return &ch->rows[at];
}

static void row_free(char **row)
{
    if (!row)
        return;
    for (size_t i = 0; i < SNAPSHOT_COLUMNS; i++)
        free(row[i]);
    free(row);
}

static void on_upsert(const account_rec *a, void *ctx)
{
    char ***slot = slot_for(ctx, a->id);
    const char *cols[SNAPSHOT_COLUMNS];
    snapshot_columns(a, cols);
    row_free(*slot);
    *slot = xcalloc(SNAPSHOT_COLUMNS, sizeof(char *));
    for (size_t i = 0; i < SNAPSHOT_COLUMNS; i++)
        (*slot)[i] = cols[i] ? xstrdup(cols[i]) : NULL;
}

static void on_remove(const char *id, void *ctx)
{
    char ***slot = slot_for(ctx, id);
    row_free(*slot);
    *slot = NULL;
}

static void changed_free(changed *ch)
{
    for (size_t i = 0; i < ch->n; i++)
        row_free(ch->rows[i]);
    free(ch->rows);
    free(ch->written);
    strmap_free(ch->ids);
}

/* The old snapshot's rows into w, each changed account as it is now; then the new accounts. */
static int copy_rows(redisContext *c, const char *prefix, const snapshot_info *old,
                     changed *ch, snapshot_writer *w, char *why, size_t whylen)
{
    snapshot_src *s = snapshot_src_open(c, prefix, old, why, whylen);
    if (!s)
        return -1;
    csv_reader *r = csv_reader_new(snapshot_src_file(s));
    const csv_fields *row;
    char cerr[256] = "";
    int got, rows = 0;
    while ((got = csv_next_view(r, &row, cerr, sizeof(cerr))) > 0) {
        if (rows++ == 0 || row->n != SNAPSHOT_COLUMNS)
            continue;   /* the header row; a row of another shape cannot be in a snapshot */
        uint32_t at;
        if (!strmap_get(ch->ids, row->v[0], &at)) {
            snapshot_writer_add_row(w, (const char *const *)row->v);
        } else if (!ch->written[at]) {
            ch->written[at] = true;
            if (ch->rows[at])
                snapshot_writer_add_row(w, (const char *const *)ch->rows[at]);
        }
    }
    if (snapshot_src_error(s)[0])
        err_set(why, whylen, "%s", snapshot_src_error(s));
    else if (got < 0)
        err_set(why, whylen, "snapshot %s: %s", old->gen, cerr);
    csv_reader_free(r);
    snapshot_src_close(s);
    if (got < 0)
        return -1;
    for (size_t i = 0; i < ch->n; i++)
        if (!ch->written[i] && ch->rows[i])
            snapshot_writer_add_row(w, (const char *const *)ch->rows[i]);
    return 0;
}

int snapshot_rewrite(redisContext *rc, redisContext *wc, const char *prefix, const char *owner,
                     long min_changes, snapshot_rewrite_result *out, char *why, size_t whylen)
{
    memset(out, 0, sizeof(*out));
    out->behind = -1;
    snapshot_writer *w = snapshot_writer_begin(wc, prefix, owner, why, whylen);
    if (!w)
        return -1;
    snapshot_info old;
    changed ch = {.ids = strmap_new()};
    const change_ops ops = {.upsert = on_upsert, .remove = on_remove, .ctx = &ch};
    char last[64];
    long accounts = -1;
    long long entries = 0;
    int st = -1;
    if (snapshot_info_read(rc, prefix, &old, why, whylen) != 1 ||
        snapshot_stream_check(rc, prefix, old.changes_id, old.changes_added, why, whylen) != 0 ||
        (accounts = account_changes_read(rc, prefix, old.changes_id, &ops, last, sizeof(last),
                                         &entries, why, whylen)) < 0)
        goto out;
    out->behind = accounts;
    if (accounts < min_changes) {
        st = 0;                      /* recent enough (another worker rewrote it) */
        goto out;
    }
    if (copy_rows(rc, prefix, &old, &ch, w, why, whylen) == 0) {
        long long added = old.changes_added >= 0 ? old.changes_added + entries : -1;
        st = snapshot_writer_finish(w, last, added, &out->info, why, whylen) == 0 ? 1 : -1;
        w = NULL;
        out->written = st == 1;
        if (st == 1)
            out->behind = 0;
    }
out:
    snapshot_writer_abort(w);
    changed_free(&ch);
    return st;
}
