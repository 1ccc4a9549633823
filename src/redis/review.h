/* review.h - the RevOps review queue in Redis (alerts, open set) for `l2a review`, and the pure
 * helpers its output needs (ages, durations, short reasons). */
#ifndef L2A_REVIEW_H
#define L2A_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include <hiredis/hiredis.h>

#include "util.h"

/* ---- pure helpers (no Redis) ---- */

/* Parses a duration: one or more <number><unit> with unit d, h, m or s ("2d", "36h", "90m",
 * "45s", "1d12h"). Writes seconds to *secs. 0, or -1 for an empty, unit-less, negative or
 * overflowing text. */
int review_duration_parse(const char *text, long long *secs) MUSTCHECK;

/* An age in at most two units, zero second unit left out: "3d4h", "2d", "2h5m", "5m30s", "40s".
 * Negative ages (clock skew) read "0s". Writes into buf and returns it. */
const char *review_age_format(long long secs, char *buf, size_t len);

/* s cut to at most max bytes (max >= 4) on a UTF-8 boundary, "..." marking a cut; newlines and
 * tabs become spaces, other control characters (C0, DEL, C1) '?'. Returns malloc'd text (caller
 * frees). NULL gives "". */
char *review_shorten(const char *s, size_t max);

/* s safe to print on a terminal, whole: \n, \t, \r and other control characters (C0, DEL, the
 * bytes of a C1 control) written as escapes (\x1B). malloc'd; NULL gives "". */
char *review_printable(const char *s);

/* ---- Redis ---- */

/* One alert: the hash l2a:alert:<lead_id> as stored (docs/redis-schema.md, "Review queue"). */
typedef struct review_alert {
    char *lead_id;         /* owned */
    double created_ms;     /* created_ms field, else the open set's score, else 0 */
    strvec kv;             /* owned: field, value, field, value ... */
} review_alert;

void review_alert_free(review_alert *a);
/* A field of the alert, or NULL when absent. Borrowed from a. */
const char *review_alert_get(const review_alert *a, const char *field);
/* The value after field in a field/value list, or NULL. Borrowed from kv. */
const char *review_kv_get(const strvec *kv, const char *field);

/* The open alerts created at or before max_created_ms (a negative value: all), oldest first.
 * *out is a malloc'd array of *n alerts (free each with review_alert_free, then the array); an
 * id in the open set whose hash is gone is left out. Also *total (every open alert) and
 * *oldest_ms (created ms of the oldest, -1 when none). 0 or -1 with err set. */
int review_list(redisContext *c, const char *prefix, double max_created_ms, review_alert **out,
                size_t *n, long long *total, double *oldest_ms, char *err, size_t errlen) MUSTCHECK;

/* Reads any hash as field/value pairs into kv (appended; caller owns). 1 found, 0 absent (or
 * empty), -1 with err set. */
int review_hgetall(redisContext *c, const char *key, strvec *kv, char *err, size_t errlen) MUSTCHECK;

/* An HGETALL reply of lead_id's alert into out: 1 read (free with review_alert_free), 0 empty
 * (no such alert), -1 when the reply is not a field/value array. created_ms from the hash, else
 * fallback_ms. */
int review_alert_from_reply(const redisReply *r, const char *lead_id, double fallback_ms,
                            review_alert *out);

/* The alert of a lead: 1 found (out filled; free with review_alert_free), 0 none, -1 error. */
int review_get(redisContext *c, const char *prefix, const char *lead_id, review_alert *out,
               char *err, size_t errlen) MUSTCHECK;

/* What the resolve Function did. Strings owned (review_outcome_free). */
typedef struct review_outcome {
    bool done;             /* true: resolved now; false: it was already closed */
    char *status;          /* when !done: the alert's status (resolved, dismissed) */
    char *contact_id;      /* when done: the contact converted into ("" for a dismissal) */
    char *account_id;      /* when done: the account ("" for a dismissal) */
} review_outcome;

void review_outcome_free(review_outcome *o);

struct review_plan;
/* Runs the resolve Function (FCALL; the library is loaded when Redis does not have it) with plan
 * p (review_plan_build). Returns 1 done or already closed (see out), 0 when the lead has no
 * alert, -1 with err set on any other error. */
int review_resolve(redisContext *c, const char *prefix, const char *lead_id,
                   const struct review_plan *p, const char *by, const char *note,
                   review_outcome *out, char *err, size_t errlen) MUSTCHECK;

#endif
