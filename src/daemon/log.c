/* log.c - key=value event lines on stderr, journald-aware. */
#include "log.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>

static const char *log_prog = "l2ad";
static enum log_level log_min = LOG_LVL_INFO;
static bool log_journal;

void log_init(const char *prog, enum log_level min_level)
{
    log_prog = prog;
    log_min = min_level;
    log_journal = getenv("JOURNAL_STREAM") != NULL;
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

void log_event(enum log_level lvl, const char *event, const char *fmt, ...)
{
    if (lvl > log_min)
        return;
    print_prefix(lvl);
    fprintf(stderr, "event=%s", event);
    if (fmt && *fmt) {
        va_list ap;
        va_start(ap, fmt);
        fputc(' ', stderr);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
    }
    fputc('\n', stderr);
}
