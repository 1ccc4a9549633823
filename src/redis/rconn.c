/* rconn.c - Redis addresses (URL parsing), blocking connections and a small reply pipeline. */
#include "rconn.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

#define DEFAULT_PORT 6379
#define DEFAULT_TIMEOUT_MS 5000

static void seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void seterr(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* ---- address parsing ------------------------------------------------------------------------ */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)tolower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Percent-decodes s[0..n) into a malloc'd string (*out, caller frees); -1 on a bad escape. */
static int pct_decode(const char *s, size_t n, char **out)
{
    strbuf sb;
    sb_init(&sb);
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '%') {
            sb_putc(&sb, s[i]);
            continue;
        }
        int hi = i + 2 < n ? hexval(s[i + 1]) : -1;
        int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            sb_free(&sb);
            return -1;
        }
        sb_putc(&sb, (char)(hi * 16 + lo));
        i += 2;
    }
    *out = sb_take(&sb);
    return 0;
}

/* Parses a decimal in s[0..n) within [lo, hi]; -1 if not all digits or out of range. */
static int parse_int(const char *s, size_t n, long lo, long hi, int *out)
{
    long v = 0;
    if (n == 0 || n > 10)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < lo || v > hi)
        return -1;
    *out = (int)v;
    return 0;
}

/* user:password (or :password, or user) before the '@'. */
static int parse_userinfo(const char *s, size_t n, redis_addr *out, char *err, size_t errlen)
{
    const char *colon = memchr(s, ':', n);
    size_t ulen = colon ? (size_t)(colon - s) : n;
    if (colon && (size_t)(colon - s) + 1 < n &&
        pct_decode(colon + 1, n - ulen - 1, &out->password) != 0) {
        seterr(err, errlen, "bad %%-escape in the password of the Redis URL");
        return -1;
    }
    if (ulen > 0 && pct_decode(s, ulen, &out->user) != 0) {
        seterr(err, errlen, "bad %%-escape in the user name of the Redis URL");
        return -1;
    }
    return 0;
}

/* host, host:port, [v6] or [v6]:port. */
static int parse_hostport(const char *s, size_t n, redis_addr *out, char *err, size_t errlen)
{
    const char *host = s, *rest;
    size_t hlen;
    if (n && s[0] == '[') {
        const char *close = memchr(s, ']', n);
        if (!close) {
            seterr(err, errlen, "Redis URL: unterminated '[' in the host");
            return -1;
        }
        host = s + 1;
        hlen = (size_t)(close - host);
        rest = close + 1;
    } else {
        const char *colon = memchr(s, ':', n);
        hlen = colon ? (size_t)(colon - s) : n;
        rest = s + hlen;
    }
    if (hlen == 0) {
        seterr(err, errlen, "Redis URL: missing host (redis://host[:port][/db])");
        return -1;
    }
    out->host = xstrndup(host, hlen);
    out->port = DEFAULT_PORT;
    size_t rlen = n - (size_t)(rest - s);
    if (rlen == 0)
        return 0;
    if (rest[0] != ':' || parse_int(rest + 1, rlen - 1, 1, 65535, &out->port) != 0) {
        seterr(err, errlen, "Redis URL: bad port '%.*s' (1-65535)", (int)rlen, rest);
        return -1;
    }
    return 0;
}

/* The "/db" part of a redis:// URL ("" and "/" mean 0). */
static int parse_db_path(const char *s, redis_addr *out, char *err, size_t errlen)
{
    if (strpbrk(s, "?#")) {
        seterr(err, errlen, "Redis URL: query parameters are not supported in redis:// URLs");
        return -1;
    }
    if (s[0] == '\0' || strcmp(s, "/") == 0)
        return 0;
    if (parse_int(s + 1, strlen(s + 1), 0, INT_MAX, &out->db) != 0) {
        seterr(err, errlen, "Redis URL: bad database number '%s' (expected /N)", s + 1);
        return -1;
    }
    return 0;
}

/* After "redis://": [userinfo@]hostport[/db]. The last '@' ends the userinfo, so a password may
 * hold '@' and '/'. */
static int parse_tcp(const char *s, redis_addr *out, char *err, size_t errlen)
{
    const char *at = strrchr(s, '@');
    if (at && parse_userinfo(s, (size_t)(at - s), out, err, errlen) != 0)
        return -1;
    const char *hp = at ? at + 1 : s;
    size_t hplen = strcspn(hp, "/?#");
    if (parse_hostport(hp, hplen, out, err, errlen) != 0)
        return -1;
    return parse_db_path(hp + hplen, out, err, errlen);
}

