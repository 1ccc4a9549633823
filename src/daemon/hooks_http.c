/* hooks_http.c - HTTP POSTs on the event loop: libcurl's multi interface driven by libevent. curl
 * says which sockets to watch (CURLMOPT_SOCKETFUNCTION) and when to wake it
 * (CURLMOPT_TIMERFUNCTION); the loop tells curl what happened (curl_multi_socket_action); finished
 * transfers are reported from the loop, outside curl's callbacks. */
#include "hooks_http.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* One POST. Owned by the hooks_http while listed. */
typedef struct post {
    hooks_http *h;
    CURL *easy;                     /* owned; NULL when it could not start */
    struct curl_slist *headers;     /* owned */
    hooks_http_done_fn done;
    void *priv;
    char error[CURL_ERROR_SIZE];    /* curl's words for a failure; or why it could not start */
    struct post *prev, *next;
} post;

struct hooks_http {
    struct event_base *base;
    CURLM *multi;                   /* owned */
    struct event *timer;            /* curl's timeout (owned) */
    struct event *ev_failed;        /* reports the posts that could not start (owned) */
    post *posts;                    /* every unfinished post (owned list) */
    size_t active;
};

static void unlink_post(post *p)
{
    hooks_http *h = p->h;
    if (p->prev)
        p->prev->next = p->next;
    else
        h->posts = p->next;
    if (p->next)
        p->next->prev = p->prev;
    h->active--;
}

static void free_post(post *p)
{
    if (p->easy) {
        curl_multi_remove_handle(p->h->multi, p->easy);
        curl_easy_cleanup(p->easy);
    }
    curl_slist_free_all(p->headers);
    free(p);
}

/* Reports and frees a post that left the list. */
static void finish(post *p, int status, const char *err)
{
    hooks_http_done_fn done = p->done;
    void *priv = p->priv;
    char why[CURL_ERROR_SIZE];
    snprintf(why, sizeof(why), "%s", err);
    free_post(p);
    done(status, why, priv);
}

/* Transfers curl has finished, reported one by one. */
static void collect_done(hooks_http *h)
{
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(h->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        post *p = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&p);
        CURLcode rc = msg->data.result;
        long status = 0;
        if (rc == CURLE_OK)
            curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        const char *err = rc == CURLE_OK ? "" : p->error[0] ? p->error : curl_easy_strerror(rc);
        unlink_post(p);
        finish(p, (int)status, err);
    }
}

static void on_socket_ready(evutil_socket_t fd, short what, void *arg)
{
    hooks_http *h = arg;
    int flags = ((what & EV_READ) ? CURL_CSELECT_IN : 0) | ((what & EV_WRITE) ? CURL_CSELECT_OUT : 0);
    int running = 0;
    curl_multi_socket_action(h->multi, fd, flags, &running);
    collect_done(h);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    hooks_http *h = arg;
    int running = 0;
    curl_multi_socket_action(h->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    collect_done(h);
}

/* CURLMOPT_SOCKETFUNCTION: watch s for what curl wants; socketp is its event (or NULL). */
static int want_socket(CURL *easy, curl_socket_t s, int what, void *userp, void *socketp)
{
    (void)easy;
    hooks_http *h = userp;
    struct event *ev = socketp;
    if (what == CURL_POLL_REMOVE) {
        if (ev)
            event_free(ev);
        curl_multi_assign(h->multi, s, NULL);
        return 0;
    }
    short kind = EV_PERSIST | ((what & CURL_POLL_IN) ? EV_READ : 0) |
                 ((what & CURL_POLL_OUT) ? EV_WRITE : 0);
    if (ev) {
        event_del(ev);
        event_assign(ev, h->base, s, kind, on_socket_ready, h);
    } else {
        ev = event_new(h->base, s, kind, on_socket_ready, h);
        curl_multi_assign(h->multi, s, ev);
    }
    event_add(ev, NULL);
    return 0;
}

/* CURLMOPT_TIMERFUNCTION: wake curl after ms (-1: no timeout wanted). */
static int want_timer(CURLM *multi, long ms, void *userp)
{
    (void)multi;
    hooks_http *h = userp;
    if (ms < 0) {
        evtimer_del(h->timer);
        return 0;
    }
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    evtimer_add(h->timer, &tv);
    return 0;
}

/* Posts that could not start: reported from the loop like the others. */
static void on_failed(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    (void)what;
    hooks_http *h = arg;
    post *p = h->posts;
    while (p) {
        post *next = p->next;
        if (!p->easy) {
            unlink_post(p);
            finish(p, 0, p->error);
        }
        p = next;
    }
}

static size_t discard_body(char *ptr, size_t size, size_t n, void *userdata)
{
    (void)ptr;
    (void)userdata;
    return size * n;
}

static CURL *make_easy(post *p, const char *url, const char *body, int timeout_ms)
{
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(e, CURLOPT_COPYPOSTFIELDS, body);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, p->headers);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "l2ad/" L2A_VERSION);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard_body);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, p->error);
    curl_easy_setopt(e, CURLOPT_PRIVATE, (char *)p);
    return e;
}

void hooks_http_post(hooks_http *h, const char *url, const char *body,
                     const char *const *headers, int timeout_ms, hooks_http_done_fn done,
                     void *priv)
{
    post *p = xcalloc(1, sizeof(*p));
    *p = (post){.h = h, .done = done, .priv = priv, .next = h->posts};
    if (h->posts)
        h->posts->prev = p;
    h->posts = p;
    h->active++;
    p->headers = curl_slist_append(NULL, "Content-Type: application/json");
    p->headers = curl_slist_append(p->headers, "Expect:");
    for (size_t i = 0; headers && headers[i]; i++)
        p->headers = curl_slist_append(p->headers, headers[i]);
    p->easy = make_easy(p, url, body, timeout_ms);
    if (p->easy && curl_multi_add_handle(h->multi, p->easy) != CURLM_OK) {
        curl_easy_cleanup(p->easy);
        p->easy = NULL;
    }
    if (!p->easy) {
        snprintf(p->error, sizeof(p->error), "could not start a request");
        event_active(h->ev_failed, EV_TIMEOUT, 0);
    }
}

size_t hooks_http_active(const hooks_http *h)
{
    return h->active;
}

hooks_http *hooks_http_new(struct event_base *base, char *err, size_t errlen)
{
    static bool curl_ready;
    if (!curl_ready && curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        snprintf(err, errlen, "webhooks: libcurl could not start");
        return NULL;
    }
    curl_ready = true;
    hooks_http *h = xcalloc(1, sizeof(*h));
    h->base = base;
    h->multi = curl_multi_init();
    if (!h->multi) {
        free(h);
        snprintf(err, errlen, "webhooks: libcurl could not start");
        return NULL;
    }
    h->timer = evtimer_new(base, on_timer, h);
    h->ev_failed = event_new(base, -1, 0, on_failed, h);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETFUNCTION, want_socket);
    curl_multi_setopt(h->multi, CURLMOPT_SOCKETDATA, h);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERFUNCTION, want_timer);
    curl_multi_setopt(h->multi, CURLMOPT_TIMERDATA, h);
    return h;
}

void hooks_http_free(hooks_http *h)
{
    if (!h)
        return;
    while (h->posts) {
        post *p = h->posts;
        unlink_post(p);
        free_post(p);    /* removing the handle makes curl drop its sockets (want_socket) */
    }
    curl_multi_cleanup(h->multi);
    event_free(h->timer);
    event_free(h->ev_failed);
    free(h);
}
