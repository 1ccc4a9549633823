/* match_tail.c - scripts/match-tail's measure: the time each lead's decision takes (the engine
 * alone, as l2ad's worker decides a lead read from the stream), as percentiles and the slowest
 * leads, to tell whether the engine's own tail explains a latency tail of the daemon.
 * usage: match_tail_bench CONFIG ACCOUNTS.csv LEADS.jsonl [SLOWEST] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf.h"
#include "engine.h"

typedef struct lead_time {
    double us;        /* the thread's CPU microseconds in matcher_decide_line (the time another
                       * process took the core is not in it, unlike a wall time) */
    long line;
} lead_time;

static double cpu_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int slower_first(const void *a, const void *b)
{
    double x = ((const lead_time *)a)->us, y = ((const lead_time *)b)->us;
    return (x < y) - (x > y);
}

/* Decides every lead of path once, timing each; returns the count (times in *out, malloc'd). */
static size_t time_leads(const matcher *m, const char *path, lead_time **out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    size_t n = 0, cap = 1024;
    lead_time *t = malloc(cap * sizeof(*t));
    char *line = NULL;
    size_t linecap = 0;
    ssize_t len;
    long lineno = 0;
    while (t && (len = getline(&line, &linecap, f)) != -1) {
        decision d;
        double t0 = cpu_us();
        matcher_decide_line(m, line, (size_t)len, ++lineno, &d);
        double us = cpu_us() - t0;
        decision_free(&d);
        if (n == cap && !(t = realloc(t, (cap *= 2) * sizeof(*t))))
            break;
        t[n++] = (lead_time){us, lineno};
    }
    free(line);
    fclose(f);
    if (!t) {
        fprintf(stderr, "match_tail_bench: out of memory\n");
        exit(1);
    }
    *out = t;
    return n;
}

/* The q-quantile of times sorted slowest first. */
static double quantile(const lead_time *t, size_t n, double q)
{
    size_t from_top = (size_t)((1.0 - q) * (double)n);
    return t[from_top < n ? from_top : n - 1].us;
}

static void report(lead_time *t, size_t n, size_t slowest)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += t[i].us;
    qsort(t, n, sizeof(*t), slower_first);
    printf("leads %zu  CPU: mean_us %.1f  p50_us %.1f  p90_us %.1f  p99_us %.1f  p999_us %.1f  "
           "max_us %.1f\n", n, sum / (double)n, quantile(t, n, 0.50), quantile(t, n, 0.90),
           quantile(t, n, 0.99), quantile(t, n, 0.999), t[0].us);
    for (size_t i = 0; i < slowest && i < n; i++)
        printf("slow %zu: line %ld  %.1f us\n", i + 1, t[i].line, t[i].us);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s CONFIG ACCOUNTS.csv LEADS.jsonl [SLOWEST]\n", argv[0]);
        return 2;
    }
    conf cfg;
    char err[512];
    if (conf_load(argv[1], &cfg, err, sizeof(err)) != 0 ||
        conf_check_files(&cfg, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    matcher *m = matcher_new(&cfg.eng, err, sizeof(err));
    if (!m || matcher_load_accounts_csv(m, argv[2], err, sizeof(err)) < 0) {
        fprintf(stderr, "match_tail_bench: %s\n", err);
        return 1;
    }
    lead_time *t;
    size_t n = time_leads(m, argv[3], &t);
    report(t, n, argc > 4 ? (size_t)atol(argv[4]) : 10);
    free(t);
    matcher_free(m);
    conf_free(&cfg);
    return 0;
}
