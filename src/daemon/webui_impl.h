/* webui_impl.h - inside the review page: one request's state as it goes through Redis (session,
 * then the page's reads and writes), shared by webui.c (requests, login), webauth.c (sessions,
 * CSRF, throttle) and webreview.c (the list, an alert, resolving). */
#ifndef L2A_WEBUI_IMPL_H
#define L2A_WEBUI_IMPL_H

#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>

#include "daemon.h"
#include "review.h"
#include "review_plan.h"
#include "webusers.h"

#define WEB_TOKEN_HEX 64               /* session and CSRF tokens: 32 random bytes in hex */
#define WEB_SESSION_TTL_S (8 * 3600)   /* a login lasts this long */
#define WEB_THROTTLE_MAX 5             /* failed logins of one name from one address ... */
#define WEB_THROTTLE_ADDRESS_MAX 30    /* ... or logins of any name from one address ... */
#define WEB_THROTTLE_WINDOW_S 900      /* ... within this window; then refused until it ends */

typedef struct webreq webreq;
typedef void (*webreq_step)(webreq *r);

/* One request from its arrival to its reply (webreq_reply_* answer and free it). */
struct webreq {
    l2ad *d;                           /* borrowed */
    struct evhttp_request *req;        /* borrowed until the reply */
    bool post;
    char *lead_id;                     /* owned: the alert's lead id (decoded path), or NULL */
    struct evkeyvalq query;            /* owned: the URL's query fields */
    struct evkeyvalq form;             /* owned: a POST's form fields */
    char user[WEBUSERS_NAME_MAX + 1];  /* the logged-in user ("" before the session is read) */
    char csrf[WEB_TOKEN_HEX + 1];      /* the session's CSRF token */
    char session[WEB_TOKEN_HEX + 1];   /* a session being started: its cookie token */
    webreq_step next;                  /* what runs once the session is known */
    /* the list (webreview.c) */
    strvec ids;                        /* owned: open alert ids, oldest first */
    review_alert *alerts;              /* owned: room for ids.n */
    size_t nalerts;                    /* alerts read (closed ones left out) */
    size_t waiting, got;               /* HGETALL replies to come, and come */
    bool failed;                       /* one of them found the connection lost */
    long long total;                   /* open alerts in all */
    long long address_attempts;        /* a login: attempts from its address (-1: unknown) */
    /* an alert and its resolution (webreview.c) */
    review_alert alert;                /* owned */
    strvec acct_kv;                    /* owned: the account linked to */
    int acct_found;                    /* its HGETALL: 1 found, 0 absent, -1 not read */
    review_plan plan;                  /* owned */
    bool library_loaded;               /* the Function library was loaded for this request */
};

/* webui.c */
void webreq_reply_html(webreq *r, int code, strbuf *page);        /* frees the page too */
void webreq_redirect(webreq *r, const char *location, const char *cookie);
/* A short page with a message (escaped) and a link back. */
void webreq_reply_message(webreq *r, int code, const char *title, const char *message);
/* A field of the query (GET) or the form (POST), or NULL. */
const char *webreq_query(const webreq *r, const char *name);
const char *webreq_form(const webreq *r, const char *name);
aconn *webreq_conn(const webreq *r);   /* d->webconn when up, else NULL */
/* Sends "CMD KEY" on the web connection, the reply to fn with r; answers 503 when it is down.
 * Takes key (malloc'd) and frees it. */
void webreq_key_cmd(webreq *r, const char *cmd, char *key, aconn_reply_fn fn);

/* webauth.c */
/* Reads the session cookie's session from Redis, then runs r->next; without a valid session a
 * GET goes to /login and a POST is refused (403). A POST whose csrf field is not the session's
 * token is refused (403) before r->next. */
void webauth_session(webreq *r, webreq_step next);
void webauth_login_page(webreq *r, int code, const char *message);
void webauth_login(webreq *r);
void webauth_logout(webreq *r);

/* webreview.c: GET / */
void webreview_list(webreq *r);
/* webalert.c: GET and POST /alerts/<lead id> */
void webalert_page(webreq *r);
void webalert_resolve(webreq *r);
/* Shared by both: the 503 page, and an alert's age with an "overdue" badge past the SLA. */
void webreq_unavailable(webreq *r);
void webreq_age_cell(strbuf *sb, const webreq *r, const review_alert *a, double now);
/* JSON text parsed as an object (array false) or an array, else an empty one. New reference. */
json_t *webreq_json(const char *text, bool array);

#endif
