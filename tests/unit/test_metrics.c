/* test_metrics.c - unit tests for the metric set and its Prometheus text rendering (metrics.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "metrics.h"
#include "util.h"

/* The rendering of m; caller frees. */
static char *render(const metrics *m)
{
    strbuf sb;
    sb_init(&sb);
    metrics_render(m, &sb);
    return sb_take(&sb);
}

/* Asserts that text holds line as a whole line. */
static void assert_line(const char *text, const char *line)
{
    size_t n = strlen(line);
    for (const char *p = text; (p = strstr(p, line)) != NULL; p++) {
        if ((p == text || p[-1] == '\n') && p[n] == '\n')
            return;
    }
    fail_msg("line not found: %s\n--- in ---\n%s", line, text);
}

static size_t count_substr(const char *text, const char *s)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, s)) != NULL; p += strlen(s))
        n++;
    return n;
}

static void test_counters_and_labels(void **state)
{
    (void)state;
    metrics *m = metrics_new();
    metrics_inc(m, METRIC_LEADS_MATCH, 3);
    metrics_inc(m, metrics_decision_id("review"), 1);
    metrics_inc(m, METRIC_DEAD_LETTERS, 2);
    metrics_inc(m, METRIC_DEAD_LETTERS, -5); /* ignored: counters only go up */
    metrics_inc(m, METRIC_REDIS_RECONNECTS, 1);
    char *t = render(m);
    assert_line(t, "# HELP l2a_leads_total Leads recorded, by decision.");
    assert_line(t, "# TYPE l2a_leads_total counter");
    assert_line(t, "l2a_leads_total{decision=\"match\"} 3");
    assert_line(t, "l2a_leads_total{decision=\"review\"} 1");
    assert_line(t, "l2a_leads_total{decision=\"no_match\"} 0");
    assert_line(t, "l2a_leads_total{decision=\"invalid\"} 0");
    assert_line(t, "# TYPE l2a_dead_letters_total counter");
    assert_line(t, "l2a_dead_letters_total 2");
    assert_line(t, "l2a_redis_reconnects_total 1");
    assert_line(t, "l2a_redis_commands_timed_out_total 0");
    /* one HELP and TYPE per family, even with four labelled series */
    assert_int_equal(count_substr(t, "# TYPE l2a_leads_total "), 1);
    assert_int_equal(count_substr(t, "# HELP l2a_leads_total "), 1);
    free(t);
    metrics_free(m);
}

static void test_gauges(void **state)
{
    (void)state;
    metrics *m = metrics_new();
    metrics_set(m, METRIC_ACCOUNTS_INDEXED, 15728);
    metrics_inc(m, METRIC_LEADS_IN_FLIGHT, 5);
    metrics_inc(m, METRIC_LEADS_IN_FLIGHT, -2);
    metrics_set(m, METRIC_REVIEW_OLDEST_AGE, 12.5);
    metrics_set(m, METRIC_CONFIG_RELOADS, 9); /* not a gauge: ignored */
    assert_true(metrics_get(m, METRIC_LEADS_IN_FLIGHT) == 3);
    char *t = render(m);
    assert_line(t, "# TYPE l2a_accounts_indexed gauge");
    assert_line(t, "l2a_accounts_indexed 15728");
    assert_line(t, "l2a_leads_in_flight 3");
    assert_line(t, "l2a_review_oldest_age_seconds 12.5");
    assert_line(t, "l2a_config_reloads_total 0");
    assert_line(t, "l2a_pending_leads 0");
    free(t);
    metrics_free(m);
}

static void test_histogram(void **state)
{
    (void)state;
    metrics *m = metrics_new();
    metrics_observe(m, METRIC_BATCH_SECONDS, 0.0007); /* <= 0.001 */
    metrics_observe(m, METRIC_BATCH_SECONDS, 0.001);  /* on the bound: le is inclusive */
    metrics_observe(m, METRIC_BATCH_SECONDS, 0.2);    /* <= 0.25 */
    metrics_observe(m, METRIC_BATCH_SECONDS, 45);     /* above 30: +Inf only */
    metrics_observe(m, METRIC_LEADS_MATCH, 1);        /* not a histogram: ignored */
    assert_true(metrics_get(m, METRIC_BATCH_SECONDS) == 4);
    char *t = render(m);
    assert_line(t, "# TYPE l2a_batch_seconds histogram");
    assert_line(t, "l2a_batch_seconds_bucket{le=\"0.001\"} 2");
    assert_line(t, "l2a_batch_seconds_bucket{le=\"0.0005\"} 0");
    assert_line(t, "l2a_batch_seconds_bucket{le=\"0.002\"} 2");
    assert_line(t, "l2a_batch_seconds_bucket{le=\"0.1\"} 2");
    assert_line(t, "l2a_batch_seconds_bucket{le=\"0.25\"} 3");
    assert_line(t, "l2a_batch_seconds_bucket{le=\"1\"} 3");
    assert_line(t, "l2a_batch_seconds_bucket{le=\"30\"} 3");
    assert_line(t, "l2a_batch_seconds_bucket{le=\"+Inf\"} 4");
    assert_line(t, "l2a_batch_seconds_sum 45.2017");
    assert_line(t, "l2a_batch_seconds_count 4");
    assert_line(t, "l2a_lead_latency_seconds_bucket{le=\"+Inf\"} 0");
    assert_line(t, "l2a_lead_latency_seconds_count 0");
    assert_line(t, "l2a_lead_latency_seconds_sum 0");
    assert_int_equal(count_substr(t, "l2a_batch_seconds_bucket{"), METRICS_NBUCKETS + 1);
    free(t);
    metrics_free(m);
}

/* Every line is a comment or "name[{labels}] value"; every family has HELP then TYPE first. */
static void test_exposition_shape(void **state)
{
    (void)state;
    metrics *m = metrics_new();
    char *t = render(m);
    assert_true(t[strlen(t) - 1] == '\n');
    size_t families = 0;
    for (char *line = strtok(t, "\n"); line; line = strtok(NULL, "\n")) {
        if (strncmp(line, "# HELP l2a_", 11) == 0) {
            families++;
            continue;
        }
        if (strncmp(line, "# TYPE l2a_", 11) == 0)
            continue;
        assert_true(strncmp(line, "l2a_", 4) == 0);
        char *sp = strrchr(line, ' ');
        assert_non_null(sp);
        char *end;
        strtod(sp + 1, &end);
        assert_true(*end == '\0');
    }
    assert_int_equal(families, 29);   /* 22, the webhooks: posts, retries, pending, lag; the
                                       * account snapshot: load source, changes behind, writes */
    free(t);
    metrics_free(m);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(metrics_name(METRIC_LEAD_LATENCY), "l2a_lead_latency_seconds");
    assert_int_equal(metrics_kind(METRIC_PENDING_LEADS), METRIC_GAUGE);
    assert_int_equal(metrics_decision_id("no_match"), METRIC_LEADS_NO_MATCH);
    assert_int_equal(metrics_decision_id("invalid"), METRIC_LEADS_INVALID);
    assert_int_equal(metrics_decision_id("maybe"), METRIC_COUNT);
    assert_int_equal(metrics_decision_id(NULL), METRIC_COUNT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counters_and_labels), cmocka_unit_test(test_gauges),
        cmocka_unit_test(test_histogram),           cmocka_unit_test(test_exposition_shape),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
