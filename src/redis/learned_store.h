/* learned_store.h - learned facts in Redis (the l2a:learned hash, docs/learning.md): read them
 * all, store or forget one through the learned Function, and their JSON form. */
#ifndef L2A_LEARNED_STORE_H
#define L2A_LEARNED_STORE_H

#include <hiredis/hiredis.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine.h"
#include "learned.h"
#include "util.h"

/* Called with each fact read (strings borrowed: valid during the call). */
typedef void (*learned_cb)(const learned_fact *f, void *ctx);

/* Every fact of the learned hash (HSCAN pages), handed to cb; values that are not a fact are
 * skipped and counted in *skipped (may be NULL). Returns the number read, or -1 with err set. */
long learned_load_all(redisContext *c, const char *prefix, learned_cb cb, void *ctx,
                      long *skipped, char *err, size_t errlen) MUSTCHECK;
/* The same, each fact taught to m (matcher_learn): the facts l2ad and `l2a replay` decide with. */
long learned_load_into(redisContext *c, const char *prefix, matcher *m, long *skipped, char *err,
                       size_t errlen) MUSTCHECK;

/* A fact from field/value pairs (a changes-stream entry: kind, name, domain, account_id, by, at,
 * lead_id; other fields ignored). Strings borrowed from kv. false without a known kind. */
bool learned_from_pairs(const char *const *kv, size_t n, learned_fact *f);

/* The fact as the JSON object the learned hash holds and the learned Function takes (malloc'd). */
char *learned_fact_json(const learned_fact *f);

/* FCALL of the learned Function: op "put" (f complete) or "forget" (kind always: name and
 * domain; never: name and account_id; kind domain is forget_domain). 1 done, 0 nothing to
 * forget, -1 with err set (the Function's error included). */
int learned_store_call(redisContext *c, const char *prefix, const char *op, const learned_fact *f,
                       char *err, size_t errlen) MUSTCHECK;
/* Takes a domain learned from a contact off its account: 1 done, 0 none learned, -1 error. */
int learned_forget_domain(redisContext *c, const char *prefix, const char *domain, char *err,
                          size_t errlen) MUSTCHECK;

#endif