/* One "name=value" of a unix:// query. */
static int parse_unix_param(const char *s, size_t n, redis_addr *out, char *err, size_t errlen)
{
    const char *eq = memchr(s, '=', n);
    size_t klen = eq ? (size_t)(eq - s) : n;
    const char *v = eq ? eq + 1 : s + n;
    size_t vlen = n - (size_t)(v - s);
    if (klen == 2 && memcmp(s, "db", 2) == 0 && parse_int(v, vlen, 0, INT_MAX, &out->db) == 0)
        return 0;
    if (klen == 8 && memcmp(s, "password", 8) == 0 && vlen > 0) {
        free(out->password);
        out->password = NULL;
        if (pct_decode(v, vlen, &out->password) == 0)
            return 0;
    }
    bool secret = klen == 8 && memcmp(s, "password", 8) == 0; /* never echo a password */
    seterr(err, errlen, "Redis URL: bad parameter '%.*s' (expected db=N or password=P)",
           secret ? (int)klen : (int)n, s);
    return -1;
}

/* After "unix://": /path[?db=N][&password=P]. */
static int parse_unix(const char *s, redis_addr *out, char *err, size_t errlen)
{
    size_t plen = strcspn(s, "?");
    if (plen == 0 || s[0] != '/') {
        seterr(err, errlen, "Redis URL: unix socket path must be absolute (unix:///path/to.sock)");
        return -1;
    }
    out->unix_path = xstrndup(s, plen);
    const char *q = s + plen;
    while (*q) {
        q++; /* '?' or '&' */
        size_t n = strcspn(q, "&");
        if (parse_unix_param(q, n, out, err, errlen) != 0)
            return -1;
        q += n;
    }
    return 0;
}

static void describe_bad(const char *url, char *err, size_t errlen)
{
    const char *sep = strstr(url, "://");
    if (sep)
        seterr(err, errlen, "unsupported Redis URL scheme '%.*s' (expected redis:// or unix://)",
               (int)(sep - url > 32 ? 32 : sep - url), url);
    else if (strchr(url, '@'))
        seterr(err, errlen, "Redis address is not a URL (expected "
               "redis://[[user]:password@]host[:port][/db], unix:///path or /path)");
    else
        seterr(err, errlen, "Redis address '%s' is not a URL (expected redis://host[:port][/db], "
               "unix:///path or /path)", url);
}

int redis_addr_parse(const char *url, redis_addr *out, char *err, size_t errlen)
{
    int rc = -1;
    memset(out, 0, sizeof(*out));
    if (errlen)
        err[0] = '\0';
    if (!url || !*url)
        seterr(err, errlen, "empty Redis address");
    else if (url[0] == '/')
        rc = parse_unix(url, out, err, errlen);
    else if (strncmp(url, "unix://", 7) == 0)
        rc = parse_unix(url + 7, out, err, errlen);
    else if (strncmp(url, "redis://", 8) == 0)
        rc = parse_tcp(url + 8, out, err, errlen);
    else if (strncmp(url, "rediss://", 9) == 0)
        seterr(err, errlen, "rediss:// (TLS) is not supported by hiredis 0.14: use a unix socket "
               "or a TLS tunnel (stunnel) to a local port");
    else
        describe_bad(url, err, errlen);
    return rc;
}

void redis_addr_free(redis_addr *a)
{
    free(a->host);
    free(a->unix_path);
    free(a->user);
    free(a->password);
    memset(a, 0, sizeof(*a));
}

const char *redis_addr_describe(const redis_addr *a, char *buf, size_t len)
{
    if (a->unix_path)
        snprintf(buf, len, "unix:%s/%d", a->unix_path, a->db);
    else if (a->host && strchr(a->host, ':'))
        snprintf(buf, len, "[%s]:%d/%d", a->host, a->port, a->db);
    else
        snprintf(buf, len, "%s:%d/%d", a->host ? a->host : "?", a->port, a->db);
    return buf;
}

/* ---- connections ---------------------------------------------------------------------------- */

redisReply *rconn_command(redisContext *c, int argc, const char **argv, const size_t *lens,
                          char *err, size_t errlen)
{
    redisReply *r = redisCommandArgv(c, argc, argv, lens);
    if (!r) {
        seterr(err, errlen, "%s: %s", argv[0], c->errstr[0] ? c->errstr : "no reply");
        return NULL;
    }
    if (r->type == REDIS_REPLY_ERROR) {
        seterr(err, errlen, "%s: %s", argv[0], r->str);
        freeReplyObject(r);
        return NULL;
    }
    return r;
}

