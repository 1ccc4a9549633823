/* import.c - load or update accounts from a CSV into Redis: the rows handed to the batch writer
 * (import_batch.c), the codes it reports counted, then --delete-missing. */
#include "import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "functions.h"
#include "import_batch.h"
#include "import_snapshot.h"
#include "keys.h"
#include "rconn.h"
#include "inputs.h"
#include "strmap.h"

#define IMPORT_PIPELINE 500 /* delete Function calls in flight */
#define SCAN_COUNT "1000"

/* State of one import. Strings owned unless marked. */
typedef struct import_ctx {
    redisContext *c;       /* borrowed */
    const char *prefix;    /* borrowed */
    char *set_key;         /* l2a:accounts */
    char *changes_key;     /* l2a:accounts:changes */
    char *digests_key;     /* l2a:accounts:digests */
    rpipe pipe;
    import_writer writer;
    /* Every id of the file (the reader's check for repeated ids, the counts, --delete-missing
     * share it) -> its index in lines: its first line << 2 | the code counted for it, NO_CODE
     * before its reply. The batches carry the index, so a code is counted without a lookup. */
    strmap *ids;
    uint32_t *lines;
    size_t nlines, lines_cap;
    uint32_t row_index;    /* the index of the row being handed on (seen_on just asked) */
    bool repeated_row;     /* the row being handed on repeats an earlier row's id */
    import_stats *st;      /* borrowed */
    import_snapshot snap;  /* the snapshot written beside (snap.w NULL: none) */
    bool failed;           /* an error is in err; later rows are ignored */
    char err[512];
} import_ctx;

