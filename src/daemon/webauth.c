/* webauth.c - who is on the review page: the login form (a login token against forged logins),
 * failed logins throttled per name and client address, sessions in Redis (any worker serves any
 * user) behind an HttpOnly SameSite=Strict cookie, and the CSRF token every POST must carry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <event2/http.h>

#include "keys.h"
#include "log.h"
#include "webcheck.h"
#include "webhtml.h"
#include "webui_impl.h"

#define SESSION_COOKIE "l2a_session"
#define LOGIN_COOKIE "l2a_login"

/* ---- tokens and cookies ---- */

static bool token_ok(const char *t, size_t len)
{
    if (len != WEB_TOKEN_HEX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((t[i] >= '0' && t[i] <= '9') || (t[i] >= 'a' && t[i] <= 'f')))
            return false;
    return true;
}

/* 32 random bytes (getrandom) in hex into out (WEB_TOKEN_HEX + 1 bytes). 0 or -1. */
static int new_token(char *out)
{
    unsigned char b[WEB_TOKEN_HEX / 2];
    if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
        return -1;
    for (size_t i = 0; i < sizeof(b); i++)
        snprintf(out + 2 * i, 3, "%02x", b[i]);
    return 0;
}

/* The token in cookie name of the request into out (WEB_TOKEN_HEX + 1 bytes): true when there
 * is one that looks like a token. */
static bool cookie_token(struct evhttp_request *req, const char *name, char *out)
{
    const char *h = evhttp_find_header(evhttp_request_get_input_headers(req), "Cookie");
    size_t nlen = strlen(name);
    while (h && *h) {
        while (*h == ' ' || *h == ';')
            h++;
        size_t len = strcspn(h, ";");
        if (len > nlen && strncmp(h, name, nlen) == 0 && h[nlen] == '=' &&
            token_ok(h + nlen + 1, len - nlen - 1)) {
            memcpy(out, h + nlen + 1, WEB_TOKEN_HEX);
            out[WEB_TOKEN_HEX] = '\0';
            return true;
        }
        h += len;
    }
    return false;
}

/* "NAME=VALUE; Path=PATH; HttpOnly; SameSite=Strict; Max-Age=AGE[; Secure]" into buf. */
static const char *cookie_text(const webreq *r, const char *name, const char *value,
                               const char *path, int max_age, char *buf, size_t len)
{
    const char *url = r->d->cfg->web_url;
    snprintf(buf, len, "%s=%s; Path=%s; HttpOnly; SameSite=Strict; Max-Age=%d%s", name, value,
             path, max_age, url && strncmp(url, "https://", 8) == 0 ? "; Secure" : "");
    return buf;
}

static const char *client_address(struct evhttp_request *req)
{
    char *addr = NULL;
    ev_uint16_t port = 0;
    struct evhttp_connection *conn = evhttp_request_get_connection(req);
    if (conn)
        evhttp_connection_get_peer(conn, &addr, &port);
    return addr ? addr : "?";
}

/* The reply of a command nobody waits for (priv: its name, static): an error is logged. */
static void on_side_reply(aconn *c, redisReply *reply, void *priv)
{
    (void)c;
    if (reply && reply->type == REDIS_REPLY_ERROR)
        log_err("web_redis_error", "command=%s error=\"%s\"", (const char *)priv,
                log_q(reply->str));
}

/* ---- sessions ---- */

static void no_session(webreq *r)
{
    if (r->post)
        webreq_reply_message(r, 403, "Forbidden", "You are not logged in (or your session "
                                                  "ended): log in again.");
    else
        webreq_redirect(r, "/login", NULL);
}

/* GET of the session key: "<csrf token> <user>". */
static void on_session(aconn *c, redisReply *reply, void *priv)
{
    (void)c;
    webreq *r = priv;
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
        webreq_unavailable(r);
        return;
    }
    if (reply->type != REDIS_REPLY_STRING || reply->len < WEB_TOKEN_HEX + 2 ||
        reply->len > WEB_TOKEN_HEX + 1 + WEBUSERS_NAME_MAX || reply->str[WEB_TOKEN_HEX] != ' ') {
        no_session(r);
        return;
    }
    memcpy(r->csrf, reply->str, WEB_TOKEN_HEX);
    r->csrf[WEB_TOKEN_HEX] = '\0';
    memcpy(r->user, reply->str + WEB_TOKEN_HEX + 1, reply->len - WEB_TOKEN_HEX - 1);
    r->user[reply->len - WEB_TOKEN_HEX - 1] = '\0';
    const char *sent = webreq_form(r, "csrf");
    if (r->post && !(sent && webusers_same(sent, r->csrf))) {
        log_warn("web_csrf_refused", "user=%s from=%s", log_q(r->user),
                 log_q(client_address(r->req)));
        webreq_reply_message(r, 403, "Forbidden", "This form was stale or not sent by this page "
                                                  "(missing or wrong CSRF token); nothing was "
                                                  "changed. Reload the page and try again.");
        return;
    }
    r->next(r);
}

