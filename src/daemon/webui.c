/* webui.c - the review page's routes and the life of one request: parsed on arrival, carried
 * through its Redis steps (webauth.c, webreview.c), answered once and freed. */
#include "webui.h"

#include <stdlib.h>
#include <string.h>
#include <sys/queue.h>

#include <event2/http.h>

#include "webhtml.h"
#include "webui_impl.h"

static webreq *webreq_new(l2ad *d, struct evhttp_request *req)
{
    webreq *r = xcalloc(1, sizeof(*r));
    r->d = d;
    r->req = req;
    r->post = evhttp_request_get_command(req) == EVHTTP_REQ_POST;
    TAILQ_INIT(&r->query);
    TAILQ_INIT(&r->form);
    sv_init(&r->ids);
    sv_init(&r->acct_kv);
    r->acct_found = -1;
    return r;
}

static void webreq_free(webreq *r)
{
    free(r->lead_id);
    evhttp_clear_headers(&r->query);
    evhttp_clear_headers(&r->form);
    sv_free(&r->ids);
    for (size_t i = 0; i < r->nalerts; i++)
        review_alert_free(&r->alerts[i]);
    free(r->alerts);
    review_alert_free(&r->alert);
    sv_free(&r->acct_kv);
    review_plan_free(&r->plan);
    free(r);
}

/* Headers every page carries besides web_reply's. */
static void page_headers(struct evhttp_request *req)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Security-Policy", WEBHTML_CSP);
    evhttp_add_header(h, "X-Frame-Options", "DENY");
}

void webreq_reply_html(webreq *r, int code, strbuf *page)
{
    page_headers(r->req);
    web_reply(r->req, code, "text/html; charset=utf-8", page->buf, page->len);
    sb_free(page);
    webreq_free(r);
}

void webreq_redirect(webreq *r, const char *location, const char *cookie)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(r->req);
    evhttp_add_header(h, "Location", location);
    if (cookie)
        evhttp_add_header(h, "Set-Cookie", cookie);
    page_headers(r->req);
    web_reply(r->req, 303, "text/plain; charset=utf-8", "", 0);
    webreq_free(r);
}

void webreq_reply_message(webreq *r, int code, const char *title, const char *message)
{
    strbuf page;
    sb_init(&page);
    html_page_begin(&page, title, r->user[0] ? r->user : NULL, r->csrf);
    sb_append(&page, "<h1>");
    html_esc(&page, title);
    sb_append(&page, "</h1>\n<p class=\"error\" id=\"message\">");
    html_esc(&page, message);
    sb_append(&page, "</p>\n<p><a href=\"/\">Back to the open alerts</a></p>\n");
    html_page_end(&page);
    webreq_reply_html(r, code, &page);
}

void webreq_unavailable(webreq *r)
{
    webreq_reply_message(r, 503, "Unavailable", "Redis cannot be reached just now; try again in "
                                                "a moment.");
}

json_t *webreq_json(const char *text, bool array)
{
    json_t *v = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    if (v && (array ? json_is_array(v) : json_is_object(v)))
        return v;
    json_decref(v);
    return array ? json_array() : json_object();
}

void webreq_age_cell(strbuf *sb, const webreq *r, const review_alert *a, double now)
{
    char age[32];
    long long ms = now > a->created_ms ? (long long)(now - a->created_ms) : 0;
    sb_append(sb, review_age_format(ms / 1000, age, sizeof(age)));
    if (ms > r->d->cfg->review_sla_ms)
        sb_append(sb, " <span class=\"badge\">overdue</span>");
}

static const char *field(const struct evkeyvalq *q, const char *name)
{
    return evhttp_find_header(q, name);
}

const char *webreq_query(const webreq *r, const char *name)
{
    return field(&r->query, name);
}

const char *webreq_form(const webreq *r, const char *name)
{
    return field(&r->form, name);
}

aconn *webreq_conn(const webreq *r)
{
    return r->d->webconn && aconn_up(r->d->webconn) ? r->d->webconn : NULL;
}

void webreq_key_cmd(webreq *r, const char *cmd, char *key, aconn_reply_fn fn)
{
    aconn *c = webreq_conn(r);
    const char *argv[] = {cmd, key};
    int rc = c ? aconn_cmd_argv(c, fn, r, 0, 2, argv, NULL) : -1;
    free(key);
    if (rc != 0)
        webreq_unavailable(r);
}

/* The request parsed: its query, and a POST's form body. NULL after answering 400. */
static webreq *arrive(l2ad *d, struct evhttp_request *req)
{
    webreq *r = webreq_new(d, req);
    const char *q = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
    bool ok = !q || evhttp_parse_query_str(q, &r->query) == 0;
    if (ok && r->post) {
        size_t len;
        char *body = web_body(req, &len);
        ok = strlen(body) == len && evhttp_parse_query_str(body, &r->form) == 0;
        free(body);
    }
    if (ok)
        return r;
    webreq_reply_message(r, 400, "Bad request", "The request's fields could not be read.");
    return NULL;
}

static void on_list(struct evhttp_request *req, const char *rest, void *ctx)
{
    (void)rest;
    webreq *r = arrive(ctx, req);
    if (r)
        webauth_session(r, webreview_list);
}

/* /alerts/<url-encoded lead id>: the alert's page (GET) or its resolution (POST). */
static void on_alert(struct evhttp_request *req, const char *rest, void *ctx)
{
    webreq *r = arrive(ctx, req);
    if (!r)
        return;
    size_t len = 0;
    char *id = *rest ? evhttp_uridecode(rest, 0, &len) : NULL;
    if (!id || len == 0 || strlen(id) != len) {
        free(id);
        if (!*rest && !r->post)
            webreq_redirect(r, "/", NULL);
        else
            webreq_reply_message(r, 404, "Not found", "No such alert.");
        return;
    }
    r->lead_id = id;
    webauth_session(r, r->post ? webalert_resolve : webalert_page);
}

static void on_login(struct evhttp_request *req, const char *rest, void *ctx)
{
    (void)rest;
    webreq *r = arrive(ctx, req);
    if (r && r->post)
        webauth_login(r);
    else if (r)
        webauth_login_page(r, 200, NULL);
}

static void on_logout(struct evhttp_request *req, const char *rest, void *ctx)
{
    (void)rest;
    webreq *r = arrive(ctx, req);
    if (r)
        webauth_session(r, webauth_logout);
}

static void on_static(struct evhttp_request *req, const char *rest, void *ctx)
{
    (void)ctx;
    const char *ctype = NULL;
    const char *text = webhtml_static(rest, &ctype);
    static const char none[] = "not found\n";
    if (!text) {
        web_reply(req, 404, "text/plain; charset=utf-8", none, sizeof(none) - 1);
        return;
    }
    evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Security-Policy",
                      WEBHTML_CSP);
    web_reply(req, 200, ctype, text, strlen(text));
}

void webui_init(l2ad *d)
{
    web_route(d->web, "/", WEB_GET | WEB_HEAD, on_list, d);
    web_route(d->web, "/alerts/", WEB_GET | WEB_HEAD | WEB_POST, on_alert, d);
    web_route(d->web, "/login", WEB_GET | WEB_HEAD | WEB_POST, on_login, d);
    web_route(d->web, "/logout", WEB_POST, on_logout, d);
    web_route(d->web, "/static/", WEB_GET | WEB_HEAD, on_static, d);
}
