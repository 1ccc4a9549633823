/* http.c - /healthz and /metrics over libevent's evhttp, on the daemon's own event loop. */
#include "http.h"
#include "procstat.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "netaddr.h"

#define HTTP_TIMEOUT_S 10       /* a client that sends nothing for this long is dropped */
#define HTTP_MAX_HEADERS 8192   /* bytes of request headers */
#define HTTP_MAX_BODY 4096      /* bytes of request body (we expect none) */
#define HTTP_BACKLOG 64

struct http_server {
    struct evhttp *http;                  /* owned; frees the bound socket and connections */
    struct evhttp_bound_socket *bound;    /* owned by http */
    const metrics *m;                     /* borrowed */
    http_health_fn health;
    void *ctx;                            /* borrowed */
};

/* Opens, binds and listens on one address: the fd, or -1 with errno set and *step naming the
 * call that failed. */
static int bind_one(const struct addrinfo *ai, const char **step)
{
    int one = 1, e;
    *step = "socket";
    int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    *step = "setsockopt";
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
        goto fail;
    *step = "bind";
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0)
        goto fail;
    *step = "listen";
    if (listen(fd, HTTP_BACKLOG) < 0)
        goto fail;
    return fd;
fail:
    e = errno;
    close(fd);
    errno = e;
    return -1;
}

/* A non-blocking listening socket on the first address of host:port that binds ("" host: every
 * IPv4 address), or -1 with err set to the failure of the last address tried. */
static int listen_socket(const char *what, const char *addr, const char *host,
                         const char *port, char *err, size_t errlen)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host[0] ? host : "0.0.0.0", port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "%s %s: %s", what, addr, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        const char *step;
        if ((fd = bind_one(ai, &step)) < 0)
            snprintf(err, errlen, "%s %s: %s: %s", what, addr, step, strerror(errno));
    }
    freeaddrinfo(res);
    return fd;
}

int http_listen_fd(const char *what, const char *addr, char *err, size_t errlen)
{
    char host[LISTEN_HOST_MAX], port[LISTEN_PORT_MAX], msg[200];
    if (listen_addr_split(addr, host, sizeof(host), port, sizeof(port), msg, sizeof(msg)) < 0) {
        snprintf(err, errlen, "%s %s", what, msg);
        return -1;
    }
    return listen_socket(what, addr, host, port, err, errlen);
}

void http_send(struct evhttp_request *req, int code, const char *ctype, const char *body,
               size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", ctype);
    evhttp_add_header(h, "Cache-Control", "no-store");
    evhttp_add_header(h, "X-Content-Type-Options", "nosniff");
    if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
        char n[32];
        snprintf(n, sizeof(n), "%zu", len);
        evhttp_add_header(h, "Content-Length", n);
    } else if (len) {
        evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
    }
    evhttp_send_reply(req, code, NULL, NULL);
}

static void serve_health(http_server *s, struct evhttp_request *req)
{
    strbuf body;
    sb_init(&body);
    bool ok = s->health ? s->health(s->ctx, &body) : true;
    if (body.len == 0)
        sb_append(&body, ok ? "{\"status\":\"ok\"}" : "{\"status\":\"unhealthy\"}");
    sb_putc(&body, '\n');
    http_send(req, ok ? 200 : 503, "application/json", body.buf,
          body.len);
    sb_free(&body);
}

static void serve_metrics(http_server *s, struct evhttp_request *req)
{
    strbuf body;
    sb_init(&body);
    metrics_render(s->m, &body);
    procstat_render(&body);
    http_send(req, 200, "text/plain; version=0.0.4; charset=utf-8", body.buf, body.len);
    sb_free(&body);
}

typedef void (*route_fn)(http_server *s, struct evhttp_request *req);

static route_fn route_of(const char *path)
{
    static const struct {
        const char *path;
        route_fn fn;
    } routes[] = {{"/healthz", serve_health}, {"/metrics", serve_metrics}};
    for (size_t i = 0; path && i < ARRAY_LEN(routes); i++)
        if (strcmp(path, routes[i].path) == 0)
            return routes[i].fn;
    return NULL;
}

static void on_request(struct evhttp_request *req, void *arg)
{
    http_server *s = arg;
    const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
    route_fn fn = route_of(uri ? evhttp_uri_get_path(uri) : NULL);
    enum evhttp_cmd_type cmd = evhttp_request_get_command(req);
    static const char not_found[] = "not found\n", not_allowed[] = "method not allowed\n";
    if (!fn) {
        http_send(req, 404, "text/plain", not_found, sizeof(not_found) - 1);
    } else if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
        http_send(req, 405, "text/plain", not_allowed, sizeof(not_allowed) - 1);
    } else {
        fn(s, req);
    }
}

struct evhttp *http_listener_open(struct event_base *base, const char *what, const char *addr,
                                  const http_limits *lim, void (*cb)(struct evhttp_request *, void *),
                                  void *arg, struct evhttp_bound_socket **bound, char *err,
                                  size_t errlen)
{
    struct evhttp *h = NULL;
    int fd = http_listen_fd(what, addr, err, errlen);
    *bound = NULL;
    if (fd < 0)
        return NULL;
    if (!(h = evhttp_new(base))) {
        snprintf(err, errlen, "%s %s: evhttp_new failed", what, addr);
        close(fd);
        return NULL;
    }
    /* every method reaches cb, which answers 405 itself */
    evhttp_set_allowed_methods(h, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                      EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                      EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_timeout(h, lim->timeout_s);
    evhttp_set_max_headers_size(h, lim->max_headers);
    evhttp_set_max_body_size(h, lim->max_body);
    evhttp_set_gencb(h, cb, arg);
    if (!(*bound = evhttp_accept_socket_with_handle(h, fd))) {
        snprintf(err, errlen, "%s %s: cannot accept on the socket", what, addr);
        close(fd);
        evhttp_free(h);
        return NULL;
    }
    return h;
}

http_server *http_start(struct event_base *base, const char *addr, const metrics *m,
                        http_health_fn health, void *ctx, char *err, size_t errlen)
{
    static const http_limits lim = {HTTP_TIMEOUT_S, HTTP_MAX_HEADERS, HTTP_MAX_BODY};
    http_server *s = xcalloc(1, sizeof(*s));
    s->m = m;
    s->health = health;
    s->ctx = ctx;
    s->http = http_listener_open(base, "http.listen", addr, &lim, on_request, s, &s->bound, err,
                                 errlen);
    if (!s->http) {
        free(s);
        return NULL;
    }
    return s;
}

int http_fd_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char port[16];
    if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0 ||
        getnameinfo((struct sockaddr *)&ss, len, NULL, 0, port, sizeof(port), NI_NUMERICSERV))
        return -1;
    return atoi(port);
}

int http_port(const http_server *s)
{
    if (!s || !s->bound)
        return -1;
    return http_fd_port(evhttp_bound_socket_get_fd(s->bound));
}

void http_stop(http_server *s)
{
    if (!s)
        return;
    if (s->http)
        evhttp_free(s->http);
    free(s);
}

void http_describe(const char *listen, int port, char *buf, size_t len)
{
    const char *colon = strrchr(listen, ':');
    int host_len = colon ? (int)(colon - listen) : (int)strlen(listen);
    snprintf(buf, len, "%.*s:%d", host_len, listen, port);
}
