/* import_batch.c - the writing side of `l2a import-accounts` (import_batch.h): per batch one
 * import-check FCALL, then MULTI, one RESTORE per account (or DEL and an HSET each), SADD, HSET of
 * the digests, XADD of the changes entries, EXEC, for the accounts the check says to write. No
 * account field goes through Lua. */
#include "import_batch.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "functions.h"
#include "import_cmd.h"
#include "keys.h"
#include "rconn.h"
#include "reply_lines.h"
#include "resp.h"

#define BATCH_ACCOUNTS 1000       /* accounts per batch (the most the check Function takes) */
#define BATCH_BYTES (4u << 20)    /* a batch is sent sooner once its rows pass this size */
#define BATCHES_IN_FLIGHT 8       /* batches sent whose write is not yet confirmed */
#define MAX_RELOADS 3             /* library loads after "Function not found" in one import */

/* What an awaited reply answers: a batch's check FCALL, its write, its pre-check for new
 * accounts (EXISTS of its hashes and TYPE of the set, the changes stream and the digests hash),
 * its pre-check for unchanged ones (HMGET of their digests, then the same), or the SADD of its
 * ids once that found every one unchanged. */
enum { EXPECT_CHECK, EXPECT_WRITE, EXPECT_NEW, EXPECT_SAME, EXPECT_KEEP };

/* ---- the pipeline ---------------------------------------------------------------------------- */

struct import_expect {
    import_batch *b;
    int kind;
};

