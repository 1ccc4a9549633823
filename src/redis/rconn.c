/* rconn.c - blocking Redis connections (to addresses netaddr.h parses) and a small reply pipeline. */
#include "rconn.h"

#include <errno.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#include "conf.h"
#include "sentinel.h"

#define DEFAULT_TIMEOUT_MS 5000

/* ---- connections ---------------------------------------------------------------------------- */

redisReply *rconn_command(redisContext *c, int argc, const char **argv, const size_t *lens,
                          char *err, size_t errlen)
{
    redisReply *r = redisCommandArgv(c, argc, argv, lens);
    if (!r) {
        err_set(err, errlen, "%s: %s", argv[0], c->errstr[0] ? c->errstr : "no reply");
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        err_set(err, errlen, "%s: %s", argv[0], r->str);
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

int rconn_reply_error(redisContext *c, redisReply *r, const char *what, char *err, size_t errlen)
{
    err_set(err, errlen, "%s: %s", what,
            !r ? (c->errstr[0] ? c->errstr : "no reply")
               : r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
    if (r)
        freeReplyObject(r);
    return -1;
}

/* Reads the first line of path (newline stripped) into *out (caller frees); key names the config
 * key in messages. 0 or -1 with err. */
static int read_password_file(const char *key, const char *path, char **out, char *err,
                              size_t errlen)
{
    char line[1024];
    FILE *f = fopen(path, "r");
    if (!f) {
        err_set(err, errlen, "%s %s: %s", key, path, strerror(errno));
        return -1;
    }
    bool got = fgets(line, sizeof(line), f) != NULL;
    fclose(f);
    line[got ? strcspn(line, "\r\n") : 0] = '\0';
    if (!line[0]) {
        err_set(err, errlen, "%s %s: empty (the password is its first line)", key, path);
        return -1;
    }
    *out = xstrdup(line);
    return 0;
}

int redis_addr_password(redis_addr *a, const char *password_file, char *err, size_t errlen)
{
    if (a->password)
        return 0;
    if (password_file)
        return read_password_file("redis.password_file", password_file, &a->password, err,
                                  errlen);
    const char *env = getenv(REDIS_PASSWORD_ENV);
    if (env && *env)
        a->password = xstrdup(env);
    else if (a->user) {
        err_set(err, errlen, "no password for Redis user '%s' (give it in the URL, "
                "redis.password_file or $%s)", a->user, REDIS_PASSWORD_ENV);
        return -1;
    }
    return 0;
}

bool rconn_auth_refused(const char *error)
{
    static const char *const prefixes[] = {"WRONGPASS", "NOAUTH", "NOPERM", "ERR AUTH"};
    for (size_t i = 0; error && i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
        if (strncmp(error, prefixes[i], strlen(prefixes[i])) == 0)
            return true;
    return false;
}

/* AUTH [user] password. 0 or -1 with err set ("AUTH refused for user 'x': WRONGPASS ..."). */
static int conn_auth(redisContext *c, const redis_addr *a, char *err, size_t errlen)
{
    const char *who = a->user ? a->user : "default";
    if (!a->password)
        return 0;
    const char *argv[] = {"AUTH", a->user ? a->user : a->password, a->password};
    redisReply *r = redisCommandArgv(c, a->user ? 3 : 2, argv, NULL);
    if (!r) {
        err_set(err, errlen, "AUTH: %s", c->errstr[0] ? c->errstr : "no reply");
        return -1;
    }
    int rc = r->type == REDIS_REPLY_ERROR ? -1 : 0;
    if (rc)
        err_set(err, errlen, "AUTH refused for user '%s': %s", who, r->str);
    freeReplyObject(r);
    return rc;
}

/* AUTH and SELECT as the address asks. 0 or -1 with err set. */
static int conn_setup(redisContext *c, const redis_addr *a, char *err, size_t errlen)
{
    char db[16];
    redisReply *r;
    if (conn_auth(c, a, err, errlen) != 0)
        return -1;
    if (a->db != 0) {
        snprintf(db, sizeof(db), "%d", a->db);
        const char *argv[] = {"SELECT", db};
        if (!(r = rconn_command(c, 2, argv, NULL, err, errlen)))
            return -1;
        freeReplyObject(r);
    }
    return 0;
}

/* Connects to host:port (or a's unix socket when host is NULL) with a's credentials and db. */
static redisContext *connect_to(const redis_addr *a, const char *host, int port, int timeout_ms,
                                char *err, size_t errlen)
{
    char desc[300], msg[256];
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    if (host)
        snprintf(desc, sizeof(desc), strchr(host, ':') ? "[%s]:%d/%d" : "%s:%d/%d", host, port,
                 a->db);
    else
        redis_addr_describe(a, desc, sizeof(desc));
    redisContext *c = host ? redisConnectWithTimeout(host, port, tv)
                           : redisConnectUnixWithTimeout(a->unix_path, tv);
    if (!c) {
        err_set(err, errlen, "Redis %s: cannot allocate a connection", desc);
        return NULL;
    }
    if (c->err) {
        err_set(err, errlen, "Redis %s: cannot connect: %s", desc, c->errstr);
        goto fail;
    }
    if (redisSetTimeout(c, tv) != REDIS_OK) {
        err_set(err, errlen, "Redis %s: cannot set the command timeout: %s", desc, c->errstr);
        goto fail;
    }
    if (conn_setup(c, a, msg, sizeof(msg)) != 0) {
        err_set(err, errlen, "Redis %s: %s", desc, msg);
        goto fail;
    }
    return c;
fail:
    redisFree(c);
    return NULL;
}

/* The master the sentinels name, once ROLE confirms it; NULL with err set. */
static redisContext *connect_master_once(const redis_addr *a, int timeout_ms, char *err,
                                         size_t errlen)
{
    char *host = NULL;
    int port = 0;
    if (sentinel_master(a, &host, &port, err, errlen) != 0)
        return NULL;
    redisContext *c = connect_to(a, host, port, timeout_ms, err, errlen);
    if (c) {
        redisReply *r = redisCommand(c, "ROLE");
        if (!sentinel_role_is_master(r)) {
            const char *said = !r ? c->errstr : r->type == REDIS_REPLY_ERROR ? r->str
                               : "not master";
            err_set(err, errlen, "Redis %s:%d: not the master of '%s' (ROLE: %s)", host, port,
                    a->master_name, said);
            redisFree(c);
            c = NULL;
        }
        if (r)
            freeReplyObject(r);
    }
    free(host);
    return c;
}

static long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Sentinel mode: asks again (every 100 ms, for up to timeout_ms) while the sentinels name no
 * reachable master, as they do for a few seconds during a failover. */
static redisContext *connect_master(const redis_addr *a, int timeout_ms, char *err, size_t errlen)
{
    long long until = mono_ms() + timeout_ms;
    for (;;) {
        redisContext *c = connect_master_once(a, timeout_ms, err, errlen);
        if (c || mono_ms() + 100 > until)
            return c;
        struct timespec pause = {0, 100 * 1000000L};
        nanosleep(&pause, NULL);
    }
}

redisContext *rconn_connect(const redis_addr *a, int timeout_ms, char *err, size_t errlen)
{
    if (timeout_ms <= 0)
        timeout_ms = DEFAULT_TIMEOUT_MS;
    if (a->sentinels.n)
        return connect_master(a, timeout_ms, err, errlen);
    return connect_to(a, a->unix_path ? NULL : a->host, a->port, timeout_ms, err, errlen);
}

int rconn_addr_from_conf(const conf *cfg, const char *url, redis_addr *out, char *err,
                         size_t errlen)
{
    if (url || !cfg->redis_sentinels.n) {
        if (redis_addr_parse(url ? url : cfg->redis_url, out, err, errlen) != 0)
            return -1;
    } else {
        memset(out, 0, sizeof(*out));
        if (errlen)
            err[0] = '\0';
        for (size_t i = 0; i < cfg->redis_sentinels.n; i++)
            sv_push(&out->sentinels, cfg->redis_sentinels.v[i]);
        out->master_name = xstrdup(cfg->redis_master_name);
        if (cfg->redis_sentinel_password)
            out->sentinel_password = xstrdup(cfg->redis_sentinel_password);
        else if (cfg->redis_sentinel_password_file &&
                 read_password_file("redis.sentinel_password_file",
                                    cfg->redis_sentinel_password_file, &out->sentinel_password,
                                    err, errlen) != 0)
            return -1;
    }
    if (!out->user && cfg->redis_user)
        out->user = xstrdup(cfg->redis_user);
    return redis_addr_password(out, cfg->redis_password_file, err, errlen);   /* err kept on 0 */
}

bool rconn_function_missing(const redisReply *r)
{
    static const char missing[] = "ERR Function not found";
    return r && r->type == REDIS_REPLY_ERROR && strncmp(r->str, missing, sizeof(missing) - 1) == 0;
}

/* ---- pipeline ------------------------------------------------------------------------------- */

void rpipe_init(rpipe *p, redisContext *c, size_t max, rpipe_reload_fn reload, rpipe_reply_fn fn,
                void *ctx)
{
    memset(p, 0, sizeof(*p));
    p->c = c;
    p->reload = reload;
    p->fn = fn;
    p->ctx = ctx;
    p->max = max ? max : 1;
}

static void rcmd_free(rpipe_cmd *cmd)
{
    for (int i = 0; i < cmd->argc; i++)
        free(cmd->argv[i]);
    free(cmd->argv);
    free(cmd->lens);
    free(cmd->resp);
}

static void rpipe_clear(rpipe *p)
{
    for (size_t i = 0; i < p->n; i++)
        rcmd_free(&p->cmds[i]);
    p->n = 0;
    p->sent = 0;
}

void rpipe_send_early(rpipe *p)
{
    p->eager = true;
}

void rpipe_free(rpipe *p)
{
    rpipe_clear(p);
    free(p->cmds);
    p->cmds = NULL;
    p->cap = 0;
}

static int send_marked(rpipe *p, size_t first, const bool *marks, char *err, size_t errlen);

/* Appends the queued commands not written yet and writes the whole output buffer out. */
static int write_queued(rpipe *p, char *err, size_t errlen)
{
    int done = 0;
    if (send_marked(p, p->sent, NULL, err, errlen) != 0)
        return -1;
    p->sent = p->n;
    while (!done) {
        if (redisBufferWrite(p->c, &done) != REDIS_OK) {
            err_set(err, errlen, "Redis: %s", p->c->errstr);
            return -1;
        }
    }
    return 0;
}

/* The next free slot of the queue, argc argv copies (lens: NULL for C strings). */
static rpipe_cmd *queue_cmd(rpipe *p, int argc, const char **argv, const size_t *lens)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->cmds = xrealloc(p->cmds, p->cap * sizeof(*p->cmds));
    }
    rpipe_cmd *cmd = &p->cmds[p->n++];
    memset(cmd, 0, sizeof(*cmd));
    cmd->argc = argc;
    cmd->argv = xcalloc((size_t)argc + 1, sizeof(*cmd->argv));
    cmd->lens = xcalloc((size_t)argc + 1, sizeof(*cmd->lens));
    for (int i = 0; i < argc; i++) {
        cmd->lens[i] = lens ? lens[i] : strlen(argv[i]);
        cmd->argv[i] = xstrndup(argv[i], cmd->lens[i]);
    }
    return cmd;
}

/* After a command was queued: written at once when eager, everything flushed when full. */
static int queued(rpipe *p, char *err, size_t errlen)
{
    if (p->eager && write_queued(p, err, errlen) != 0)
        return -1;
    return p->n >= p->max ? rpipe_flush(p, err, errlen) : 0;
}

int rpipe_add(rpipe *p, int argc, const char **argv, const size_t *lens, char *err,
              size_t errlen)
{
    queue_cmd(p, argc, argv, lens);
    return queued(p, err, errlen);
}

int rpipe_add_resp(rpipe *p, char *resp, size_t resp_len, int argc, const char **labels,
                   char *err, size_t errlen)
{
    rpipe_cmd *cmd = queue_cmd(p, argc, labels, NULL);
    cmd->resp = resp;
    cmd->resp_len = resp_len;
    return queued(p, err, errlen);
}

/* Appends the commands from the first on whose mark is set (all when marks is NULL) to the output
 * buffer. */
static int send_marked(rpipe *p, size_t first, const bool *marks, char *err, size_t errlen)
{
    for (size_t i = first; i < p->n; i++) {
        if (marks && !marks[i])
            continue;
        const rpipe_cmd *cmd = &p->cmds[i];
        int rc = cmd->resp ? redisAppendFormattedCommand(p->c, cmd->resp, cmd->resp_len)
                           : redisAppendCommandArgv(p->c, cmd->argc, (const char **)cmd->argv,
                                                    cmd->lens);
        if (rc != REDIS_OK) {
            err_set(err, errlen, "Redis: %s", p->c->errstr);
            return -1;
        }
    }
    return 0;
}

/* Reads one reply per marked command (all when marks is NULL) and hands it to fn. A "Function
 * not found" reply sets retry[i] instead when retry is not NULL. After fn fails the remaining
 * replies are still read (so the connection stays usable) but not handed on. 0 or -1 with err
 * set. */
static int read_marked(rpipe *p, const bool *marks, bool *retry, size_t *nretry, char *err,
                       size_t errlen)
{
    int rc = 0;
    for (size_t i = 0; i < p->n; i++) {
        void *reply = NULL;
        if (marks && !marks[i])
            continue;
        if (redisGetReply(p->c, &reply) != REDIS_OK || !reply) {
            err_set(err, errlen, "Redis: %s", p->c->errstr[0] ? p->c->errstr : "no reply");
            return -1;
        }
        redisReply *r = reply;
        if (retry && p->reload && rconn_function_missing(r)) {
            retry[i] = true;
            (*nretry)++;
        } else if (rc == 0 && p->fn(&p->cmds[i], r, p->ctx, err, errlen) != 0) {
            rc = -1;
        }
        freeReplyObject(r);
    }
    return rc;
}

/* Reloads, then resends the commands marked in retry and hands their replies on. */
static int reload_and_resend(rpipe *p, const bool *retry, char *err, size_t errlen)
{
    if (p->reload(p->c, err, errlen) != 0)
        return -1;
    if (send_marked(p, 0, retry, err, errlen) != 0)
        return -1;
    return read_marked(p, retry, NULL, NULL, err, errlen);
}

int rpipe_flush(rpipe *p, char *err, size_t errlen)
{
    int rc = -1;
    size_t nretry = 0;
    bool *retry = NULL;
    if (p->n == 0)
        return 0;
    retry = xcalloc(p->n, sizeof(*retry));
    if (send_marked(p, p->sent, NULL, err, errlen) != 0)
        goto out;
    if (read_marked(p, NULL, retry, &nretry, err, errlen) != 0)
        goto out;
    if (nretry > 0 && reload_and_resend(p, retry, err, errlen) != 0)
        goto out;
    rc = 0;
out:
    free(retry);
    rpipe_clear(p);
    return rc;
}
