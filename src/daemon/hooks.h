/* hooks.h - the webhooks: review alerts to a chat channel and the events stream to a signed
 * receiver, delivered at least once from the event loop (docs/operations.md "Webhooks"). */
#ifndef L2A_HOOKS_H
#define L2A_HOOKS_H

#include <stddef.h>

#include "daemon.h"

typedef struct hooks hooks;

/* The webhook senders of d, each idle while its URL is unset (they look at d->cfg every tick, so
 * a reload turns them on or off). Returns NULL with err set when libcurl cannot start. */
hooks *hooks_start(l2ad *d, char *err, size_t errlen);
/* Abandons what is in flight (it stays pending in Redis for the next worker). NULL-safe. */
void hooks_free(hooks *h);
/* The webhooks' Redis connection, NULL until a webhook needed it (or for a NULL h). */
aconn *hooks_conn(const hooks *h);

#endif
