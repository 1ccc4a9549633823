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
static int listen_socket(const char *addr, const char *host, const char *port, char *err,
                         size_t errlen)
{
    struct addrinfo hints = {0}, *res = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    int rc = getaddrinfo(host[0] ? host : "0.0.0.0", port, &hints, &res);
    if (rc != 0) {
        snprintf(err, errlen, "http.listen %s: %s", addr, gai_strerror(rc));
        return -1;
    }
    int fd = -1;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        const char *step;
        if ((fd = bind_one(ai, &step)) < 0)
            snprintf(err, errlen, "http.listen %s: %s: %s", addr, step, strerror(errno));
    }
    freeaddrinfo(res);
    return fd;
}

/* Sends body with the status and content type; HEAD gets the headers and Content-Length only
 * (libevent 2.1 would send the body). */
static void reply(struct evhttp_request *req, int code, const char *reason, const char *ctype,
                  const char *body, size_t len)
{
    struct evkeyvalq *h = evhttp_request_get_output_headers(req);
    evhttp_add_header(h, "Content-Type", ctype);
    evhttp_add_header(h, "Cache-Control", "no-store");
    if (evhttp_request_get_command(req) == EVHTTP_REQ_HEAD) {
        char n[32];
        snprintf(n, sizeof(n), "%zu", len);
        evhttp_add_header(h, "Content-Length", n);
    } else if (len) {
        evbuffer_add(evhttp_request_get_output_buffer(req), body, len);
    }
    evhttp_send_reply(req, code, reason, NULL);
}

static void serve_health(http_server *s, struct evhttp_request *req)
{
    strbuf body;
    sb_init(&body);
    bool ok = s->health ? s->health(s->ctx, &body) : true;
    if (body.len == 0)
        sb_append(&body, ok ? "{\"status\":\"ok\"}" : "{\"status\":\"unhealthy\"}");
    sb_putc(&body, '\n');
    reply(req, ok ? 200 : 503, ok ? "OK" : "Service Unavailable", "application/json", body.buf,
          body.len);
    sb_free(&body);
}

static void serve_metrics(http_server *s, struct evhttp_request *req)
{
    strbuf body;
    sb_init(&body);
    metrics_render(s->m, &body);
    procstat_render(&body);
    reply(req, 200, "OK", "text/plain; version=0.0.4; charset=utf-8", body.buf, body.len);
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
        reply(req, 404, "Not Found", "text/plain", not_found, sizeof(not_found) - 1);
    } else if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_HEAD) {
        evhttp_add_header(evhttp_request_get_output_headers(req), "Allow", "GET, HEAD");
        reply(req, 405, "Method Not Allowed", "text/plain", not_allowed, sizeof(not_allowed) - 1);
    } else {
        fn(s, req);
    }
}

/* Configures s->http: limits, every method reaching on_request (which answers 405 itself). */
static void setup_evhttp(http_server *s)
{
    evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                            EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE |
                                            EVHTTP_REQ_OPTIONS | EVHTTP_REQ_TRACE |
                                            EVHTTP_REQ_CONNECT | EVHTTP_REQ_PATCH);
    evhttp_set_timeout(s->http, HTTP_TIMEOUT_S);
    evhttp_set_max_headers_size(s->http, HTTP_MAX_HEADERS);
    evhttp_set_max_body_size(s->http, HTTP_MAX_BODY);
    evhttp_set_gencb(s->http, on_request, s);
}

http_server *http_start(struct event_base *base, const char *addr, const metrics *m,
                        http_health_fn health, void *ctx, char *err, size_t errlen)
{
    char host[LISTEN_HOST_MAX], port[LISTEN_PORT_MAX], msg[200];
    int fd = -1;
    http_server *s = xcalloc(1, sizeof(*s));
    s->m = m;
    s->health = health;
    s->ctx = ctx;
    if (listen_addr_split(addr, host, sizeof(host), port, sizeof(port), msg, sizeof(msg)) < 0) {
        snprintf(err, errlen, "http.listen %s", msg);
        goto fail;
    }
    if ((fd = listen_socket(addr, host, port, err, errlen)) < 0)
        goto fail;
    if (!(s->http = evhttp_new(base))) {
        snprintf(err, errlen, "http.listen %s: evhttp_new failed", addr);
        goto fail;
    }
    setup_evhttp(s);
    if (!(s->bound = evhttp_accept_socket_with_handle(s->http, fd))) {
        snprintf(err, errlen, "http.listen %s: cannot accept on the socket", addr);
        goto fail;
    }
    return s;
fail:
    if (fd >= 0 && !s->bound)
        close(fd);
    http_stop(s);
    return NULL;
}

int http_port(const http_server *s)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    if (!s || !s->bound ||
        getsockname(evhttp_bound_socket_get_fd(s->bound), (struct sockaddr *)&ss, &len) < 0)
        return -1;
    char port[16];
    if (getnameinfo((struct sockaddr *)&ss, len, NULL, 0, port, sizeof(port), NI_NUMERICSERV))
        return -1;
    return atoi(port);
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
