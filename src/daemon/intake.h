/* intake.h - POST /v1/leads on the web listener: what a MAP's webhook calls to add leads to the
 * input stream, with a bearer token from web.tokens_file. */
#ifndef L2A_INTAKE_H
#define L2A_INTAKE_H

#include <stddef.h>

#include "util.h"

struct l2ad;

#define INTAKE_MAX_LEADS 1000       /* leads one request may carry (an array); more: 413 */

/* Reads web.tokens_file and adds the route to d->web (which must be started). 0, or -1 with
 * "web.tokens_file: cannot read PATH: reason" in err. The intake state is d->intake. */
int intake_init(struct l2ad *d, char *err, size_t errlen) MUSTCHECK;
/* Re-reads web.tokens_file of the configuration in force (after a SIGHUP reload): a file that
 * cannot be read is logged and the tokens read before are kept. No-op without an intake. */
void intake_reload(struct l2ad *d);
/* Frees d->intake; requests still waiting for Redis are answered by nobody (their connections
 * close with the listener). NULL-safe. */
void intake_free(struct l2ad *d);

#endif
