/* metrics.h - the daemon's counters, gauges and histograms, declared once and exported as Prometheus text. */
#ifndef L2A_METRICS_H
#define L2A_METRICS_H

#include <stddef.h>

#include "util.h"

/* Every metric, once: X(id, kind, name, labels, help). kind is COUNTER, GAUGE or HISTOGRAM; name
 * is the Prometheus name without the "l2a_" prefix; labels is "" or the label set of this
 * series ('decision="match"'). Series of one name must be adjacent: HELP and TYPE are written
 * once per name, from the first series. This list generates the enum, the struct (metrics.c)
 * and the exposition names and help text. */
#define METRICS_LIST(X)                                                                          \
    X(LEADS_MATCH, COUNTER, "leads_total", "decision=\"match\"",                                 \
      "Leads recorded, by decision.")                                                            \
    X(LEADS_REVIEW, COUNTER, "leads_total", "decision=\"review\"", "")                           \
    X(LEADS_NO_MATCH, COUNTER, "leads_total", "decision=\"no_match\"", "")                       \
    X(LEADS_INVALID, COUNTER, "leads_total", "decision=\"invalid\"", "")                         \
    X(LEADS_REPEATED, COUNTER, "leads_repeated_total", "",                                       \
      "Entries whose lead id was already recorded with other fields: only acknowledged, the "    \
      "first result kept.")                                                                      \
    X(DEAD_LETTERS, COUNTER, "dead_letters_total", "",                                           \
      "Stream entries moved to the dead-letter stream.")                                         \
    X(ERRORS, COUNTER, "errors_total", "",                                                       \
      "Errors logged by the daemon (Redis replies, script failures, internal errors).")          \
    X(REDIS_RECONNECTS, COUNTER, "redis_reconnects_total", "",                                   \
      "Connections to Redis re-established after a loss.")                                       \
    X(REDIS_TIMEOUTS, COUNTER, "redis_commands_timed_out_total", "",                             \
      "Redis commands abandoned after daemon.command_timeout_ms.")                               \
    X(DAEMON_STATE, GAUGE, "daemon_state", "",                                                   \
      "Readiness state: 0 connecting, 1 handshake, 2 group, 3 functions, 4 accounts, "           \
      "5 consuming, 6 waiting (backing off after a Redis-side failure), 7 draining.")            \
    X(ACCOUNTS_INDEXED, GAUGE, "accounts_indexed", "",                                           \
      "Accounts in the in-memory index.")                                                        \
    X(ACCOUNT_CHANGES, COUNTER, "account_changes_applied_total", "",                             \
      "Account upserts and deletes applied from the account change stream.")                     \
    X(ACCOUNTS_FROM_SNAPSHOT, GAUGE, "accounts_load_source", "source=\"snapshot\"",             \
      "How the index in force was built: 1 for its source (snapshot: the account snapshot in "   \
      "Redis and the changes after it; full: every account read from Redis).")                   \
    X(ACCOUNTS_FROM_FULL_LOAD, GAUGE, "accounts_load_source", "source=\"full\"", "")            \
    X(SNAPSHOT_CHANGES_BEHIND, GAUGE, "accounts_snapshot_changes_behind", "",                    \
      "Account changes applied after the account snapshot this worker last read or wrote: how "  \
      "far a start from it is behind (accounts.snapshot_after_changes triggers a rewrite).")     \
    X(SNAPSHOT_WRITES, COUNTER, "accounts_snapshot_writes_total", "",                            \
      "Account snapshots this worker wrote and published.")                                      \
    X(PENDING_LEADS, GAUGE, "pending_leads", "",                                                 \
      "Entries delivered to the consumer group but not yet acknowledged (XPENDING count).")      \
    X(LEADS_IN_FLIGHT, GAUGE, "leads_in_flight", "",                                             \
      "Leads read by this process whose result is not yet recorded.")                            \
    X(CONFIG_RELOADS, COUNTER, "config_reloads_total", "",                                       \
      "Configuration reloads applied (SIGHUP).")                                                 \
    X(CONFIG_RELOAD_FAILURES, COUNTER, "config_reload_failures_total", "",                       \
      "Configuration reloads refused; the previous configuration stays in force.")               \
    X(CONFIG_LAST_RELOAD_OK, GAUGE, "config_last_reload_successful", "",                         \
      "1 when the last reload (SIGHUP) was applied or none was asked for, 0 when it was refused.") \
    X(CONFIG_LAST_RELOAD_TIME, GAUGE, "config_last_reload_success_timestamp_seconds", "",        \
      "When the configuration in force was loaded (start or last applied reload), Unix time.")   \
    X(BUILD_INFO, GAUGE, "build_info", "version=\"" L2A_VERSION "\"",                          \
      "Always 1; the version of this l2ad as a label.")                                          \
    X(REVIEW_OPEN, GAUGE, "review_open", "",                                                     \
      "Open alerts in the RevOps review queue.")                                                 \
    X(REVIEW_OLDEST_AGE, GAUGE, "review_oldest_age_seconds", "",                                 \
      "Age of the oldest open review alert, 0 when the queue is empty.")                         \
    X(INTAKE_202, COUNTER, "intake_requests_total", "code=\"202\"",                             \
      "POST /v1/leads requests, by the status code answered.")                                   \
    X(INTAKE_400, COUNTER, "intake_requests_total", "code=\"400\"", "")                         \
    X(INTAKE_401, COUNTER, "intake_requests_total", "code=\"401\"", "")                         \
    X(INTAKE_413, COUNTER, "intake_requests_total", "code=\"413\"", "")                         \
    X(INTAKE_500, COUNTER, "intake_requests_total", "code=\"500\"", "")                         \
    X(INTAKE_503, COUNTER, "intake_requests_total", "code=\"503\"", "")                         \
    X(INTAKE_LEADS, COUNTER, "intake_leads_total", "",                                           \
      "Leads the intake added to the input stream (202 answers).")                               \
    X(WEBHOOK_ALERT_OK, COUNTER, "webhook_posts_total", "kind=\"alert\",result=\"ok\"",     \
      "Webhook POSTs by kind (alert: the chat webhook, new and overdue alerts; event: the events " \
      "webhook) and result (ok: a 2xx answer; failed: any other answer or none).")            \
    X(WEBHOOK_ALERT_FAILED, COUNTER, "webhook_posts_total", "kind=\"alert\",result=\"failed\"", "") \
    X(WEBHOOK_EVENT_OK, COUNTER, "webhook_posts_total", "kind=\"event\",result=\"ok\"", "")     \
    X(WEBHOOK_EVENT_FAILED, COUNTER, "webhook_posts_total", "kind=\"event\",result=\"failed\"", "") \
    X(WEBHOOK_ALERT_RETRIES, COUNTER, "webhook_retries_total", "kind=\"alert\"",               \
      "Webhook POSTs that repeat a failed one (after the retry delay).")                        \
    X(WEBHOOK_EVENT_RETRIES, COUNTER, "webhook_retries_total", "kind=\"event\"", "")            \
    X(WEBHOOK_ALERTS_PENDING, GAUGE, "webhook_alerts_pending", "",                               \
      "Events read by the alerts webhook's senders and not yet confirmed (XPENDING of the "      \
      "alerts group), as this worker last saw it.")                                              \
    X(WEBHOOK_EVENTS_LAG, GAUGE, "webhook_events_lag_seconds", "",                               \
      "Age of the oldest event not yet delivered to the events webhook by this worker, 0 when "  \
      "it is caught up or does not hold the sender's lease.")                                    \
    X(BATCH_SECONDS, HISTOGRAM, "batch_seconds", "",                                             \
      "Time to process one batch read from the stream, from read to last result recorded.")      \
    X(LEAD_LATENCY, HISTOGRAM, "lead_latency_seconds", "",                                       \
      "End-to-end latency of a lead: from its stream entry id's timestamp to its result recorded.")

