/* load.c - an accounts CSV (or a feed of records) into a matcher's index: on one thread, or on two
 * (the second thread reads the rows in batches; either thread prepares a batch, i.e. parses its
 * names and domains, whenever it would otherwise wait; this one indexes them in file order). */
#include "matcher_impl.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cpus.h"
#include "load_helper.h"

/* Notes that the row on line was upserted into slot and warns (through o) when an earlier row
 * of this file went there, i.e. had the same id: the index's own lookup of the id finds the
 * duplicates, and its accounts keep the line (account.load_line), without a map or an array of
 * the load's own. */
static void first_line_note(account_index *ix, uint32_t slot, long line, const accounts_csv *o,
                            const char *id)
{
    account *a = &ix->acc[slot];
    if (a->load_line)
        accounts_csv_warn_duplicate(o, id, line, a->load_line);
    else
        a->load_line = (uint32_t)line;
}

/* A load begins: no account's line is from it yet (an index loaded into before keeps lines of
 * that load). */
static void load_lines_clear(account_index *ix)
{
    for (size_t i = 0; i < ix->n; i++)
        ix->acc[i].load_line = 0;
}

static void warn_account(const char *msg, void *ctx)
{
    (void)ctx;
    fprintf(stderr, "<4>l2a: %s\n", msg);
}

/* ---- one thread ---- */

typedef struct csv_load {
    matcher *m;
    const accounts_csv *o;
    long line;              /* of the row being added */
} csv_load;

/* The reader's duplicate check: only notes the line (add_account warns, after the upsert). */
static long seen_on(const char *id, long line, void *ctx)
{
    (void)id;
    ((csv_load *)ctx)->line = line;
    return 0;
}

/* A borrowed record (accounts_csv.borrow): index_upsert copies what it keeps. */
static void add_account(account_rec *a, void *ctx)
{
    csv_load *l = ctx;
    first_line_note(&l->m->ix, index_upsert(&l->m->ix, a), l->line, l->o, a->id);
}

static long load_one_thread(matcher *m, const char *path, FILE *file, const char *encoding,
                            char *err, size_t errlen)
{
    csv_load l = {.m = m};
    accounts_csv o = {.path = path, .file = file, .encoding = encoding, .cb = add_account,
                      .warn = warn_account,
                      .seen_on = seen_on, .borrow = true, .ctx = &l};
    l.o = &o;
    return accounts_read_csv_opts(&o, err, errlen);
}

/* ---- two threads ---- */

#define BATCH_ROWS 512
#define BATCHES 8

/* The account_rec fields a row carries (attributes are not read: accounts_csv.borrow). */
#define REC_FIELDS 9

static void rec_fields(account_rec *r, char **f[REC_FIELDS])
{
    char **all[REC_FIELDS] = {&r->id,       &r->name,     &r->domains,
                              &r->type,     &r->parent_id, &r->country,
                              &r->owner_id, &r->employees, &r->last_activity};
    memcpy(f, all, sizeof(all));
}

/* A row read and prepared, or a warning, in file order. */
typedef struct load_item {
    bool warning;
    long line;
    size_t text[REC_FIELDS];  /* offsets in the batch's bytes (SIZE_MAX: NULL); text[0] holds a
                               * warning's message */
    account_prep prep;
} load_item;

/* Where a batch handed over by the reader is: rows read, being prepared, ready to index. */
enum batch_state { BATCH_READ, BATCH_PREPARING, BATCH_PREPARED };

typedef struct load_batch {
    load_item item[BATCH_ROWS];
    size_t n;
    strbuf bytes;
    bump preps;                     /* what its rows' preparations hold (index_prepare_in) */
    enum batch_state state;         /* set under load_pipe.mu once handed over */
    long read_at;                   /* bytes of the source file read when it was handed over */
    struct load_batch *next;
} load_batch;

/* What the reading thread reads: a CSV file, or the records a feed passes it. */
typedef struct load_source {
    const char *path;               /* the CSV's, or the name of the feed in messages */
    FILE *file;                     /* read instead of path when not NULL */
    const char *encoding;
    account_feed_fn feed;           /* when not NULL, what is read (path only names it) */
    void *feed_ctx;
} load_source;

