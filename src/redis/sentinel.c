/* sentinel.c - where the Redis master is: the sentinels are asked in turn, ROLE confirms it. */
#include "sentinel.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static long long mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* The time left of a sentinel's SENTINEL_TIMEOUT_MS from start (1 ms at least), as a timeval. */
static struct timeval time_left(long long start)
{
    long long left = SENTINEL_TIMEOUT_MS * 1000LL - (mono_us() - start);
    if (left < 1000)
        left = 1000;
    return (struct timeval){(time_t)(left / 1000000), (suseconds_t)(left % 1000000)};
}

/* One sentinel's answer, within SENTINEL_TIMEOUT_MS in all (connect, AUTH, question): 0 with
 * host and port, or -1 with the reason in why. */
static int ask_one(const char *sentinel, const redis_addr *a, char **host, int *port, char *why,
                   size_t whylen)
{
    char h[LISTEN_HOST_MAX], p[LISTEN_PORT_MAX];
    long long start = mono_us();
    redisReply *r = NULL;
    int rc = -1;
    if (listen_addr_split(sentinel, h, sizeof(h), p, sizeof(p), why, whylen) != 0)
        return -1;
    redisContext *c = redisConnectWithTimeout(h, atoi(p), time_left(start));
    if (!c || c->err || redisSetTimeout(c, time_left(start)) != REDIS_OK) {
        err_set(why, whylen, "%s", c ? c->errstr : "out of memory");
        goto out;
    }
    if (a->sentinel_password) {
        r = redisCommand(c, "AUTH %s", a->sentinel_password);
        if (!r || r->type == REDIS_REPLY_ERROR) {
            err_set(why, whylen, "AUTH: %s", r ? r->str : c->errstr);
            goto out;
        }
        freeReplyObject(r);
        if (redisSetTimeout(c, time_left(start)) != REDIS_OK) {
            err_set(why, whylen, "%s", c->errstr);
            r = NULL;
            goto out;
        }
    }
    r = redisCommand(c, "SENTINEL get-master-addr-by-name %s", a->master_name);
    if (!r)
        err_set(why, whylen, "%s", c->errstr);
    else if (r->type == REDIS_REPLY_ERROR)
        err_set(why, whylen, "%s", r->str);
    else if (r->type != REDIS_REPLY_ARRAY || r->elements != 2 ||
             r->element[0]->type != REDIS_REPLY_STRING || r->element[1]->type != REDIS_REPLY_STRING)
        err_set(why, whylen, "does not know a master named '%s'", a->master_name);
    else {
        *host = xstrdup(r->element[0]->str);
        *port = atoi(r->element[1]->str);
        rc = 0;
    }
out:
    if (r)
        freeReplyObject(r);
    if (c)
        redisFree(c);
    return rc;
}

int sentinel_master(const redis_addr *a, char **host, int *port, char *err, size_t errlen)
{
    strbuf why = {0};
    char one[256];
    for (size_t i = 0; i < a->sentinels.n; i++) {
        if (ask_one(a->sentinels.v[i], a, host, port, one, sizeof(one)) == 0) {
            sb_free(&why);
            return 0;
        }
        sb_appendf(&why, "%s%s: %s", i ? "; " : "", a->sentinels.v[i], one);
    }
    err_set(err, errlen, "no sentinel gave master '%s': %s", a->master_name,
            why.len ? why.buf : "no sentinels");
    sb_free(&why);
    return -1;
}

bool sentinel_role_is_master(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_ARRAY && r->elements > 0 &&
           r->element[0]->type == REDIS_REPLY_STRING && strcmp(r->element[0]->str, "master") == 0;
}

bool sentinel_not_master_error(const redisReply *r)
{
    return r && r->type == REDIS_REPLY_ERROR &&
           (strncmp(r->str, "READONLY", 8) == 0 || strncmp(r->str, "UNBLOCKED", 9) == 0);
}

int sentinel_parse_switch(const char *payload, const char *name, char *host, size_t hostlen,
                          int *port)
{
    char n[256], oh[LISTEN_HOST_MAX], op[16], nh[LISTEN_HOST_MAX], np[16];
    if (sscanf(payload, "%255s %255s %15s %255s %15s", n, oh, op, nh, np) != 5 ||
        strcmp(n, name) != 0 || strlen(nh) >= hostlen)
        return -1;
    snprintf(host, hostlen, "%s", nh);
    *port = atoi(np);
    return 0;
}
