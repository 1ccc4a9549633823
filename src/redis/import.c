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
#define BATCH_ACCOUNTS 1000 /* accounts per upsert_batch call (the most the Function takes) */
#define BATCH_VALUES 40000  /* a batch is sent sooner once its accounts carry this many values */
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
    /* The batch being filled, its arguments already in the Redis protocol ("$len\r\nbytes\r\n"
     * each): the account hash keys, and per account id, count of values, the values. */
    strbuf batch_keys;
    strbuf batch_args;
    size_t batch_values;   /* arguments in batch_args */
    strvec batch_ids;      /* the batch's account ids, in order: its reply's labels */
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

/* Reply of one upsert_batch call: one code per account, counted. The command's labels are the
 * batch's account ids, in order. */
static int on_batch_reply(const rpipe_cmd *cmd, const redisReply *r, void *ctx, char *err,
                          size_t errlen)
{
    size_t accounts = (size_t)cmd->argc;
    if (r->type != REDIS_REPLY_ARRAY || r->elements != accounts) {
        snprintf(err, errlen, "accounts from '%s' on: %s", cmd->argv[0],
                 r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply to the upsert function");
        return -1;
    }
    for (size_t i = 0; i < accounts; i++) {
        const redisReply *code = r->element[i];
        if (code->type != REDIS_REPLY_INTEGER || code->integer < 0 || code->integer > 2) {
            snprintf(err, errlen, "account '%s': unexpected reply to the upsert function",
                     cmd->argv[i]);
            return -1;
        }
        count_upsert(ctx, cmd->argv[i], (uint32_t)code->integer);
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

/* Appends s (n bytes) to sb as one argument in the Redis protocol. */
static void resp_arg(strbuf *sb, const char *s, size_t n)
{
    char head[32], *p = head + sizeof(head);
    size_t left = n;
    *--p = '\n';
    *--p = '\r';
    do {
        *--p = (char)('0' + left % 10);
        left /= 10;
    } while (left);
    *--p = '$';
    sb_appendn(sb, p, (size_t)(head + sizeof(head) - p));
    sb_appendn(sb, s, n);
    sb_appendn(sb, "\r\n", 2);
}

static void resp_str(strbuf *sb, const char *s)
{
    resp_arg(sb, s, strlen(s));
}

/* The field/value pairs of an account, known fields then attributes, empty values skipped:
 * appended to out as arguments (when out is not NULL). Returns the number of values. */
static size_t account_pairs(const account_rec *a, strbuf *out)
{
    const char *names[] = {"id", "name", "domains", "type", "parent_id", "country", "owner_id",
                           "employees", "last_activity"};
    const char *vals[] = {a->id, a->name, a->domains, a->type, a->parent_id, a->country,
                          a->owner_id, a->employees, a->last_activity};
    size_t n = 0;
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        if (vals[i] && vals[i][0]) {
            if (out) {
                resp_str(out, names[i]);
                resp_str(out, vals[i]);
            }
            n += 2;
        }
    }
    for (size_t i = 0; i < a->attr_keys.n; i++) {
        if (a->attr_vals.v[i][0]) {
            if (out) {
                resp_str(out, a->attr_keys.v[i]);
                resp_str(out, a->attr_vals.v[i]);
            }
            n += 2;
        }
    }
    return n;
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
    size_t accounts = x->batch_ids.n;
    if (accounts == 0)
        return 0;
    strbuf cmd;
    char num[24];
    sb_init(&cmd);
    sb_appendf(&cmd, "*%zu\r\n", 6 + accounts + x->batch_values);
    resp_str(&cmd, "FCALL");
    resp_str(&cmd, functions_name(FN_ACCOUNT_UPSERT_BATCH));
    snprintf(num, sizeof(num), "%zu", 2 + accounts);
    resp_str(&cmd, num);
    resp_str(&cmd, x->set_key);
    resp_str(&cmd, x->changes_key);
    sb_appendn(&cmd, x->batch_keys.buf, x->batch_keys.len);
    resp_str(&cmd, L2A_CHANGES_MAXLEN);
    sb_appendn(&cmd, x->batch_args.buf, x->batch_args.len);
    size_t len = cmd.len;
    int rc = rpipe_add_resp(&x->pipe, sb_take(&cmd), len, (int)accounts,
                            (const char **)x->batch_ids.v, x->err, sizeof(x->err));
    sb_reset(&x->batch_keys);
    sb_reset(&x->batch_args);
    x->batch_values = 0;
    sv_free(&x->batch_ids);
    return rc;
}

/* Adds one account to the batch being filled; queues the batch when it is full. */
static int batch_account(import_ctx *x, const account_rec *a)
{
    char count[24];
    char *key = key_account(x->prefix, a->id);
    size_t values = account_pairs(a, NULL);
    resp_str(&x->batch_keys, key);
    free(key);
    snprintf(count, sizeof(count), "%zu", values);
    resp_str(&x->batch_args, a->id);
    resp_str(&x->batch_args, count);
    account_pairs(a, &x->batch_args);
    x->batch_values += 2 + values;
    sv_push(&x->batch_ids, a->id);
    if (x->batch_ids.n < BATCH_ACCOUNTS && x->batch_values < BATCH_VALUES)
        return 0;
    return queue_batch(x);
}

/* accounts_read_csv callback: one row -> one account of a batch. Owns a's contents. */
static void on_account(account_rec *a, void *ctx)
{
    import_ctx *x = ctx;
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
    if (batch_account(x, a) != 0)
        x->failed = true; /* err already set by the pipeline */
out:
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
    sb_free(&x->batch_keys);
    sb_free(&x->batch_args);
    sv_free(&x->batch_ids);
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
