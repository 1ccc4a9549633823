/* web.h - the second HTTP listener of l2ad (web.listen): a route table that the review page and
 * the lead intake register their handlers in; off unless web.listen is set. */
#ifndef L2A_WEB_H
#define L2A_WEB_H

#include <stdbool.h>
#include <stddef.h>

#include "util.h"

struct event_base;
struct evhttp_request;

typedef struct web_server web_server;

/* A handler gets the request (to answer with web_reply or evhttp_send_reply) and the path below
 * its route's prefix ("" for an exact route; "00Q1" for "/alerts/" and "/alerts/00Q1"). */
typedef void (*web_handler)(struct evhttp_request *req, const char *rest, void *ctx);

/* Methods a route takes (bit mask); a request with another one gets 405 and an Allow header. */
enum { WEB_GET = 1, WEB_HEAD = 2, WEB_POST = 4 };

#define WEB_MAX_BODY (4u << 20)     /* request bodies over this are refused with 413 by evhttp */

/* Listens on listen (as http.listen: "host:port", port 0 picks a free one) on base. Returns the
 * server (owned by the caller: web_stop) or NULL with "web.listen ADDR: ..." in err. */
web_server *web_start(struct event_base *base, const char *listen, char *err,
                      size_t errlen) MUSTCHECK;
/* Adds a route: path exactly ("/v1/leads"), or every path under it when it ends in '/'
 * ("/alerts/"); the first matching route in the order added wins. ctx is borrowed. */
void web_route(web_server *w, const char *path, unsigned methods, web_handler fn, void *ctx);
/* The port actually bound, or -1. */
int web_port(const web_server *w);
/* Answers with code and body (len bytes; none for HEAD), Content-Type ctype, and headers every
 * answer of this listener carries: Cache-Control no-store, X-Content-Type-Options nosniff,
 * Referrer-Policy no-referrer. */
void web_reply(struct evhttp_request *req, int code, const char *ctype, const char *body,
               size_t len);
/* The request body as a NUL-terminated copy (malloc'd; *len without the NUL). */
char *web_body(struct evhttp_request *req, size_t *len);
/* Closes the socket and open connections and frees w. NULL is a no-op. */
void web_stop(web_server *w);

#endif
