/* log.c - key=value event lines on stderr, journald-aware. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "l2ad";
static enum log_level log_min = LOG_LVL_INFO;
static bool log_journal;

/* systemd sets JOURNAL_STREAM to the journal stream's "device:inode"; stderr is the journal only
 * when it is that very file (a child whose stderr went elsewhere inherits the variable too). */
static bool stderr_is_journal(void)
{
    const char *js = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;
    if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2 || fstat(STDERR_FILENO, &st) != 0)
        return false;
    return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

void log_init(const char *prog, enum log_level min_level)
{
    log_prog = prog;
    log_min = min_level;
    log_journal = stderr_is_journal();
}

bool log_enabled(enum log_level lvl)
{
    return lvl <= log_min;
}

bool log_to_journal(void)
{
    return log_journal;
}

static const char *level_name(enum log_level lvl)
{
    switch (lvl) {
    case LOG_LVL_ERR: return "error";
    case LOG_LVL_WARNING: return "warning";
    case LOG_LVL_NOTICE: return "notice";
    case LOG_LVL_INFO: return "info";
    case LOG_LVL_DEBUG: return "debug";
    }
    return "info";
}

static void print_prefix(enum log_level lvl)
{
    if (log_journal) {
        fprintf(stderr, "<%d>", (int)lvl);
        return;
    }
    struct timeval tv;
    struct tm tm;
    char stamp[32];
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
    fprintf(stderr, "%s.%03ldZ %s level=%s ", stamp, (long)(tv.tv_usec / 1000), log_prog,
            level_name(lvl));
}

#define LOG_Q_MAX 1000

/* Appends c to out (room for 4 more bytes and a NUL is checked by the caller), escaped. */
static size_t put_escaped(char *out, size_t n, unsigned char c, bool quotes)
{
    static const char hex[] = "0123456789abcdef";
    if (c == '\n' || c == '\t' || c == '\r') {
        out[n++] = '\\';
        out[n++] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
    } else if (c < 0x20 || c == 0x7f) {
        out[n++] = '\\';
        out[n++] = 'x';
        out[n++] = hex[c >> 4];
        out[n++] = hex[c & 15];
    } else {
        if (quotes && (c == '"' || c == '\\'))
            out[n++] = '\\';
        out[n++] = (char)c;
    }
    return n;
}

const char *log_q(const char *s)
{
    static char bufs[4][LOG_Q_MAX + 8];
    static unsigned next;
    char *out = bufs[next++ % 4];
    size_t n = 0;
    for (; s && *s; s++) {
        if (n >= LOG_Q_MAX - 4) {
            memcpy(out + n, "...", 3);
            n += 3;
            break;
        }
        n = put_escaped(out, n, (unsigned char)*s, true);
    }
    out[n] = '\0';
    return out;
}

/* The formatted key=value part on one line: control characters a value let through are escaped
 * here, so one event is always one line (no forged lines from lead data). */
static void print_fields(const char *fmt, va_list ap)
{
    char line[4096], out[8];
    vsnprintf(line, sizeof(line), fmt, ap);
    for (const char *p = line; *p; p++) {
        size_t n = put_escaped(out, 0, (unsigned char)*p, false);
        fwrite(out, 1, n, stderr);
    }
}

static log_error_fn on_error;
static void *on_error_ctx;

void log_on_error(log_error_fn fn, void *ctx)
{
    on_error = fn;
    on_error_ctx = ctx;
}

void log_event(enum log_level lvl, const char *event, const char *fmt, ...)
{
    if (lvl <= LOG_LVL_ERR && on_error)
        on_error(on_error_ctx);
    if (lvl > log_min)
        return;
    print_prefix(lvl);
    fprintf(stderr, "event=%s", event);
    if (fmt && *fmt) {
        va_list ap;
        va_start(ap, fmt);
        fputc(' ', stderr);
        print_fields(fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
}
