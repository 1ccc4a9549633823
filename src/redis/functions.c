/* functions.c - the l2a Redis Function library: its embedded source and versioned name, loading
 * it (or only when missing), FCALL with one reload, and the dead function's JSON entry argument. */
#include "functions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "rconn.h"

#ifndef L2A_FUNCTIONS_LIBRARY
#error "L2A_FUNCTIONS_LIBRARY (l2a_v<major>_<minor>_<patch>) is defined by CMakeLists.txt"
#endif

/* functions_lua.c, generated at build time by src/redis/lua/embed.cmake. */
extern const char functions_lua_source[];

static const char *const NAMES[FN_COUNT] = {
    [FN_RECORD] = L2A_FUNCTIONS_LIBRARY "_record",
    [FN_RECORD_LEADS] = L2A_FUNCTIONS_LIBRARY "_record_leads",
    [FN_DEAD] = L2A_FUNCTIONS_LIBRARY "_dead",
    [FN_RESOLVE] = L2A_FUNCTIONS_LIBRARY "_resolve",
    [FN_ACCOUNT_UPSERT] = L2A_FUNCTIONS_LIBRARY "_account_upsert",
    [FN_ACCOUNT_UPSERT_BATCH] = L2A_FUNCTIONS_LIBRARY "_account_upsert_batch",
    [FN_ACCOUNT_DELETE] = L2A_FUNCTIONS_LIBRARY "_account_delete",
    [FN_ACCOUNT_IMPORT_CHECK] = L2A_FUNCTIONS_LIBRARY "_account_import_check",
    [FN_FORGET_CONSUMERS] = L2A_FUNCTIONS_LIBRARY "_forget_consumers",
    [FN_LEARNED] = L2A_FUNCTIONS_LIBRARY "_learned",
    [FN_WEBHOOK_LEASE] = L2A_FUNCTIONS_LIBRARY "_webhook_lease",
    [FN_WEBHOOK_ADVANCE] = L2A_FUNCTIONS_LIBRARY "_webhook_advance",
    [FN_WEBHOOK_SLA_CLAIM] = L2A_FUNCTIONS_LIBRARY "_webhook_sla_claim",
    [FN_SNAPSHOT_PUBLISH] = L2A_FUNCTIONS_LIBRARY "_snapshot_publish",
    [FN_SNAPSHOT_UNLOCK] = L2A_FUNCTIONS_LIBRARY "_snapshot_unlock",
};

const char *functions_library_source(void)
{
    return functions_lua_source;
}

const char *functions_library_name(void)
{
    return L2A_FUNCTIONS_LIBRARY;
}

const char *functions_name(functions_fn fn)
{
    return (unsigned)fn < FN_COUNT ? NAMES[fn] : "";
}

int functions_load(redisContext *c, char *err, size_t errlen)
{
    const char *argv[] = {"FUNCTION", "LOAD", "REPLACE", functions_lua_source};
    redisReply *r = rconn_command(c, 4, argv, NULL, err, errlen);
    if (!r)
        return -1;
    int rc = 0;
    if (r->type != REDIS_REPLY_STRING || strcmp(r->str, L2A_FUNCTIONS_LIBRARY) != 0) {
        snprintf(err, errlen, "FUNCTION LOAD: unexpected reply");
        rc = -1;
    }
    freeReplyObject(r);
    return rc;
}

int functions_ensure(redisContext *c, char *err, size_t errlen)
{
    const char *argv[] = {"FUNCTION", "LIST", "LIBRARYNAME", L2A_FUNCTIONS_LIBRARY};
    redisReply *r = rconn_command(c, 4, argv, NULL, err, errlen);
    if (!r)
        return -1;
    bool listed = r->type == REDIS_REPLY_ARRAY && r->elements > 0;
    freeReplyObject(r);
    return listed ? 0 : functions_load(c, err, errlen);
}

static redisReply *fcall_once(redisContext *c, int argc, const char **argv, char *err,
                              size_t errlen)
{
    redisReply *r = redisCommandArgv(c, argc, argv, NULL);
    if (!r)
        snprintf(err, errlen, "FCALL %s: %s", argv[1], c->errstr[0] ? c->errstr : "no reply");
    return r;
}

redisReply *functions_call(redisContext *c, functions_fn fn, int argc, const char **argv,
                           char *err, size_t errlen)
{
    const char **full = xcalloc((size_t)argc + 2, sizeof(*full));
    full[0] = "FCALL";
    full[1] = functions_name(fn);
    memcpy(full + 2, argv, (size_t)argc * sizeof(*argv));
    redisReply *r = fcall_once(c, argc + 2, full, err, errlen);
    if (rconn_function_missing(r)) {
        freeReplyObject(r);
        r = functions_load(c, err, errlen) == 0 ? fcall_once(c, argc + 2, full, err, errlen)
                                                : NULL;
    }
    free(full);
    return r;
}

/* ---- the dead function's entry argument ---- */

static char *base64(const unsigned char *s, size_t n)
{
    static const char digits[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    char *out = xmalloc((n + 2) / 3 * 4 + 1), *o = out;
    for (size_t i = 0; i < n; i += 3) {
        unsigned long v = (unsigned long)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned long)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        *o++ = digits[v >> 18 & 63];
        *o++ = digits[v >> 12 & 63];
        *o++ = i + 1 < n ? digits[v >> 6 & 63] : '=';
        *o++ = i + 2 < n ? digits[v & 63] : '=';
    }
    *o = '\0';
    return out;
}

/* One field or value: a JSON string, or {"base64": ...} when the bytes are not UTF-8. */
static json_t *bytes_json(const redisReply *e)
{
    const char *s = e->str ? e->str : "";
    size_t n = e->str ? e->len : 0;
    json_t *j = json_stringn(s, n);
    if (j)
        return j;
    char *b = base64((const unsigned char *)s, n);
    j = json_pack("{s:s}", "base64", b);
    free(b);
    return j;
}

char *functions_entry_json(const redisReply *fields)
{
    json_t *a = json_array();
    for (size_t i = 0; fields && fields->type == REDIS_REPLY_ARRAY && i < fields->elements; i++)
        json_array_append_new(a, bytes_json(fields->element[i]));
    char *out = json_dumps(a, JSON_COMPACT);
    json_decref(a);
    return out ? out : xstrdup("[]");
}

/* The value after key in a flat [key, value, ...] reply, or NULL. */
static const redisReply *field_of(const redisReply *map, const char *key)
{
    for (size_t i = 0; map->type == REDIS_REPLY_ARRAY && i + 1 < map->elements; i += 2)
        if (map->element[i]->str && strcmp(map->element[i]->str, key) == 0)
            return map->element[i + 1];
    return NULL;
}

bool functions_listed_current(const redisReply *r)
{
    if (!r || r->type != REDIS_REPLY_ARRAY)
        return false;
    for (size_t i = 0; i < r->elements; i++) {
        const redisReply *code = field_of(r->element[i], "library_code");
        if (code && code->str && strcmp(code->str, functions_library_source()) == 0)
            return true;
    }
    return false;
}
