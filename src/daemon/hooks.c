/* hooks.c - the webhooks' shared parts: the tick that drives both senders, their Redis
 * connection, URLs and secrets read from the config or a file, retry delays, HMAC signatures. */
#include "hooks_impl.h"

#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static void on_tick(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    hooks *h = arg;
    alerts_tick(h->alerts);
    events_tick(h->events);
}

static void on_conn_state(aconn *c, bool up, void *ctx)
{
    hooks *h = ctx;
    if (h->closing)
        return;
    if (up && aconn_reconnects(c) > 0)
        metrics_inc(h->d->metrics, METRIC_REDIS_RECONNECTS, 1);
    alerts_conn(h->alerts, up);
    events_conn(h->events, up);
}

aconn *hooks_need_conn(hooks *h)
{
    if (!h->conn) {
        aconn_opts o = {.name = "webhooks", .command_timeout_ms = h->d->cfg->command_timeout_ms,
                        .backoff_min_ms = 100, .backoff_max_ms = 5000};
        h->conn = aconn_new(h->d->base, &h->d->addr, &o, on_conn_state, h);
        aconn_start(h->conn);
    }
    return h->conn;
}

aconn *hooks_conn(const hooks *h)
{
    return h ? h->conn : NULL;
}

hooks *hooks_start(l2ad *d, char *err, size_t errlen)
{
    hooks *h = xcalloc(1, sizeof(*h));
    h->d = d;
    if (!(h->http = hooks_http_new(d->base, err, errlen))) {
        free(h);
        return NULL;
    }
    h->alerts = alerts_new(h);
    h->events = events_new(h);
    h->ev_tick = event_new(d->base, -1, EV_PERSIST, on_tick, h);
    struct timeval tv = {0, HOOKS_TICK_MS * 1000};
    event_add(h->ev_tick, &tv);
    return h;
}

void hooks_free(hooks *h)
{
    if (!h)
        return;
    h->closing = true;
    event_free(h->ev_tick);
    if (h->conn)
        aconn_free(h->conn);      /* pending replies come back NULL: their owners let go */
    hooks_http_free(h->http);     /* abandons the POSTs; their jobs are freed below */
    alerts_free(h->alerts);
    events_free(h->events);
    free(h);
}

/* ---- shared helpers ---- */

static int read_first_line(const char *file, char *out, size_t outlen, char *why, size_t whylen)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        snprintf(why, whylen, "%s", strerror(errno));
        return -1;
    }
    if (!fgets(out, (int)outlen, f))
        out[0] = '\0';
    fclose(f);
    out[strcspn(out, "\r\n")] = '\0';
    return 0;
}

int hooks_setting(const char *value, const char *file, char *out, size_t outlen, bool *warned)
{
    out[0] = '\0';
    if (value) {
        snprintf(out, outlen, "%s", value);
        return 0;
    }
    if (!file)
        return 0;
    char why[256];
    if (read_first_line(file, out, outlen, why, sizeof(why)) != 0) {
        if (!*warned)
            log_err("webhook_file_unreadable", "file=\"%s\" error=\"%s\"", log_q(file), log_q(why));
        *warned = true;
        return -1;
    }
    *warned = false;
    return 0;
}

int hooks_retry_ms(const conf *c, int tries, int cap_ms)
{
    long long ms = c->webhook_retry_min_ms;
    for (int i = 1; i < tries && ms < cap_ms; i++)
        ms *= 2;
    if (ms > c->webhook_retry_max_ms)
        ms = c->webhook_retry_max_ms;
    return (int)(ms < cap_ms ? ms : cap_ms);
}

int hooks_stale_ms(const conf *c)
{
    int floor_ms = c->webhook_timeout_ms + 5000;
    return c->webhook_lease_ms > floor_ms ? c->webhook_lease_ms : floor_ms;
}

const char *hooks_field(const redisReply *fields, const char *name)
{
    if (!fields || fields->type != REDIS_REPLY_ARRAY)
        return NULL;
    for (size_t i = 0; i + 1 < fields->elements; i += 2) {
        const redisReply *k = fields->element[i], *v = fields->element[i + 1];
        if (k->type == REDIS_REPLY_STRING && v->type == REDIS_REPLY_STRING && !strcmp(k->str, name))
            return v->str;
    }
    return NULL;
}

void hooks_sign(const char *key, const char *ts, const char *body, char out[65])
{
    strbuf msg;
    sb_init(&msg);
    sb_appendf(&msg, "%s.", ts);
    sb_append(&msg, body);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    HMAC(EVP_sha256(), key, (int)strlen(key), (const unsigned char *)msg.buf, msg.len, md, &mdlen);
    sb_free(&msg);
    for (unsigned i = 0; i < mdlen && i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    out[64] = '\0';
}
