/* log.h - one line per event, key=value, with journald level prefixes when stderr is the journal. */
#ifndef L2A_LOG_H
#define L2A_LOG_H

#include <stdbool.h>

enum log_level {
    LOG_LVL_ERR = 3,
    LOG_LVL_WARNING = 4,
    LOG_LVL_NOTICE = 5,
    LOG_LVL_INFO = 6,
    LOG_LVL_DEBUG = 7,
};

/* Sets the lowest level printed (default info) and the program name, and finds out whether
 * stderr is the journal (JOURNAL_STREAM names stderr's device and inode). */
void log_init(const char *prog, enum log_level min_level);
/* Whether lines go to the journal (with <N> level prefixes). */
bool log_to_journal(void);
/* Prints "<N>event key=value ..." under journald (JOURNAL_STREAM set), else
 * "2026-11-23T10:00:00.123Z level=info event key=value ...". fmt holds the key=value part. */
void log_event(enum log_level lvl, const char *event, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Whether lines of level lvl are printed (log_init's lowest level). */
bool log_enabled(enum log_level lvl);

/* Called once per error-level line (l2a_errors_total counts them). NULL to stop. */
typedef void (*log_error_fn)(void *ctx);
void log_on_error(log_error_fn fn, void *ctx);

/* Text for a quoted value (key="..."): quotes and backslashes escaped, control characters as \n,
 * \t or \xHH, cut (with "...") at about 1000 bytes. Returns one of 4 static buffers, reused by the
 * 4th next call: use it only as an argument of the log call (the daemon logs from one thread). */
const char *log_q(const char *s);

#define log_err(ev, ...) log_event(LOG_LVL_ERR, ev, __VA_ARGS__)
#define log_warn(ev, ...) log_event(LOG_LVL_WARNING, ev, __VA_ARGS__)
#define log_notice(ev, ...) log_event(LOG_LVL_NOTICE, ev, __VA_ARGS__)
#define log_info(ev, ...) log_event(LOG_LVL_INFO, ev, __VA_ARGS__)
/* Its arguments are not evaluated unless debug lines are printed (a log_q a lead costs). */
#define log_debug(ev, ...)                                                                        \
    do {                                                                                          \
        if (log_enabled(LOG_LVL_DEBUG))                                                           \
            log_event(LOG_LVL_DEBUG, ev, __VA_ARGS__);                                            \
    } while (0)

#endif
