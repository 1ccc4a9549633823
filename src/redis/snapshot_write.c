/* snapshot_write.c - an account snapshot written: the writers' lock and a new generation taken,
 * accounts appended as CSV rows, each full chunk SET (one in flight) with an expiry, then the
 * generation published by the snapshot_publish Function, which checks the lock. */
#include "snapshot.h"

#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "functions.h"
#include "keys.h"
#include "rconn.h"
#include "text.h"

struct snapshot_writer {
    redisContext *c;             /* borrowed */
    char *prefix;                /* owned */
    char *owner;                 /* owned: the lock's value */
    char gen[24];
    long chunks;                 /* chunks written (or in flight) */
    long accounts;
    long long bytes;
    strbuf body;                 /* the chunk being filled */
    strbuf out;                  /* the chunk in flight (header + body) */
    bool in_flight;              /* a SET's reply is still to be read */
    char err[512];               /* the first error ("" none) */
};

static int lock_take(snapshot_writer *w, char *why, size_t whylen)
{
    char *lock = key_snapshot_lock(w->prefix), *seq = key_snapshot_seq(w->prefix);
    char ms[24];
    snprintf(ms, sizeof(ms), "%d", SNAPSHOT_LOCK_MS);
    const char *set[] = {"SET", lock, w->owner, "NX", "PX", ms};
    const char *incr[] = {"INCR", seq};
    redisReply *r = rconn_command(w->c, 6, set, NULL, why, whylen), *g = NULL;
    int rc = -1;
    if (r && r->type == REDIS_REPLY_NIL) {
        freeReplyObject(r);
        r = redisCommand(w->c, "GET %s", lock);
        err_set(why, whylen, "the snapshot lock %s is held by %s", lock,
                r && r->type == REDIS_REPLY_STRING ? r->str : "another worker");
    } else if (r && (g = rconn_command(w->c, 2, incr, NULL, why, whylen)) != NULL) {
        if (g->type == REDIS_REPLY_INTEGER) {
            snprintf(w->gen, sizeof(w->gen), "%lld", g->integer);
            rc = 0;
        } else {
            err_set(why, whylen, "INCR %s: unexpected reply", seq);
        }
    }
    if (r)
        freeReplyObject(r);
    if (g)
        freeReplyObject(g);
    free(lock);
    free(seq);
    return rc;
}

static void writer_free(snapshot_writer *w)
{
    sb_free(&w->body);
    sb_free(&w->out);
    free(w->prefix);
    free(w->owner);
    free(w);
}

snapshot_writer *snapshot_writer_begin(redisContext *c, const char *prefix, const char *owner,
                                       char *why, size_t whylen)
{
    snapshot_writer *w = xcalloc(1, sizeof(*w));
    w->c = c;
    w->prefix = xstrdup(prefix);
    w->owner = xstrdup(owner);
    sb_init(&w->body);
    sb_init(&w->out);
    if (lock_take(w, why, whylen) != 0) {
        writer_free(w);
        return NULL;
    }
    sb_append(&w->body, snapshot_header_row);
    return w;
}

/* Reads the reply of the chunk in flight. */
static void collect(snapshot_writer *w)
{
    if (!w->in_flight)
        return;
    w->in_flight = false;
    redisReply *r = NULL;
    if (redisGetReply(w->c, (void **)&r) != REDIS_OK || !r || r->type != REDIS_REPLY_STATUS) {
        if (!w->err[0])
            rconn_reply_error(w->c, r, "SET of a snapshot chunk", w->err, sizeof(w->err));
        else if (r)
            freeReplyObject(r);
        return;
    }
    freeReplyObject(r);
}

/* Sends the chunk filled so far (after the reply of the one before). */
static void flush(snapshot_writer *w)
{
    collect(w);
    if (w->err[0])
        return;
    char id[64], ms[24];
    snapshot_chunk_id(id, sizeof(id), w->gen, w->chunks);
    snprintf(ms, sizeof(ms), "%d", SNAPSHOT_LOCK_MS);
    sb_reset(&w->out);
    snapshot_chunk_make(&w->out, w->gen, w->chunks, w->body.buf, w->body.len);
    w->bytes += (long long)w->body.len;
    sb_reset(&w->body);
    char *key = key_snapshot_chunk(w->prefix, id);
    const char *argv[] = {"SET", key, w->out.buf, "PX", ms};
    size_t lens[] = {3, strlen(key), w->out.len, 2, strlen(ms)};
    int done = 0, rc = redisAppendCommandArgv(w->c, 5, argv, lens);
    free(key);
    while (rc == REDIS_OK && !done)
        rc = redisBufferWrite(w->c, &done);
    if (rc != REDIS_OK) {
        rconn_reply_error(w->c, NULL, "SET of a snapshot chunk", w->err, sizeof(w->err));
        return;
    }
    w->in_flight = true;
    w->chunks++;
}

