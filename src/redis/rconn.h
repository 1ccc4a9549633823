/* rconn.h - blocking Redis connections (to addresses netaddr.h parses) and a small reply pipeline. */
#ifndef L2A_RCONN_H
#define L2A_RCONN_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

#include "netaddr.h"
#include "util.h"

/* Environment variable holding the Redis password when neither the URL nor a file gives one. */
#define REDIS_PASSWORD_ENV "L2A_REDIS_PASSWORD"
/* Fills a->password when the URL gave none: from password_file (if not NULL; its first line, the
 * trailing newline stripped), else from $L2A_REDIS_PASSWORD (if set and not empty). 0, or -1
 * with err set when the file cannot be read or is empty, or a user name has no password. */
int redis_addr_password(redis_addr *a, const char *password_file, char *err,
                        size_t errlen) MUSTCHECK;
/* True when a Redis error reply refuses the client's credentials or rights (WRONGPASS, NOAUTH,
 * NOPERM, "ERR AUTH ..."). */
bool rconn_auth_refused(const char *error);

/* The Redis address the config names (NULL url), or url (--redis) when given: redis.url, or in
 * Sentinel mode redis.sentinels, redis.master_name and the sentinels' password; redis.user when
 * the address names no user; then the password (redis_addr_password). 0 with err "" or a note to show, or -1 with err set; free *out
 * with redis_addr_free either way. */
struct conf;
int rconn_addr_from_conf(const struct conf *cfg, const char *url, redis_addr *out, char *err,
                         size_t errlen) MUSTCHECK;

/* Connects (blocking) with a connect and command timeout of timeout_ms, then AUTH ([user]
 * password) and SELECT when the address asks for them; a refused AUTH says "AUTH refused for
 * user 'x': WRONGPASS ...". In Sentinel mode the master is asked of the sentinels and must say
 * it is one (ROLE); while none does (a failover) they are asked again for up to timeout_ms.
 * Returns a context the caller frees with redisFree, or NULL with a message in err. */
redisContext *rconn_connect(const redis_addr *a, int timeout_ms, char *err, size_t errlen);

/* Runs one command and checks its reply is not an error. Returns the reply (caller frees with
 * freeReplyObject) or NULL with err set ("CMD: message"). */
redisReply *rconn_command(redisContext *c, int argc, const char **argv, const size_t *lens,
                          char *err, size_t errlen);

/* A failed reply of a blocking command as "what: reason" in err (the context's error when r is
 * NULL, the error reply, or "unexpected reply"); frees r. Returns -1. */
int rconn_reply_error(redisContext *c, redisReply *r, const char *what, char *err, size_t errlen);

/* One queued command: argv copies owned by the pipeline. A command queued preformatted
 * (rpipe_add_resp) is sent as resp (owned), and its argv are labels for the reply callback. */
typedef struct rpipe_cmd {
    int argc;
    char **argv;
    size_t *lens;
    char *resp;       /* NULL, or the command in the Redis protocol */
    size_t resp_len;
} rpipe_cmd;

/* Called once per reply, in order; the reply is valid only during the call. Returns 0, or -1
 * with err set to stop the pipeline. Never called with a "Function not found" error when the
 * pipeline has a reload function (see rpipe_init). */
typedef int (*rpipe_reply_fn)(const rpipe_cmd *cmd, const redisReply *r, void *ctx, char *err,
                              size_t errlen);

/* Loads what the pipeline's commands need into Redis (functions_load). 0 or -1 with err set. */
typedef int (*rpipe_reload_fn)(redisContext *c, char *err, size_t errlen);

/* A pipeline: commands are queued (copied) and sent max at a time, then every reply is read.
 * With a reload function, replies "ERR Function not found" make the pipeline call it once and
 * resend those commands before handing their replies on. */
typedef struct rpipe {
    redisContext *c;          /* borrowed */
    rpipe_reload_fn reload;   /* may be NULL */
    rpipe_reply_fn fn;
    void *ctx;                /* borrowed, passed to fn */
    rpipe_cmd *cmds;          /* owned queue */
    size_t n, cap, max;
    bool eager;               /* each command is written to Redis when queued (rpipe_send_early) */
    size_t sent;              /* queued commands already written */
} rpipe;

void rpipe_init(rpipe *p, redisContext *c, size_t max, rpipe_reload_fn reload, rpipe_reply_fn fn,
                void *ctx);
/* From now on each queued command is written to Redis at once (Redis works on it while the caller
 * prepares the next one); its reply is still read at the flush. For a few big commands. */
void rpipe_send_early(rpipe *p);
/* Queues a copy of the command; flushes when max commands are queued. 0 or -1 with err set. */
int rpipe_add(rpipe *p, int argc, const char **argv, const size_t *lens, char *err,
              size_t errlen) MUSTCHECK;
/* Queues a command already in the Redis protocol (resp, taken over), with argc labels copied
 * into the queued command's argv for the reply callback (never sent); like rpipe_add otherwise.
 * For big commands built without an argument array. */
int rpipe_add_resp(rpipe *p, char *resp, size_t resp_len, int argc, const char **labels,
                   char *err, size_t errlen) MUSTCHECK;
/* Sends what is queued and reads every reply. 0 or -1 with err set. */
int rpipe_flush(rpipe *p, char *err, size_t errlen) MUSTCHECK;
/* Drops what is still queued (unsent) and frees the queue. */
void rpipe_free(rpipe *p);

/* An FCALL's error reply saying the function is not loaded (FUNCTION FLUSH, a new Redis). */
bool rconn_function_missing(const redisReply *r);

#endif
