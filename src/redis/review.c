/* review.c - reading the review queue (open set + alert hashes) and resolving an alert with the
 * resolve Function (src/redis/lua/resolve.lua), plus the duration, age and text helpers of
 * `l2a review`. */
#include "review.h"
#include "review_plan.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keys.h"
#include "functions.h"
#include "rconn.h"

#define REVIEW_PIPELINE 500 /* HGETALLs in flight */

/* ---- pure helpers ---- */

static long long unit_seconds(char u)
{
    switch (u) {
    case 'd': return 86400;
    case 'h': return 3600;
    case 'm': return 60;
    case 's': return 1;
    default: return 0;
    }
}

int review_duration_parse(const char *text, long long *secs)
{
    const char *p = text;
    long long total = 0;
    if (!p || !*p)
        return -1;
    while (*p) {
        long long v = 0, mult;
        if (!isdigit((unsigned char)*p))
            return -1;
        for (; isdigit((unsigned char)*p); p++) {
            if (v > (LLONG_MAX - 9) / 10)
                return -1;
            v = v * 10 + (*p - '0');
        }
        if (!(mult = unit_seconds(*p++)))
            return -1;
        if (v > (LLONG_MAX - total) / mult)
            return -1;
        total += v * mult;
    }
    *secs = total;
    return 0;
}

const char *review_age_format(long long secs, char *buf, size_t len)
{
    static const struct { char unit; long long s; } units[] = {
        {'d', 86400}, {'h', 3600}, {'m', 60}, {'s', 1}};
    if (secs <= 0) {
        snprintf(buf, len, "0s");
        return buf;
    }
    size_t i = 0;
    while (secs < units[i].s)
        i++;
    long long big = secs / units[i].s, rest = i + 1 < ARRAY_LEN(units) ?
        (secs % units[i].s) / units[i + 1].s : 0;
    if (rest > 0)
        snprintf(buf, len, "%lld%c%lld%c", big, units[i].unit, rest, units[i + 1].unit);
    else
        snprintf(buf, len, "%lld%c", big, units[i].unit);
    return buf;
}

/* A C0 control, DEL, or the second byte of a UTF-8 C1 control (U+0080..U+009F: 0xC2 0x80-0x9F,
 * which some terminals read as escape sequences). */
static bool control_at(const unsigned char *p, size_t i)
{
    return p[i] < 0x20 || p[i] == 0x7f || (i > 0 && p[i - 1] == 0xC2 && p[i] >= 0x80 && p[i] <= 0x9F);
}

char *review_printable(const char *s)
{
    strbuf sb;
    sb_init(&sb);
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    for (size_t i = 0; p[i]; i++) {
        bool c1_lead = p[i] == 0xC2 && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F;
        if (p[i] == '\n')
            sb_append(&sb, "\\n");
        else if (p[i] == '\t')
            sb_append(&sb, "\\t");
        else if (p[i] == '\r')
            sb_append(&sb, "\\r");
        else if (c1_lead || control_at(p, i))
            sb_appendf(&sb, "\\x%02X", p[i]);
        else
            sb_putc(&sb, (char)p[i]);
    }
    return sb_take(&sb);
}

char *review_shorten(const char *s, size_t max)
{
    strbuf sb;
    sb_init(&sb);
    size_t n = s ? strlen(s) : 0;
    bool cut = n > max;
    if (cut) {
        n = max > 3 ? max - 3 : 0;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--; /* do not split a UTF-8 sequence */
    }
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < n; i++) {
        bool c1_lead = p[i] == 0xC2 && i + 1 < n && p[i + 1] >= 0x80 && p[i + 1] <= 0x9F;
        if (p[i] == '\n' || p[i] == '\t' || p[i] == '\r')
            sb_putc(&sb, ' ');
        else if (c1_lead || control_at(p, i))
            sb_putc(&sb, '?');     /* ESC, BEL ...: never reach the operator's terminal */
        else
            sb_putc(&sb, (char)p[i]);
    }
    if (cut)
        sb_append(&sb, "...");
    return sb_take(&sb);
}

/* ---- alerts ---- */

void review_alert_free(review_alert *a)
{
    free(a->lead_id);
    sv_free(&a->kv);
    memset(a, 0, sizeof(*a));
}

const char *review_kv_get(const strvec *kv, const char *field)
{
    for (size_t i = 0; i + 1 < kv->n; i += 2)
        if (strcmp(kv->v[i], field) == 0)
            return kv->v[i + 1];
    return NULL;
}

