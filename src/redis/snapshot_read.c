/* snapshot_read.c - the live account snapshot read back: its pointer, the check that the change
 * stream still holds every change after it, and its chunks (a few pipelined GETs) as one CSV
 * stream that the engine's bulk load builds the index from. */
#define _GNU_SOURCE /* fopencookie */
#include "snapshot.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "rconn.h"

#define WINDOW 3 /* chunk GETs outstanding at once */

/* ---- the pointer ---- */

static const char *pair_get(const redisReply *r, const char *k)
{
    for (size_t i = 0; i + 1 < r->elements; i += 2)
        if (r->element[i]->type == REDIS_REPLY_STRING && strcmp(r->element[i]->str, k) == 0)
            return r->element[i + 1]->type == REDIS_REPLY_STRING ? r->element[i + 1]->str : NULL;
    return NULL;
}

static bool copy_field(const redisReply *r, const char *k, char *buf, size_t len)
{
    const char *v = pair_get(r, k);
    if (!v || !v[0] || strlen(v) >= len)
        return false;
    memcpy(buf, v, strlen(v) + 1);
    return true;
}

static bool long_field(const redisReply *r, const char *k, long long *out)
{
    const char *v = pair_get(r, k);
    char *end;
    if (!v || !v[0])
        return false;
    errno = 0;
    *out = strtoll(v, &end, 10);
    return errno == 0 && *end == '\0' && *out >= 0;
}

int snapshot_info_read(redisContext *c, const char *prefix, snapshot_info *out, char *why,
                       size_t whylen)
{
    char *key = key_snapshot(prefix);
    redisReply *r = redisCommand(c, "HGETALL %s", key);
    int rc = 0;
    long long chunks, accounts, bytes = 0, written = 0;
    memset(out, 0, sizeof(*out));
    if (!r || r->type != REDIS_REPLY_ARRAY) {
        rc = rconn_reply_error(c, r, "HGETALL of the snapshot pointer", why, whylen);
        r = NULL;
    } else if (r->elements == 0) {
        err_set(why, whylen, "no snapshot (%s absent)", key);
    } else if (!pair_get(r, "format") || strcmp(pair_get(r, "format"), SNAPSHOT_FORMAT) != 0) {
        err_set(why, whylen, "snapshot format %.20s, this l2ad reads format " SNAPSHOT_FORMAT,
                pair_get(r, "format") ? pair_get(r, "format") : "(none)");
    } else if (!copy_field(r, "gen", out->gen, sizeof(out->gen)) ||
               !copy_field(r, "changes_id", out->changes_id, sizeof(out->changes_id)) ||
               !long_field(r, "chunks", &chunks) || chunks < 1 ||
               !long_field(r, "accounts", &accounts)) {
        err_set(why, whylen, "snapshot pointer %s lacks gen, changes_id, chunks or accounts", key);
    } else {
        if (!long_field(r, "changes_added", &out->changes_added))
            out->changes_added = -1;
        (void)long_field(r, "bytes", &bytes);
        (void)long_field(r, "written_ms", &written);
        (void)copy_field(r, "written_by", out->written_by, sizeof(out->written_by));
        out->chunks = (long)chunks;
        out->accounts = (long)accounts;
        out->bytes = bytes;
        out->written_ms = written;
        rc = 1;
    }
    if (r)
        freeReplyObject(r);
    free(key);
    return rc;
}

/* ---- the change stream ---- */

typedef struct stream_id {
    uint64_t ms, seq;
} stream_id;

static bool id_parse(const char *s, stream_id *out)
{
    return s && sscanf(s, "%" SCNu64 "-%" SCNu64, &out->ms, &out->seq) == 2;
}

static int id_cmp(stream_id a, stream_id b)
{
    if (a.ms != b.ms)
        return a.ms < b.ms ? -1 : 1;
    return a.seq < b.seq ? -1 : a.seq > b.seq;
}

/* The id of XINFO STREAM's first-entry ([id, fields], or nil): false when there is none. */
static bool first_entry_id(const redisReply *info, stream_id *out)
{
    for (size_t i = 0; i + 1 < info->elements; i += 2) {
        const redisReply *k = info->element[i], *v = info->element[i + 1];
        if (k->type == REDIS_REPLY_STRING && strcmp(k->str, "first-entry") == 0)
            return v->type == REDIS_REPLY_ARRAY && v->elements >= 1 &&
                   v->element[0]->type == REDIS_REPLY_STRING && id_parse(v->element[0]->str, out);
    }
    return false;
}

static bool count_field(const redisReply *info, const char *k, long long *out)
{
    const redisReply *v = NULL;
    for (size_t i = 0; i + 1 < info->elements; i += 2)
        if (info->element[i]->type == REDIS_REPLY_STRING && strcmp(info->element[i]->str, k) == 0)
            v = info->element[i + 1];
    if (!v || v->type != REDIS_REPLY_INTEGER)
        return false;
    *out = v->integer;
    return true;
}

