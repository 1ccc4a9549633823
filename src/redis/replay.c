/* replay.c - the leads recorded in a time window: input stream entries read page by page, each
 * with the result l2ad recorded for its lead; read-only. */
#include "replay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "rconn.h"

/* One entry of a page: its lead, read as l2ad reads it (ok false when it cannot be). */
typedef struct page_lead {
    const redisReply *entry;      /* [id, [field, value, ...]] */
    lead l;
    bool ok;
} page_lead;

static bool entry_shape_ok(const redisReply *e)
{
    return e->type == REDIS_REPLY_ARRAY && e->elements == 2 &&
           e->element[0]->type == REDIS_REPLY_STRING && e->element[1]->type == REDIS_REPLY_ARRAY;
}

static void read_lead(const entry_limits *lim, page_lead *p)
{
    const redisReply *f = p->entry->element[1];
    strvec fields;
    char why[256];
    sv_init(&fields);
    for (size_t i = 0; i < f->elements; i++) {
        const redisReply *x = f->element[i];
        sv_push_owned(&fields, xstrndup(x->str ? x->str : "", x->str ? x->len : 0));
    }
    lead_init(&p->l);
    p->ok = lead_from_entry(&fields, lim, &p->l, why, sizeof(why)) == 0;
    sv_free(&fields);
}

static const char *str_or(const redisReply *r, const char *dflt)
{
    return r->type == REDIS_REPLY_STRING ? r->str : dflt;
}

/* The result of one lead (HMGET decision account_id reason stream_id): handed to fn when it was
 * recorded from this entry. */
static void take_result(const page_lead *p, const redisReply *r, replay_fn fn, void *ctx,
                        replay_stats *st)
{
    const char *decision = str_or(r->element[0], NULL), *sid = str_or(r->element[3], NULL);
    if (!decision) {
        st->unrecorded++;
    } else if (!sid || strcmp(sid, p->entry->element[0]->str) != 0) {
        st->repeats++;
    } else {
        replay_lead rl = {p->entry->element[0]->str, &p->l, decision,
                          str_or(r->element[1], NULL), str_or(r->element[2], "")};
        st->recorded++;
        fn(&rl, ctx);
    }
}

/* The results of a page's leads, pipelined; 0 or -1 with err. */
static int page_results(redisContext *c, const char *prefix, page_lead *pl, size_t n, replay_fn fn,
                        void *ctx, replay_stats *st, char *err, size_t errlen)
{
    for (size_t i = 0; i < n; i++) {
        if (!pl[i].ok)
            continue;
        char *key = key_lead(prefix, pl[i].l.id);
        int rc = redisAppendCommand(c, "HMGET %s decision account_id reason stream_id", key);
        free(key);
        if (rc != REDIS_OK)
            return rconn_reply_error(c, NULL, "HMGET", err, errlen);
    }
    for (size_t i = 0; i < n; i++) {
        if (!pl[i].ok) {
            st->unreadable++;
            continue;
        }
        redisReply *r = NULL;
        if (redisGetReply(c, (void **)&r) != REDIS_OK || !r || r->type != REDIS_REPLY_ARRAY ||
            r->elements != 4)
            return rconn_reply_error(c, r, "HMGET of a lead's result", err, errlen);
        take_result(&pl[i], r, fn, ctx, st);
        freeReplyObject(r);
    }
    return 0;
}

/* One page of entries (an XRANGE reply): 0 or -1 with err. */
static int replay_page(redisContext *c, const char *prefix, const redisReply *entries,
                       const entry_limits *lim, replay_fn fn, void *ctx, replay_stats *st,
                       char *err, size_t errlen)
{
    page_lead *pl = xcalloc(entries->elements ? entries->elements : 1, sizeof(*pl));
    size_t n = 0;
    for (size_t i = 0; i < entries->elements; i++) {
        if (!entry_shape_ok(entries->element[i]))
            continue;
        pl[n].entry = entries->element[i];
        read_lead(lim, &pl[n++]);
    }
    st->entries += (long)n;
    int rc = page_results(c, prefix, pl, n, fn, ctx, st, err, errlen);
    for (size_t i = 0; i < n; i++)
        lead_free(&pl[i].l);
    free(pl);
    return rc;
}

int replay_scan(redisContext *c, const char *prefix, long long since_ms, const entry_limits *lim,
                size_t page, replay_fn fn, void *ctx, replay_stats *st, char *err, size_t errlen)
{
    char *stream = key_leads(prefix), start[64], count[32];
    int rc = 0;
    memset(st, 0, sizeof(*st));
    snprintf(start, sizeof(start), "%lld-0", since_ms < 0 ? 0 : since_ms);
    snprintf(count, sizeof(count), "%zu", page);
    for (;;) {
        const char *argv[] = {"XRANGE", stream, start, "+", "COUNT", count};
        redisReply *r = redisCommandArgv(c, 6, argv, NULL);
        if (!r || r->type != REDIS_REPLY_ARRAY) {
            rc = rconn_reply_error(c, r, "XRANGE of the input stream", err, errlen);
            break;
        }
        size_t n = r->elements;
        rc = replay_page(c, prefix, r, lim, fn, ctx, st, err, errlen);
        if (rc == 0 && n > 0 && entry_shape_ok(r->element[n - 1]))
            snprintf(start, sizeof(start), "(%s", r->element[n - 1]->element[0]->str);
        freeReplyObject(r);
        if (rc != 0 || n < page)
            break;
    }
    free(stream);
    return rc;
}
