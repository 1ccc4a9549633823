/* http.h - the daemon's HTTP endpoint on its libevent loop: GET /healthz and GET /metrics. */
#ifndef L2A_HTTP_H
#define L2A_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "metrics.h"
#include "util.h"

struct event_base;

/* Health check, called on every GET /healthz inside the event loop: appends a JSON object to
 * json_body (may leave it empty: {"status":"ok"} or {"status":"unhealthy"} is sent then) and
 * returns whether the daemon is healthy (200) or not (503). */
typedef bool (*http_health_fn)(void *ctx, strbuf *json_body);

typedef struct http_server http_server;

/* Listens on listen ("host:port", ":port" for every IPv4 address, "[::1]:port" for IPv6; port 0
 * picks a free port, see http_port) and serves requests on base:
 *   GET|HEAD /healthz  200 or 503, application/json, the health callback's body (health NULL:
 *                      always healthy)
 *   GET|HEAD /metrics  200, text/plain; version=0.0.4, metrics_render(m)
 *   other paths 404; other methods on those paths 405 with "Allow: GET, HEAD".
 * m and ctx are borrowed and must outlive the server. Returns the server (owned by the caller:
 * http_stop), or NULL with a message in err such as
 * "http.listen 127.0.0.1:9108: bind: Address already in use". */
http_server *http_start(struct event_base *base, const char *listen, const metrics *m,
                        http_health_fn health, void *ctx, char *err, size_t errlen) MUSTCHECK;
/* A non-blocking listening socket on addr ("host:port" as above): the fd, or -1 with
 * "<what> <addr>: bind: Address already in use" (what: the config key, e.g. "web.listen") in err.
 * Shared with the web listener (web.c). */
int http_listen_fd(const char *what, const char *addr, char *err, size_t errlen) MUSTCHECK;
/* Limits of a listener: idle seconds before a silent client is dropped, header and body bytes. */
typedef struct http_limits {
    int timeout_s;
    size_t max_headers, max_body;
} http_limits;

struct evhttp;
struct evhttp_request;
struct evhttp_bound_socket;
/* An evhttp serving every request of every method to cb(req, arg) on a socket listening on addr
 * (http_listen_fd), with lim; *bound is its socket. NULL with err set when it cannot listen. */
struct evhttp *http_listener_open(struct event_base *base, const char *what, const char *addr,
                                  const http_limits *lim, void (*cb)(struct evhttp_request *, void *),
                                  void *arg, struct evhttp_bound_socket **bound, char *err,
                                  size_t errlen) MUSTCHECK;
/* Answers with code and body (len bytes; none for HEAD: libevent 2.1 would send it, so the
 * Content-Length is set by hand), Content-Type ctype, Cache-Control no-store and
 * X-Content-Type-Options nosniff. */
void http_send(struct evhttp_request *req, int code, const char *ctype, const char *body,
               size_t len);
/* The port actually bound (useful after port 0), or -1. */
int http_port(const http_server *s);
/* The local port of a bound socket, or -1. */
int http_fd_port(int fd);
/* "host:port" for logs: listen's host with the port actually bound (listen may say port 0). */
void http_describe(const char *listen, int port, char *buf, size_t len);
/* Closes the listening socket and open connections and frees s. NULL is a no-op. */
void http_stop(http_server *s);

#endif