/* Whether changes after snap may be gone, judged by XINFO STREAM's reply: why set. added is the
 * stream's entries-added as of snap (-1 unknown). Trimming (XTRIM, XADD MAXLEN) takes entries
 * from the head and, in Redis 7.0, leaves max-deleted-entry-id alone (XDEL sets it). So when the
 * first entry is newer than snap (or none is left), every entry left came after snap, and none
 * is missing when there are as many as were added since (entries-added, Redis 7). Without
 * that count, any first entry newer than snap makes it unusable. */
static bool changes_lost(const redisReply *info, const char *snap_text, stream_id snap,
                         long long added, char *why, size_t whylen)
{
    stream_id last, deleted, first;
    long long now_added, length;
    bool has_last = id_parse(pair_get(info, "last-generated-id"), &last);
    bool has_first = first_entry_id(info, &first);
    bool counted = added >= 0 && count_field(info, "entries-added", &now_added) &&
                   count_field(info, "length", &length);
    if ((has_last && id_cmp(last, snap) < 0) || (counted && now_added < added)) {
        err_set(why, whylen, "the change stream ends before the snapshot's id %s (the stream "
                "was deleted and made again)", snap_text);
        return true;
    }
    if (id_parse(pair_get(info, "max-deleted-entry-id"), &deleted) && id_cmp(deleted, snap) > 0) {
        err_set(why, whylen, "changes after the snapshot's id %s were deleted from the stream "
                "(max-deleted-entry-id %s)", snap_text, pair_get(info, "max-deleted-entry-id"));
        return true;
    }
    if (has_first && id_cmp(first, snap) <= 0)
        return false;
    bool lost = counted ? length < now_added - added
                        : has_first || (has_last && id_cmp(last, snap) > 0);
    if (lost)
        err_set(why, whylen, "changes after the snapshot's id %s were trimmed from the stream",
                snap_text);
    return lost;
}

int snapshot_stream_check(redisContext *c, const char *prefix, const char *id, long long added,
                          char *why, size_t whylen)
{
    stream_id snap;
    if (!id_parse(id, &snap)) {
        err_set(why, whylen, "the snapshot's changes id \"%.60s\" is not a stream id", id);
        return -1;
    }
    char *key = key_changes(prefix);
    redisReply *r = redisCommand(c, "XINFO STREAM %s", key);
    int rc = 0;
    if (r && r->type == REDIS_REPLY_ERROR && strstr(r->str, "no such key")) {
        if (snap.ms || snap.seq) {
            err_set(why, whylen, "the change stream %s is gone (the snapshot is current to %s)",
                    key, id);
            rc = -1;
        }
    } else if (!r || r->type != REDIS_REPLY_ARRAY) {
        rc = rconn_reply_error(c, r, "XINFO STREAM of the account changes", why, whylen);
        r = NULL;
    } else if (changes_lost(r, id, snap, added, why, whylen)) {
        rc = -1;
    }
    if (r)
        freeReplyObject(r);
    free(key);
    return rc;
}

int snapshot_stream_position(redisContext *c, const char *prefix, char *id, size_t idlen,
                             long long *added, char *why, size_t whylen)
{
    char *key = key_changes(prefix);
    snprintf(id, idlen, "0-0");
    *added = 0;
    /* no stream yet: asked first, so that XINFO's "no such key" error (which Redis counts in
     * its errorstats, watched by ops alerts) is not the answer on a new store */
    redisReply *r = redisCommand(c, "EXISTS %s", key);
    bool absent = r && r->type == REDIS_REPLY_INTEGER && r->integer == 0;
    if (r)
        freeReplyObject(r);
    if (absent) {
        free(key);
        return 0;
    }
    r = redisCommand(c, "XINFO STREAM %s", key);
    int rc = 0;
    if (r && r->type == REDIS_REPLY_ARRAY && pair_get(r, "last-generated-id")) {
        snprintf(id, idlen, "%s", pair_get(r, "last-generated-id"));
        if (!count_field(r, "entries-added", added))
            *added = -1;
    } else if (!(r && r->type == REDIS_REPLY_ERROR && strstr(r->str, "no such key"))) {
        rc = rconn_reply_error(c, r, "XINFO STREAM of the account changes", why, whylen);
        r = NULL;
    }
    if (r)
        freeReplyObject(r);
    free(key);
    return rc;
}

/* ---- the chunks as one stream ---- */

struct snapshot_src {
    redisContext *c;             /* borrowed */
    const char *prefix;          /* borrowed */
    snapshot_info info;
    long sent, got;              /* chunk GETs sent, replies read */
    redisReply *cur;             /* the chunk being read (owned) */
    const char *body;            /* its text, and what is left of it */
    size_t left;
    FILE *f;
    const atomic_bool *stop;     /* borrowed, may be NULL: set, the stream ends ("stopped") */
    double wait_ms;              /* spent in redisGetReply */
    char err[512];
};

static int send_get(snapshot_src *s)
{
    char id[64];
    snapshot_chunk_id(id, sizeof(id), s->info.gen, s->sent);
    char *key = key_snapshot_chunk(s->prefix, id);
    int rc = redisAppendCommand(s->c, "GET %s", key);
    free(key);
    if (rc != REDIS_OK)
        return rconn_reply_error(s->c, NULL, "GET of a snapshot chunk", s->err, sizeof(s->err));
    s->sent++;
    return 0;
}