const char *review_alert_get(const review_alert *a, const char *field)
{
    return review_kv_get(&a->kv, field);
}

/* Appends the pairs of an HGETALL reply to kv. 1 when there were any, 0 when empty, -1 when the
 * reply is not a flat array of strings. */
static int take_pairs(const redisReply *r, strvec *kv)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0)
        return -1;
    for (size_t i = 0; i < r->elements; i++)
        if (r->element[i]->type != REDIS_REPLY_STRING)
            return -1;
    for (size_t i = 0; i < r->elements; i++)
        sv_push_owned(kv, xstrndup(r->element[i]->str, r->element[i]->len));
    return r->elements > 0;
}

int review_hgetall(redisContext *c, const char *key, strvec *kv, char *err, size_t errlen)
{
    const char *argv[] = {"HGETALL", key};
    redisReply *r = rconn_command(c, 2, argv, NULL, err, errlen);
    if (!r)
        return -1;
    int rc = take_pairs(r, kv);
    if (rc < 0)
        snprintf(err, errlen, "HGETALL %s: unexpected reply", key);
    freeReplyObject(r);
    return rc;
}

/* created_ms from the hash, else fallback. */
static void set_created(review_alert *a, double fallback)
{
    const char *ms = review_alert_get(a, "created_ms");
    char *end = NULL;
    double v = ms ? strtod(ms, &end) : 0;
    a->created_ms = ms && end != ms && *end == '\0' ? v : fallback;
}

int review_alert_from_reply(const redisReply *r, const char *lead_id, double fallback_ms,
                            review_alert *out)
{
    memset(out, 0, sizeof(*out));
    int rc = take_pairs(r, &out->kv);
    if (rc == 1) {
        out->lead_id = xstrdup(lead_id);
        set_created(out, fallback_ms);
    } else {
        sv_free(&out->kv);
    }
    return rc;
}

int review_get(redisContext *c, const char *prefix, const char *lead_id, review_alert *out,
               char *err, size_t errlen)
{
    char *key = key_alert(prefix, lead_id);
    memset(out, 0, sizeof(*out));
    int rc = review_hgetall(c, key, &out->kv, err, errlen);
    free(key);
    if (rc == 1) {
        out->lead_id = xstrdup(lead_id);
        set_created(out, 0);
    } else {
        review_alert_free(out);
    }
    return rc;
}

/* ---- list ---- */

/* The open set's ids with their scores, from a WITHSCORES reply. */
typedef struct open_ids {
    strvec ids;            /* owned */
    double *ms;            /* owned, parallel to ids */
} open_ids;

static int take_scored(const redisReply *r, open_ids *o, char *err, size_t errlen)
{
    if (r->type != REDIS_REPLY_ARRAY || r->elements % 2 != 0) {
        snprintf(err, errlen, "review set: unexpected reply");
        return -1;
    }
    o->ms = xcalloc(r->elements / 2 + 1, sizeof(double));
    for (size_t i = 0; i + 1 < r->elements; i += 2) {
        const redisReply *id = r->element[i], *sc = r->element[i + 1];
        if (id->type != REDIS_REPLY_STRING || sc->type != REDIS_REPLY_STRING) {
            snprintf(err, errlen, "review set: unexpected reply");
            return -1;
        }
        o->ms[o->ids.n] = strtod(sc->str, NULL);
        sv_push_owned(&o->ids, xstrndup(id->str, id->len));
    }
    return 0;
}

/* Runs a command whose reply is id/score pairs into *o (empty on entry). 0 or -1. */
static int scored_range(redisContext *c, int argc, const char **argv, open_ids *o, char *err,
                        size_t errlen)
{
    redisReply *r = rconn_command(c, argc, argv, NULL, err, errlen);
    if (!r)
        return -1;
    int rc = take_scored(r, o, err, errlen);
    freeReplyObject(r);
    return rc;
}

static void open_ids_free(open_ids *o)
{
    sv_free(&o->ids);
    free(o->ms);
    memset(o, 0, sizeof(*o));
}