void snapshot_writer_add_row(snapshot_writer *w, const char *const *cols)
{
    if (w->err[0] || !cols[0] || !cols[0][0] || !cols[1] || !cols[1][0])
        return;
    size_t start = w->body.len;
    for (size_t i = 0; i < SNAPSHOT_COLUMNS; i++) {
        if (cols[i] && !utf8_valid(cols[i], strlen(cols[i]))) {
            err_set(w->err, sizeof(w->err), "account %.100s: column %zu is not UTF-8", cols[0],
                    i + 1);
            return;
        }
        if (i)
            sb_putc(&w->body, ',');
        csv_append_field(&w->body, cols[i]);
    }
    sb_putc(&w->body, '\n');
    w->accounts++;
    if (w->body.len >= SNAPSHOT_CHUNK_BYTES && start > 0) {
        /* the row goes to the next chunk: it began past the limit's reach */
        char *row = xstrdup(w->body.buf + start);
        w->body.len = start;
        w->body.buf[start] = '\0';
        flush(w);
        sb_append(&w->body, row);
        free(row);
    }
}

void snapshot_columns(const account_rec *a, const char **cols)
{
    const char *all[SNAPSHOT_COLUMNS] = {a->id,      a->name,     a->domains,
                                         a->type,    a->parent_id, a->country,
                                         a->owner_id, a->employees, a->last_activity};
    memcpy(cols, all, sizeof(all));
}

void snapshot_writer_add(snapshot_writer *w, const account_rec *a)
{
    const char *cols[SNAPSHOT_COLUMNS];
    snapshot_columns(a, cols);
    snapshot_writer_add_row(w, cols);
}

static void release(snapshot_writer *w)
{
    char *lock = key_snapshot_lock(w->prefix), err[256];
    const char *argv[] = {"1", lock, w->owner};
    redisReply *r = functions_call(w->c, FN_SNAPSHOT_UNLOCK, 3, argv, err, sizeof(err));
    if (r)
        freeReplyObject(r);
    free(lock);
}

void snapshot_writer_abort(snapshot_writer *w)
{
    if (!w)
        return;
    collect(w);
    release(w);
    writer_free(w);
}

static int publish(snapshot_writer *w, const char *changes_id, long long changes_added,
                   snapshot_info *out, char *why, size_t whylen)
{
    char *lock = key_snapshot_lock(w->prefix), *ptr = key_snapshot(w->prefix);
    char chunks[24], accounts[24], bytes[24], ms[24], added[24];
    double now = epoch_ms_now();
    snprintf(chunks, sizeof(chunks), "%ld", w->chunks);
    snprintf(accounts, sizeof(accounts), "%ld", w->accounts);
    snprintf(bytes, sizeof(bytes), "%lld", w->bytes);
    snprintf(ms, sizeof(ms), "%.0f", now);
    snprintf(added, sizeof(added), "%lld", changes_added);
    const char *argv[] = {"2", lock, ptr, w->prefix, w->owner, w->gen, chunks,
                          "format", SNAPSHOT_FORMAT, "changes_id", changes_id,
                          "changes_added", added,
                          "accounts", accounts, "bytes", bytes, "written_ms", ms,
                          "written_by", w->owner};
    redisReply *r = functions_call(w->c, FN_SNAPSHOT_PUBLISH, (int)ARRAY_LEN(argv), argv, why,
                                   whylen);
    int rc = -1;
    if (r && r->type == REDIS_REPLY_INTEGER && r->integer == 1) {
        rc = 0;
    } else if (r && r->type == REDIS_REPLY_INTEGER) {
        err_set(why, whylen, "the snapshot lock %s was lost before publishing", lock);
    } else if (r) {
        err_set(why, whylen, "%s: %s", functions_name(FN_SNAPSHOT_PUBLISH),
                r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    }
    if (r)
        freeReplyObject(r);
    if (rc == 0 && out) {
        memset(out, 0, sizeof(*out));
        snprintf(out->gen, sizeof(out->gen), "%s", w->gen);
        snprintf(out->changes_id, sizeof(out->changes_id), "%s", changes_id);
        out->changes_added = changes_added;
        snprintf(out->written_by, sizeof(out->written_by), "%s", w->owner);
        out->chunks = w->chunks;
        out->accounts = w->accounts;
        out->bytes = w->bytes;
        out->written_ms = (long long)now;
    }
    free(lock);
    free(ptr);
    return rc;
}

int snapshot_writer_finish(snapshot_writer *w, const char *changes_id, long long changes_added,
                           snapshot_info *out, char *why, size_t whylen)
{
    if (w->body.len > 0 || w->chunks == 0)
        flush(w);
    collect(w);
    int rc = -1;
    if (w->err[0])
        err_set(why, whylen, "%s", w->err);
    else
        rc = publish(w, changes_id, changes_added, out, why, whylen);
    if (rc != 0)
        release(w);
    writer_free(w);
    return rc;
}