typedef struct load_pipe {
    matcher *m;
    load_source src;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    load_batch *full, *full_tail;   /* read, waiting to be indexed */
    load_batch *spare;              /* empty */
    load_batch *filling;            /* the reader's */
    norm_scratch *scratch;          /* the reader's name-parsing buffers */
    norm_scratch *indexer_scratch;  /* the indexing thread's, for the batches it prepares */
    bool done;                      /* the reader has finished: count and err are set */
    long count;
    long line;                      /* of the row being read */
    long size;                      /* of the source, a regular file (0: not known) */
    char err[512];
} load_pipe;

/* Empties an indexed batch (its rows' preparations were made in its bump: no free each). */
static void batch_clear(load_batch *b)
{
    bump_reset(&b->preps);
    b->n = 0;
    sb_reset(&b->bytes);
}

/* The record of a read row, its fields pointing into the batch's bytes. */
static void item_rec(const load_batch *b, const load_item *it, account_rec *a)
{
    char **f[REC_FIELDS];
    account_rec_init(a);
    rec_fields(a, f);
    for (size_t k = 0; k < REC_FIELDS; k++)
        *f[k] = it->text[k] == SIZE_MAX ? NULL : b->bytes.buf + it->text[k];
}

/* Prepares every row of a batch (index.h: index_prepare reads only the index's rules). */
static void batch_prepare(const load_pipe *p, load_batch *b, norm_scratch *scratch)
{
    for (size_t i = 0; i < b->n; i++) {
        load_item *it = &b->item[i];
        if (it->warning)
            continue;
        account_rec a;
        item_rec(b, it, &a);
        index_prepare_in(&p->m->ix, &a, &it->prep, scratch, &b->preps);
    }
}

/* The oldest handed-over batch still to prepare, or NULL. Called with mu held. */
static load_batch *oldest_unprepared(const load_pipe *p)
{
    for (load_batch *b = p->full; b; b = b->next)
        if (b->state == BATCH_READ)
            return b;
    return NULL;
}

/* Prepares the oldest batch still to prepare, if any (by either thread); false when none.
 * Called with mu held, which it releases while preparing. */
static bool prepare_one_locked(load_pipe *p, norm_scratch *scratch)
{
    load_batch *b = oldest_unprepared(p);
    if (!b)
        return false;
    b->state = BATCH_PREPARING;
    pthread_mutex_unlock(&p->mu);
    batch_prepare(p, b, scratch);
    pthread_mutex_lock(&p->mu);
    b->state = BATCH_PREPARED;
    pthread_cond_broadcast(&p->cv);
    return true;
}

/* How many handed-over batches wait to be prepared. Called with mu held. */
static size_t unprepared_locked(const load_pipe *p)
{
    size_t n = 0;
    for (const load_batch *b = p->full; b; b = b->next)
        n += b->state == BATCH_READ;
    return n;
}

/* After a hand-over the reader prepares a batch only when two or more wait: one is left for the
 * indexing thread, which prepares it rather than wait while the reader does (preparing is most of
 * the work, and the reader also reads). */
static void reader_prepare_one(load_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    if (unprepared_locked(p) >= 2)
        (void)prepare_one_locked(p, p->scratch);
    pthread_mutex_unlock(&p->mu);
}

/* A spare batch for the reader; while there is none, it prepares batches instead of waiting. */
static load_batch *take_spare(load_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    while (!p->spare)
        if (!prepare_one_locked(p, p->scratch))
            pthread_cond_wait(&p->cv, &p->mu);
    load_batch *b = p->spare;
    p->spare = b->next;
    pthread_mutex_unlock(&p->mu);
    batch_clear(b);
    return b;
}