/* ZCARD and the oldest entry's score. 0 or -1. */
static int queue_summary(redisContext *c, const char *key, long long *total, double *oldest_ms,
                         char *err, size_t errlen)
{
    const char *card[] = {"ZCARD", key};
    const char *first[] = {"ZRANGE", key, "0", "0", "WITHSCORES"};
    open_ids o = {0};
    redisReply *r = rconn_command(c, 2, card, NULL, err, errlen);
    if (!r)
        return -1;
    *total = r->type == REDIS_REPLY_INTEGER ? r->integer : 0;
    freeReplyObject(r);
    int rc = scored_range(c, 5, first, &o, err, errlen);
    *oldest_ms = rc == 0 && o.ids.n > 0 ? o.ms[0] : -1;
    open_ids_free(&o);
    return rc;
}

/* Collects HGETALL replies into the alerts array, in order. */
typedef struct list_ctx {
    const open_ids *o;     /* borrowed */
    review_alert *out;     /* borrowed: room for o->ids.n */
    size_t next;           /* index of the id the next reply belongs to */
    size_t n;              /* alerts kept */
} list_ctx;

static int on_alert(const rpipe_cmd *cmd, const redisReply *r, void *ctx, char *err,
                    size_t errlen)
{
    list_ctx *x = ctx;
    size_t i = x->next++;
    review_alert *a = &x->out[x->n];
    if (r->type == REDIS_REPLY_ERROR) {
        snprintf(err, errlen, "HGETALL %s: %s", cmd->argv[1], r->str);
        return -1;
    }
    int rc = review_alert_from_reply(r, x->o->ids.v[i], x->o->ms[i], a);
    if (rc <= 0) {
        if (rc == 0)
            return 0; /* resolved between the range and the read */
        snprintf(err, errlen, "HGETALL %s: unexpected reply", cmd->argv[1]);
        return -1;
    }
    x->n++;
    return 0;
}

/* HGETALL of every id, pipelined. 0 or -1; x->out holds x->n alerts either way. */
static int read_alerts(redisContext *c, const char *prefix, list_ctx *x, char *err,
                       size_t errlen)
{
    rpipe p;
    int rc = 0;
    rpipe_init(&p, c, REVIEW_PIPELINE, NULL, on_alert, x);
    for (size_t i = 0; i < x->o->ids.n && rc == 0; i++) {
        char *key = key_alert(prefix, x->o->ids.v[i]);
        const char *argv[] = {"HGETALL", key};
        rc = rpipe_add(&p, 2, argv, NULL, err, errlen);
        free(key);
    }
    if (rc == 0)
        rc = rpipe_flush(&p, err, errlen);
    rpipe_free(&p);
    return rc;
}

int review_list(redisContext *c, const char *prefix, double max_created_ms, review_alert **out,
                size_t *n, long long *total, double *oldest_ms, char *err, size_t errlen)
{
    char *key = key_review_open(prefix);
    char max[64];
    open_ids o = {0};
    list_ctx x = {.o = &o};
    int rc = -1;
    *out = NULL;
    *n = 0;
    snprintf(max, sizeof(max), "%.0f", max_created_ms);
    const char *all[] = {"ZRANGE", key, "0", "-1", "WITHSCORES"};
    const char *upto[] = {"ZRANGEBYSCORE", key, "-inf", max, "WITHSCORES"};
    if (queue_summary(c, key, total, oldest_ms, err, errlen) != 0)
        goto out;
    if (scored_range(c, 5, max_created_ms < 0 ? all : upto, &o, err, errlen) != 0)
        goto out;
    x.out = xcalloc(o.ids.n + 1, sizeof(review_alert));
    rc = read_alerts(c, prefix, &x, err, errlen);
    if (rc != 0) {
        for (size_t i = 0; i < x.n; i++)
            review_alert_free(&x.out[i]);
        free(x.out);
        goto out;
    }
    *out = x.out;
    *n = x.n;
out:
    open_ids_free(&o);
    free(key);
    return rc;
}

/* ---- resolve ---- */

void review_outcome_free(review_outcome *o)
{
    free(o->status);
    free(o->contact_id);
    free(o->account_id);
    memset(o, 0, sizeof(*o));
}

int review_resolve(redisContext *c, const char *prefix, const char *lead_id,
                   const review_plan *p, const char *by, const char *note, review_outcome *out,
                   char *err, size_t errlen)
{
    const char *argv[REVIEW_RESOLVE_ARGC];
    review_resolve_argv(prefix, lead_id, p, by, note, argv);
    memset(out, 0, sizeof(*out));
    redisReply *r = functions_call(c, FN_RESOLVE, REVIEW_RESOLVE_ARGC, argv, err, errlen);
    if (!r)
        return -1;
    int rc = review_outcome_read(r, out, err, errlen);
    freeReplyObject(r);
    return rc;
}
