/* web.c - l2ad's second HTTP listener (web.listen): routes requests to the handlers registered. */
#include "web.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "http.h"

#define WEB_TIMEOUT_S 30            /* a client that sends nothing for this long is dropped */
#define WEB_MAX_HEADERS 16384       /* bytes of request headers */
#define WEB_MAX_ROUTES 32

typedef struct route {
    char *path;
    bool prefix;                    /* path ends in '/': every path below it */
    unsigned methods;
    web_handler fn;
    void *ctx;
} route;

struct web_server {
    struct evhttp *http;            /* owned; frees the bound socket and connections */
    struct evhttp_bound_socket *bound;
    route routes[WEB_MAX_ROUTES];
    size_t nroutes;
};

static unsigned method_bit(enum evhttp_cmd_type cmd)
{
    switch (cmd) {
    case EVHTTP_REQ_GET:
        return WEB_GET;
    case EVHTTP_REQ_HEAD:
        return WEB_HEAD;
    case EVHTTP_REQ_POST:
        return WEB_POST;
    default:
        return 0;
    }
}

static void allow_header(struct evhttp_request *req, unsigned methods)
{
    char allow[32] = "";
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {{WEB_GET, "GET"}, {WEB_HEAD, "HEAD"}, {WEB_POST, "POST"}};
    for (size_t i = 0; i < ARRAY_LEN(names); i++)
        if (methods & names[i].bit)
            snprintf(allow + strlen(allow), sizeof(allow) - strlen(allow), "%s%s",
                     allow[0] ? ", " : "", names[i].name);
    evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", allow);
}

/* The route for path, with *rest set to the part below its prefix; NULL when none. */
static const route *route_of(const web_server *w, const char *path, const char **rest)
{
    for (size_t i = 0; path && i < w->nroutes; i++) {
        const route *r = &w->routes[i];
        size_t n = strlen(r->path);
        if (r->prefix ? strncmp(path, r->path, n) == 0 ||
                            (strncmp(path, r->path, n - 1) == 0 && path[n - 1] == '\0')
                      : strcmp(path, r->path) == 0) {
            *rest = r->prefix && strlen(path) >= n ? path + n : "";
            return r;
        }
    }
    return NULL;
}

static void on_request(struct evhttp_request *req, void *arg)
{
    web_server *w = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    const char *rest = "";
    const route *r = route_of(w, uri ? evhttp_uri_get_path(uri) : NULL, &rest);
    static const char not_found[] = "not found\n", not_allowed[] = "method not allowed\n";
    if (!r) {
        web_reply(req, 404, "text/plain; charset=utf-8", not_found, sizeof(not_found) - 1);
    } else if (!(method_bit(evhttp_request_get_command(req)) & r->methods)) {
        allow_header(req, r->methods);
        web_reply(req, 405, "text/plain; charset=utf-8", not_allowed, sizeof(not_allowed) - 1);
    } else {
        r->fn(req, rest, r->ctx);
    }
}

web_server *web_start(struct event_base *base, const char *listen, char *err, size_t errlen)
{
    static const http_limits lim = {WEB_TIMEOUT_S, WEB_MAX_HEADERS, WEB_MAX_BODY};
    web_server *w = xcalloc(1, sizeof(*w));
    w->http = http_listener_open(base, "web.listen", listen, &lim, on_request, w, &w->bound, err,
                                 errlen);
    if (!w->http) {
        free(w);
        return NULL;
    }
    return w;
}

void web_route(web_server *w, const char *path, unsigned methods, web_handler fn, void *ctx)
{
    if (w->nroutes == WEB_MAX_ROUTES)
        abort();                    /* a programming error: raise WEB_MAX_ROUTES */
    size_t n = strlen(path);
    w->routes[w->nroutes++] = (route){.path = xstrdup(path), .prefix = n > 1 && path[n - 1] == '/',
                                      .methods = methods, .fn = fn, .ctx = ctx};
}

int web_port(const web_server *w)
{
    if (!w || !w->bound)
        return -1;
    return http_fd_port(evhttp_bound_socket_get_fd(w->bound));
}

void web_reply(struct evhttp_request *req, int code, const char *ctype, const char *body,
               size_t len)
{
    evhttp_add_header(evhttp_request_get_output_headers(req), "Referrer-Policy", "no-referrer");
    http_send(req, code, ctype, body, len);
}

char *web_body(struct evhttp_request *req, size_t *len)
{
    struct evbuffer *in = evhttp_request_get_input_buffer(req);
    size_t n = evbuffer_get_length(in);
    char *s = xmalloc(n + 1);
    evbuffer_copyout(in, s, n);
    s[n] = '\0';
    *len = n;
    return s;
}

void web_stop(web_server *w)
{
    if (!w)
        return;
    if (w->http)
        evhttp_free(w->http);
    for (size_t i = 0; i < w->nroutes; i++)
        free(w->routes[i].path);
    free(w);
}
