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
/* The port actually bound (useful after port 0), or -1. */
int http_port(const http_server *s);
/* "host:port" for logs: listen's host with the port actually bound (listen may say port 0). */
void http_describe(const char *listen, int port, char *buf, size_t len);
/* Closes the listening socket and open connections and frees s. NULL is a no-op. */
void http_stop(http_server *s);

#endif