typedef enum metric_id {
#define METRIC_ENUM(id, kind, name, labels, help) METRIC_##id,
    METRICS_LIST(METRIC_ENUM)
#undef METRIC_ENUM
    METRIC_COUNT
} metric_id;

typedef enum metric_kind { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM } metric_kind;

/* Histogram bucket upper bounds in seconds (the same for every histogram); +Inf is implicit. 2 ms
 * is a bound because it is the end-to-end latency l2ad is held to (p99 at 2,000 leads/s offered,
 * docs/scaling.md): the share of leads within it is read off a bucket, not interpolated between
 * two bounds around it. */
#define METRICS_BUCKETS \
    0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0
#define METRICS_NBUCKETS 15

typedef struct metrics metrics;

/* A zeroed set of metrics; owned by the caller (metrics_free). Never NULL. Single-threaded. */
metrics *metrics_new(void);
void metrics_free(metrics *m);

/* Adds by to a counter (by < 0 is ignored) or a gauge (any sign). No-op on a histogram. */
void metrics_inc(metrics *m, metric_id id, double by);
/* Sets a gauge. No-op on other kinds. */
void metrics_set(metrics *m, metric_id id, double v);
/* Records one observation in a histogram. No-op on other kinds or a NaN. */
void metrics_observe(metrics *m, metric_id id, double seconds);
/* Current value of a counter or gauge; the observation count of a histogram. */
double metrics_get(const metrics *m, metric_id id);
/* The sum of a histogram's observations (0 for other kinds). */
double metrics_sum(const metrics *m, metric_id id);

/* The leads_total series of a decision ("match", "review", "no_match", "invalid"), or
 * METRIC_COUNT for anything else. */
metric_id metrics_decision_id(const char *decision);
/* Kind and full Prometheus name ("l2a_leads_total") of a metric. */
metric_kind metrics_kind(metric_id id);
const char *metrics_name(metric_id id);

/* Appends every metric to out in the Prometheus text exposition format 0.0.4. */
void metrics_render(const metrics *m, strbuf *out);

#endif
