/* hooks_impl.h - what the webhook modules share: the hooks object (one Redis connection, one
 * HTTP client, one tick) and the helpers for URLs, secrets, delays and signatures. */
#ifndef L2A_HOOKS_IMPL_H
#define L2A_HOOKS_IMPL_H

#include <stdbool.h>
#include <stddef.h>

#include "hooks.h"
#include "hooks_http.h"

#define HOOKS_TICK_MS 500           /* how often the senders look for work when idle */
#define HOOKS_URL_MAX 2048

typedef struct hook_alerts hook_alerts;
typedef struct hook_events hook_events;

struct hooks {
    l2ad *d;
    hooks_http *http;               /* owned */
    aconn *conn;                    /* owned: "webhooks", made when a URL is first set */
    struct event *ev_tick;          /* owned */
    hook_alerts *alerts;            /* owned (hooks_alerts.c) */
    hook_events *events;            /* owned (hooks_events.c) */
    bool closing;                   /* hooks_free runs: callbacks only release */
};

/* The connection, made and started on the first call; usable when aconn_up says so. */
aconn *hooks_need_conn(hooks *h);
/* A webhook's URL or secret as configured: value when set, else the first line of file (read
 * now), else "". out gets it (cut at outlen); 0, or -1 when the file cannot be read (a warning is
 * logged once per distinct failure through *warned, a caller-owned flag). */
int hooks_setting(const char *value, const char *file, char *out, size_t outlen, bool *warned);
/* The delay before retry number tries (1 = the first): retry_min doubled, at most cap_ms. */
int hooks_retry_ms(const conf *c, int tries, int cap_ms);
/* How long a claim stands before another worker may take over: webhooks.lease, at least
 * webhooks.timeout + 5 s. */
int hooks_stale_ms(const conf *c);
/* The value of field name in a stream entry's field/value array reply, or NULL. */
const char *hooks_field(const redisReply *fields, const char *name);
/* hex(HMAC-SHA256(key, ts "." body)) into out (65 bytes). */
void hooks_sign(const char *key, const char *ts, const char *body, char out[65]);

/* hooks_alert_text.c: the chat message of an alert, as the webhook's JSON body {"text": ...}:
 * who (name, email), the company, the reason and the link to the alert on the review page (from
 * web.url, else web.listen; none when neither is set). lead_json is the alert's "lead" field (may
 * be NULL). overdue: the message says the alert passed review.sla. malloc'd. */
char *alert_message(const conf *c, const char *lead_id, const char *lead_json, const char *reason,
                    bool overdue);
/* The review page's link to the alert of lead_id, or NULL when no address is known. malloc'd. */
char *alert_link(const conf *c, const char *lead_id);

hook_alerts *alerts_new(hooks *h);
void alerts_tick(hook_alerts *a);
/* The connection came up or went down. */
void alerts_conn(hook_alerts *a, bool up);
void alerts_free(hook_alerts *a);

hook_events *events_new(hooks *h);
void events_tick(hook_events *e);
void events_conn(hook_events *e, bool up);
void events_free(hook_events *e);

#endif
