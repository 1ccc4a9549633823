/* sentwatch.h - listens to the sentinels' +switch-master announcements so that a failover is
 * followed at once, not only at the next error of a connection. */
#ifndef L2A_SENTWATCH_H
#define L2A_SENTWATCH_H

#include <event2/event.h>

#include "netaddr.h"

typedef struct sentwatch sentwatch;

/* Called when the sentinels name a new master for addr->master_name; host is valid only during
 * the call. Never called from inside another connection's callback of the caller's. */
typedef void (*sentwatch_fn)(const char *host, int port, void *ctx);

/* Subscribes to +switch-master on one of addr's sentinels at a time (the next one when it goes
 * away). addr is borrowed and must outlive the watcher. */
sentwatch *sentwatch_new(struct event_base *base, const redis_addr *addr, sentwatch_fn fn,
                         void *ctx);
void sentwatch_start(sentwatch *w);
void sentwatch_free(sentwatch *w);

#endif