static int fail(import_writer *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(import_writer *w, const char *fmt, ...)
{
    va_list ap;
    if (w->failed)
        return -1;
    va_start(ap, fmt);
    vsnprintf(w->err, sizeof(w->err), fmt, ap);
    va_end(ap);
    w->failed = true;
    return -1;
}

/* Writes buf (a command or several) to Redis now: straight to the socket, not through hiredis's
 * output buffer (a copy of every batch less), once that buffer is empty. */
static int send_now(import_writer *w, const char *buf, size_t len)
{
    int done = 0;
    while (!done)
        if (redisBufferWrite(w->c, &done) != REDIS_OK)
            return fail(w, "Redis: %s", w->c->errstr);
    while (len > 0) {
        ssize_t n = write(w->c->fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(w, "Redis: writing to the connection: %s",
                        n < 0 ? strerror(errno) : "nothing written");
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

static void expect_push(import_writer *w, import_batch *b, int kind)
{
    if (w->qtail == w->qcap) {
        if (w->qhead > 0) {
            memmove(w->queue, w->queue + w->qhead, (w->qtail - w->qhead) * sizeof(*w->queue));
            w->qtail -= w->qhead;
            w->qhead = 0;
        } else {
            w->qcap = w->qcap ? 2 * w->qcap : 32;
            w->queue = xrealloc(w->queue, w->qcap * sizeof(*w->queue));
        }
    }
    w->queue[w->qtail++] = (import_expect){b, kind};
}

static int send_check(import_writer *w, import_batch *b)
{
    sb_reset(&b->write); /* built for a guess that failed */
    if (b->check.len == 0)
        batch_check_cmd(b, w);
    if (send_now(w, b->check.buf, b->check.len) != 0)
        return -1;
    expect_push(w, b, EXPECT_CHECK);
    return 0;
}

static redisReply *read_reply(import_writer *w)
{
    void *r = NULL;
    if (redisGetReply(w->c, &r) != REDIS_OK || !r) {
        fail(w, "Redis: %s", w->c->errstr[0] ? w->c->errstr : "no reply");
        return NULL;
    }
    return r;
}

/* The batch is done: its accounts' codes handed on (the written ones when written is set,
 * else the ones not to write), and freed when written. */
static void report(import_writer *w, import_batch *b, bool written)
{
    for (size_t i = 0; i < b->n; i++) {
        const batch_account *x = &b->acc[i];
        bool writes = x->code != 0 || x->rewrite;
        if (writes == written)
            w->on_code(x->tag, x->code, w->ctx);
    }
}

/* b answered: kept as a spare for a later batch. */
static void batch_done(import_writer *w, import_batch *b)
{
    batch_reset(b);
    b->next = w->spare;
    w->spare = b;
    w->open--;
}

/* An id this batch had before (a repeated row): its earlier row leaves the write, whose single
 * DEL would otherwise let the later HSET merge into it (the later row replaces it whole). */
static void drop_written(import_batch *b, const char *id)
{
    size_t kept = 0;
    for (size_t k = 0; k < b->nwritten; k++)
        if (strcmp(batch_id(b, b->written[k]), id) != 0)
            b->written[kept++] = b->written[k];
    b->nwritten = kept;
}

/* Account i's code into b, the account listed in b->written when it is to be written (b->written
 * has room for every account). */
static void take_code(import_batch *b, size_t i, unsigned code)
{
    b->acc[i].code = code;
    if (b->acc[i].rewrite)
        drop_written(b, batch_id(b, i));
    if (code != 0 || b->acc[i].rewrite)
        b->written[b->nwritten++] = i;
}

/* Every account of b given code (the accounts to write listed in b->written). */
static void take_all(import_batch *b, unsigned code)
{
    free(b->written);
    b->written = xcalloc(b->n, sizeof(*b->written));
    b->nwritten = 0;
    for (size_t i = 0; i < b->n; i++)
        take_code(b, i, code);
}

/* The check's codes into b; the accounts to write listed in b->written. The next batch is
 * pre-checked when every account of this one was absent (an import into an empty store). */
static int take_codes(import_writer *w, import_batch *b, const redisReply *r)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements != b->n)
        return fail(w, "accounts from '%s' on: %s", batch_id(b, 0),
                    r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply to the check");
    free(b->written);
    b->written = xcalloc(b->n, sizeof(*b->written));
    b->nwritten = 0;
    bool all_new = true, all_same = true;
    for (size_t i = 0; i < b->n; i++) {
        const redisReply *code = r->element[i];
        if (code->type != REDIS_REPLY_INTEGER || code->integer < 0 || code->integer > 2)
            return fail(w, "account '%s': unexpected reply to the check", batch_id(b, i));
        take_code(b, i, (unsigned)code->integer);
        all_new = all_new && code->integer == 2;
        all_same = all_same && code->integer == 0;
    }
    w->guess = all_new ? GUESS_NEW : all_same ? GUESS_SAME : GUESS_NONE;
    return 0;
}

/* b's codes taken: the unchanged accounts reported, the others' write sent (b is then awaited
 * again, else done). */
static int write_batch(import_writer *w, import_batch *b)
{
    report(w, b, false);
    if (b->nwritten == 0) {
        batch_done(w, b);
        return 0;
    }
    strbuf *cmd = &b->write;
    if (cmd->len == 0) {
        cmd = &w->cmd;
        sb_reset(cmd);
        batch_write_cmd(b, w, cmd, &w->scratch);
    }
    int rc = send_now(w, cmd->buf, cmd->len);
    if (rc == 0)
        expect_push(w, b, EXPECT_WRITE);
    else
        batch_done(w, b);
    return rc;
}

/* A check answered. */
static int on_check(import_writer *w, import_batch *b, const redisReply *r)
{
    if (take_codes(w, b, r) != 0) {
        batch_done(w, b);
        return -1;
    }
    return write_batch(w, b);
}

/* What failed in element i of a batch write's EXEC reply: the command it answers. */
static int exec_failed(import_writer *w, const import_batch *b, size_t i, const char *msg)
{
    size_t m = b->nwritten, first = batch_first_account_cmd(w);
    if (i >= first && i < first + m)
        return fail(w, "account '%s' (key %s): %s", batch_id(b, b->written[i - first]),
                    batch_key(b, b->written[i - first]), msg);
    i += 1 - first; /* as if the DEL came first */
    return fail(w, "accounts from '%s' on: %s of %s: %s", batch_id(b, b->written[0]),
                i == 0 ? "DEL" : i == m + 1 ? "SADD" : i == m + 2 ? "HSET" : "XADD",
                i == 0 ? "their hashes" : i == m + 1 ? w->set_key
                : i == m + 2 ? w->digests_key : w->changes_key, msg);
}

/* The connection failed while a write's replies were taken: *rc -2, reading stops. */
static void write_lost(import_writer *w, int *rc)
{
    *rc = -2;
    fail(w, "Redis: %s", w->c->errstr[0] ? w->c->errstr : "no reply");
}

/* A reply of a write that was not the one expected: read; an error kept in *rc (the first one,
 * named by what answers it: element e of EXEC's array, or, e = -1, MULTI itself). */
static void take_other(import_writer *w, const import_batch *b, long e, int *rc)
{
    redisReply *r = read_reply(w);
    if (!r) {
        *rc = -2;
        return;
    }
    if (*rc == 0 && r->type == REDIS_REPLY_ERROR)
        *rc = e < 0 ? fail(w, "accounts from '%s' on: %s", batch_id(b, b->written[0]), r->str)
                    : exec_failed(w, b, (size_t)e, r->str);
    freeReplyObject(r);
}

/* EXEC's reply: its array, each element taken (+OK and integers from the read buffer); or an
 * error or nil (nothing was written). */
static void take_exec(import_writer *w, const import_batch *b, int *rc)
{
    long long n;
    int got = reply_take_number(w->c, '*', &n);
    for (long long e = 0; got == 1 && *rc != -2 && e < n; e++) {
        int ok = reply_take_line(w->c, "+OK\r\n", 5);
        long long v;
        if (ok == 0)
            ok = reply_take_number(w->c, ':', &v);
        if (ok < 0)
            write_lost(w, rc);
        else if (ok == 0)
            take_other(w, b, (long)e, rc);
    }
    if (got < 0) {
        write_lost(w, rc);
    } else if (got == 0 || n < 0) { /* an error (EXECABORT ...) or a nil */
        redisReply *r = got == 0 ? read_reply(w) : NULL;
        if (got == 0 && !r)
            *rc = -2;
        else if (*rc == 0)
            *rc = fail(w, "accounts from '%s' on: %s", batch_id(b, b->written[0]),
                       r && r->type == REDIS_REPLY_ERROR ? r->str
                       : "the write was not carried out (EXEC)");
        freeReplyObject(r);
    }
}

/* A write answered: MULTI's +OK, a +QUEUED per command, then EXEC's array (the thousands of
 * +QUEUED and +OK taken from the read buffer, no reply object each). b is done. */
static int on_write(import_writer *w, import_batch *b)
{
    int rc = 0;
    for (size_t i = 0; rc != -2 && i < b->queued + 1; i++) {
        const char *want = i == 0 ? "+OK\r\n" : "+QUEUED\r\n";
        int got = reply_take_line(w->c, want, strlen(want));
        if (got < 0)
            write_lost(w, &rc);
        else if (got == 0)
            take_other(w, b, (long)i - 1, &rc);
    }
    if (rc != -2)
        take_exec(w, b, &rc);
    if (rc == 0) {
        w->entries += (long long)(b->queued - batch_first_account_cmd(w) - b->nwritten - 2);
        report(w, b, true);
    }
    batch_done(w, b);
    return rc == 0 ? 0 : -1;
}

static import_expect expect_pop(import_writer *w)
{
    import_expect e = w->queue[w->qhead++];
    if (w->qhead == w->qtail)
        w->qhead = w->qtail = 0;
    return e;
}

/* The end of a pre-check's replies: whether EXISTS of the hashes answered `exists` and the three
 * keys are absent or of their types (as the check Function would have found them). -1 when the
 * connection failed. */
static int read_exists_types(import_writer *w, long long exists, bool *ok)
{
    static const char *const want[] = {"set", "stream", "hash"};
    for (size_t k = 0; k < 4; k++) {
        redisReply *r = read_reply(w);
        if (!r)
            return -1;
        if (k == 0)
            *ok = *ok && r->type == REDIS_REPLY_INTEGER && r->integer == exists;
        else
            *ok = *ok && r->type == REDIS_REPLY_STATUS &&
                  (strcmp(r->str, "none") == 0 || strcmp(r->str, want[k - 1]) == 0);
        freeReplyObject(r);
    }
    return 0;
}

/* The pre-check's replies: whether every hash was absent. -1 when the connection failed. */
static int read_new(import_writer *w, bool *all_new)
{
    *all_new = true;
    return read_exists_types(w, 0, all_new);
}

/* The unchanged pre-check's replies: whether every account's stored digest is the one it would
 * get and every hash exists (a batch without repeated rows). -1 when the connection failed. */
static int read_same(import_writer *w, const import_batch *b, bool *all_same)
{
    redisReply *r = read_reply(w);
    if (!r)
        return -1;
    *all_same = r->type == REDIS_REPLY_ARRAY && r->elements == b->n;
    for (size_t i = 0; *all_same && i < b->n; i++) {
        const redisReply *d = r->element[i];
        *all_same = !b->acc[i].rewrite && d->type == REDIS_REPLY_STRING &&
                    d->len == ACCOUNT_DIGEST_LEN && memcmp(d->str, b->acc[i].digest, d->len) == 0;
    }
    freeReplyObject(r);
    return read_exists_types(w, (long long)b->n, all_same);
}

/* A pre-check's replies (kind EXPECT_NEW or EXPECT_SAME): *as_guessed says whether b is all new
 * or all unchanged as guessed. -1 when the connection failed. */
static int read_guess(import_writer *w, const import_batch *b, int kind, bool *as_guessed)
{
    return kind == EXPECT_NEW ? read_new(w, as_guessed) : read_same(w, b, as_guessed);
}

/* Sends b's pre-check instead of its check when the last batch checked was all new (EXISTS of its
 * hashes and the three TYPEs) or all unchanged (HMGET of its digests first): plain commands cost
 * Redis a fraction of the check Function's Lua. */
static int send_guess(import_writer *w, import_batch *b)
{
    const char *keys[] = {w->set_key, w->changes_key, w->digests_key};
    sb_reset(&w->cmd);
    if (w->guess == GUESS_SAME) {
        resp_head(&w->cmd, 2 + b->n, "HMGET");
        resp_str(&w->cmd, w->digests_key);
        for (size_t i = 0; i < b->n; i++)
            resp_str(&w->cmd, batch_id(b, i));
    }
    resp_head(&w->cmd, 1 + b->n, "EXISTS");
    for (size_t i = 0; i < b->n; i++)
        resp_str(&w->cmd, batch_key(b, i));
    for (size_t k = 0; k < ARRAY_LEN(keys); k++) {
        resp_head(&w->cmd, 2, "TYPE");
        resp_str(&w->cmd, keys[k]);
    }
    if (send_now(w, w->cmd.buf, w->cmd.len) != 0)
        return -1;
    expect_push(w, b, w->guess == GUESS_SAME ? EXPECT_SAME : EXPECT_NEW);
    return 0;
}

/* The SADD of an unchanged batch's ids answered. b is done. */
static int on_keep(import_writer *w, import_batch *b)
{
    redisReply *r = read_reply(w);
    int rc = r ? 0 : -1;
    if (r && r->type != REDIS_REPLY_INTEGER)
        rc = fail(w, "accounts from '%s' on: SADD of %s: %s", batch_id(b, 0), w->set_key,
                  r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    freeReplyObject(r);
    batch_done(w, b);
    return rc;
}

/* Every reply still awaited read, the writes taken as usual, the checks and pre-checks set aside
 * after first; with reload, the library loaded; then the check of each sent, in order (so the
 * writes keep the batches' order). */
static int resend_checks(import_writer *w, import_batch *first, bool reload)
{
    import_batch **again = xcalloc(w->qtail - w->qhead + 1, sizeof(*again));
    size_t n = 0;
    int rc = 0;
    bool as_guessed;
    again[n++] = first;
    while (rc == 0 && w->qhead < w->qtail) {
        import_expect e = expect_pop(w);
        if (e.kind == EXPECT_WRITE || e.kind == EXPECT_KEEP) {
            rc = e.kind == EXPECT_WRITE ? on_write(w, e.b) : on_keep(w, e.b);
            continue;
        }
        if (e.kind == EXPECT_NEW || e.kind == EXPECT_SAME) {
            rc = read_guess(w, e.b, e.kind, &as_guessed);
        } else {
            redisReply *r = read_reply(w);
            rc = r ? 0 : -1;
            freeReplyObject(r);
        }
        again[n++] = e.b;
    }
    if (rc == 0 && reload && ++w->reloads > MAX_RELOADS)
        rc = fail(w, "the Function library went missing %d times during the import",
                  w->reloads);
    if (rc == 0 && reload && functions_load(w->c, w->err, sizeof(w->err)) != 0)
        rc = fail(w, "%s", w->err);
    for (size_t i = 0; i < n; i++)
        if (rc != 0 || (rc = send_check(w, again[i])) != 0)
            batch_done(w, again[i]);
    free(again);
    return rc;
}

/* An unchanged batch: its ids added to the set (as the check Function does: already there
 * unless someone took them out); b awaits that. */
static int keep_batch(import_writer *w, import_batch *b)
{
    report(w, b, false);
    sb_reset(&w->cmd);
    batch_sadd_cmd(b, w, NULL, b->n, &w->cmd);
    if (send_now(w, w->cmd.buf, w->cmd.len) != 0) {
        batch_done(w, b);
        return -1;
    }
    expect_push(w, b, EXPECT_KEEP);
    return 0;
}

/* A pre-check answered (kind EXPECT_NEW or EXPECT_SAME): every hash absent, the batch is written
 * (all new); every account unchanged, it is kept; else the check Function decides, for it and
 * every batch after it, and the batches after it are checked so until one is all new or all
 * unchanged again. */
static int on_guess(import_writer *w, import_batch *b, int kind)
{
    bool as_guessed;
    int rc = read_guess(w, b, kind, &as_guessed);
    if (rc != 0) {
        batch_done(w, b);
        return -1;
    }
    if (!as_guessed) {
        w->guess = GUESS_NONE;
        return resend_checks(w, b, false);
    }
    if (b->write.len == 0)
        take_all(b, kind == EXPECT_NEW ? 2 : 0);
    return kind == EXPECT_NEW ? write_batch(w, b) : keep_batch(w, b);
}

/* Takes the next awaited reply. */
static int take_next(import_writer *w)
{
    import_expect e = expect_pop(w);
    if (e.kind == EXPECT_WRITE)
        return on_write(w, e.b);
    if (e.kind == EXPECT_NEW || e.kind == EXPECT_SAME)
        return on_guess(w, e.b, e.kind);
    if (e.kind == EXPECT_KEEP)
        return on_keep(w, e.b);
    redisReply *r = read_reply(w);
    if (!r) {
        batch_done(w, e.b);
        return -1;
    }
    int rc;
    if (rconn_function_missing(r)) {
        rc = resend_checks(w, e.b, true); /* a FUNCTION FLUSH, a new Redis */
    } else {
        rc = on_check(w, e.b, r);
    }
    freeReplyObject(r);
    return rc;
}

/* Whether an awaited reply at the head of the queue comes at once and lets a write go out: a
 * pre-check, next in Redis's input (every command sent before it answered), microseconds of work. */
static bool answered_soon(int kind)
{
    return kind == EXPECT_NEW || kind == EXPECT_SAME;
}

/* Sends the batch being filled and takes replies until at most max_open batches are open, then
 * the pre-checks at the head of the queue: when Redis has done the writes before them, it has
 * nothing else queued, and their writes go out now rather than after the next batch is read. */
static int send_filling(import_writer *w, size_t max_open)
{
    import_batch *b = w->filling;
    w->filling = NULL;
    if (b) {
        w->open++;
        if ((w->guess != GUESS_NONE ? send_guess(w, b) : send_check(w, b)) != 0) {
            batch_done(w, b);
            return -1;
        }
        if (w->guess == GUESS_NEW) { /* its write is ready the moment its pre-check answers */
            take_all(b, 2);
            batch_write_cmd(b, w, &b->write, &w->scratch);
        }
    }
    while (w->open > max_open && w->qhead < w->qtail)
        if (take_next(w) != 0)
            return -1;
    while (w->qhead < w->qtail && answered_soon(w->queue[w->qhead].kind))
        if (take_next(w) != 0)
            return -1;
    return 0;
}

/* Whether this Redis and user take the accounts' RESTOREs: a RESTORE of a one-field hash under
 * the prefix with a time to live long past (ABSTTL 1), which Redis loads, checks and drops
 * without writing anything; answered OK, the import restores. Anything else (no RESTORE right in
 * the ACL, a renamed command) leaves it on DEL and HSET, said once on stderr. -1 when the
 * connection failed. */
static int probe_restore(import_writer *w)
{
    const hash_dump_str probe[] = {{"id", 2}, {"probe", 5}};
    char *key = key_account(w->prefix, "");
    char err[256];
    sb_reset(&w->payload);
    hash_dump(&w->dumper, probe, 2, &w->payload);
    const char *argv[] = {"RESTORE", key, "1", w->payload.buf, "ABSTTL"};
    const size_t lens[] = {7, strlen(key), 1, w->payload.len, 6};
    redisReply *r = rconn_command(w->c, 5, argv, lens, err, sizeof(err));
    free(key);
    w->probed = true;
    w->restore = r && r->type == REDIS_REPLY_STATUS && strcmp(r->str, "OK") == 0;
    if (r && !w->restore)
        snprintf(err, sizeof(err), "RESTORE: unexpected reply");
    freeReplyObject(r);
    if (w->c->err)
        return fail(w, "Redis: %s", w->c->errstr);
    if (!w->restore)
        fprintf(stderr, "l2a: note: accounts written with DEL and HSET, slower: %s "
                "(docs/redis-acl.md)\n", err);
    return 0;
}

/* The first batch's guess: all unchanged when the digests hash exists (a re-import, most often);
 * else the first batches go to the check Function, and the library is loaded first when missing
 * (a first import, often into a new Redis: else its first checks, as many as are in flight, would
 * each be answered "Function not found" before one loads it). A wrong guess costs one pre-check;
 * an error reply (an ACL without EXISTS or FUNCTION LIST) makes none, the checks load the library
 * when they find it missing. -1 when the connection failed. */
static int guess_first(import_writer *w)
{
    const char *argv[] = {"EXISTS", w->digests_key};
    char err[256];
    redisReply *r = rconn_command(w->c, 2, argv, NULL, err, sizeof(err));
    if (!r && w->c->err)
        return fail(w, "%s", err);
    if (r && r->type == REDIS_REPLY_INTEGER && r->integer > 0)
        w->guess = GUESS_SAME;
    freeReplyObject(r);
    if (w->guess == GUESS_NONE && functions_ensure(w->c, err, sizeof(err)) != 0 && w->c->err)
        return fail(w, "%s", err);
    return 0;
}

void import_writer_init(import_writer *w, redisContext *c, const char *prefix,
                        import_code_fn on_code, void *ctx)
{
    memset(w, 0, sizeof(*w));
    w->c = c;
    w->prefix = prefix;
    w->set_key = key_accounts(prefix);
    w->changes_key = key_changes(prefix);
    w->digests_key = key_account_digests(prefix);
    w->id_at = key_account_id_at(prefix);
    w->on_code = on_code;
    w->ctx = ctx;
    hash_dumper_init(&w->dumper);
    sb_init(&w->scratch);
    sb_init(&w->cmd);
    sb_init(&w->payload);
}

int import_writer_add(import_writer *w, const account_rec *a, bool rewrite, uint32_t tag)
{
    if (w->failed || (!w->probed && (probe_restore(w) != 0 || guess_first(w) != 0)))
        return -1;
    if (!w->filling && w->spare) {
        w->filling = w->spare;
        w->spare = w->spare->next;
    } else if (!w->filling) {
        w->filling = batch_new(w->id_at);
    }
    batch_add(w->filling, w, a, rewrite, tag);
    if (w->filling->n < BATCH_ACCOUNTS && w->filling->rows.len < BATCH_BYTES)
        return 0;
    return send_filling(w, BATCHES_IN_FLIGHT - 1);
}

int import_writer_finish(import_writer *w)
{
    if (w->failed)
        return -1;
    return send_filling(w, 0);
}

void import_writer_free(import_writer *w)
{
    batch_free(w->filling);
    while (w->qhead < w->qtail) {
        import_expect e = expect_pop(w);
        batch_free(e.b);
    }
    while (w->spare) {
        import_batch *b = w->spare;
        w->spare = b->next;
        batch_free(b);
    }
    sb_free(&w->cmd);
    free(w->queue);
    free(w->set_key);
    free(w->changes_key);
    free(w->digests_key);
    sb_free(&w->scratch);
    sb_free(&w->payload);
    free(w->strs);
}
