/* import.c - load or update accounts from a CSV into Redis: batches of accounts, one atomic
 * Function call per batch (src/redis/lua/accounts.lua), pipelined. */
#include "import.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "functions.h"
#include "keys.h"
#include "rconn.h"
#include "inputs.h"

#define IMPORT_PIPELINE 500 /* delete Function calls in flight */
#define BATCH_ACCOUNTS 200  /* accounts per upsert_batch call (the Function takes up to 1,000) */
#define BATCH_VALUES 20000  /* a batch is sent sooner once its accounts carry this many values */
#define BATCH_PIPELINE 8    /* upsert_batch calls in flight */
#define SCAN_COUNT "1000"

/* State of one import. Strings owned unless marked. */
typedef struct import_ctx {
    redisContext *c;       /* borrowed */
    const char *prefix;    /* borrowed */
    char *set_key;         /* l2a:accounts */
    char *changes_key;     /* l2a:accounts:changes */
    rpipe pipe;
    strmap *ids;           /* ids in the file (only with --delete-missing), or NULL */
    strmap *replied;       /* owned: id -> reply code counted for it (an id counts once) */
    strvec batch_keys;     /* the account hash keys of the batch being filled */
    strvec batch_args;     /* per account of that batch: id, count of values, the values */
    import_stats *st;      /* borrowed */
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

/* Counts an upsert's code (0 unchanged, 1 updated, 2 added) once per id: a later row of the same
 * id moves the count to the larger code (added beats updated beats unchanged). */
static void count_upsert(import_ctx *x, const char *id, uint32_t code)
{
    long *slot[] = {&x->st->unchanged, &x->st->updated, &x->st->added};
    uint32_t prev;
    if (strmap_get(x->replied, id, &prev)) {
        if (code <= prev)
            return;
        (*slot[prev])--;
    }
    (*slot[code])++;
    strmap_put(x->replied, id, code);
}

/* Reply of one upsert_batch call: one code per account, counted. The ids are read back from
 * argv: FCALL name numkeys keys... cap, then per account id, count, count values. */
static int on_batch_reply(const rpipe_cmd *cmd, const redisReply *r, void *ctx, char *err,
                          size_t errlen)
{
    int pos = 4 + atoi(cmd->argv[2]);
    size_t accounts = (size_t)atoi(cmd->argv[2]) - 2;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != accounts) {
        snprintf(err, errlen, "accounts from '%s' on: %s", cmd->argv[pos],
                 r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply to the upsert function");
        return -1;
    }
    for (size_t i = 0; i < accounts && pos + 1 < cmd->argc; i++) {
        const redisReply *code = r->element[i];
        if (code->type != REDIS_REPLY_INTEGER || code->integer < 0 || code->integer > 2) {
            snprintf(err, errlen, "account '%s': unexpected reply to the upsert function",
                     cmd->argv[pos]);
            return -1;
        }
        count_upsert(ctx, cmd->argv[pos], (uint32_t)code->integer);
        pos += 2 + atoi(cmd->argv[pos + 1]);
    }
    return 0;
}

/* Reply of one delete. argv[6] is the account id. */
static int on_delete_reply(const rpipe_cmd *cmd, const redisReply *r, void *ctx, char *err,
                           size_t errlen)
{
    import_stats *st = ctx;
    if (r->type == REDIS_REPLY_INTEGER) {
        st->deleted += r->integer == 1;
        return 0;
    }
    snprintf(err, errlen, "deleting account '%s': %s", cmd->argv[6],
             r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply to the delete function");
    return -1;
}

/* The field/value pairs of an account: known fields then attributes, empty values skipped. */
static void account_pairs(const account_rec *a, strvec *out)
{
    const char *names[] = {"id", "name", "domains", "type", "parent_id", "country", "owner_id",
                           "employees", "last_activity"};
    const char *vals[] = {a->id, a->name, a->domains, a->type, a->parent_id, a->country,
                          a->owner_id, a->employees, a->last_activity};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        if (vals[i] && vals[i][0]) {
            sv_push(out, names[i]);
            sv_push(out, vals[i]);
        }
    }
    for (size_t i = 0; i < a->attr_keys.n; i++) {
        if (a->attr_vals.v[i][0]) {
            sv_push(out, a->attr_keys.v[i]);
            sv_push(out, a->attr_vals.v[i]);
        }
    }
}

/* Queues FCALL <fn> 3 <hash> <set> <changes> id cap pairs... */
static int queue_call(import_ctx *x, functions_fn fn, const char *id, const strvec *pairs)
{
    char *hash_key = key_account(x->prefix, id);
    size_t argc = 8 + pairs->n;
    const char **argv = xcalloc(argc, sizeof(*argv));
    argv[0] = "FCALL";
    argv[1] = functions_name(fn);
    argv[2] = "3";
    argv[3] = hash_key;
    argv[4] = x->set_key;
    argv[5] = x->changes_key;
    argv[6] = id;
    argv[7] = L2A_CHANGES_MAXLEN;
    for (size_t i = 0; i < pairs->n; i++)
        argv[8 + i] = pairs->v[i];
    int rc = rpipe_add(&x->pipe, (int)argc, argv, NULL, x->err, sizeof(x->err));
    free(argv);
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

/* Queues FCALL upsert_batch 2+n <set> <changes> <hash>... cap, per account id count values...
 * for the accounts gathered so far, and empties the batch. */
static int queue_batch(import_ctx *x)
{
    size_t nkeys = 2 + x->batch_keys.n, argc = 4 + nkeys + x->batch_args.n, at = 0;
    if (x->batch_keys.n == 0)
        return 0;
    char numkeys[24];
    snprintf(numkeys, sizeof(numkeys), "%zu", nkeys);
    const char **argv = xcalloc(argc, sizeof(*argv));
    argv[at++] = "FCALL";
    argv[at++] = functions_name(FN_ACCOUNT_UPSERT_BATCH);
    argv[at++] = numkeys;
    argv[at++] = x->set_key;
    argv[at++] = x->changes_key;
    for (size_t i = 0; i < x->batch_keys.n; i++)
        argv[at++] = x->batch_keys.v[i];
    argv[at++] = L2A_CHANGES_MAXLEN;
    for (size_t i = 0; i < x->batch_args.n; i++)
        argv[at++] = x->batch_args.v[i];
    int rc = rpipe_add(&x->pipe, (int)argc, argv, NULL, x->err, sizeof(x->err));
    free(argv);
    sv_free(&x->batch_keys);
    sv_free(&x->batch_args);
    return rc;
}

/* Adds one account to the batch being filled; queues the batch when it is full. */
static int batch_account(import_ctx *x, const char *id, const strvec *pairs)
{
    char count[24];
    snprintf(count, sizeof(count), "%zu", pairs->n);
    sv_push_owned(&x->batch_keys, key_account(x->prefix, id));
    sv_push(&x->batch_args, id);
    sv_push(&x->batch_args, count);
    for (size_t i = 0; i < pairs->n; i++)
        sv_push(&x->batch_args, pairs->v[i]);
    if (x->batch_keys.n < BATCH_ACCOUNTS && x->batch_args.n < BATCH_VALUES)
        return 0;
    return queue_batch(x);
}

/* accounts_read_csv callback: one row -> one account of a batch. Owns a's contents. */
static void on_account(account_rec *a, void *ctx)
{
    import_ctx *x = ctx;
    strvec args;
    sv_init(&args);
    if (x->failed)
        goto out;
    x->st->read++;
    if (has_reserved_attr(a)) {
        fail(x, "column 'op' is reserved (it names the operation in l2a:accounts:changes); "
             "rename it");
        goto out;
    }
    if (x->ids)
        strmap_put(x->ids, a->id, 1);
    account_pairs(a, &args);
    if (batch_account(x, a->id, &args) != 0)
        x->failed = true; /* err already set by the pipeline */
out:
    sv_free(&args);
    account_rec_free(a);
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
    strvec missing, none;
    int rc = -1;
    sv_init(&missing);
    sv_init(&none);
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
        if (queue_call(x, FN_ACCOUNT_DELETE, missing.v[i], &none) != 0)
            goto out;
    rc = rpipe_flush(&x->pipe, x->err, sizeof(x->err));
out:
    sv_free(&missing);
    return rc;
}

static void ctx_free(import_ctx *x)
{
    rpipe_free(&x->pipe);
    sv_free(&x->batch_keys);
    sv_free(&x->batch_args);
    free(x->set_key);
    free(x->changes_key);
    if (x->ids)
        strmap_free(x->ids);
    strmap_free(x->replied);
}

int import_accounts(redisContext *c, const char *prefix, const char *csv_path,
                    const char *encoding, bool delete_missing_ids, import_stats *st, char *err,
                    size_t errlen)
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
    x.ids = delete_missing_ids ? strmap_new() : NULL;
    x.replied = strmap_new();
    rpipe_init(&x.pipe, c, BATCH_PIPELINE, functions_load, on_batch_reply, &x);
    rpipe_send_early(&x.pipe);
    accounts_csv in = {.path = csv_path, .encoding = encoding, .cb = on_account, .warn = on_warn,
                       .dup = on_duplicate, .ctx = &x};
    if (accounts_read_csv_opts(&in, x.err, sizeof(x.err)) < 0 || x.failed)
        goto out;
    if (queue_batch(&x) != 0 || rpipe_flush(&x.pipe, x.err, sizeof(x.err)) != 0)
        goto out;
    if (delete_missing_ids && delete_missing(&x, csv_path) != 0)
        goto out;
    rc = 0;
out:
    if (rc != 0)
        snprintf(err, errlen, "%s", x.err);
    ctx_free(&x);
    return rc;
}