/* Reads the first line of path (newline stripped) into *out (caller frees). 0 or -1 with err. */
static int read_password_file(const char *path, char **out, char *err, size_t errlen)
{
    char line[1024];
    FILE *f = fopen(path, "r");
    if (!f) {
        seterr(err, errlen, "redis.password_file %s: %s", path, strerror(errno));
        return -1;
    }
    bool got = fgets(line, sizeof(line), f) != NULL;
    fclose(f);
    line[got ? strcspn(line, "\r\n") : 0] = '\0';
    if (!line[0]) {
        seterr(err, errlen, "redis.password_file %s: empty (the password is its first line)",
               path);
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
        return read_password_file(password_file, &a->password, err, errlen);
    const char *env = getenv(REDIS_PASSWORD_ENV);
    if (env && *env)
        a->password = xstrdup(env);
    else if (a->user) {
        seterr(err, errlen, "no password for Redis user '%s' (give it in the URL, "
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
        seterr(err, errlen, "AUTH: %s", c->errstr[0] ? c->errstr : "no reply");
        return -1;
    }
    int rc = r->type == REDIS_REPLY_ERROR ? -1 : 0;
    if (rc)
        seterr(err, errlen, "AUTH refused for user '%s': %s", who, r->str);
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

redisContext *rconn_connect(const redis_addr *a, int timeout_ms, char *err, size_t errlen)
{
    char desc[300], msg[256];
    if (timeout_ms <= 0)
        timeout_ms = DEFAULT_TIMEOUT_MS;
    struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
    redis_addr_describe(a, desc, sizeof(desc));
    redisContext *c = a->unix_path ? redisConnectUnixWithTimeout(a->unix_path, tv)
                                   : redisConnectWithTimeout(a->host, a->port, tv);
    if (!c) {
        seterr(err, errlen, "Redis %s: cannot allocate a connection", desc);
        return NULL;
    }
    if (c->err) {
        seterr(err, errlen, "Redis %s: cannot connect: %s", desc, c->errstr);
        goto fail;
    }
    if (redisSetTimeout(c, tv) != REDIS_OK) {
        seterr(err, errlen, "Redis %s: cannot set the command timeout: %s", desc, c->errstr);
        goto fail;
    }
    if (conn_setup(c, a, msg, sizeof(msg)) != 0) {
        seterr(err, errlen, "Redis %s: %s", desc, msg);
        goto fail;
    }
    return c;
fail:
    redisFree(c);
    return NULL;
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
}

static void rpipe_clear(rpipe *p)
{
    for (size_t i = 0; i < p->n; i++)
        rcmd_free(&p->cmds[i]);
    p->n = 0;
}

void rpipe_free(rpipe *p)
{
    rpipe_clear(p);
    free(p->cmds);
    p->cmds = NULL;
    p->cap = 0;
}

int rpipe_add(rpipe *p, int argc, const char **argv, const size_t *lens, char *err,
              size_t errlen)
{
    if (p->n == p->cap) {
        p->cap = p->cap ? p->cap * 2 : 64;
        p->cmds = xrealloc(p->cmds, p->cap * sizeof(*p->cmds));
    }
    rpipe_cmd *cmd = &p->cmds[p->n++];
    cmd->argc = argc;
    cmd->argv = xcalloc((size_t)argc, sizeof(*cmd->argv));
    cmd->lens = xcalloc((size_t)argc, sizeof(*cmd->lens));
    for (int i = 0; i < argc; i++) {
        cmd->lens[i] = lens ? lens[i] : strlen(argv[i]);
        cmd->argv[i] = xstrndup(argv[i], cmd->lens[i]);
    }
    return p->n >= p->max ? rpipe_flush(p, err, errlen) : 0;
}

/* Appends the commands whose mark is set (all when marks is NULL) to the output buffer. */
static int send_marked(rpipe *p, const bool *marks, char *err, size_t errlen)
{
    for (size_t i = 0; i < p->n; i++) {
        if (marks && !marks[i])
            continue;
        const rpipe_cmd *cmd = &p->cmds[i];
        if (redisAppendCommandArgv(p->c, cmd->argc, (const char **)cmd->argv, cmd->lens) !=
            REDIS_OK) {
            seterr(err, errlen, "Redis: %s", p->c->errstr);
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
            seterr(err, errlen, "Redis: %s", p->c->errstr[0] ? p->c->errstr : "no reply");
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
    if (send_marked(p, retry, err, errlen) != 0)
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
    if (send_marked(p, NULL, err, errlen) != 0)
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