/* Hands the reader's batch over (if it holds anything); done marks the end. */
static void hand_over(load_pipe *p, bool done)
{
    load_batch *b = p->filling;
    pthread_mutex_lock(&p->mu);
    if (b && b->n) {
        b->read_at = p->size ? ftell(p->src.file) : 0;
        b->state = BATCH_READ;
        b->next = NULL;
        if (p->full_tail)
            p->full_tail->next = b;
        else
            p->full = b;
        p->full_tail = b;
        p->filling = NULL;
    }
    p->done = done;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static load_item *next_item(load_pipe *p)
{
    if (p->filling && p->filling->n == BATCH_ROWS) {
        hand_over(p, false);
        reader_prepare_one(p);
    }
    if (!p->filling)
        p->filling = take_spare(p);
    load_item *it = &p->filling->item[p->filling->n++];
    it->warning = false;            /* the rest is set by the row or warning it is for, and its */
    it->line = 0;                   /* prep by batch_prepare: not cleared first */
    return it;
}

static size_t keep_text(load_batch *b, const char *s)
{
    if (!s)
        return SIZE_MAX;
    size_t at = b->bytes.len;
    sb_appendn(&b->bytes, s, strlen(s) + 1);
    return at;
}

/* The reader's seen_on: duplicates are found by the indexing thread, which owns the index. */
static long reader_seen_on(const char *id, long line, void *ctx)
{
    (void)id;
    ((load_pipe *)ctx)->line = line;
    return 0;
}

/* The most bytes keep_row_text copies in one piece (more: other columns between the fields
 * would be copied too, a long description say). */
#define ROW_SPAN_MAX 1024

/* A CSV row's fields, which lie in one buffer in column order (accounts_csv.borrow), copied in
 * one piece: the bytes from the first field's to the last one's NUL (any columns between them
 * too); false, nothing copied, when that is more than ROW_SPAN_MAX bytes. */
static bool keep_row_text(load_batch *b, load_item *it, char **const f[REC_FIELDS])
{
    const char *lo = NULL, *hi = NULL;
    for (size_t i = 0; i < REC_FIELDS; i++) {
        const char *s = *f[i];
        if (s && (!lo || s < lo))
            lo = s;
        if (s && (!hi || s > hi))
            hi = s;
    }
    size_t at = b->bytes.len, span = lo ? (size_t)(hi - lo) : 0;
    if (span > ROW_SPAN_MAX)
        return false;
    if (lo)
        sb_appendn(&b->bytes, lo, span + strlen(hi) + 1);
    for (size_t i = 0; i < REC_FIELDS; i++)
        it->text[i] = *f[i] ? at + (size_t)(*f[i] - lo) : SIZE_MAX;
    return true;
}

static void reader_row(account_rec *a, void *ctx)
{
    load_pipe *p = ctx;
    load_item *it = next_item(p);
    char **f[REC_FIELDS];
    rec_fields(a, f);
    it->line = p->line;
    if (!p->src.feed && keep_row_text(p->filling, it, f))
        return;
    for (size_t i = 0; i < REC_FIELDS; i++)
        it->text[i] = keep_text(p->filling, *f[i]);
}

static void reader_warning(const char *msg, void *ctx)
{
    load_pipe *p = ctx;
    load_item *it = next_item(p);
    it->warning = true;
    it->text[0] = keep_text(p->filling, msg);
}

/* A record from a feed (owned): kept as a CSV row is (no line: ids are not checked for repeats),
 * then freed. Records without id or name are left out, as matcher_upsert_account leaves them. */
static void reader_fed(account_rec *a, void *ctx)
{
    load_pipe *p = ctx;
    p->line = 0;
    if (a->id && a->name)
        reader_row(a, p);
    account_rec_free(a);
}

static void *reader(void *arg)
{
    load_pipe *p = arg;
    const load_source *src = &p->src;
    accounts_csv o = {.path = src->path, .file = src->file, .encoding = src->encoding,
                      .cb = reader_row, .warn = reader_warning, .seen_on = reader_seen_on,
                      .borrow = true, .ctx = p};
    p->scratch = norm_scratch_new();
    if (src->feed)
        p->count = src->feed(reader_fed, p, src->feed_ctx, p->err, sizeof(p->err));
    else
        p->count = accounts_read_csv_opts(&o, p->err, sizeof(p->err));
    hand_over(p, true);
    pthread_mutex_lock(&p->mu);
    while (prepare_one_locked(p, p->scratch))
        ;
    pthread_mutex_unlock(&p->mu);
    norm_scratch_free(p->scratch);
    p->scratch = NULL;
    return NULL;
}

/* The next batch to index, prepared, or NULL once the reader is done and every batch indexed.
 * While the next one is not prepared, the indexing thread prepares batches itself. */
static load_batch *take_full(load_pipe *p)
{
    pthread_mutex_lock(&p->mu);
    for (;;) {
        if (p->full && p->full->state == BATCH_PREPARED)
            break;
        if (!p->full && p->done)
            break;
        if (!prepare_one_locked(p, p->indexer_scratch))
            pthread_cond_wait(&p->cv, &p->mu);
    }
    load_batch *b = p->full;
    if (b) {
        p->full = b->next;
        if (!p->full)
            p->full_tail = NULL;
    }
    pthread_mutex_unlock(&p->mu);
    return b;
}

static void give_spare(load_pipe *p, load_batch *b)
{
    pthread_mutex_lock(&p->mu);
    b->next = p->spare;
    p->spare = b;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* How many rows ahead of the one being indexed the index's slots are asked for. */
#define PREFETCH_AHEAD 2

/* Indexes one batch in order: warnings printed, accounts upserted, duplicates warned about. */
static void index_batch(load_pipe *p, load_batch *b)
{
    accounts_csv o = {.path = p->src.path, .warn = warn_account};
    for (size_t i = 0; i < b->n && i < PREFETCH_AHEAD; i++)
        if (!b->item[i].warning)
            index_prefetch(&p->m->ix, &b->item[i].prep);
    for (size_t i = 0; i < b->n; i++) {
        load_item *it = &b->item[i];
        if (i + PREFETCH_AHEAD < b->n && !b->item[i + PREFETCH_AHEAD].warning)
            index_prefetch(&p->m->ix, &b->item[i + PREFETCH_AHEAD].prep);
        if (it->warning) {
            warn_account(b->bytes.buf + it->text[0], NULL);
            continue;
        }
        account_rec a;
        item_rec(b, it, &a);
        uint32_t slot = index_upsert_prepared(&p->m->ix, &a, &it->prep);
        if (it->line)
            first_line_note(&p->m->ix, slot, it->line, &o, a.id);
    }
}

/* How far ahead of the indexing thread its helper faults in the slot arrays (account_index.acc
 * and key), in slots (1 MiB of acc), asked for when fewer than half of them are left: more would
 * only fault in memory past the last account (a huge page of it) at the end. */
#define SLOTS_AHEAD 8192

/* The slot arrays are written in slot order: the helper faults in their next pages before the
 * indexing thread gets there (populated: the slots it has been asked for). Before a batch that may
 * grow (and so move) the arrays, settles what it was asked: waits for what it has begun, takes
 * back what it has not (while it grows the typo index, a quarter of a second at 1M accounts,
 * the indexing thread would otherwise wait for it), and asks again from the next slot. */
static void slots_ahead(load_helper *h, const account_index *ix, size_t rows, size_t *populated)
{
    if (!h)
        return;
    if (ix->n + rows > ix->cap && !load_helper_settle(h))
        *populated = ix->n;
    if (*populated >= ix->cap || *populated >= ix->n + SLOTS_AHEAD / 2)
        return;
    size_t from = *populated > ix->n ? *populated : ix->n;
    size_t to = from + SLOTS_AHEAD < ix->cap ? from + SLOTS_AHEAD : ix->cap;
    mem_range r[2] = {{ix->acc + from, (to - from) * sizeof(*ix->acc)},
                      {ix->key + from, (to - from) * sizeof(*ix->key)}};
    if (load_helper_populate(h, r, 2))
        *populated = to;
}

/* ---- one thread or two, for either source ---- */

static void upsert_fed(account_rec *a, void *ctx)
{
    (void)matcher_upsert_account(ctx, a);
    account_rec_free(a);
}

static long load_one_source(matcher *m, const load_source *src, char *err, size_t errlen)
{
    if (src->feed)
        return src->feed(upsert_fed, m, src->feed_ctx, err, errlen);
    return load_one_thread(m, src->path, src->file, src->encoding, err, errlen);
}

/* The source's file opened here (when only its path is given: *own, to close), its size when it
 * is a regular file read from its start: how far the reader is through it tells the load's
 * helper whether a string map will grow before the end (load_helper_feed). */
static long source_size(load_source *src, FILE **own)
{
    *own = NULL;
    if (src->feed)
        return 0;
    if (!src->file)
        src->file = *own = fopen(src->path, "rb");
    struct stat st;
    if (!src->file || fstat(fileno(src->file), &st) != 0 || !S_ISREG(st.st_mode) ||
        ftell(src->file) != 0)
        return 0;
    return (long)st.st_size;
}

/* The share of the source read when b was handed over (0: not known). */
static double read_share(const load_pipe *p, const load_batch *b)
{
    return p->size > 0 && b->read_at > 0 ? (double)b->read_at / (double)p->size : 0;
}

static long load_two_threads(matcher *m, const load_source *src, char *err, size_t errlen)
{
    load_pipe p = {.m = m, .src = *src};
    FILE *own;
    p.size = source_size(&p.src, &own);
    load_batch *all = xcalloc(BATCHES, sizeof(*all));
    pthread_t t;
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.cv, NULL);
    for (size_t i = 0; i < BATCHES; i++) {
        sb_init(&all[i].bytes);
        bump_init(&all[i].preps);
        all[i].next = i + 1 < BATCHES ? &all[i + 1] : NULL;
    }
    p.spare = &all[0];
    p.indexer_scratch = norm_scratch_new();
    free(domain_registrable("example.com")); /* the PSL loaded before a second thread uses it */
    if (pthread_create(&t, NULL, reader, &p) == 0) {
        load_helper *helper = load_helper_start(&m->ix);
        size_t populated = 0;
        for (load_batch *b; (b = take_full(&p));) {
            slots_ahead(helper, &m->ix, b->n, &populated);
            load_helper_feed(helper, &m->ix.load_arena, read_share(&p, b));
            index_batch(&p, b);
            load_helper_publish(helper);
            give_spare(&p, b);
        }
        load_helper_finish(helper);
        pthread_join(t, NULL);
        if (p.count < 0)
            snprintf(err, errlen, "%s", p.err);
    } else {
        p.count = load_one_source(m, src, err, errlen);
    }
    for (size_t i = 0; i < BATCHES; i++) {
        bump_free(&all[i].preps);
        sb_free(&all[i].bytes);
    }
    free(all);
    if (own)
        fclose(own);
    norm_scratch_free(p.indexer_scratch);
    pthread_cond_destroy(&p.cv);
    pthread_mutex_destroy(&p.mu);
    return p.count;
}

/* On two threads when accounts.load_threads says so and the process may run on two CPUs (on one,
 * the two threads would only take turns), else on this one; the accounts' blocks in the index's
 * load arena (index_loading). */
static long load_source_in(matcher *m, const load_source *src, char *err, size_t errlen)
{
    index_loading(&m->ix, true);
    load_lines_clear(&m->ix);
    bool two = m->cfg->load_threads > 1 && cpus_allowed() > 1;
    long n = two ? load_two_threads(m, src, err, errlen)
                 : load_one_source(m, src, err, errlen);
    index_loading(&m->ix, false);
    return n;
}

long matcher_load_accounts_csv(matcher *m, const char *path, char *err, size_t errlen)
{
    return matcher_load_accounts_csv_enc(m, path, NULL, err, errlen);
}

long matcher_load_accounts_csv_enc(matcher *m, const char *path, const char *encoding, char *err,
                                   size_t errlen)
{
    load_source src = {.path = path, .encoding = encoding};
    return load_source_in(m, &src, err, errlen);
}

long matcher_load_accounts_csv_file(matcher *m, FILE *file, const char *name, char *err,
                                    size_t errlen)
{
    load_source src = {.path = name, .file = file};
    return load_source_in(m, &src, err, errlen);
}

long matcher_load_accounts_feed(matcher *m, account_feed_fn feed, void *feed_ctx, char *err,
                                size_t errlen)
{
    load_source src = {.path = "accounts", .feed = feed, .feed_ctx = feed_ctx};
    return load_source_in(m, &src, err, errlen);
}
