/* util.c - allocation wrappers, strbuf, strvec, hashing, time and file helpers. */
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "json_scan.h"

_Noreturn void oom_abort(size_t n)
{
    fprintf(stderr, "<2>l2a: out of memory allocating %zu bytes\n", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom_abort(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom_abort(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom_abort(n);
    return q;
}

void *xcalloc_aligned(size_t align, size_t n)
{
    void *p = NULL;
    if (posix_memalign(&p, align, n ? n : 1) != 0)
        oom_abort(n);
    return memset(p, 0, n);
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void sb_init(strbuf *sb)
{
    sb->buf = NULL;
    sb->len = 0;
    sb->cap = 0;
}

void sb_free(strbuf *sb)
{
    free(sb->buf);
    sb_init(sb);
}

void sb_reset(strbuf *sb)
{
    sb->len = 0;
    if (sb->buf)
        sb->buf[0] = '\0';
}

void sb_grow(strbuf *sb, size_t extra)
{
    size_t need = sb->len + extra + 1;
    if (need <= sb->cap)
        return;
    size_t cap = sb->cap ? sb->cap : 64;
    while (cap < need)
        cap *= 2;
    sb->buf = xrealloc(sb->buf, cap);
    sb->cap = cap;
}

void sb_append(strbuf *sb, const char *s)
{
    sb_appendn(sb, s, strlen(s));
}

/* Room made before formatting: most texts fit, and are formatted once. */
#define SB_FORMAT_ROOM 128

/* Formats straight into the room left, and only when that is too small grows and formats again. */
void sb_appendf(strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    sb_grow(sb, SB_FORMAT_ROOM - 1);
    size_t room = sb->cap - sb->len;
    va_start(ap, fmt);
    int n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
    va_end(ap);
    if (n <= 0) {
        sb->buf[sb->len] = '\0';
        return;
    }
    if ((size_t)n >= room) {
        sb_grow(sb, (size_t)n);
        va_start(ap, fmt);
        vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
        va_end(ap);
    }
    sb->len += (size_t)n;
}

/* The escape of a byte json_plain_scan stops at, into sb. */
static void json_escape_byte(strbuf *sb, unsigned char c)
{
    switch (c) {
    case '"': sb_appendn(sb, "\\\"", 2); break;
    case '\\': sb_appendn(sb, "\\\\", 2); break;
    case '\n': sb_appendn(sb, "\\n", 2); break;
    case '\r': sb_appendn(sb, "\\r", 2); break;
    case '\t': sb_appendn(sb, "\\t", 2); break;
    default: sb_appendf(sb, "\\u%04x", c);
    }
}

/* Plain bytes are copied a run at a time as they are found (16 bytes at a step); quotes,
 * backslashes and control bytes are escaped. */
void sb_append_json_strn(strbuf *sb, const char *s, size_t n)
{
    sb_reserve(sb, n + 2);
    sb->buf[sb->len++] = '"';
    for (;;) {
        size_t run = json_plain_scan(s, n, false, sb->buf + sb->len);
        sb->len += run;
        if (run == n)
            break;
        json_escape_byte(sb, (unsigned char)s[run]);
        s += run + 1;
        n -= run + 1;
        sb_reserve(sb, n + 1);
    }
    sb->buf[sb->len++] = '"';
    sb->buf[sb->len] = '\0';
}

void sb_append_json_str(strbuf *sb, const char *s)
{
    sb_append_json_strn(sb, s, strlen(s));
}

char *sb_take(strbuf *sb)
{
    char *p = sb->buf ? sb->buf : xstrdup("");
    sb_init(sb);
    return p;
}

void sv_init(strvec *sv)
{
    sv->v = NULL;
    sv->n = 0;
    sv->cap = 0;
}

void sv_free(strvec *sv)
{
    for (size_t i = 0; i < sv->n; i++)
        free(sv->v[i]);
    free(sv->v);
    sv_init(sv);
}

void sv_push_owned(strvec *sv, char *s)
{
    if (sv->n == sv->cap) {
        sv->cap = sv->cap ? sv->cap * 2 : 8;
        sv->v = xrealloc(sv->v, sv->cap * sizeof(*sv->v));
    }
    sv->v[sv->n++] = s;
}

void sv_push(strvec *sv, const char *s)
{
    sv_push_owned(sv, xstrdup(s));
}

bool sv_contains(const strvec *sv, const char *s)
{
    for (size_t i = 0; i < sv->n; i++)
        if (strcmp(sv->v[i], s) == 0)
            return true;
    return false;
}

uint64_t hash_bytes(const void *p, size_t n)
{
    return hash_end(hash_add(HASH_START, p, n));
}

char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    strbuf sb;
    sb_init(&sb);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        sb_appendn(&sb, chunk, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        sb_free(&sb);
        errno = EIO;
        return NULL;
    }
    if (len)
        *len = sb.len;
    return sb_take(&sb);
}

char *path_absolute(const char *path)
{
    char cwd[4096];
    if (path[0] == '/' || !getcwd(cwd, sizeof(cwd)))
        return xstrdup(path);
    strbuf sb;
    sb_init(&sb);
    sb_appendf(&sb, "%s/%s", strcmp(cwd, "/") ? cwd : "", path);
    return sb_take(&sb);
}

int file_check_readable(const char *path, char *err, size_t errlen)
{
    struct stat st;
    if (stat(path, &st) != 0 || access(path, R_OK) != 0) {
        err_set(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode)) {
        err_set(err, errlen, "%s: is a directory", path);
        return -1;
    }
    return 0;
}

void err_set(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!err || !errlen)
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

double epoch_ms_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)(ts.tv_nsec / 1000000);
}

/* "YYYY-MM-DDTHH:MM:SS" of the last second formatted, per thread (a daemon stamps many leads in
 * one second); secs -1: none yet. */
static _Thread_local struct {
    long long secs;
    char text[24];
    size_t n;
} second_seen = {-1, "", 0};

void iso8601_ms(double epoch_ms, char *buf, size_t len)
{
    long long ms = (long long)epoch_ms;
    time_t secs = (time_t)(ms / 1000);
    if (ms >= 0 && len >= second_seen.n + 6 && secs == second_seen.secs) {
        char *p = buf + second_seen.n;
        memcpy(buf, second_seen.text, second_seen.n);
        int frac = (int)(ms % 1000);
        p[0] = '.';
        p[1] = (char)('0' + frac / 100);
        p[2] = (char)('0' + frac / 10 % 10);
        p[3] = (char)('0' + frac % 10);
        p[4] = 'Z';
        p[5] = '\0';
        return;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, len - n, ".%03lldZ", ms % 1000);
    if (ms >= 0 && n > 0 && n < sizeof(second_seen.text)) {
        memcpy(second_seen.text, buf, n);
        second_seen.n = n;
        second_seen.secs = secs;
    }
}

void iso8601_now(char *buf, size_t len, double *epoch_ms)
{
    double now = epoch_ms_now();
    iso8601_ms(now, buf, len);
    if (epoch_ms)
        *epoch_ms = now;
}

int duration_ms_parse(const char *s, long long *ms)
{
    static const struct {
        const char *unit;
        long long ms;
    } units[] = {{"", 1}, {"ms", 1}, {"s", 1000}, {"m", 60000}, {"h", 3600000}, {"d", 86400000}};
    if (!s || *s < '0' || *s > '9')
        return -1;
    char *end = NULL;
    errno = 0;
    long long x = strtoll(s, &end, 10);
    if (errno == ERANGE)
        return -1;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
        if (strcmp(end, units[i].unit) != 0)
            continue;
        if (x > LLONG_MAX / units[i].ms)
            return -1;
        *ms = x * units[i].ms;
        return 0;
    }
    return -1;
}
