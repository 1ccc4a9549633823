/* hooks_http.h - HTTP POSTs on the event loop: libcurl's multi interface driven by libevent
 * (socket and timer callbacks), for the webhooks. */
#ifndef L2A_HOOKS_HTTP_H
#define L2A_HOOKS_HTTP_H

#include <event2/event.h>
#include <stddef.h>

typedef struct hooks_http hooks_http;

/* A finished POST: status is the HTTP status (0 when no answer came), err says why there was
 * none ("" otherwise); both valid only during the call. Called from the loop, never from inside
 * a libcurl callback, so it may post again. */
typedef void (*hooks_http_done_fn)(int status, const char *err, void *priv);

/* Returns NULL with err set when libcurl cannot start. Owned by the caller (hooks_http_free). */
hooks_http *hooks_http_new(struct event_base *base, char *err, size_t errlen);
/* Starts a POST of body (copied) to url with the extra headers (NULL-terminated, "Name: value",
 * copied; may be NULL), giving up after timeout_ms. done is always called once, later. */
void hooks_http_post(hooks_http *h, const char *url, const char *body,
                     const char *const *headers, int timeout_ms, hooks_http_done_fn done,
                     void *priv);
/* POSTs started and not finished. */
size_t hooks_http_active(const hooks_http *h);
/* Abandons every POST (their done is not called) and frees h. NULL-safe. */
void hooks_http_free(hooks_http *h);

#endif
