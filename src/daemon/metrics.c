/* metrics.c - the metric set generated from METRICS_LIST and its Prometheus text rendering. */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per-bucket (not cumulative) counts; the last slot counts observations above every bound. */
typedef struct histogram {
    unsigned long long buckets[METRICS_NBUCKETS + 1];
    unsigned long long count;
    double sum;
} histogram;

#define FIELD_COUNTER(id) double id;
#define FIELD_GAUGE(id) double id;
#define FIELD_HISTOGRAM(id) histogram id;

/* One field per metric, named after its id. */
struct metrics {
#define METRIC_FIELD(id, kind, name, labels, help) FIELD_##kind(id)
    METRICS_LIST(METRIC_FIELD)
#undef METRIC_FIELD
};

typedef struct metric_desc {
    metric_kind kind;
    const char *name;   /* full name, "l2a_" prefix included */
    const char *labels; /* "" or 'k="v"' */
    const char *help;   /* "" for a later series of the same name */
    size_t off;         /* of the field in struct metrics */
} metric_desc;

static const metric_desc descs[METRIC_COUNT] = {
#define METRIC_DESC(id, kind, name, labels, help) \
    [METRIC_##id] = {METRIC_##kind, "l2a_" name, labels, help, offsetof(struct metrics, id)},
    METRICS_LIST(METRIC_DESC)
#undef METRIC_DESC
};

static const double bounds[METRICS_NBUCKETS] = {METRICS_BUCKETS};

metrics *metrics_new(void)
{
    return xcalloc(1, sizeof(metrics));
}

void metrics_free(metrics *m)
{
    free(m);
}

static bool valid(metric_id id)
{
    return (unsigned)id < METRIC_COUNT;
}

/* The scalar of a counter or gauge; NULL for a histogram or a bad id. */
static const double *scalar_c(const metrics *m, metric_id id)
{
    if (!valid(id) || descs[id].kind == METRIC_HISTOGRAM)
        return NULL;
    return (const double *)((const char *)m + descs[id].off);
}

static double *scalar(metrics *m, metric_id id)
{
    return (double *)scalar_c(m, id);
}

static const histogram *hist_c(const metrics *m, metric_id id)
{
    if (!valid(id) || descs[id].kind != METRIC_HISTOGRAM)
        return NULL;
    return (const histogram *)((const char *)m + descs[id].off);
}

void metrics_inc(metrics *m, metric_id id, double by)
{
    double *v = scalar(m, id);
    if (!v || isnan(by) || (descs[id].kind == METRIC_COUNTER && by < 0))
        return;
    *v += by;
}

void metrics_set(metrics *m, metric_id id, double v)
{
    double *p = scalar(m, id);
    if (p && descs[id].kind == METRIC_GAUGE)
        *p = v;
}

void metrics_observe(metrics *m, metric_id id, double seconds)
{
    histogram *h = (histogram *)hist_c(m, id);
    if (!h || isnan(seconds))
        return;
    size_t i = 0;
    while (i < METRICS_NBUCKETS && seconds > bounds[i])
        i++;
    h->buckets[i]++;
    h->count++;
    h->sum += seconds;
}

double metrics_get(const metrics *m, metric_id id)
{
    const histogram *h = hist_c(m, id);
    if (h)
        return (double)h->count;
    const double *v = scalar_c(m, id);
    return v ? *v : 0;
}

double metrics_sum(const metrics *m, metric_id id)
{
    const histogram *h = hist_c(m, id);
    return h ? h->sum : 0;
}

metric_id metrics_decision_id(const char *decision)
{
    static const struct {
        const char *name;
        metric_id id;
    } map[] = {{"match", METRIC_LEADS_MATCH},
               {"review", METRIC_LEADS_REVIEW},
               {"no_match", METRIC_LEADS_NO_MATCH},
               {"invalid", METRIC_LEADS_INVALID}};
    for (size_t i = 0; decision && i < ARRAY_LEN(map); i++)
        if (strcmp(decision, map[i].name) == 0)
            return map[i].id;
    return METRIC_COUNT;
}

metric_kind metrics_kind(metric_id id)
{
    return valid(id) ? descs[id].kind : METRIC_COUNTER;
}

const char *metrics_name(metric_id id)
{
    return valid(id) ? descs[id].name : "";
}

/* A sample value as Prometheus reads it: integers without a fraction, other values in the
 * shortest form that reads back exactly, +Inf/-Inf/NaN spelt the Go way. */
static void put_value(strbuf *out, double v)
{
    if (isnan(v)) {
        sb_append(out, "NaN");
    } else if (isinf(v)) {
        sb_append(out, v > 0 ? "+Inf" : "-Inf");
    } else if (v == floor(v) && fabs(v) < 9007199254740992.0) {
        sb_appendf(out, "%.0f", v);
    } else {
        char buf[32];
        snprintf(buf, sizeof(buf), "%.15g", v);
        if (strtod(buf, NULL) != v)
            snprintf(buf, sizeof(buf), "%.17g", v);
        sb_append(out, buf);
    }
}

/* "name{labels} value\n"; extra is a further label ('le="0.5"') or NULL. */
static void put_sample(strbuf *out, const char *name, const char *suffix, const char *labels,
                       const char *extra, double v)
{
    sb_append(out, name);
    sb_append(out, suffix);
    bool l = labels[0] != '\0', e = extra != NULL;
    if (l || e)
        sb_appendf(out, "{%s%s%s}", labels, l && e ? "," : "", e ? extra : "");
    sb_putc(out, ' ');
    put_value(out, v);
    sb_putc(out, '\n');
}

static void put_histogram(strbuf *out, const metric_desc *d, const histogram *h)
{
    unsigned long long cum = 0;
    for (size_t i = 0; i <= METRICS_NBUCKETS; i++) {
        strbuf le;
        sb_init(&le);
        sb_append(&le, "le=\"");
        if (i < METRICS_NBUCKETS)
            put_value(&le, bounds[i]);
        else
            sb_append(&le, "+Inf");
        sb_putc(&le, '"');
        cum += h->buckets[i];
        put_sample(out, d->name, "_bucket", d->labels, le.buf, (double)cum);
        sb_free(&le);
    }
    put_sample(out, d->name, "_sum", d->labels, NULL, h->sum);
    put_sample(out, d->name, "_count", d->labels, NULL, (double)h->count);
}

static const char *kind_name(metric_kind k)
{
    return k == METRIC_COUNTER ? "counter" : k == METRIC_GAUGE ? "gauge" : "histogram";
}

void metrics_render(const metrics *m, strbuf *out)
{
    for (size_t i = 0; i < METRIC_COUNT; i++) {
        const metric_desc *d = &descs[i];
        if (i == 0 || strcmp(d->name, descs[i - 1].name) != 0) {
            sb_appendf(out, "# HELP %s %s\n", d->name, d->help);
            sb_appendf(out, "# TYPE %s %s\n", d->name, kind_name(d->kind));
        }
        if (d->kind == METRIC_HISTOGRAM)
            put_histogram(out, d, hist_c(m, (metric_id)i));
        else
            put_sample(out, d->name, "", d->labels, NULL, metrics_get(m, (metric_id)i));
    }
}
