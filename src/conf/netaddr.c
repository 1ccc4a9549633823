/* netaddr.c - network addresses of the config as pure string parsing: Redis URLs and the
 * host:port the HTTP endpoint listens on (used by the config checks, the Redis clients and
 * the daemon). */
#include "netaddr.h"

#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_PORT 6379

/* ---- Redis addresses ---- */

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
        err_set(err, errlen, "bad %%-escape in the password of the Redis URL");
        return -1;
    }
    if (ulen > 0 && pct_decode(s, ulen, &out->user) != 0) {
        err_set(err, errlen, "bad %%-escape in the user name of the Redis URL");
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
            err_set(err, errlen, "Redis URL: unterminated '[' in the host");
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
        err_set(err, errlen, "Redis URL: missing host (redis://host[:port][/db])");
        return -1;
    }
    out->host = xstrndup(host, hlen);
    out->port = DEFAULT_PORT;
    size_t rlen = n - (size_t)(rest - s);
    if (rlen == 0)
        return 0;
    if (rest[0] != ':' || parse_int(rest + 1, rlen - 1, 1, 65535, &out->port) != 0) {
        err_set(err, errlen, "Redis URL: bad port '%.*s' (1-65535)", (int)rlen, rest);
        return -1;
    }
    return 0;
}

/* The "/db" part of a redis:// URL ("" and "/" mean 0). */
static int parse_db_path(const char *s, redis_addr *out, char *err, size_t errlen)
{
    if (strpbrk(s, "?#")) {
        err_set(err, errlen, "Redis URL: query parameters are not supported in redis:// URLs");
        return -1;
    }
    if (s[0] == '\0' || strcmp(s, "/") == 0)
        return 0;
    if (parse_int(s + 1, strlen(s + 1), 0, INT_MAX, &out->db) != 0) {
        err_set(err, errlen, "Redis URL: bad database number '%s' (expected /N)", s + 1);
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
    err_set(err, errlen, "Redis URL: bad parameter '%.*s' (expected db=N or password=P)",
            secret ? (int)klen : (int)n, s);
    return -1;
}

/* After "unix://": /path[?db=N][&password=P]. */
static int parse_unix(const char *s, redis_addr *out, char *err, size_t errlen)
{
    size_t plen = strcspn(s, "?");
    if (plen == 0 || s[0] != '/') {
        err_set(err, errlen, "Redis URL: unix socket path must be absolute (unix:///path/to.sock)");
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
        err_set(err, errlen, "unsupported Redis URL scheme '%.*s' (expected redis:// or unix://)",
                (int)(sep - url > 32 ? 32 : sep - url), url);
    else if (strchr(url, '@'))
        err_set(err, errlen, "Redis address is not a URL (expected "
                "redis://[[user]:password@]host[:port][/db], unix:///path or /path)");
    else
        err_set(err, errlen, "Redis address '%s' is not a URL (expected redis://host[:port][/db], "
                "unix:///path or /path)", url);
}

int redis_addr_parse(const char *url, redis_addr *out, char *err, size_t errlen)
{
    int rc = -1;
    memset(out, 0, sizeof(*out));
    if (errlen)
        err[0] = '\0';
    if (!url || !*url)
        err_set(err, errlen, "empty Redis address");
    else if (url[0] == '/')
        rc = parse_unix(url, out, err, errlen);
    else if (strncmp(url, "unix://", 7) == 0)
        rc = parse_unix(url + 7, out, err, errlen);
    else if (strncmp(url, "redis://", 8) == 0)
        rc = parse_tcp(url + 8, out, err, errlen);
    else if (strncmp(url, "rediss://", 9) == 0)
        err_set(err, errlen, "rediss:// (TLS) is not supported by hiredis 0.14: use a unix socket "
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
    sv_free(&a->sentinels);
    free(a->master_name);
    free(a->sentinel_password);
    memset(a, 0, sizeof(*a));
}

const char *redis_addr_describe(const redis_addr *a, char *buf, size_t len)
{
    if (a->sentinels.n && len) {
        int n = snprintf(buf, len, "sentinel:%s@", a->master_name ? a->master_name : "?");
        for (size_t i = 0; i < a->sentinels.n && n >= 0 && (size_t)n < len; i++)
            n += snprintf(buf + n, len - (size_t)n, "%s%s", i ? "," : "", a->sentinels.v[i]);
        if (n >= 0 && (size_t)n < len)
            snprintf(buf + n, len - (size_t)n, "/%d", a->db);
    } else if (a->unix_path)
        snprintf(buf, len, "unix:%s/%d", a->unix_path, a->db);
    else if (a->host && strchr(a->host, ':'))
        snprintf(buf, len, "[%s]:%d/%d", a->host, a->port, a->db);
    else
        snprintf(buf, len, "%s:%d/%d", a->host ? a->host : "?", a->port, a->db);
    return buf;
}


/* ---- listen addresses ---- */

/* Whether s is a port number 0-65535 (all digits, at most 5). */
static bool port_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n <= 5 && strspn(s, "0123456789") == n && atol(s) <= 65535;
}

int listen_addr_split(const char *addr, char *host, size_t hostlen, char *port, size_t portlen,
                      char *err, size_t errlen)
{
    const char *colon = strrchr(addr, ':');
    const char *h = addr;
    size_t hl = colon ? (size_t)(colon - addr) : 0;
    if (!colon || !port_ok(colon + 1) || strlen(colon + 1) >= portlen)
        goto bad;
    if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
        h++;
        hl -= 2;
    } else if (memchr(h, ':', hl) || memchr(h, '[', hl)) {
        goto bad; /* IPv6 literals need brackets */
    }
    if (hl >= hostlen)
        goto bad;
    memcpy(host, h, hl);
    host[hl] = '\0';
    snprintf(port, portlen, "%s", colon + 1);
    return 0;
bad:
    err_set(err, errlen, "'%s': expected host:port, :port or [ipv6]:port (port 0-65535)", addr);
    return -1;
}

int listen_addr_check(const char *addr, char *err, size_t errlen)
{
    char host[LISTEN_HOST_MAX], port[LISTEN_PORT_MAX];
    return listen_addr_split(addr, host, sizeof(host), port, sizeof(port), err, errlen);
}

int redis_addr_check(const char *url, char *err, size_t errlen)
{
    redis_addr a;
    int rc = redis_addr_parse(url, &a, err, errlen);
    redis_addr_free(&a);
    if (rc == 0 && errlen)
        err[0] = '\0';   /* a note is not an error */
    return rc;
}