static void fail(import_ctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(import_ctx *x, const char *fmt, ...)
{
    va_list ap;
    if (x->failed)
        return;
    va_start(ap, fmt);
    vsnprintf(x->err, sizeof(x->err), fmt, ap);
    va_end(ap);
    x->failed = true;
}

#define NO_CODE 3u
#define MAX_LINE ((1u << 30) - 1)

/* accounts_csv.seen_on: the line an earlier row with this id was read on, or 0 (the id is then
 * remembered with this line). Either way the id's index is kept for the row's account. */
static long seen_on(const char *id, long line, void *ctx)
{
    import_ctx *x = ctx;
    bool inserted;
    uint32_t index = (uint32_t)x->nlines;
    strmap_get_or_put(x->ids, id, &index, &inserted);
    x->row_index = index;
    if (!inserted)
        return (long)(x->lines[index] >> 2);
    if (x->nlines == x->lines_cap) {
        x->lines_cap = x->lines_cap ? 2 * x->lines_cap : 4096;
        x->lines = xrealloc(x->lines, x->lines_cap * sizeof(*x->lines));
    }
    x->lines[x->nlines++] = (uint32_t)(line < MAX_LINE ? line : MAX_LINE) << 2 | NO_CODE;
    return 0;
}

/* Counts an upsert's code (0 unchanged, 1 updated, 2 added) once per id (index: its index in
 * lines): a later row of the same id moves the count to the larger code (added beats updated
 * beats unchanged). */
static void count_upsert(uint32_t index, unsigned code, void *ctx)
{
    import_ctx *x = ctx;
    long *slot[] = {&x->st->unchanged, &x->st->updated, &x->st->added};
    uint32_t *v = &x->lines[index];
    unsigned prev = *v & 3u;
    if (prev != NO_CODE) {
        if (code <= prev)
            return;
        (*slot[prev])--;
    }
    (*slot[code])++;
    *v = (*v & ~3u) | code;
}

/* Reply of one delete. argv[7] is the account id. */
static int on_delete_reply(const rpipe_cmd *cmd, const redisReply *r, void *ctx, char *err,
                           size_t errlen)
{
    import_stats *st = ctx;
    if (r->type == REDIS_REPLY_INTEGER) {
        st->deleted += r->integer == 1;
        return 0;
    }
    snprintf(err, errlen, "deleting account '%s': %s", cmd->argv[7],
             r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply to the delete function");
    return -1;
}

/* Queues FCALL delete 4 <hash> <set> <changes> <digests> id cap. */
static int queue_delete(import_ctx *x, const char *id)
{
    char *hash_key = key_account(x->prefix, id);
    const char *argv[] = {"FCALL", functions_name(FN_ACCOUNT_DELETE), "4", hash_key, x->set_key,
                          x->changes_key, x->digests_key, id, L2A_CHANGES_MAXLEN};
    int rc = rpipe_add(&x->pipe, (int)ARRAY_LEN(argv), argv, NULL, x->err, sizeof(x->err));
    free(hash_key);
    return rc;
}

static bool has_reserved_attr(const account_rec *a)
{
    for (size_t i = 0; i < a->attr_keys.n; i++)
        if (strcasecmp(a->attr_keys.v[i], "op") == 0)
            return true;
    return false;
}

/* accounts_read_csv callback: one row -> one account of a batch (a is lent: its fields point
 * into the reader's buffer, and the batch copies them). */
static void on_account(account_rec *a, void *ctx)
{
    import_ctx *x = ctx;
    if (x->failed)
        return;
    x->st->read++;
    if (has_reserved_attr(a)) {
        fail(x, "column 'op' is reserved (it names the operation in l2a:accounts:changes); "
             "rename it");
        return;
    }
    if (x->repeated_row)
        import_snapshot_drop(&x->snap, "the file repeats an account id");
    import_snapshot_add(&x->snap, a);
    if (import_writer_add(&x->writer, a, x->repeated_row, x->row_index) != 0)
        fail(x, "%s", x->writer.err);
    x->repeated_row = false;
}

static void on_warn(const char *msg, void *ctx)
{
    import_ctx *x = ctx;
    fprintf(stderr, "l2a: warning: %s (row skipped)\n", msg);
    x->st->skipped++;
}

static void on_duplicate(const char *msg, void *ctx)
{
    import_ctx *x = ctx;
    fprintf(stderr, "l2a: warning: %s\n", msg);
    x->st->repeated++;
    x->repeated_row = true; /* its row comes next: written whatever the store holds */
}

/* SSCANs l2a:accounts and collects the ids the file does not hold into missing. */
static int find_missing(import_ctx *x, strvec *missing)
{
    char cursor[32] = "0";
    do {
        const char *argv[] = {"SSCAN", x->set_key, cursor, "COUNT", SCAN_COUNT};
        redisReply *r = rconn_command(x->c, 5, argv, NULL, x->err, sizeof(x->err));
        if (!r)
            return -1;
        if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
            r->element[0]->type != REDIS_REPLY_STRING ||
            r->element[1]->type != REDIS_REPLY_ARRAY) {
            freeReplyObject(r);
            fail(x, "SSCAN: unexpected reply");
            return -1;
        }
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        for (size_t i = 0; i < r->element[1]->elements; i++) {
            const redisReply *m = r->element[1]->element[i];
            /* SSCAN may return a member twice: deleting twice is harmless (0 the second time).
             * Accounts l2ad made ("new:...", create_account) are not in any CRM file: kept. */
            if (m->type == REDIS_REPLY_STRING && !strmap_has(x->ids, m->str) &&
                strncmp(m->str, "new:", 4) != 0)
                sv_push(missing, m->str);
        }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    return 0;
}

/* --delete-missing: deletes every stored account the file does not hold. */
static int delete_missing(import_ctx *x, const char *csv_path)
{
    strvec missing;
    int rc = -1;
    sv_init(&missing);
    if (x->st->read == 0 || x->st->skipped > 0) {
        fail(x, "--delete-missing refused: %s %s; nothing was deleted", csv_path,
             x->st->read == 0 ? "holds no account" : "has skipped rows (see the warnings above)");
        goto out;
    }
    if (find_missing(x, &missing) != 0)
        goto out;
    rpipe_free(&x->pipe);
    rpipe_init(&x->pipe, x->c, IMPORT_PIPELINE, functions_load, on_delete_reply, x->st);
    for (size_t i = 0; i < missing.n; i++)
        if (queue_delete(x, missing.v[i]) != 0)
            goto out;
    rc = rpipe_flush(&x->pipe, x->err, sizeof(x->err));
out:
    sv_free(&missing);
    return rc;
}

static void ctx_free(import_ctx *x)
{
    rpipe_free(&x->pipe);
    import_writer_free(&x->writer);
    free(x->set_key);
    free(x->changes_key);
    free(x->digests_key);
    strmap_free(x->ids);
    free(x->lines);
}

/* The snapshot's writer name: this process, at this moment (as l2ad's snapshot_owner). */
static void snapshot_owner_name(char *buf, size_t len)
{
    snprintf(buf, len, "import-accounts/%ld/%.0f", (long)getpid(), epoch_ms_now());
}

/* After the import: the snapshot published or given up, st told which. */
static void snapshot_end(import_ctx *x, bool ok)
{
    if (!ok)
        import_snapshot_drop(&x->snap, "the import failed");
    const import_stats *st = x->st;
    long accounts = st->added + st->updated + st->unchanged;
    x->st->snapshot = ok ? import_snapshot_finish(&x->snap, x->c, accounts,
                                                  x->writer.entries + st->deleted) : 0;
    snprintf(x->st->snapshot_why, sizeof(x->st->snapshot_why), "%s", x->snap.why);
}

int import_accounts(redisContext *c, redisContext *snap_c, const char *prefix,
                    const char *csv_path, const char *encoding, bool delete_missing_ids,
                    import_stats *st, char *err, size_t errlen)
{
    import_ctx x;
    int rc = -1;
    memset(&x, 0, sizeof(x));
    memset(st, 0, sizeof(*st));
    x.c = c;
    x.prefix = prefix;
    x.st = st;
    x.set_key = key_accounts(prefix);
    x.changes_key = key_changes(prefix);
    x.digests_key = key_account_digests(prefix);
    x.ids = strmap_new();
    import_writer_init(&x.writer, c, prefix, count_upsert, &x);
    if (snap_c) {
        char owner[96];
        snapshot_owner_name(owner, sizeof(owner));
        import_snapshot_begin(&x.snap, snap_c, prefix, owner);
    } else {
        snprintf(x.snap.why, sizeof(x.snap.why), "not asked for");
    }
    accounts_csv in = {.path = csv_path, .encoding = encoding, .cb = on_account, .warn = on_warn,
                       .dup = on_duplicate, .seen_on = seen_on, .borrow = true,
                       .lend_attrs = true, .ctx = &x};
    if (accounts_read_csv_opts(&in, x.err, sizeof(x.err)) < 0 || x.failed)
        goto out;
    if (import_writer_finish(&x.writer) != 0) {
        fail(&x, "%s", x.writer.err);
        goto out;
    }
    if (delete_missing_ids && delete_missing(&x, csv_path) != 0)
        goto out;
    rc = 0;
out:
    snapshot_end(&x, rc == 0);
    if (rc != 0)
        snprintf(err, errlen, "%s", x.err);
    ctx_free(&x);
    return rc;
}