/* The next chunk in s->cur (its next GET sent first): 1, 0 after the last, -1 with s->err. */
static int next_chunk(snapshot_src *s)
{
    if (s->cur)
        freeReplyObject(s->cur);
    s->cur = NULL;
    if (s->got == s->info.chunks)
        return 0;
    if (s->sent < s->info.chunks && send_get(s) != 0)
        return -1;
    redisReply *r = NULL;
    double t0 = epoch_ms_now();
    int rc = redisGetReply(s->c, (void **)&r);
    s->wait_ms += epoch_ms_now() - t0;
    if (rc != REDIS_OK || !r)
        return rconn_reply_error(s->c, r, "GET of a snapshot chunk", s->err, sizeof(s->err));
    s->got++;
    s->cur = r;
    if (r->type == REDIS_REPLY_NIL) {
        err_set(s->err, sizeof(s->err), "chunk %s:%ld of the snapshot is missing", s->info.gen,
                s->got - 1);
        return -1;
    }
    if (r->type != REDIS_REPLY_STRING) {
        err_set(s->err, sizeof(s->err), "chunk %s:%ld: %s", s->info.gen, s->got - 1,
                r->type == REDIS_REPLY_ERROR ? r->str : "not a string");
        return -1;
    }
    return snapshot_chunk_body(r->str, r->len, s->info.gen, s->got - 1, &s->body, &s->left,
                               s->err, sizeof(s->err)) == 0 ? 1 : -1;
}

static ssize_t src_read(void *cookie, char *buf, size_t size)
{
    snapshot_src *s = cookie;
    if (s->stop && atomic_load(s->stop))
        err_set(s->err, sizeof(s->err), "stopped");
    if (s->err[0])
        return -1;
    while (s->left == 0) {
        int rc = next_chunk(s);
        if (rc <= 0) {
            if (rc < 0)
                errno = EIO;
            return rc;
        }
    }
    size_t n = size < s->left ? size : s->left;
    memcpy(buf, s->body, n);
    s->body += n;
    s->left -= n;
    return (ssize_t)n;
}

snapshot_src *snapshot_src_open(redisContext *c, const char *prefix, const snapshot_info *info,
                                char *why, size_t whylen)
{
    snapshot_src *s = xcalloc(1, sizeof(*s));
    s->c = c;
    s->prefix = prefix;
    s->info = *info;
    cookie_io_functions_t io = {.read = src_read};
    s->f = fopencookie(s, "r", io);
    while (s->f && s->sent < WINDOW - 1 && s->sent < info->chunks && !s->err[0])
        (void)send_get(s);
    if (!s->f || s->err[0]) {
        err_set(why, whylen, "%s", s->f ? s->err : "fopencookie failed");
        snapshot_src_close(s);
        return NULL;
    }
    return s;
}

FILE *snapshot_src_file(snapshot_src *s)
{
    return s->f;
}

const char *snapshot_src_error(const snapshot_src *s)
{
    return s->err;
}

void snapshot_src_close(snapshot_src *s)
{
    if (!s)
        return;
    if (s->f)
        fclose(s->f);
    if (s->cur)
        freeReplyObject(s->cur);
    while (s->got < s->sent && s->c->err == 0) {   /* replies still on their way: read them */
        redisReply *r = NULL;
        if (redisGetReply(s->c, (void **)&r) != REDIS_OK)
            break;
        freeReplyObject(r);
        s->got++;
    }
    free(s);
}

/* ---- the whole load ---- */

long snapshot_load(redisContext *c, const char *prefix, matcher *m, const atomic_bool *stop,
                   snapshot_info *info, char *why, size_t whylen)
{
    err_set(why, whylen, "%s", "");
    int found = snapshot_info_read(c, prefix, info, why, whylen);
    if (found <= 0 ||
        snapshot_stream_check(c, prefix, info->changes_id, info->changes_added, why, whylen) != 0)
        return -1;
    snapshot_src *s = snapshot_src_open(c, prefix, info, why, whylen);
    if (!s)
        return -1;
    s->stop = stop;
    char name[64], err[512];
    snprintf(name, sizeof(name), "snapshot %s", info->gen);
    long n = matcher_load_accounts_csv_file(m, snapshot_src_file(s), name, err, sizeof(err));
    info->wait_ms = s->wait_ms;
    if (snapshot_src_error(s)[0])
        err_set(why, whylen, "%s", snapshot_src_error(s));
    else if (n < 0)
        err_set(why, whylen, "%s", err);
    else if (n != info->accounts)
        err_set(why, whylen, "snapshot %s holds %ld accounts, its pointer says %ld", info->gen, n,
                info->accounts);
    snapshot_src_close(s);
    if (n < 0 || n != info->accounts || why[0])
        return -1;
    /* checked again: the stream may have been trimmed while the chunks were read */
    return snapshot_stream_check(c, prefix, info->changes_id, info->changes_added, why,
                                 whylen) == 0 ? n : -1;
}