void webauth_session(webreq *r, webreq_step next)
{
    char token[WEB_TOKEN_HEX + 1];
    r->next = next;
    if (cookie_token(r->req, SESSION_COOKIE, token))
        webreq_key_cmd(r, "GET", key_web_session(r->d->cfg->key_prefix, token), on_session);
    else
        no_session(r);
}

/* ---- login ---- */

void webauth_login_page(webreq *r, int code, const char *message)
{
    char token[WEB_TOKEN_HEX + 1], cookie[256];
    strbuf page;
    if (new_token(token) != 0) {
        webreq_reply_message(r, 500, "Error", "No random bytes for a login token.");
        return;
    }
    sb_init(&page);
    html_page_begin(&page, "Log in", NULL, NULL);
    sb_append(&page, "<h1>Log in</h1>\n");
    if (message) {
        sb_append(&page, "<p class=\"error\" id=\"message\">");
        html_esc(&page, message);
        sb_append(&page, "</p>\n");
    }
    sb_append(&page, "<form class=\"login\" method=\"post\" action=\"/login\">");
    html_csrf_field(&page, token);
    sb_append(&page, "<label>User name <input name=\"user\" id=\"user\" autocomplete=\"username\" "
                     "required autofocus></label><label>Password <input name=\"password\" "
                     "id=\"password\" type=\"password\" autocomplete=\"current-password\" "
                     "required></label><button type=\"submit\" id=\"login\">Log in</button>"
                     "</form>\n");
    html_page_end(&page);
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Set-Cookie",
                      cookie_text(r, LOGIN_COOKIE, token, "/login", 3600, cookie,
                                  sizeof(cookie)));
    webreq_reply_html(r, code, &page);
}

/* The throttle's key for this name from this address, or (any_name) for every name from this
 * address (malloc'd). */
static char *throttle_key(const webreq *r, bool any_name)
{
    const char *name = webreq_form(r, "user");
    char who[WEBUSERS_NAME_MAX + 80];
    snprintf(who, sizeof(who), "%s|%s", any_name ? "" : webusers_name_ok(name) ? name : "?",
             client_address(r->req));
    return key_web_throttle(r->d->cfg->key_prefix, who);
}

static void on_session_stored(aconn *c, redisReply *reply, void *priv)
{
    (void)c;
    webreq *r = priv;
    char cookie[256];
    if (!reply || reply->type == REDIS_REPLY_ERROR) {
        webreq_unavailable(r);
        return;
    }
    log_notice("web_login", "user=%s from=%s", log_q(r->user), log_q(client_address(r->req)));
    webreq_redirect(r, "/", cookie_text(r, SESSION_COOKIE, r->session, "/",
                                        WEB_SESSION_TTL_S, cookie, sizeof(cookie)));
}

/* A new session for r->user (its token in r->session until the cookie is written). */
static void start_session(webreq *r, aconn *c)
{
    char *token = r->session, value[WEB_TOKEN_HEX + WEBUSERS_NAME_MAX + 2], ttl[16];
    if (new_token(r->csrf) != 0 || new_token(token) != 0) {
        webreq_reply_message(r, 500, "Error", "No random bytes for a session token.");
        return;
    }
    snprintf(value, sizeof(value), "%s %s", r->csrf, r->user);
    snprintf(ttl, sizeof(ttl), "%d", WEB_SESSION_TTL_S);
    char *key = key_web_session(r->d->cfg->key_prefix, token), *tkey = throttle_key(r, false);
    const char *set[] = {"SET", key, value, "EX", ttl}, *del[] = {"DEL", tkey};
    int rc = aconn_cmd_argv(c, on_side_reply, "DEL", 0, 2, del, NULL);
    if (rc == 0)
        rc = aconn_cmd_argv(c, on_session_stored, r, 0, 5, set, NULL);
    free(key);
    free(tkey);
    if (rc != 0)
        webreq_unavailable(r);
}

static void throttled(webreq *r, const char *why)
{
    log_warn("web_login_throttled", "user=%s from=%s", log_q(webreq_form(r, "user")),
             log_q(client_address(r->req)));
    evhttp_add_header(evhttp_request_get_output_headers(r->req), "Retry-After", "900");
    webauth_login_page(r, 429, why);
}

