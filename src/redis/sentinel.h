/* sentinel.h - where the Redis master is, in Sentinel mode: asked of the sentinels in turn
 * (SENTINEL get-master-addr-by-name) and confirmed with ROLE; plain commands, as hiredis 0.14
 * has no Sentinel support. The one place both the CLI's and l2ad's connections ask. */
#ifndef L2A_SENTINEL_H
#define L2A_SENTINEL_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

#include "netaddr.h"
#include "util.h"

/* Time a sentinel gets to connect and answer, in all (ms): a dead one costs at most this. */
#define SENTINEL_TIMEOUT_MS 200

/* Asks a's sentinels in turn (blocking, SENTINEL_TIMEOUT_MS each) where master a->master_name
 * is. 0 with *host (malloc'd, caller frees) and *port set, or -1 with err set ("no sentinel
 * answered: 127.0.0.1:26379: Connection refused; ..."). */
int sentinel_master(const redis_addr *a, char **host, int *port, char *err,
                    size_t errlen) MUSTCHECK;

/* Whether a ROLE reply says the node is a master. */
bool sentinel_role_is_master(const redisReply *r);

/* Whether a reply is an error saying the node cannot take writes as a master now (READONLY: it
 * is a replica; UNBLOCKED: it was just turned into one) so its master must be asked again. */
bool sentinel_not_master_error(const redisReply *r);

/* The "+switch-master" message's payload "NAME OLDHOST OLDPORT NEWHOST NEWPORT": 0 with the new
 * host (copied into host) and port when NAME is name, else -1. */
int sentinel_parse_switch(const char *payload, const char *name, char *host, size_t hostlen,
                          int *port);

#endif
