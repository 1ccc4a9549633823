/* learned_store.c - reading the learned hash page by page, a fact to and from its JSON form and
 * stream fields, and calls of the learned Function (src/redis/lua/learned.lua). */
#include "learned_store.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "functions.h"
#include "keys.h"

#define PAGE "500"

bool learned_from_pairs(const char *const *kv, size_t n, learned_fact *f)
{
    memset(f, 0, sizeof(*f));
    bool kind = false;
    for (size_t i = 0; i + 1 < n; i += 2) {
        for (size_t k = 0; k < LEARNED_NFIELDS; k++) {
            if (!kv[i] || strcmp(kv[i], learned_field_names[k]) != 0)
                continue;
            if (k == 0)
                kind = learned_kind_parse(kv[i + 1], &f->kind) == 0;
            else
                *learned_fact_field(f, k) = kv[i + 1];
        }
    }
    return kind;
}

char *learned_fact_json(const learned_fact *f)
{
    json_t *o = json_object();
    learned_fact copy = *f;
    json_object_set_new(o, "kind", json_string(learned_kind_name(f->kind)));
    for (size_t k = 1; k < LEARNED_NFIELDS; k++) {
        const char *v = *learned_fact_field(&copy, k);
        if (v && *v)
            json_object_set_new(o, learned_field_names[k], json_string(v));
    }
    char *out = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return out;
}

/* One hash value to cb: 1 handed over, 0 not a fact. */
static int hand_value(const char *text, learned_cb cb, void *ctx)
{
    json_t *o = json_loads(text, 0, NULL);
    const char *kv[2 * LEARNED_NFIELDS];
    size_t n = 0;
    for (size_t k = 0; o && json_is_object(o) && k < LEARNED_NFIELDS; k++) {
        const char *v = json_string_value(json_object_get(o, learned_field_names[k]));
        if (v) {
            kv[n++] = learned_field_names[k];
            kv[n++] = v;
        }
    }
    learned_fact f;
    int ok = learned_from_pairs(kv, n, &f) && f.name && f.account_id;
    if (ok)
        cb(&f, ctx);
    json_decref(o);
    return ok;
}

static bool scan_reply_ok(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_ARRAY && r->elements == 2 &&
           r->element[0]->type == REDIS_REPLY_STRING && r->element[1]->type == REDIS_REPLY_ARRAY;
}

long learned_load_all(redisContext *c, const char *prefix, learned_cb cb, void *ctx,
                      long *skipped, char *err, size_t errlen)
{
    char *key = key_learned(prefix), cursor[64] = "0";
    long total = 0, bad = 0;
    do {
        redisReply *r = redisCommand(c, "HSCAN %s %s COUNT %s", key, cursor, PAGE);
        if (!scan_reply_ok(r)) {
            err_set(err, errlen, "HSCAN %s: %s", key, !r ? c->errstr : r->type == REDIS_REPLY_ERROR
                                                                   ? r->str : "unexpected reply");
            if (r)
                freeReplyObject(r);
            total = -1;
            break;
        }
        snprintf(cursor, sizeof(cursor), "%s", r->element[0]->str);
        const redisReply *kv = r->element[1];
        for (size_t i = 0; i + 1 < kv->elements; i += 2) {
            const char *v = kv->element[i + 1]->str;
            int got = v ? hand_value(v, cb, ctx) : 0;
            total += got;
            bad += !got;
        }
        freeReplyObject(r);
    } while (strcmp(cursor, "0") != 0);
    free(key);
    if (skipped)
        *skipped = bad;
    return total;
}

static void teach(const learned_fact *f, void *ctx)
{
    (void)matcher_learn(ctx, f);
}

long learned_load_into(redisContext *c, const char *prefix, matcher *m, long *skipped, char *err,
                       size_t errlen)
{
    return learned_load_all(c, prefix, teach, m, skipped, err, errlen);
}

/* FCALL learned 0 prefix cap op json: 1, 0 or -1. */
static int call_json(redisContext *c, const char *prefix, const char *op, const char *json,
                     char *err, size_t errlen)
{
    const char *argv[] = {"0", prefix, L2A_CHANGES_MAXLEN, op, json};
    redisReply *r = functions_call(c, FN_LEARNED, (int)ARRAY_LEN(argv), argv, err, errlen);
    if (!r)
        return -1;
    int rc = -1;
    if (r->type == REDIS_REPLY_INTEGER)
        rc = r->integer == 1;
    else
        err_set(err, errlen, "learned function: %s", r->type == REDIS_REPLY_ERROR ? r->str
                                                                             : "unexpected reply");
    freeReplyObject(r);
    return rc;
}

int learned_store_call(redisContext *c, const char *prefix, const char *op, const learned_fact *f,
                       char *err, size_t errlen)
{
    char *json = learned_fact_json(f);
    int rc = call_json(c, prefix, op, json, err, errlen);
    free(json);
    return rc;
}

int learned_forget_domain(redisContext *c, const char *prefix, const char *domain, char *err,
                          size_t errlen)
{
    json_t *o = json_pack("{s:s, s:s}", "kind", "domain", "domain", domain);
    char *json = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    int rc = call_json(c, prefix, "forget", json, err, errlen);
    free(json);
    return rc;
}