/* The password check's result (on the loop): a session, or the login page again. */
static void on_checked(int ok, const char *err, void *priv)
{
    webreq *r = priv;
    const char *name = webreq_form(r, "user");
    aconn *c = webreq_conn(r);
    if (ok < 0)
        log_err("web_users_file", "error=\"%s\"", log_q(err));
    if (ok != 1) {
        log_notice("web_login_failed", "user=%s from=%s", log_q(name),
                   log_q(client_address(r->req)));
        webauth_login_page(r, 401, "Wrong user name or password.");
    } else if (!c) {
        webreq_unavailable(r);
    } else {
        snprintf(r->user, sizeof(r->user), "%s", name);
        start_session(r, c);
    }
}

/* The password checked off the loop (webcheck.c: yescrypt costs tens of ms of CPU). */
static void check_password(webreq *r)
{
    if (webcheck_start(r->d->base, r->d->cfg->web_users_file, webreq_form(r, "user"),
                       webreq_form(r, "password"), on_checked, r) != 0)
        webreq_reply_message(r, 503, "Busy", "Too many logins at once; try again in a moment.");
}

/* INCR of the address's throttle key: attempts from this address, whatever the name. */
static void on_throttle_address(aconn *c, redisReply *reply, void *priv)
{
    (void)c;
    webreq *r = priv;
    r->address_attempts = reply && reply->type == REDIS_REPLY_INTEGER ? reply->integer : -1;
    if (r->failed)         /* the name's count could not be sent: this reply ends it */
        webreq_unavailable(r);
}

/* INCR of the name's throttle key (sent after the address's): attempts of this name from this
 * address in the window. */
static void on_throttle(aconn *c, redisReply *reply, void *priv)
{
    (void)c;
    webreq *r = priv;
    if (!reply || reply->type != REDIS_REPLY_INTEGER || r->address_attempts < 0)
        webreq_unavailable(r);
    else if (reply->integer > WEB_THROTTLE_MAX)
        throttled(r, "Too many failed logins for this name from your address: try again in 15 "
                     "minutes.");
    else if (r->address_attempts > WEB_THROTTLE_ADDRESS_MAX)
        throttled(r, "Too many logins from your address: try again in 15 minutes.");
    else
        check_password(r);
}

/* INCR and EXPIRE NX of a throttle key; the INCR's reply to fn. 0, or -1 when the INCR could not
 * be sent (fn is not called then). */
static int count_attempt(webreq *r, aconn *c, bool any_name, aconn_reply_fn fn)
{
    char window[16], *key = throttle_key(r, any_name);
    snprintf(window, sizeof(window), "%d", WEB_THROTTLE_WINDOW_S);
    const char *incr[] = {"INCR", key}, *expire[] = {"EXPIRE", key, window, "NX"};
    int rc = aconn_cmd_argv(c, fn, r, 0, 2, incr, NULL);
    if (rc == 0)   /* not sent: the key lives without a TTL until a later attempt sets one */
        (void)aconn_cmd_argv(c, on_side_reply, "EXPIRE", 0, 4, expire, NULL);
    free(key);
    return rc;
}

void webauth_login(webreq *r)
{
    char token[WEB_TOKEN_HEX + 1];
    const char *sent = webreq_form(r, "csrf");
    aconn *c = webreq_conn(r);
    if (!cookie_token(r->req, LOGIN_COOKIE, token) || !sent || !webusers_same(sent, token)) {
        webauth_login_page(r, 403, "This login form was stale or not sent by this page; "
                                   "try again.");
        return;
    }
    if (!webreq_form(r, "user") || !webreq_form(r, "password")) {
        webauth_login_page(r, 401, "Wrong user name or password.");
        return;
    }
    /* the address's count first: its reply is in r->address_attempts when the name's arrives */
    if (!c || count_attempt(r, c, true, on_throttle_address) != 0)
        webreq_unavailable(r);
    else if (count_attempt(r, c, false, on_throttle) != 0)
        r->failed = true;  /* the connection dropped in between: the address's reply answers */
}

/* ---- logout ---- */

static void on_logged_out(aconn *c, redisReply *reply, void *priv)
{
    (void)c;
    (void)reply;
    webreq *r = priv;
    char cookie[256];
    log_notice("web_logout", "user=%s", log_q(r->user));
    webreq_redirect(r, "/login", cookie_text(r, SESSION_COOKIE, "", "/", 0, cookie,
                                             sizeof(cookie)));
}

void webauth_logout(webreq *r)
{
    char token[WEB_TOKEN_HEX + 1];
    if (cookie_token(r->req, SESSION_COOKIE, token))   /* the session read it a moment ago */
        webreq_key_cmd(r, "DEL", key_web_session(r->d->cfg->key_prefix, token), on_logged_out);
    else
        webreq_unavailable(r);
}
