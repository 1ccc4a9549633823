/* functions.h - the Redis Function library that runs l2a's code inside Redis (the .lua files in
 * src/redis/lua/, embedded at build time): source, versioned name, function names, load, FCALL. */
#ifndef L2A_FUNCTIONS_H
#define L2A_FUNCTIONS_H

#include <stddef.h>

#include <hiredis/hiredis.h>
#include <stdbool.h>

#include "util.h"

/* The library's functions. KEYS, ARGV and replies of each: the top of its .lua file and
 * docs/redis-schema.md. */
typedef enum functions_fn {
    FN_RECORD,          /* record.lua: a lead's result and outcome, with its XACK */
    FN_RECORD_LEADS,    /* record.lua: the same for several leads, flat arguments, one reply each */
    FN_DEAD,            /* dead.lua: a dead letter, with its XACK, once per stream entry */
    FN_RESOLVE,         /* resolve.lua: a review alert closed, its plan carried out */
    FN_ACCOUNT_UPSERT,  /* accounts.lua: one account stored */
    FN_ACCOUNT_UPSERT_BATCH, /* accounts.lua: up to 1,000 accounts stored, one reply each */
    FN_ACCOUNT_DELETE,  /* accounts.lua: one account removed */
    FN_ACCOUNT_IMPORT_CHECK, /* accounts.lua: which accounts of an import batch to write */
    FN_FORGET_CONSUMERS, /* consumers.lua: gone consumers holding nothing removed from the group */
    FN_LEARNED,         /* learned.lua: a learned fact stored or forgotten */
    FN_WEBHOOK_LEASE,   /* webhooks.lua: the events sender's lease taken or renewed */
    FN_WEBHOOK_ADVANCE, /* webhooks.lua: the events sender's position, under its lease */
    FN_WEBHOOK_SLA_CLAIM, /* webhooks.lua: the right to post an alert's overdue message */
    FN_SNAPSHOT_PUBLISH, /* snapshot.lua: an account snapshot made the live one, under the lock */
    FN_SNAPSHOT_UNLOCK, /* snapshot.lua: the snapshot writers' lock released by its holder */
    FN_COUNT
} functions_fn;

/* The library's source text, as FUNCTION LOAD takes it. Static. */
const char *functions_library_source(void);
/* The library's name: l2a_v<major>_<minor>_<patch> of this build, so that two versions can share
 * a Redis during a rolling upgrade. Static. */
const char *functions_library_name(void);
/* A function's name: the library's name, "_", its own (l2a_v0_7_0_record). Static. */
const char *functions_name(functions_fn fn);

/* FUNCTION LOAD REPLACE of the library (blocking). 0 or -1 with err set. */
int functions_load(redisContext *c, char *err, size_t errlen) MUSTCHECK;

/* Loads the library when this Redis does not have it (FUNCTION LIST LIBRARYNAME, then FUNCTION
 * LOAD), for a client about to pipeline FCALLs: on a new Redis each of its first calls would
 * otherwise be answered "Function not found" (counted in INFO errorstats) before it loads it. A
 * library of this name is taken as it is (no code compared: nothing to replace, no right to load
 * needed). 0, or -1 with err set (the listing or the load refused, a lost connection). */
int functions_ensure(redisContext *c, char *err, size_t errlen) MUSTCHECK;

/* FCALL <fn> argv... (argv: numkeys, keys, arguments), blocking. When Redis answers that the
 * function is not found (FUNCTION FLUSH, a new Redis), loads the library and calls once more.
 * Returns the reply, error replies included (caller frees), or NULL with err set. */
redisReply *functions_call(redisContext *c, functions_fn fn, int argc, const char **argv,
                           char *err, size_t errlen);

/* The dead function's entry argument: a stream entry's field/value array reply as a JSON array
 * [field, value, ...], every byte kept: a string that is valid UTF-8 (NUL bytes included) is a
 * JSON string; any other is an object {"base64": "..."}. Returns malloc'd text (caller frees). */
char *functions_entry_json(const redisReply *fields);

/* Whether a FUNCTION LIST LIBRARYNAME <name> WITHCODE reply holds this build's library with the
 * same code: then nothing needs loading (what works over maxmemory, where FUNCTION LOAD does not). */
bool functions_listed_current(const redisReply *r);

#endif
