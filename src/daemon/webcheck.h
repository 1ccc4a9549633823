/* webcheck.h - the review page's password checks (yescrypt: tens of milliseconds of CPU each) on
 * threads of their own, so that a login never pauses the event loop that consumes leads. */
#ifndef L2A_WEBCHECK_H
#define L2A_WEBCHECK_H

#include "util.h"

struct event_base;

#define WEBCHECK_MAX 4     /* checks running at once; more are refused (503) */

/* A finished check: result as webusers_check's (1 yes, 0 no, -1 file unreadable with err). */
typedef void (*webcheck_done_fn)(int result, const char *err, void *priv);

/* Checks name and password against the users file at path (NULL: nobody) on a new thread, then
 * calls done on base's loop. Strings are copied (the password wiped after use). 0, or -1 when
 * WEBCHECK_MAX checks are running or no thread could start (done is not called then). */
int webcheck_start(struct event_base *base, const char *path, const char *name,
                   const char *password, webcheck_done_fn done, void *priv) MUSTCHECK;

#endif
